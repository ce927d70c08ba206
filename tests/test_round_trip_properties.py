"""Every valid value survives JSON, MessagePack, NDJSON, MSON, builtins and pickle round trips."""

from __future__ import annotations

import io
import json
import os
import pickle
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qtk_strategies import any_object, jobs, resources, results, snapshots
from qtoolkit.core.codecs import Format, decode, encode, from_builtins, to_builtins
from qtoolkit.core.data_objects import QJob, QResources
from qtoolkit.core.mson import json_default
from qtoolkit.core.ndjson import read_ndjson, write_ndjson
from qtoolkit.io import SUB_STATES

settings.register_profile(
    "round-trips",
    max_examples=int(os.environ.get("QTK_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ROUND_TRIPS = settings.get_profile("round-trips")
FORMATS = st.sampled_from(["json", "msgpack"])


def assert_same(decoded: Any, original: Any) -> None:
    assert decoded == original
    assert type(decoded) is type(original)
    if isinstance(original, list):
        assert [type(item) for item in decoded] == [type(item) for item in original]


@ROUND_TRIPS
@given(any_object(), FORMATS)
def test_json_and_msgpack(value_and_type: tuple[Any, Any], fmt: Format) -> None:
    value, kind = value_and_type
    assert_same(decode(encode(value, format=fmt), type=kind, format=fmt), value)


@ROUND_TRIPS
@given(snapshots())
def test_ndjson(scheduler_and_snapshot: tuple[str, list[QJob[Any]]]) -> None:
    scheduler, snapshot = scheduler_and_snapshot
    stream = io.BytesIO()
    assert write_ndjson(snapshot, stream) == len(snapshot)
    assert stream.getvalue().count(b"\n") == len(snapshot)
    stream.seek(0)
    job: Any = QJob
    assert_same(read_ndjson(stream, type=job[SUB_STATES[scheduler]]), snapshot)


@ROUND_TRIPS
@given(any_object())
def test_builtins(value_and_type: tuple[Any, Any]) -> None:
    value, kind = value_and_type
    assert_same(from_builtins(to_builtins(value), type=kind), value)


@ROUND_TRIPS
@given(any_object())
def test_pickle(value_and_type: tuple[Any, Any]) -> None:
    value, _ = value_and_type
    assert_same(pickle.loads(pickle.dumps(value)), value)


@ROUND_TRIPS
@given(
    schedulers_jobs=st.sampled_from(sorted(SUB_STATES)).flatmap(lambda s: jobs(SUB_STATES[s]))
    | resources()
    | results
)
def test_mson(schedulers_jobs: Any) -> None:
    value = schedulers_jobs
    cls = type(value)
    assert_same(cls.from_dict(value.as_dict()), value)
    through_json = json.loads(json.dumps(value.as_dict(), default=json_default))
    assert_same(cls.from_dict(through_json), value)
    if isinstance(value, QResources):  # paths written by monty come back as paths
        again = QResources.from_dict(through_json)
        for name in ("output_filepath", "error_filepath"):
            assert type(getattr(again, name)) is type(getattr(value, name))
