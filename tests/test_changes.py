"""Comparing two snapshots: what appeared, changed and vanished, and how the records encode."""

from __future__ import annotations

import io
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qtk_strategies import TEXT, jobs, schedulers
from qtoolkit.core import mson
from qtoolkit.core.changes import (
    JobAppeared,
    JobChange,
    JobChanged,
    JobVanished,
    SnapshotChanges,
    apply_changes,
    compare_snapshots,
    index_jobs,
)
from qtoolkit.core.codecs import decode, encode
from qtoolkit.core.data_objects import QJob, QJobInfo, QState
from qtoolkit.core.ndjson import read_ndjson, write_ndjson
from qtoolkit.io import SUB_STATES, PBSState, SlurmState

Job = QJob[SlurmState]
# mypy accepts a generic union alias in annotations only, not subscripted in an expression.
AnyChange: Any = JobChange


def pending(job_id: str, **fields: Any) -> Job:
    return Job(job_id=job_id, state=QState.QUEUED, sub_state=SlurmState.PENDING, **fields)


def running(job_id: str, **fields: Any) -> Job:
    return Job(job_id=job_id, state=QState.RUNNING, sub_state=SlurmState.RUNNING, **fields)


def test_appeared_changed_and_vanished_jobs() -> None:
    previous = [pending("1"), pending("2"), running("3", runtime=10), pending("4")]
    current = [running("2"), running("3", runtime=10), pending("4"), pending("5")]
    changes = compare_snapshots(previous, current)
    assert changes.appeared == [JobAppeared(pending("5"))]
    assert changes.changed == [
        JobChanged(
            running("2"),
            ("state", "sub_state"),
            previous_state=QState.QUEUED,
            previous_sub_state=SlurmState.PENDING,
        )
    ]
    assert changes.vanished == [JobVanished(pending("1"))]
    assert len(changes) == 3
    assert [change.job_id for change in changes] == ["5", "2", "1"]
    assert changes.changed[0].state_changed


def test_identical_snapshots_have_no_changes() -> None:
    snapshot = [pending("1"), running("2", info=QJobInfo(cpus=4))]
    copy = [msgspec.structs.replace(job) for job in snapshot]
    changes = compare_snapshots(snapshot, copy)
    assert not changes
    assert len(changes) == 0
    assert changes == SnapshotChanges()
    assert compare_snapshots([], []).events() == []


def test_changed_fields_name_the_fields_of_the_info() -> None:
    before = running("7", info=QJobInfo(cpus=4, nodes=1), queue_name="debug")
    after = running("7", info=QJobInfo(cpus=8, nodes=2), queue_name="long")
    (change,) = compare_snapshots([before], [after]).changed
    assert change.fields == ("info.nodes", "info.cpus", "queue_name")
    assert not change.state_changed
    (gained,) = compare_snapshots([running("7")], [after]).changed
    assert gained.fields == ("info", "queue_name")


def test_ignored_fields_do_not_count() -> None:
    previous = [running("1", runtime=60), running("2", runtime=60), pending("3")]
    current = [running("1", runtime=120), pending("2", runtime=120), pending("3", account="a")]
    changes = compare_snapshots(previous, current, ignore=("runtime",))
    assert [(change.job_id, change.fields) for change in changes.changed] == [
        ("2", ("state", "sub_state")),
        ("3", ("account",)),
    ]
    assert changes.changed[0].job.runtime == 120  # the current job, not a masked copy
    assert current[0].runtime == 120  # inputs are left as they are
    unmasked = compare_snapshots(previous, current)
    assert [change.fields for change in unmasked.changed] == [
        ("runtime",),
        ("state", "sub_state", "runtime"),
        ("account",),
    ]


def test_ignoring_an_unknown_field_is_an_error() -> None:
    with pytest.raises(ValueError, match="cannot ignore 'runtim': not a field of QJob"):
        compare_snapshots([], [], ignore=["runtim"])


def test_orders_follow_the_snapshots() -> None:
    previous = [pending(str(n)) for n in (9, 3, 7, 1)]
    current = [running(str(n)) for n in (8, 7, 6, 9)]
    changes = compare_snapshots(previous, current)
    assert [change.job_id for change in changes.appeared] == ["8", "6"]
    assert [change.job_id for change in changes.changed] == ["7", "9"]
    assert [change.job_id for change in changes.vanished] == ["3", "1"]


def test_indexed_snapshots_compare_like_lists() -> None:
    previous = [pending("1"), pending("2")]
    current = [running("2"), pending("3")]
    from_lists = compare_snapshots(previous, current)
    assert compare_snapshots(index_jobs(previous), index_jobs(current)) == from_lists
    assert compare_snapshots(index_jobs(previous), current) == from_lists


def test_index_jobs_rejects_jobs_it_cannot_key() -> None:
    assert index_jobs(iter([pending("1"), pending("2")])) == {
        "1": pending("1"),
        "2": pending("2"),
    }
    with pytest.raises(ValueError, match=r"job at \[1\] has no job_id"):
        index_jobs([pending("1"), Job(name="anonymous")])
    with pytest.raises(ValueError, match=r"job_id '2' appears twice, at \[1\] and \[3\]"):
        compare_snapshots([], [pending("1"), pending("2"), pending("3"), running("2")])
    with pytest.raises(ValueError, match="has no job_id"):
        _ = JobAppeared(Job()).job_id


