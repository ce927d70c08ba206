"""The frozen wire format, version 1: golden files decode and re-encode byte for byte.

The files under ``tests/data/wire/v1/`` were written once, by this module with
``QTK_REGENERATE_WIRE=1``; they are never edited afterwards (``tests/data/wire/POLICY.md``). Each
decodes into the object built here independently, and encoding that object gives the file again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import msgspec
import pytest

from qtoolkit.core.codecs import Format, decode, encode
from qtoolkit.core.data_objects import (
    CancelResult,
    CancelStatus,
    OperationResult,
    ProcessPlacement,
    QJob,
    QJobInfo,
    QResources,
    QState,
    SubmissionResult,
    SubmissionStatus,
)
from qtoolkit.core.unions import AnyResult
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.sge import SGEState
from qtoolkit.io.shell import ShellState
from qtoolkit.io.slurm import SlurmState

WIRE = Path(__file__).parent / "data" / "wire" / "v1"
SUFFIX: dict[Format, str] = {"json": ".json", "msgpack": ".msgpack"}
FULL_INFO = QJobInfo(
    memory=64_000_000,
    memory_per_cpu=2_000_000,
    nodes=2,
    cpus=32,
    threads_per_process=4,
    time_limit=172_800,
)
CASES: dict[str, tuple[Any, Any]] = {
    "job_slurm_full": (
        QJob[SlurmState](
            name="relax-Si₂",
            job_id="4200001",
            exit_status=0,
            state=QState.RUNNING,
            sub_state=SlurmState("R"),
            info=FULL_INFO,
            account="materials",
            runtime=3600,
            queue_name="standard",
            username="ada",
        ),
        QJob[SlurmState],
    ),
    "job_slurm_sparse": (
        QJob[SlurmState](job_id="4200002", state=QState.QUEUED, sub_state=SlurmState("PD")),
        QJob[SlurmState],
    ),
    "job_pbs": (
        QJob[PBSState](
            job_id="12.pbs01", exit_status=-9, state=QState.FAILED, sub_state=PBSState.FINISHED
        ),
        QJob[PBSState],
    ),
    "job_sge": (
        QJob[SGEState](job_id="77", state=QState.QUEUED_HELD, sub_state=SGEState.HOLD),
        QJob[SGEState],
    ),
    "job_shell": (
        QJob[ShellState](job_id="31337", state=QState.DONE, sub_state=ShellState.DEFUNCT),
        QJob[ShellState],
    ),
    "job_empty": (QJob[SlurmState](), QJob[SlurmState]),
    "job_info": (FULL_INFO, QJobInfo),
    "snapshot_slurm": (
        [
            QJob[SlurmState](job_id="1", state=QState.RUNNING, sub_state=SlurmState.RUNNING),
            QJob[SlurmState](job_id="2", state=QState.QUEUED, sub_state=SlurmState.PENDING),
            QJob[SlurmState](job_id="3", state=QState.DONE, sub_state=SlurmState.COMPLETED),
        ],
        list[QJob[SlurmState]],
    ),
    "resources_empty": (QResources(), QResources),
    "resources_no_constraints": (
        QResources.no_constraints(16, queue_name="debug", time_limit=3600, priority=10),
        QResources,
    ),
    "resources_evenly_distributed": (
        QResources.evenly_distributed(4, 32, account="acct", memory_per_thread=2000),
        QResources,
    ),
    "resources_scattered_paths": (
        QResources.scattered(
            8, output_filepath="/scratch/out.log", error_filepath="/scratch/err.log"
        ),
        QResources,
    ),
    "resources_same_node_kwargs": (
        QResources.same_node(
            4,
            rerunnable=False,
            priority="urgent",
            scheduler_kwargs={"constraint": "gpu", "nested": [1, 2.5, None, True, {"a": "b"}]},
        ),
        QResources,
    ),
    "result_operation": (OperationResult(job_id=5, exit_code=0, stdout="ok"), OperationResult),
    "result_submission": (
        SubmissionResult(job_id="42.pbs", status=SubmissionStatus.SUCCESSFUL),
        SubmissionResult,
    ),
    "result_cancel": (CancelResult(job_id=42, status=CancelStatus.JOB_ID_UNKNOWN), CancelResult),
    "results_mixed": (
        [
            SubmissionResult(job_id=1, status=SubmissionStatus.FAILED, stderr="denied"),
            CancelResult(job_id=1, status=CancelStatus.SUCCESSFUL),
            OperationResult(exit_code=2),
        ],
        list[AnyResult],
    ),
    "state": (QState.REQUEUED_HELD, QState),
    "placement": (ProcessPlacement.SAME_NODE, ProcessPlacement),
    "sub_state_alias": (SlurmState("OOM"), SlurmState),
}


def golden_path(name: str, fmt: Format) -> Path:
    return WIRE / f"{name}{SUFFIX[fmt]}"


def test_regenerate_only_on_request() -> None:
    """Writes the golden files when QTK_REGENERATE_WIRE=1; otherwise checks they all exist."""
    if os.environ.get("QTK_REGENERATE_WIRE") == "1":
        WIRE.mkdir(parents=True, exist_ok=True)
        for name, (value, _) in CASES.items():
            for fmt in SUFFIX:
                golden_path(name, fmt).write_bytes(encode(value, format=fmt))
    expected = {golden_path(name, fmt).name for name in CASES for fmt in SUFFIX}
    assert {path.name for path in WIRE.iterdir()} == expected


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize("name", list(CASES))
def test_golden_files_decode_and_reencode_byte_identical(name: str, fmt: Format) -> None:
    value, kind = CASES[name]
    data = golden_path(name, fmt).read_bytes()
    decoded = decode(data, type=kind, format=fmt)
    assert decoded == value
    assert encode(decoded, format=fmt) == data


def test_the_json_files_read_as_documented() -> None:
    assert golden_path("job_slurm_sparse", "json").read_bytes() == (
        b'{"job_id":"4200002","state":"QUEUED","sub_state":"PENDING"}'
    )
    assert golden_path("result_cancel", "json").read_bytes() == (
        b'{"type":"CancelResult","job_id":42,"status":"JOB_ID_UNKNOWN"}'
    )
    assert golden_path("sub_state_alias", "json").read_bytes() == b'"OUT_OF_MEMORY"'


def with_unknown_fields(value: Any) -> Any:
    """A payload from a newer writer: an extra field in every object, nested ones too.

    ``scheduler_kwargs`` is data, not an object, and is left as it is.
    """
    if isinstance(value, dict):
        fields = {
            key: item if key == "scheduler_kwargs" else with_unknown_fields(item)
            for key, item in value.items()
        }
        return {**fields, "added_later": [1, "x"]}
    if isinstance(value, list):
        return [with_unknown_fields(item) for item in value]
    return value


@pytest.mark.parametrize("fmt", list(SUFFIX))
@pytest.mark.parametrize(
    "name", [n for n in CASES if isinstance(CASES[n][0], (list, msgspec.Struct))]
)
def test_unknown_fields_are_tolerated(name: str, fmt: Format) -> None:
    value, kind = CASES[name]
    module = msgspec.json if fmt == "json" else msgspec.msgpack
    payload = module.encode(with_unknown_fields(module.decode(golden_path(name, fmt).read_bytes())))
    assert decode(payload, type=kind, format=fmt) == value


@pytest.mark.parametrize("fmt", list(SUFFIX))
def test_missing_optional_fields_take_their_defaults(fmt: Format) -> None:
    module = msgspec.json if fmt == "json" else msgspec.msgpack
    payload = module.encode([{"job_id": "1"}, {"info": {}}, {}])
    assert decode(payload, type=list[QJob[SlurmState]], format=fmt) == [
        QJob[SlurmState](job_id="1"),
        QJob[SlurmState](info=QJobInfo()),
        QJob[SlurmState](),
    ]
    explicit_nulls = module.encode({"job_id": None, "sub_state": None, "info": None})
    assert decode(explicit_nulls, type=QJob[SlurmState], format=fmt) == QJob[SlurmState]()
