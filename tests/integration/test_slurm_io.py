"""This package's SlurmIO against the real SLURM: scripts, submission, polling, cancelling.

Every job the IO parses is compared with what SLURM itself says about it in ``squeue --json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qtoolkit.core.data_objects import (
    CancelStatus,
    QJob,
    QResources,
    QState,
    SubmissionStatus,
)
from qtoolkit.io.slurm import SlurmIO, SlurmState

from .services import SlurmCluster, wait_until
from .services.system import run
from .shell import shell
from .slurm_commands import squeue_json_jobs

IO = SlurmIO()

PLACEMENTS = {
    "no_constraints": QResources.no_constraints(
        processes=2, job_name="no constraints ü", time_limit=600, memory_per_thread=150
    ),
    "scattered": QResources.scattered(processes=1, job_name="scattered", queue_name="long"),
    "same_node": QResources.same_node(processes=2, job_name="same node ∑", time_limit=3600),
    "evenly_distributed": QResources.evenly_distributed(
        nodes=1, processes_per_node=2, job_name="evenly", memory_per_thread=200
    ),
}


def submit(
    cluster: SlurmCluster,
    tmp_path: Path,
    resources: QResources,
    commands: str,
    *,
    held: bool = False,
) -> str:
    """Write the IO's script, submit it with the IO's command, parse the answer: the job id.

    ``held`` adds ``--hold`` to the IO's command, so the job cannot start before it is looked at.
    """
    script = tmp_path / f"job{len(list(tmp_path.iterdir()))}.sh"
    script.write_text(IO.get_submission_script(commands, resources))
    command = IO.get_submit_cmd(script)
    assert command.startswith("sbatch ")
    if held:
        command = command.replace("sbatch ", "sbatch --hold ", 1)
    output = shell(command, cwd=tmp_path)
    result = IO.parse_submit_output(*output)
    assert result.status == SubmissionStatus.SUCCESSFUL, output
    assert isinstance(result.job_id, str)
    return cluster.ledger.record(result.job_id)


def listed(job_ids: list[str] | None = None, user: str | None = None) -> dict[str, QJob[Any]]:
    """The jobs the IO's list command and parser report, by id."""
    jobs = IO.parse_jobs_list_output(*shell(IO.get_jobs_list_cmd(job_ids, user)))
    return {str(job.job_id): job for job in jobs}


def get_job(job_id: str) -> QJob[Any] | None:
    """The IO's single-job command and parser."""
    return IO.parse_job_output(*shell(IO.get_job_cmd(job_id)))


def wait_listed_state(job_id: str, state: QState) -> QJob[Any]:
    """Poll the IO's job list until ``job_id`` is in ``state``; that job."""
    wait_until(
        lambda: (job := listed([job_id]).get(job_id)) is not None and job.state == state,
        what=f"SlurmIO to list job {job_id} as {state.name}",
        detail=lambda: repr(listed([job_id]).get(job_id)),
    )
    return listed([job_id])[job_id]


def assert_agrees_with_json(job: QJob[Any], as_json: dict[str, Any]) -> None:
    """The fields the IO parsed from text equal SLURM's own JSON."""
    assert job.name == as_json["name"]
    assert job.username == as_json["user_name"]
    assert job.queue_name == as_json["partition"]
    assert job.sub_state is not None
    assert job.sub_state.value == as_json["job_state"]
    assert job.info is not None
    assert job.info.cpus == as_json["cpus"]
    assert job.info.nodes == as_json["node_count"]
    limit = as_json["time_limit"]  # minutes, or null without a limit
    assert job.info.time_limit == (None if limit is None else limit * 60)
    if as_json["memory_per_cpu"] is not None:
        assert job.info.memory_per_cpu == as_json["memory_per_cpu"] * 1024  # MB -> KB


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_every_placement_runs_is_listed_as_slurm_reports_it_and_cancels(
    slurm: SlurmCluster, tmp_path: Path, placement: str
) -> None:
    job_id = submit(slurm, tmp_path, PLACEMENTS[placement], "sleep 300")
    job = wait_listed_state(job_id, QState.RUNNING)
    assert_agrees_with_json(job, squeue_json_jobs()[int(job_id)])
    single = get_job(job_id)
    assert single is not None
    assert (single.job_id, single.name, single.state) == (job_id, job.name, QState.RUNNING)

    cancelled = IO.parse_cancel_output(*shell(IO.get_cancel_cmd(job_id)))
    assert (cancelled.status, cancelled.job_id) == (CancelStatus.SUCCESSFUL, job_id)
    wait_until(
        lambda: (final := get_job(job_id)) is not None and final.sub_state == SlurmState.CANCELLED,
        what=f"job {job_id} to be reported cancelled",
    )


