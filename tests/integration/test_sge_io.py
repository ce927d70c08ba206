"""This package's SGEIO against the real Grid Engine: scripts, submission, polling, deleting.

Every job the IO parses is compared with Grid Engine's own ``qstat -xml`` read independently
(Grid Engine has no JSON output).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from qtoolkit.core.data_objects import CancelStatus, QJob, QResources, QState, SubmissionStatus
from qtoolkit.core.exceptions import UnsupportedResourcesError
from qtoolkit.io.sge import SGEIO, SGEState

from .services import GridEngineCell, wait_until
from .services.gridengine import ENV
from .services.system import run
from .sge_commands import QSTAT_ALL, finished
from .shell import shell

IO = SGEIO()
SLEEP = "sleep 300"

# Grid Engine runs a job of several slots in a parallel environment: the cell's is "smp".
PLACEMENTS = {
    "no_constraints": QResources.no_constraints(
        processes=2, job_name="nc", scheduler_kwargs={"model": "smp 2"}
    ),
    "scattered": QResources.scattered(processes=1, job_name="sc", queue_name="long.q"),
    "same_node": QResources.same_node(
        processes=2, job_name="sn", time_limit=600, scheduler_kwargs={"model": "smp 2"}
    ),
    "evenly_distributed": QResources.evenly_distributed(
        nodes=1, processes_per_node=2, job_name="ed", scheduler_kwargs={"model": "smp 2"}
    ),
    "options": QResources.no_constraints(
        processes=1,
        job_name="two words ü",
        queue_name="long.q",
        time_limit=900,
        memory_per_thread=100,
    ),
}


def submit(
    cell: GridEngineCell,
    tmp_path: Path,
    options: QResources | dict[str, Any],
    commands: str,
    *,
    held: bool = False,
) -> str:
    """Write the IO's script, submit it with the IO's command (``-h`` when ``held``): the id."""
    script = tmp_path / f"job{len(list(tmp_path.iterdir()))}.sh"
    script.write_text(IO.get_submission_script(commands, options))
    command = IO.get_submit_cmd(script)
    assert command.startswith("qsub ")
    if held:
        command = command.replace("qsub ", "qsub -h ", 1)
    output = shell(f"{command} -o /dev/null -j y", cwd=tmp_path)
    result = IO.parse_submit_output(*output)
    assert result.status == SubmissionStatus.SUCCESSFUL, output
    assert isinstance(result.job_id, str)
    return cell.ledger.record(result.job_id)


def listed(job_ids: list[str] | None = None, user: str | None = None) -> list[QJob[Any]]:
    """The jobs the IO's list command and parser report (an array's tasks as ``<job>.<task>``)."""
    output = shell(IO.get_jobs_list_cmd(job_ids, user))
    return IO.parse_jobs_list_output(*output, job_ids=job_ids)


def get_job(job_id: str) -> QJob[Any] | None:
    """The IO's single-job command and parser."""
    return IO.parse_job_output(*shell(IO.get_job_cmd(job_id)), job_id=job_id)


def own_view(job_id: str) -> list[dict[str, str]]:
    """Grid Engine's qstat -xml entries of ``job_id``, read with ElementTree, not the IO."""
    root = ET.fromstring(run(QSTAT_ALL, env=ENV).stdout)
    return [
        {child.tag: (child.text or "") for child in job}
        for job in root.iter("job_list")
        if job.findtext("JB_job_number") == job_id
    ]


def wait_state(job_id: str, state: QState) -> QJob[Any]:
    """Poll the IO until ``job_id`` is in ``state``; that job."""
    wait_until(
        lambda: (job := get_job(job_id)) is not None and job.state == state,
        what=f"SGEIO to report job {job_id} as {state.name}",
        detail=lambda: repr(get_job(job_id)),
    )
    job = get_job(job_id)
    assert job is not None
    return job


def disagreement(job: QJob[Any] | None, entry: dict[str, str]) -> dict[str, tuple[Any, Any]]:
    """The fields where the IO's job and Grid Engine's own listing entry differ."""
    if job is None:
        return {"job": (None, entry)}
    ours = {
        "name": job.name,
        "owner": job.username,
        "state": job.sub_state.value if job.sub_state is not None else None,
        "slots": job.info.cpus if job.info is not None else None,
        "queue": job.queue_name,
    }
    theirs = {
        "name": entry["JB_name"],
        "owner": entry["JB_owner"],
        "state": entry["state"],
        "slots": int(entry["slots"]),
        "queue": entry["queue_name"].split("@")[0] or None,
    }
    return {key: (ours[key], theirs[key]) for key in ours if ours[key] != theirs[key]}


