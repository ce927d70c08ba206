"""SGEIO and the tasks of Grid Engine array jobs.

``tests/data/real/sge/qstat_xml.json`` holds ``qstat -xml`` listings recorded on Grid Engine 8.1.9
while array job 183 (``qsub -t 1-6``) ran: the "mixed" listings show tasks 1 to 3 running
(``<tasks>1</tasks>``...), task 4 transferring and tasks 5 and 6 pending in one entry
(``<tasks>5,6</tasks>``); the "after_delete" ones, once task 2 was deleted, show tasks 1, 3 and 4
running, task 5 transferring and task 6 pending. The ids expected below are read off those
elements.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qtoolkit.core.changes import compare_snapshots
from qtoolkit.core.data_objects import CancelStatus, QState
from qtoolkit.core.exceptions import InvalidJobIDError, OutputParsingError
from qtoolkit.io.sge import SGEIO, SGEState
from qtoolkit.io.sge_accounting import SGEAccounting

REAL = Path(__file__).parent / "data" / "real" / "sge"


def recording(case: str) -> str:
    records: list[dict[str, Any]] = json.loads((REAL / "qstat_xml.json").read_text("utf-8"))
    [record] = [record for record in records if record["case"] == case]
    text: str = record["stdout"]
    return text


@pytest.fixture
def sge() -> SGEIO:
    return SGEIO()


MIXED = [
    ("180", SGEState.RUNNING),
    ("182", SGEState.RUNNING),
    ("183.4", SGEState.TRANSFERRING),
    ("181", SGEState.RUNNING),
    ("183.1", SGEState.RUNNING),
    ("183.2", SGEState.RUNNING),
    ("183.3", SGEState.RUNNING),
    ("183.5", SGEState.QUEUED_WAITING),
    ("183.6", SGEState.QUEUED_WAITING),
    ("177", SGEState.HOLD),
    ("186", SGEState.HOLD),
]


@pytest.mark.parametrize("case", ["mixed:all", "mixed:user"])
def test_each_task_of_an_array_is_listed_under_its_own_id(sge: SGEIO, case: str) -> None:
    jobs = sge.parse_jobs_list_output(0, recording(case), "")
    assert [(job.job_id, job.sub_state) for job in jobs] == MIXED
    assert {job.name for job in jobs if (job.job_id or "").startswith("183.")} == {"array"}


def test_a_task_keeps_its_id_from_pending_to_running(sge: SGEIO) -> None:
    before = sge.parse_jobs_list_output(0, recording("mixed:all"), "")
    after = sge.parse_jobs_list_output(0, recording("after_delete:all"), "")
    changes = compare_snapshots(before, after)
    assert changes.appeared == []
    assert sorted(change.job.job_id or "" for change in changes.vanished) == [
        "177",
        "180",
        "183.2",
    ]
    moved = {
        change.job.job_id: (change.previous_sub_state, change.job.sub_state)
        for change in changes.changed
    }
    assert moved["183.4"] == (SGEState.TRANSFERRING, SGEState.RUNNING)
    assert moved["183.5"] == (SGEState.QUEUED_WAITING, SGEState.TRANSFERRING)
    assert moved["186"] == (SGEState.HOLD, SGEState.QUEUED_WAITING)


def test_the_job_number_selects_every_task(sge: SGEIO) -> None:
    jobs = sge.parse_jobs_list_output(0, recording("mixed:all"), "", job_ids=["183"])
    assert [job.job_id for job in jobs] == [f"183.{task}" for task in (4, 1, 2, 3, 5, 6)]


def test_a_task_id_selects_that_task_running_or_pending(sge: SGEIO) -> None:
    text = recording("mixed:all")
    jobs = sge.parse_jobs_list_output(0, text, "", job_ids=["183.6", "183.2", "177", "183.9"])
    assert [(job.job_id, job.state) for job in jobs] == [
        ("183.2", QState.RUNNING),
        ("183.6", QState.QUEUED),
        ("177", QState.QUEUED_HELD),
    ]
    job = sge.parse_job_output(0, text, "", job_id="183.5")
    assert job is not None
    assert (job.job_id, job.sub_state) == ("183.5", SGEState.QUEUED_WAITING)


# Grid Engine prints longer runs of pending tasks as first-last:step.
RANGE = recording("mixed:all").replace("<tasks>5,6</tasks>", "<tasks>5-9:2,12</tasks>")


def test_a_pending_range_is_one_job_named_as_grid_engine_prints_it(sge: SGEIO) -> None:
    jobs = sge.parse_jobs_list_output(0, RANGE, "")
    pending = [(job.job_id, job.state) for job in jobs if job.sub_state == SGEState.QUEUED_WAITING]
    assert pending == [("183.5-9:2", QState.QUEUED), ("183.12", QState.QUEUED)]
    assert all(sge.is_valid_job_id(job.job_id or "") for job in jobs)


def test_a_task_inside_a_pending_range_is_found_by_its_own_id(sge: SGEIO) -> None:
    asked = ["183.7", "183.8", "183.11", "183.12"]
    jobs = sge.parse_jobs_list_output(0, RANGE, "", job_ids=asked)
    assert [job.job_id for job in jobs] == ["183.7", "183.12"]
    ranges = sge.parse_jobs_list_output(0, RANGE, "", job_ids=["183.5-9:2"])
    assert [job.job_id for job in ranges] == ["183.5-9:2"]


@pytest.mark.parametrize("tasks", ["5;6", "a", "5-", "5-9:0", "", "-3"])
def test_a_task_list_that_is_not_one_names_line_and_field(sge: SGEIO, tasks: str) -> None:
    text = recording("mixed:all").replace("<tasks>5,6</tasks>", f"<tasks>{tasks}</tasks>")
    with pytest.raises(OutputParsingError, match=r"^line 213: tasks: .* of job 183 ") as caught:
        sge.parse_jobs_list_output(0, text, "")
    assert (caught.value.line, caught.value.field) == (213, "tasks")


@pytest.mark.parametrize(
    ("job_id", "command"),
    [
        ("183", "qdel 183"),
        ("183.2", "qdel 183 -t 2"),
        ("183.5-9:2", "qdel 183 -t 5-9:2"),
        ("183.1-4", "qdel 183 -t 1-4"),
    ],
)
def test_a_listed_id_cancels_that_task(sge: SGEIO, job_id: str, command: str) -> None:
    assert sge.get_cancel_cmd(job_id) == command
    assert sge.get_job_cmd(job_id) == 'qstat -ext -urg -xml -r -u "*"'


@pytest.mark.parametrize("job_id", ["183.5,6", "183.2;x", "183.1-4:", "183.1-4:1:2", "183 -t 2"])
def test_ids_no_task_list_has_are_refused(sge: SGEIO, job_id: str) -> None:
    assert not sge.is_valid_job_id(job_id)
    with pytest.raises(InvalidJobIDError):
        sge.get_cancel_cmd(job_id)


def test_listed_ids_are_accounted_by_task() -> None:
    command = SGEAccounting().get_finished_jobs_cmd(["183", "183.2", "183.5-9:2"])
    assert command == "qacct -j 183; qacct -j 183 -t 2; qacct -j 183 -t 5-9:2"


@pytest.mark.parametrize(
    "stdout",
    # What Grid Engine 8.1.9 printed for qdel 396 -t 5 and qdel 396 -t 1-4:1 of a held array.
    [
        "root has deleted job-array task 396.5\n",
        "root has deleted job-array tasks 1-4:1 of job 396\n",
    ],
)
def test_deletion_of_pending_tasks_is_read(sge: SGEIO, stdout: str) -> None:
    result = sge.parse_cancel_output(0, stdout, "")
    assert (result.job_id, result.status) == ("396", CancelStatus.SUCCESSFUL)
