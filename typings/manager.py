"""Typing contract of qtoolkit.manager, the hosts and the job fates: what a caller's checker sees.

Checked by mypy --strict (``nox -s typing``), never run. Each ``# type: ignore[code]`` pins an
error the checker must report: with ``warn_unused_ignores``, the check fails if it disappears.
"""

from __future__ import annotations

from typing_extensions import assert_type

from qtoolkit.core.data_objects import QJob, QState
from qtoolkit.core.job_fate import Finished, InQueue, JobFate, Unknown
from qtoolkit.host import BaseHost, LocalHost
from qtoolkit.host.remote import RemoteConfig, RemoteHost, SSHConnection
from qtoolkit.io.accounting import FinishedJobsAccounting, accounting_for
from qtoolkit.io.sge import SGEIO, SGEState
from qtoolkit.io.sge_accounting import SGEAccounting
from qtoolkit.io.shell import ShellIO, ShellState
from qtoolkit.io.slurm import SlurmIO, SlurmState
from qtoolkit.io.slurm_accounting import SlurmAccounting
from qtoolkit.manager import QueueManager

# --- A manager is generic in its scheduler's sub-state --------------------------------------------
slurm = QueueManager(SlurmIO())
assert_type(slurm, QueueManager[SlurmState])
assert_type(slurm.get_jobs_list(), list[QJob[SlurmState]])
assert_type(slurm.get_job("12"), QJob[SlurmState] | None)
assert_type(slurm.get_finished_jobs(["12", 13]), list[QJob[SlurmState]])
assert_type(slurm.host, BaseHost)
assert_type(QueueManager(ShellIO(), LocalHost()).get_jobs_list(), list[QJob[ShellState]])
assert_type(QueueManager(SGEIO()).get_job_fate(4), JobFate[SGEState])

# The accounting must be the scheduler's.
QueueManager(SlurmIO(), accounting=SlurmAccounting())
QueueManager(SlurmIO(), accounting=SGEAccounting())  # type: ignore[misc]  # pyright: ignore[reportArgumentType]
sge_accounting: FinishedJobsAccounting[SGEState] = SGEAccounting()
slurm_accounting: FinishedJobsAccounting[SlurmState] = SGEAccounting()  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
assert_type(accounting_for(SlurmIO()), FinishedJobsAccounting[SlurmState] | None)

# --- Job fates ------------------------------------------------------------------------------------
fates = slurm.get_job_fates(["12", "13"])
assert_type(fates, dict[str, JobFate[SlurmState]])


def final_state(fate: JobFate[SlurmState]) -> QState | None:
    """A match on the fate narrows it, and the job keeps its scheduler's sub-state."""
    match fate:
        case InQueue(job=job):
            assert_type(job, QJob[SlurmState])
            return None
        case Finished(job=job):
            assert_type(job.sub_state, SlurmState | None)
            return job.state
        case Unknown(accounting=accounting):
            assert_type(accounting, bool)
            return None


shell_fate: JobFate[ShellState] = slurm.get_job_fate("12")  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
Unknown("12")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]

# --- Hosts ----------------------------------------------------------------------------------------
remote = RemoteHost(RemoteConfig(root_dir="/", host="cluster", port=2222))
assert_type(remote.connection, SSHConnection)
assert_type(remote.execute(["squeue"], "/scratch"), tuple[str, str, int])
RemoteConfig(root_dir="/", host="cluster", port="22")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
BaseHost()  # type: ignore[abstract]  # pyright: ignore[reportAbstractUsage]
