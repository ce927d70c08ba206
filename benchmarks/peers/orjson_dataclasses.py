"""orjson with stdlib dataclasses: orjson writes them natively; reading builds them in a loop."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import msgspec
import orjson

from benchmarks.peers.base import Case, Snapshot, equal_to
from qtoolkit.core.data_objects import QState
from qtoolkit.io.slurm import SlurmState

__all__ = ["NAME", "DataclassJob", "DataclassJobInfo", "cases", "decode", "from_rows"]

NAME = "orjson + dataclasses"


@dataclass
class DataclassJobInfo:
    memory: int | None = None
    memory_per_cpu: int | None = None
    nodes: int | None = None
    cpus: int | None = None
    threads_per_process: int | None = None
    time_limit: int | None = None


@dataclass
class DataclassJob:
    name: str | None = None
    job_id: str | None = None
    exit_status: int | None = None
    state: QState | None = None
    sub_state: SlurmState | None = None
    info: DataclassJobInfo | None = None
    account: str | None = None
    runtime: int | None = None
    queue_name: str | None = None
    username: str | None = None


def _job(row: dict[str, Any]) -> DataclassJob:
    state = row.get("state")
    sub_state = row.get("sub_state")
    info = row.get("info")
    return DataclassJob(
        name=row.get("name"),
        job_id=row.get("job_id"),
        exit_status=row.get("exit_status"),
        state=None if state is None else QState(state),
        sub_state=None if sub_state is None else SlurmState(sub_state),
        info=None if info is None else DataclassJobInfo(**info),
        account=row.get("account"),
        runtime=row.get("runtime"),
        queue_name=row.get("queue_name"),
        username=row.get("username"),
    )


def from_rows(rows: list[dict[str, Any]]) -> list[DataclassJob]:
    """Dataclasses from plain dicts (JSON objects), enums and nested info included."""
    return [_job(row) for row in rows]


def decode(data: bytes) -> list[DataclassJob]:
    """``orjson.loads``, then the dataclasses built in a plain Python loop."""
    rows: list[dict[str, Any]] = orjson.loads(data)
    return from_rows(rows)


def cases(jobs: Snapshot) -> list[Case]:
    """The snapshot as dataclasses, in JSON."""
    objects = from_rows(msgspec.to_builtins(jobs))
    return [
        Case(
            peer=NAME,
            format="json",
            encode=functools.partial(orjson.dumps, objects),
            decode=decode,
            same=equal_to(objects),
            slow_decode=True,
        )
    ]
