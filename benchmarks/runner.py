"""One run: every size's snapshot generated once, then every peer measured on it."""

from __future__ import annotations

import datetime
import functools
import gc
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks import environment, peers, polling, targets
from benchmarks.peers import this_project, upstream
from benchmarks.results import CaseResult, OpResult, RunResult, SizeResult
from benchmarks.timing import time_call, traced_call
from qtoolkit.synthetic import generate_snapshot

if TYPE_CHECKING:
    from benchmarks.peers.base import Case, Snapshot

__all__ = ["Config", "Repeats", "RoundTripError", "measure_size", "repeats_for", "run_all"]


@dataclass(frozen=True)
class Repeats:
    """Timed calls per operation: ``fast`` for most, ``slow`` for the slow peers' slow calls."""

    fast: int
    slow: int


@dataclass(frozen=True)
class Config:
    """What to measure."""

    sizes: tuple[int, ...]
    seed: int = 0
    upstream_python: str | None = None
    repeats: int | None = None
    """Timed calls per operation for every peer and size, instead of :func:`repeats_for`'s."""
    memory: bool = True
    poll_jobs: int | None = 100_000
    """Jobs in the queue whose poll is timed; None skips that part."""


class RoundTripError(RuntimeError):
    """A peer decoded its own encoding into something other than the objects it encoded."""


def repeats_for(jobs: int) -> Repeats:
    """Repeats that keep a full run (1k to 1M jobs) near ten minutes on two cores."""
    if jobs <= 1_000:
        return Repeats(fast=50, slow=15)
    if jobs <= 10_000:
        return Repeats(fast=25, slow=7)
    if jobs <= 100_000:
        return Repeats(fast=9, slow=3)
    return Repeats(fast=5, slow=2)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _op(times: list[float], jobs: int) -> OpResult:
    median = statistics.median(times)
    return OpResult(times_s=times, median_s=median, ns_per_job=median / jobs * 1e9)


def measure_group(
    cases: list[Case], jobs: int, repeats: Repeats, *, memory: bool
) -> list[CaseResult]:
    """Measure cases in alternation: round ``r`` times one call of each kind of every case."""
    inputs: list[bytes] = []
    peaks: list[tuple[int | None, int | None]] = []
    for case in cases:
        data = case.encode()
        decode = functools.partial(case.decode, data)
        if memory:
            decoded, peak, retained = traced_call(decode)
            peaks.append((peak, retained))
        else:
            decoded = decode()
            peaks.append((None, None))
        if not case.same(decoded):
            msg = f"{case.peer} ({case.format}) decoded its own encoding into different objects"
            raise RoundTripError(msg)
        del decoded
        inputs.append(data)
    encode_times: list[list[float]] = [[] for _ in cases]
    decode_times: list[list[float]] = [[] for _ in cases]
    for round_ in range(max(repeats.fast, repeats.slow)):
        for case, data, encoded, decoded_ in zip(
            cases, inputs, encode_times, decode_times, strict=True
        ):
            if round_ < (repeats.slow if case.slow_encode else repeats.fast):
                encoded.append(time_call(case.encode))
            if round_ < (repeats.slow if case.slow_decode else repeats.fast):
                decoded_.append(time_call(functools.partial(case.decode, data)))
    results = []
    for case, data, encoded, decoded_, (peak_bytes, retained_bytes) in zip(
        cases, inputs, encode_times, decode_times, peaks, strict=True
    ):
        result = CaseResult(
            peer=case.peer,
            format=case.format,
            jobs=jobs,
            wire_bytes=len(data),
            encode=_op(encoded, jobs),
            decode=_op(decoded_, jobs),
            decode_peak_bytes=peak_bytes,
            decode_retained_bytes=retained_bytes,
        )
        _say(
            f"  {case.peer:<22} {case.format:<8} encode {result.encode.ns_per_job:9.0f} ns/job"
            f"  decode {result.decode.ns_per_job:9.0f} ns/job"
        )
        results.append(result)
    return results


