"""SLURM: its job states, submission scripts, commands and the reading of their output."""

from __future__ import annotations

import re
import shlex
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from qtoolkit.core.data_objects import (
    CancelResult,
    CancelStatus,
    QState,
    QSubState,
    SubmissionResult,
)
from qtoolkit.core.exceptions import CommandFailedError
from qtoolkit.io.base import BaseSchedulerIO, as_text, mapped_options, submission_result
from qtoolkit.io.slurm_output import read_scontrol_job, read_squeue, slurm_memory_kb, slurm_seconds

if TYPE_CHECKING:
    from qtoolkit.core.data_objects import QJob, QResources
    from qtoolkit.io.slurm_accounting import SlurmAccounting

__all__ = ["SlurmIO", "SlurmState"]


class SlurmState(QSubState):
    """A SLURM job state: its long name, then the compact code ``squeue`` prints (``PD``...)."""

    BOOT_FAIL = "BOOT_FAIL", "BF"
    CANCELLED = "CANCELLED", "CA"
    COMPLETING = "COMPLETING", "CG"
    COMPLETED = "COMPLETED", "CD"
    CONFIGURING = "CONFIGURING", "CF"
    DEADLINE = "DEADLINE", "DL"
    FAILED = "FAILED", "F"
    NODE_FAIL = "NODE_FAIL", "NF"
    OUT_OF_MEMORY = "OUT_OF_MEMORY", "OOM"
    PENDING = "PENDING", "PD"
    PREEMPTED = "PREEMPTED", "PR"
    RESV_DEL_HOLD = "RESV_DEL_HOLD", "RD"
    REQUEUE_FED = "REQUEUE_FED", "RF"
    REQUEUE_HOLD = "REQUEUE_HOLD", "RH"
    RESIZING = "RESIZING", "RS"
    REVOKED = "REVOKED", "RV"
    RUNNING = "RUNNING", "R"
    SIGNALING = "SIGNALING", "SI"
    SPECIAL_EXIT = "SPECIAL_EXIT", "SE"
    STAGE_OUT = "STAGE_OUT", "SO"
    STOPPED = "STOPPED", "ST"
    SUSPENDED = "SUSPENDED", "S"
    TIMEOUT = "TIMEOUT", "TO"

    @property
    def qstate(self) -> QState:
        """The standardized QState of this SLURM state."""
        return _QSTATE_OF[self]


# Same mapping as upstream qtoolkit 0.1.7, so both packages agree on every job.
_QSTATE_OF: dict[SlurmState, QState] = {
    SlurmState.BOOT_FAIL: QState.FAILED,
    SlurmState.CANCELLED: QState.FAILED,
    SlurmState.COMPLETING: QState.RUNNING,
    SlurmState.COMPLETED: QState.DONE,
    SlurmState.CONFIGURING: QState.QUEUED,
    SlurmState.DEADLINE: QState.FAILED,
    SlurmState.FAILED: QState.FAILED,
    SlurmState.NODE_FAIL: QState.FAILED,
    SlurmState.OUT_OF_MEMORY: QState.FAILED,
    SlurmState.PENDING: QState.QUEUED,
    # SLURM's manual: "terminated due to preemption"; the job does not come back by itself.
    SlurmState.PREEMPTED: QState.FAILED,
    SlurmState.RESV_DEL_HOLD: QState.QUEUED_HELD,
    # REQUEUE_FED ("requeued due to a federated sibling job") and REQUEUE_HOLD ("held job is being
    # requeued") could also read as QUEUED or REQUEUED_HELD; upstream chose REQUEUED for both.
    SlurmState.REQUEUE_FED: QState.REQUEUED,
    SlurmState.REQUEUE_HOLD: QState.REQUEUED,
    SlurmState.RESIZING: QState.RUNNING,
    SlurmState.REVOKED: QState.FAILED,
    SlurmState.RUNNING: QState.RUNNING,
    SlurmState.SIGNALING: QState.RUNNING,
    SlurmState.SPECIAL_EXIT: QState.FAILED,
    SlurmState.STAGE_OUT: QState.RUNNING,
    # A SIGSTOPped job keeps its allocation (SLURM's manual: "CPUs have been retained"), which
    # DRMAA's SUSPENDED would also fit; upstream counts it as RUNNING and so do we.
    SlurmState.STOPPED: QState.RUNNING,
    SlurmState.SUSPENDED: QState.SUSPENDED,
    SlurmState.TIMEOUT: QState.FAILED,
}


# sbatch reads its directives as words: whitespace splits them, quotes group them and a backslash
# escapes the next character, even within quotes.
_DIRECTIVE_SPECIAL = re.compile(r"[\s'\"\\]")
_SUBMITTED = re.compile(
    r"(.*:\s*)?([Gg]ranted job allocation|[Ss]ubmitted batch job)\s+(?P<jobid>\d+)"
)
# sbatch --parsable prints "<job id>" or "<job id>;<cluster>".
_PARSABLE = re.compile(r"(?P<jobid>\d+)(;\S+)?")


