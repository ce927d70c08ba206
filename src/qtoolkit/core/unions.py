"""Types that travel together on the wire: result streams and job snapshots."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtoolkit.core.data_objects import (
    CancelResult,
    OperationResult,
    QJob,
    SubmissionResult,
    SubStateT,
)

if TYPE_CHECKING:
    from typing import TypeAlias

__all__ = ["AnyResult", "Snapshot"]

AnyResult: TypeAlias = SubmissionResult | CancelResult | OperationResult
"""Any operation result. Results are tagged (``"type": "SubmissionResult"``), so decoding
``list[AnyResult]`` gives each entry of a mixed stream the class its tag names."""

Snapshot: TypeAlias = list[QJob[SubStateT]]
"""The jobs one poll of a queue sees: ``Snapshot[SlurmState]`` is ``list[QJob[SlurmState]]``."""
