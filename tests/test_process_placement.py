"""A process placement given as a string names its member, by every path that builds resources."""

from __future__ import annotations

from typing import Any

import msgspec
import pydantic
import pytest

from qtoolkit import QResources
from qtoolkit.core import codecs
from qtoolkit.core.data_objects import ProcessPlacement, QJob
from qtoolkit.core.exceptions import UnsupportedResourcesError
from qtoolkit.io import SlurmState

# Counts each placement accepts, so that every path builds valid resources.
_COUNTS: dict[ProcessPlacement, dict[str, int]] = {
    ProcessPlacement.NO_CONSTRAINTS: {"processes": 4},
    ProcessPlacement.SCATTERED: {"processes": 4},
    ProcessPlacement.SAME_NODE: {"processes": 4},
    ProcessPlacement.EVENLY_DISTRIBUTED: {"nodes": 2, "processes_per_node": 2},
}
_SPELLINGS = [
    (member, spelling)
    for member in ProcessPlacement
    for spelling in (member.value, member.value.lower(), member.value.title())
]
_VALID = "NO_CONSTRAINTS, SCATTERED, SAME_NODE, EVENLY_DISTRIBUTED"


class Model(pydantic.BaseModel):
    resources: QResources


def _read_by_every_path(spelling: str, counts: dict[str, int]) -> dict[str, QResources]:
    fields: dict[str, Any] = {**counts, "process_placement": spelling}
    payload = msgspec.json.encode(fields)
    document = {**QResources().as_dict(), **counts}
    document["process_placement"] = {**ProcessPlacement.SCATTERED.as_dict(), "value": spelling}
    return {
        "constructor": QResources(**fields),
        "json": codecs.decode(payload, type=QResources),
        "msgpack": codecs.decode(msgspec.msgpack.encode(fields), type=QResources, format="msgpack"),
        "builtins": codecs.from_builtins(fields, type=QResources),
        "from_dict": QResources.from_dict(fields),
        "mson document": QResources.from_dict(document),
        "pydantic": Model.model_validate({"resources": fields}).resources,
        "pydantic json": Model.model_validate_json(b'{"resources": %s}' % payload).resources,
    }


@pytest.mark.parametrize(("member", "spelling"), _SPELLINGS)
def test_a_value_in_any_letter_case_is_the_member(member: ProcessPlacement, spelling: str) -> None:
    assert ProcessPlacement(spelling) is member
    for path, resources in _read_by_every_path(spelling, _COUNTS[member]).items():
        assert resources.process_placement is member, path


@pytest.mark.parametrize("member", list(ProcessPlacement))
def test_factories_accept_their_own_placement_as_a_string(member: ProcessPlacement) -> None:
    factory = getattr(QResources, member.value.lower())
    resources = factory(**_COUNTS[member], process_placement=member.value.lower())
    assert resources.process_placement is member
    other = next(m for m in ProcessPlacement if m is not member)
    with pytest.raises(UnsupportedResourcesError, match=f"contradicts the {member.name} factory"):
        factory(**_COUNTS[member], process_placement=other.value.lower())


@pytest.mark.parametrize(
    # "\u017f" (long s) upper-cases to "S": only ASCII spellings name a member.
    "value",
    ["No placement", "", "scattered ", "\u017fcattered", 3, 2.5, b"SCATTERED"],
)
def test_any_other_value_is_refused_naming_it_and_the_valid_ones(value: Any) -> None:
    expected = f"^process_placement {value!r} is not one of {_VALID} "
    with pytest.raises(UnsupportedResourcesError, match=expected.replace("(", r"\(")):
        QResources(process_placement=value, processes=2)
    with pytest.raises(UnsupportedResourcesError, match=_VALID):
        ProcessPlacement(value)
    untyped: Any = QResources  # a caller without a type checker
    with pytest.raises(UnsupportedResourcesError, match=_VALID):
        untyped.scattered(processes=2, process_placement=value)


@pytest.mark.parametrize(
    ("decode", "path"),
    [
        (lambda: codecs.decode(b'{"process_placement": "No placement"}', type=QResources), "$"),
        (
            lambda: codecs.decode(
                msgspec.msgpack.encode([{}, {"process_placement": "No placement"}]),
                type=list[QResources],
                format="msgpack",
            ),
            "$[1]",
        ),
        (
            lambda: codecs.from_builtins({"process_placement": "No placement"}, type=QResources),
            "$",
        ),
        (lambda: QResources.from_dict({"process_placement": "No placement"}), "$"),
        (
            lambda: QResources.from_dict(
                {
                    "@module": "qtoolkit.core.data_objects",
                    "@class": "QResources",
                    "process_placement": "No placement",
                }
            ),
            "$",
        ),
    ],
)
def test_decoders_name_the_refused_value_the_valid_ones_and_the_path(
    decode: Any, path: str
) -> None:
    # Both the error decoders raise and the one construction raises.
    with pytest.raises(msgspec.ValidationError) as raised:
        decode()
    assert isinstance(raised.value, UnsupportedResourcesError)
    assert str(raised.value) == (
        f"process_placement 'No placement' is not one of {_VALID} (in any letter case)"
        f" - at `{path}.process_placement`"
    )


def test_other_enum_errors_are_left_as_msgspec_words_them() -> None:
    with pytest.raises(msgspec.ValidationError) as raised:
        codecs.decode(b'{"state": "SOON"}', type=QJob[SlurmState])
    assert str(raised.value) == "Invalid enum value 'SOON' - at `$.state`"
    assert not isinstance(raised.value, UnsupportedResourcesError)


def test_pydantic_names_the_valid_placements_at_the_field() -> None:
    with pytest.raises(pydantic.ValidationError) as raised:
        Model.model_validate({"resources": {"process_placement": "No placement"}})
    (error,) = raised.value.errors()
    assert error["loc"] == ("resources", "process_placement")
    assert _VALID in error["msg"]


def test_a_placement_assigned_after_construction_is_read_or_refused() -> None:
    resources = QResources()
    resources.process_placement = "same_node"  # type: ignore[assignment]
    resources.processes = 3
    assert resources.get_processes_distribution() == [1, 3, 3]
    resources.process_placement = "anywhere"  # type: ignore[assignment]
    with pytest.raises(UnsupportedResourcesError, match="'anywhere' is not one of"):
        resources.get_processes_distribution()
