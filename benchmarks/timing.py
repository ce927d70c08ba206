"""How one call is timed and how the memory of one decode is measured.

Both the main process and ``upstream_peer.py`` (which runs in upstream qtoolkit's own venv, with
nothing but the standard library, upstream qtoolkit and monty) use this module: it must import
only the standard library.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["time_call", "traced_call"]

T = TypeVar("T")


def time_call(call: Callable[[], object]) -> float:
    """Seconds one ``call()`` takes, after a full collection; the collector stays enabled.

    The result is kept alive until the clock has stopped, so freeing it (a million objects for
    a decode) is not counted.
    """
    gc.collect()
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    del result
    return elapsed


def traced_call(call: Callable[[], T]) -> tuple[T, int, int]:
    """``call()``'s result, with the peak and the retained bytes traced while it ran.

    Only memory allocated during the call counts: its input was allocated before tracing began.
    Tracing slows every allocation down, so this call is never one of the timed ones.
    """
    gc.collect()
    tracemalloc.start()
    try:
        result = call()
        retained, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak, retained
