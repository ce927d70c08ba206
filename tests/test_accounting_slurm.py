"""sacct: the command and the parsing of output recorded from SLURM 22.05 with slurmdbd."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qtoolkit.core.data_objects import QJob, QJobInfo, QState
from qtoolkit.core.exceptions import CommandFailedError, InvalidJobIDError, OutputParsingError
from qtoolkit.io.slurm import SlurmState
from qtoolkit.io.slurm_accounting import SACCT_COLUMNS, SlurmAccounting

DATA = Path(__file__).parent / "data" / "accounting"


def recorded(name: str) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((DATA / f"slurm-{name}.json").read_text())
    assert record["version"] == "slurm-wlm 22.05.8"
    return record


def parse(record: dict[str, Any]) -> list[QJob[SlurmState]]:
    return SlurmAccounting().parse_finished_jobs_output(
        record["exit_code"], record["stdout"], record["stderr"]
    )


def test_command_asks_for_exactly_the_parsed_columns_of_the_allocations() -> None:
    assert SlurmAccounting().get_finished_jobs_cmd(["12", "8_2", "40+1"]) == (
        "sacct --allocations --parsable2 --noheader --format=JobID,State,ExitCode,User,Account,"
        "Partition,ElapsedRaw,NNodes,NCPUS,TimelimitRaw,JobName --jobs=12,8_2,40+1"
    )
    assert SACCT_COLUMNS[-1] == "JobName"


@pytest.mark.parametrize("job_id", ["1,2", "12;id", "$(id)", "a", "8_[1-3]", "", " 1", "-1"])
def test_command_refuses_ids_slurm_would_not_give(job_id: str) -> None:
    with pytest.raises(InvalidJobIDError, match="invalid for SLURM"):
        SlurmAccounting().get_finished_jobs_cmd(["3", job_id])


def test_command_needs_an_id() -> None:
    with pytest.raises(ValueError, match="at least one job id"):
        SlurmAccounting().get_finished_jobs_cmd([])


def test_recorded_commands_are_the_ones_built() -> None:
    for path in DATA.glob("slurm-*.json"):
        record = json.loads(path.read_text())
        assert SlurmAccounting().get_finished_jobs_cmd(record["job_ids"]) == record["command"]


def test_every_recorded_job_with_its_final_state_and_exit_status() -> None:
    jobs = parse(recorded("finished-queued-unknown"))
    summary = [
        (job.job_id, job.name, job.state, job.sub_state, job.exit_status, job.runtime)
        for job in jobs
    ]
    assert summary == [
        ("1", "ok", QState.DONE, SlurmState.COMPLETED, 0, 0),
        ("2", "exit2", QState.FAILED, SlurmState.FAILED, 2, 0),
        # The name holds the separator; the snowflake did not survive the database's charset.
        ("3", "pipe|name é ?", QState.DONE, SlurmState.COMPLETED, 0, 0),
        # ExitCode 0:9, killed by SIGKILL: 128 + 9 as a shell would report.
        ("4", "killed9", QState.FAILED, SlurmState.FAILED, 137, 0),
        # "CANCELLED by 0": cancelled by root while running, then while held.
        ("5", "running-cancel", QState.FAILED, SlurmState.CANCELLED, 0, 14),
        ("6", "held", QState.FAILED, SlurmState.CANCELLED, 0, 0),
        ("7", "timeout", QState.FAILED, SlurmState.TIMEOUT, 0, 70),
        ("9", "pending-long", QState.FAILED, SlurmState.CANCELLED, 0, 0),
        # Asking for the array job 8 lists its tasks.
        ("8_1", "arr", QState.FAILED, SlurmState.FAILED, 1, 0),
        ("8_2", "arr", QState.FAILED, SlurmState.FAILED, 2, 0),
        ("8_3", "arr", QState.FAILED, SlurmState.FAILED, 3, 0),
        # Accounting knows jobs still in the queue, and says so.
        ("12", "held2", QState.QUEUED, SlurmState.PENDING, 0, 0),
        ("13", "run ning", QState.RUNNING, SlurmState.RUNNING, 0, 50),
    ]
    # 999 was asked for too: an unknown id is simply absent.


def test_the_other_columns() -> None:
    jobs = {job.job_id: job for job in parse(recorded("finished-queued-unknown"))}
    assert jobs["7"] == QJob(
        name="timeout",
        job_id="7",
        exit_status=0,
        state=QState.FAILED,
        sub_state=SlurmState.TIMEOUT,
        info=QJobInfo(nodes=1, cpus=1, time_limit=60),
        account="root",
        runtime=70,
        queue_name="debug",
        username="root",
    )
    # UNLIMITED and Partition_Limit: the job has no time limit of its own.
    assert jobs["1"].info == QJobInfo(nodes=1, cpus=1)
    assert jobs["12"].info == QJobInfo(nodes=1, cpus=1)


def test_disabled_accounting_fails_the_command() -> None:
    with pytest.raises(CommandFailedError, match="accounting storage is disabled") as info:
        parse(recorded("accounting-disabled"))
    assert info.value.exit_code == 1


def test_bytes_are_read_as_utf8() -> None:
    stdout = recorded("finished-queued-unknown")["stdout"].encode()
    jobs = SlurmAccounting().parse_finished_jobs_output(0, stdout, b"")
    assert jobs[2].name == "pipe|name é ?"


def test_requeued_has_no_sub_state_but_is_requeued() -> None:
    [job] = SlurmAccounting().parse_finished_jobs_output(
        0, "5|REQUEUED|0:0|root|root|debug|3|1|1|10|name\n", ""
    )
    assert (job.state, job.sub_state) == (QState.REQUEUED, None)


LINE = "7|TIMEOUT|0:0|root|root|debug|70|1|1|1|timeout"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("7|TIMEOUT|0:0|root", "Account"),
        ("7|TIMED_OUT|0:0|root|root|debug|70|1|1|1|timeout", "State"),
        ("7|TIMEOUT|0|root|root|debug|70|1|1|1|timeout", "ExitCode"),
        ("7|TIMEOUT|0:0|root|root|debug|-1|1|1|1|timeout", "ElapsedRaw"),
        ("7|TIMEOUT|0:0|root|root|debug|70||1|1|timeout", "NNodes"),
        ("7|TIMEOUT|0:0|root|root|debug|70|1|½|1|timeout", "NCPUS"),
        ("7|TIMEOUT|0:0|root|root|debug|70|1|1|1:00|timeout", "TimelimitRaw"),
    ],
)
def test_unreadable_field_is_named_with_its_line(line: str, field: str) -> None:
    with pytest.raises(OutputParsingError, match=f"line 2.*{field}") as info:
        SlurmAccounting().parse_finished_jobs_output(0, f"{LINE}\n{line}\n", "")
    assert (info.value.line, info.value.field) == (2, field)
