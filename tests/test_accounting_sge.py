"""qacct: commands and the parsing of output recorded from Grid Engine 8.1.9."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qtoolkit.core.data_objects import QJob, QJobInfo, QState
from qtoolkit.core.exceptions import CommandFailedError, InvalidJobIDError, OutputParsingError
from qtoolkit.io.sge import SGEState
from qtoolkit.io.sge_accounting import SGEAccounting

DATA = Path(__file__).parent / "data" / "accounting"


def recorded(name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((DATA / f"sge-{name}.json").read_text())
    assert record["version"] == "SGE 8.1.9"
    return record


def parse(record: dict[str, Any]) -> list[QJob[SGEState]]:
    return SGEAccounting().parse_finished_jobs_output(
        record["exit_code"], record["stdout"], record["stderr"]
    )


def test_command_runs_one_qacct_per_job_and_task() -> None:
    command = SGEAccounting().get_finished_jobs_cmd(["12", "4.3"])
    assert command == "qacct -j 12; qacct -j 4 -t 3"


@pytest.mark.parametrize("job_id", ["1,2", "12; rm -rf /", "name", "*", "1.", ".1", "", "1 2"])
def test_command_refuses_what_qacct_would_misread(job_id: str) -> None:
    with pytest.raises(InvalidJobIDError, match="invalid for Grid Engine"):
        SGEAccounting().get_finished_jobs_cmd(["3", job_id])


def test_command_needs_an_id() -> None:
    with pytest.raises(ValueError, match="at least one job id"):
        SGEAccounting().get_finished_jobs_cmd([])


def test_recorded_commands_are_the_ones_built() -> None:
    for path in DATA.glob("sge-*.json"):
        record = json.loads(path.read_text())
        assert SGEAccounting().get_finished_jobs_cmd(record["job_ids"]) == record["command"]


def test_job_that_exited_with_3_failed() -> None:
    assert parse(recorded("exit-3")) == [
        QJob(
            name="tst",
            job_id="1",
            exit_status=3,
            state=QState.FAILED,
            sub_state=SGEState.FINISHED,
            info=QJobInfo(cpus=1),
            account="sge",
            runtime=2,
            queue_name="all.q",
            username="root",
        )
    ]


def test_deleted_running_job_and_array_task_were_killed_and_unknown_id_is_absent() -> None:
    # qdel of running jobs: failed "100 : assumedly after job", exit_status "137 (Killed)".
    # Asking for the array job 4 and for its task 4.1 gives one record of the task.
    jobs = parse(recorded("killed-array-unknown"))
    assert [(job.job_id, job.name, job.exit_status, job.state, job.runtime) for job in jobs] == [
        ("1", "run1", 137, QState.FAILED, 89),
        ("4.1", "arr", 137, QState.FAILED, 89),
    ]
    assert {job.sub_state for job in jobs} == {SGEState.FINISHED}


def test_missing_accounting_file_and_tasks_mean_no_records() -> None:
    assert parse(recorded("no-accounting-file")) == []
    assert parse(recorded("task-not-found")) == []


def test_successful_job_is_done() -> None:
    record = recorded("exit-3")
    stdout = record["stdout"].replace("exit_status  3 ", "exit_status  0 ")
    [job] = SGEAccounting().parse_finished_jobs_output(0, stdout, "")
    assert (job.state, job.exit_status) == (QState.DONE, 0)


def test_later_record_of_a_job_number_wins() -> None:
    stdout = recorded("exit-3")["stdout"]
    second = stdout.replace("exit_status  3 ", "exit_status  0 ").replace(
        "ru_wallclock 2s", "ru_wallclock 7s"
    )
    [job] = SGEAccounting().parse_finished_jobs_output(0, stdout + second, "")
    assert (job.exit_status, job.runtime) == (0, 7)


def test_other_errors_fail_the_command() -> None:
    with pytest.raises(CommandFailedError, match="denied") as info:
        SGEAccounting().parse_finished_jobs_output(
            1, "", "error: job id 5 not found\nerror: permission denied\n"
        )
    assert info.value.exit_code == 1


def test_bytes_are_read_as_utf8() -> None:
    record = recorded("exit-3")
    jobs = SGEAccounting().parse_finished_jobs_output(0, record["stdout"].encode(), b"")
    assert [job.job_id for job in jobs] == ["1"]


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("exit_status  3 ", "exit_status  x ", 19, "exit_status"),
        ("failed       0 ", "failed       ? ", 18, "failed"),
        ("ru_wallclock 2s", "ru_wallclock 2m", 20, "ru_wallclock"),
        ("taskid       undefined", "taskid       x", 10, "taskid"),
        ("jobnumber    1 ", "jobnr        1 ", 2, "jobnumber"),
    ],
)
def test_unreadable_field_is_named_with_its_line(old: str, new: str, line: int, field: str) -> None:
    stdout = recorded("exit-3")["stdout"]
    assert old in stdout
    with pytest.raises(
        OutputParsingError, match=f"line {line}.*{field}|{field}.*line {line}"
    ) as info:
        SGEAccounting().parse_finished_jobs_output(0, stdout.replace(old, new), "")
    assert (info.value.line, info.value.field) == (line, field)


def test_text_before_the_first_record_is_an_error() -> None:
    with pytest.raises(OutputParsingError, match="line 1") as info:
        SGEAccounting().parse_finished_jobs_output(0, "garbage\n" + "=" * 62 + "\n", "")
    assert info.value.line == 1
