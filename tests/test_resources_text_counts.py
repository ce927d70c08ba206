"""QResources given its counts as text, as command lines and configuration files give them.

A tool that builds resources from ``key=value`` text (``nodes=2,processes_per_node=4``) passes
strings. Upstream qtoolkit kept them as they came and read its own documents back unchanged; here
the integer fields take the number, so the object holds its declared types, writes the same
script, and the MSON document it writes reads back.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest

from qtoolkit.core.data_objects import ProcessPlacement, QResources
from qtoolkit.core.exceptions import UnsupportedResourcesError
from qtoolkit.io.slurm import SlurmIO


def from_text(**text: str) -> QResources:
    """QResources built from strings, as a ``key=value`` parser hands them over."""
    kwargs: dict[str, Any] = dict(text)
    return QResources(**kwargs)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ({"nodes": "2", "processes_per_node": "4"}, {"nodes": 2, "processes_per_node": 4}),
        ({"processes": " 8 ", "time_limit": "3600"}, {"processes": 8, "time_limit": 3600}),
        (
            {"processes": "1", "memory_per_thread": "2000", "threads_per_process": "2"},
            {"processes": 1, "memory_per_thread": 2000, "threads_per_process": 2},
        ),
        (
            {"processes": "4", "gpus_per_job": "1", "njobs": "10"},
            {"processes": 4, "gpus_per_job": 1, "njobs": 10},
        ),
    ],
)
def test_integer_fields_given_as_text_hold_the_number(
    text: dict[str, str], numbers: dict[str, int]
) -> None:
    resources = from_text(**text)
    held = {name: getattr(resources, name) for name in numbers}
    assert held == numbers
    assert all(type(value) is int for value in held.values())


def test_text_counts_choose_the_placement_their_numbers_choose() -> None:
    evenly = from_text(nodes="2", processes_per_node="4")
    assert evenly.process_placement is ProcessPlacement.EVENLY_DISTRIBUTED
    assert from_text(processes="4").process_placement is ProcessPlacement.NO_CONSTRAINTS
    # "0" is the number zero, unset like 0, so it asks for no placement.
    assert from_text(processes="0", nodes="0").process_placement is None


def test_document_of_text_built_resources_reads_back() -> None:
    document = from_text(nodes="1", processes_per_node="2", time_limit="300").as_dict()
    assert (document["nodes"], document["processes_per_node"], document["time_limit"]) == (
        1,
        2,
        300,
    )
    expected = QResources(nodes=1, processes_per_node=2, time_limit=300)
    assert QResources.from_dict(document) == expected


def test_text_counts_write_the_script_numbers_write() -> None:
    commands = ["run"]
    text_built = from_text(nodes="2", processes_per_node="4", time_limit="3600")
    numbers = QResources(nodes=2, processes_per_node=4, time_limit=3600)
    script = SlurmIO().get_submission_script(commands, text_built)
    assert script == SlurmIO().get_submission_script(commands, numbers)
    assert "#SBATCH --time=0-1:0:0" in script.splitlines()


@pytest.mark.parametrize(
    ("field", "text"),
    [("nodes", "two"), ("time_limit", "1:00:00"), ("processes", "4.5"), ("njobs", "-1")],
)
def test_other_text_is_kept_and_its_document_names_the_field(field: str, text: str) -> None:
    kwargs: dict[str, Any] = {"process_placement": ProcessPlacement.SCATTERED, field: text}
    resources = QResources(**kwargs)
    assert getattr(resources, field) == text
    with pytest.raises(msgspec.ValidationError, match=rf"\$\.{field}"):
        QResources.from_dict(resources.as_dict())


def test_text_counts_still_need_a_placement_rule() -> None:
    with pytest.raises(UnsupportedResourcesError, match="nodes, processes are set"):
        from_text(processes="4", nodes="2")


def test_upstream_document_with_text_counts_reads_as_numbers() -> None:
    # What upstream's as_dict() wrote for QResources(nodes="1", processes_per_node="2"): the
    # strings kept. A workflow database may hold such documents for jobs not yet submitted.
    document: dict[str, Any] = {
        "@module": "qtoolkit.core.data_objects",
        "@class": "QResources",
        "@version": "0.1.7",
        "nodes": "1",
        "processes_per_node": "2",
        "time_limit": "600",
        "memory_per_thread": "1000",
        "process_placement": {
            "@module": "qtoolkit.core.data_objects",
            "@class": "ProcessPlacement",
            "@version": "0.1.7",
            "value": "EVENLY_DISTRIBUTED",
        },
    }
    resources = QResources.from_dict(document)
    counts = (resources.nodes, resources.processes_per_node, resources.time_limit)
    assert counts == (1, 2, 600)
    assert resources.memory_per_thread == 1000


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nodes", "two", "Expected `int | null`, got `str`"),
        ("time_limit", "1:00:00", "Expected `int | null`, got `str`"),
        ("nodes", {"value": 1}, "expected a plain value, got a document"),
    ],
)
def test_document_with_other_values_in_counts_is_refused_naming_the_field(
    field: str, value: object, message: str
) -> None:
    document: dict[str, Any] = {"process_placement": "SCATTERED", field: value}
    with pytest.raises(ValueError, match=rf"{re.escape(message)}.*\$\.{field}"):
        QResources.from_dict(document)
