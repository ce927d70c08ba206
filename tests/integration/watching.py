"""``qtk watch`` run as a real watcher would be, and its event log read back job by job."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qtoolkit.core.changes import JobAppeared, JobChanged, JobVanished
from qtoolkit.eventlog import Checkpoint, EventLogStarted, read_event_log

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from qtoolkit.core.data_objects import QJob, QState

TIMEOUT = 120.0
# Ctrl-C raises KeyboardInterrupt, as in a terminal, even when the tests run where SIGINT is
# ignored (a background job of a shell, which the watcher would inherit).
_MAIN = (
    "import signal, sys; from qtoolkit.cli import main; "
    "signal.signal(signal.SIGINT, signal.default_int_handler); sys.exit(main(sys.argv[1:]))"
)


@dataclass
class Watcher:
    """``qtk watch --plain --log LOG`` in a subprocess, stopped with Ctrl-C (SIGINT)."""

    scheduler: str
    log: Path
    env: Mapping[str, str] = field(default_factory=dict)
    interval: float = 0.5
    rotate_at: str | None = None
    process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        argv = ["watch", "--scheduler", self.scheduler, "--user", "root", "--plain"]
        argv += ["--interval", str(self.interval), "--log", str(self.log)]
        if self.rotate_at is not None:
            argv += ["--rotate-at", self.rotate_at]
        self.process = subprocess.Popen(
            [sys.executable, "-c", _MAIN, *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **self.env},
        )

    def stop(self) -> tuple[str, str]:
        """Ctrl-C; the watcher's output, once it has exited with 130 and no traceback."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=60)
        assert self.process.returncode == 130, (self.process.returncode, out, err)
        assert "Traceback" not in err, err
        self.process = None
        return out, err

    def kill(self) -> None:
        """Make sure no watcher outlives its test."""
        if self.process is not None:
            self.process.kill()
            self.process.communicate()
            self.process = None


@dataclass(frozen=True)
class Entry:
    """One record of a job in the log."""

    kind: str
    state: QState | None
    sub_state: str | None
    final: QJob[Any] | None = None


def segments(log: Path) -> list[Path]:
    """The logs ``--rotate-at`` kept (``LOG.1``, ``LOG.2``...), oldest first, then ``log``."""
    kept = [path for path in log.parent.glob(f"{log.name}.*") if path.suffix[1:].isdigit()]
    return [*sorted(kept, key=lambda path: int(path.suffix[1:])), log]


def check_segments(log: Path) -> int:
    """Each kept log and ``log`` has one first line, each after the first continues the one
    before it from a checkpoint; how many logs were kept."""
    paths = segments(log)
    for number, path in enumerate(paths):
        records = list(read_event_log(path))
        assert sum(isinstance(record, EventLogStarted) for record in records) == 1, path
        if number:
            checkpoint = records[1]
            assert isinstance(checkpoint, Checkpoint), (path, records[:2])
            assert checkpoint.previous == paths[number - 1].name, (path, checkpoint.previous)
    return len(paths) - 1


def history(log: Path, states: Any, job_ids: list[str]) -> dict[str, list[Entry]]:
    """Each job's records, in the order the log (and the logs it was rotated from) hold them."""
    entries: dict[str, list[Entry]] = {job_id: [] for job_id in job_ids}
    records = itertools.chain.from_iterable(
        read_event_log(path, states) for path in segments(log) if path.exists()
    )
    for record in records:
        if isinstance(record, (JobAppeared, JobChanged, JobVanished)) and (
            record.job_id in entries
        ):
            job = record.job
            sub_state = job.sub_state.value if job.sub_state is not None else None
            final = record.final if isinstance(record, JobVanished) else None
            entries[record.job_id].append(Entry(type(record).__name__, job.state, sub_state, final))
    return entries


def wait_for_log(
    log: Path,
    states: Any,
    job_ids: list[str],
    done: Callable[[list[Entry]], bool],
    what: str,
    watcher: Watcher,
) -> dict[str, list[Entry]]:
    """Read the log until ``done`` holds for every job's history."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        jobs = history(log, states, job_ids) if log.exists() else {}
        if jobs and all(done(entries) for entries in jobs.values()):
            return jobs
        process = watcher.process
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the watcher exited early ({process.returncode}): {err}{out}")
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {TIMEOUT:g} s for {what}: {jobs}")
        time.sleep(0.5)


def seen_in(state: QState) -> Callable[[list[Entry]], bool]:
    """Whether a job's history holds ``state``."""
    return lambda entries: any(entry.state is state for entry in entries)


def ended(entries: list[Entry]) -> bool:
    return bool(entries) and entries[-1].kind == "JobVanished"


def check_history(entries: list[Entry], first: QState) -> Entry:
    """Logged once each, in order: appeared first, vanished last, no state twice in a row."""
    kinds = [entry.kind for entry in entries]
    assert kinds[0] == "JobAppeared", entries
    assert kinds.count("JobAppeared") == 1, entries
    assert kinds[-1] == "JobVanished", entries
    assert kinds.count("JobVanished") == 1, entries
    assert entries[0].state is first, entries
    steps = [(entry.state, entry.sub_state) for entry in entries[:-1]]
    assert all(a != b for a, b in itertools.pairwise(steps)), entries
    return entries[-1]


def headers(log: Path) -> int:
    return sum(isinstance(record, EventLogStarted) for record in read_event_log(log))
