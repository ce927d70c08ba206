"""The data objects as Python values: construction, equality, mutation, copies and pickling."""

from __future__ import annotations

import copy
import enum
import pickle
from pathlib import Path
from typing import Any

import msgspec
import pytest

from qtoolkit.core import data_objects
from qtoolkit.core.base import QTKEnum, QTKObject
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
from qtoolkit.core.exceptions import (
    CommandFailedError,
    InvalidJobIDError,
    OutputParsingError,
    QTKError,
    QTKException,
    UnsupportedResourcesError,
)
from qtoolkit.io.slurm import SlurmState

STRUCTS: list[type[QTKObject]] = [
    OperationResult,
    SubmissionResult,
    CancelResult,
    QResources,
    QJobInfo,
    QJob,
]
ENUMS: list[type[QTKEnum]] = [
    SubmissionStatus,
    CancelStatus,
    QState,
    QSubState,
    ProcessPlacement,
]

# Field order and defaults of the API reference; QJob ends with upstream 0.1.7's ``username``.
REFERENCE_FIELDS: dict[type[QTKObject], list[str]] = {
    OperationResult: ["job_id", "step_id", "exit_code", "stdout", "stderr"],
    SubmissionResult: ["job_id", "step_id", "exit_code", "stdout", "stderr", "status"],
    CancelResult: ["job_id", "step_id", "exit_code", "stdout", "stderr", "status"],
    QJobInfo: ["memory", "memory_per_cpu", "nodes", "cpus", "threads_per_process", "time_limit"],
    QJob: [
        "name",
        "job_id",
        "exit_status",
        "state",
        "sub_state",
        "info",
        "account",
        "runtime",
        "queue_name",
        "username",
    ],
    QResources: [
        "queue_name",
        "job_name",
        "memory_per_thread",
        "nodes",
        "processes",
        "processes_per_node",
        "threads_per_process",
        "gpus_per_job",
        "time_limit",
        "account",
        "qos",
        "priority",
        "output_filepath",
        "error_filepath",
        "process_placement",
        "email_address",
        "rerunnable",
        "project",
        "njobs",
        "scheduler_kwargs",
    ],
}


def populated(cls: type[QTKObject]) -> QTKObject:
    """An instance of ``cls`` with every field set to a non-default value."""
    values: dict[type[QTKObject], dict[str, Any]] = {
        OperationResult: {"job_id": 12, "step_id": 1, "exit_code": 0, "stdout": "o", "stderr": "e"},
        SubmissionResult: {"job_id": "12", "status": SubmissionStatus.SUCCESSFUL, "stdout": "ok"},
        CancelResult: {"job_id": 3, "status": CancelStatus.JOB_ID_UNKNOWN, "exit_code": 1},
        QJobInfo: {"memory": 1, "memory_per_cpu": 2, "nodes": 3, "cpus": 4, "time_limit": 60},
        QJob: {
            "name": "relax",
            "job_id": "991",
            "exit_status": 0,
            "state": QState.RUNNING,
            "sub_state": SlurmState.RUNNING,
            "info": QJobInfo(cpus=8),
            "account": "acct",
            "runtime": 120,
            "queue_name": "debug",
            "username": "ada",
        },
        QResources: {
            "queue_name": "debug",
            "processes": 8,
            "process_placement": ProcessPlacement.NO_CONSTRAINTS,
            "scheduler_kwargs": {"constraint": "gpu", "nested": [1, {"a": None}]},
            "output_filepath": "out.txt",
            "priority": "high",
            "rerunnable": True,
        },
    }
    return cls(**values[cls])


def test_module_exports_the_reference_classes() -> None:
    assert sorted(data_objects.__all__) == [
        "CancelResult",
        "CancelStatus",
        "OperationResult",
        "ProcessPlacement",
        "QJob",
        "QJobInfo",
        "QResources",
        "QState",
        "QSubState",
        "SubmissionResult",
        "SubmissionStatus",
    ]
    for name in data_objects.__all__:
        assert getattr(data_objects, name).__module__ == "qtoolkit.core.data_objects"


@pytest.mark.parametrize("cls", STRUCTS, ids=lambda c: c.__name__)
def test_structs_are_static_msgspec_structs(cls: type[QTKObject]) -> None:
    assert issubclass(cls, QTKObject)
    assert issubclass(cls, msgspec.Struct)
    assert list(cls.__struct_fields__) == REFERENCE_FIELDS[cls]


@pytest.mark.parametrize("cls", STRUCTS, ids=lambda c: c.__name__)
def test_every_field_defaults_to_none_and_positional_order_follows_the_reference(
    cls: type[QTKObject],
) -> None:
    empty = cls()
    for name in cls.__struct_fields__:
        expected: dict[str, Any] | None = (
            {} if (cls, name) == (QResources, "scheduler_kwargs") else None
        )
        assert getattr(empty, name) == expected, name
    if cls is QResources:
        return  # QResources validates its values: see the next test
    markers = [f"v{i}" for i in range(len(cls.__struct_fields__))]
    positional = cls(*markers)
    assert [getattr(positional, n) for n in cls.__struct_fields__] == markers


def test_qresources_positional_order() -> None:
    values: list[Any] = [
        "debug",
        "job",
        1000,
        2,
        None,
        4,
        1,
        0,
        3600,
        "acct",
        "normal",
        10,
        "out",
        Path("err"),
        ProcessPlacement.EVENLY_DISTRIBUTED,
        "a@b.c",
        False,
        "proj",
        5,
        {"x": 1},
    ]
    resources = QResources(*values)
    assert [getattr(resources, n) for n in QResources.__struct_fields__] == values


