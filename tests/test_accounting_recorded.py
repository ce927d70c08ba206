"""The accounting parsers on the integration recordings of tests/data/real (ids change per run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qtoolkit.core.data_objects import QJob, QJobInfo, QState
from qtoolkit.core.exceptions import CommandFailedError
from qtoolkit.io.sge import SGEState
from qtoolkit.io.sge_accounting import SGEAccounting
from qtoolkit.io.slurm import SlurmIO, SlurmState
from qtoolkit.io.slurm_accounting import SlurmAccounting

REAL = Path(__file__).parent / "data" / "real"


def records(path: str) -> dict[str, dict[str, Any]]:
    loaded: list[dict[str, Any]] = json.loads((REAL / path).read_text(encoding="utf-8"))
    return {record["case"]: record for record in loaded}


SACCT = records("slurm/sacct.json")
QACCT = records("sge/qacct.json")


@pytest.mark.parametrize("moment", ["mixed", "after_cancel"])
def test_sacct_snapshot(moment: str) -> None:
    record = SACCT[f"{moment}:all"]
    ids: dict[str, str] = record["jobs"]
    assert record["command"] == SlurmAccounting().get_finished_jobs_cmd(list(ids.values()))
    parsed = SlurmAccounting().parse_finished_jobs_output(
        record["exit_code"], record["stdout"], record["stderr"]
    )
    jobs = {job.job_id: job for job in parsed}
    array = ids["array"]
    # The array asked for by its id is listed as its tasks ("<id>_..."), never under the bare id.
    tasks = {
        job_id: jobs.pop(job_id)
        for job_id in list(jobs)
        if job_id is not None and job_id.startswith(f"{array}_")
    }
    assert set(jobs) == set(ids.values()) - {array}
    if moment == "mixed":
        # The node is full: all three tasks wait in the array's one record.
        assert {job_id: task.sub_state for job_id, task in tasks.items()} == {
            f"{array}_[1-3]": SlurmState.PENDING
        }
    else:
        # Task 2 was cancelled while still pending in that record, which drops it without a
        # record of its own (squeue --states=all does not list it either). The CPUs freed by
        # the cancels start tasks 1 and 3, and the scenario waits for squeue to show both
        # running. Task 3, the last to leave the pending record, keeps the array's own job id,
        # so sacct lists it; task 1 runs under a new job id (scontrol: JobId=242 ArrayJobId=238
        # in this recording) that sacct lists with the array only once the accounting has
        # recorded it, which the scenario does not wait for (this recording does not list it),
        # hence the look at sacct's own lines.
        task_1_listed = f"\n{array}_1|" in f"\n{record['stdout']}"
        assert {job_id: task.sub_state for job_id, task in tasks.items()} == {
            f"{array}_{task}": SlurmState.RUNNING for task in ((1, 3) if task_1_listed else (3,))
        }
    fails, completes = jobs[ids["fails"]], jobs[ids["completes"]]
    assert (fails.name, fails.state, fails.sub_state, fails.exit_status) == (
        "fails with 3",
        QState.FAILED,
        SlurmState.FAILED,
        3,
    )
    assert (completes.state, completes.sub_state, completes.exit_status) == (
        QState.DONE,
        SlurmState.COMPLETED,
        0,
    )
    assert jobs[ids["separator_in_name"]].name == "a<><>b|c d"
    assert jobs[ids["unicode_long_partition"]].queue_name == "long"
    two_nodes, four_cpus = jobs[ids["scattered_two_nodes"]].info, jobs[ids["waits_for_cpus"]].info
    assert two_nodes is not None
    assert four_cpus is not None
    assert (two_nodes.nodes, two_nodes.cpus, four_cpus.nodes, four_cpus.cpus) == (2, 2, 1, 4)
    held = jobs[ids["held"]]
    if moment == "mixed":
        assert (held.state, held.sub_state) == (QState.QUEUED, SlurmState.PENDING)
    else:
        assert (held.state, held.sub_state) == (QState.FAILED, SlurmState.CANCELLED)


@pytest.mark.parametrize("moment", ["mixed", "after_cancel"])
def test_sacct_of_an_unknown_id_lists_nothing(moment: str) -> None:
    record = SACCT[f"{moment}:unknown"]
    assert (
        SlurmAccounting().parse_finished_jobs_output(
            record["exit_code"], record["stdout"], record["stderr"]
        )
        == []
    )


def qacct(
    case: str, job_id: str | None = None
) -> list[tuple[str | None, str | None, QState | None, int | None]]:
    """qacct's answer in ``case``, asked about the record's job id or ``job_id`` (a task)."""
    record = QACCT[case]
    asked = record["job_id"] if job_id is None else job_id
    assert record["command"] == SGEAccounting().get_finished_jobs_cmd([asked])
    jobs = SGEAccounting().parse_finished_jobs_output(
        record["exit_code"], record["stdout"], record["stderr"]
    )
    assert {job.sub_state for job in jobs} <= {SGEState.FINISHED}
    return [(job.job_id, job.name, job.state, job.exit_status) for job in jobs]


def test_qacct_of_ended_jobs() -> None:
    for moment in ("mixed", "after_delete"):
        fails, completes = QACCT[f"{moment}:fails"], QACCT[f"{moment}:completes"]
        assert qacct(f"{moment}:fails") == [(fails["job_id"], "fails_3", QState.FAILED, 3)]
        assert qacct(f"{moment}:completes") == [(completes["job_id"], "completes", QState.DONE, 0)]
    running = QACCT["after_delete:running"]["job_id"]
    assert qacct("after_delete:running") == [(running, "running", QState.FAILED, 137)]
    # Before this snapshot the scenario deletes task 2 of the 6-task array only (the whole array
    # goes after it), so no other task, each sleeping 600 s, can have ended. Task 2 ran in this
    # recording (the mixed snapshot lists it running), so qdel killed it: 137. The scenario waits
    # neither for task 2 to start nor for its accounting, so a re-recording may find qacct
    # without it (a task deleted while pending has no record): qacct then exits 1.
    for case in ("after_delete:array", "after_delete:array_task"):
        record = QACCT[case]
        array = record["job_id"]
        killed_task = [(f"{array}.2", "array", QState.FAILED, 137)]
        asked = array if case.endswith(":array") else f"{array}.2"
        assert qacct(case, asked) == (killed_task if record["exit_code"] == 0 else [])


@pytest.mark.parametrize(
    "case",
    ["mixed:running", "mixed:held", "mixed:array", "mixed:unknown", "after_delete:held"],
)
def test_qacct_knows_no_job_that_has_not_ended(case: str) -> None:
    assert QACCT[case]["stderr"].startswith("error: job id ")
    assert qacct(case) == []


def test_qacct_knows_no_array_task_that_has_not_ended() -> None:
    record = QACCT["mixed:array_task"]
    assert record["stderr"].startswith("error: Job-array tasks ")
    assert qacct("mixed:array_task", f"{record['job_id']}.2") == []


def _sacct_job(moment: str, name: str) -> QJob[SlurmState] | None:
    """``SlurmIO(get_job_executable="sacct")`` reading the recording for the job named ``name``."""
    record = SACCT[moment]
    return SlurmIO(get_job_executable="sacct").parse_job_output(
        record["exit_code"], record["stdout"], record["stderr"], job_id=record["jobs"][name]
    )


def test_get_job_through_sacct_asks_as_the_recorded_command() -> None:
    record = SACCT["mixed:unknown"]
    assert SlurmIO(get_job_executable="sacct").get_job_cmd("999999") == record["command"]
    # The recorded listing named its jobs in one --jobs list; one job is asked for alone.
    listing = SACCT["mixed:all"]["command"]
    command = SlurmIO(get_job_executable="sacct").get_job_cmd(QJob(job_id="231"))
    assert command == listing.partition("--jobs=")[0] + "--jobs=231"


def test_get_job_through_sacct_reads_the_recorded_records() -> None:
    # 231|FAILED|3:0|root|root|debug|0|1|1|UNLIMITED|fails with 3
    fails = _sacct_job("mixed:all", "fails")
    assert fails is not None
    assert (fails.job_id, fails.name, fails.state, fails.sub_state, fails.exit_status) == (
        SACCT["mixed:all"]["jobs"]["fails"],
        "fails with 3",
        QState.FAILED,
        SlurmState.FAILED,
        3,
    )
    assert (fails.username, fails.account, fails.queue_name) == ("root", "root", "debug")
    assert fails.info == QJobInfo(nodes=1, cpus=1, time_limit=None)
    # 233|CANCELLED by 0|0:0|root|root|debug|5|1|2|60|no constraints
    cancelled = _sacct_job("after_cancel:all", "no_constraints")
    assert cancelled is not None
    assert (cancelled.name, cancelled.state, cancelled.sub_state, cancelled.runtime) == (
        "no constraints",
        QState.FAILED,
        SlurmState.CANCELLED,
        5,
    )
    assert cancelled.info == QJobInfo(nodes=1, cpus=2, time_limit=3600)
    # 240|PENDING|...|a<><>b|c d: the separator inside the name stays in it.
    separator = _sacct_job("mixed:all", "separator_in_name")
    assert separator is not None
    assert (separator.name, separator.state) == ("a<><>b|c d", QState.QUEUED)


def test_get_job_through_sacct_of_an_array_is_its_first_task_record() -> None:
    # 238_[1-3]|PENDING|...|array: the array's pending tasks, listed under one record.
    array = _sacct_job("mixed:all", "array")
    assert array is not None
    assert (array.job_id, array.name, array.sub_state) == (
        SACCT["mixed:all"]["jobs"]["array"] + "_[1-3]",
        "array",
        SlurmState.PENDING,
    )


def test_get_job_through_sacct_of_an_unknown_job_is_none() -> None:
    record = SACCT["mixed:unknown"]
    io = SlurmIO(get_job_executable="sacct")
    assert io.parse_job_output(record["exit_code"], record["stdout"], "", job_id="999999") is None


def test_get_job_through_sacct_reports_a_failed_sacct() -> None:
    with pytest.raises(CommandFailedError, match="sacct failed with exit code 1: no slurmdbd"):
        SlurmIO(get_job_executable="sacct").parse_job_output(1, "", "no slurmdbd\n", job_id="1")
