"""The floor to beat: plain msgspec Structs with the same fields and types, no Struct options."""

from __future__ import annotations

import functools

import msgspec

from benchmarks.peers.base import Case, Format, Snapshot, equal_to
from qtoolkit.core.data_objects import QState
from qtoolkit.io.slurm import SlurmState

__all__ = ["NAME", "NaiveJob", "NaiveJobInfo", "cases"]

NAME = "naive msgspec"


class NaiveJobInfo(msgspec.Struct):
    memory: int | None = None
    memory_per_cpu: int | None = None
    nodes: int | None = None
    cpus: int | None = None
    threads_per_process: int | None = None
    time_limit: int | None = None


class NaiveJob(msgspec.Struct):
    name: str | None = None
    job_id: str | None = None
    exit_status: int | None = None
    state: QState | None = None
    sub_state: SlurmState | None = None
    info: NaiveJobInfo | None = None
    account: str | None = None
    runtime: int | None = None
    queue_name: str | None = None
    username: str | None = None


def cases(jobs: Snapshot) -> list[Case]:
    """The snapshot as NaiveJob objects, in JSON and in MessagePack."""
    naive = msgspec.convert(msgspec.to_builtins(jobs), list[NaiveJob])
    json_case = _case(naive, "json", msgspec.json.Encoder(), msgspec.json.Decoder(list[NaiveJob]))
    msgpack_case = _case(
        naive, "msgpack", msgspec.msgpack.Encoder(), msgspec.msgpack.Decoder(list[NaiveJob])
    )
    return [json_case, msgpack_case]


def _case(
    naive: list[NaiveJob],
    format: Format,
    encoder: msgspec.json.Encoder | msgspec.msgpack.Encoder,
    decoder: msgspec.json.Decoder[list[NaiveJob]] | msgspec.msgpack.Decoder[list[NaiveJob]],
) -> Case:
    return Case(
        peer=NAME,
        format=format,
        encode=functools.partial(encoder.encode, naive),
        decode=decoder.decode,
        same=equal_to(naive),
    )
