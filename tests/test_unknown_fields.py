"""Nothing a caller gives is silently dropped: fields a class does not have are refused by name."""

from __future__ import annotations

from typing import Any

import msgspec
import pydantic
import pytest

from qtoolkit import QJob, QJobInfo, QResources
from qtoolkit.core import codecs
from qtoolkit.core.data_objects import ProcessPlacement, SubmissionResult


class Submission(pydantic.BaseModel):
    """A model shaped like jobflow-remote's: resources as qtoolkit's object or a plain dict."""

    resources: QResources | dict[str, Any] | None = None


def test_a_scheduler_dict_stays_a_dict_in_a_pydantic_union() -> None:
    model = Submission(resources={"ntasks": 10, "partition": "debug"})
    assert type(model.resources) is dict
    assert model.resources == {"ntasks": 10, "partition": "debug"}


def test_a_dict_of_qresources_fields_becomes_qresources_in_the_union() -> None:
    model = Submission(resources={"processes": 10, "queue_name": "debug"})
    assert model.resources == QResources(
        processes=10, queue_name="debug", process_placement=ProcessPlacement.NO_CONSTRAINTS
    )


def test_a_dict_mixing_known_and_unknown_fields_is_not_qresources() -> None:
    model = Submission(resources={"processes": 10, "ntasks": 10})
    assert model.resources == {"processes": 10, "ntasks": 10}


def test_pydantic_names_the_unknown_fields() -> None:
    class Strict(pydantic.BaseModel):
        resources: QResources

    with pytest.raises(pydantic.ValidationError, match=r"QResources has no field `ntasks`"):
        Strict.model_validate({"resources": {"ntasks": 10}})


@pytest.mark.parametrize(
    ("cls", "document", "named"),
    [
        (QResources, {"ntasks": 10}, "`ntasks`"),
        (QJobInfo, {"cpus": 1, "partition": "debug", "qos": "x"}, "`partition`, `qos`"),
        (QJob, {"job_id": "1", "partition": "debug"}, "`partition`"),
        (SubmissionResult, {"status": "FAILED", "reason": "quota"}, "`reason`"),
    ],
)
def test_from_dict_refuses_unknown_fields(cls: Any, document: dict[str, Any], named: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=f"has no field {named}: "):
        cls.from_dict(document)


def test_the_wire_decoders_ignore_unknown_fields_for_forward_compatibility() -> None:
    # A payload written by a later release, with a field this one does not know.
    payload = b'{"processes": 2, "added_in_a_later_version": 1}'
    expected = QResources.no_constraints(processes=2)
    assert codecs.decode(payload, type=QResources) == expected
    msgpack = msgspec.msgpack.encode(msgspec.json.decode(payload))
    assert codecs.decode(msgpack, type=QResources, format="msgpack") == expected
    assert codecs.from_builtins({"processes": 2, "_id": "mongo"}, type=QResources) == expected
