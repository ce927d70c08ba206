"""Typing contract of a bare ``QJob``: a job of any scheduler, whichever its parameter.

Checked by mypy --strict (``nox -s typing``) and pyright strict (``nox -s pyright``), never
run. Each expected error is pinned for both checkers, ``# type: ignore[code]`` for mypy and
``# pyright: ignore[rule]`` for pyright; each fails the check when a pin of its own is no longer
needed (``warn_unused_ignores``, ``reportUnnecessaryTypeIgnoreComment``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pydantic
from typing_extensions import assert_type

from qtoolkit import QJob, QState, QSubState
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.slurm import SlurmState

slurm_job = QJob[SlurmState](job_id="1", sub_state=SlurmState.PENDING)
pbs_job = QJob(job_id="2", sub_state=PBSState.QUEUED)
slurm_jobs: list[QJob[SlurmState]] = [slurm_job]


# --- A bare QJob accepts a job of every scheduler, wherever it is written ------------------------
def is_done(job: QJob) -> bool:
    return job.state is QState.DONE


is_done(slurm_job)
is_done(pbs_job)
jobs: list[QJob] = slurm_jobs
mixed: list[QJob] = [slurm_job, pbs_job]
by_id: dict[str, QJob] = {"1": slurm_job, "2": pbs_job}
maybe: QJob | None = slurm_job
jobs.append(pbs_job)


def first(jobs: Sequence[QJob]) -> QJob:
    return jobs[0]


first(slurm_jobs)


class Record(pydantic.BaseModel):
    """A pydantic model holding a job, as a workflow manager's would."""

    job: QJob | None = None


Record(job=slurm_job)

# Its sub-state may be any scheduler's.
assert_type(jobs[0].sub_state, Any | None)


# --- QJob[QSubState]: any scheduler, with the sub-state typed -------------------------------------
def qstate_of(job: QJob[QSubState]) -> QState | None:
    return None if job.sub_state is None else job.sub_state.qstate


qstate_of(slurm_job)
qstate_of(pbs_job)
typed_jobs: Sequence[QJob[QSubState]] = slurm_jobs

# --- A parametrized QJob keeps its scheduler ------------------------------------------------------
assert_type(slurm_job.sub_state, SlurmState | None)
assert_type(first(slurm_jobs), QJob)
slurm_job.sub_state = PBSState.QUEUED  # type: ignore[assignment]  # pyright: ignore[reportAttributeAccessIssue]
not_pbs: QJob[PBSState] = slurm_job  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
not_pbs_jobs: list[QJob[PBSState]] = slurm_jobs  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
not_a_job: QJob = SlurmState.PENDING  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
