"""qacct and job fates through QueueManager, on the real Grid Engine 8.1.9."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from qtoolkit.core.data_objects import CancelStatus, QState, SubmissionStatus
from qtoolkit.core.job_fate import Finished, InQueue, JobFate, Unknown
from qtoolkit.io.sge import SGEIO, SGEState
from qtoolkit.io.sge_accounting import SGEAccounting
from qtoolkit.manager import QueueManager

from .services import GridEngineCell
from .services.gridengine import ENV

TIMEOUT = 90.0

Manager = QueueManager[SGEState]


@pytest.fixture
def manager(sge: GridEngineCell, monkeypatch: pytest.MonkeyPatch) -> Manager:
    # The commands QueueManager runs on this host find the cell through the environment.
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    manager = QueueManager(SGEIO())
    assert isinstance(manager.accounting, SGEAccounting)
    return manager


def submit(manager: Manager, sge: GridEngineCell, tmp_path: Path, name: str, command: str) -> str:
    result = manager.submit(
        command, options={"job_name": name}, work_dir=tmp_path / name, create_submit_dir=True
    )
    assert result.status == SubmissionStatus.SUCCESSFUL, result
    return sge.ledger.record(str(result.job_id))


def wait_fates(
    manager: Manager, job_ids: list[str], settled: Callable[[JobFate[SGEState]], bool]
) -> dict[str, JobFate[SGEState]]:
    """Poll get_job_fates until every job's fate is ``settled``."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        fates = manager.get_job_fates(job_ids)
        if all(map(settled, fates.values())):
            return fates
        if time.monotonic() > deadline:
            pytest.fail(f"fates still unsettled after {TIMEOUT} s: {fates}")
        time.sleep(0.5)


def finished(fate: JobFate[SGEState]) -> bool:
    return isinstance(fate, Finished)


def running(fate: JobFate[SGEState]) -> bool:
    return isinstance(fate, InQueue) and fate.job.state == QState.RUNNING


def accounting_file_record(sge: GridEngineCell, job_id: str) -> tuple[int, int]:
    """``failed`` and ``exit_status`` of the job's last line in the cell's accounting file."""
    lines = (sge.common / "accounting").read_text().splitlines()
    fields = [line.split(":") for line in lines if not line.startswith("#")]
    # Fields 6, 12 and 13 of Grid Engine's accounting(5): job_number, failed, exit_status.
    [*_, last] = [f for f in fields if f[5] == job_id]
    return int(last[11]), int(last[12])


def test_finished_jobs_have_their_final_state_and_exit_status(
    manager: Manager, sge: GridEngineCell, tmp_path: Path
) -> None:
    ok = submit(manager, sge, tmp_path, "fine", "true")
    exit3 = submit(manager, sge, tmp_path, "exits-3", "exit 3")
    killed = submit(manager, sge, tmp_path, "killed", "kill -9 $$")
    fates = wait_fates(manager, [ok, exit3, killed], finished)
    got = {
        job_id: (f.job.name, f.job.state, f.job.sub_state, f.job.exit_status)
        for job_id, f in fates.items()
        if isinstance(f, Finished)
    }
    assert got == {
        ok: ("fine", QState.DONE, SGEState.FINISHED, 0),
        exit3: ("exits-3", QState.FAILED, SGEState.FINISHED, 3),
        killed: ("killed", QState.FAILED, SGEState.FINISHED, 128 + 9),
    }
    # Grid Engine's own records agree; for the killed script it reports failed 100 ("assumedly
    # after job") as well.
    assert [accounting_file_record(sge, job_id) for job_id in (ok, exit3, killed)] == [
        (0, 0),
        (0, 3),
        (100, 137),
    ]
    unknown = "9876543"
    assert manager.get_job_fate(unknown) == Unknown(unknown, accounting=True)
    records = manager.get_finished_jobs([ok, unknown, exit3])
    assert [job.job_id for job in records] == [ok, exit3]


def test_deleted_running_job_is_in_queue_then_finished_as_failed(
    manager: Manager, sge: GridEngineCell, tmp_path: Path
) -> None:
    job_id = submit(manager, sge, tmp_path, "sleeper", "sleep 300")
    [fate] = wait_fates(manager, [job_id], running).values()
    assert isinstance(fate, InQueue)
    assert (fate.job.name, fate.job.sub_state) == ("sleeper", SGEState.RUNNING)
    # qacct has no record of a job that has not ended.
    assert manager.get_finished_jobs([job_id]) == []
    assert manager.cancel(job_id).status == CancelStatus.SUCCESSFUL
    [fate] = wait_fates(manager, [job_id], finished).values()
    assert isinstance(fate, Finished)
    assert (fate.job.state, fate.job.exit_status) == (QState.FAILED, 137)
    # "failed 100 : assumedly after job": Grid Engine killed it.
    assert accounting_file_record(sge, job_id) == (100, 137)


def test_array_tasks_are_listed_and_accounted_by_task_id(
    manager: Manager, sge: GridEngineCell, tmp_path: Path
) -> None:
    result = manager.submit(
        "sleep 2; exit $SGE_TASK_ID",
        options={"job_name": "tasks", "array": "1-2"},
        work_dir=tmp_path,
    )
    assert result.status == SubmissionStatus.SUCCESSFUL, result
    array = sge.ledger.record(str(result.job_id))
    tasks = [f"{array}.1", f"{array}.2"]
    # The queue lists the tasks, pending or running, by the ids qacct gives them; the array's
    # own id is no task's, so it is Unknown (as a SLURM array's id is).
    fates = manager.get_job_fates([*tasks, array])
    assert [type(fate) for fate in fates.values()] == [InQueue, InQueue, Unknown]
    fates = wait_fates(manager, tasks, finished)
    ended = [fate.job for fate in fates.values() if isinstance(fate, Finished)]
    assert [(job.job_id, job.state, job.exit_status) for job in ended] == [
        (f"{array}.1", QState.FAILED, 1),
        (f"{array}.2", QState.FAILED, 2),
    ]
    records = manager.get_finished_jobs([array])
    # In the order the tasks ended.
    assert sorted((job.job_id or "", job.state, job.exit_status) for job in records) == [
        (f"{array}.1", QState.FAILED, 1),
        (f"{array}.2", QState.FAILED, 2),
    ]
