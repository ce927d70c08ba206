"""SLURM accounting: ``sacct`` for jobs that have left the queue (needs ``slurmdbd``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qtoolkit.core.data_objects import QJob, QJobInfo, QState
from qtoolkit.core.exceptions import CommandFailedError, InvalidJobIDError, OutputParsingError
from qtoolkit.io.mson import MSONArguments
from qtoolkit.io.slurm import SlurmState

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["SACCT_COLUMNS", "SlurmAccounting"]

SACCT_COLUMNS = (
    "JobID",
    "State",
    "ExitCode",
    "User",
    "Account",
    "Partition",
    "ElapsedRaw",
    "NNodes",
    "NCPUS",
    "TimelimitRaw",
    # Last: a job name may hold the "|" separator, and whatever follows the tenth one is the name.
    "JobName",
)
"""The ``sacct`` columns asked for and parsed, in order."""

# A job, an array task (123_4) or a heterogeneous job component (123+1).
_JOB_ID = re.compile(r"[0-9]+(?:[_+][0-9]+)?")
_EXIT_CODE = re.compile(r"([0-9]+):([0-9]+)")
# States sacct prints that squeue does not, so SlurmState has no member for them.
_ACCOUNTING_ONLY_STATES = {"REQUEUED": QState.REQUEUED}
# TimelimitRaw of a job without a limit of its own.
_NO_TIME_LIMIT = frozenset({"", "UNLIMITED", "Partition_Limit", "INVALID"})


class SlurmAccounting(MSONArguments):
    """Asks ``sacct`` for jobs' final state, exit status and usage.

    One line per job allocation (``--allocations``: job steps are left out), ``|``-separated
    (``--parsable2``), exactly the :data:`SACCT_COLUMNS`. A job's ``exit_status`` is its batch
    script's exit code, or 128 plus the signal number when a signal ended it (a shell's ``$?``).
    sacct knows running and pending jobs too; their records say so through ``state``.
    """

    def get_finished_jobs_cmd(self, job_ids: Sequence[str]) -> str:
        """``sacct`` for ``job_ids`` (plain, array-task or heterogeneous-component ids)."""
        if not job_ids:
            msg = "sacct needs at least one job id (without any it would list every job)"
            raise ValueError(msg)
        for job_id in job_ids:
            if not _JOB_ID.fullmatch(job_id):
                msg = f"Job ID {job_id!r} is invalid for SLURM"
                raise InvalidJobIDError(msg)
        return (
            "sacct --allocations --parsable2 --noheader "
            f"--format={','.join(SACCT_COLUMNS)} --jobs={','.join(job_ids)}"
        )

    def parse_finished_jobs_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> list[QJob[SlurmState]]:
        """The jobs sacct lists (an id it does not know is simply absent)."""
        out = stdout.decode(errors="replace") if isinstance(stdout, bytes) else stdout
        err = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
        if exit_code != 0:
            msg = f"sacct failed with exit code {exit_code}: {err.strip()}"
            raise CommandFailedError(msg, exit_code=exit_code, stderr=err)
        return [
            _parse_line(line, number)
            for number, line in enumerate(out.splitlines(), start=1)
            if line.strip()
        ]


def _parse_line(line: str, number: int) -> QJob[SlurmState]:
    values = line.split("|", len(SACCT_COLUMNS) - 1)
    if len(values) != len(SACCT_COLUMNS):
        msg = (
            f"sacct output line {number} has {len(values)} fields, expected "
            f"{len(SACCT_COLUMNS)} ({'|'.join(SACCT_COLUMNS)}): {line!r}"
        )
        raise OutputParsingError(msg, line=number, field=SACCT_COLUMNS[len(values)])
    job_id, state, exit_code, user, account, partition = values[:6]
    elapsed, nodes, cpus, time_limit, name = values[6:]
    sub_state, qstate = _state(state, number)
    return QJob(
        name=name,
        job_id=job_id,
        exit_status=_exit_status(exit_code, number),
        state=qstate,
        sub_state=sub_state,
        info=QJobInfo(
            nodes=_count(nodes, "NNodes", number),
            cpus=_count(cpus, "NCPUS", number),
            time_limit=None
            if time_limit in _NO_TIME_LIMIT
            else 60 * _count(time_limit, "TimelimitRaw", number),
        ),
        account=account or None,
        runtime=_count(elapsed, "ElapsedRaw", number),
        queue_name=partition or None,
        username=user or None,
    )


def _state(text: str, number: int) -> tuple[SlurmState | None, QState]:
    # A cancelled job reads "CANCELLED by <uid>"; the state is the first word.
    word = text.split(" ", 1)[0]
    try:
        sub_state = SlurmState(word)
    except ValueError:
        if word in _ACCOUNTING_ONLY_STATES:
            return None, _ACCOUNTING_ONLY_STATES[word]
        msg = f"sacct output line {number}: unknown job state {text!r} in field State"
        raise OutputParsingError(msg, line=number, field="State") from None
    return sub_state, sub_state.qstate


def _exit_status(text: str, number: int) -> int:
    match = _EXIT_CODE.fullmatch(text)
    if match is None:
        msg = f"sacct output line {number}: field ExitCode is {text!r}, not <code>:<signal>"
        raise OutputParsingError(msg, line=number, field="ExitCode")
    code, signal = int(match[1]), int(match[2])
    return 128 + signal if signal else code


def _count(text: str, field: str, number: int) -> int:
    if not text.isascii() or not text.isdigit():
        msg = f"sacct output line {number}: field {field} is {text!r}, not a whole number"
        raise OutputParsingError(msg, line=number, field=field)
    return int(text)
