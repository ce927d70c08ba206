"""JSON Schema of every public object, the job snapshots, their changes and the result unions.

Generated from the types by msgspec, so the schema and the decoders cannot disagree. The package
ships the full document as ``qtoolkit/core/qtoolkit.schema.json``; a test keeps it in sync.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from qtoolkit.core import registry
from qtoolkit.core.changes import JobChange, SnapshotChanges
from qtoolkit.core.data_objects import (
    CancelResult,
    CancelStatus,
    OperationResult,
    ProcessPlacement,
    QJob,
    QJobInfo,
    QResources,
    QState,
    QSubState,
    SubmissionResult,
    SubmissionStatus,
)
from qtoolkit.core.unions import AnyResult, Snapshot

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "SCHEMA_FILE",
    "SCHEMA_TYPES",
    "json_schema",
    "json_schema_of",
    "json_schemas",
    "package_sub_states",
    "plain_text",
    "schema_components",
    "write_schema_file",
]

SCHEMA_FILE = Path(__file__).with_name("qtoolkit.schema.json")
"""The committed schema document, as :func:`json_schemas` generates it."""

_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def package_sub_states() -> list[type[QSubState]]:
    """The sub-state enums of the schedulers this package ships, by name.

    They register themselves when defined (``import qtoolkit`` defines them all); a user's own
    sub-states, also registered, have no place in the package's schema document.
    """
    found = [
        cls
        for cls in registry.registered()
        if issubclass(cls, QSubState) and len(cls) and cls.__module__.startswith("qtoolkit.")
    ]
    return sorted(found, key=lambda cls: cls.__name__)


def _schema_types() -> dict[str, Any]:
    types: dict[str, Any] = {
        cls.__name__: cls
        for cls in (
            QJobInfo,
            QResources,
            OperationResult,
            SubmissionResult,
            CancelResult,
            QState,
            ProcessPlacement,
            SubmissionStatus,
            CancelStatus,
        )
    }
    types["AnyResult"] = AnyResult
    types["list[AnyResult]"] = list[AnyResult]
    for states in package_sub_states():
        name = states.__name__
        types[name] = states
        types[f"QJob[{name}]"] = _parametrized(QJob, states)
        types[f"Snapshot[{name}]"] = _parametrized(Snapshot, states)
        types[f"JobChange[{name}]"] = _parametrized(JobChange, states)
        types[f"SnapshotChanges[{name}]"] = _parametrized(SnapshotChanges, states)
    return types


def _parametrized(generic: Any, states: type[QSubState]) -> Any:
    """``generic[states]`` for a sub-state class only known at run time."""
    return generic[states]


SCHEMA_TYPES: dict[str, Any] = _schema_types()
"""Every type with a schema, by the name :func:`json_schema` and ``qtk schema`` accept."""


def json_schema(name: str) -> dict[str, Any]:
    """The self-contained JSON Schema of one of :data:`SCHEMA_TYPES`, e.g. ``QJob[SlurmState]``."""
    try:
        kind = SCHEMA_TYPES[name]
    except KeyError:
        msg = f"no schema named {name!r}; choose one of: {', '.join(SCHEMA_TYPES)}"
        raise KeyError(msg) from None
    return json_schema_of(kind, name)


def json_schema_of(kind: Any, title: str) -> dict[str, Any]:
    """The self-contained JSON Schema of any type the codecs decode, e.g. ``list[QResources]``."""
    (root,), components = schema_components([kind])
    schema: dict[str, Any] = {"$schema": _DIALECT, "title": title, **root}
    if components:
        schema["$defs"] = components
    return schema


def json_schemas() -> dict[str, Any]:
    """One JSON Schema document holding every type of :data:`SCHEMA_TYPES` under ``$defs``."""
    names = list(SCHEMA_TYPES)
    roots, definitions = schema_components([SCHEMA_TYPES[name] for name in names])
    for name, root in zip(names, roots, strict=True):
        if "$ref" not in root:  # the unions and snapshots have no component of their own
            definitions[_definition_name(name)] = {"title": name, **root}
    return {
        "$schema": _DIALECT,
        "title": "qtoolkit data objects",
        "description": (
            "Jobs, job snapshots and their changes, resources and results, as qtoolkit encodes "
            "them."
        ),
        "$defs": dict(sorted(definitions.items())),
    }


def write_schema_file(path: Path = SCHEMA_FILE) -> None:
    """Regenerate the committed schema document."""
    path.write_text(json.dumps(json_schemas(), indent=1, sort_keys=False) + "\n", encoding="utf-8")


def plain_text(docstring: str) -> str:
    """A docstring as a schema description: no indentation, no reStructuredText markup.

    ``:class:`~pkg.Name``` becomes ``Name`` and a double-backquoted literal its bare text, as
    tools show descriptions as they are.
    """
    text = inspect.cleandoc(docstring)
    text = _ROLE.sub(lambda match: match["target"].rpartition(".")[2], text)
    return _LITERAL.sub(r"\1", text)


_ROLE = re.compile(r":[a-z:]+:`~?(?P<target>[^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")


def _definition_name(name: str) -> str:
    return name.replace("[", "_").replace("]", "_")


def schema_components(
    types: Iterable[Any], ref_template: str = "#/$defs/{name}"
) -> tuple[tuple[dict[str, Any], ...], dict[str, Any]]:
    """The schema components msgspec generates for ``types``, polished.

    Descriptions lose their docstring indentation, and sub-state schemas accept every alias, as
    the decoders do.
    """
    roots, components = msgspec.json.schema_components(types, ref_template=ref_template)
    return roots, _polish(components)


def _polish(components: dict[str, Any]) -> dict[str, Any]:
    # Any registered sub-state (a user's too, in a pydantic model), this package's first.
    aliases: dict[str, type[QSubState]] = {
        cls.__name__: cls for cls in registry.registered() if issubclass(cls, QSubState)
    }
    aliases.update((states.__name__, states) for states in package_sub_states())
    polished: dict[str, Any] = {}
    for name, component in components.items():
        component = dict(component)  # noqa: PLW2901 - a copy is edited, not msgspec's
        if "description" in component:
            component["description"] = plain_text(component["description"])
        states = aliases.get(name)
        if states is not None:
            component["enum"] = [value for member in states for value in member.all_values]
            component["description"] = (
                f"{component.get('description', '')}\n\nThe first value of each state is the one "
                "written; the others are accepted aliases."
            ).strip()
        polished[name] = component
    return polished
