"""Process placement: how a job's processes are laid out on nodes, and the counts it implies."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import msgspec

from qtoolkit.core.base import QTKEnum
from qtoolkit.core.exceptions import UnsupportedResourcesError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "InvalidPlacementError",
    "ProcessPlacement",
    "as_placement",
    "distribute",
    "explain_placement_error",
]


class ProcessPlacement(QTKEnum):
    """How the processes of a job are placed on the nodes.

    A member's value in any letter case names it, as in "same_node" from a YAML configuration,
    wherever a placement is read (decoders included); other values are refused.
    """

    # MSON documents name a class by its module, and upstream's documents (and so the ones this
    # package writes and reads) say the placement lives in data_objects, which still exports it.
    __module__ = "qtoolkit.core.data_objects"

    NO_CONSTRAINTS = "NO_CONSTRAINTS"
    SCATTERED = "SCATTERED"
    SAME_NODE = "SAME_NODE"
    EVENLY_DISTRIBUTED = "EVENLY_DISTRIBUTED"

    @classmethod
    def _missing_(cls, value: object) -> ProcessPlacement:
        # Enum, and msgspec's decoders, ask here for a value that is not exactly a member's. The
        # error is an UnsupportedResourcesError (a ValueError) naming the value and valid ones.
        if isinstance(value, str) and value.isascii():
            for member in cls:
                if member.value == value.upper():
                    return member
        raise UnsupportedResourcesError(_refusal(repr(value)))


def _refusal(value: str) -> str:
    valid = ", ".join(member.value for member in ProcessPlacement)
    return f"process_placement {value} is not one of {valid} (in any letter case)"


class InvalidPlacementError(msgspec.ValidationError, UnsupportedResourcesError):
    """A decoder's error for a ``process_placement`` that names no member.

    A ``msgspec.ValidationError`` naming the path, as decoders raise, and an
    :class:`UnsupportedResourcesError` naming the valid values, as construction raises.
    """


# msgspec reports the error of ProcessPlacement._missing_ as its own, without the valid values.
_INVALID_PLACEMENT = re.compile(r"Invalid enum value (.+) - at `([^`]*\.process_placement)`")


def explain_placement_error(error: msgspec.ValidationError) -> msgspec.ValidationError:
    """``error``, or for a placement no member names the error naming the valid values."""
    match = _INVALID_PLACEMENT.fullmatch(str(error))
    if match is None:
        return error
    return InvalidPlacementError(f"{_refusal(match[1])} - at `{match[2]}`")


def as_placement(value: object) -> ProcessPlacement | None:
    """``value`` as a placement: the member a value names, or the error naming valid ones."""
    if value is None or isinstance(value, ProcessPlacement):
        return value
    return ProcessPlacement(value)


def distribute(
    placement: ProcessPlacement, nodes: int | None, processes: int | None, per_node: int | None
) -> list[int | None]:
    """``[nodes, processes, processes_per_node]`` as ``placement`` implies them.

    Values the placement fixes are filled in; values it leaves open stay as they are. Counts that
    contradict the placement raise :class:`~qtoolkit.core.exceptions.UnsupportedResourcesError`.
    """
    return _DISTRIBUTE[placement](nodes, processes, per_node)


def _scattered(nodes: int | None, processes: int | None, per_node: int | None) -> list[int | None]:
    if nodes is None:
        nodes = processes
    elif processes is None:
        processes = nodes
    elif nodes != processes:
        msg = f"SCATTERED placement needs nodes == processes, got {nodes} and {processes}"
        raise UnsupportedResourcesError(msg)
    if not nodes and not processes:
        nodes = processes = 1
    if per_node not in (None, 1):
        msg = f"SCATTERED placement runs 1 process per node, not {per_node}"
        raise UnsupportedResourcesError(msg)
    return [nodes, processes, 1]


def _same_node(nodes: int | None, processes: int | None, per_node: int | None) -> list[int | None]:
    if nodes not in (None, 1):
        msg = f"SAME_NODE placement runs on 1 node, not {nodes}"
        raise UnsupportedResourcesError(msg)
    if processes is None:
        processes = per_node
    elif per_node is None:
        per_node = processes
    elif per_node != processes:
        msg = (
            "SAME_NODE placement needs processes == processes_per_node, "
            f"got {processes} and {per_node}"
        )
        raise UnsupportedResourcesError(msg)
    if not per_node and not processes:
        per_node = processes = 1
    return [1, processes, per_node]


def _evenly_distributed(
    nodes: int | None, processes: int | None, per_node: int | None
) -> list[int | None]:
    if processes:
        msg = "EVENLY_DISTRIBUTED placement takes nodes and processes_per_node, not processes"
        raise UnsupportedResourcesError(msg)
    return [1 if nodes is None else nodes, processes, per_node or 1]


def _no_constraints(
    nodes: int | None, processes: int | None, per_node: int | None
) -> list[int | None]:
    if per_node or nodes:
        msg = "NO_CONSTRAINTS placement takes processes, not nodes or processes_per_node"
        raise UnsupportedResourcesError(msg)
    return [nodes, processes or 1, per_node]


# How each placement fills in or rejects [nodes, processes, processes_per_node].
_DISTRIBUTE: dict[
    ProcessPlacement, Callable[[int | None, int | None, int | None], list[int | None]]
] = {
    ProcessPlacement.SCATTERED: _scattered,
    ProcessPlacement.SAME_NODE: _same_node,
    ProcessPlacement.EVENLY_DISTRIBUTED: _evenly_distributed,
    ProcessPlacement.NO_CONSTRAINTS: _no_constraints,
}
