"""What a file holds: the ``--type`` and ``--scheduler`` of the ``qtk`` commands."""

from __future__ import annotations

from dataclasses import dataclass
from types import GenericAlias
from typing import Any

from qtoolkit.core.data_objects import QJob, QResources
from qtoolkit.core.unions import AnyResult
from qtoolkit.io import SUB_STATES

__all__ = ["KINDS", "SCHEDULERS", "InvalidDataError", "Kind", "UsageError", "resolve_kind"]

KINDS = ("jobs", "job", "resources", "results")
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


def resolve_kind(name: str, scheduler: str | None, *, documents_name_it: bool = False) -> Kind:
    """The Kind for ``--type name --scheduler scheduler``.

    Jobs need their scheduler to decode sub-states, unless the documents name it (MSON).
    """
    if name in ("jobs", "job"):
        if scheduler is None:
            if not documents_name_it:
                msg = f"--type {name} needs --scheduler ({', '.join(SCHEDULERS)})"
                raise UsageError(msg)
            item: Any = QJob
        else:
            item = _job_type(scheduler)
        return Kind(name, item, collection=name == "jobs")
    if name == "resources":
        return Kind(name, QResources, collection=False)
    if name == "results":
        return Kind(name, AnyResult, collection=True)
    msg = f"unknown --type {name!r}; choose one of {', '.join(KINDS)}"
    raise UsageError(msg)


def _job_type(scheduler: str) -> Any:
    try:
        states = SUB_STATES[scheduler]
    except KeyError:
        msg = f"unknown --scheduler {scheduler!r}; choose one of {', '.join(SCHEDULERS)}"
        raise UsageError(msg) from None
    job: Any = QJob
    return job[states]
