"""The event log: what it writes, how it resumes, and how it survives a writer's crash."""

from __future__ import annotations

import datetime
import itertools
import json
import signal
import subprocess
import sys
import textwrap
import time
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from qtoolkit.core.changes import JobAppeared, JobChanged, JobVanished, compare_snapshots
from qtoolkit.core.data_objects import QJob, QState, QSubState
from qtoolkit.eventlog import EventLog, EventLogError, EventLogStarted, Polled, read_event_log
from qtoolkit.io import SGEState, ShellState, SlurmState

if TYPE_CHECKING:
    from pathlib import Path

Job = QJob[SlurmState]
NOT_A_SCHEDULER: Any = QSubState
AT = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.timezone.utc)


def job(job_id: str, sub_state: SlurmState, runtime: int | None = None) -> Job:
    return Job(job_id=job_id, state=sub_state.qstate, sub_state=sub_state, runtime=runtime)


# Three polls of a small queue: 1 and 2 wait, then 1 runs and 3 arrives, then 1 is gone.
POLLS = [
    [job("1", SlurmState.PENDING), job("2", SlurmState.PENDING)],
    [job("1", SlurmState.RUNNING, 5), job("2", SlurmState.PENDING), job("3", SlurmState.PENDING)],
    [job("2", SlurmState.RUNNING, 1), job("3", SlurmState.PENDING)],
]


def by_id(jobs: list[Job]) -> dict[str, Job]:
    return {job.job_id or "": job for job in jobs}


def write_polls(path: Path, polls: list[list[Job]] = POLLS) -> list[int]:
    """Record ``polls``; return the log's size after each one."""
    sizes = []
    with EventLog.open(path, SlurmState) as log:
        for number, snapshot in enumerate(polls):
            log.record(
                compare_snapshots(log.jobs, snapshot),
                jobs=len(snapshot),
                at=AT + datetime.timedelta(minutes=number),
            )
            sizes.append(path.stat().st_size)
    return sizes


