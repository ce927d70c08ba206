"""Typing contract of snapshot changes, the event log and the poller (checked, never run)."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

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
from qtoolkit.core.data_objects import QJob, QState
from qtoolkit.eventlog import EventLog, LogRecord, read_event_log
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.slurm import SlurmIO, SlurmState
from qtoolkit.manager import QueueManager
from qtoolkit.poller import Poller

slurm_jobs: list[QJob[SlurmState]] = []
pbs_jobs: list[QJob[PBSState]] = []

# The scheduler's sub-state runs through every result.
changes = compare_snapshots(slurm_jobs, index_jobs(slurm_jobs), ignore=["runtime"])
assert_type(changes, SnapshotChanges[SlurmState])
assert_type(changes.appeared, list[JobAppeared[SlurmState]])
assert_type(changes.changed[0].previous_sub_state, SlurmState | None)
assert_type(changes.changed[0].previous_state, QState | None)
assert_type(changes.vanished[0].final, QJob[SlurmState] | None)
assert_type(changes.events(), list[JobChange[SlurmState]])
assert_type(changes.changed[0].fields, tuple[str, ...])
assert_type(changes.changed[0].job_id, str)
for change in changes:
    assert_type(change, JobAppeared[SlurmState] | JobChanged[SlurmState] | JobVanished[SlurmState])
assert_type(apply_changes(index_jobs(slurm_jobs), changes), dict[str, QJob[SlurmState]])

# The log of a scheduler is typed by its sub-state class.
log = EventLog.open("events.ndjson", SlurmState)
assert_type(log, EventLog[SlurmState])
assert_type(log.jobs, dict[str, QJob[SlurmState]])
log.record(changes, jobs=len(slurm_jobs))
log.record(SnapshotChanges[PBSState](), jobs=0)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
assert_type(next(read_event_log("events.ndjson", SlurmState)), LogRecord[SlurmState])
assert_type(next(read_event_log("events.ndjson")), LogRecord[Any])

# A poller of a SLURM queue manager reports SLURM jobs.
poller = Poller(QueueManager(SlurmIO()), log=log)
assert_type(poller, Poller[SlurmState])
assert_type(poller.poll(), SnapshotChanges[SlurmState])
assert_type(poller.jobs, dict[str, QJob[SlurmState]])
Poller(QueueManager(SlurmIO()), log=EventLog.open("p.ndjson", PBSState))  # type: ignore[arg-type]
