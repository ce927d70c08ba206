"""Finished-job accounting and job fates through QueueManager, on the real SLURM with slurmdbd."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qtoolkit.core.data_objects import CancelStatus, QState, SubmissionStatus
from qtoolkit.core.job_fate import Finished, InQueue, JobFate, Unknown
from qtoolkit.io.slurm import SlurmIO, SlurmState
from qtoolkit.io.slurm_accounting import SlurmAccounting
from qtoolkit.manager import QueueManager

from .services import SlurmCluster

TIMEOUT = 90.0


Manager = QueueManager[SlurmState]


@pytest.fixture
def manager(slurm: SlurmCluster) -> Manager:
    manager = QueueManager(SlurmIO())
    assert isinstance(manager.accounting, SlurmAccounting)
    return manager


def submit(manager: Manager, slurm: SlurmCluster, tmp_path: Path, name: str, *commands: str) -> str:
    result = manager.submit(
        list(commands), options={"job_name": name}, work_dir=tmp_path / name, create_submit_dir=True
    )
    assert result.status == SubmissionStatus.SUCCESSFUL, result
    return slurm.ledger.record(str(result.job_id))


def wait_fates(
    manager: Manager, job_ids: list[str], settled: Callable[[JobFate[SlurmState]], bool]
) -> dict[str, JobFate[SlurmState]]:
    """Poll get_job_fates until every job's fate is ``settled``."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        fates = manager.get_job_fates(job_ids)
        if all(map(settled, fates.values())):
            return fates
        if time.monotonic() > deadline:
            pytest.fail(f"fates still unsettled after {TIMEOUT} s: {fates}")
        time.sleep(0.5)


def finished(fate: JobFate[SlurmState]) -> bool:
    return isinstance(fate, Finished)


def running(fate: JobFate[SlurmState]) -> bool:
    return isinstance(fate, InQueue) and fate.job.state == QState.RUNNING


def sacct_json(job_id: str) -> dict[str, Any]:
    out = subprocess.run(
        ["sacct", "--json", f"--jobs={job_id}"], check=True, capture_output=True, text=True
    ).stdout
    [job] = json.loads(out)["jobs"]
    assert isinstance(job, dict)
    return job


def test_finished_jobs_have_their_final_state_and_exit_status(
    manager: Manager, slurm: SlurmCluster, tmp_path: Path
) -> None:
    ok = submit(manager, slurm, tmp_path, "fine", "true")
    exit3 = submit(manager, slurm, tmp_path, "exits-3", "exit 3")
    killed = submit(manager, slurm, tmp_path, "killed", "kill -9 $$")
    unknown = "987654"
    fates = wait_fates(manager, [ok, exit3, killed], finished)
    got = {
        job_id: (f.job.state, f.job.sub_state, f.job.exit_status)
        for job_id, f in fates.items()
        if isinstance(f, Finished)
    }
    assert got == {
        ok: (QState.DONE, SlurmState.COMPLETED, 0),
        exit3: (QState.FAILED, SlurmState.FAILED, 3),
        killed: (QState.FAILED, SlurmState.FAILED, 128 + 9),
    }
    assert manager.get_job_fate(unknown) == Unknown(unknown, accounting=True)
    # SLURM's own JSON agrees on the state and the signal. (Its exit_code.return_code is 0 for
    # the job that exited 3 in 22.05, where the text says 3:0 and the batch script did exit 3.)
    for job_id, (_, sub_state, _) in got.items():
        assert sub_state is not None
        assert sacct_json(job_id)["state"]["current"] == sub_state.value
    assert sacct_json(killed)["exit_code"]["signal"]["signal_id"] == 9
    # The accounting alone, for the same ids and the unknown one. A job that ends within a second
    # of its submission can be listed for a moment with the name "allocation", before slurmdbd has
    # its submission record: wait for the names.
    names = {ok: "fine", exit3: "exits-3", killed: "killed"}
    deadline = time.monotonic() + TIMEOUT
    while {job.job_id: job.name for job in manager.get_finished_jobs([*names, unknown])} != names:
        assert time.monotonic() < deadline, manager.get_finished_jobs([*names, unknown])
        time.sleep(0.5)


def test_running_job_is_in_queue_until_cancelled(
    manager: Manager, slurm: SlurmCluster, tmp_path: Path
) -> None:
    job_id = submit(manager, slurm, tmp_path, "sleeper", "sleep 300")
    [fate] = wait_fates(manager, [job_id], running).values()
    assert isinstance(fate, InQueue)
    assert (fate.job.name, fate.job.sub_state) == ("sleeper", SlurmState.RUNNING)
    assert manager.cancel(job_id).status == CancelStatus.SUCCESSFUL
    [fate] = wait_fates(manager, [job_id], finished).values()
    assert isinstance(fate, Finished)
    assert (fate.job.state, fate.job.sub_state) == (QState.FAILED, SlurmState.CANCELLED)
    assert sacct_json(job_id)["state"]["current"] == "CANCELLED"


def test_held_job_is_queued_in_the_queue_and_pending_in_the_accounting(
    manager: Manager, slurm: SlurmCluster, tmp_path: Path
) -> None:
    result = manager.submit(
        "true", options={"job_name": "held", "qverbatim": "#SBATCH --hold"}, work_dir=tmp_path
    )
    assert result.status == SubmissionStatus.SUCCESSFUL
    job_id = slurm.ledger.record(str(result.job_id))
    fate = manager.get_job_fate(job_id)
    assert isinstance(fate, InQueue)
    assert fate.job.sub_state == SlurmState.PENDING
    # slurmdbd learns of a submission a moment after squeue shows it.
    deadline = time.monotonic() + TIMEOUT
    while not (records := manager.get_finished_jobs([job_id])):
        assert time.monotonic() < deadline, "the held job never reached the accounting"
        time.sleep(0.5)
    [record] = records
    assert (record.name, record.state, record.sub_state) == (
        "held",
        QState.QUEUED,
        SlurmState.PENDING,
    )
    assert manager.cancel(job_id).status == CancelStatus.SUCCESSFUL
    [fate] = wait_fates(manager, [job_id], finished).values()
    assert isinstance(fate, Finished)
    assert fate.job.sub_state == SlurmState.CANCELLED


def test_array_tasks_are_followed_task_by_task(
    manager: Manager, slurm: SlurmCluster, tmp_path: Path
) -> None:
    result = manager.submit(
        "exit $SLURM_ARRAY_TASK_ID",
        options={"job_name": "tasks", "array": "1-2"},
        work_dir=tmp_path,
    )
    assert result.status == SubmissionStatus.SUCCESSFUL, result
    array = slurm.ledger.record(str(result.job_id))
    tasks = [f"{array}_1", f"{array}_2"]
    fates = wait_fates(manager, tasks, finished)
    assert {
        job_id: (f.job.state, f.job.exit_status)
        for job_id, f in fates.items()
        if isinstance(f, Finished)
    } == {tasks[0]: (QState.FAILED, 1), tasks[1]: (QState.FAILED, 2)}
    # The accounting records the tasks, not the array.
    assert manager.get_job_fate(array) == Unknown(array, accounting=True)
