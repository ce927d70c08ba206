"""MSON documents: upstream's layout, a closed class registry, validation with paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from qtoolkit import __version__
from qtoolkit.core import data_objects, mson
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
from qtoolkit.core.mson import mson_classes
from qtoolkit.core.unions import AnyResult
from qtoolkit.io import SUB_STATES
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.sge import SGEState
from qtoolkit.io.slurm import SlurmState

DATA_OBJECTS = "qtoolkit.core.data_objects"


def header(cls: type, module: str = DATA_OBJECTS) -> dict[str, Any]:
    return {"@module": module, "@class": cls.__name__, "@version": __version__}


def test_enum_documents() -> None:
    assert QState.RUNNING.as_dict() == {**header(QState), "value": "RUNNING"}
    assert SlurmState("PD").as_dict() == {
        **header(SlurmState, "qtoolkit.io.slurm"),
        "value": "PENDING",
    }
    assert SGEState.HOLD.as_dict()["@module"] == "qtoolkit.io.sge"
    assert QState.from_dict(QState.DONE.as_dict()) is QState.DONE
    # Any alias names the member.
    assert SlurmState.from_dict({**header(SlurmState, "qtoolkit.io.slurm"), "value": "PD"}) is (
        SlurmState.PENDING
    )


def test_job_document_lists_every_field_with_nested_documents() -> None:
    job = QJob(
        name="relax",
        job_id="12",
        state=QState.QUEUED,
        sub_state=SlurmState.PENDING,
        info=QJobInfo(cpus=4),
    )
    assert job.as_dict() == {
        **header(QJob),
        "name": "relax",
        "job_id": "12",
        "exit_status": None,
        "state": QState.QUEUED.as_dict(),
        "sub_state": SlurmState.PENDING.as_dict(),
        "info": {
            **header(QJobInfo),
            "memory": None,
            "memory_per_cpu": None,
            "nodes": None,
            "cpus": 4,
            "threads_per_process": None,
            "time_limit": None,
        },
        "account": None,
        "runtime": None,
        "queue_name": None,
        "username": None,
    }
    assert list(job.as_dict())[3:] == list(QJob.__struct_fields__)


def test_resources_document_keeps_paths_and_copies_kwargs() -> None:
    kwargs = {"constraint": "gpu", "nested": [{"a": 1}]}
    resources = QResources.scattered(
        2, output_filepath=Path("/o.log"), error_filepath="e.log", scheduler_kwargs=kwargs
    )
    document = resources.as_dict()
    assert document["output_filepath"] == Path("/o.log")
    assert document["error_filepath"] == "e.log"
    assert document["process_placement"] == ProcessPlacement.SCATTERED.as_dict()
    assert document["scheduler_kwargs"] == {"constraint": "gpu", "nested": [{"a": 1}]}
    assert document["scheduler_kwargs"] is not kwargs
    assert QResources.from_dict(document) == resources
    assert QResources.from_dict(document).output_filepath == Path("/o.log")


OBJECTS: list[QTKObject] = [
    QJob(job_id="1", sub_state=PBSState.QUEUED, state=QState.QUEUED, exit_status=-15),
    QJob(),
    QJobInfo(memory=1, memory_per_cpu=2, nodes=3, cpus=4, threads_per_process=5, time_limit=6),
    QResources(),
    QResources.evenly_distributed(2, 4, priority="high", rerunnable=False, qos="normal"),
    QResources.same_node(4, scheduler_kwargs={"path": Path("/x"), "info": QJobInfo(cpus=1)}),
    OperationResult(job_id=1, stdout="o"),
    SubmissionResult(job_id="7", step_id=0, status=SubmissionStatus.JOB_ID_UNKNOWN),
    CancelResult(job_id=7, exit_code=1, status=CancelStatus.FAILED),
]


@pytest.mark.parametrize("obj", OBJECTS, ids=repr)
def test_documents_read_back_equal(obj: QTKObject) -> None:
    again = type(obj).from_dict(obj.as_dict())
    assert again == obj
    assert type(again) is type(obj)


@pytest.mark.parametrize("member", [*QState, *ProcessPlacement, *CancelStatus, *SGEState], ids=repr)
def test_enum_documents_read_back(member: QTKEnum) -> None:
    assert type(member).from_dict(member.as_dict()) is member


def test_a_base_class_reads_the_subclass_its_document_names() -> None:
    result = OperationResult.from_dict(SubmissionResult(job_id=1).as_dict())
    assert type(result) is SubmissionResult


def test_plain_dicts_are_read_too() -> None:
    assert QJobInfo.from_dict({"cpus": 2}) == QJobInfo(cpus=2)
    assert QJob.from_dict({"sub_state": PBSState.RUNNING.as_dict()}).sub_state is PBSState.RUNNING


def test_missing_fields_take_defaults() -> None:
    assert QJob.from_dict({**header(QJob), "job_id": "3"}) == QJob(job_id="3")
    resources = QResources.from_dict({**header(QResources), "processes": 2})
    assert resources.process_placement is ProcessPlacement.NO_CONSTRAINTS
    assert resources.scheduler_kwargs == {}


def test_unknown_fields_are_refused_by_name() -> None:
    refused = r"^QResources has no field `ntasks`, `partition`: unknown fields are refused"
    with pytest.raises(msgspec.ValidationError, match=refused + r" - at `\$`$"):
        QResources.from_dict({"ntasks": 10, "partition": "debug"})
    document = {**header(QJob), "job_id": "3", "info": {"cpus": 2, "gpus": 1}}
    with pytest.raises(msgspec.ValidationError, match=r"no field `gpus`.* - at `\$.info`$"):
        QJob.from_dict(document)
    # monty's own keys (any key starting with "@") are not fields and are never refused.
    assert QJobInfo.from_dict({"@version": None, "@extra": 1, "cpus": 2}) == QJobInfo(cpus=2)


def test_the_sub_state_document_chooses_the_scheduler() -> None:
    for states in SUB_STATES.values():
        member = next(iter(states))
        job = QJob.from_dict({**header(QJob), "sub_state": member.as_dict()})
        assert job.sub_state is member


def test_a_parametrized_job_requires_its_scheduler() -> None:
    document = QJob(job_id="1", sub_state=PBSState.QUEUED).as_dict()
    assert mson.from_dict(document, QJob[PBSState]).sub_state is PBSState.QUEUED
    with pytest.raises(msgspec.ValidationError, match=r"expected a `SlurmState`, got `PBSState`"):
        mson.from_dict(document, QJob[SlurmState])
    # A plain value is read as the requested scheduler's.
    assert mson.from_dict({"sub_state": "PD"}, QJob[SlurmState]).sub_state is SlurmState.PENDING
    # QJob[...].from_dict is QJob.from_dict: the document says the scheduler.
    alias: Any = QJob[SlurmState]
    assert alias.from_dict(document).sub_state is PBSState.QUEUED


def test_a_base_class_reads_the_subclass_a_plain_dict_tags() -> None:
    result = OperationResult.from_dict({"type": "CancelResult", "job_id": 3})
    assert result == CancelResult(job_id=3)
    assert OperationResult.from_dict({"job_id": 3}) == OperationResult(job_id=3)
    with pytest.raises(msgspec.ValidationError, match=r"Invalid value 'QJob' - at `\$.type`"):
        OperationResult.from_dict({"type": "QJob"})
    with pytest.raises(msgspec.ValidationError, match=r"Invalid value 'CancelResult'"):
        SubmissionResult.from_dict({"type": "CancelResult"})  # a sibling, not a subclass


def test_result_unions_read_documents_and_tagged_dicts() -> None:
    results = [SubmissionResult(job_id=1), CancelResult(job_id="2"), OperationResult(exit_code=3)]
    for result in results:
        assert mson.from_dict(result.as_dict(), AnyResult) == result
        plain = {"type": type(result).__name__, **msgspec.structs.asdict(result)}
        assert type(mson.from_dict(plain, AnyResult)) is type(result)
    with pytest.raises(msgspec.ValidationError, match=r"missing required field `type`.* at `\$`"):
        mson.from_dict({"job_id": 1}, AnyResult)
    with pytest.raises(msgspec.ValidationError, match=r"Invalid value 'QJob'.* at `\$.type`"):
        mson.from_dict({"type": "QJob"}, AnyResult)
    with pytest.raises(msgspec.ValidationError, match=r"got `QJobInfo` - at `\$\[4\]`"):
        mson.from_dict(QJobInfo().as_dict(), AnyResult, path="$[4]")


def test_top_level_errors_name_the_root() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"nodes is set: .* - at `\$`$"):
        QResources.from_dict({"nodes": 2})
    with pytest.raises(msgspec.ValidationError, match=r"^Invalid enum value 'X' - at `\$`$"):
        QState.from_dict({"value": "X"})


@pytest.mark.parametrize(
    ("cls", "document", "message"),
    [
        (QJob, {"@module": "os", "@class": "system"}, r"unknown MSON class `os.system`.* at `\$`"),
        (
            QJob,
            {**header(QJob), "info": {"@module": "subprocess", "@class": "Popen", "args": "ls"}},
            r"unknown MSON class `subprocess.Popen`.* at `\$.info`",
        ),
        (
            QResources,
            {"processes": 1, "scheduler_kwargs": {"x": {"@module": "os", "@class": "system"}}},
            r"unknown MSON class `os.system`.* at `\$.scheduler_kwargs.x`",
        ),
        (
            QJob,
            {"info": {**header(QResources)}},
            r"expected a `QJobInfo` document, got `qtoolkit.core.data_objects.QResources`"
            r" - at `\$.info`",
        ),
        (
            QJob,
            {"state": {**header(CancelStatus), "value": "FAILED"}},
            r"expected a `QState` document.* - at `\$.state`",
        ),
        (QJobInfo, {**header(QJob)}, r"expected a `QJobInfo` document"),
        (
            QJob,
            {"info": {"cpus": "four"}},
            r"Expected `int \| null`, got `str` - at `\$.info.cpus`",
        ),
        (
            QJob,
            {"state": {**header(QState), "value": "GONE"}},
            r"Invalid enum value 'GONE' - at `\$.state`",
        ),
        (QJob, {"state": {**header(QState)}}, r"an enum document needs a `value` - at `\$.state`"),
        (QJob, {"sub_state": "PD"}, r"does not say its scheduler.* - at `\$.sub_state`"),
        (
            QJob,
            {"name": {**header(QState), "value": "DONE"}},
            r"expected a plain value.* - at `\$.name`",
        ),
        (QResources, {"queue_name": "q"}, r"queue_name is set"),
        (
            QResources,
            {"output_filepath": {"@module": "pathlib", "@class": "Path"}},
            r"a pathlib document needs a `string` - at `\$.output_filepath`",
        ),
        (QState, {**header(QState)}, r"an enum document needs a `value` - at `\$`"),
        (QSubState, {"value": "PD"}, r"QSubState has no members.* - at `\$`"),
        (
            QJob,
            {"sub_state": {**header(QSubState), "value": "PD"}},
            r"QSubState has no members.* - at `\$.sub_state`",
        ),
        (QState, {**header(QState), "value": 3}, r"Expected `str`, got `int`"),
    ],
)
def test_invalid_documents_are_errors_naming_the_path(
    cls: type[QTKObject], document: dict[str, Any], message: str
) -> None:
    with pytest.raises(msgspec.ValidationError, match=message):
        cls.from_dict(document)


def test_non_dict_document() -> None:
    with pytest.raises(msgspec.ValidationError, match="expected an MSON document"):
        QJob.from_dict(["not", "a", "dict"])  # type: ignore[arg-type]


def test_a_fresh_process_knows_exactly_the_package_s_classes() -> None:
    script = (
        "from qtoolkit.core.mson import mson_classes\n"
        "for module, name in mson_classes(): print(module, name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    listed = {tuple(line.split()) for line in done.stdout.splitlines()}
    assert listed == {
        ("qtoolkit.core.base", "QTKObject"),
        ("qtoolkit.core.base", "QTKEnum"),
        *((DATA_OBJECTS, name) for name in data_objects.__all__),
        ("qtoolkit.io.pbs", "PBSState"),
        ("qtoolkit.io.sge", "SGEState"),
        ("qtoolkit.io.shell", "ShellState"),
        ("qtoolkit.io.slurm", "SlurmState"),
    }


def test_the_registry_finds_the_package_s_classes() -> None:
    classes = mson_classes()
    assert classes[("qtoolkit.io.slurm", "SlurmState")] is SlurmState
    assert classes[(DATA_OBJECTS, "QSubState")] is QSubState


def test_reading_never_imports_a_module_named_by_a_document(tmp_path: Path) -> None:
    (tmp_path / "evil_payload.py").write_text("raise SystemExit('imported!')\n")
    script = (
        "import sys\n"
        "from qtoolkit.core.data_objects import QJob\n"
        "try:\n"
        "    QJob.from_dict({'@module': 'evil_payload', '@class': 'X'})\n"
        "except ValueError as exc:\n"
        "    print(type(exc).__name__)\n"
        "print('evil_payload' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["ValidationError", "False"]


def test_the_core_imports_neither_monty_nor_pydantic() -> None:
    script = (
        "import sys, qtoolkit.core.codecs, qtoolkit.core.mson, qtoolkit.core.schema\n"
        "from qtoolkit.core.data_objects import QJob\n"
        "from qtoolkit.io import SlurmState\n"
        "QJob.from_dict(QJob(sub_state=SlurmState.RUNNING).as_dict())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('monty', 'pydantic')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_documents_are_only_written_for_qtoolkit_values() -> None:
    from qtoolkit.core import mson

    with pytest.raises(TypeError, match="not dict"):
        mson.as_dict({"a": 1})


def test_json_default_writes_paths_as_monty_does() -> None:
    import json

    from qtoolkit.core.mson import json_default

    document = QResources.no_constraints(1, output_filepath=Path("/o.log")).as_dict()
    text = json.dumps(document, default=json_default)
    assert json.loads(text)["output_filepath"] == {
        "@module": "pathlib",
        "@class": "Path",
        "string": "/o.log",
    }
    with pytest.raises(TypeError, match="Object of type object is not JSON serializable"):
        json.dumps({"x": object()}, default=json_default)
