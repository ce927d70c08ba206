"""PBS Pro, OpenPBS and Torque: job states and :class:`PBSIO`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from qtoolkit.core.data_objects import QState, QSubState
from qtoolkit.core.exceptions import CommandFailedError, OutputParsingError
from qtoolkit.io.base import as_text
from qtoolkit.io.pbs_base import PBSIOBase
from qtoolkit.io.qstat_full import parse_qstat_full

if TYPE_CHECKING:
    from typing import Any

    from qtoolkit.core.data_objects import QJob

__all__ = ["PBSIO", "PBSState"]


class PBSState(QSubState):
    """A PBS job state, as the one-letter code ``qstat`` prints."""

    ARRAY_RUNNING = "B"
    EXITING = "E"
    FINISHED = "F"
    HELD = "H"
    MOVED = "M"
    QUEUED = "Q"
    RUNNING = "R"
    SUSPENDED = "S"
    TRANSITING = "T"
    SUSPENDED_KEYBOARD = "U"
    WAITING = "W"
    ARRAY_FINISHED = "X"

    @property
    def qstate(self) -> QState:
        """The standardized QState of this PBS state."""
        return _QSTATE_OF[self]


# Same mapping as upstream qtoolkit 0.1.7, so both packages agree on every job.
_QSTATE_OF: dict[PBSState, QState] = {
    PBSState.ARRAY_RUNNING: QState.RUNNING,
    # E: the job is exiting after having run; it still holds its nodes.
    PBSState.EXITING: QState.RUNNING,
    PBSState.FINISHED: QState.DONE,
    PBSState.HELD: QState.QUEUED_HELD,
    # M (moved to another server) and T (being moved to a new location) are queued elsewhere rather
    # than re-queued by the scheduler; upstream reports REQUEUED for both and so do we.
    PBSState.MOVED: QState.REQUEUED,
    PBSState.QUEUED: QState.QUEUED,
    PBSState.RUNNING: QState.RUNNING,
    PBSState.SUSPENDED: QState.SUSPENDED,
    PBSState.TRANSITING: QState.REQUEUED,
    PBSState.SUSPENDED_KEYBOARD: QState.SUSPENDED,
    # W: waiting for its requested execution time or for stage-in.
    PBSState.WAITING: QState.QUEUED,
    # X: a finished subjob of an array; its exit status is not known here, so DONE like F.
    PBSState.ARRAY_FINISHED: QState.DONE,
}


_STATES: dict[str, PBSState] = {state.value: state for state in PBSState}
# qstat exits non-zero when one of the jobs asked for is unknown or finished, but still lists the
# others: those messages alone are not a failure.
_TOLERATED_ERRORS = ("Unknown Job Id", "Job has finished")
# Characters qsub accepts in a job name (others are replaced by "_").
_JOB_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_\-+.]")


class PBSIO(PBSIOBase[PBSState]):
    """Scripts, commands and output parsing for PBS Pro, OpenPBS and Torque.

    Jobs are listed with ``qstat -f -w`` and read by
    :func:`~qtoolkit.io.qstat_full.parse_qstat_full`.
    """

    header_template: str
    header_template_file: str | None = "pbs"

    SUBMIT_CMD: str | None = "qsub"
    CANCEL_CMD: str | None = "qdel"
    system_name: str = "PBS"
    default_unit: str = "mb"
    power_labels: ClassVar[dict[str, int]] = {"kb": 0, "mb": 1, "gb": 2, "tb": 3}
    _qresources_mapping: ClassVar[dict[str, str]] = {
        "queue_name": "queue",
        "job_name": "job_name",
        "account": "account",
        "priority": "priority",
        "output_filepath": "qout_path",
        "error_filepath": "qerr_path",
        "project": "group_list",
    }

    def extract_job_id(self, stdout: str) -> str | None:
        """The job id ``qsub`` printed: its last non-empty line (``None`` if there is none)."""
        lines = stdout.strip().splitlines()
        return lines[-1].strip() if lines else None

    def extract_job_id_from_cancel(self, stderr: str) -> str | None:
        """``None``: a successful ``qdel`` prints nothing."""
        return None

    def _get_jobs_list_cmd(self, job_ids: list[str] | None = None, user: str | None = None) -> str:
        if user and job_ids:
            self._check_user_and_job_ids_conflict()
        command = self._get_qstat_base_command()
        if user:
            command.append(f"-u {user}")
        if job_ids:
            command.append(self._get_job_ids_flag(" ".join(job_ids)))
        return " ".join(command)

    def _get_qstat_base_command(self) -> list[str]:
        return ["qstat", "-f", "-w"]

    def _get_job_cmd(self, job_id: str) -> str:
        return f"{' '.join(self._get_qstat_base_command())} {job_id}"

    def _get_job_ids_flag(self, job_ids_str: str) -> str:
        return job_ids_str

    def parse_job_output(
        self,
        exit_code: int,
        stdout: str | bytes,
        stderr: str | bytes,
        job_id: str | None = None,
    ) -> QJob[PBSState] | None:
        """The first job of a ``qstat -f`` output, or ``None`` if it lists none."""
        jobs = self.parse_jobs_list_output(exit_code, stdout, stderr)
        return jobs[0] if jobs else None

    def parse_jobs_list_output(
        self,
        exit_code: int,
        stdout: str | bytes,
        stderr: str | bytes,
        job_ids: list[str] | None = None,
    ) -> list[QJob[PBSState]]:
        """The jobs of a ``qstat -f`` output.

        ``job_ids`` is not used, as upstream: the command already names the jobs, and the ids
        ``qstat`` prints may be spelled otherwise (a longer server name) than those asked for.
        A non-zero exit code raises :class:`CommandFailedError`, unless ``stderr`` only says that
        some of the jobs asked for are unknown or finished.
        """
        stdout, stderr = as_text(stdout), as_text(stderr)
        if exit_code != 0 and not any(message in stderr for message in _TOLERATED_ERRORS):
            msg = f"command qstat failed: {stderr}"
            raise CommandFailedError(msg, exit_code=exit_code, stderr=stderr)
        return parse_qstat_full(
            stdout,
            states=_STATES,
            convert_memory=self._convert_memory_str,
            convert_time=self._convert_str_to_time,
        )

    @staticmethod
    def _convert_str_to_time(time_str: str | None) -> int | None:
        """Seconds of a PBS duration ``[[[D:]H:]M:]S`` (``None`` for an empty or no value)."""
        if not time_str:
            return None
        parts = time_str.split(":")
        if len(parts) > 4:
            msg = f"Invalid time format: {time_str}"
            raise OutputParsingError(msg)
        try:
            numbers = [int(part) for part in reversed(parts)]
        except ValueError as exc:
            msg = f"Invalid time format: {time_str}"
            raise OutputParsingError(msg) from exc
        seconds = 0
        for number, weight in zip(numbers, (1, 60, 3600, 86400), strict=False):
            seconds += number * weight
        return seconds

    def sanitize_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Replace the characters qsub refuses in the job name by ``_``."""
        if "job_name" in options:
            options = dict(options)
            options["job_name"] = _JOB_NAME_UNSAFE.sub("_", str(options["job_name"]))
        return options
