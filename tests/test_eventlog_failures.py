"""The event log when a write fails part-way, or its writer dies in the middle of a poll.

Whatever stops an append, the log is left (or, for a killed writer, reopened) exactly as it was
before that poll: every transition is logged once, none twice, none lost.
"""

from __future__ import annotations

import datetime
import errno
import os
import signal
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from qtoolkit.core.changes import compare_snapshots
from qtoolkit.core.data_objects import QJob
from qtoolkit.eventlog import EventLog, EventLogClosedError, read_event_log
from qtoolkit.io import SlurmState
from qtoolkit.synthetic import generate_snapshot, next_poll

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

AT = datetime.datetime(2026, 12, 1, 2, 0, tzinfo=datetime.timezone.utc)
FIRST: list[QJob[SlurmState]] = generate_snapshot(50, "slurm", seed=3)
SECOND = next_poll(FIRST, changed=0.5, elapsed=60, seed=4)


def by_id(jobs: list[QJob[SlurmState]]) -> dict[str, QJob[SlurmState]]:
    return {job.job_id or "": job for job in jobs}


def record(log: EventLog[SlurmState], snapshot: list[QJob[SlurmState]], minute: int) -> None:
    at = AT + datetime.timedelta(minutes=minute)
    log.record(compare_snapshots(log.jobs, snapshot), jobs=len(snapshot), at=at)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """The log after the first poll, and after the second (written without failures)."""
    path = tmp_path_factory.mktemp("logs") / "events.ndjson"
    with EventLog.open(path, SlurmState, sync=False) as log:
        record(log, FIRST, 0)
        base = path.read_bytes()
        record(log, SECOND, 1)
    return base, path.read_bytes()


