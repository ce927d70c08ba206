"""The numbers a run produces, as written to ``results.json``."""

from __future__ import annotations

import msgspec

from benchmarks.peers.base import Format

__all__ = [
    "CaseResult",
    "OpResult",
    "PollingStep",
    "RunResult",
    "SizeResult",
    "TargetResult",
    "UpstreamResult",
]


class OpResult(msgspec.Struct, kw_only=True):
    """One operation (encode or decode) of one case, timed ``len(times_s)`` times."""

    times_s: list[float]
    median_s: float
    ns_per_job: float
    ratio: float | None = None
    """Median time over this project's median in the same format (json for JSON-only peers)."""


class CaseResult(msgspec.Struct, kw_only=True):
    """One peer in one format at one size."""

    peer: str
    format: Format
    jobs: int
    wire_bytes: int
    encode: OpResult
    decode: OpResult
    decode_peak_bytes: int | None
    """Peak bytes traced by tracemalloc during one decode (result included), or None if skipped."""
    decode_retained_bytes: int | None
    """Bytes still allocated when that decode returned: the decoded objects."""


class UpstreamResult(msgspec.Struct, kw_only=True):
    """What ``upstream_peer.py`` prints."""

    jobs: int
    qtoolkit: str
    monty: str
    python: str
    wire_bytes: int
    encode_s: list[float]
    decode_s: list[float]
    encode_median_s: float
    decode_median_s: float
    decode_peak_bytes: int | None
    decode_retained_bytes: int | None


class SizeResult(msgspec.Struct, kw_only=True):
    """Every peer measured on one snapshot."""

    jobs: int
    elapsed_s: float
    """Wall time spent on this size: generating, building, timing, tracing, upstream."""
    repeats_fast: int
    repeats_slow: int
    cases: list[CaseResult]
    not_run: dict[str, str]
    """Peer name to the reason it was not run on this snapshot."""


class TargetResult(msgspec.Struct, kw_only=True):
    """One target check: passed, failed, or not run (``passed`` None)."""

    name: str
    passed: bool | None
    detail: str


class PollingStep(msgspec.Struct, kw_only=True):
    """One step of one poll (``benchmarks/polling.py``), or upstream's whole poll."""

    name: str
    peer: str
    jobs: int
    changes: int
    median_s: float | None = None
    """None when the step was not run; ``note`` says why."""
    times_s: list[float] = msgspec.field(default_factory=list)
    note: str = ""


class RunResult(msgspec.Struct, kw_only=True):
    """A whole run: the environment, every size, and the target checks."""

    started_at: str
    total_s: float
    argv: list[str]
    seed: int
    machine: dict[str, object]
    versions: dict[str, str | None]
    upstream: str
    """``"run"``, or ``"not run: <reason>"``."""
    sizes: list[SizeResult]
    targets: list[TargetResult]
    polling: list[PollingStep] = msgspec.field(default_factory=list)
    """One poll of a queue (empty when the run skipped it)."""
