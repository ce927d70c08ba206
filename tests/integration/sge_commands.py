"""The raw Grid Engine commands the tests compare against."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .services import wait_until
from .services.gridengine import ENV
from .services.system import run

# Upstream SGEIO's job-list command, as an argument list.
QSTAT_ALL = ["qstat", "-ext", "-urg", "-xml", "-u", "*"]


def qstat_states() -> dict[str, str]:
    """Each listed job's id and state code (``qw``, ``hqw``, ``r``...) from ``qstat -xml``."""
    root = ET.fromstring(run(QSTAT_ALL, env=ENV).stdout)
    return {
        job.findtext("JB_job_number", ""): job.findtext("state", "")
        for job in root.iter("job_list")
    }


def qacct(job_id: str) -> dict[str, str] | None:
    """``qacct -j`` of ``job_id`` as key/value pairs, or None while the job is not accounted."""
    result = run(["qacct", "-j", job_id], env=ENV, check=False)
    if result.returncode != 0:
        return None
    pairs = (line.split(None, 1) for line in result.stdout.splitlines() if " " in line)
    return {key: value.strip() for key, value in pairs}


def finished(job_id: str) -> bool:
    """Whether qacct has ``job_id`` and qmaster forgot it (``qstat -j`` no longer knows it)."""
    return (
        qacct(job_id) is not None
        and job_id not in qstat_states()
        and run(["qstat", "-j", job_id], env=ENV, check=False).returncode == 1
    )


def wait_qstat_state(job_id: str, state: str) -> None:
    """Wait until qstat lists ``job_id`` in ``state``."""
    wait_until(
        lambda: qstat_states().get(job_id) == state,
        what=f"SGE job {job_id} to be {state}",
        detail=lambda: repr(qstat_states().get(job_id)),
    )


def wait_accounted(job_id: str) -> dict[str, str]:
    """Wait until qacct knows the finished ``job_id`` and qmaster has let it go; its record.

    The accounting line is written before qmaster drops the job: in between, ``qdel`` still
    answers "already in deletion".
    """
    wait_until(lambda: finished(job_id), what=f"qacct -j {job_id} and qstat without it")
    record = qacct(job_id)
    assert record is not None
    return record
