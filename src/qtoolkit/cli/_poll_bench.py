"""What one poll of a busy SLURM queue costs: parse ``squeue``, compare, encode what changed.

Shared by ``qtk bench`` and the benchmark run (``benchmarks/polling.py``). The queue is a
generated snapshot; the next poll moves 1% of its jobs one step along their life
(:func:`~qtoolkit.synthetic.next_poll`), and ``squeue``'s text of both polls is generated too.
Two cases: only those jobs differ, and, as on a real cluster, the TIME column of every running
job has also grown (runtime then ignored by the comparison). A poll cycle parses the whole text,
or is the :class:`~qtoolkit.poller.Poller`'s own poll, which for SLURM parses and compares only
the lines unlike the previous poll's (:class:`~qtoolkit.poller.LineCache`).
"""

from __future__ import annotations

import gc
import io
import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qtoolkit.core.changes import compare_snapshots, index_jobs
from qtoolkit.core.ndjson import write_ndjson
from qtoolkit.host.base import BaseHost
from qtoolkit.io.slurm import SlurmIO
from qtoolkit.manager import QueueManager
from qtoolkit.poller import Poller
from qtoolkit.synthetic import generate_snapshot, next_poll, squeue_output

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from qtoolkit.core.data_objects import QJob
    from qtoolkit.io import SlurmState

__all__ = [
    "CHANGED",
    "ELAPSED",
    "POLLER_CYCLE",
    "PollTiming",
    "measure_polling",
    "render_polling",
    "squeue_parser",
]

CHANGED = 0.01
"""The share of jobs that change between the two polls."""

ELAPSED = 30
"""Seconds between the two polls: how much the runtime of a running job grows."""

_IGNORE = ("runtime",)
POLLER_CYCLE = "poll cycle, Poller"
"""The name of the step timing a whole poll as :class:`~qtoolkit.poller.Poller` runs it."""


@dataclass(frozen=True)
class PollTiming:
    """The median time of one step of a poll, and every time measured."""

    name: str
    jobs: int
    changes: int
    seconds: float
    times: tuple[float, ...] = ()
    note: str = ""


def squeue_parser() -> Callable[[str], list[QJob[SlurmState]]]:
    """The package's parser of ``squeue``'s text: ``SlurmIO.parse_jobs_list_output``."""
    slurm = SlurmIO()

    def parse_squeue(text: str) -> list[QJob[SlurmState]]:
        return slurm.parse_jobs_list_output(exit_code=0, stdout=text, stderr="")

    return parse_squeue


class _Listing(BaseHost):
    """A host whose every command prints :attr:`text`: squeue's listing, without a cluster."""

    text = ""

    def execute(
        self, command: str | list[str], workdir: str | Path | None = None
    ) -> tuple[str, str, int]:
        return self.text, "", 0

    def mkdir(self, directory: str | Path, recursive: bool = True, exist_ok: bool = True) -> bool:
        raise NotImplementedError

    def write_text_file(self, filepath: str | Path, content: str) -> None:
        raise NotImplementedError


def _median(
    action: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None
) -> tuple[float, tuple[float, ...]]:
    times: list[float] = []
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
    """Time the comparison, the encoding of the changes, the parse and whole poll cycles."""
    parse = squeue_parser()
    # The jobs as the parser builds them from squeue's text.
    previous = parse(squeue_output(generate_snapshot(jobs, "slurm", seed=seed)))
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
    # The Poller's own poll: only the lines unlike the previous poll's are parsed and compared.
    host = _Listing()
    manager = QueueManager(SlurmIO(), host=host)
    manager.accounting = None
    pollers: list[Poller[SlurmState]] = []

    def ready(text: str, ignore: tuple[str, ...]) -> Callable[[], None]:
        def setup() -> None:
            pollers.clear()
            host.text = squeue_output(previous)
            pollers.append(Poller(manager, ignore=ignore))
            pollers[0].poll()  # the previous poll, outside the clock
            host.text = text

        return setup

    add(
        POLLER_CYCLE,
        lambda: _encode_changes(pollers[0].poll()),
        "Poller.poll (changed lines parsed, compared) + encode",
        ready(still_text, ()),
    )
    add(
        f"{POLLER_CYCLE}, runtimes grown",
        lambda: _encode_changes(pollers[0].poll()),
        "Poller.poll (changed lines parsed, compared) + encode",
        ready(ticking_text, _IGNORE),
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
        per_job = timing.seconds / timing.jobs * 1e9
        lines.append(
            f"{timing.name:<38} {timing.seconds * 1e3:>7.1f}ms {per_job:>8.0f}  {timing.note}"
        )
    return "\n".join(lines)
