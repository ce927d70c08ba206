"""JSON Schema generated from the types, and plain builtins for database documents."""

from __future__ import annotations

import functools
import json
import typing
from pathlib import Path
from typing import Any

import jsonschema
import msgspec
import pytest
from hypothesis import given, settings

from qtk_strategies import any_object
from qtoolkit.core.codecs import encode, from_builtins, to_builtins
from qtoolkit.core.data_objects import (
    CancelResult,
    ProcessPlacement,
    QJob,
    QJobInfo,
    QResources,
    QState,
    SubmissionResult,
    SubmissionStatus,
)
from qtoolkit.core.schema import SCHEMA_FILE, SCHEMA_TYPES, json_schema, json_schemas
from qtoolkit.core.unions import AnyResult
from qtoolkit.io.slurm import SlurmState
from qtoolkit.synthetic import generate_snapshot


def test_committed_schema_file_is_in_sync() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json_schemas(), (
        "regenerate with: python -c 'from qtoolkit.core.schema import write_schema_file; "
        "write_schema_file()'"
    )


def test_every_public_type_has_a_schema() -> None:
    definitions = json_schemas()["$defs"]
    for name in (
        "QJobInfo",
        "QResources",
        "OperationResult",
        "SubmissionResult",
        "CancelResult",
        "QState",
        "ProcessPlacement",
        "SubmissionStatus",
        "CancelStatus",
        "SlurmState",
        "PBSState",
        "SGEState",
        "ShellState",
        "QJob_SlurmState_",
        "Snapshot_SlurmState_",
        "AnyResult",
        "list_AnyResult_",
    ):
        assert name in definitions, name


def test_schema_content() -> None:
    definitions = json_schemas()["$defs"]
    assert definitions["Snapshot_PBSState_"]["items"] == {"$ref": "#/$defs/QJob_PBSState_"}
    job = definitions["QJob_SlurmState_"]
    assert list(job["properties"]) == list(QJob.__struct_fields__)
    assert "PD" in definitions["SlurmState"]["enum"]
    assert "\n    " not in definitions["QState"]["description"]
    assert definitions["AnyResult"]["discriminator"]["propertyName"] == "type"
    assert definitions["SubmissionResult"]["required"] == ["type"]
    path_field = definitions["QResources"]["properties"]["output_filepath"]["anyOf"][0]
    assert path_field == {"type": "string", "description": "A file path, written as a string."}


def test_single_type_schemas_are_self_contained() -> None:
    schema = json_schema("Snapshot[SlurmState]")
    assert schema["type"] == "array"
    assert set(schema["$defs"]) == {"QJob_SlurmState_", "QState", "SlurmState", "QJobInfo"}
    qstate = json_schema("QState")
    assert qstate["$ref"] == "#/$defs/QState"
    assert set(qstate["$defs"]["QState"]["enum"]) == {state.value for state in QState}
    with pytest.raises(KeyError, match="no schema named 'QJob'"):
        json_schema("QJob")
    assert set(SCHEMA_TYPES) >= {"QJob[SlurmState]", "list[AnyResult]"}


@functools.cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator of the committed schemas' definition ``name``."""
    schemas = json.loads(SCHEMA_FILE.read_text())
    root = {"$defs": schemas["$defs"], "$ref": f"#/$defs/{name}"}
    jsonschema.Draft202012Validator.check_schema(root)
    return jsonschema.Draft202012Validator(root)


def test_encoded_snapshots_match_their_schema() -> None:
    snapshots = validator("Snapshot_SlurmState_")
    snapshots.validate(msgspec.json.decode(encode(generate_snapshot(2_000))))
    for bad in (
        [{"state": "RUNNINGX"}],
        [{"runtime": -1}],
        [{"exit_status": 2**63}],
        [{"info": {"cpus": "four"}}],
        [{"sub_state": "Q"}],  # PBS's, not SLURM's
    ):
        assert not snapshots.is_valid(bad), bad
    assert snapshots.is_valid([{"sub_state": "PD"}, {"exit_status": -(2**63)}])  # alias; negative
    results = validator("list_AnyResult_")
    results.validate(msgspec.json.decode(encode([SubmissionResult(job_id=1), CancelResult()])))
    assert not results.is_valid([{"job_id": 1}])  # a stream of results needs its tags
    resources = validator("QResources")
    resources.validate(msgspec.json.decode(encode(QResources.scattered(3, queue_name="q"))))
    assert not resources.is_valid({"processes": -3})


@settings(max_examples=300, deadline=None)
@given(any_object())
def test_every_valid_object_matches_its_schema(value_and_type: tuple[Any, Any]) -> None:
    value, kind = value_and_type
    name = _definition_name(kind)
    validator(name).validate(msgspec.json.decode(encode(value)))


def _definition_name(kind: Any) -> str:
    """``QJob[SlurmState]`` → ``QJob_SlurmState_``, as msgspec names schema definitions."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list:  # list[QJob[S]] is a Snapshot[S]
        return f"Snapshot_{typing.get_args(args[0])[0].__name__}_"
    if origin is not None:
        return f"{origin.__name__}_{args[0].__name__}_"
    return str(kind.__name__)


def test_builtins_round_trip_without_bytes() -> None:
    job = QJob[SlurmState](
        job_id="9", state=QState.RUNNING, sub_state=SlurmState.RUNNING, info=QJobInfo(cpus=1)
    )
    document = to_builtins(job)
    assert document == {
        "job_id": "9",
        "state": "RUNNING",
        "sub_state": "RUNNING",
        "info": {"cpus": 1},
    }
    assert from_builtins(document, type=QJob[SlurmState]) == job
    resources = QResources.same_node(2, output_filepath=Path("/o"))
    assert to_builtins(resources) == {
        "processes": 2,
        "output_filepath": "/o",
        "process_placement": "SAME_NODE",
        "scheduler_kwargs": {},
    }
    assert from_builtins(to_builtins(resources), type=QResources) == resources
    results: list[AnyResult] = [SubmissionResult(status=SubmissionStatus.FAILED), CancelResult()]
    assert from_builtins(to_builtins(results), type=list[AnyResult]) == results


def test_database_documents_are_validated() -> None:
    stored = {"_id": "65a1f0c2", "job_id": "9", "sub_state": "PD"}  # MongoDB adds _id
    assert from_builtins(stored, type=QJob[SlurmState]).sub_state is SlurmState.PENDING
    with pytest.raises(
        msgspec.ValidationError, match=r"Invalid enum value 'XX' - at `\$\[1\]\.state`"
    ):
        from_builtins([{}, {"state": "XX"}], type=list[QJob[SlurmState]])
    with pytest.raises(msgspec.ValidationError, match=r"at `\$\.process_placement`"):
        from_builtins({"process_placement": "ANYWHERE"}, type=QResources)
    assert from_builtins({"process_placement": "SAME_NODE"}, type=QResources).process_placement is (
        ProcessPlacement.SAME_NODE
    )


def test_database_document_errors_name_the_root_like_decode() -> None:
    for document in ({"processes": 1, "nodes": 3}, 5):
        with pytest.raises(msgspec.ValidationError, match=r" - at `\$`$"):
            from_builtins(document, type=QResources)
    with pytest.raises(TypeError, match=r"a QJob needs its scheduler's sub-state"):
        from_builtins({}, type=QJob)
