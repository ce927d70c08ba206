"""pydantic v2 fields: every object and enum validates from instances, dicts and MSON documents."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pydantic
import pytest

from qtoolkit.core.data_objects import (
    CancelResult,
    CancelStatus,
    OperationResult,
    ProcessPlacement,
    QJob,
    QJobInfo,
    QResources,
    QState,
    QSubState,
    SubmissionResult,
    SubmissionStatus,
)
from qtoolkit.core.unions import AnyResult
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.slurm import SlurmState


class JobRecord(pydantic.BaseModel):
    """A workflow manager's record, as jobflow-remote keeps one."""

    state: QState
    resources: QResources | None = None
    job: QJob[SlurmState] | None = None
    any_job: QJob | None = None
    info: QJobInfo | None = None
    sub_state: QSubState | None = None
    placement: ProcessPlacement | None = None
    submission: SubmissionResult | None = None
    cancel: CancelResult | None = None
    result: OperationResult | None = None
    results: list[AnyResult] = []
    submission_status: SubmissionStatus | None = None
    cancel_status: CancelStatus | None = None


FULL = JobRecord(
    state=QState.RUNNING,
    resources=QResources.no_constraints(4, output_filepath=Path("/o.log"), queue_name="q"),
    job=QJob[SlurmState](job_id="1", sub_state=SlurmState.PENDING, info=QJobInfo(cpus=2)),
    any_job=QJob(job_id="2", sub_state=PBSState.HELD),
    info=QJobInfo(memory=10),
    sub_state=SlurmState.COMPLETED,
    placement=ProcessPlacement.SAME_NODE,
    submission=SubmissionResult(job_id=1, status=SubmissionStatus.SUCCESSFUL),
    cancel=CancelResult(job_id="x", status=CancelStatus.FAILED),
    result=OperationResult(exit_code=3),
    results=[SubmissionResult(job_id=2), CancelResult(job_id=2)],
    submission_status=SubmissionStatus.FAILED,
    cancel_status=CancelStatus.JOB_ID_UNKNOWN,
)


def test_json_round_trip_gives_an_equal_model() -> None:
    text = FULL.model_dump_json()
    again = JobRecord.model_validate_json(text)
    assert again == FULL
    assert again.any_job is not None
    assert again.any_job.sub_state is PBSState.HELD
    assert [type(r) for r in again.results] == [SubmissionResult, CancelResult]


def test_a_base_class_field_round_trips_a_subclass() -> None:
    record = FULL.model_copy(update={"result": CancelResult(job_id=4, status=CancelStatus.FAILED)})
    again = JobRecord.model_validate_json(record.model_dump_json())
    assert again.result == CancelResult(job_id=4, status=CancelStatus.FAILED)
    assert type(again.result) is CancelResult


def test_python_round_trip_gives_an_equal_model() -> None:
    dumped = FULL.model_dump()
    assert isinstance(dumped["job"], dict)
    assert dumped["results"][1]["type"] == "CancelResult"  # the tag, as in JSON
    assert JobRecord(**dumped) == FULL


def test_json_dump_uses_the_wire_form() -> None:
    data = pydantic.TypeAdapter(JobRecord).dump_python(FULL, mode="json")
    assert data["state"] == "RUNNING"
    assert data["job"] == {"job_id": "1", "sub_state": "PENDING", "info": {"cpus": 2}}
    assert data["resources"]["output_filepath"] == "/o.log"
    assert data["results"][1] == {"type": "CancelResult", "job_id": 2}
    # A bare QJob or QSubState is written as its MSON document, which names the scheduler.
    assert data["any_job"]["sub_state"]["@class"] == "PBSState"
    assert data["sub_state"]["@module"] == "qtoolkit.io.slurm"


@pytest.mark.parametrize(
    ("field", "given", "expected"),
    [
        ("state", "QUEUED", QState.QUEUED),
        ("state", QState.QUEUED.as_dict(), QState.QUEUED),
        ("placement", ProcessPlacement.SCATTERED, ProcessPlacement.SCATTERED),
        ("info", {"cpus": 3}, QJobInfo(cpus=3)),
        ("info", QJobInfo(cpus=3).as_dict(), QJobInfo(cpus=3)),
        ("job", {"sub_state": "PD"}, QJob[SlurmState](sub_state=SlurmState.PENDING)),
        ("job", QJob(sub_state=SlurmState.RUNNING).as_dict(), QJob(sub_state=SlurmState.RUNNING)),
        ("any_job", QJob(sub_state=PBSState.HELD).as_dict(), QJob(sub_state=PBSState.HELD)),
        ("sub_state", SlurmState.PENDING.as_dict(), SlurmState.PENDING),
        ("resources", {"processes": 2}, QResources(processes=2)),
        ("resources", {"nodes": 1, "processes_per_node": 2}, QResources.evenly_distributed(1, 2)),
        ("resources", QResources.scattered(2).as_dict(), QResources.scattered(2)),
        ("result", SubmissionResult(job_id=1).as_dict(), SubmissionResult(job_id=1)),
        ("results", [{"type": "SubmissionResult", "job_id": 5}], [SubmissionResult(job_id=5)]),
        ("submission_status", "JOB_ID_UNKNOWN", SubmissionStatus.JOB_ID_UNKNOWN),
    ],
)
def test_validation_accepts_instances_dicts_and_mson(field: str, given: Any, expected: Any) -> None:
    record = JobRecord.model_validate({"state": QState.DONE, field: given})
    assert getattr(record, field) == expected


