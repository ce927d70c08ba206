"""The peers: each encodes and decodes the same snapshot with its own model of a job.

A peer module has a ``cases(jobs)`` function that builds its objects from the snapshot (outside
any timing) and returns one :class:`~benchmarks.peers.base.Case` per wire format. The peers of one
group are timed in alternation, call by call, so drift on a shared machine hits them alike; each
group is measured alone, so one peer's live objects never weigh on another's garbage collections.
Upstream qtoolkit runs in a process of its own (:mod:`benchmarks.peers.upstream`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.peers.base import Builder

__all__ = ["GROUPS", "load"]

GROUPS: tuple[tuple[str, ...], ...] = (
    ("this_project", "msgspec_naive"),
    ("pydantic_v2",),
    ("orjson_dataclasses",),
)
"""Module names under ``benchmarks.peers``, by timing group."""


def load(module: str) -> Builder:
    """The ``cases`` function of a peer module; ImportError when the peer's library is missing."""
    builder: Builder = importlib.import_module(f"benchmarks.peers.{module}").cases
    return builder
