"""Typing contract of qtoolkit.core.data_objects: what a caller's type checker must see.

Checked by mypy --strict (``nox -s typing``) and pyright strict (``nox -s pyright``), never run.
Each expected error is pinned for both: ``# type: ignore[code]`` for mypy and
``# pyright: ignore[rule]`` for pyright. Each checker fails when a pin of its own is no longer
needed (``warn_unused_ignores``, ``reportUnnecessaryTypeIgnoreComment``), and pyright does not
read mypy's pins (``enableTypeIgnoreComments = false``), so an error that disappears under
either checker fails the run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typing_extensions import assert_type

from qtoolkit.core.base import QTKEnum, QTKObject
from qtoolkit.core.data_objects import (
    CancelResult,
    CancelStatus,
    OperationResult,
    ProcessPlacement,
    QJob,
    QJobInfo,
    QResources,
    QState,
    QSubState,
    SubmissionResult,
    SubmissionStatus,
)
from qtoolkit.core.resource_options import ResourceOptions
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.sge import SGEState
from qtoolkit.io.shell import ShellState
from qtoolkit.io.slurm import SlurmState
from qtoolkit.synthetic import generate_snapshot

# --- QJob is generic in its scheduler's sub-state -------------------------------------------------
slurm_job = QJob[SlurmState](name="relax", sub_state=SlurmState.PENDING)
assert_type(slurm_job, QJob[SlurmState])
assert_type(slurm_job.sub_state, SlurmState | None)
assert_type(QJob(sub_state=PBSState.QUEUED), QJob[PBSState])
assert_type(QJob(sub_state=SGEState.RUNNING).sub_state, SGEState | None)

# Without a parameter a job may hold any scheduler's sub-state (see any_scheduler.py).
any_job = QJob(name="x")
assert_type(any_job, QJob[Any])
assert_type(QJob().state, QState | None)
assert_type(QJob().info, QJobInfo | None)
assert_type(QJob().username, str | None)

QJob[SlurmState](sub_state=PBSState.QUEUED)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
QJob[int]()  # type: ignore[type-var]  # pyright: ignore[reportInvalidTypeArguments]
slurm_job.sub_state = ShellState.RUNNING  # type: ignore[assignment]  # pyright: ignore[reportAttributeAccessIssue]

# --- Sub-states -----------------------------------------------------------------------------------
assert_type(SlurmState.PENDING.value, str)
assert_type(SlurmState.PENDING.all_values, tuple[str, ...])
assert_type(SlurmState.PENDING.qstate, QState)
assert_type(SlurmState("PD"), SlurmState)
assert_type(ShellState.DEFUNCT.qstate, QState)


def describe(sub_state: QSubState) -> QState:
    return sub_state.qstate


# --- Field types follow the reference -------------------------------------------------------------
assert_type(OperationResult().job_id, int | str | None)
assert_type(SubmissionResult().status, SubmissionStatus | None)
assert_type(CancelResult().status, CancelStatus | None)
assert_type(QJobInfo().memory, int | None)
assert_type(QResources().priority, int | str | None)
assert_type(QResources().output_filepath, str | Path | None)
assert_type(QResources().scheduler_kwargs, dict[str, Any] | None)
assert_type(QResources().process_placement, ProcessPlacement | None)

QResources(output_filepath=Path("out.log"), error_filepath="err.log")
QResources(processes="four")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
QJobInfo(cpus=4.5)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
SubmissionResult(status=CancelStatus.FAILED)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
QJob(state="RUNNING")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
QJob(unknown_field=1)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]

# Objects are mutable.
resources = QResources.no_constraints(4)
resources.queue_name = "debug"
resources.nodes = "two"  # type: ignore[assignment]  # pyright: ignore[reportAttributeAccessIssue]

# --- Factories return the class they are called on ------------------------------------------------
assert_type(QResources.no_constraints(4), QResources)
assert_type(QResources.evenly_distributed(2, 16, queue_name="debug"), QResources)
assert_type(QResources.scattered(8, time_limit=3600), QResources)
assert_type(QResources.same_node(4, scheduler_kwargs={"constraint": "gpu"}), QResources)


class SiteResources(QResources):
    """A caller's subclass."""


assert_type(SiteResources.scattered(4), SiteResources)
assert_type(SiteResources.evenly_distributed(1, 2), SiteResources)

# The placement counts belong to the factory's own parameters.
QResources.no_constraints(4, nodes=2)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
QResources.scattered(4, processes_per_node=1)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
QResources.evenly_distributed(2, 4, processes=8)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
QResources.same_node(4, process_placement=ProcessPlacement.SAME_NODE)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
QResources.same_node("4")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
QResources.no_constraints(4, queue_name=1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]

options: ResourceOptions = {"queue_name": "debug", "account": "acct"}
assert_type(QResources.no_constraints(4, **options), QResources)

# --- Methods --------------------------------------------------------------------------------------
assert_type(resources.get_processes_distribution(), list[int | None])
assert_type(resources.get_processes_distribution()[0], int | None)
assert_type(resources.check_empty(), bool)

# --- Bases ----------------------------------------------------------------------------------------
base_object: QTKObject = QJobInfo()
base_enum: QTKEnum = QState.DONE
placement: QTKEnum = ProcessPlacement.SCATTERED

# --- Generated snapshots: the scheduler's name picks the sub-state --------------------------------
assert_type(generate_snapshot(10), list[QJob[SlurmState]])
assert_type(generate_snapshot(10, "pbs", seed=1), list[QJob[PBSState]])
assert_type(generate_snapshot(10, "sge"), list[QJob[SGEState]])
assert_type(generate_snapshot(10, "shell"), list[QJob[ShellState]])


def snapshot_of(scheduler_name: str) -> None:
    # A name known only at run time: any scheduler's jobs.
    assert_type(generate_snapshot(10, scheduler_name), list[QJob[Any]])


generate_snapshot("10")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType]
