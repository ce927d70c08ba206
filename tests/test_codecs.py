"""JSON and MessagePack codecs: round trips, tags, aliases, rules on decode and error paths."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import msgspec
import pytest

from qtoolkit.core.codecs import Decoder, Encoder, Format, decode, encode
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
from qtoolkit.core.unions import AnyResult, Snapshot
from qtoolkit.io import SUB_STATES
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.slurm import SlurmState
from qtoolkit.synthetic import generate_snapshot

FORMATS: list[Format] = ["json", "msgpack"]

OBJECTS: list[tuple[Any, Any]] = [
    (QJobInfo(memory=1024, cpus=4, time_limit=3600), QJobInfo),
    (
        QJob[SlurmState](job_id="1", state=QState.QUEUED, sub_state=SlurmState.PENDING),
        QJob[SlurmState],
    ),
    (
        QJob[PBSState](
            name="full",
            job_id="7.pbs01",
            exit_status=-9,
            state=QState.FAILED,
            sub_state=PBSState.FINISHED,
            info=QJobInfo(1, 2, 3, 4, 5, 6),
            account="acct",
            runtime=10,
            queue_name="workq",
            username="ada",
        ),
        QJob[PBSState],
    ),
    (QJob[SlurmState](), QJob[SlurmState]),
    (QResources.evenly_distributed(2, 16, queue_name="debug", priority="high"), QResources),
    (
        QResources.scattered(
            4,
            output_filepath="out.log",
            scheduler_kwargs={"constraint": "gpu", "n": [1, 2.5, None, True]},
        ),
        QResources,
    ),
    (QResources(), QResources),
    (OperationResult(job_id=3, exit_code=0, stdout="ok"), OperationResult),
    (SubmissionResult(job_id="12", status=SubmissionStatus.SUCCESSFUL), SubmissionResult),
    (CancelResult(job_id=12, step_id=0, status=CancelStatus.FAILED, stderr="e"), CancelResult),
    (QState.SUSPENDED, QState),
    (ProcessPlacement.SAME_NODE, ProcessPlacement),
    (SlurmState.OUT_OF_MEMORY, SlurmState),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("obj", "kind"), OBJECTS, ids=lambda v: type(v).__name__)
def test_every_object_type_round_trips(obj: Any, kind: Any, fmt: Format) -> None:
    data = encode(obj, format=fmt)
    assert isinstance(data, bytes)
    decoded = decode(data, type=kind, format=fmt)
    assert decoded == obj
    assert type(decoded) is type(obj)
    assert Decoder(kind, format=fmt).decode(Encoder(format=fmt).encode(obj)) == obj


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("scheduler", sorted(SUB_STATES))
def test_snapshots_round_trip_with_their_scheduler_states(scheduler: str, fmt: Format) -> None:
    snapshot = generate_snapshot(300, scheduler, seed=3)
    states = SUB_STATES[scheduler]
    decoded = decode(encode(snapshot, format=fmt), type=Snapshot[states], format=fmt)  # type: ignore[valid-type]
    assert decoded == snapshot
    assert all(isinstance(job.sub_state, states) for job in decoded)
    assert {job.sub_state for job in decoded} <= set(states)


def test_json_is_readable_and_sparse() -> None:
    job = QJob[SlurmState](job_id="42", state=QState.RUNNING, sub_state=SlurmState.RUNNING)
    assert encode(job) == b'{"job_id":"42","state":"RUNNING","sub_state":"RUNNING"}'
    assert encode(QJob[SlurmState]()) == b"{}"


def test_results_are_tagged() -> None:
    assert encode(SubmissionResult(job_id=1)) == b'{"type":"SubmissionResult","job_id":1}'
    assert encode(CancelResult()) == b'{"type":"CancelResult"}'
    assert encode(OperationResult()) == b'{"type":"OperationResult"}'


@pytest.mark.parametrize("fmt", FORMATS)
def test_mixed_result_stream_decodes_each_entry_to_its_class(fmt: Format) -> None:
    results: list[AnyResult] = [
        SubmissionResult(job_id="1", status=SubmissionStatus.SUCCESSFUL),
        CancelResult(job_id="1", status=CancelStatus.SUCCESSFUL),
        OperationResult(exit_code=2),
        SubmissionResult(status=SubmissionStatus.JOB_ID_UNKNOWN),
    ]
    decoded = decode(encode(results, format=fmt), type=list[AnyResult], format=fmt)
    assert decoded == results
    assert [type(r) for r in decoded] == [type(r) for r in results]
    two_kinds = decode(
        encode(results[:2], format=fmt),
        type=list[SubmissionResult | CancelResult],
        format=fmt,
    )
    assert [type(r) for r in two_kinds] == [SubmissionResult, CancelResult]


def test_unknown_or_missing_tag_is_an_error_naming_the_entry() -> None:
    data = b'[{"type":"SubmissionResult"},{"type":"RebootResult","job_id":1}]'
    with pytest.raises(
        msgspec.ValidationError, match=r"Invalid value 'RebootResult' - at `\$\[1\]"
    ):
        decode(data, type=list[AnyResult])
    with pytest.raises(
        msgspec.ValidationError, match=r"missing required field `type` - at `\$\[0\]`"
    ):
        decode(b'[{"job_id": 1}]', type=list[AnyResult])
    # A single concrete class needs no tag, but a wrong one is still refused.
    assert decode(b'{"job_id":1}', type=SubmissionResult) == SubmissionResult(job_id=1)
    with pytest.raises(msgspec.ValidationError, match="Invalid value 'CancelResult'"):
        decode(b'{"type":"CancelResult"}', type=SubmissionResult)


@pytest.mark.parametrize("fmt", FORMATS)
def test_sub_state_aliases_decode_and_the_canonical_value_is_written(fmt: Format) -> None:
    aliases = [{"sub_state": value} for member in SlurmState for value in member.all_values]
    jobs = decode(encode(aliases, format=fmt), type=list[QJob[SlurmState]], format=fmt)
    assert [job.sub_state for job in jobs] == [m for m in SlurmState for _ in m.all_values]
    assert decode(b'{"sub_state":"PD"}', type=QJob[SlurmState]).sub_state is SlurmState.PENDING
    assert encode(QJob[SlurmState](sub_state=SlurmState("PD"))) == b'{"sub_state":"PENDING"}'


@pytest.mark.parametrize("fmt", FORMATS)
def test_decoded_resources_follow_the_construction_rules(fmt: Format) -> None:
    data = encode([{"processes": 4}, {"nodes": 2, "processes_per_node": 8}, {}], format=fmt)
    decoded = decode(data, type=list[QResources], format=fmt)
    assert [r.process_placement for r in decoded] == [
        ProcessPlacement.NO_CONSTRAINTS,
        ProcessPlacement.EVENLY_DISTRIBUTED,
        None,
    ]
    assert all(r.scheduler_kwargs == {} for r in decoded)
    bad = encode([{"processes": 4}, {"processes": 4, "nodes": 2}], format=fmt)
    with pytest.raises(msgspec.ValidationError, match=r"nodes, processes are set.* - at `\$\[1\]`"):
        decode(bad, type=list[QResources], format=fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_path_fields_are_written_as_plain_strings(fmt: Format) -> None:
    resources = QResources(output_filepath=Path("/scratch/out.log"), error_filepath="err.log")
    data = encode(resources, format=fmt)
    builtins = msgspec.json.decode(data) if fmt == "json" else msgspec.msgpack.decode(data)
    assert builtins == {
        "output_filepath": "/scratch/out.log",
        "error_filepath": "err.log",
        "scheduler_kwargs": {},
    }
    decoded = decode(data, type=QResources, format=fmt)
    assert decoded.output_filepath == "/scratch/out.log"


def test_unsupported_values_are_a_clear_encode_error() -> None:
    with pytest.raises(TypeError, match="Encoding objects of type object is unsupported"):
        encode(QResources.no_constraints(1, scheduler_kwargs={"x": object()}))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("payload", "path", "message"),
    [
        ([{}, {"info": {"cpus": "4"}}], r"\$\[1\]\.info\.cpus", "Expected `int | null`, got `str`"),
        ([{"state": "RUNNINGX"}], r"\$\[0\]\.state", "Invalid enum value 'RUNNINGX'"),
        ([{}, {}, {"sub_state": "Q"}], r"\$\[2\]\.sub_state", "Invalid enum value 'Q'"),
        ([{"job_id": 12}], r"\$\[0\]\.job_id", "Expected `str | null`, got `int`"),
        ({"not": "a list"}, r"\$", "Expected `array`, got `object`"),
        ([[1, 2]], r"\$\[0\]", "Expected `object`, got `array`"),
    ],
)
def test_wrong_values_name_their_path(payload: Any, path: str, message: str, fmt: Format) -> None:
    data = msgspec.json.encode(payload) if fmt == "json" else msgspec.msgpack.encode(payload)
    with pytest.raises(msgspec.ValidationError, match=rf"{message}.* - at `{path}`$"):
        decode(data, type=list[QJob[SlurmState]], format=fmt)


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b'[{"job_id": "1"}, {"job_id": ', "json"),
        (b"\xff\x00garbage", "json"),
        (b"", "json"),
        (b"\x92\x81\xa6job_id", "msgpack"),
        (b"\xc1", "msgpack"),
    ],
)
def test_malformed_bytes_are_a_decode_error(data: bytes, fmt: Format) -> None:
    with pytest.raises(msgspec.DecodeError) as info:
        decode(data, type=list[QJob[SlurmState]], format=fmt)
    assert isinstance(info.value, ValueError)


def test_json_accepts_str_and_msgpack_refuses_it() -> None:
    assert decode('{"cpus": 2}', type=QJobInfo) == QJobInfo(cpus=2)
    with pytest.raises(TypeError, match="MessagePack data must be bytes"):
        Decoder(QJobInfo, format="msgpack").decode('{"cpus": 2}')
    assert decode(
        memoryview(encode(QJobInfo(cpus=2), format="msgpack")), type=QJobInfo, format="msgpack"
    ) == QJobInfo(cpus=2)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format must be one of 'json', 'msgpack', not 'yaml'"):
        encode(QJobInfo(), format="yaml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not 'xml'"):
        Decoder(QJobInfo, format="xml")  # type: ignore[call-overload]


def test_a_qjob_without_its_scheduler_cannot_be_decoded() -> None:
    with pytest.raises(
        TypeError, match=r"QJob needs its scheduler's sub-state.*QJob\[SlurmState\]"
    ):
        decode(b"[]", type=list[QJob])


def test_unknown_fields_are_ignored() -> None:
    assert decode(b'{"cpus": 2, "gpus": 1}', type=QJobInfo) == QJobInfo(cpus=2)


@pytest.mark.parametrize("fmt", FORMATS)
def test_encode_into_reuses_a_buffer(fmt: Format) -> None:
    encoder = Encoder(format=fmt)
    buffer = bytearray(b"HEADER")
    first = QJobInfo(cpus=1)
    encoder.encode_into(first, buffer, 6)
    assert bytes(buffer) == b"HEADER" + encoder.encode(first)
    encoder.encode_into(QJobInfo(cpus=22), buffer, -1)
    assert bytes(buffer) == b"HEADER" + encoder.encode(first) + encoder.encode(QJobInfo(cpus=22))
    encoder.encode_into(first, buffer)
    assert bytes(buffer) == encoder.encode(first)


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_encoder_and_decoder_shared_between_threads(fmt: Format) -> None:
    encoder = Encoder(format=fmt)
    decoder = Decoder(list[QJob[SlurmState]], format=fmt)
    snapshots = [generate_snapshot(200, seed=seed) for seed in range(8)]
    failures: list[BaseException] = []
    barrier = threading.Barrier(len(snapshots))

    def work(snapshot: list[Any]) -> None:
        try:
            barrier.wait()
            for _ in range(25):
                assert decoder.decode(encoder.encode(snapshot)) == snapshot
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in snapshots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_reprs() -> None:
    assert repr(Encoder(format="msgpack")) == "Encoder(format='msgpack')"
    assert repr(Decoder(QJobInfo)) == f"Decoder(type={QJobInfo!r}, format='json')"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("kind", "payload", "path"),
    [
        (QJob[SlurmState], {"runtime": -1}, "$.runtime"),
        (QJob[SlurmState], {"info": {"cpus": -4}}, "$.info.cpus"),
        (QJobInfo, {"memory": -1}, "$.memory"),
        (QJobInfo, {"memory_per_cpu": -1}, "$.memory_per_cpu"),
        (QJobInfo, {"nodes": -1}, "$.nodes"),
        (QJobInfo, {"threads_per_process": -1}, "$.threads_per_process"),
        (QJobInfo, {"time_limit": -60}, "$.time_limit"),
        (QResources, {"processes": -2}, "$.processes"),
        (QResources, {"nodes": -1, "processes_per_node": 2}, "$.nodes"),
        (QResources, {"processes": 1, "memory_per_thread": -1}, "$.memory_per_thread"),
        (QResources, {"processes": 1, "gpus_per_job": -1}, "$.gpus_per_job"),
        (QResources, {"processes": 1, "time_limit": -1}, "$.time_limit"),
        (QResources, {"processes": 1, "njobs": -1}, "$.njobs"),
        (QResources, {"processes": 1, "threads_per_process": -1}, "$.threads_per_process"),
    ],
)
def test_impossible_negative_values_are_rejected(
    kind: Any, payload: dict[str, Any], path: str, fmt: Format
) -> None:
    data = msgspec.json.encode(payload) if fmt == "json" else msgspec.msgpack.encode(payload)
    with pytest.raises(msgspec.ValidationError, match=rf"Expected `int` >= 0 - at `\{path}`"):
        decode(data, type=kind, format=fmt)


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        (QJob[SlurmState], "exit_status"),
        (QJob[SlurmState], "runtime"),
        (QJobInfo, "memory"),
        (OperationResult, "job_id"),
        (OperationResult, "step_id"),
        (CancelResult, "exit_code"),
        (QResources, "priority"),
    ],
)
def test_integers_beyond_64_bits_are_rejected(kind: Any, field: str) -> None:
    bound = 2**63 - 1
    payload = {field: bound} if kind is not QResources else {field: bound, "processes": 1}
    assert getattr(decode(msgspec.json.encode(payload), type=kind), field) == bound
    with pytest.raises(msgspec.ValidationError, match=rf"<= {bound} - at `\$\.{field}`"):
        decode(msgspec.json.encode({**payload, field: bound + 1}), type=kind)
    if field in ("exit_status", "job_id", "step_id", "exit_code", "priority"):
        low = {**payload, field: -(2**63)}
        assert getattr(decode(msgspec.json.encode(low), type=kind), field) == -(2**63)
        with pytest.raises(msgspec.ValidationError, match=rf">= {-(2**63)} - at `\$\.{field}`"):
            decode(msgspec.json.encode({**payload, field: -(2**63) - 1}), type=kind)


def test_values_that_may_be_negative_still_decode() -> None:
    job = decode(b'{"exit_status": -9, "runtime": 0, "info": {"cpus": 0}}', type=QJob[SlurmState])
    assert (job.exit_status, job.runtime) == (-9, 0)
    result = decode(b'{"exit_code": -15, "step_id": -5}', type=OperationResult)
    assert (result.exit_code, result.step_id) == (-15, -5)
    resources = decode(b'{"processes": 1, "priority": -100}', type=QResources)
    assert resources.priority == -100


@pytest.mark.parametrize("fmt", FORMATS)
def test_broken_utf8_in_a_string_is_a_decode_error(fmt: Format) -> None:
    data = b'{"stdout":"\xf5\x80"}' if fmt == "json" else b"\x81\xa6stdout\xa2\xf5\x80"
    with pytest.raises(msgspec.DecodeError, match="not valid UTF-8"):
        decode(data, type=SubmissionResult, format=fmt)


def test_a_lone_surrogate_in_json_text_is_a_decode_error() -> None:
    with pytest.raises(msgspec.DecodeError, match=r"not valid UTF-8 \(surrogates not allowed\)"):
        decode('{"stdout": "\ud800"}', type=SubmissionResult)
