"""Finished-job accounting: what the scheduler remembers of jobs that have left its queue.

Once a job ends, the queue listings (``squeue``, ``qstat``) soon stop showing it; the scheduler's
accounting (SLURM's ``sacct``, Grid Engine's ``qacct``) still knows its final state and exit
status. A :class:`FinishedJobsAccounting` builds the command that asks it about some job ids and
parses the answer into :class:`~qtoolkit.core.data_objects.QJob` objects of the scheduler's
sub-state. :class:`~qtoolkit.manager.QueueManager` combines it with the queue listing to tell
the fate of a job (:mod:`qtoolkit.core.job_fate`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from qtoolkit.core.data_objects import QSubState
from qtoolkit.io.sge import SGEIO
from qtoolkit.io.sge_accounting import SGEAccounting
from qtoolkit.io.slurm import SlurmIO
from qtoolkit.io.slurm_accounting import SlurmAccounting

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qtoolkit.core.data_objects import QJob
    from qtoolkit.io.base import BaseSchedulerIO

__all__ = ["FinishedJobsAccounting", "accounting_for"]

SubStateT = TypeVar("SubStateT", bound=QSubState)


class FinishedJobsAccounting(Protocol[SubStateT]):
    """Asks a scheduler's accounting about jobs, including those that have left the queue."""

    def get_finished_jobs_cmd(self, job_ids: Sequence[str]) -> str:
        """The shell command asking the accounting about ``job_ids`` (validated and quoted).

        Raises :class:`~qtoolkit.core.exceptions.InvalidJobIDError` for an id the scheduler could
        not have given, and ``ValueError`` for no ids at all (which would ask for every job).
        """
        ...

    def parse_finished_jobs_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> list[QJob[SubStateT]]:
        """The jobs the accounting knows, in its order; ids it does not know are left out.

        Raises :class:`~qtoolkit.core.exceptions.CommandFailedError` if the accounting could not
        be asked, and :class:`~qtoolkit.core.exceptions.OutputParsingError`, naming the line and
        field, for output it cannot read.
        """
        ...


def accounting_for(
    scheduler_io: BaseSchedulerIO[SubStateT],
) -> FinishedJobsAccounting[SubStateT] | None:
    """The accounting this package reads for ``scheduler_io``'s scheduler, or None if it has none.

    SLURM (``sacct``) and Grid Engine (``qacct``) have one; the shell and PBS do not. The IO
    object's class decides (a subclass of ``SlurmIO`` gets SLURM's accounting).
    """
    # Being a SlurmIO makes SubStateT SlurmState (and an SGEIO SGEState), which the checkers
    # cannot infer from isinstance.
    if isinstance(scheduler_io, SlurmIO):
        return cast("FinishedJobsAccounting[SubStateT]", SlurmAccounting())
    if isinstance(scheduler_io, SGEIO):
        return cast("FinishedJobsAccounting[SubStateT]", SGEAccounting())
    return None
