"""The project's performance targets, checked against one run's ratios.

A ratio target holds when it holds at every size measured. The time-per-job target compares
each size's ns/job of this project with the median of those values across the sizes measured,
for each format and operation, and holds when none is more than 20% away.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from benchmarks import sizes
from benchmarks.peers import msgspec_naive, pydantic_v2, this_project, upstream
from benchmarks.results import TargetResult

if TYPE_CHECKING:
    from benchmarks.peers.base import Format
    from benchmarks.results import CaseResult, OpResult, SizeResult

__all__ = ["PER_JOB_SPREAD", "RATIO_TARGETS", "RatioTarget", "check"]

Op = Literal["encode", "decode"]
PER_JOB_SPREAD = 0.20
FORMATS: tuple[Format, ...] = ("json", "msgpack")
OPS: tuple[Op, ...] = ("encode", "decode")


@dataclass(frozen=True)
class RatioTarget:
    """This project against ``peer`` on ``op``, in ``formats``.

    ``at_most``: our time over the peer's is at most ``bound`` (we may be at most that slow).
    ``at_least``: the peer's time over ours is at least ``bound`` (we are that many times faster).
    """

    peer: str
    op: Op
    kind: Literal["at_most", "at_least"]
    bound: float
    formats: tuple[Format, ...] = ("json",)

    def value(self, op: OpResult) -> float | None:
        """The ratio this target bounds, from the peer's OpResult (whose ratio is peer/ours)."""
        if op.ratio is None:
            return None
        return 1 / op.ratio if self.kind == "at_most" else op.ratio

    def holds(self, value: float) -> bool:
        """Whether one size's ratio meets the bound."""
        return value <= self.bound if self.kind == "at_most" else value >= self.bound

    def describe(self, format: Format) -> str:
        """The target in words, for its PASS/FAIL line."""
        if self.kind == "at_most":
            return f"{self.op} {format}: ours/{self.peer} time <= {self.bound:g}x"
        return f"{self.op} {format}: {self.peer}/ours time >= {self.bound:g}x"


RATIO_TARGETS = (
    RatioTarget(msgspec_naive.NAME, "encode", "at_most", 1.05, FORMATS),
    RatioTarget(msgspec_naive.NAME, "decode", "at_most", 0.6, FORMATS),
    RatioTarget(pydantic_v2.NAME, "encode", "at_least", 6),
    RatioTarget(pydantic_v2.NAME, "decode", "at_least", 20),
    RatioTarget(upstream.NAME, "encode", "at_least", 90),
    RatioTarget(upstream.NAME, "decode", "at_least", 45),
)


def _find(size: SizeResult, peer: str, format: Format) -> CaseResult | None:
    for case in size.cases:
        if case.peer == peer and case.format == format:
            return case
    return None


def _ratio_check(target: RatioTarget, format: Format, runs: list[SizeResult]) -> TargetResult:
    name = target.describe(format)
    values: list[str] = []
    verdicts: list[bool] = []
    missing: list[str] = []
    for size in runs:
        case = _find(size, target.peer, format)
        value = None if case is None else target.value(getattr(case, target.op))
        if value is None:
            missing.append(sizes.label(size.jobs))
            continue
        verdicts.append(target.holds(value))
        values.append(f"{sizes.label(size.jobs)} {value:.2f}x")
    detail = ", ".join(values)
    if missing:
        reasons = {size.not_run.get(target.peer, "not measured") for size in runs}
        detail += f"{'; ' if detail else ''}not run at {', '.join(missing)}: "
        detail += "; ".join(sorted(reasons))
    passed: bool | None = True
    if not all(verdicts):
        passed = False
    elif missing:
        passed = None
    return TargetResult(name=name, passed=passed, detail=detail)


def _per_job_check(format: Format, op: Op, runs: list[SizeResult]) -> TargetResult:
    name = f"{op} {format}: ours ns/job within ±{PER_JOB_SPREAD:.0%} of its median across sizes"
    points = [
        (size.jobs, getattr(case, op).ns_per_job)
        for size in runs
        if (case := _find(size, this_project.NAME, format)) is not None
    ]
    if len(points) < 2:
        return TargetResult(name=name, passed=None, detail="needs two sizes or more")
    median = statistics.median(value for _, value in points)
    deviations = [(jobs, value, value / median - 1) for jobs, value in points]
    detail = f"median {median:.0f} ns/job; " + ", ".join(
        f"{sizes.label(jobs)} {value:.0f} ({deviation:+.0%})"
        for jobs, value, deviation in deviations
    )
    passed = all(abs(deviation) <= PER_JOB_SPREAD for _, _, deviation in deviations)
    return TargetResult(name=name, passed=passed, detail=detail)


def check(runs: list[SizeResult]) -> list[TargetResult]:
    """Every target, in the order they are reported."""
    results = [
        _ratio_check(target, format, runs) for target in RATIO_TARGETS for format in target.formats
    ]
    results += [_per_job_check(format, op, runs) for format in FORMATS for op in OPS]
    return results
