"""Write the MSON documents of a varied set of objects, with upstream qtoolkit or with this package.

Both packages import as ``qtoolkit`` with the same API, so the same cases build equal objects in
either; the modules are imported through ``importlib`` so that type checkers of this repository
see ``Any``. Writes a JSON list of ``{"name", "class", "document"}``.

- ``record_mson.py upstream OUT``, in a venv holding upstream ``qtoolkit==0.1.7`` and ``monty``
  (``nox -s upstream_oracle``): the golden documents, as ``json.dumps(obj, cls=MontyEncoder)``
  writes them (``Path`` values become monty's pathlib documents).
- ``record_mson.py ours OUT``, with this package (``nox -s interop``): this package's documents,
  made JSON-safe the same way without monty, for upstream to read back.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path, PurePath
from typing import Any

data_objects: Any = importlib.import_module("qtoolkit.core.data_objects")
SlurmState: Any = importlib.import_module("qtoolkit.io.slurm").SlurmState
PBSState: Any = importlib.import_module("qtoolkit.io.pbs").PBSState
SGEState: Any = importlib.import_module("qtoolkit.io.sge").SGEState
ShellState: Any = importlib.import_module("qtoolkit.io.shell").ShellState

QJob: Any = data_objects.QJob
QJobInfo: Any = data_objects.QJobInfo
QResources: Any = data_objects.QResources
QState: Any = data_objects.QState
ProcessPlacement: Any = data_objects.ProcessPlacement
OperationResult: Any = data_objects.OperationResult
SubmissionResult: Any = data_objects.SubmissionResult
CancelResult: Any = data_objects.CancelResult
SubmissionStatus: Any = data_objects.SubmissionStatus
CancelStatus: Any = data_objects.CancelStatus


def cases() -> dict[str, Any]:
    full_info = QJobInfo(
        memory=8_000_000,
        memory_per_cpu=1_000_000,
        nodes=2,
        cpus=64,
        threads_per_process=4,
        time_limit=86_400,
    )
    objects: dict[str, Any] = {
        "job_slurm_full": QJob(
            name="relax-Si₂ ✓",
            job_id="4200001",
            exit_status=0,
            state=QState.RUNNING,
            sub_state=SlurmState.RUNNING,
            info=full_info,
            account="materials",
            runtime=3600,
            queue_name="standard",
            username="ada",
        ),
        "job_slurm_alias": QJob(job_id="7", state=QState.QUEUED, sub_state=SlurmState("PD")),
        "job_slurm_signal": QJob(
            job_id="8", exit_status=-9, state=QState.FAILED, sub_state=SlurmState.OUT_OF_MEMORY
        ),
        "job_pbs": QJob(
            job_id="12.pbs01",
            state=QState.QUEUED_HELD,
            sub_state=PBSState.HELD,
            info=QJobInfo(nodes=1, cpus=8),
            queue_name="workq",
        ),
        "job_sge": QJob(
            job_id="99", state=QState.FAILED, sub_state=SGEState.ERROR_PENDING, username="grace"
        ),
        "job_shell": QJob(
            job_id="31337", state=QState.DONE, sub_state=ShellState.DEFUNCT, runtime=0
        ),
        "job_empty": QJob(),
        "job_info_full": full_info,
        "job_info_sparse": QJobInfo(cpus=1),
        "resources_empty": QResources(),
        "resources_named": QResources(job_name="only-a-name", output_filepath="out.log"),
        "resources_no_constraints": QResources.no_constraints(
            16, queue_name="debug", time_limit=3600, priority=10, rerunnable=False
        ),
        "resources_evenly": QResources.evenly_distributed(
            4, 32, account="acct", qos="high", memory_per_thread=2000, email_address="a@b.c"
        ),
        "resources_scattered_paths": QResources.scattered(
            8,
            output_filepath=Path("/scratch/run/out.log"),
            error_filepath=Path("/scratch/run/err.log"),
            priority="urgent",
            njobs=10,
            project="proj",
        ),
        "resources_same_node_kwargs": QResources.same_node(
            4,
            gpus_per_job=2,
            threads_per_process=2,
            scheduler_kwargs={
                "constraint": "gpu",
                "nested": {"list": [1, 2.5, None, True], "dict": {"a": "b"}},
                "path": Path("/opt/modules"),
            },
        ),
        "resources_plain_placement": QResources(
            nodes=2, processes_per_node=4, process_placement=ProcessPlacement.EVENLY_DISTRIBUTED
        ),
        "operation_result": OperationResult(
            job_id=5, step_id=0, exit_code=0, stdout="ok", stderr=""
        ),
        "submission_result_int": SubmissionResult(
            job_id=42, exit_code=0, status=SubmissionStatus.SUCCESSFUL
        ),
        "submission_result_str": SubmissionResult(
            job_id="42.pbs", exit_code=1, stderr="denied", status=SubmissionStatus.FAILED
        ),
        "submission_result_unknown": SubmissionResult(status=SubmissionStatus.JOB_ID_UNKNOWN),
        "cancel_result": CancelResult(job_id="42", exit_code=0, status=CancelStatus.SUCCESSFUL),
        "cancel_result_failed": CancelResult(job_id=1, status=CancelStatus.FAILED),
        "cancel_result_unknown": CancelResult(status=CancelStatus.JOB_ID_UNKNOWN),
        "state_sge_deletion": SGEState.DELETION_SUSPENDED_RESUBMIT_ALARM,
        "state_slurm_alias": SlurmState("CD"),
        "state_pbs": PBSState.ARRAY_FINISHED,
        "state_shell": ShellState.STOPPED_DEBUGGER,
    }
    for member in QState:
        objects[f"qstate_{member.name.lower()}"] = member
    for member in ProcessPlacement:
        objects[f"placement_{member.name.lower()}"] = member
    for member in SubmissionStatus:
        objects[f"submission_status_{member.name.lower()}"] = member
    for member in CancelStatus:
        objects[f"cancel_status_{member.name.lower()}"] = member
    return objects


def json_safe(value: Any) -> Any:
    """A document as monty's encoder writes it: paths become pathlib documents."""
    if isinstance(value, PurePath):
        return {"@module": "pathlib", "@class": "Path", "string": str(value)}
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def document(obj: Any, writer: str) -> Any:
    if writer == "upstream":
        encoder: Any = importlib.import_module("monty.json").MontyEncoder
        return json.loads(json.dumps(obj, cls=encoder))
    return json_safe(obj.as_dict())


def main(writer: str, target: str) -> None:
    records = [
        {"name": name, "class": type(obj).__name__, "document": document(obj, writer)}
        for name, obj in cases().items()
    ]
    with open(target, "w", encoding="utf-8") as stream:
        json.dump(records, stream, indent=1, sort_keys=True, ensure_ascii=False)
        stream.write("\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