def assert_agrees_with_qstat(job_id: str) -> QJob[Any]:
    """The IO's view of ``job_id`` equals Grid Engine's, once no state change falls in between.

    The two are read one after the other, so a job moving from ``t`` to ``r`` can differ for a
    moment: agreement is waited for, and a lasting difference is shown.
    """

    def differences() -> dict[str, tuple[Any, Any]]:
        job = get_job(job_id)
        entries = own_view(job_id)
        return disagreement(job, entries[0]) if len(entries) == 1 else {"entries": (1, entries)}

    wait_until(
        lambda: not differences(),
        what=f"SGEIO and qstat -xml to agree on job {job_id}",
        detail=lambda: repr(differences()),
    )
    job = get_job(job_id)
    assert job is not None
    return job


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_every_placement_runs_as_qstat_shows_it_and_is_deleted(
    sge: GridEngineCell, tmp_path: Path, placement: str
) -> None:
    resources = PLACEMENTS[placement]
    job_id = submit(sge, tmp_path, resources, SLEEP)
    wait_state(job_id, QState.RUNNING)
    job = assert_agrees_with_qstat(job_id)
    assert job.info is not None
    nodes, processes, per_node = resources.get_processes_distribution()
    assert job.info.cpus == (processes or (nodes or 1) * (per_node or 1))
    assert job.info.time_limit == resources.time_limit
    assert job.queue_name == (resources.queue_name or "all.q")
    result = IO.parse_cancel_output(*shell(IO.get_cancel_cmd(job_id)))
    assert (result.status, result.job_id) == (CancelStatus.SUCCESSFUL, job_id)
    wait_until(lambda: finished(job_id), what=f"deleted job {job_id} to leave the queue")
    assert get_job(job_id) is None


def test_several_slots_without_a_parallel_environment_are_refused_before_qsub() -> None:
    with pytest.raises(UnsupportedResourcesError, match="parallel environment"):
        IO.get_submission_script(SLEEP, QResources.no_constraints(processes=2))


def test_a_held_job_is_released_runs_and_leaves_the_queue(
    sge: GridEngineCell, tmp_path: Path
) -> None:
    job_id = submit(sge, tmp_path, {"job_name": "lifecycle"}, "sleep 3", held=True)
    held = wait_state(job_id, QState.QUEUED_HELD)
    assert held.sub_state == SGEState.HOLD
    assert [entry["state"] for entry in own_view(job_id)] == ["hqw"]
    run(["qrls", job_id], env=ENV)
    wait_state(job_id, QState.RUNNING)
    wait_until(lambda: finished(job_id), what=f"job {job_id} to finish")
    assert get_job(job_id) is None


def test_an_array_lists_one_entry_per_task_as_qstat(sge: GridEngineCell, tmp_path: Path) -> None:
    job_id = submit(sge, tmp_path, {"job_name": "array", "array": "1-3"}, SLEEP)
    wait_until(
        lambda: [job.state for job in listed([job_id])] == [QState.RUNNING] * 3,
        what=f"the 3 tasks of array {job_id} to run",
        detail=lambda: repr(listed([job_id])),
    )
    wait_until(
        lambda: [entry["state"] for entry in own_view(job_id)] == ["r"] * 3,
        what=f"qstat to show the 3 tasks of {job_id} running",
    )
    entries = own_view(job_id)
    assert sorted(entry["tasks"] for entry in entries) == ["1", "2", "3"]
    # Each task under the id qacct and qdel -t use.
    assert [job.job_id for job in listed([job_id])] == [
        f"{job_id}.{entry['tasks']}" for entry in entries
    ]

    def task_differences() -> list[dict[str, tuple[Any, Any]]]:
        # Two reads one after the other: a moment's "t" against "r" may differ once.
        pairs = zip(listed([job_id]), own_view(job_id), strict=True)
        return [found for job, entry in pairs if (found := disagreement(job, entry))]

    wait_until(
        lambda: not task_differences(),
        what=f"the IO and qstat -xml to agree on the tasks of {job_id}",
        detail=lambda: repr(task_differences()),
    )
    result = IO.parse_cancel_output(*shell(IO.get_cancel_cmd(f"{job_id}.2")))
    assert result.status == CancelStatus.SUCCESSFUL
    wait_until(
        lambda: sorted(entry["tasks"] for entry in own_view(job_id)) == ["1", "3"],
        what=f"task 2 of {job_id} to leave the queue",
    )
    assert sorted(job.job_id or "" for job in listed([job_id])) == [f"{job_id}.1", f"{job_id}.3"]
    result = IO.parse_cancel_output(*shell(IO.get_cancel_cmd(job_id)))
    assert result.status == CancelStatus.SUCCESSFUL


