"""Parity with upstream qtoolkit 0.1.7, recorded by running it (``nox -s upstream_oracle``).

Every QResources construction and factory call of the recorded grid must answer as upstream did:
the same error class, or the same placement, scheduler_kwargs, check_empty() and processes
distribution. The one deliberate difference: a factory given a ``process_placement`` other than
its own rejects it, where upstream silently replaced it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qtoolkit.core.data_objects import ProcessPlacement, QResources, QState, QSubState
from qtoolkit.core.exceptions import UnsupportedResourcesError
from qtoolkit.io import SUB_STATES

RECORD = json.loads(
    (Path(__file__).parent / "data" / "upstream" / "qtoolkit-0.1.7-behaviour.json").read_text()
)


class SiteResources(QResources):
    """A caller's subclass, as in the recording."""


CLASSES: dict[str, type[QResources]] = {"QResources": QResources, "SiteResources": SiteResources}
FACTORY_PLACEMENT = {
    "no_constraints": ProcessPlacement.NO_CONSTRAINTS,
    "scattered": ProcessPlacement.SCATTERED,
    "same_node": ProcessPlacement.SAME_NODE,
    "evenly_distributed": ProcessPlacement.EVENLY_DISTRIBUTED,
}


def python_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    placement = kwargs.get("process_placement")
    if placement is None:
        return dict(kwargs)
    return {**kwargs, "process_placement": ProcessPlacement[placement]}


def answer(action: Any) -> Any:
    """What an action gives, in the recording's terms: a value, or the class of its error."""
    try:
        return action()
    except Exception as exc:  # the class of any error is the answer compared
        return {"error": exc}


def assert_same_error(ours: Any, theirs: dict[str, str]) -> None:
    assert isinstance(ours, dict), f"expected {theirs['error']}, got {ours!r}"
    assert "error" in ours, f"expected {theirs['error']}, got {ours!r}"
    names = {cls.__name__ for cls in type(ours["error"]).__mro__}
    assert theirs["error"] in names, f"expected {theirs['error']}, got {ours['error']!r}"


def assert_same_outcome(build: Any, expected: dict[str, Any]) -> None:
    built = answer(build)
    if "error" in expected:
        assert_same_error(built, expected)
        return
    assert isinstance(built, QResources), built
    assert type(built).__name__ == expected["type"]
    placement = built.process_placement
    assert (None if placement is None else placement.name) == expected["process_placement"]
    assert built.scheduler_kwargs == expected["scheduler_kwargs"]
    for name, action in (
        ("check_empty", built.check_empty),
        ("distribution", built.get_processes_distribution),
    ):
        ours = answer(action)
        if isinstance(expected[name], dict):
            assert_same_error(ours, expected[name])
        else:
            assert ours == expected[name], name


def test_the_recording_is_of_0_1_7_and_covers_the_grid() -> None:
    assert RECORD["qtoolkit_version"] == "0.1.7"
    assert len(RECORD["resources"]) == 5 * 5 * 5 * 5 * 12
    assert len(RECORD["factories"]) == 2 * 18 * 11
    errors = sum("error" in case["outcome"] for case in RECORD["resources"])
    assert 0 < errors < len(RECORD["resources"])


@pytest.mark.parametrize(
    "case", RECORD["resources"], ids=lambda case: json.dumps(case["kwargs"], sort_keys=True)
)
def test_construction_answers_like_upstream(case: dict[str, Any]) -> None:
    kwargs = python_kwargs(case["kwargs"])
    assert_same_outcome(lambda: QResources(**kwargs), case["outcome"])


@pytest.mark.parametrize(
    "case",
    RECORD["factories"],
    ids=lambda c: f"{c['class']}.{c['factory']}{c['args']}{json.dumps(c['kwargs'])}",
)
def test_factories_answer_like_upstream(case: dict[str, Any]) -> None:
    factory = getattr(CLASSES[case["class"]], case["factory"])
    kwargs = python_kwargs(case["kwargs"])
    requested = kwargs.get("process_placement")
    if requested is not None and requested is not FACTORY_PLACEMENT[case["factory"]]:
        # The deliberate difference: a contradicting placement is an error, not replaced.
        assert case["outcome"]["process_placement"] == FACTORY_PLACEMENT[case["factory"]].name
        with pytest.raises(UnsupportedResourcesError, match="contradicts"):
            factory(*case["args"], **kwargs)
        return
    assert_same_outcome(lambda: factory(*case["args"], **kwargs), case["outcome"])


# Members upstream 0.1.7 lacks, added deliberately (README, "Differences from upstream").
ADDED_MEMBERS = {"shell": ("IDLE",)}
# Values upstream 0.1.7's members lack, added deliberately as aliases (README, "IO: PBS and Grid
# Engine"): the state codes Grid Engine combines, which upstream could not read.
ADDED_ALIASES = {
    "sge": {
        "JOB_SUSPENDED": ("ts", "S", "tS", "T", "tT", "Rs", "Rts", "RS", "RtS", "RT", "RtT"),
        "RUNNING": ("hr",),
        "HOLD": ("hRwq",),
        "RESTARTED": ("Rr", "Rt"),
    }
}


@pytest.mark.parametrize("scheduler", sorted(RECORD["substates"]))
def test_sub_states_match_upstream(scheduler: str) -> None:
    recorded = RECORD["substates"][scheduler]
    states: type[QSubState] = SUB_STATES[scheduler]
    assert (states.__module__, states.__name__) == (recorded["module"], recorded["class"])
    added = ADDED_MEMBERS.get(scheduler, ())
    aliases = ADDED_ALIASES.get(scheduler, {})
    assert [
        {
            "name": member.name,
            "value": member.value,
            "values": [v for v in member.all_values if v not in aliases.get(member.name, ())],
            "qstate": member.qstate.name,
            # A member's repr lists its values, aliases included.
            "repr": repr(member).replace(
                "".join(f", {v!r}" for v in aliases.get(member.name, ())), ""
            ),
        }
        for member in states
        if member.name not in added
    ] == recorded["members"]
    assert {value: states(value).name for value in recorded["lookups"]} == recorded["lookups"]
    assert set(states._value2member_map_) == set(recorded["lookups"]) | {
        value for name in added for value in states[name].all_values
    } | {value for values in aliases.values() for value in values}


def test_enums_match_upstream() -> None:
    from qtoolkit.core import data_objects

    for name, members in RECORD["enums"].items():
        assert [[m.name, m.value] for m in getattr(data_objects, name)] == members
    assert [m.name for m in QState] == [name for name, _ in RECORD["enums"]["QState"]]
