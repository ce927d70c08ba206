"""The accounting parsers on the integration recordings of tests/data/real (ids change per run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qtoolkit.core.data_objects import QState
from qtoolkit.io.sge import SGEState
from qtoolkit.io.sge_accounting import SGEAccounting
from qtoolkit.io.slurm import SlurmState
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
    # The array job asked for by its id is listed as its pending tasks.
    assert set(jobs) == {*ids.values(), f"{ids['array']}_[1-3]"} - {ids["array"]}
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
        assert jobs[f"{ids['array']}_[1-3]"].sub_state == SlurmState.CANCELLED


@pytest.mark.parametrize("moment", ["mixed", "after_cancel"])
def test_sacct_of_an_unknown_id_lists_nothing(moment: str) -> None:
    record = SACCT[f"{moment}:unknown"]
    assert (
        SlurmAccounting().parse_finished_jobs_output(
            record["exit_code"], record["stdout"], record["stderr"]
        )
        == []
    )


def qacct(case: str) -> list[tuple[str | None, str | None, QState | None, int | None]]:
    record = QACCT[case]
    assert record["command"] == SGEAccounting().get_finished_jobs_cmd([record["job_id"]])
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
    array = QACCT["after_delete:array"]["job_id"]
    assert qacct("after_delete:array") == [
        (f"{array}.{task}", "array", QState.FAILED, 137) for task in (1, 2, 3, 4)
    ]


@pytest.mark.parametrize(
    "case",
    ["mixed:running", "mixed:held", "mixed:array", "mixed:unknown", "after_delete:held"],
)
def test_qacct_knows_no_job_that_has_not_ended(case: str) -> None:
    assert QACCT[case]["stderr"].startswith("error: job id ")
    assert qacct(case) == []