def test_a_job_goes_from_held_to_running_to_done(slurm: SlurmCluster, tmp_path: Path) -> None:
    lifecycle = QResources(processes=1, job_name="lifecycle")
    job_id = submit(slurm, tmp_path, lifecycle, "sleep 3", held=True)
    held = wait_listed_state(job_id, QState.QUEUED)
    assert held.sub_state == SlurmState.PENDING
    wait_until(
        lambda: squeue_json_jobs()[int(job_id)]["state_reason"] == "JobHeldUser",
        what=f"SLURM to give job {job_id} the reason JobHeldUser",
    )
    assert listed([job_id])[job_id].state == QState.QUEUED
    run(["scontrol", "release", job_id])
    wait_listed_state(job_id, QState.RUNNING)
    wait_until(lambda: job_id not in listed([job_id]), what=f"job {job_id} to leave squeue")
    done = get_job(job_id)
    assert done is not None
    assert (done.state, done.sub_state, done.exit_status) == (
        QState.DONE,
        SlurmState.COMPLETED,
        0,
    )


def test_a_failing_job_is_failed_with_its_exit_code(slurm: SlurmCluster, tmp_path: Path) -> None:
    job_id = submit(slurm, tmp_path, QResources(processes=1, job_name="fails"), "exit 7")
    wait_until(
        lambda: (job := get_job(job_id)) is not None and job.state == QState.FAILED,
        what=f"job {job_id} to fail",
    )
    failed = get_job(job_id)
    assert failed is not None
    assert (failed.sub_state, failed.exit_status) == (SlurmState.FAILED, 7)


def test_an_array_is_listed_task_by_task_as_in_json(slurm: SlurmCluster, tmp_path: Path) -> None:
    job_id = submit(
        slurm, tmp_path, QResources(processes=1, njobs=3, job_name="array"), "sleep 300"
    )
    wait_until(
        lambda: (
            sum(
                job.state == QState.RUNNING
                for job in listed(user="root").values()
                if str(job.job_id).startswith(f"{job_id}_")
            )
            == 3
        ),
        what=f"the 3 tasks of array {job_id} to run",
    )
    tasks = {i: j for i, j in listed(user="root").items() if i.startswith(f"{job_id}_")}
    as_json = {
        f"{job['array_job_id']}_{job['array_task_id']}": job
        for job in squeue_json_jobs().values()
        if job["array_job_id"] == int(job_id)
    }
    assert set(tasks) == set(as_json) == {f"{job_id}_{task}" for task in (1, 2, 3)}
    for task_id, task in tasks.items():
        assert_agrees_with_json(task, as_json[task_id])
    result = IO.parse_cancel_output(*shell(IO.get_cancel_cmd(job_id)))
    assert result.status == CancelStatus.SUCCESSFUL


def test_cancel_of_queued_running_unknown_and_finished_jobs(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    one = QResources(processes=1, job_name="to cancel")
    running = submit(slurm, tmp_path, one, "sleep 300")
    finished = submit(slurm, tmp_path, one, "true")
    queued = submit(slurm, tmp_path, one, "true", held=True)
    wait_listed_state(running, QState.RUNNING)
    wait_until(
        lambda: (job := get_job(finished)) is not None and job.state == QState.DONE,
        what=f"job {finished} to finish",
    )
    results = {
        case: IO.parse_cancel_output(*shell(IO.get_cancel_cmd(job_id)))
        for case, job_id in {
            "queued": queued,
            "running": running,
            "unknown": "999999",
            "finished": finished,
        }.items()
    }
    assert {case: r.status for case, r in results.items()} == {
        "queued": CancelStatus.SUCCESSFUL,
        "running": CancelStatus.SUCCESSFUL,
        "unknown": CancelStatus.FAILED,
        "finished": CancelStatus.FAILED,
    }
    assert {case: r.job_id for case, r in results.items()} == {
        "queued": queued,
        "running": running,
        "unknown": "999999",
        "finished": finished,
    }
    assert get_job("999999") is None


def test_listing_by_user_and_by_ids_matches_squeue_json(
    slurm: SlurmCluster, tmp_path: Path
) -> None:
    ids = [
        submit(slurm, tmp_path, QResources(processes=1, job_name=f"list {n}"), "sleep 300")
        for n in range(3)
    ]
    for job_id in ids:
        wait_listed_state(job_id, QState.RUNNING)
    by_ids = listed(ids[:2])
    assert set(by_ids) == set(ids[:2])
    by_user = listed(user="root")
    as_json = squeue_json_jobs()
    active = {
        str(job_id)
        for job_id, job in as_json.items()
        if job["user_name"] == "root"
        and job["job_state"] in {"PENDING", "RUNNING", "COMPLETING"}
        and not job["array_task_string"]
        and job["array_job_id"] == 0
    }
    assert active <= set(by_user)
    assert set(ids) <= set(by_user)
    for job_id in ids:
        assert_agrees_with_json(by_user[job_id], as_json[int(job_id)])
    assert listed(["999999"]) == {}