def test_subclass_fields_follow_base_fields_positionally() -> None:
    result = SubmissionResult(7, 2, 0, "out", "err", SubmissionStatus.FAILED)
    assert result.job_id == 7
    assert result.stderr == "err"
    assert result.status is SubmissionStatus.FAILED


@pytest.mark.parametrize("cls", ENUMS, ids=lambda c: c.__name__)
def test_enums_are_plain_qtk_enums(cls: type[QTKEnum]) -> None:
    assert issubclass(cls, QTKEnum)
    assert issubclass(cls, enum.Enum)


def test_enum_members_and_values() -> None:
    assert [(m.name, m.value) for m in QState] == [
        (n, n)
        for n in (
            "UNDETERMINED",
            "QUEUED",
            "QUEUED_HELD",
            "RUNNING",
            "SUSPENDED",
            "REQUEUED",
            "REQUEUED_HELD",
            "DONE",
            "FAILED",
        )
    ]
    statuses = ["SUCCESSFUL", "FAILED", "JOB_ID_UNKNOWN"]
    assert [m.value for m in SubmissionStatus] == statuses
    assert [m.value for m in CancelStatus] == statuses
    assert [m.value for m in ProcessPlacement] == [
        "NO_CONSTRAINTS",
        "SCATTERED",
        "SAME_NODE",
        "EVENLY_DISTRIBUTED",
    ]
    assert list(QSubState) == []


@pytest.mark.parametrize("cls", STRUCTS, ids=lambda c: c.__name__)
def test_equality_is_by_value(cls: type[QTKObject]) -> None:
    first, second = populated(cls), populated(cls)
    assert first is not second
    assert first == second
    assert cls() != first


@pytest.mark.parametrize("cls", STRUCTS, ids=lambda c: c.__name__)
def test_objects_are_mutable(cls: type[QTKObject]) -> None:
    obj = populated(cls)
    name = cls.__struct_fields__[0]
    setattr(obj, name, "changed")
    assert getattr(obj, name) == "changed"
    assert obj != populated(cls)


@pytest.mark.parametrize("cls", STRUCTS, ids=lambda c: c.__name__)
def test_pickle_and_deepcopy_keep_value_and_types(cls: type[QTKObject]) -> None:
    original = populated(cls)
    for clone in (pickle.loads(pickle.dumps(original)), copy.deepcopy(original)):
        assert clone == original
        assert type(clone) is cls
        for name in cls.__struct_fields__:
            assert type(getattr(clone, name)) is type(getattr(original, name))


def test_deepcopy_does_not_share_mutable_fields() -> None:
    resources = populated(QResources)
    assert isinstance(resources, QResources)
    clone = copy.deepcopy(resources)
    assert clone.scheduler_kwargs is not None
    clone.scheduler_kwargs["constraint"] = "cpu"
    assert resources.scheduler_kwargs == {
        "constraint": "gpu",
        "nested": [1, {"a": None}],
    }


@pytest.mark.parametrize("member", [*QState, *ProcessPlacement, *SlurmState], ids=repr)
def test_enum_members_pickle_to_themselves(member: enum.Enum) -> None:
    assert pickle.loads(pickle.dumps(member)) is member
    assert copy.deepcopy(member) is member


def test_qjob_is_generic_in_its_sub_state() -> None:
    job = QJob[SlurmState](sub_state=SlurmState.PENDING)
    assert type(job) is QJob
    assert job == QJob(sub_state=SlurmState.PENDING)


def test_path_fields_keep_what_the_caller_stored() -> None:
    path = Path("/scratch/run/out.log")
    resources = QResources(output_filepath=path, error_filepath="err.log")
    assert resources.output_filepath is path
    assert resources.error_filepath == "err.log"
    assert resources.check_empty() is True


def test_exception_hierarchy() -> None:
    for exc in (
        CommandFailedError,
        OutputParsingError,
        UnsupportedResourcesError,
        InvalidJobIDError,
    ):
        assert issubclass(exc, QTKException)
    assert QTKError is QTKException
    # A ValueError, so msgspec reports a resource rule broken while decoding with its path.
    assert issubclass(UnsupportedResourcesError, ValueError)
    assert not issubclass(CommandFailedError, ValueError)


@pytest.mark.parametrize("state", list(QState))
def test_every_state_is_final_active_or_undetermined(state: QState) -> None:
    final = {QState.DONE, QState.FAILED}
    active = {
        QState.QUEUED,
        QState.QUEUED_HELD,
        QState.RUNNING,
        QState.SUSPENDED,
        QState.REQUEUED,
        QState.REQUEUED_HELD,
    }
    assert state.is_final is (state in final)
    assert state.is_active is (state in active)
    assert (state.is_final, state.is_active) != (True, True)
    if not state.is_final and not state.is_active:
        assert state is QState.UNDETERMINED


@pytest.mark.parametrize("obj", [QJob(), QJobInfo(), QResources(), SubmissionResult()])
def test_an_undeclared_attribute_is_refused(obj: object) -> None:
    # Allowing them would cost the garbage-collector-free decoding of jobs (README, Wire format).
    with pytest.raises(AttributeError, match="partition"):
        obj.partition = "debug"  # type: ignore[attr-defined]
