"""pydantic v2 BaseModels with the same fields, through a ``TypeAdapter(list[Job])``.

The states are plain ``enum.Enum`` copies of QState and SlurmState (same names and values):
this package's enums carry a pydantic hook that validates through msgspec in Python, which would
measure that hook rather than pydantic. Annotations here are evaluated at class creation (no
``from __future__ import annotations``): pydantic needs the classes themselves, not their names.
"""

import enum
import functools

import msgspec
from pydantic import BaseModel, TypeAdapter

from benchmarks.peers.base import Case, Snapshot, equal_to
from qtoolkit.core.data_objects import QState
from qtoolkit.io.slurm import SlurmState

__all__ = [
    "NAME",
    "PydanticJob",
    "PydanticJobInfo",
    "PydanticQState",
    "PydanticSlurmState",
    "cases",
]

NAME = "pydantic v2"


class PydanticQState(enum.Enum):
    UNDETERMINED = "UNDETERMINED"
    QUEUED = "QUEUED"
    QUEUED_HELD = "QUEUED_HELD"
    RUNNING = "RUNNING"
    SUSPENDED = "SUSPENDED"
    REQUEUED = "REQUEUED"
    REQUEUED_HELD = "REQUEUED_HELD"
    DONE = "DONE"
    FAILED = "FAILED"


class PydanticSlurmState(enum.Enum):
    BOOT_FAIL = "BOOT_FAIL"
    CANCELLED = "CANCELLED"
    COMPLETING = "COMPLETING"
    COMPLETED = "COMPLETED"
    CONFIGURING = "CONFIGURING"
    DEADLINE = "DEADLINE"
    FAILED = "FAILED"
    NODE_FAIL = "NODE_FAIL"
    OUT_OF_MEMORY = "OUT_OF_MEMORY"
    PENDING = "PENDING"
    PREEMPTED = "PREEMPTED"
    RESV_DEL_HOLD = "RESV_DEL_HOLD"
    REQUEUE_FED = "REQUEUE_FED"
    REQUEUE_HOLD = "REQUEUE_HOLD"
    RESIZING = "RESIZING"
    REVOKED = "REVOKED"
    RUNNING = "RUNNING"
    SIGNALING = "SIGNALING"
    SPECIAL_EXIT = "SPECIAL_EXIT"
    STAGE_OUT = "STAGE_OUT"
    STOPPED = "STOPPED"
    SUSPENDED = "SUSPENDED"
    TIMEOUT = "TIMEOUT"


def _check_same_values() -> None:
    for ours, copy in ((QState, PydanticQState), (SlurmState, PydanticSlurmState)):
        if [m.value for m in ours] != [m.value for m in copy]:
            msg = f"{copy.__name__} no longer has the values of {ours.__name__}: update it"
            raise RuntimeError(msg)


class PydanticJobInfo(BaseModel):
    memory: int | None = None
    memory_per_cpu: int | None = None
    nodes: int | None = None
    cpus: int | None = None
    threads_per_process: int | None = None
    time_limit: int | None = None


class PydanticJob(BaseModel):
    name: str | None = None
    job_id: str | None = None
    exit_status: int | None = None
    state: PydanticQState | None = None
    sub_state: PydanticSlurmState | None = None
    info: PydanticJobInfo | None = None
    account: str | None = None
    runtime: int | None = None
    queue_name: str | None = None
    username: str | None = None


def cases(jobs: Snapshot) -> list[Case]:
    """The snapshot as pydantic models, in JSON."""
    _check_same_values()
    adapter = TypeAdapter(list[PydanticJob])
    models = adapter.validate_python(msgspec.to_builtins(jobs))
    return [
        Case(
            peer=NAME,
            format="json",
            encode=functools.partial(adapter.dump_json, models),
            decode=adapter.validate_json,
            same=equal_to(models),
            slow_decode=True,
        )
    ]
