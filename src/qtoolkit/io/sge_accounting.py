"""Grid Engine accounting: ``qacct -j`` for jobs that have left the queue."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qtoolkit.core.data_objects import QJob, QJobInfo, QState
from qtoolkit.core.exceptions import CommandFailedError, InvalidJobIDError, OutputParsingError
from qtoolkit.io.mson import MSONArguments
from qtoolkit.io.sge import SGEState

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["SGEAccounting"]

# A job number, or job number and array task ("12.3") or tasks ("12.1-4:1", as qstat lists a
# range of pending tasks; qacct -t takes the range).
_JOB_ID = re.compile(r"([0-9]+)(?:\.([0-9]+(?:-[0-9]+(?::[0-9]+)?)?))?")
_SEPARATOR = re.compile(r"={20,}")
_LEADING_INT = re.compile(r"[0-9]+")
_WALLCLOCK = re.compile(r"([0-9]+)(?:\.[0-9]*)?s")
# What qacct says about an id it has no record of, or when no job has finished yet (no file).
_NOT_FOUND = re.compile(
    r"error: job id [0-9]+ not found"
    r"|error: Job-array tasks? \S+ not found"
    r"|\S*accounting: No such file or directory"
)
_NOTHING_YET = "no jobs running since startup"
_FIELDS = (
    "qname",
    "owner",
    "jobname",
    "jobnumber",
    "taskid",
    "account",
    "slots",
    "failed",
    "exit_status",
    "ru_wallclock",
)


class SGEAccounting(MSONArguments):
    """Asks ``qacct`` for jobs' final state and exit status.

    qacct takes one job per call, so the command runs one ``qacct -j <number> [-t <task>]`` per
    id. Only finished jobs have a record. The sub-state of each is ``SGEState.FINISHED``; its
    ``state`` is ``DONE`` when Grid Engine saw no failure (``failed`` 0) and the script exited
    with 0, ``FAILED`` otherwise. ``exit_status`` is qacct's (128 plus the signal number for a
    killed job). When a job number has several records (a rerun job), the last one is kept.
    Each ``qacct`` reads the whole accounting file, so asking about many jobs at once costs one
    pass over the file per job.
    """

    def get_finished_jobs_cmd(self, job_ids: Sequence[str]) -> str:
        """One ``qacct`` per id in ``job_ids`` (job numbers, ``<number>.<task>`` or tasks)."""
        if not job_ids:
            msg = "qacct needs at least one job id (without any it would list every job)"
            raise ValueError(msg)
        commands: list[str] = []
        for job_id in job_ids:
            match = _JOB_ID.fullmatch(job_id)
            if match is None:
                # qacct reads "12,13" as 12 and a name or pattern as a job name: numbers only.
                msg = f"Job ID {job_id!r} is invalid for Grid Engine accounting"
                raise InvalidJobIDError(msg)
            number, task = match.groups()
            commands.append(f"qacct -j {number}" + (f" -t {task}" if task else ""))
        return "; ".join(commands)

    def parse_finished_jobs_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> list[QJob[SGEState]]:
        """The jobs qacct has a record of, one per id, in the order asked."""
        out = stdout.decode(errors="replace") if isinstance(stdout, bytes) else stdout
        err = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr
        # Each qacct exits 1 for an id it does not know, so the exit code of the last says little:
        # any message other than "not found" means the accounting could not be read.
        problems = [line for line in err.splitlines() if line and not _NOT_FOUND.fullmatch(line)]
        if problems:
            msg = f"qacct failed (exit code {exit_code}): {' '.join(problems)}"
            raise CommandFailedError(msg, exit_code=exit_code, stderr=err)
        jobs: dict[str, QJob[SGEState]] = {}
        for block, first_line in _blocks(out):
            job = _job(block, first_line)
            jobs.pop(job.job_id or "", None)
            jobs[job.job_id or ""] = job
        return list(jobs.values())


def _blocks(out: str) -> list[tuple[dict[str, tuple[str, int]], int]]:
    """Each record's fields (value and line number) and the number of its first line."""
    blocks: list[tuple[dict[str, tuple[str, int]], int]] = []
    for number, line in enumerate(out.splitlines(), start=1):
        if _SEPARATOR.fullmatch(line.strip()):
            blocks.append(({}, number + 1))
        elif line.strip() in ("", _NOTHING_YET):
            continue
        elif not blocks:
            msg = f"qacct output line {number}: {line!r} comes before any '=====' separator"
            raise OutputParsingError(msg, line=number)
        else:
            key, _, value = line.partition(" ")
            blocks[-1][0][key] = (value.strip(), number)
    return blocks


def _job(block: dict[str, tuple[str, int]], first_line: int) -> QJob[SGEState]:
    for field in _FIELDS:
        if field not in block:
            msg = f"qacct record starting at line {first_line} has no field {field}"
            raise OutputParsingError(msg, line=first_line, field=field)
    number = _integer(block, "jobnumber")
    task, task_line = block["taskid"]
    if task != "undefined" and not task.isdigit():
        msg = f"qacct output line {task_line}: field taskid is {task!r}, not a task number"
        raise OutputParsingError(msg, line=task_line, field="taskid")
    failed = _integer(block, "failed")
    exit_status = _integer(block, "exit_status")
    wallclock, line = block["ru_wallclock"]
    runtime = _WALLCLOCK.fullmatch(wallclock)
    if runtime is None:
        msg = f"qacct output line {line}: field ru_wallclock is {wallclock!r}, not seconds"
        raise OutputParsingError(msg, line=line, field="ru_wallclock")
    return QJob(
        name=block["jobname"][0],
        job_id=str(number) if task == "undefined" else f"{number}.{task}",
        exit_status=exit_status,
        state=QState.DONE if failed == 0 and exit_status == 0 else QState.FAILED,
        sub_state=SGEState.FINISHED,
        info=QJobInfo(cpus=_integer(block, "slots")),
        account=block["account"][0] or None,
        runtime=int(runtime[1]),
        queue_name=block["qname"][0] or None,
        username=block["owner"][0] or None,
    )


def _integer(block: dict[str, tuple[str, int]], field: str) -> int:
    # "failed" reads "100 : assumedly after job", "exit_status" "137   (Killed)": the number leads.
    value, line = block[field]
    match = _LEADING_INT.match(value)
    if match is None:
        msg = f"qacct output line {line}: field {field} is {value!r}, not a number"
        raise OutputParsingError(msg, line=line, field=field)
    return int(match[0])