def test_a_new_log_names_its_scheduler_then_records_each_poll(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    write_polls(path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["type"] == "EventLogStarted"
    assert lines[0]["scheduler"] == "slurm"
    assert [line["type"] for line in lines[1:]] == [
        "Polled",
        "JobAppeared",
        "JobAppeared",
        "Polled",
        "JobAppeared",
        "JobChanged",
        "Polled",
        "JobChanged",
        "JobVanished",
    ]
    assert lines[4] == {
        "type": "Polled",
        "at": "2026-11-30T12:01:00Z",
        "jobs": 3,
        "changes": 2,
    }
    records = list(read_event_log(path, SlurmState))
    assert isinstance(records[0], EventLogStarted)
    assert records[4] == Polled(AT + datetime.timedelta(minutes=1), jobs=3, changes=2)
    assert records[-1] == JobVanished(job("1", SlurmState.RUNNING, 5))
    assert records[-2] == JobChanged(
        job("2", SlurmState.RUNNING, 1),
        ("state", "sub_state", "runtime"),
        previous_state=QState.QUEUED,
        previous_sub_state=SlurmState.PENDING,
    )


def test_reopening_resumes_from_the_last_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    write_polls(path)
    size = path.stat().st_size
    with EventLog.open(path, SlurmState) as log:
        assert log.jobs == by_id(POLLS[-1])
        assert log.last_poll == AT + datetime.timedelta(minutes=2)
        assert log.torn_bytes == 0
        # The same queue seen again after a restart: nothing is logged twice.
        log.record(compare_snapshots(log.jobs, POLLS[-1]), jobs=2)
    assert path.stat().st_size == size
    with EventLog.open(path, SlurmState) as log:
        log.record(compare_snapshots(log.jobs, []), jobs=0)
        assert log.jobs == {}
    assert [type(record) for record in read_event_log(path)][-3:] == [
        Polled,
        JobVanished,
        JobVanished,
    ]


def test_a_torn_last_line_is_cut_off_on_opening_and_skipped_on_reading(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    write_polls(path, POLLS[:2])
    complete = path.read_bytes()
    torn = b'{"type":"JobVanished","job":{"job_id":"1","sta'
    path.write_bytes(complete + torn)
    assert len(list(read_event_log(path))) == 7
    assert path.read_bytes() == complete + torn  # reading never repairs
    with EventLog.open(path, SlurmState) as log:
        assert log.torn_bytes == len(torn)
        assert log.jobs == by_id(POLLS[1])
        assert path.read_bytes() == complete
        log.record(compare_snapshots(log.jobs, POLLS[2]), jobs=2, at=AT)
    assert path.read_bytes().startswith(complete)
    assert [type(record) for record in read_event_log(path)][-3:] == [
        Polled,
        JobChanged,
        JobVanished,
    ]


def test_every_cut_of_the_log_resumes_to_a_consistent_queue(tmp_path: Path) -> None:
    """A crash may stop a write at any byte: each cut resumes, and finishes, like no crash."""
    full = tmp_path / "full.ndjson"
    sizes = write_polls(full)
    data = full.read_bytes()
    header = data.index(b"\n") + 1
    cut = tmp_path / "cut.ndjson"
    for end in range(len(data) + 1):
        cut.write_bytes(data[:end])
        whole = [number for number, size in enumerate(sizes) if size <= end]
        with EventLog.open(cut, SlurmState) as log:
            # Only whole polls are kept: a poll the cut went through is gone entirely.
            if end >= header:
                kept = sizes[whole[-1]] if whole else header
                assert cut.read_bytes() == data[:kept], end
                assert log.torn_bytes == end - kept, end
            assert log.jobs == (by_id(POLLS[whole[-1]]) if whole else {}), end
            log.record(compare_snapshots(log.jobs, POLLS[-1]), jobs=2, at=AT)
            assert log.jobs == by_id(POLLS[-1])
        with EventLog.open(cut, SlurmState) as log:
            assert log.jobs == by_id(POLLS[-1]), end
        # Each job's transitions are logged once each, in order, none lost to the cut.
        states: dict[str, list[str]] = {}
        for record in read_event_log(cut, SlurmState):
            if isinstance(record, (JobAppeared, JobChanged)):
                sub_state = record.job.sub_state
                states.setdefault(record.job_id, []).append(sub_state.name if sub_state else "")
            elif isinstance(record, JobVanished):
                states.setdefault(record.job_id, []).append("gone")
        for job_id, sequence in states.items():
            assert all(a != b for a, b in itertools.pairwise(sequence)), (end, job_id, sequence)
        assert states.get("1", ["gone"])[-1] == "gone", end  # unseen if no poll was kept
        assert states["2"][-1] == "RUNNING", end


def test_a_log_of_another_scheduler_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    write_polls(path)
    with pytest.raises(EventLogError, match="the log holds slurm jobs, not sge jobs"):
        EventLog.open(path, SGEState)
    with pytest.raises(ValueError, match="not the sub-state class of a scheduler"):
        EventLog.open(path, NOT_A_SCHEDULER)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello\n", "line 1 is not an event log's first line"),
        (
            b'{"type":"EventLogStarted","scheduler":"lsf","at":"2026-11-30T12:00:00Z"}\n',
            "line 1 names an unknown scheduler 'lsf'",
        ),
        (
            b'{"type":"EventLogStarted","scheduler":"slurm","at":"2026-11-30T12:00:00Z",'
            b'"version":9}\n',
            "log format version 9, this package reads 1",
        ),
    ],
)
def test_a_file_that_is_not_a_log_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "events.ndjson"
    path.write_bytes(content)
    with pytest.raises(EventLogError, match=message):
        EventLog.open(path, SlurmState)
    assert path.read_bytes() == content


def test_a_damaged_complete_line_is_an_error_not_skipped(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    write_polls(path)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[3] = b'{"type":"JobAppeared","job":{"job_id":7}}\n'
    path.write_bytes(b"".join(lines))
    with pytest.raises(EventLogError, match=r"line 4 is damaged: Expected `str \| null`"):
        EventLog.open(path, SlurmState)
    with pytest.raises(EventLogError, match="line 4 is damaged"):
        list(read_event_log(path))


# The lines of write_polls' log: 1 header; 2 Polled(2), 3-4 JobAppeared; 5 Polled(2), 6 JobAppeared,
# 7 JobChanged; 8 Polled(2), 9 JobChanged, 10 JobVanished.
@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({6: b""}, "line 5 is damaged: it counts 2 changes but 1 follow it"),
        ({5: b""}, "line 5 is damaged: a change that no poll line counts"),
        ({3: b"", 4: b""}, "line 2 is damaged: it counts 2 changes but 0 follow it"),
        ({4: None}, "line 5 is damaged: a change that no poll line counts"),  # 4 twice
        ({1: None}, "line 2 is damaged: a first line in the middle of the log"),
        (
            {2: b'{"type":"Polled","at":"2026-11-30T12:00:00Z","jobs":2,"changes":0}\n'},
            "line 2 is damaged: a poll of 0 changes",
        ),
    ],
)
def test_a_poll_short_of_its_count_before_the_last_is_damage(
    tmp_path: Path, edit: dict[int, bytes | None], message: str
) -> None:
    """What a crash cannot do: a poll that does not add up, followed by more of the log."""
    path = tmp_path / "events.ndjson"
    write_polls(path)
    lines = path.read_bytes().splitlines(keepends=True)
    for number, line in edit.items():  # None: the line twice
        lines[number - 1] = lines[number - 1] * 2 if line is None else line
    path.write_bytes(b"".join(lines))
    damaged = path.read_bytes()
    with pytest.raises(EventLogError, match=message):
        EventLog.open(path, SlurmState)
    with pytest.raises(EventLogError, match=message):
        list(read_event_log(path))
    assert path.read_bytes() == damaged


