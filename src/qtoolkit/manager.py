"""QueueManager: a scheduler's IO and a host, put together to submit, watch and cancel jobs."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypedDict

from qtoolkit.core.data_objects import QJob, SubStateT
from qtoolkit.core.exceptions import CommandFailedError
from qtoolkit.core.job_fate import FINAL_STATES, Finished, InQueue, JobFate, Unknown
from qtoolkit.host.local import LocalHost
from qtoolkit.io.accounting import accounting_for
from qtoolkit.io.mson import MSONArguments

if TYPE_CHECKING:
    from qtoolkit.core.data_objects import CancelResult, QResources, SubmissionResult
    from qtoolkit.host.base import BaseHost
    from qtoolkit.io.accounting import FinishedJobsAccounting
    from qtoolkit.io.base import BaseSchedulerIO

__all__ = ["Environment", "QueueManager"]

_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The line breaks a header value may not hold either: each would start a line of its own in the
# script (the shell ends a command at "\n"; Python's splitlines, which readers use, at all).
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


class Environment(TypedDict, total=False):
    """How a job script sets up its environment before its commands (all keys optional)."""

    modules: Sequence[str]
    """Environment modules to load, after ``module purge``."""

    source_files: Sequence[str]
    """Files to ``source``."""

    conda_environment: str
    """A conda environment to activate."""

    environ: Mapping[str, object]
    """Variables to export. The values are shell text, like the commands: ``$HOME/bin`` expands;
    quote what must not."""


class QueueManager(MSONArguments, Generic[SubStateT]):
    """Submits, lists, inspects and cancels jobs of one scheduler on one host.

    ``QueueManager(SlurmIO(), RemoteHost(config))`` is a ``QueueManager[SlurmState]``: the jobs it
    returns carry SLURM sub-states. The host defaults to this machine (:class:`LocalHost`).

    Beyond upstream qtoolkit's methods, :meth:`get_job_fates` tells jobs still in the queue, jobs
    that finished (with their final state and exit status, from the scheduler's accounting) and
    ids the scheduler does not know apart; ``accounting`` defaults to the one this package has for
    the scheduler (:func:`~qtoolkit.io.accounting.accounting_for`).

    ``as_dict()`` writes the MSON document of the IO, host and accounting it was given, which
    ``from_dict`` reads back.
    """

    def __init__(
        self,
        scheduler_io: BaseSchedulerIO[SubStateT],
        host: BaseHost | None = None,
        accounting: FinishedJobsAccounting[SubStateT] | None = None,
    ) -> None:
        self.scheduler_io = scheduler_io
        self.host: BaseHost = host or LocalHost()
        self.accounting: FinishedJobsAccounting[SubStateT] | None = (
            accounting if accounting is not None else accounting_for(scheduler_io)
        )

    def execute_cmd(self, cmd: str, workdir: str | Path | None = None) -> tuple[str, str, int]:
        """Run ``cmd`` on the host in ``workdir``: its stdout, stderr and exit code."""
        return self.host.execute(cmd, workdir)

    # -- submission scripts -------------------------------------------------------------------

    def get_submission_script(  # noqa: PLR0917 - upstream's positional signature
        self,
        commands: str | list[str] | None,
        options: Mapping[str, Any] | QResources | None = None,
        work_dir: str | Path | None = None,
        pre_run: str | list[str] | None = None,
        post_run: str | list[str] | None = None,
        environment: Environment | None = None,
    ) -> str:
        """The whole job script, for the scheduler's header options and these parts.

        After the header come the environment set-up, ``cd work_dir``, ``pre_run``, ``commands``
        and ``post_run``, each left out when not given.
        """
        blocks = [
            self.get_environment_setup(environment),
            self.get_change_dir(work_dir),
            self.get_pre_run(pre_run),
            self.get_run_commands(commands),
            self.get_post_run(post_run),
        ]
        return self.scheduler_io.get_submission_script(
            [block for block in blocks if block], options
        )

    def get_environment_setup(self, env_config: Environment | None) -> str | None:
        """The lines setting up ``env_config``; names and paths are quoted for the shell.

        Raises ``ValueError`` for a variable name the shell would not take, or a value holding
        a line break (which would add a line to the script).
        """
        if not env_config:
            return None
        lines: list[str] = []
        if "modules" in env_config:
            lines.append("module purge")
            lines += [f"module load {shlex.quote(module)}" for module in env_config["modules"]]
        if "source_files" in env_config:
            lines += [f"source {shlex.quote(path)}" for path in env_config["source_files"]]
        if "conda_environment" in env_config:
            lines.append(f"conda activate {shlex.quote(env_config['conda_environment'])}")
        for name, value in env_config.get("environ", {}).items():
            if not _VARIABLE_NAME.fullmatch(name):
                msg = f"{name!r} is not a valid environment variable name"
                raise ValueError(msg)
            if _LINE_BREAK.search(text := str(value)):
                msg = f"The value of environment variable {name!r} holds a line break: {text!r}"
                raise ValueError(msg)
            lines.append(f"export {name}={text}")
        return "\n".join(lines)

    def get_change_dir(self, dir_path: str | Path | None) -> str:
        """``cd`` to ``dir_path`` (quoted), or nothing without one."""
        return f"cd {shlex.quote(str(dir_path))}" if dir_path else ""

    def get_pre_run(self, pre_run: str | list[str] | None) -> str | None:
        """The commands run before the main ones, one per line."""
        return "\n".join(pre_run) if isinstance(pre_run, list) else pre_run

    def get_run_commands(self, commands: str | list[str] | None) -> str:
        """The main commands, one per line; ``ValueError`` if there are none."""
        if isinstance(commands, str):
            return commands
        if isinstance(commands, list):
            return "\n".join(commands)
        msg = "commands should be a str or a list of str."
        raise ValueError(msg)

    def get_post_run(self, post_run: str | list[str] | None) -> str | None:
        """The commands run after the main ones, one per line."""
        return "\n".join(post_run) if isinstance(post_run, list) else post_run

    # -- scheduler commands -------------------------------------------------------------------

    def submit(  # noqa: PLR0917 - upstream's positional signature
        self,
        commands: str | list[str] | None,
        options: Mapping[str, Any] | QResources | None = None,
        work_dir: str | Path | None = None,
        environment: Environment | None = None,
        script_fname: str = "submit.script",
        create_submit_dir: bool = False,
    ) -> SubmissionResult:
        """Write the job script to ``work_dir/script_fname`` on the host and submit it from there.

        Without ``work_dir`` the script goes to the host's current directory (a remote host's
        login directory). ``create_submit_dir`` creates ``work_dir`` first (``RuntimeError`` if it
        cannot).
        """
        script = self.get_submission_script(
            commands=commands, options=options, work_dir=work_dir, environment=environment
        )
        if work_dir is not None and create_submit_dir and not self.host.mkdir(work_dir):
            msg = f"failed to create directory {str(work_dir)!r}"
            raise RuntimeError(msg)
        script_path = Path(work_dir, script_fname) if work_dir is not None else Path(script_fname)
        self.host.write_text_file(script_path, script)
        stdout, stderr, returncode = self.execute_cmd(
            self.scheduler_io.get_submit_cmd(script_path), work_dir
        )
        return self.scheduler_io.parse_submit_output(
            exit_code=returncode, stdout=stdout, stderr=stderr
        )

    def cancel(self, job: QJob[Any] | int | str) -> CancelResult:
        """Cancel ``job``; the result says whether the scheduler did."""
        stdout, stderr, returncode = self.execute_cmd(self.scheduler_io.get_cancel_cmd(job))
        return self.scheduler_io.parse_cancel_output(
            exit_code=returncode, stdout=stdout, stderr=stderr
        )

    def get_job(self, job: QJob[Any] | int | str) -> QJob[SubStateT] | None:
        """The job as the scheduler shows it, or None if the command finds no such job."""
        stdout, stderr, returncode = self.execute_cmd(self.scheduler_io.get_job_cmd(job))
        job_id = job.job_id if isinstance(job, QJob) else str(job)
        try:
            return self.scheduler_io.parse_job_output(
                exit_code=returncode, stdout=stdout, stderr=stderr, job_id=job_id
            )
        except CommandFailedError:
            # Schedulers fail this command for an id they do not know (scontrol, qstat -j).
            return None

    def get_jobs_list(
        self, jobs: Sequence[QJob[Any] | int | str] | None = None, user: str | None = None
    ) -> list[QJob[SubStateT]]:
        """The jobs in the queue: those of ``jobs``, or of ``user``, or all of them."""
        command = self.scheduler_io.get_jobs_list_cmd(jobs, user)
        job_ids = self.scheduler_io.generate_ids_list(jobs)
        stdout, stderr, returncode = self.execute_cmd(command)
        return self.scheduler_io.parse_jobs_list_output(
            exit_code=returncode, stdout=stdout, stderr=stderr, job_ids=job_ids
        )

    # -- finished jobs ------------------------------------------------------------------------

    def get_finished_jobs(self, jobs: Sequence[QJob[Any] | int | str]) -> list[QJob[SubStateT]]:
        """What the scheduler's accounting records of ``jobs`` (ids it does not know are left out).

        Raises ``NotImplementedError`` for a scheduler without accounting (:attr:`accounting` is
        None).
        """
        if self.accounting is None:
            msg = f"{type(self.scheduler_io).__name__} has no accounting qtoolkit can read"
            raise NotImplementedError(msg)
        job_ids = self.scheduler_io.generate_ids_list(jobs) or []
        if not job_ids:
            return []
        stdout, stderr, returncode = self.execute_cmd(
            self.accounting.get_finished_jobs_cmd(job_ids)
        )
        return self.accounting.parse_finished_jobs_output(returncode, stdout, stderr)

    def get_job_fates(self, jobs: Sequence[QJob[Any] | int | str]) -> dict[str, JobFate[SubStateT]]:
        """The fate of each of ``jobs`` by job id, in the order given (:mod:`~.core.job_fate`).

        One queue listing for all of them, then one accounting query for those the queue does not
        show in a state that can still change. With accounting, a job is Finished only once the
        accounting has its final record.
        """
        job_ids = self.scheduler_io.generate_ids_list(jobs) or []
        if not job_ids:
            return {}
        listed = {job.job_id: job for job in self.get_jobs_list(job_ids)}
        fates: dict[str, JobFate[SubStateT]] = {}
        gone: list[str] = []
        for job_id in job_ids:
            job = listed.get(job_id)
            if job is not None and job.state not in FINAL_STATES:
                fates[job_id] = InQueue(job)
            else:
                gone.append(job_id)
        records: dict[str | None, QJob[SubStateT]] = {}
        if gone and self.accounting is not None:
            records = {job.job_id: job for job in self.get_finished_jobs(gone)}
        for job_id in gone:
            if (record := records.get(job_id)) is not None:
                # The accounting may still show a job running for a moment after the queue dropped
                # it (or one that was requeued): that job is not finished yet.
                finished = record.state in FINAL_STATES
                fates[job_id] = Finished(record) if finished else InQueue(record)
            elif (job := listed.get(job_id)) is not None:
                # Listed in a final state but not accounted yet: on its way out (Grid Engine lists
                # a job being deleted as "dr"), and the accounting will soon have its exit status.
                # Without accounting, the listing is the last word.
                fates[job_id] = Finished(job) if self.accounting is None else InQueue(job)
            else:
                fates[job_id] = Unknown(job_id, accounting=self.accounting is not None)
        return {job_id: fates[job_id] for job_id in job_ids}

    def get_job_fate(self, job: QJob[Any] | int | str) -> JobFate[SubStateT]:
        """The fate of one job (see :meth:`get_job_fates`)."""
        return next(iter(self.get_job_fates([job]).values()))
