"""Plain processes as jobs: the shell "scheduler" (``bash`` to run, ``ps`` to list, ``kill``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from qtoolkit.core.data_objects import (
    CancelResult,
    CancelStatus,
    QState,
    QSubState,
    SubmissionResult,
)
from qtoolkit.core.exceptions import CommandFailedError
from qtoolkit.io.base import (
    BaseSchedulerIO,
    as_text,
    mapped_options,
    quote,
    submission_result,
)
from qtoolkit.io.shell_output import TruncatedUsernameError, ps_seconds, read_ps

if TYPE_CHECKING:
    from pathlib import Path

    from qtoolkit.core.data_objects import QJob, QResources

__all__ = ["ShellIO", "ShellState", "TruncatedUsernameError"]


class ShellState(QSubState):
    """A process state code from the STAT column of ``ps``."""

    UNINTERRUPTIBLE_SLEEP = "D"
    RUNNING = "R"
    INTERRUPTIBLE_SLEEP = "S"
    STOPPED = "T"
    STOPPED_DEBUGGER = "t"
    PAGING = "W"
    DEAD = "X"
    DEFUNCT = "Z"
    # Linux 4.14+ shows idle kernel threads as I, and ps -U root lists them. Not in upstream.
    IDLE = "I"

    @property
    def qstate(self) -> QState:
        """The standardized QState of this process state."""
        return _QSTATE_OF[self]


# Same mapping as upstream qtoolkit 0.1.7, so both packages agree on every job.
_QSTATE_OF: dict[ShellState, QState] = {
    # A sleeping process is still a running job, only waiting for I/O or an event.
    ShellState.UNINTERRUPTIBLE_SLEEP: QState.RUNNING,
    ShellState.RUNNING: QState.RUNNING,
    ShellState.INTERRUPTIBLE_SLEEP: QState.RUNNING,
    ShellState.STOPPED: QState.SUSPENDED,
    ShellState.STOPPED_DEBUGGER: QState.SUSPENDED,
    ShellState.PAGING: QState.RUNNING,
    ShellState.DEAD: QState.DONE,
    # A zombie has exited but its exit status is not known from ps alone, so it cannot be told
    # apart from a failure; upstream reports DONE and so do we.
    ShellState.DEFUNCT: QState.DONE,
    ShellState.IDLE: QState.RUNNING,
}


class ShellIO(BaseSchedulerIO[ShellState]):
    """Jobs run as background processes of a shell, listed with ``ps`` and killed with ``kill``.

    ``ps`` on Linux cuts user names longer than its column (7-8 characters) and marks them with a
    ``+``: ``username_maxchars`` widens the column (``user:NN``; not accepted by macOS's ``ps``,
    which never cuts), and ``ps_username_strict`` makes a cut name an error.

    A job started in the background runs in a process group of its own (with ``setsid`` where
    the host has it), so that cancelling it kills every process it started, not only its shell.
    """

    header_template: str
    header_template_file: str | None = "shell"

    CANCEL_CMD: str | None = "kill -9"

    CANCEL_GROUP_CMD: str | None = "kill -9"
    """Kills a job's process group, given as ``-<pid>`` right after the signal option (which
    must be there: ``kill -<pid>`` would read the pid as a signal); None kills the process only."""

    job_id_regex: str | None = r"^[1-9]\d*$"

    _qresources_mapping: ClassVar[dict[str, str]] = {
        "job_name": "job_name",
        "output_filepath": "qout_path",
        "error_filepath": "qerr_path",
    }

    def __init__(
        self,
        blocking: bool = False,
        stdout_path: str | Path = "stdout",
        stderr_path: str | Path = "stderr",
        ps_username_strict: bool = False,
        username_maxchars: int | None = None,
    ) -> None:
        """Configure how scripts run and how ``ps`` is read.

        ``blocking``: wait for the script (else run it with ``nohup`` in the background and print
        its pid). ``stdout_path`` / ``stderr_path``: where the script's outputs go.
        ``ps_username_strict``: a user name ``ps`` cut short is an error.
        ``username_maxchars``: width of the user column of ``ps`` (``None``: its default).
        """
        if not _is_column_width(username_maxchars):
            msg = f"username_maxchars must be a positive int or None, not {username_maxchars!r}"
            raise ValueError(msg)
        self.blocking = blocking
        self.stdout_path = stdout_path
        self.stderr_path = stderr_path
        self.ps_username_strict = ps_username_strict
        self.username_maxchars = username_maxchars

    # -- scripts ------------------------------------------------------------------------------

    def sanitize_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Quote every value: the header of a shell script is shell commands."""
        return {
            key: value if key == "qverbatim" else quote(str(value))
            for key, value in options.items()
        }

    def _convert_qresources(self, resources: QResources) -> dict[str, Any]:
        return mapped_options(resources, self._qresources_mapping)

    @property
    def supported_qresources_keys(self) -> list[str]:
        """The QResources fields a shell script honours."""
        return list(self._qresources_mapping)

    # -- commands -----------------------------------------------------------------------------

    def get_submit_cmd(self, script_file: str | Path | None = "submit.script") -> str:
        """Run ``script_file`` with bash; in the background, printing its pid, unless blocking."""
        command = (
            f"bash {quote(script_file) if script_file else ''} > {quote(self.stdout_path)} "
            f"2> {quote(self.stderr_path)}"
        )
        if not self.blocking:
            # nohup and redirected outputs let the process outlive a remote session (fabric).
            # setsid makes it the leader of its own process group (a background child of a
            # shell without job control is no group leader, so setsid runs it without forking
            # and $! stays its pid); where setsid is missing the word expands to nothing.
            command = f"nohup $(command -v setsid) {command} & echo $!"
        return command

    def get_cancel_cmd(self, job: QJob[Any] | int | str) -> str:
        """Kill the job's process group, or its process alone when it leads no group.

        A job submitted without a group of its own (by an older release, or where ``setsid`` is
        missing) is killed as before; the exit status and error are those of that ``kill``.
        """
        job_id = quote(self._cancel_id(job))
        kill_process = f"{self.CANCEL_CMD} {job_id}"
        if self.CANCEL_GROUP_CMD is None:
            return kill_process
        # No "--" before the negative id: dash's kill refuses it after -9.
        return f"{self.CANCEL_GROUP_CMD} -{job_id} 2>/dev/null || {kill_process}"

    def _get_job_cmd(self, job_id: str) -> str:
        return self._get_jobs_list_cmd(job_ids=[job_id])

    def _get_jobs_list_cmd(self, job_ids: list[str] | None = None, user: str | None = None) -> str:
        if user and job_ids:
            msg = (
                "Cannot query by user and job(s) with ps, "
                "as the user option will override the ids list"
            )
            raise ValueError(msg)
        # etime rather than etimes: older ps do not have etimes.
        user_field = "user" if self.username_maxchars is None else f"user:{self.username_maxchars}"
        command = ["ps", f"-o pid,{user_field},etime,state,comm"]
        if user:
            command.append(f"-U {user}")
        if job_ids:
            command.append("-p " + ",".join(job_ids))
        return " ".join(command)

    # -- parsing ------------------------------------------------------------------------------

    def parse_submit_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> SubmissionResult:
        """The pid the background submission printed (none when blocking)."""
        return submission_result(exit_code, stdout, stderr, str.strip)

    def parse_cancel_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> CancelResult:
        """The result of ``kill``: FAILED when it exits non-zero (e.g. no such process)."""
        out, err = as_text(stdout), as_text(stderr)
        status = CancelStatus.SUCCESSFUL if exit_code == 0 else CancelStatus.FAILED
        return CancelResult(exit_code=exit_code, stdout=out, stderr=err, status=status)

    def parse_job_output(
        self,
        exit_code: int,
        stdout: str | bytes,
        stderr: str | bytes,
        job_id: str | None = None,
    ) -> QJob[ShellState] | None:
        """The first process ``ps`` lists, or None when it lists none."""
        jobs = self.parse_jobs_list_output(exit_code, stdout, stderr)
        return jobs[0] if jobs else None

    def parse_jobs_list_output(
        self,
        exit_code: int,
        stdout: str | bytes,
        stderr: str | bytes,
        job_ids: list[str] | None = None,
    ) -> list[QJob[ShellState]]:
        """The processes of a ``ps`` listing (its first line is the header).

        ``ps -p`` exits 1 when none of the pids exists, saying nothing: that is an empty list; a
        failure with a message on stderr raises :class:`CommandFailedError`.
        """
        out, err = as_text(stdout), as_text(stderr)
        if exit_code != 0 and err.strip():
            msg = f"command ps failed (exit code {exit_code}): stdout: {out}. stderr: {err}"
            raise CommandFailedError(msg, exit_code=exit_code, stderr=err)
        return read_ps(out, ShellState, strict_usernames=self.ps_username_strict)

    @staticmethod
    def _convert_str_to_time(time_str: str | None) -> int | None:
        """Seconds of a ``ps`` elapsed time, ``[[DD-]hh:]mm:ss``; None for an empty one."""
        return ps_seconds(time_str)


def _is_column_width(value: object) -> bool:
    """None or a positive int (it goes into the ps command)."""
    return value is None or (type(value) is int and value > 0)
