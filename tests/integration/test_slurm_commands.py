"""SLURM itself, through its own commands: the services work and the text agrees with ``--json``."""

from __future__ import annotations

from pathlib import Path

from .services import SlurmCluster
from .services.system import run
from .slurm_commands import (
    SEPARATOR,
    SQUEUE_FORMAT,
    TIME_ENV,
    job_state,
    sacct_json_job,
    squeue_json_jobs,
    wait_accounted,
    wait_state,
)


def _squeue_rows(job_ids: list[str]) -> dict[str, list[str]]:
    out = run(
        ["squeue", "--noheader", "-o", SQUEUE_FORMAT, f"--jobs={','.join(job_ids)}"], env=TIME_ENV
    ).stdout
    rows = [[cell.strip() for cell in line.split(SEPARATOR)] for line in out.splitlines()]
    return {row[0]: row for row in rows}


def test_a_job_runs_and_its_failure_and_exit_code_reach_the_accounting(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    job = slurm.submit([f"--chdir={tmp_path}", "--job-name=exits 3", "--wrap=exit 3"])
    assert wait_state(job, "FAILED") == "FAILED"
    row = wait_accounted(job, "FAILED", name="exits 3")
    assert (row["JobName"], row["ExitCode"]) == ("exits 3", "3:0")
    accounted = sacct_json_job(job)
    assert accounted is not None
    assert accounted["state"]["current"] == "FAILED"
    assert accounted["name"] == "exits 3"


def test_squeue_text_in_upstreams_format_agrees_with_json(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    name = "naïve ∑ job"
    running = slurm.submit(
        [
            f"--chdir={tmp_path}",
            f"--job-name={name}",
            "--time=00:10:00",
            "--mem=200M",
            "--partition=long",
            "--wrap=sleep 120",
        ]
    )
    held = slurm.submit([f"--chdir={tmp_path}", "--job-name=held", "--hold", "--wrap=true"])
    wait_state(running, "RUNNING")
    rows = _squeue_rows([running, held])
    json_jobs = squeue_json_jobs()
    assert rows[running][1] == "R"
    assert rows[held][1:3] == ["PD", "JobHeldUser"]
    for job_id, row in rows.items():
        as_json = json_jobs[int(job_id)]
        assert row[3] == as_json["name"]
        assert row[4] == as_json["user_name"]
        assert row[5] == as_json["partition"]
        assert row[2] == as_json["state_reason"]
    assert rows[running][3] == name
    assert rows[running][6] == "10:00"
    assert rows[running][10] == "200M"
    assert json_jobs[int(running)]["time_limit"] == 10
    assert json_jobs[int(running)]["job_state"] == "RUNNING"
    assert json_jobs[int(held)]["job_state"] == "PENDING"


def test_scancel_of_queued_running_unknown_and_finished_jobs(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    queued = slurm.submit([f"--chdir={tmp_path}", "--hold", "--wrap=true"])
    running = slurm.submit([f"--chdir={tmp_path}", "--wrap=sleep 120"])
    finished = slurm.submit([f"--chdir={tmp_path}", "--wrap=true"])
    wait_state(running, "RUNNING")
    wait_state(finished, "COMPLETED")
    for job in (queued, running):
        result = run(["scancel", "-v", job])
        assert f"Terminating job {job}" in result.stderr
        wait_state(job, "CANCELLED")
    done = run(["scancel", "-v", finished], check=False)
    assert done.returncode == 0
    assert "Job/step already completing or completed" in done.stderr
    unknown = run(["scancel", "-v", "999999"], check=False)
    assert "Invalid job id specified" in unknown.stderr
    assert job_state(finished) == "COMPLETED"
    assert wait_accounted(running, "CANCELLED")["State"].startswith("CANCELLED")


def test_scontrol_of_an_unknown_job_fails(slurm: SlurmCluster) -> None:
    result = run(["scontrol", "show", "job", "-o", "999999"], check=False)
    assert result.returncode == 1
    assert "Invalid job id specified" in result.stderr


def test_squeue_of_a_job_that_left_the_queue_single_and_doubled(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    finished = slurm.submit([f"--chdir={tmp_path}", "--wrap=true"])
    wait_state(finished, "COMPLETED")
    outcomes = {
        ids: run(["squeue", "--noheader", "-o", "%i %t", f"--jobs={ids}"], check=False)
        for ids in (finished, f"{finished},{finished}", "999999", "999999,999999")
    }
    answers = {ids: (r.returncode, r.stdout, r.stderr.strip()) for ids, r in outcomes.items()}
    # A finished job (kept by MinJobAge) is not listed without --states; asked for alone or twice,
    # squeue answers the same. An id it never knew fails only when asked for alone.
    assert answers[finished] == answers[f"{finished},{finished}"] == (0, "", "")
    assert answers["999999"][0] == 1
    assert "Invalid job id specified" in answers["999999"][2]
    assert answers["999999,999999"] == (0, "", "")
