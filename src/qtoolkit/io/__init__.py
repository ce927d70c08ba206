"""Scheduler-specific job sub-states, one module per queue manager."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtoolkit.io.pbs import PBSState
from qtoolkit.io.sge import SGEState
from qtoolkit.io.shell import ShellState
from qtoolkit.io.slurm import SlurmState

if TYPE_CHECKING:
    from collections.abc import Mapping

    from qtoolkit.core.data_objects import QSubState

__all__ = ["SUB_STATES", "PBSState", "SGEState", "ShellState", "SlurmState"]

SUB_STATES: Mapping[str, type[QSubState]] = {
    "slurm": SlurmState,
    "pbs": PBSState,
    "sge": SGEState,
    "shell": ShellState,
}
"""The sub-state enum of each scheduler this package knows, by scheduler name."""
