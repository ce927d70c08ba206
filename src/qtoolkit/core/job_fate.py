"""What became of a job: still in the queue, finished (and how), or unknown to the scheduler.

A poller that only lists the queue cannot tell a job that finished from one the scheduler never
had: both are simply absent. :meth:`qtoolkit.manager.QueueManager.get_job_fates` asks the queue
first and the scheduler's accounting for the jobs the queue no longer shows, and answers with one
of three tagged values::

    match manager.get_job_fate(job_id):
        case InQueue(job=job):
            ...  # queued, held, running or suspended: job.state says which
        case Finished(job=job):
            ...  # job.state is DONE or FAILED; job.exit_status, job.sub_state say more
        case Unknown(accounting=True):
            ...  # neither the queue nor the accounting has a record of this id
        case Unknown(accounting=False):
            ...  # gone from the queue; this scheduler keeps no accounting qtoolkit can read

Array jobs: SLURM lists and accounts each task under its own id (``8_1``), so follow the tasks.
Grid Engine lists every task under the array's id (``78``) but accounts them as ``78.1``,
``78.2``...: the array's id is InQueue while any task is listed and Unknown once none is, and then
``QueueManager.get_finished_jobs(["78"])`` gives the records of its tasks.

The values are frozen msgspec Structs tagged ``"in_queue"``, ``"finished"`` and ``"unknown"``,
so a stream of fates encodes to JSON or MessagePack and decodes back with
``msgspec.json.decode(data, type=JobFate[SlurmState])``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, Union

import msgspec

from qtoolkit.core.data_objects import QJob, QState, SubStateT

if TYPE_CHECKING:
    from typing import TypeAlias

__all__ = ["FINAL_STATES", "Finished", "InQueue", "JobFate", "Unknown"]

FINAL_STATES = frozenset({QState.DONE, QState.FAILED})
"""The states of a job that will not change any more."""


class InQueue(msgspec.Struct, Generic[SubStateT], frozen=True, tag="in_queue"):
    """The job has not ended yet: queued, held, running, suspended, or on its way out.

    On its way out: the queue still lists it in a final state (a Grid Engine job being deleted
    reads FAILED) but the accounting has no final record of it yet; ask again.
    """

    job: QJob[SubStateT]
    """The job as the scheduler lists it now."""


class Finished(msgspec.Struct, Generic[SubStateT], frozen=True, tag="finished"):
    """The job has ended: ``job.state`` is DONE or FAILED, and will not change.

    With accounting, the record is the accounting's, with the exit status; without (the shell),
    it is the queue's last listing of the job in a final state (a zombie process).
    """

    job: QJob[SubStateT]
    """The job's final record."""


class Unknown(msgspec.Struct, frozen=True, tag="unknown"):
    """Neither the queue nor, when there is one, the accounting knows this job id.

    The accounting learns of a job a moment after the queue does (SLURM's slurmdbd receives its
    records asynchronously): a job submitted or ended within the last second or so may be unknown
    to it. Treat an Unknown that follows an InQueue as "ask again", not as lost.
    """

    job_id: str
    """The id that was asked about."""

    accounting: bool
    """Whether the scheduler's accounting was asked. False for schedulers without accounting
    qtoolkit reads (the shell, PBS): there, a job that ended is unknown as soon as it leaves the
    queue, and this says nothing of how it ended."""


JobFate: TypeAlias = Union[InQueue[SubStateT], Finished[SubStateT], Unknown]  # noqa: UP007
"""The fate of one job; ``JobFate[SlurmState]`` for a SLURM job."""
