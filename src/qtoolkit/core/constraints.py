"""Value constraints checked when decoding: impossible values are errors naming their path.

Counts, memory amounts, time limits and runtimes are never negative, so a negative value is a
corrupt or hand-made document, not a job. These are the only constraints: exit statuses and exit
codes may be negative (a process killed by a signal), and priorities may be (PBS ranges from
-1024 to 1023). Upstream qtoolkit 0.1.7 parses every one of these values from non-negative
scheduler output, so no document it wrote for a real job is rejected. Objects built in Python are
not checked, as msgspec checks only while decoding.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

__all__ = ["Count", "Memory", "Seconds"]

Count = Annotated[int, msgspec.Meta(ge=0, description="A number of items; never negative.")]
"""A number of nodes, processes, CPUs, threads, GPUs or jobs."""

Memory = Annotated[int, msgspec.Meta(ge=0, description="An amount of memory; never negative.")]
"""An amount of memory, in the unit its field documents."""

Seconds = Annotated[int, msgspec.Meta(ge=0, description="A duration in seconds; never negative.")]
"""A time limit or a runtime."""
