"""Sun, Son of and Univa Grid Engine (SGE): job states and :class:`SGEIO`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from qtoolkit.core.data_objects import (
    CancelResult,
    CancelStatus,
    ProcessPlacement,
    QJob,
    QState,
    QSubState,
)
from qtoolkit.core.exceptions import (
    CommandFailedError,
    OutputParsingError,
    UnsupportedResourcesError,
)
from qtoolkit.io.base import as_text, quote
from qtoolkit.io.pbs_base import PBSIOBase
from qtoolkit.io.qstat_xml import parse_qstat_xml

if TYPE_CHECKING:
    from typing import Any

    from qtoolkit.core.data_objects import QResources

__all__ = ["SGEIO", "SGEState"]


class SGEState(QSubState):
    """A Grid Engine job state, as the state code ``qstat`` prints (``qw``, ``r``, ``Eqw``...)."""

    # The codes qstat combines (sge_status(5)) that upstream's members lack are aliases of the
    # member they mean, so a listing holding one reads instead of failing: a job suspended with
    # its queue (S), by an alarm (T), while transferring or after a restart; a running job under
    # a hold (hr); a restarted job running or transferring (Rr, Rt); a held re-queued job (hRwq).
    FINISHED = "z"
    QUEUED_WAITING = "qw"
    WAITING = "w"
    JOB_SUSPENDED = "s", "ts", "S", "tS", "T", "tT", "Rs", "Rts", "RS", "RtS", "RT", "RtT"
    TRANSFERRING = "t"
    RUNNING = "r", "hr"
    HOLD = "hqw", "hRwq"
    RESTARTED = "R", "Rr", "Rt"
    DELETION = "d"
    ERROR_PENDING = "Eqw"
    ERROR_PENDING_HOLD = "Ehqw"
    ERROR_PENDING_HOLD_REQUEUE = "EhRqw"
    DELETION_RUNNING = "dr"
    DELETION_TRANSFERRING = "dt"
    DELETION_RUNNING_RESUBMIT = "dRr"
    DELETION_TRANSFERRING_RESUBMIT = "dRt"
    DELETION_SUSPENDED_JOB = "ds"
    DELETION_SUSPENDED_QUEUE = "dS"
    DELETION_SUSPENDED_ALARM = "dT"
    DELETION_SUSPENDED_RESUBMIT_JOB = "dRs"
    DELETION_SUSPENDED_RESUBMIT_QUEUE = "dRS"
    DELETION_SUSPENDED_RESUBMIT_ALARM = "dRT"

    @property
    def qstate(self) -> QState:
        """The standardized QState of this Grid Engine state."""
        return _QSTATE_OF[self]


# Same mapping as upstream qtoolkit 0.1.7, so both packages agree on every job.
_QSTATE_OF: dict[SGEState, QState] = {
    SGEState.FINISHED: QState.DONE,
    SGEState.QUEUED_WAITING: QState.QUEUED,
    SGEState.WAITING: QState.QUEUED,
    SGEState.HOLD: QState.QUEUED_HELD,
    # E: the job could not be started and waits in error; it will not run without intervention.
    SGEState.ERROR_PENDING: QState.FAILED,
    SGEState.ERROR_PENDING_HOLD: QState.FAILED,
    SGEState.ERROR_PENDING_HOLD_REQUEUE: QState.FAILED,
    SGEState.RUNNING: QState.RUNNING,
    SGEState.TRANSFERRING: QState.RUNNING,
    SGEState.RESTARTED: QState.RUNNING,
    SGEState.JOB_SUSPENDED: QState.SUSPENDED,
    SGEState.DELETION: QState.FAILED,
    SGEState.DELETION_RUNNING: QState.FAILED,
    SGEState.DELETION_TRANSFERRING: QState.FAILED,
    SGEState.DELETION_RUNNING_RESUBMIT: QState.FAILED,
    SGEState.DELETION_TRANSFERRING_RESUBMIT: QState.FAILED,
    # A suspended job being deleted reports SUSPENDED rather than FAILED like the other deletion
    # states: upstream's choice (the job is still suspended until the deletion completes), kept.
    SGEState.DELETION_SUSPENDED_JOB: QState.SUSPENDED,
    SGEState.DELETION_SUSPENDED_QUEUE: QState.SUSPENDED,
    SGEState.DELETION_SUSPENDED_ALARM: QState.SUSPENDED,
    SGEState.DELETION_SUSPENDED_RESUBMIT_JOB: QState.SUSPENDED,
    SGEState.DELETION_SUSPENDED_RESUBMIT_QUEUE: QState.SUSPENDED,
    SGEState.DELETION_SUSPENDED_RESUBMIT_ALARM: QState.SUSPENDED,
}


_STATES: dict[str, SGEState] = {value: state for state in SGEState for value in state.all_values}
# qsub: "Your job 12 ("name") has been submitted", or for an array
# "Your job-array 12.1-3:1 ("name") has been submitted".
_SUBMITTED = re.compile(r'Your job(?:-array)? (\d+)(?:\.\S+)? \(".*?"\) has been submitted')
# qdel of Grid Engine 8.1 prints on stdout "<user> has registered the job 12 for deletion" (a
# running job), "<user> has deleted job 12" (a pending one), "... the job-array task 12.1 for
# deletion", "<user> has deleted job-array task 12.5" (a pending task) or "... job-array tasks
# 1-4:1 of job 12" (pending tasks); older releases print "qdel: job 12 deleted" on stderr.
_DELETED = re.compile(
    r"has registered the job(?:-array task)? (\d+)\S* for deletion"
    r"|has deleted job(?:-array task)? (\d+)"
    r"|has deleted job-array tasks \S+ of job (\d+)"
    r"|job (\d+) deleted"
)
# Characters qsub refuses in a job name: white space, /, @, *, \ and : (upstream's list), and any
# character outside ASCII, which Grid Engine 8.1.9 also refuses.
_JOB_NAME_UNSAFE = re.compile(r"[\s/@*\\:]|[^\x00-\x7f]")
_ANY_USER = '-u "*"'
# An array task or tasks, as the listing names them: 183.2, 183.1-4:1.
_TASKS_OF_JOB = re.compile(r"([0-9]+)\.([0-9]+(?:-[0-9]+(?::[0-9]+)?)?)")


class SGEIO(PBSIOBase[SGEState]):
    """Scripts, commands and output parsing for Grid Engine.

    Jobs are listed with ``qstat -ext -urg -xml -r`` and read by
    :func:`~qtoolkit.io.qstat_xml.parse_qstat_xml`; ``get_job_executable`` names the command in
    the message of a failed query.
    """

    header_template: str
    header_template_file: str | None = "sge"

    SUBMIT_CMD: str | None = "qsub"
    CANCEL_CMD: str | None = "qdel"
    # A job number, upstream's forms (a job.host suffix, a PBS-like [tasks]), and the array task
    # ids the listing gives: 183.2, 183.1-4:1.
    job_id_regex: str | None = r"^\d+(\.\d+-\d+(:\d+)?|\.[\w.-]+)?(\[\d+(-\d+)?(,\d+)*\])?$"
    system_name: str = "SGE"
    default_unit: str = "M"
    power_labels: ClassVar[dict[str, int]] = {"k": 0, "m": 1, "g": 2, "t": 3}
    _qresources_mapping: ClassVar[dict[str, str]] = {
        "queue_name": "queue",
        "job_name": "job_name",
        "priority": "priority",
        "output_filepath": "qout_path",
        "error_filepath": "qerr_path",
        "project": "group_list",
    }

    def __init__(self, get_job_executable: str = "qstat") -> None:
        super().__init__()
        self.get_job_executable = get_job_executable

    def extract_job_id(self, stdout: str) -> str | None:
        """The job id in the output of ``qsub`` (the array's id for an array job).

        Raises :class:`OutputParsingError` when the output does not announce a submission.
        """
        match = _SUBMITTED.search(stdout)
        if not match:
            msg = f"Failed to parse job ID from stdout: {stdout.strip()!r}"
            raise OutputParsingError(msg)
        return match.group(1)

    def extract_job_id_from_cancel(self, stderr: str) -> str | None:
        """The job id in the output of a successful ``qdel``.

        Raises :class:`OutputParsingError` when the output does not announce a deletion.
        """
        match = _DELETED.search(stderr)
        if not match:
            msg = f"Failed to parse job ID from the output of qdel: {stderr.strip()!r}"
            raise OutputParsingError(msg)
        return next(group for group in match.groups() if group)

    def parse_cancel_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> CancelResult:
        """The result of ``qdel``: FAILED on a non-zero exit code, else the job it deleted.

        Grid Engine 8.1 reports a deletion on stdout, older releases on stderr: both are read.
        Output that announces no deletion gives ``JOB_ID_UNKNOWN``.
        """
        stdout, stderr = as_text(stdout), as_text(stderr)
        if exit_code != 0:
            return CancelResult(
                exit_code=exit_code, stdout=stdout, stderr=stderr, status=CancelStatus.FAILED
            )
        try:
            job_id = self.extract_job_id_from_cancel(f"{stdout}\n{stderr}")
        except OutputParsingError:
            job_id = None
        return CancelResult(
            job_id=job_id,
            exit_code=exit_code,
            stdout=stdout,
            stderr=stderr,
            status=CancelStatus.SUCCESSFUL if job_id else CancelStatus.JOB_ID_UNKNOWN,
        )

    def get_cancel_cmd(self, job: QJob[Any] | int | str) -> str:
        """``qdel`` of ``job``: of an array task ``183.2`` (tasks ``183.1-4:1``), ``qdel 183 -t 2``.

        Raises :class:`InvalidJobIDError` for an id that is not valid.
        """
        job_id = self._cancel_id(job)
        match = _TASKS_OF_JOB.fullmatch(job_id)
        if match is None:
            return f"{self.CANCEL_CMD} {quote(job_id)}"
        return f"{self.CANCEL_CMD} {match[1]} -t {match[2]}"

    def _get_jobs_list_cmd(self, job_ids: list[str] | None = None, user: str | None = None) -> str:
        # qstat cannot select jobs by id in its job listing: the listing shows every job of the
        # user (of every user by default, like the other schedulers) and the parser keeps the
        # jobs asked for.
        command = self._get_qstat_base_command()
        command.append(f"-u {user}" if user else _ANY_USER)
        return " ".join(command)

    def _get_qstat_base_command(self) -> list[str]:
        # -r adds each job's hard requests (h_rt, memory), which hold its time limit.
        return ["qstat", "-ext", "-urg", "-xml", "-r"]

    def _get_job_ids_flag(self, job_ids_str: str) -> str:
        msg = "Querying by job IDs is not supported for SGE."
        raise NotImplementedError(msg)

    def _get_job_cmd(self, job_id: str) -> str:
        return f"{' '.join(self._get_qstat_base_command())} {_ANY_USER}"

    def parse_job_output(
        self,
        exit_code: int,
        stdout: str | bytes,
        stderr: str | bytes,
        job_id: str | None = None,
    ) -> QJob[SGEState] | None:
        """The job ``job_id`` of a ``qstat -xml`` job listing, or ``None`` if it is not listed.

        Raises ``RuntimeError`` without ``job_id``: the listing shows every job.
        """
        if job_id is None:
            msg = "job_id should be passed for sge."
            raise RuntimeError(msg)
        jobs = self.parse_jobs_list_output(exit_code, stdout, stderr, job_ids=[job_id])
        return jobs[0] if jobs else None

    def parse_jobs_list_output(
        self,
        exit_code: int,
        stdout: str | bytes,
        stderr: str | bytes,
        job_ids: list[str] | None = None,
    ) -> list[QJob[SGEState]]:
        """The jobs of a ``qstat -xml`` job listing (only those in ``job_ids``, when given).

        A non-zero exit code raises :class:`CommandFailedError`.
        """
        stdout, stderr = as_text(stdout), as_text(stderr)
        if exit_code != 0:
            msg = f"command {self.get_job_executable or 'qacct'} failed: {stderr}"
            raise CommandFailedError(msg, exit_code=exit_code, stderr=stderr)
        return parse_qstat_xml(
            stdout,
            states=_STATES,
            convert_memory=self._convert_memory_str,
            convert_time=self._convert_str_to_time,
            job_ids=job_ids,
        )

    @staticmethod
    def _convert_str_to_time(time_str: str | None) -> int | None:
        """Seconds of a Grid Engine duration ``[[H:]M:]S`` (``None`` for no value)."""
        if time_str is None:
            return None
        parts = time_str.split(":")
        if len(parts) > 3:
            msg = f"Invalid time format: {time_str}"
            raise OutputParsingError(msg)
        try:
            numbers = [int(part) for part in parts]
        except ValueError as exc:
            msg = f"Invalid time format: {time_str}"
            raise OutputParsingError(msg) from exc
        seconds = 0
        for number in numbers:
            seconds = seconds * 60 + number
        return seconds

    def _convert_qresources(self, resources: QResources) -> dict[str, Any]:
        """The template values of ``resources``, as Grid Engine takes them.

        Grid Engine 8.1.9 refuses what upstream writes for PBS: ``-l select=...`` (unknown
        resource), ``-binding scatter`` and ``-W group_list=...``. A job's slots (processes
        times threads) need a parallel environment, named by the site, given as
        ``scheduler_kwargs={"model": "<pe> <slots>"}`` (``#$ -pe``); without one, a job of more
        than one slot raises :class:`UnsupportedResourcesError`. The memory per thread is each
        slot's ``h_vmem`` limit (the ``#$ -l`` line), the project is ``#$ -P``.
        """
        header = super()._convert_qresources(resources)
        del header["select"]
        # Where a parallel job's slots go is the allocation rule of its parallel environment;
        # "-binding scatter" and "-binding pack" are refused (binding takes a core strategy).
        header.pop("place", None)
        # A Grid Engine project is "-P" (the template's "device" line); "-W" is refused.
        if "group_list" in header:
            header["device"] = header.pop("group_list")
        nodes, processes, per_node = resources.get_processes_distribution()
        if resources.process_placement == ProcessPlacement.NO_CONSTRAINTS:
            count = processes or 1
        else:
            count = (nodes or 1) * (per_node or 1)
        slots = count * (resources.threads_per_process or 1)
        if slots > 1 and "model" not in header:
            msg = (
                f"processes: Grid Engine runs a job of {slots} slots in a parallel environment; "
                f'name the site\'s one as scheduler_kwargs={{"model": "<pe> {slots}"}}'
            )
            raise UnsupportedResourcesError(msg)
        if resources.memory_per_thread:
            header["select"] = f"h_vmem={resources.memory_per_thread}M"
        return header

    def _add_soft_walltime(self, header_dict: dict[str, Any], resources: QResources) -> None:
        """Grid Engine warns a job (SIGUSR1) at 99% of its time limit: ``s_rt``."""
        # Called only for a time limit, as upstream does.
        header_dict["soft_walltime"] = self._convert_time_to_str((resources.time_limit or 0) * 0.99)

    def sanitize_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Replace the characters Grid Engine refuses in the job name by ``_``."""
        if "job_name" in options:
            options = dict(options)
            options["job_name"] = _JOB_NAME_UNSAFE.sub("_", str(options["job_name"]))
        return options
