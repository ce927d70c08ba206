"""One poll of a busy SLURM queue, this project beside upstream qtoolkit 0.1.7.

This project: parse ``squeue``'s text, compare with the last poll, encode the 1% that changed
(:mod:`qtoolkit.cli._poll_bench`, which ``qtk bench`` also runs). Upstream has no comparison: a
poller built on it parses the text and stores the whole snapshot as MSON, timed by
``upstream_peer.py --squeue`` in upstream's own venv on the same text.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import msgspec

from benchmarks import sizes
from benchmarks.peers.upstream import SCRIPT
from benchmarks.results import PollingStep, TargetResult
from qtoolkit.cli._poll_bench import measure_polling
from qtoolkit.synthetic import generate_snapshot, squeue_output

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "COMPARE_BOUND_S",
    "CYCLE_BOUND_S",
    "UPSTREAM_STEP",
    "check",
    "measure",
]

CYCLE_BOUND_S = 0.150
"""A whole poll cycle of 100,000 jobs (1% changed), as the Poller runs it, takes at most this."""

CYCLE = "poll cycle, Poller"
WHOLE_CYCLE = "poll cycle"

COMPARE_BOUND_S = 0.050
"""The comparison of 100,000 jobs (1% changed) takes at most this long."""

TARGET_JOBS = 100_000
UPSTREAM_STEP = "upstream: parse + MSON of the snapshot"
OURS = "this project"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(
    jobs: int, repeats: int, upstream_python: str | None, workdir: Path, *, seed: int = 0
) -> list[PollingStep]:
    """Every step of one poll of ``jobs`` jobs, then upstream's poll when it can run."""
    _say(f"one poll of {jobs:,} SLURM jobs")
    steps = [
        PollingStep(
            name=timing.name,
            peer=OURS,
            jobs=timing.jobs,
            changes=timing.changes,
            median_s=timing.seconds,
            times_s=list(timing.times),
            note=timing.note,
        )
        for timing in measure_polling(jobs, repeats, seed=seed)
    ]
    for step in steps:
        shown = "-" if step.median_s is None else f"{step.median_s * 1e3:.1f} ms"
        _say(f"  {step.name:<28} {shown}")
    steps.append(_upstream(jobs, repeats, upstream_python, workdir, seed=seed))
    return steps


def _upstream(
    jobs: int, repeats: int, python: str | None, workdir: Path, *, seed: int
) -> PollingStep:
    step = PollingStep(name=UPSTREAM_STEP, peer="upstream MSON", jobs=jobs, changes=jobs)
    if python is None:
        step.note = "not run: no --upstream-python given"
        return step
    text = workdir / f"squeue-{jobs}.txt"
    text.write_text(squeue_output(generate_snapshot(jobs, "slurm", seed=seed)), encoding="utf-8")
    command = [python, str(SCRIPT), "--squeue", str(text), "--repeats", str(repeats)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        step.note = f"not run: cannot start {python}: {exc}"
        return step
    finally:
        text.unlink()
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no message"])[-1]
        step.note = f"not run: {python} exited with {done.returncode}: {detail}"
        return step
    try:
        times = msgspec.json.decode(done.stdout.strip().splitlines()[-1], type=list[float])
    except (IndexError, msgspec.DecodeError) as exc:
        step.note = f"not run: unreadable output from upstream_peer.py: {exc}"
        return step
    step.times_s = times
    step.median_s = sorted(times)[len(times) // 2]
    step.note = "squeue text parsed by upstream's SlurmIO, every job written as MSON"
    _say(f"  {step.name:<28} {step.median_s * 1e3:.1f} ms")
    return step


def _find(steps: list[PollingStep], name: str) -> PollingStep | None:
    return next((step for step in steps if step.name == name), None)


def _bound_check(steps: list[PollingStep], name: str, bound: float) -> TargetResult:
    title = f"one poll: {name} of {sizes.label(TARGET_JOBS)} jobs <= {bound * 1e3:.0f} ms"
    step = _find(steps, name)
    if step is None or step.median_s is None or step.jobs != TARGET_JOBS:
        reason = step.note if step is not None and step.note else "not measured"
        if step is not None and step.jobs != TARGET_JOBS:
            reason = f"measured at {step.jobs:,} jobs, not {TARGET_JOBS:,}"
        return TargetResult(name=title, passed=None, detail=reason)
    detail = f"{step.median_s * 1e3:.1f} ms"
    whole = _find(steps, WHOLE_CYCLE)
    if name == CYCLE and whole is not None and whole.median_s is not None:
        detail += f"; parsing the whole text {whole.median_s * 1e3:.0f} ms"
    upstream = _find(steps, UPSTREAM_STEP)
    if name == CYCLE and upstream is not None and upstream.median_s is not None:
        detail += f"; upstream's parse + MSON {upstream.median_s * 1e3:.0f} ms"
        detail += f" ({upstream.median_s / step.median_s:.0f}x)"
    return TargetResult(name=title, passed=step.median_s <= bound, detail=detail)


def check(steps: list[PollingStep]) -> list[TargetResult]:
    """The two absolute targets of a poll, at 100,000 jobs."""
    if not steps:
        return []
    return [
        _bound_check(steps, "compare", COMPARE_BOUND_S),
        _bound_check(steps, CYCLE, CYCLE_BOUND_S),
    ]


def table(steps: list[PollingStep]) -> str:
    """The Markdown table of a poll's steps."""
    first = steps[0]
    lines = [
        f"### One poll of {first.jobs:,} SLURM jobs ({steps[0].changes:,} changed)",
        "",
        "| step | peer | ms | ns/job | repeats | note |",
        "|---|---|--:|--:|--:|---|",
    ]
    for step in steps:
        if step.median_s is None:
            lines.append(f"| {step.name} | {step.peer} | - | - | 0 | {step.note} |")
            continue
        lines.append(
            f"| {step.name} | {step.peer} | {step.median_s * 1e3:.1f} "
            f"| {step.median_s / step.jobs * 1e9:.0f} | {len(step.times_s)} | {step.note} |"
        )
    return "\n".join(lines)
