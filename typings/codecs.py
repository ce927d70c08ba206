"""Typing contract of qtoolkit.core.codecs and qtoolkit.core.ndjson (checked, never run)."""

from __future__ import annotations

import io
from typing import Any

from typing_extensions import assert_type

from qtoolkit.core.codecs import Decoder, Encoder, decode, encode
from qtoolkit.core.data_objects import (
    CancelResult,
    OperationResult,
    QJob,
    QResources,
    SubmissionResult,
)
from qtoolkit.core.ndjson import iter_ndjson, read_ndjson, write_ndjson
from qtoolkit.core.unions import AnyResult, Snapshot
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.slurm import SlurmState

data = encode([QJob[SlurmState]()])
assert_type(data, bytes)
assert_type(encode(QResources(), format="msgpack"), bytes)
encode(QResources(), format="yaml")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]

# decode's result is the type it is given.
assert_type(decode(data, type=list[QJob[SlurmState]]), list[QJob[SlurmState]])
assert_type(decode(data, type=Snapshot[PBSState]), list[QJob[PBSState]])
assert_type(decode(data, type=QResources, format="msgpack"), QResources)
assert_type(decode(data.decode(), type=QResources), QResources)
assert_type(
    decode(data, type=list[AnyResult]), list[SubmissionResult | CancelResult | OperationResult]
)
decode(data.decode(), type=QResources, format="msgpack")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType, reportCallIssue]
decode(data, type=QResources, format="xml")  # type: ignore[call-overload]  # pyright: ignore[reportArgumentType, reportCallIssue]

jobs = decode(data, type=list[QJob[SlurmState]])
assert_type(jobs[0].sub_state, SlurmState | None)

# Reusable forms.
encoder = Encoder(format="msgpack")
buffer = bytearray()
encoder.encode_into(jobs, buffer, offset=-1)
assert_type(encoder.encode(jobs), bytes)
Encoder(format="toml")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
decoder = Decoder(list[QJob[PBSState]], format="msgpack")
assert_type(decoder, Decoder[list[QJob[PBSState]]])
assert_type(decoder.decode(data), list[QJob[PBSState]])

# NDJSON.
assert_type(write_ndjson(jobs, io.BytesIO()), int)
assert_type(read_ndjson("poll.ndjson", type=QJob[SlurmState]), list[QJob[SlurmState]])
assert_type(read_ndjson("results.ndjson", type=AnyResult), list[Any])
for job in iter_ndjson(io.BytesIO(data), type=QJob[SlurmState]):
    assert_type(job, QJob[SlurmState])
write_ndjson(jobs, io.StringIO())  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
