"""Rotating an event log: the old log kept whole, the new one starting from a checkpoint."""

from __future__ import annotations

import datetime
import json
import os
from typing import TYPE_CHECKING, Any

import pytest

from qtoolkit.core.changes import JobChange, apply_changes, compare_snapshots
from qtoolkit.core.data_objects import QJob
from qtoolkit.eventlog import (
    Checkpoint,
    EventLog,
    EventLogError,
    EventLogStarted,
    Polled,
    read_event_log,
)
from qtoolkit.io import SlurmState

if TYPE_CHECKING:
    from pathlib import Path

Job = QJob[SlurmState]
AT = datetime.datetime(2026, 12, 1, 3, 0, tzinfo=datetime.timezone.utc)


def job(job_id: str, sub_state: SlurmState) -> Job:
    return Job(job_id=job_id, state=sub_state.qstate, sub_state=sub_state, name=f"job {job_id}")


# Five polls: jobs arrive, run and leave, so that each poll has changes.
POLLS = [
    [job("1", SlurmState.PENDING), job("2", SlurmState.PENDING)],
    [job("1", SlurmState.RUNNING), job("2", SlurmState.PENDING), job("3", SlurmState.PENDING)],
    [job("2", SlurmState.RUNNING), job("3", SlurmState.PENDING)],
    [job("2", SlurmState.COMPLETING), job("3", SlurmState.RUNNING), job("4", SlurmState.PENDING)],
    [job("4", SlurmState.RUNNING)],
]


def record(log: EventLog[SlurmState], number: int) -> None:
    snapshot = POLLS[number]
    log.record(
        compare_snapshots(log.jobs, snapshot),
        jobs=len(snapshot),
        at=AT + datetime.timedelta(minutes=number),
    )


def replayed(*paths: Path) -> dict[str, Job]:
    """The snapshot the records of ``paths``, read in turn, add up to (reading, not EventLog)."""
    jobs: dict[str, Job] = {}
    for path in paths:
        for item in read_event_log(path, SlurmState):
            if isinstance(item, Checkpoint):
                checkpoint: Checkpoint[SlurmState] = item
                jobs = {found.job_id or "": found for found in checkpoint.jobs}
            elif not isinstance(item, (EventLogStarted, Polled)):
                change: JobChange[SlurmState] = item
                apply_changes(jobs, [change])
    return jobs


def test_rotate_keeps_the_log_whole_and_starts_a_new_one_from_the_snapshot(
    tmp_path: Path,
) -> None:
    path = tmp_path / "events.ndjson"
    with EventLog.open(path, SlurmState) as log:
        record(log, 0)
        record(log, 1)
        before = path.read_bytes()
        kept = log.rotate()
        assert kept == str(tmp_path / "events.ndjson.1")
        assert log.kept == [kept]
        assert (tmp_path / "events.ndjson.1").read_bytes() == before
        header, checkpoint = read_event_log(path, SlurmState)
        assert isinstance(header, EventLogStarted)
        assert header.scheduler == "slurm"
        assert checkpoint == Checkpoint(
            at=AT + datetime.timedelta(minutes=1),
            jobs=POLLS[1],
            previous="events.ndjson.1",
        )
        record(log, 2)
        writer_jobs = dict(log.jobs)
    assert writer_jobs == {found.job_id: found for found in POLLS[2]}
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["type"] for line in lines] == [
        "EventLogStarted",
        "Checkpoint",
        "Polled",
        "JobChanged",  # 2 runs
        "JobVanished",  # 1 left
    ]
    with EventLog.open(path, SlurmState) as resumed:
        assert resumed.jobs == writer_jobs
        assert resumed.last_poll == AT + datetime.timedelta(minutes=2)
    # The new log alone, and the whole history read in order, add up to the same snapshot.
    assert replayed(path) == writer_jobs
    assert replayed(tmp_path / "events.ndjson.1", path) == writer_jobs