def cuts(poll: bytes) -> list[int]:
    """Where a write may stop in ``poll``: at each line's end, inside each line, and elsewhere."""
    ends = [index + 1 for index, byte in enumerate(poll) if byte == ord("\n")]
    offsets = {0, 1, len(poll) - 1, *ends[:-1], *(end + 9 for end in ends[:-1])}
    offsets.update(range(0, len(poll), max(1, len(poll) // 60)))
    return sorted(offsets)


def failing_write(after: int, error: BaseException, *, short: bool) -> Callable[[int, Any], int]:
    """An ``os.write`` that writes ``after`` bytes, then fails.

    ``short``: the first call returns after writing them and the next one fails, as a write cut
    short by a full disk does; otherwise the call that wrote them fails.
    """
    real = os.write
    calls = 0

    def write(descriptor: int, data: Any) -> int:
        nonlocal calls
        calls += 1
        written = real(descriptor, bytes(data)[:after]) if calls == 1 else 0
        if short and calls == 1 and written:
            return written
        raise error

    return write


ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("short", [False, True], ids=["write-fails", "short-write"])
def test_a_write_failing_anywhere_leaves_the_log_as_before_the_poll(
    tmp_path: Path, logs: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch, short: bool
) -> None:
    base, full = logs
    path = tmp_path / "events.ndjson"
    offsets = cuts(full[len(base) :])
    assert len(offsets) > 100
    for after in offsets:
        path.write_bytes(base)
        with EventLog.open(path, SlurmState) as log:
            with monkeypatch.context() as patch:
                patch.setattr(os, "write", failing_write(after, ENOSPC, short=short))
                with pytest.raises(OSError, match="No space left on device"):
                    record(log, SECOND, 1)
            assert path.read_bytes() == base, after
            assert log.jobs == by_id(FIRST), after
            assert not log.closed
            record(log, SECOND, 1)  # the disk has room again: the same poll, once
        assert path.read_bytes() == full, after
        with EventLog.open(path, SlurmState) as log:
            assert log.torn_bytes == 0
            assert log.jobs == by_id(SECOND)


def test_an_interrupted_write_and_a_failed_fsync_are_undone_too(
    tmp_path: Path, logs: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, full = logs
    path = tmp_path / "events.ndjson"
    path.write_bytes(base)
    real_fsync = os.fsync
    fsyncs = 0

    def fsync_failing_once(descriptor: int) -> None:
        nonlocal fsyncs
        fsyncs += 1
        if fsyncs == 1:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(descriptor)

    with EventLog.open(path, SlurmState) as log:
        with monkeypatch.context() as patch:
            patch.setattr(os, "write", failing_write(700, KeyboardInterrupt(), short=False))
            with pytest.raises(KeyboardInterrupt):
                record(log, SECOND, 1)
        assert path.read_bytes() == base
        with monkeypatch.context() as patch:
            patch.setattr(os, "fsync", fsync_failing_once)
            with pytest.raises(OSError, match="Input/output error"):
                record(log, SECOND, 1)  # written whole, but not known to be on disk
        assert fsyncs == 2  # the poll's, then the cut's
        assert path.read_bytes() == base
        record(log, SECOND, 1)
    assert path.read_bytes() == full


def test_a_failed_write_that_cannot_be_undone_closes_the_log(
    tmp_path: Path, logs: tuple[bytes, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, full = logs
    path = tmp_path / "events.ndjson"
    path.write_bytes(base)
    said = r"a write failed \(.*No space left.*\) and cutting its part written off failed too"

    def ftruncate(descriptor: int, length: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    log = EventLog.open(path, SlurmState)
    with monkeypatch.context() as patch:
        patch.setattr(os, "write", failing_write(1000, ENOSPC, short=False))
        patch.setattr(os, "ftruncate", ftruncate)
        with pytest.raises(EventLogClosedError, match=said):
            record(log, SECOND, 1)
    assert log.closed
    assert path.read_bytes() == base + full[len(base) : len(base) + 1000]
    with pytest.raises(EventLogClosedError, match=said):  # never appends after the part
        record(log, SECOND, 1)
    with EventLog.open(path, SlurmState) as reopened:  # the part is a torn last poll
        assert reopened.torn_bytes == 1000
        assert path.read_bytes() == base
        assert reopened.jobs == by_id(FIRST)
        record(reopened, SECOND, 1)
    assert path.read_bytes() == full


KILLED_WRITER = textwrap.dedent(
    """
    import datetime, os, signal, sys
    from qtoolkit.core.changes import compare_snapshots
    from qtoolkit.eventlog import EventLog
    from qtoolkit.io import SlurmState
    from qtoolkit.synthetic import generate_snapshot, next_poll

    first = generate_snapshot(50, "slurm", seed=3)
    second = next_poll(first, changed=0.5, elapsed=60, seed=4)
    after = int(sys.argv[2])
    real = os.write

    def write(descriptor, data):
        real(descriptor, bytes(data)[:after])
        os.kill(os.getpid(), signal.SIGKILL)

    with EventLog.open(sys.argv[1], SlurmState) as log:
        os.write = write
        at = datetime.datetime.fromisoformat(sys.argv[3])
        log.record(compare_snapshots(log.jobs, second), jobs=len(second), at=at)
    """
)


def test_a_writer_killed_in_the_middle_of_a_poll(tmp_path: Path, logs: tuple[bytes, bytes]) -> None:
    """kill -9 while a poll is half written: reopening cuts the half off, then goes on."""
    base, full = logs
    path = tmp_path / "events.ndjson"
    poll = full[len(base) :]
    second_line = poll.index(b"\n") + 1
    for after in (1, second_line, second_line + 30, len(poll) // 2, len(poll) - 1):
        path.write_bytes(base)
        at = (AT + datetime.timedelta(minutes=1)).isoformat()
        killed = subprocess.run(
            [sys.executable, "-c", KILLED_WRITER, str(path), str(after), at], check=False
        )
        assert killed.returncode == -signal.SIGKILL
        assert path.read_bytes() == full[: len(base) + after]
        # Read only: the half poll is left out, not repaired.
        assert list(read_event_log(path, SlurmState)) == list(
            read_event_log(copy_of(tmp_path, base), SlurmState)
        )
        with EventLog.open(path, SlurmState) as log:
            assert log.torn_bytes == after
            assert path.read_bytes() == base
            assert log.jobs == by_id(FIRST)
            record(log, SECOND, 1)
        assert path.read_bytes() == full, after


def copy_of(folder: Path, data: bytes) -> Path:
    path = folder / "copy.ndjson"
    path.write_bytes(data)
    return path


def test_the_reference_logs_are_what_the_tests_think(logs: tuple[bytes, bytes]) -> None:
    """The second poll changes many jobs, so a write can fail at many places in it."""
    base, full = logs
    lines = [msgspec.json.decode(line) for line in full[len(base) :].splitlines()]
    assert lines[0]["type"] == "Polled"
    assert lines[0]["changes"] == len(lines) - 1 >= 20
