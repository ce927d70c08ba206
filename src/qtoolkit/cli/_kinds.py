"""What a file holds: the ``--type`` and ``--scheduler`` every ``qtk`` command shares.

One rule names every kind: the singular is one object, the plural a list of them (``job`` and
``jobs``, ``result`` and ``results``). ``resources``, one ``QResources``, is plural already: a
list of them is ``resources-list``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import GenericAlias
from typing import Any

from qtoolkit.core.data_objects import QJob, QResources
from qtoolkit.core.unions import AnyResult
from qtoolkit.io import SUB_STATES

__all__ = [
    "KINDS",
    "SCHEDULERS",
    "InvalidDataError",
    "Kind",
    "UsageError",
    "describe_kinds",
    "resolve_kind",
]

# name: (what one item is, whether the file holds a list, what a user reads in --help)
_KINDS: dict[str, tuple[Any, bool, str]] = {
    "job": (QJob, False, "one job (QJob)"),
    "jobs": (QJob, True, "a list of jobs: a queue snapshot"),
    "resources": (QResources, False, "one QResources"),
    "resources-list": (QResources, True, "a list of QResources"),
    "result": (AnyResult, False, "one submission, cancel or operation result"),
    "results": (AnyResult, True, "a list of results"),
}
KINDS = tuple(_KINDS)
SCHEDULERS = tuple(SUB_STATES)


class UsageError(Exception):
    """A command line that cannot be carried out; the CLI exits with status 2."""


class InvalidDataError(Exception):
    """Data that a command cannot use, found outside decoding; the CLI exits with status 1."""


@dataclass(frozen=True)
class Kind:
    """The type of one item, and whether a file holds a list of them or a single one."""

    name: str
    item: Any
    collection: bool

    @property
    def whole(self) -> Any:
        """The type of the whole document in JSON, MessagePack or MSON."""
        return GenericAlias(list, (self.item,)) if self.collection else self.item

    @property
    def is_jobs(self) -> bool:
        """Whether the items are jobs (generic in their scheduler's sub-state)."""
        return self.name in ("job", "jobs")

    def noun(self, count: int) -> str:
        """``"1 job"``, ``"3 jobs"``: how a message counts the items."""
        singular = {"jobs": "job", "results": "result", "resources-list": "resources"}
        plural = {"job": "jobs", "result": "results", "resources": "resources"}
        if count == 1:
            return f"1 {singular.get(self.name, self.name)}"
        return f"{count:,} {plural.get(self.name, self.name).replace('-list', '')}"


def describe_kinds() -> str:
    """One line per kind, for ``--help`` and ``qtk schema --list``."""
    width = max(map(len, _KINDS))
    return "\n".join(f"  {name:<{width}}  {text}" for name, (_, _, text) in _KINDS.items())


def resolve_kind(
    name: str, scheduler: str | None, *, documents_name_it: bool = False, option: str = "--type "
) -> Kind:
    """The Kind for ``--type name --scheduler scheduler``.

    Jobs need their scheduler to decode sub-states, unless the documents name it (MSON).
    ``option`` is how messages name the kind: ``qtk schema`` takes it without ``--type``.
    """
    try:
        item, collection, _ = _KINDS[name]
    except KeyError:
        msg = f"unknown --type {name!r}; choose one of {', '.join(KINDS)}"
        raise UsageError(msg) from None
    if item is QJob:
        if scheduler is not None:
            item = _job_type(scheduler)
        elif not documents_name_it:
            msg = f"{option}{name} needs --scheduler ({', '.join(SCHEDULERS)})"
            raise UsageError(msg)
    elif scheduler is not None:
        msg = f"--scheduler applies to jobs only, not to {option}{name}"
        raise UsageError(msg)
    return Kind(name, item, collection=collection)


def _job_type(scheduler: str) -> Any:
    try:
        states = SUB_STATES[scheduler]
    except KeyError:
        msg = f"unknown --scheduler {scheduler!r}; choose one of {', '.join(SCHEDULERS)}"
        raise UsageError(msg) from None
    job: Any = QJob
    return job[states]
