"""The raw SLURM commands the tests compare against: text and ``--json`` views of one job."""

from __future__ import annotations

import json
from typing import Any

from .services import wait_until
from .services.system import run

# Upstream SlurmIO's squeue columns, in its order, joined by its separator.
SQUEUE_FIELDS = ("%i", "%t", "%r", "%j", "%u", "%P", "%l", "%D", "%C", "%M", "%m")
SEPARATOR = "<><>"
SQUEUE_FORMAT = f"{SEPARATOR} ".join(SQUEUE_FIELDS)
TIME_ENV = {"SLURM_TIME_FORMAT": "standard"}


def scontrol_job(job_id: str) -> dict[str, str]:
    """``scontrol show job -o`` as key=value pairs (values without spaces only are reliable)."""
    out = run(["scontrol", "show", "job", "-o", job_id], env=TIME_ENV).stdout
    pairs = (item.split("=", 1) for item in out.split() if "=" in item)
    return dict(pairs)


def job_state(job_id: str) -> str:
    """The controller's JobState of ``job_id``."""
    return scontrol_job(job_id)["JobState"]


def wait_state(job_id: str, *states: str) -> str:
    """Wait until ``job_id`` is in one of ``states``; that state."""
    wait_until(
        lambda: job_state(job_id) in states,
        what=f"SLURM job {job_id} to reach {'/'.join(states)}",
        detail=lambda: job_state(job_id),
    )
    return job_state(job_id)


def squeue_json_jobs() -> dict[int, dict[str, Any]]:
    """Every job ``squeue --json`` lists (it ignores ``--jobs``), by id."""
    document = json.loads(run(["squeue", "--json"]).stdout)
    return {int(job["job_id"]): job for job in document["jobs"]}


def sacct_json_job(job_id: str) -> dict[str, Any] | None:
    """The accounting record ``sacct --json`` gives for ``job_id``, or None if not there yet."""
    document = json.loads(run(["sacct", "--json", "-j", job_id]).stdout)
    jobs: list[dict[str, Any]] = document["jobs"]
    return next((job for job in jobs if str(job["job_id"]) == job_id), None)


def sacct_row(job_id: str) -> dict[str, str] | None:
    """``sacct -X -P`` of ``job_id`` (state, exit code, name...), or None if not recorded yet."""
    fields = ("JobID", "JobName", "State", "ExitCode", "Partition", "Timelimit")
    out = run(
        ["sacct", "-n", "-X", "-P", "-j", job_id, "-o", ",".join(fields)], env=TIME_ENV
    ).stdout
    rows = [line.split("|") for line in out.splitlines() if line]
    matching = [row for row in rows if row[0] == job_id]
    return dict(zip(fields, matching[0], strict=True)) if matching else None


def wait_accounted(job_id: str, *states: str, name: str | None = None) -> dict[str, str]:
    """Wait until sacct reports ``job_id`` in one of ``states`` (and named ``name``); its row.

    A job that ends within a second of its submission can be listed for a moment under the name
    "allocation", before slurmdbd has its submission record: ``name`` waits for the real one.
    """

    def done() -> bool:
        row = sacct_row(job_id)
        return (
            row is not None
            and row["State"].split()[0] in states
            and (name is None or row["JobName"] == name)
        )

    wait_until(done, what=f"sacct to report job {job_id} as {'/'.join(states)}")
    row = sacct_row(job_id)
    assert row is not None
    return row