def _sbatch_job_id(out: str) -> str | None:
    """The job id of ``sbatch``'s "Submitted batch job N", or of its ``--parsable`` first line."""
    text = out.strip()
    match = _SUBMITTED.match(text) or _PARSABLE.fullmatch(text.partition("\n")[0].strip())
    return match.group("jobid") if match else None


_TERMINATING = re.compile(r"(.*:\s*)?(Terminating job)\s+(?P<jobid>\d+(_\d+)?)")
_ERROR_LINE = re.compile(r"^\w+: error: ", re.MULTILINE)


def _directive_value(value: object) -> str:
    """``value`` as one word of an ``#SBATCH`` line: double-quoted when it needs to be."""
    text = str(value)
    if not _DIRECTIVE_SPECIAL.search(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class SlurmIO(BaseSchedulerIO[SlurmState]):
    """Submission scripts, commands and output parsing for SLURM (``sbatch``, ``squeue``...)."""

    header_template: str
    header_template_file: str | None = "slurm"

    SUBMIT_CMD: str | None = "sbatch"
    # Without -v, scancel says nothing about what it did.
    CANCEL_CMD: str | None = "scancel -v"
    job_id_regex: str | None = r"^\d+(_\d+)?$"

    squeue_fields: ClassVar[list[tuple[str, str]]] = [
        ("%i", "job_id"),
        ("%t", "state_raw"),  # compact state code (PD, R...)
        ("%r", "annotation"),  # why the job is in its state
        ("%j", "job_name"),
        ("%u", "username"),
        ("%P", "partition"),
        ("%l", "time_limit"),
        ("%D", "number_nodes"),
        ("%C", "number_cpus"),
        ("%M", "time_used"),
        ("%m", "min_memory"),
    ]
    """The ``squeue -o`` columns asked for, with the name each is read under."""

    _qresources_mapping: ClassVar[dict[str, str]] = {
        "queue_name": "partition",
        "job_name": "job_name",
        "memory_per_thread": "mem_per_cpu",
        "account": "account",
        "qos": "qos",
        "priority": "priority",
        "output_filepath": "qout_path",
        "error_filepath": "qerr_path",
    }

    def __init__(self, get_job_executable: str = "scontrol", split_separator: str = "<><>") -> None:
        if not split_separator or split_separator.isspace() or "\n" in split_separator:
            msg = f"split_separator must be visible text on one line, not {split_separator!r}"
            raise ValueError(msg)
        self.get_job_executable = get_job_executable
        self.split_separator = split_separator

    # -- scripts ------------------------------------------------------------------------------

    def sanitize_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Quote the values sbatch would otherwise split (spaces, quotes, backslashes)."""
        return {
            key: value if key == "qverbatim" else _directive_value(value)
            for key, value in options.items()
        }

    def _convert_qresources(self, resources: QResources) -> dict[str, Any]:
        header = mapped_options(resources, self._qresources_mapping)
        if resources.njobs and resources.njobs > 1:
            header["array"] = f"1-{resources.njobs}"
        if resources.time_limit:
            header["time"] = self._convert_time_to_str(resources.time_limit)
        nodes, processes, processes_per_node = resources.get_processes_distribution()
        if processes:
            header["ntasks"] = processes
        if processes_per_node:
            header["ntasks_per_node"] = processes_per_node
        if nodes:
            header["nodes"] = nodes
        if resources.threads_per_process:
            header["cpus_per_task"] = resources.threads_per_process
        if resources.gpus_per_job:
            header["gres"] = f"gpu:{resources.gpus_per_job}"
        if resources.email_address:
            header["mail_user"] = resources.email_address
            header["mail_type"] = "ALL"
        if resources.scheduler_kwargs:
            header.update(resources.scheduler_kwargs)
        return header

    @property
    def supported_qresources_keys(self) -> list[str]:
        """The QResources fields written to SLURM scripts."""
        return [
            *self._qresources_mapping,
            "njobs",
            "time_limit",
            "processes",
            "processes_per_node",
            "process_placement",
            "nodes",
            "threads_per_process",
            "gpus_per_job",
            "email_address",
            "scheduler_kwargs",
        ]

    # -- commands -----------------------------------------------------------------------------

    def _get_job_cmd(self, job_id: str) -> str:
        if self.get_job_executable == "scontrol":
            # -o: one line per job.
            return f"SLURM_TIME_FORMAT='standard' scontrol show job -o {job_id}"
        if self.get_job_executable == "sacct":
            return _accounting().get_finished_jobs_cmd([job_id])
        msg = f'"{self.get_job_executable}" is not a valid get_job_executable.'
        raise RuntimeError(msg)

    def _get_jobs_list_cmd(self, job_ids: list[str] | None = None, user: str | None = None) -> str:
        if user and job_ids:
            msg = "Cannot query by user and job(s) in SLURM"
            raise ValueError(msg)
        # A space after each separator keeps empty columns visible.
        fields = f"{self.split_separator} ".join(code for code, _ in self.squeue_fields)
        command = [
            "SLURM_TIME_FORMAT='standard'",
            "squeue",
            "--noheader",
            f"-o {shlex.quote(fields)}",
        ]
        if user:
            command.append(f"-u {user}")
        if job_ids:
            # squeue given one job id fails once the job has left the queue; given it twice, it
            # lists nothing instead.
            ids = job_ids * 2 if len(job_ids) == 1 else job_ids
            command.append(f"--jobs={','.join(ids)}")
        return " ".join(command)

    # -- parsing ------------------------------------------------------------------------------

    def parse_submit_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> SubmissionResult:
        """The result of ``sbatch`` (plain or ``--parsable`` output)."""
        return submission_result(exit_code, stdout, stderr, _sbatch_job_id)

    def parse_cancel_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> CancelResult:
        """The result of ``scancel -v``: FAILED when it reports an error, although it exits 0."""
        out, err = as_text(stdout), as_text(stderr)
        if exit_code != 0:
            return CancelResult(
                exit_code=exit_code, stdout=out, stderr=err, status=CancelStatus.FAILED
            )
        match = _TERMINATING.match(err.strip())
        job_id = match.group("jobid") if match else None
        if _ERROR_LINE.search(err):
            # An unknown or finished job: "Invalid job id specified", "already completing or
            # completed". Nothing was cancelled.
            status = CancelStatus.FAILED
        else:
            status = CancelStatus.SUCCESSFUL if job_id else CancelStatus.JOB_ID_UNKNOWN
        return CancelResult(
            job_id=job_id, exit_code=exit_code, stdout=out, stderr=err, status=status
        )

    def parse_job_output(
        self,
        exit_code: int,
        stdout: str | bytes,
        stderr: str | bytes,
        job_id: str | None = None,
    ) -> QJob[SlurmState] | None:
        """The job ``scontrol show job -o`` (or sacct) shows, or None for a job SLURM doesn't know.

        With ``get_job_executable="sacct"``, the record whose id is ``job_id``, else the first of
        its array tasks (``<id>_<task>``, as sacct lists an array) or heterogeneous components
        (``<id>+<n>``), read as :class:`~qtoolkit.io.slurm_accounting.SlurmAccounting` reads it;
        without ``job_id``, the first record.
        """
        if self.get_job_executable == "sacct":
            jobs = _accounting().parse_finished_jobs_output(exit_code, stdout, stderr)
            if job_id is None:
                return next(iter(jobs), None)
            parts = (f"{job_id}_", f"{job_id}+")
            same_id = [job for job in jobs if job.job_id == job_id]
            part_of = [job for job in jobs if (job.job_id or "").startswith(parts)]
            return next(iter(same_id or part_of), None)
        out, err = as_text(stdout), as_text(stderr)
        if exit_code != 0:
            if "Invalid job id specified" in err:
                return None
            msg = f"command {self.get_job_executable} failed (exit code {exit_code}): {err}"
            raise CommandFailedError(msg, exit_code=exit_code, stderr=err)
        if self.get_job_executable != "scontrol":
            self._get_job_cmd("0")  # raises for the executables that cannot be read
        return read_scontrol_job(out, SlurmState)

    def parse_jobs_list_output(
        self,
        exit_code: int,
        stdout: str | bytes,
        stderr: str | bytes,
        job_ids: list[str] | None = None,
    ) -> list[QJob[SlurmState]]:
        """The jobs of a ``squeue`` listing; :class:`CommandFailedError` if squeue failed.

        squeue exits 0 for some failures (an unknown user), but says ``squeue: error:``.
        """
        out, err = as_text(stdout), as_text(stderr)
        if exit_code != 0 or _ERROR_LINE.search(err):
            msg = f"command squeue failed (exit code {exit_code}): {err}"
            raise CommandFailedError(msg, exit_code=exit_code, stderr=err)
        names = [name for _, name in self.squeue_fields]
        return read_squeue(out, self.split_separator, names, SlurmState)

    # -- conversions (upstream's static helpers) ----------------------------------------------

    @staticmethod
    def _convert_str_to_time(time_str: str | None) -> int | None:
        """Seconds of a SLURM duration; :class:`OutputParsingError` if it is not one."""
        return slurm_seconds(time_str)

    @staticmethod
    def _convert_memory_str(memory: str | None) -> int | None:
        """KiB of a SLURM memory amount; :class:`OutputParsingError` if it is not one."""
        return slurm_memory_kb(memory)

    @staticmethod
    def _convert_time_to_str(time: float | timedelta) -> str:
        """A duration in seconds (or a timedelta) as SLURM's ``D-H:M:S``."""
        if not isinstance(time, timedelta):
            time = timedelta(seconds=time)
        hours, remainder = divmod(time.seconds, 3600)
        minutes, seconds = divmod(remainder, 60)
        return f"{time.days}-{hours}:{minutes}:{seconds}"


def _accounting() -> SlurmAccounting:
    """The sacct reader, for ``get_job_executable="sacct"``."""
    # Imported on use: slurm_accounting reads its states with this module's SlurmState.
    from qtoolkit.io.slurm_accounting import SlurmAccounting  # noqa: PLC0415

    return SlurmAccounting()
