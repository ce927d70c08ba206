"""Decoder fuzzing: mutated, truncated and random input raises only the documented errors.

Every decoder (JSON and MessagePack for each type, NDJSON, MSON documents, database builtins) is
fed broken input; it must either return a value of the requested type or raise
``msgspec.DecodeError`` (malformed input) or its subclass ``msgspec.ValidationError`` (well-formed
input of the wrong shape) — never TypeError, KeyError, RecursionError or anything else. The tests
run a short campaign; ``QTK_FUZZ_EXAMPLES`` scales it up (``nox -s fuzz`` runs a long one), and the
number of cases run is reported at the end of the session.
"""

from __future__ import annotations

import os
import typing
from collections import Counter
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qtk_strategies import TEXT, any_object, json_values
from qtoolkit.core import mson
from qtoolkit.core.codecs import Format, decode, encode, from_builtins
from qtoolkit.core.data_objects import (
    CancelResult,
    ProcessPlacement,
    QJob,
    QJobInfo,
    QResources,
    QState,
    SubmissionResult,
)
from qtoolkit.core.mson import mson_classes
from qtoolkit.core.ndjson import read_ndjson
from qtoolkit.core.unions import AnyResult
from qtoolkit.io import SUB_STATES
from qtoolkit.io.slurm import SlurmState

EXAMPLES = int(os.environ.get("QTK_FUZZ_EXAMPLES", "250"))
CASES: Counter[str] = Counter()
"""Fuzz cases run, by target; reported in the session summary."""

settings.register_profile(
    "fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
FUZZ = settings.get_profile("fuzz")

_JOB: Any = QJob
TARGET_TYPES: list[Any] = [
    *(_JOB[states] for states in SUB_STATES.values()),
    list[QJob[SlurmState]],
    QJobInfo,
    QResources,
    list[QResources],
    list[AnyResult],
    SubmissionResult,
    CancelResult,
    QState,
    SlurmState,
    ProcessPlacement,
]
FORMATS: list[Format] = ["json", "msgpack"]


def check_decoded(value: Any, kind: Any) -> None:
    """A successful decode gives a value of the requested type."""
    origin = getattr(kind, "__origin__", kind)
    if origin is list:
        assert isinstance(value, list)
    elif isinstance(origin, type):
        assert isinstance(value, origin)


def decode_or_documented_error(data: bytes | str, kind: Any, fmt: Format) -> None:
    CASES[f"{fmt} decoders"] += 1
    try:
        if isinstance(data, str):  # text is JSON's alone
            value = decode(data, type=kind)
        else:
            value = decode(data, type=kind, format=fmt)
    except msgspec.DecodeError:
        return
    check_decoded(value, kind)


@st.composite
def mutated_encodings(draw: st.DrawFn) -> tuple[bytes, Format]:
    """A valid encoding of any value, then broken: bits flipped, bytes added or cut, spliced."""
    value, _ = draw(any_object())
    fmt: Format = draw(st.sampled_from(FORMATS))
    data = bytearray(encode(value, format=fmt))
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "splice", "repeat"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if how == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif how == "delete" and data:
            del data[at : at + draw(st.integers(1, 8))]
        elif how == "truncate":
            del data[at:]
        elif how == "splice":
            other, _ = draw(any_object())
            data[at:at] = encode(other, format=fmt)
        elif how == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 16))]
    return bytes(data), fmt


@FUZZ
@given(mutated_encodings(), st.sampled_from(TARGET_TYPES))
def test_mutated_encodings(data_and_format: tuple[bytes, Format], kind: Any) -> None:
    data, fmt = data_and_format
    decode_or_documented_error(data, kind, fmt)


@FUZZ
@given(st.binary(max_size=200), st.sampled_from(TARGET_TYPES), st.sampled_from(FORMATS))
def test_random_bytes(data: bytes, kind: Any, fmt: Format) -> None:
    decode_or_documented_error(data, kind, fmt)


# Any character, lone surrogates often: a str may hold one, and it has no UTF-8 form. (Drawn
# one by one: st.text() leaves surrogates out.)
ANY_CHARACTER = st.characters(categories=["Cs"]) | st.characters(exclude_categories=())