def test_max_bytes_rotates_after_each_poll_that_passes_it(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    with EventLog.open(path, SlurmState, max_bytes=1) as log:
        for number in range(len(POLLS)):
            record(log, number)
        assert log.kept == [str(tmp_path / f"events.ndjson.{n}") for n in range(1, 6)]
    names = sorted(os.listdir(tmp_path))
    assert names == ["events.ndjson", *(f"events.ndjson.{n}" for n in range(1, 6))]
    # Each kept log continues the one before it, and holds one poll after its checkpoint.
    for n in range(2, 6):
        records = list(read_event_log(tmp_path / f"events.ndjson.{n}", SlurmState))
        assert isinstance(records[1], Checkpoint)
        assert records[1].previous == f"events.ndjson.{n - 1}"
        assert [type(item) for item in records[2:3]] == [Polled]
    history = [tmp_path / f"events.ndjson.{n}" for n in range(1, 6)]
    assert replayed(*history) == {found.job_id: found for found in POLLS[-1]}
    assert replayed(path) == {found.job_id: found for found in POLLS[-1]}


def test_numbering_goes_on_from_the_highest_kept_log(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    (tmp_path / "events.ndjson.7").write_text("an older log\n")
    (tmp_path / "events.ndjson.x").write_text("not a number\n")
    with EventLog.open(path, SlurmState) as log:
        record(log, 0)
        assert log.rotate() == str(tmp_path / "events.ndjson.8")
    assert (tmp_path / "events.ndjson.7").read_text() == "an older log\n"


def test_a_log_below_max_bytes_is_not_rotated(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    with EventLog.open(path, SlurmState, max_bytes=1 << 20) as log:
        for number in range(len(POLLS)):
            record(log, number)
        assert log.kept == []
    assert os.listdir(tmp_path) == ["events.ndjson"]


def test_a_rotation_a_crash_interrupted_is_undone_on_open(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    with EventLog.open(path, SlurmState) as log:
        record(log, 0)
        record(log, 1)
        jobs = dict(log.jobs)
    # The state a crash between the link and the rename leaves: the log also linked under its
    # next number, and the new log half written beside it.
    os.link(path, tmp_path / "events.ndjson.1")
    (tmp_path / ".events.ndjson.rotating").write_text('{"type":"EventLogSta')
    with EventLog.open(path, SlurmState) as log:
        assert log.jobs == jobs
        assert sorted(os.listdir(tmp_path)) == ["events.ndjson"]
        assert log.rotate() == str(tmp_path / "events.ndjson.1")


def test_a_kept_log_is_not_mistaken_for_an_interrupted_rotation(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    with EventLog.open(path, SlurmState) as log:
        record(log, 0)
        log.rotate()
        record(log, 1)
    with EventLog.open(path, SlurmState) as log:
        assert log.jobs == {found.job_id: found for found in POLLS[1]}
    assert sorted(os.listdir(tmp_path)) == ["events.ndjson", "events.ndjson.1"]


def test_a_failed_rotation_leaves_the_poll_recorded_and_the_log_going(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.ndjson"

    def no_links(*_: Any) -> None:
        raise PermissionError(1, "Operation not permitted")

    with EventLog.open(path, SlurmState, max_bytes=1) as log:
        with monkeypatch.context() as patch:
            patch.setattr(os, "link", no_links)
            with pytest.warns(RuntimeWarning, match="could not rotate the log, it goes on growing"):
                record(log, 0)
        assert log.kept == []
        assert sorted(os.listdir(tmp_path)) == ["events.ndjson"]
        assert log.jobs == {found.job_id: found for found in POLLS[0]}
        record(log, 1)  # links work again: this poll rotates
        assert log.kept == [str(tmp_path / "events.ndjson.1")]
    assert replayed(tmp_path / "events.ndjson.1") == {found.job_id: found for found in POLLS[1]}
    assert replayed(path) == {found.job_id: found for found in POLLS[1]}


def test_a_rotation_failing_at_the_rename_leaves_only_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.ndjson"

    def no_renames(*_: Any) -> None:
        raise OSError(5, "Input/output error")

    with EventLog.open(path, SlurmState) as log:
        record(log, 0)
        before = path.read_bytes()
        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", no_renames)
            with pytest.raises(OSError, match="Input/output error"):
                log.rotate()
        assert sorted(os.listdir(tmp_path)) == ["events.ndjson"]
        assert path.read_bytes() == before
        record(log, 1)  # the log goes on where it was
        assert log.rotate() == str(tmp_path / "events.ndjson.1")
    assert replayed(tmp_path / "events.ndjson.1") == {found.job_id: found for found in POLLS[1]}


def test_a_checkpoint_anywhere_but_the_second_line_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    with EventLog.open(path, SlurmState) as log:
        record(log, 0)
        log.rotate()
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + lines[1] + lines[1])
    with pytest.raises(EventLogError, match="line 3 is damaged: a checkpoint after"):
        EventLog.open(path, SlurmState)
    with pytest.raises(EventLogError, match="line 3 is damaged: a checkpoint after"):
        list(read_event_log(path))


@pytest.mark.parametrize("max_bytes", [0, -5])
def test_max_bytes_must_be_positive(tmp_path: Path, max_bytes: int) -> None:
    with pytest.raises(
        ValueError, match=f"max_bytes must be a positive number of bytes, got {max_bytes}"
    ):
        EventLog.open(tmp_path / "events.ndjson", SlurmState, max_bytes=max_bytes)
    assert os.listdir(tmp_path) == []
