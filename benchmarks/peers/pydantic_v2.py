"""pydantic v2 BaseModels with the same fields, through a ``TypeAdapter(list[Job])``.

The models are the ones ``qtk bench`` compares with (:mod:`qtoolkit.cli._pydantic_peer`): pydantic's
own types throughout, the states as plain ``enum.Enum`` copies of QState's and SlurmState's values,
so the run measures pydantic and nothing of this package.
"""

from __future__ import annotations

import functools

from benchmarks.peers.base import Case, Snapshot, equal_to
from qtoolkit.cli._pydantic_peer import adapter_and_models

__all__ = ["NAME", "cases"]

NAME = "pydantic v2"


def cases(jobs: Snapshot) -> list[Case]:
    """The snapshot as pydantic models, in JSON."""
    adapter, models = adapter_and_models(jobs)
    return [
        Case(
            peer=NAME,
            format="json",
            encode=functools.partial(adapter.dump_json, models),
            decode=adapter.validate_json,
            same=equal_to(models),
            slow_decode=True,
        )
    ]
