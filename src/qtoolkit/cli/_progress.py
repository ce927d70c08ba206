"""A progress bar for long conversions, shown only on a terminal and only for large inputs."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

__all__ = ["LARGE_INPUT_BYTES", "progress"]

LARGE_INPUT_BYTES = 8 << 20
"""Inputs smaller than this finish too fast for a bar to help."""


def _ignore(_: int) -> None:
    return None


@contextmanager
def progress(
    total_bytes: int | None, description: str
) -> Generator[Callable[[int], None], None, None]:
    """Yield a function to call with each number of bytes done.

    It draws a bar on standard error when that is a terminal, the input is large and ``rich`` (the
    ``cli`` extra) is installed; otherwise it does nothing, so piped output stays clean.
    """
    if total_bytes is None or total_bytes < LARGE_INPUT_BYTES or not sys.stderr.isatty():
        yield _ignore
        return
    try:
        from rich.console import Console  # noqa: PLC0415 - optional
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn  # noqa: PLC0415
    except ImportError:
        sys.stderr.write("qtk: install the 'cli' extra (rich) to see a progress bar\n")
        yield _ignore
        return
    columns = (BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total_bytes)
        yield lambda done: bar.advance(task, done)