@pytest.mark.parametrize(
    ("field", "given", "message"),
    [
        ("state", "RUNNINGX", "Invalid enum value 'RUNNINGX'"),
        ("resources", {"queue_name": "debug"}, "queue_name is set"),
        ("info", {"cpus": "two"}, r"info.cpus\n  Expected `int \| null`, got `str`"),
        ("job", {"sub_state": "Q"}, r"job.sub_state\n  Invalid enum value 'Q'"),
        ("job", QJob(sub_state=PBSState.RUNNING), "expected a SlurmState sub-state, got <PBSState"),
        ("any_job", {"sub_state": "R"}, "does not say its scheduler"),
        ("sub_state", "PD", "needs an MSON document naming its scheduler"),
        ("info", {"@module": "os", "@class": "system"}, "unknown MSON class `os.system`"),
        ("info", 12, "expected a QJobInfo, a dict of its fields or its MSON document"),
        ("results", [{"type": "Nope"}], "Invalid value 'Nope'"),
    ],
)
def test_invalid_input_is_a_validation_error_naming_the_field(
    field: str, given: Any, message: str
) -> None:
    with pytest.raises(pydantic.ValidationError, match=message) as info:
        JobRecord.model_validate({"state": QState.DONE, field: given})
    assert info.value.errors()[0]["loc"][0] == field


def test_every_problem_is_an_error_at_its_own_location() -> None:
    # In the order of the input, each value at fault once.
    with pytest.raises(pydantic.ValidationError) as info:
        JobRecord.model_validate(
            {
                "state": QState.DONE,
                "resources": {"nodes": -1, "processes": "four", "processes_per_node": 2},
                "job": {"info": {"cpus": "x", "nodes": -2}, "sub_state": "XX", "job_id": "7"},
            }
        )
    assert [(e["loc"], e["msg"], e["input"]) for e in info.value.errors()] == [
        (("resources", "nodes"), "Expected `int` >= 0", -1),
        (("resources", "processes"), "Expected `int | null`, got `str`", "four"),
        (("job", "info", "cpus"), "Expected `int | null`, got `str`", "x"),
        (("job", "info", "nodes"), "Expected `int` >= 0", -2),
        (("job", "sub_state"), "Invalid enum value 'XX'", "XX"),
    ]
    assert {e["type"] for e in info.value.errors()} == {"qtoolkit"}


def test_each_unknown_field_is_an_error_at_its_own_location() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        JobRecord.model_validate(
            {
                "state": QState.DONE,
                "resources": {"ntasks": 10, "partition": "debug", "processes": "x"},
                "info": {"cpus": -1, "gres": "gpu:1"},
            }
        )
    assert [(e["loc"], e["msg"], e["input"]) for e in info.value.errors()] == [
        (
            ("resources", "ntasks"),
            "QResources has no field `ntasks`: unknown fields are refused",
            10,
        ),
        (
            ("resources", "partition"),
            "QResources has no field `partition`: unknown fields are refused",
            "debug",
        ),
        (("resources", "processes"), "Expected `int | null`, got `str`", "x"),
        (("info", "gres"), "QJobInfo has no field `gres`: unknown fields are refused", "gpu:1"),
        (("info", "cpus"), "Expected `int` >= 0", -1),
    ]


def test_an_error_about_the_whole_object_is_at_the_object() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        JobRecord.model_validate({"state": QState.DONE, "resources": {"queue_name": "debug"}})
    ((error),) = info.value.errors()
    assert error["loc"] == ("resources",)
    assert error["msg"].startswith("process_placement is None but queue_name is set")
    assert error["input"] == {"queue_name": "debug"}


def test_json_schema_describes_the_fields() -> None:
    schema = JobRecord.model_json_schema()
    properties = schema["properties"]
    assert set(properties["state"]["enum"]) == {state.value for state in QState}
    job = properties["job"]["anyOf"][0]
    assert job["properties"]["sub_state"]["anyOf"][0]["enum"][:2] == ["BOOT_FAIL", "BF"]
    assert properties["any_job"]["anyOf"][0]["required"] == ["@module", "@class"]
    assert "$ref" not in str(job)


def test_schema_descriptions_are_plain_text() -> None:
    text = json.dumps(JobRecord.model_json_schema())
    descriptions = re.findall(r'"description": "((?:[^"\\]|\\.)*)"', text)
    assert any("UnsupportedResourcesError" in d for d in descriptions)
    for description in descriptions:
        assert "``" not in description, description
        assert not re.search(r":[a-z]+:`", description), description