def test_apply_changes_rebuilds_the_current_snapshot() -> None:
    previous = [pending("1"), pending("2"), pending("3")]
    current = [running("2"), pending("3"), pending("4")]
    jobs_by_id = index_jobs(previous)
    changes = compare_snapshots(previous, current)
    assert apply_changes(jobs_by_id, changes) is jobs_by_id
    assert jobs_by_id == {"2": running("2"), "3": pending("3"), "4": pending("4")}
    apply_changes(jobs_by_id, changes)  # a record replayed twice changes nothing more
    assert jobs_by_id == {"2": running("2"), "3": pending("3"), "4": pending("4")}


@st.composite
def snapshot_pairs(draw: st.DrawFn) -> tuple[str, list[Job], list[Job]]:
    """Two snapshots of one scheduler, sharing some job ids, with unique ids each."""
    scheduler = draw(schedulers)
    ids = draw(st.lists(TEXT, unique=True, max_size=12))
    states = SUB_STATES[scheduler]

    def snapshot() -> list[Job]:
        chosen = draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
        return [msgspec.structs.replace(draw(jobs(states)), job_id=job_id) for job_id in chosen]

    return scheduler, snapshot(), snapshot()


@settings(max_examples=200, deadline=None)
@given(snapshot_pairs())
def test_changes_carry_previous_to_current(pair: tuple[str, list[Job], list[Job]]) -> None:
    scheduler, previous, current = pair
    changes = compare_snapshots(previous, current)
    before = {job.job_id for job in previous}
    after = {job.job_id for job in current}
    assert {change.job_id for change in changes.appeared} == after - before
    assert {change.job_id for change in changes.vanished} == before - after
    for change in changes.changed:
        old = next(job for job in previous if job.job_id == change.job_id)
        assert change.fields
        assert all(
            getattr(old, name.split(".")[0]) != getattr(change.job, name.split(".")[0])
            for name in change.fields
        )
    assert apply_changes(index_jobs(previous), changes) == index_jobs(current)
    states: Any = SUB_STATES[scheduler]
    assert decode(encode(changes), type=SnapshotChanges[states]) == changes


def sample_changes() -> SnapshotChanges[SlurmState]:
    previous = [pending("1", name="relax"), pending("2")]
    current = [running("2", runtime=5), pending("3")]
    changes = compare_snapshots(previous, current)
    changes.vanished[0].final = Job(
        job_id="1", state=QState.DONE, sub_state=SlurmState.COMPLETED, exit_status=0
    )
    return changes


def test_records_are_tagged_on_the_wire() -> None:
    events = sample_changes().events()
    assert msgspec.json.decode(encode(events)) == [
        {"type": "JobAppeared", "job": {"job_id": "3", "state": "QUEUED", "sub_state": "PENDING"}},
        {
            "type": "JobChanged",
            "job": {"job_id": "2", "state": "RUNNING", "sub_state": "RUNNING", "runtime": 5},
            "fields": ["state", "sub_state", "runtime"],
            "previous_state": "QUEUED",
            "previous_sub_state": "PENDING",
        },
        {
            "type": "JobVanished",
            "job": {"name": "relax", "job_id": "1", "state": "QUEUED", "sub_state": "PENDING"},
            "final": {"job_id": "1", "exit_status": 0, "state": "DONE", "sub_state": "COMPLETED"},
        },
    ]


@pytest.mark.parametrize("fmt", ["json", "msgpack"])
def test_changes_round_trip(fmt: Any) -> None:
    changes = sample_changes()
    data = encode(changes, format=fmt)
    assert decode(data, type=SnapshotChanges[SlurmState], format=fmt) == changes
    events = changes.events()
    decoded = decode(encode(events, format=fmt), type=list[AnyChange[SlurmState]], format=fmt)
    assert decoded == events
    assert [type(event) for event in decoded] == [JobAppeared, JobChanged, JobVanished]


def test_changes_stream_as_ndjson() -> None:
    events = sample_changes().events()
    stream = io.BytesIO()
    assert write_ndjson(events, stream) == 3
    assert stream.getvalue().count(b"\n") == 3
    stream.seek(0)
    assert read_ndjson(stream, type=AnyChange[SlurmState]) == events


def test_decoding_checks_the_scheduler() -> None:
    data = encode(sample_changes().events())
    with pytest.raises(msgspec.ValidationError, match=r"at `\$\[0\]\.job\.sub_state`"):
        decode(data, type=list[AnyChange[PBSState]])
    with pytest.raises(msgspec.ValidationError, match="Invalid value 'JobGone'"):
        decode(b'{"type": "JobGone", "job": {}}', type=AnyChange[SlurmState])


def test_records_read_and_write_mson() -> None:
    changes = sample_changes()
    document = changes.as_dict()
    assert document["@class"] == "SnapshotChanges"
    assert document["changed"][0]["@class"] == "JobChanged"
    assert SnapshotChanges.from_dict(document) == changes
    assert mson.from_dict(document, SnapshotChanges[SlurmState]) == changes
    vanished = changes.vanished[0]
    assert JobVanished.from_dict(vanished.as_dict()) == vanished
    with pytest.raises(msgspec.ValidationError, match=r"got `SlurmState` - at `\$\.appeared"):
        mson.from_dict(document, SnapshotChanges[PBSState])
    plain_state = r"does not say its scheduler.* - at `\$\.job\.sub_state`"
    with pytest.raises(msgspec.ValidationError, match=plain_state):
        JobVanished.from_dict({"job": {"job_id": "1", "sub_state": "PENDING"}})