def test_a_last_poll_short_of_its_count_is_torn(tmp_path: Path) -> None:
    """A crash between two lines of the last poll: only read, it is left out; opened, cut."""
    path = tmp_path / "events.ndjson"
    sizes = write_polls(path)
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"\n", 0, -1) + 1])  # without the last line
    assert [type(record) for record in read_event_log(path)][-3:] == [
        Polled,
        JobAppeared,
        JobChanged,
    ]
    with EventLog.open(path, SlurmState) as log:
        assert log.torn_bytes == sizes[2] - sizes[1] - len(data.splitlines(keepends=True)[-1])
        assert path.read_bytes() == data[: sizes[1]]
        assert log.jobs == by_id(POLLS[1])
        assert log.last_poll == AT + datetime.timedelta(minutes=1)


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    with (
        EventLog.open(path, SlurmState, sync=False) as first,
        pytest.raises(EventLogError, match="another process is writing this log"),
    ):
        EventLog.open(path, SlurmState)
    assert first.closed
    with pytest.raises(EventLogError, match="the log is closed"):
        first.record(compare_snapshots([], POLLS[0]), jobs=2)
    first.close()  # twice is harmless
    with EventLog.open(path, SlurmState) as again:
        assert again.jobs == {}
        assert repr(again) == f"EventLog({str(path)!r}, 0 jobs)"


def test_an_empty_or_torn_first_line_starts_a_new_log(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_bytes(b'{"type":"EventLogSta')
    assert list(read_event_log(path)) == []
    with EventLog.open(path, ShellState) as log:
        assert log.torn_bytes == 20
    (header,) = read_event_log(path, ShellState)
    assert isinstance(header, EventLogStarted)
    assert header.scheduler == "shell"


WRITER = textwrap.dedent(
    """
    import sys
    import msgspec
    from qtoolkit.core.changes import compare_snapshots
    from qtoolkit.eventlog import EventLog
    from qtoolkit.io import SlurmState
    from qtoolkit.synthetic import generate_snapshot

    jobs = generate_snapshot(int(sys.argv[2]), "slurm")
    with EventLog.open(sys.argv[1], SlurmState, sync=False) as log:
        poll = len(log.jobs) and max(job.runtime for job in log.jobs.values()) + 1
        while True:
            snapshot = [msgspec.structs.replace(job, runtime=poll) for job in jobs]
            log.record(compare_snapshots(log.jobs, snapshot), jobs=len(snapshot))
            print(poll, flush=True)
            poll += 1
    """
)


def test_a_writer_killed_at_any_moment_leaves_a_log_that_resumes(tmp_path: Path) -> None:
    """kill -9 of a writer in the middle of its polls (each rewrites every job)."""
    path = tmp_path / "events.ndjson"
    jobs = 10_000
    for delay in (0.05, 0.4, 0.9):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(jobs)], stdout=subprocess.PIPE
        )
        assert writer.stdout is not None
        writer.stdout.readline()  # one poll is down: the kill lands in a later one
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        writer.stdout.close()
        with EventLog.open(path, SlurmState, sync=False) as log:
            assert path.read_bytes().endswith(b"\n")
            assert len(log.jobs) == jobs
            # All at the last whole poll: none of the records of the poll killed is kept.
            assert len({seen.runtime for seen in log.jobs.values()}) == 1
    decoded = [msgspec.json.decode(line) for line in path.read_bytes().splitlines()]
    assert decoded[0]["type"] == "EventLogStarted"
    assert sum(line["type"] == "EventLogStarted" for line in decoded) == 1


def test_writing_a_log_without_posix_locks_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.ndjson"
    write_polls(path)
    monkeypatch.setitem(sys.modules, "fcntl", None)  # as on a platform without it
    with pytest.raises(EventLogError, match=r"writing an event log needs POSIX file locks"):
        EventLog.open(path, SlurmState)
    assert len(list(read_event_log(path, SlurmState))) == 10  # reading needs no lock
