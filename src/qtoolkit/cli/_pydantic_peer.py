"""pydantic v2 models with the fields of QJob, for ``qtk bench`` to compare against.

The peer uses pydantic's own types throughout (native enums built from QState's and SlurmState's
values), so the comparison measures pydantic, not qtoolkit's validators running inside it.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import msgspec
from pydantic import BaseModel, TypeAdapter

from qtoolkit.core.data_objects import QState
from qtoolkit.io.slurm import SlurmState

__all__ = ["adapter_and_models"]

if TYPE_CHECKING:
    NativeState = QState
    NativeSlurmState = SlurmState
else:
    NativeState = enum.Enum("NativeState", [(m.name, m.value) for m in QState])
    NativeSlurmState = enum.Enum("NativeSlurmState", [(m.name, m.value) for m in SlurmState])


class PydanticJobInfo(BaseModel):
    """QJobInfo's fields."""

    memory: int | None = None
    memory_per_cpu: int | None = None
    nodes: int | None = None
    cpus: int | None = None
    threads_per_process: int | None = None
    time_limit: int | None = None


class PydanticJob(BaseModel):
    """QJob[SlurmState]'s fields."""

    name: str | None = None
    job_id: str | None = None
    exit_status: int | None = None
    state: NativeState | None = None
    sub_state: NativeSlurmState | None = None
    info: PydanticJobInfo | None = None
    account: str | None = None
    runtime: int | None = None
    queue_name: str | None = None
    username: str | None = None


def adapter_and_models(
    snapshot: list[Any],
) -> tuple[TypeAdapter[list[PydanticJob]], list[PydanticJob]]:
    """A list adapter and the snapshot as pydantic models."""
    adapter = TypeAdapter(list[PydanticJob])
    return adapter, adapter.validate_python(msgspec.to_builtins(snapshot))
