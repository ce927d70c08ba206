"""What one poll of a busy SLURM queue costs: parse ``squeue``, compare, encode what changed.

Shared by ``qtk bench`` and the benchmark run (``benchmarks/polling.py``). The queue is a
generated snapshot; the next poll moves 1% of its jobs one step along their life
(:func:`~qtoolkit.synthetic.next_poll`), and ``squeue``'s text of both polls is generated too.
Two cases: only those jobs differ, and, as on a real cluster, the TIME column of every running
job has also grown (runtime then ignored by the comparison). A poll cycle parses the whole text,
or, as :class:`~qtoolkit.poller.Poller` does for SLURM, only the lines unlike the previous poll's
(:class:`~qtoolkit.poller.LineCache`).
"""

from __future__ import annotations

import gc
import importlib
import io
import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qtoolkit.core.changes import compare_snapshots, index_jobs
from qtoolkit.core.ndjson import write_ndjson
from qtoolkit.poller import LineCache
from qtoolkit.synthetic import generate_snapshot, next_poll, squeue_output

if TYPE_CHECKING:
    from collections.abc import Callable

    from qtoolkit.core.data_objects import QJob
    from qtoolkit.io import SlurmState

__all__ = ["CHANGED", "ELAPSED", "PollTiming", "measure_polling", "render_polling", "squeue_parser"]

CHANGED = 0.01
"""The share of jobs that change between the two polls."""

ELAPSED = 30
"""Seconds between the two polls: how much the runtime of a running job grows."""

_IGNORE = ("runtime",)
_PARSED_STEPS = (
    "parse squeue",
    "poll cycle",
    "poll cycle, runtimes grown",
    "poll cycle, line cache",
    "poll cycle, line cache, runtimes grown",
)


@dataclass(frozen=True)
class PollTiming:
    """The median time of one step of a poll, or the reason it was not measured."""

    name: str
    jobs: int
    changes: int
    seconds: float | None
    times: tuple[float, ...] = ()
    note: str = ""


def squeue_parser() -> Callable[[str], list[QJob[SlurmState]]] | None:
    """The package's parser of ``squeue``'s text, or None where it has none yet."""
    try:
        slurm = importlib.import_module("qtoolkit.io.slurm")
    except ImportError:
        return None
    scheduler_io: Any = getattr(slurm, "SlurmIO", None)
    if scheduler_io is None or not hasattr(scheduler_io, "parse_jobs_list_output"):
        return None
    parse = scheduler_io().parse_jobs_list_output

    def parse_squeue(text: str) -> list[QJob[SlurmState]]:
        jobs: list[QJob[SlurmState]] = parse(exit_code=0, stdout=text, stderr="")
        return jobs

    return parse_squeue


def _median(
    action: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None
) -> tuple[float, tuple[float, ...]]:
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        gc.collect()
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
        del result
    return statistics.median(times), tuple(times)


def _encode_changes(changes: Any) -> bytes:
    stream = io.BytesIO()
    write_ndjson(changes.events(), stream)
    return stream.getvalue()


def measure_polling(jobs: int, repeat: int = 5, *, seed: int = 0) -> list[PollTiming]:
    """Time the comparison, the encoding of the changes and, with a parser, whole poll cycles."""
    parse = squeue_parser()
    previous = generate_snapshot(jobs, "slurm", seed=seed)
    if parse is not None:
        previous = parse(squeue_output(previous))  # the jobs as the parser builds them
    before = index_jobs(previous)
    still = next_poll(previous, changed=CHANGED, seed=seed + 1)
    ticking = next_poll(previous, changed=CHANGED, elapsed=ELAPSED, seed=seed + 1)
    changes = compare_snapshots(before, still)
    count = len(changes)
    timings: list[PollTiming] = []

    def add(
        name: str,
        action: Callable[[], object],
        note: str = "",
        setup: Callable[[], object] | None = None,
    ) -> None:
        median, times = _median(action, repeat, setup)
        timings.append(PollTiming(name, jobs, count, median, times, note))

    add("compare", lambda: compare_snapshots(before, still), "index the new poll, then compare")
    add(
        "compare, runtimes grown",
        lambda: compare_snapshots(before, ticking, ignore=_IGNORE),
        "runtime ignored",
    )
    add("encode the changes", lambda: _encode_changes(changes), "NDJSON, one line per change")
    if parse is None:
        reason = "no SLURM parser in this version (SlurmIO.parse_jobs_list_output)"
        for name in _PARSED_STEPS:
            timings.append(PollTiming(name, jobs, count, None, note=f"not run: {reason}"))
        return timings
    still_text, ticking_text = squeue_output(still), squeue_output(ticking)
    add("parse squeue", lambda: parse(still_text), f"{len(still_text) / 1e6:.1f} MB of text")
    add(
        "poll cycle",
        lambda: _encode_changes(compare_snapshots(before, parse(still_text))),
        "parse + compare + encode",
    )
    add(
        "poll cycle, runtimes grown",
        lambda: _encode_changes(compare_snapshots(before, parse(ticking_text), ignore=_IGNORE)),
        "parse + compare + encode",
    )
    # As the Poller does for SLURM: only the lines unlike the previous poll's are parsed.
    # As the Poller does for SLURM: only the lines unlike the previous poll's are parsed, and the
    # previous snapshot holds the jobs the cache gave for the previous poll.
    previous_text = squeue_output(previous)
    cache = LineCache(parse)
    last: dict[str, Any] = {}

    def prime() -> None:
        cache.clear()
        last.update(index_jobs(cache.parse(previous_text)))

    def cycle(text: str, ignore: tuple[str, ...] = ()) -> bytes:
        return _encode_changes(compare_snapshots(last, cache.parse(text), ignore=ignore))

    add(
        "poll cycle, line cache",
        lambda: cycle(still_text),
        "changed lines parsed + compare + encode",
        prime,
    )
    add(
        "poll cycle, line cache, runtimes grown",
        lambda: cycle(ticking_text, _IGNORE),
        "changed lines parsed + compare + encode",
        prime,
    )
    return timings


def render_polling(timings: list[PollTiming]) -> str:
    """A table of the steps of a poll, their medians and the time per job."""
    first = timings[0]
    lines = [
        f"one poll of {first.jobs:,} SLURM jobs, {first.changes:,} changed "
        f"({CHANGED:.0%}; {ELAPSED} s apart)",
        "",
        f"{'step':<38} {'time':>9} {'ns/job':>8}  note",
    ]
    for timing in timings:
        if timing.seconds is None:
            lines.append(f"{timing.name:<38} {'-':>9} {'-':>8}  {timing.note}")
            continue
        per_job = timing.seconds / timing.jobs * 1e9
        lines.append(
            f"{timing.name:<38} {timing.seconds * 1e3:>7.1f}ms {per_job:>8.0f}  {timing.note}"
        )
    return "\n".join(lines)