def test_pending_tasks_are_listed_as_grid_engine_prints_them(
    sge: GridEngineCell, tmp_path: Path
) -> None:
    job_id = submit(sge, tmp_path, {"job_name": "pending", "array": "1-7"}, SLEEP, held=True)
    [entry] = own_view(job_id)
    tasks = entry["tasks"]
    # One element per run of tasks as qstat prints it ("1-7:1"), each one job.
    assert [job.job_id for job in listed([job_id])] == [
        f"{job_id}.{element}" for element in tasks.split(",")
    ]
    # A pending task is found by the id it keeps when it runs.
    held = get_job(f"{job_id}.5")
    assert held is not None
    assert (held.job_id, held.sub_state) == (f"{job_id}.5", SGEState.HOLD)
    result = IO.parse_cancel_output(*shell(IO.get_cancel_cmd(f"{job_id}.5")))
    assert result.status == CancelStatus.SUCCESSFUL
    wait_until(
        lambda: [entry["tasks"] for entry in own_view(job_id)] != [tasks],
        what=f"task 5 of {job_id} to leave the queue",
    )
    [entry] = own_view(job_id)
    ids = [job.job_id or "" for job in listed([job_id])]
    assert ids == [f"{job_id}.{element}" for element in entry["tasks"].split(",")]
    assert get_job(f"{job_id}.5") is None
    # Every id the listing gives is one qdel takes.
    for task_id in ids:
        result = IO.parse_cancel_output(*shell(IO.get_cancel_cmd(task_id)))
        assert result.status == CancelStatus.SUCCESSFUL, (task_id, result)
    wait_until(lambda: own_view(job_id) == [], what=f"the tasks of {job_id} to leave the queue")


def test_delete_of_queued_running_unknown_and_finished_jobs(
    sge: GridEngineCell, tmp_path: Path
) -> None:
    running = submit(sge, tmp_path, {"job_name": "running"}, SLEEP)
    done = submit(sge, tmp_path, {"job_name": "done"}, "true")
    queued = submit(sge, tmp_path, {"job_name": "queued"}, "true", held=True)
    wait_state(running, QState.RUNNING)
    wait_until(lambda: finished(done), what=f"job {done} to finish")
    cases = {"queued": queued, "running": running, "unknown": "999999", "finished": done}
    results = {
        case: IO.parse_cancel_output(*shell(IO.get_cancel_cmd(job_id)))
        for case, job_id in cases.items()
    }
    assert {case: r.status for case, r in results.items()} == {
        "queued": CancelStatus.SUCCESSFUL,
        "running": CancelStatus.SUCCESSFUL,
        "unknown": CancelStatus.FAILED,
        "finished": CancelStatus.FAILED,
    }
    assert (results["queued"].job_id, results["running"].job_id) == (queued, running)


def test_listing_by_user_and_by_ids_matches_qstat(sge: GridEngineCell, tmp_path: Path) -> None:
    ids = [submit(sge, tmp_path, {"job_name": f"list{n}"}, SLEEP) for n in range(3)]
    for job_id in ids:
        wait_state(job_id, QState.RUNNING)
        assert_agrees_with_qstat(job_id)  # settled: running, no longer transferring
    assert sorted(str(job.job_id) for job in listed(ids[:2])) == sorted(ids[:2])
    assert set(ids) <= {str(job.job_id) for job in listed(user="root")}

    def user_listing_differences() -> dict[str, dict[str, tuple[Any, Any]]]:
        # Read one after the other, like assert_agrees_with_qstat: a job Grid Engine flips
        # between "t" and "r" for a moment may differ once, a lasting difference fails.
        by_user = {str(job.job_id): job for job in listed(user="root")}
        differences = {}
        for job_id in ids:
            entries = own_view(job_id)
            found = (
                disagreement(by_user.get(job_id), entries[0])
                if len(entries) == 1
                else {"entries": (1, entries)}
            )
            if found:
                differences[job_id] = found
        return differences

    wait_until(
        lambda: not user_listing_differences(),
        what="the listing by user and qstat -xml to agree",
        detail=lambda: repr(user_listing_differences()),
    )
    assert listed(["999999"]) == []
