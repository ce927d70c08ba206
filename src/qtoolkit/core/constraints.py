"""Value constraints checked when decoding: impossible values are errors naming their path.

Counts, memory amounts, time limits and runtimes are never negative, so a negative value is a
corrupt or hand-made document, not a job. Exit statuses and exit codes may be negative (a process
killed by a signal), and priorities may be (PBS ranges from -1024 to 1023). Every integer fits in
64 bits, MessagePack's limit, so whatever decodes from JSON can be written as MessagePack too.
Upstream qtoolkit 0.1.7 parses every one of these values from non-negative scheduler output, so
no document it wrote for a real job is rejected. Objects built in Python are not checked, as
msgspec checks only while decoding.
"""

from __future__ import annotations

import re
from typing import Annotated

import msgspec

__all__ = ["Count", "Int64", "Memory", "Seconds", "count_from_text"]

_MIN, _MAX = -(2**63), 2**63 - 1

Int64 = Annotated[int, msgspec.Meta(ge=_MIN, le=_MAX)]
"""An integer that may be negative (an exit status, a priority), within 64 bits."""

Count = Annotated[
    int, msgspec.Meta(ge=0, le=_MAX, description="A number of items; never negative.")
]
"""A number of nodes, processes, CPUs, threads, GPUs or jobs."""

Memory = Annotated[
    int, msgspec.Meta(ge=0, le=_MAX, description="An amount of memory; never negative.")
]
"""An amount of memory, in the unit its field documents."""

Seconds = Annotated[
    int, msgspec.Meta(ge=0, le=_MAX, description="A duration in seconds; never negative.")
]
"""A time limit or a runtime."""


_DIGITS = re.compile(r"\s*(\d+)\s*")


def count_from_text(text: str) -> int | None:
    """The integer ``text`` spells in decimal digits (spaces around allowed), else None.

    For counts that arrive as text, from command lines (``nodes=2``) or configuration files.
    """
    match = _DIGITS.fullmatch(text)
    return None if match is None else int(match.group(1))
