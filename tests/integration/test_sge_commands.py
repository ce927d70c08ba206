"""Grid Engine through its own commands: the cell takes, lists, deletes and accounts jobs."""

from __future__ import annotations

from pathlib import Path

from .services import GridEngineCell
from .services.gridengine import ENV
from .services.system import run
from .sge_commands import qacct, qstat_states, wait_accounted, wait_qstat_state


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "job.sh"
    path.write_text(f"#!/bin/sh\n{body}\n")
    return str(path)


def test_a_failing_job_reaches_the_accounting_with_its_exit_status(
    sge: GridEngineCell, tmp_path: Path
) -> None:
    job = sge.submit(
        ["-N", "exits_3", "-cwd", "-o", "/dev/null", "-j", "y", _script(tmp_path, "exit 3")]
    )
    record = wait_accounted(job)
    assert (record["jobname"], record["exit_status"], record["failed"]) == ("exits_3", "3", "0")


def test_qstat_lists_held_and_running_jobs(sge: GridEngineCell, tmp_path: Path) -> None:
    held = sge.submit(["-h", "-N", "held", "-o", "/dev/null", "-j", "y", _script(tmp_path, "true")])
    running = sge.submit(
        ["-N", "runs", "-q", "long.q", "-o", "/dev/null", "-j", "y", _script(tmp_path, "sleep 60")]
    )
    wait_qstat_state(running, "r")
    assert qstat_states()[held] == "hqw"


def test_qdel_reports_on_stdout_for_queued_running_unknown_and_finished_jobs(
    sge: GridEngineCell, tmp_path: Path
) -> None:
    queued = sge.submit(["-h", "-o", "/dev/null", "-j", "y", _script(tmp_path, "true")])
    running = sge.submit(["-o", "/dev/null", "-j", "y", _script(tmp_path, "sleep 60")])
    finished = sge.submit(["-o", "/dev/null", "-j", "y", _script(tmp_path, "true")])
    wait_qstat_state(running, "r")
    wait_accounted(finished)
    outcomes = {
        job: run(["qdel", job], env=ENV, check=False)
        for job in (queued, running, finished, "99999")
    }
    assert outcomes[queued].stdout.strip() == f"root has deleted job {queued}"
    assert outcomes[running].stdout.strip() == f"root has registered the job {running} for deletion"
    assert outcomes[finished].stdout.strip() == f'denied: job "{finished}" does not exist'
    assert outcomes["99999"].returncode == 1
    assert all(result.stderr == "" for result in outcomes.values())
    record = wait_accounted(running)
    assert record["failed"] != "0" or record["exit_status"] != "0"
    assert qacct(queued) is None
