"""QResources rules: placement chosen at construction, factories, distribution, check_empty."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from qtoolkit.core.data_objects import ProcessPlacement, QResources
from qtoolkit.core.exceptions import UnsupportedResourcesError

NO_CONSTRAINTS = ProcessPlacement.NO_CONSTRAINTS
EVENLY = ProcessPlacement.EVENLY_DISTRIBUTED
SCATTERED = ProcessPlacement.SCATTERED
SAME_NODE = ProcessPlacement.SAME_NODE


@pytest.mark.parametrize(
    ("kwargs", "placement"),
    [
        ({}, None),
        ({"processes": 4}, NO_CONSTRAINTS),
        ({"processes": 4, "nodes": 0, "processes_per_node": None}, NO_CONSTRAINTS),
        ({"processes": 4, "queue_name": "debug", "rerunnable": True}, NO_CONSTRAINTS),
        ({"nodes": 2, "processes_per_node": 8}, EVENLY),
        ({"nodes": 2, "processes_per_node": 8, "processes": 0}, EVENLY),
        ({"job_name": "relax"}, None),
        ({"output_filepath": "o", "error_filepath": Path("e")}, None),
        # Falsy values count as unset, as in upstream qtoolkit.
        ({"processes": 0, "nodes": 0, "rerunnable": False, "scheduler_kwargs": {}}, None),
        ({"nodes": 3, "process_placement": SCATTERED}, SCATTERED),
        ({"processes": 3, "process_placement": SAME_NODE}, SAME_NODE),
    ],
)
def test_placement_chosen_at_construction(
    kwargs: dict[str, Any], placement: ProcessPlacement | None
) -> None:
    assert QResources(**kwargs).process_placement is placement


@pytest.mark.parametrize(
    "kwargs",
    [
        {"nodes": 2},
        {"processes_per_node": 2},
        {"processes": 4, "nodes": 2},
        {"processes": 4, "processes_per_node": 2},
        {"processes": 4, "nodes": 1, "processes_per_node": 4},
        {"queue_name": "debug"},
        {"rerunnable": True},
        {"scheduler_kwargs": {"constraint": "gpu"}},
        {"memory_per_thread": 100, "job_name": "relax"},
    ],
)
def test_values_without_a_placement_are_rejected(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedResourcesError, match="process_placement is None"):
        QResources(**kwargs)


def test_rejection_names_the_fields_that_need_a_placement() -> None:
    with pytest.raises(UnsupportedResourcesError, match="queue_name, account are set"):
        QResources(queue_name="debug", account="acct", job_name="ok")


def test_scheduler_kwargs_default_to_an_empty_dict() -> None:
    first, second = QResources(), QResources()
    assert first.scheduler_kwargs == {}
    assert first.scheduler_kwargs is not second.scheduler_kwargs
    given = {"constraint": "gpu"}
    assert QResources.no_constraints(2, scheduler_kwargs=given).scheduler_kwargs is given


@pytest.mark.parametrize(
    ("factory", "args", "placement", "counts"),
    [
        (QResources.no_constraints, (4,), NO_CONSTRAINTS, [None, 4, None]),
        (QResources.scattered, (4,), SCATTERED, [None, 4, None]),
        (QResources.same_node, (4,), SAME_NODE, [None, 4, None]),
        (QResources.evenly_distributed, (2, 8), EVENLY, [2, None, 8]),
    ],
)
def test_factories_set_their_placement(
    factory: Any, args: tuple[int, ...], placement: ProcessPlacement, counts: list[int | None]
) -> None:
    resources = factory(*args, queue_name="debug", time_limit=60)
    assert type(resources) is QResources
    assert resources.process_placement is placement
    assert [resources.nodes, resources.processes, resources.processes_per_node] == counts
    assert (resources.queue_name, resources.time_limit) == ("debug", 60)


class SiteResources(QResources):
    pass


@pytest.mark.parametrize("name", ["no_constraints", "scattered", "same_node"])
def test_factories_build_the_class_they_are_called_on(name: str) -> None:
    assert type(getattr(SiteResources, name)(2)) is SiteResources
    assert type(SiteResources.evenly_distributed(1, 2)) is SiteResources


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "message"),
    [
        ("no_constraints", (2,), {"nodes": 1}, "nodes cannot be given with NO_CONSTRAINTS"),
        ("no_constraints", (2,), {"nodes": None}, "nodes cannot be given"),
        ("scattered", (2,), {"processes_per_node": 1}, "processes_per_node cannot be given"),
        (
            "same_node",
            (2,),
            {"nodes": 1, "processes_per_node": 2},
            "nodes and processes_per_node cannot",
        ),
        ("evenly_distributed", (2, 4), {"processes": 8}, "processes cannot be given"),
        ("scattered", (2,), {"process_placement": SAME_NODE}, "contradicts the SCATTERED"),
    ],
)
def test_factories_reject_conflicting_arguments(
    name: str, args: tuple[int, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(UnsupportedResourcesError, match=message):
        getattr(QResources, name)(*args, **kwargs)


def test_factory_accepts_its_own_placement_repeated() -> None:
    resources = QResources.scattered(2, process_placement=SCATTERED)  # type: ignore[call-arg]
    assert resources.process_placement is SCATTERED


def test_factory_duplicate_count_is_a_python_type_error() -> None:
    with pytest.raises(TypeError):
        QResources.no_constraints(2, processes=3)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "distribution"),
    [
        ({}, [None, None, None]),
        ({"processes": 6}, [None, 6, None]),
        ({"processes": 6, "process_placement": SCATTERED}, [6, 6, 1]),
        ({"nodes": 6, "process_placement": SCATTERED}, [6, 6, 1]),
        ({"nodes": 6, "processes": 6, "process_placement": SCATTERED}, [6, 6, 1]),
        ({"processes_per_node": 1, "process_placement": SCATTERED}, [1, 1, 1]),
        ({"process_placement": SCATTERED}, [1, 1, 1]),
        ({"processes": 6, "process_placement": SAME_NODE}, [1, 6, 6]),
        ({"processes_per_node": 6, "process_placement": SAME_NODE}, [1, 6, 6]),
        ({"nodes": 1, "processes": 6, "process_placement": SAME_NODE}, [1, 6, 6]),
        ({"process_placement": SAME_NODE}, [1, 1, 1]),
        ({"nodes": 2, "processes_per_node": 4}, [2, None, 4]),
        ({"process_placement": EVENLY}, [1, None, 1]),
        ({"nodes": 0, "process_placement": EVENLY}, [0, None, 1]),
        ({"processes": 3, "process_placement": NO_CONSTRAINTS}, [None, 3, None]),
        ({"process_placement": NO_CONSTRAINTS}, [None, 1, None]),
    ],
)
def test_processes_distribution(kwargs: dict[str, Any], distribution: list[int | None]) -> None:
    assert QResources(**kwargs).get_processes_distribution() == distribution


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"nodes": 2, "processes": 3, "process_placement": SCATTERED}, "nodes == processes"),
        ({"processes": 3, "processes_per_node": 2, "process_placement": SCATTERED}, "not 2"),
        ({"nodes": 2, "processes": 3, "process_placement": SAME_NODE}, "1 node, not 2"),
        ({"processes": 3, "processes_per_node": 2, "process_placement": SAME_NODE}, "got 3 and 2"),
        ({"processes": 3, "process_placement": EVENLY}, "not processes"),
        ({"processes": 3, "nodes": 2, "process_placement": NO_CONSTRAINTS}, "not nodes"),
    ],
)
def test_processes_distribution_rejects_contradictions(
    kwargs: dict[str, Any], message: str
) -> None:
    resources = QResources(**kwargs)
    with pytest.raises(UnsupportedResourcesError, match=message):
        resources.get_processes_distribution()


def test_check_empty() -> None:
    assert QResources().check_empty() is True
    assert QResources(job_name="x", output_filepath=Path("o")).check_empty() is True
    assert QResources.no_constraints(1).check_empty() is False
    assert QResources(process_placement=SCATTERED).check_empty() is False
    resources = QResources()
    resources.account = "acct"  # assignments skip the constructor's rules
    with pytest.raises(ValueError, match="process_placement is None, but account set"):
        resources.check_empty()


class TestDecodedResourcesFollowTheSameRules:
    def test_defaults_are_applied(self) -> None:
        decoded = msgspec.json.decode(b'{"processes": 4}', type=QResources)
        assert decoded == QResources(processes=4)
        assert decoded.process_placement is NO_CONSTRAINTS
        assert decoded.scheduler_kwargs == {}

    def test_a_broken_rule_names_its_path(self) -> None:
        data = b'[{"processes": 4}, {"queue_name": "debug"}]'
        with pytest.raises(msgspec.ValidationError, match=r"queue_name is set.* - at `\$\[1\]`"):
            msgspec.json.decode(data, type=list[QResources])

    def test_path_fields_decode_as_strings(self) -> None:
        decoded = msgspec.json.decode(b'{"output_filepath": "/o"}', type=QResources)
        assert decoded.output_filepath == "/o"


def test_factory_options_are_every_field_but_the_placement_ones() -> None:
    from qtoolkit.core.resource_options import ResourceOptions

    placement_fields = {"nodes", "processes", "processes_per_node", "process_placement"}
    assert list(ResourceOptions.__annotations__) == [
        name for name in QResources.__struct_fields__ if name not in placement_fields
    ]
    assert not ResourceOptions.__required_keys__