def _in_process(
    jobs: Snapshot, config: Config, repeats: Repeats
) -> tuple[list[CaseResult], dict[str, str]]:
    results: list[CaseResult] = []
    not_run: dict[str, str] = {}
    for group in peers.GROUPS:
        cases: list[Case] = []
        for module in group:
            try:
                builder = peers.load(module)
            except ImportError as exc:
                not_run[module] = str(exc)
                _say(f"  {module}: NOT RUN ({exc})")
                continue
            cases += builder(jobs)
        results += measure_group(cases, len(jobs), repeats, memory=config.memory)
        del cases
        gc.collect()
    return results, not_run


def _upstream(
    jobs: Snapshot, config: Config, repeats: Repeats
) -> tuple[CaseResult | None, str | None, dict[str, str]]:
    """Upstream's case, its library versions, and the reason it was not run (or None)."""
    if config.upstream_python is None:
        return None, "no --upstream-python given", {}
    with tempfile.TemporaryDirectory(prefix="qtoolkit-bench-") as workdir:
        try:
            case, measured = upstream.run(
                config.upstream_python, jobs, Path(workdir), repeats.slow, memory=config.memory
            )
        except upstream.UpstreamError as exc:
            return None, str(exc), {}
    _say(
        f"  {upstream.NAME:<22} {'json':<8} encode {case.encode.ns_per_job:9.0f} ns/job"
        f"  decode {case.decode.ns_per_job:9.0f} ns/job"
    )
    versions = {
        "upstream qtoolkit": measured.qtoolkit,
        "upstream monty": measured.monty,
        "upstream python": measured.python,
    }
    return case, None, versions


def _set_ratios(results: list[CaseResult]) -> None:
    """Each case's times over this project's in the same format."""
    ours = {case.format: case for case in results if case.peer == this_project.NAME}
    for case in results:
        base = ours.get(case.format)
        if base is not None:
            case.encode.ratio = case.encode.median_s / base.encode.median_s
            case.decode.ratio = case.decode.median_s / base.decode.median_s


def measure_size(size: int, config: Config, versions: dict[str, str | None]) -> SizeResult:
    """Generate the snapshot of ``size`` jobs once and measure every peer on it."""
    started = time.perf_counter()
    repeats = repeats_for(size)
    if config.repeats is not None:
        repeats = Repeats(fast=config.repeats, slow=config.repeats)
    _say(f"{size:,} jobs: generating the snapshot (seed {config.seed})")
    jobs = generate_snapshot(size, "slurm", seed=config.seed)
    results, not_run = _in_process(jobs, config, repeats)
    case, reason, upstream_versions = _upstream(jobs, config, repeats)
    if case is not None:
        results.append(case)
        versions.update(upstream_versions)
    if reason is not None:
        not_run[upstream.NAME] = reason
        _say(f"  UPSTREAM: NOT RUN ({reason})")
    _set_ratios(results)
    del jobs
    gc.collect()
    elapsed = time.perf_counter() - started
    _say(f"  ({elapsed:.0f} s)")
    return SizeResult(
        jobs=size,
        elapsed_s=elapsed,
        repeats_fast=repeats.fast,
        repeats_slow=repeats.slow,
        cases=results,
        not_run=not_run,
    )


def run_all(config: Config, argv: list[str]) -> RunResult:
    """Measure every size in turn and check the targets on the whole run."""
    started = time.perf_counter()
    started_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    machine = environment.machine()
    machine["load_before"] = environment.load_average()
    versions = environment.versions()
    runs = [measure_size(size, config, versions) for size in config.sizes]
    steps = []
    if config.poll_jobs is not None:
        repeats = config.repeats or repeats_for(config.poll_jobs).fast
        with tempfile.TemporaryDirectory(prefix="qtoolkit-bench-") as workdir:
            steps = polling.measure(
                config.poll_jobs, repeats, config.upstream_python, Path(workdir), seed=config.seed
            )
    machine["load_after"] = environment.load_average()
    reasons = sorted(
        {size.not_run[upstream.NAME] for size in runs if upstream.NAME in size.not_run}
    )
    return RunResult(
        started_at=started_at,
        total_s=time.perf_counter() - started,
        argv=argv,
        seed=config.seed,
        machine=machine,
        versions=versions,
        upstream=f"not run: {'; '.join(reasons)}" if reasons else "run",
        sizes=runs,
        targets=targets.check(runs) + polling.check(steps),
        polling=steps,
    )