@FUZZ
@given(any_object(), st.lists(ANY_CHARACTER, min_size=1, max_size=4).map("".join), st.integers())
def test_json_text_with_any_character(
    value_and_type: tuple[Any, Any], inserted: str, at: int
) -> None:
    value, kind = value_and_type
    text = encode(value).decode()
    at %= len(text) + 1
    decode_or_documented_error(text[:at] + inserted + text[at:], kind, "json")


@FUZZ
@given(json_values, st.sampled_from(TARGET_TYPES), st.sampled_from(FORMATS))
def test_well_formed_values_of_the_wrong_shape(value: Any, kind: Any, fmt: Format) -> None:
    decode_or_documented_error(encode(value, format=fmt), kind, fmt)


def test_deep_nesting() -> None:
    deep_json = b'{"processes": 1, "scheduler_kwargs": {"a": ' + b"[" * 50_000 + b"]" * 50_000
    deep_msgpack = b"\x82\xa9processes\x01\xb0scheduler_kwargs\x81\xa1a" + b"\x91" * 50_000
    inputs: list[tuple[bytes, Format]] = [
        (deep_json + b"}}", "json"),
        (deep_msgpack + b"\x90", "msgpack"),
    ]
    for data, fmt in inputs:
        with pytest.raises(msgspec.DecodeError, match="nested too deeply"):
            decode(data, type=QResources, format=fmt)
    with pytest.raises(msgspec.DecodeError, match="line 1: Input is nested too deeply"):
        read_ndjson([deep_json + b"}}"], type=QResources)
    nested: Any = []
    for _ in range(100_000):
        nested = [nested]
    with pytest.raises(msgspec.ValidationError, match="nested too deeply"):
        QResources.from_dict({"processes": 1, "scheduler_kwargs": {"a": nested}})


@FUZZ
@given(st.lists(st.binary(max_size=60) | TEXT, max_size=6))
def test_ndjson_lines(lines: list[bytes | str]) -> None:
    CASES["ndjson reader"] += 1
    try:
        jobs = read_ndjson(lines, type=QJob[SlurmState])
    except msgspec.DecodeError as exc:
        error: msgspec.DecodeError | None = exc
    else:
        error = None
        assert all(isinstance(job, QJob) for job in jobs)
    assert error is None or str(error).startswith("line ")


MSON_KEYS = st.sampled_from(
    [
        "@module",
        "@class",
        "@version",
        "value",
        "string",
        "type",
        *QJob.__struct_fields__,
        *QResources.__struct_fields__,
    ]
)
MSON_ATOMS = st.sampled_from(
    [
        *(module for module, _ in mson_classes()),
        *(name for _, name in mson_classes()),
        "pathlib",
        "Path",
        "os",
        "system",
        "PD",
        "RUNNING",
        "SCATTERED",
    ]
)
mson_junk = st.recursive(
    json_values | MSON_ATOMS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(MSON_KEYS | TEXT, children, max_size=6)
    ),
    max_leaves=20,
)


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """Junk, or a real document of a registered class with junk in its fields."""
    if draw(st.booleans()):
        return draw(mson_junk)
    module, name = draw(st.sampled_from(sorted(mson_classes())))
    fields = draw(st.dictionaries(MSON_KEYS, mson_junk, max_size=6))
    return {**fields, "@module": module, "@class": name}


MSON_TARGETS: list[Any] = [
    *sorted(mson_classes().values(), key=lambda c: c.__name__),
    AnyResult,
    *(_JOB[states] for states in SUB_STATES.values()),
]


@FUZZ
@given(documents(), st.sampled_from(MSON_TARGETS))
def test_mson_documents(document: Any, target: Any) -> None:
    CASES["MSON from_dict"] += 1
    try:
        value = mson.from_dict(document, target)
    except msgspec.ValidationError:
        return
    expected = typing.get_args(target) if target is AnyResult else typing.get_origin(target)
    assert isinstance(value, expected or target)


@FUZZ
@given(mson_junk, st.sampled_from(TARGET_TYPES))
def test_database_builtins(document: Any, kind: Any) -> None:
    CASES["builtins"] += 1
    try:
        value = from_builtins(document, type=kind)
    except msgspec.DecodeError:
        return
    check_decoded(value, kind)
