"""Scheduler IO: submission scripts, commands and output parsing, one module per scheduler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtoolkit.io.base import BaseSchedulerIO, QTemplate
from qtoolkit.io.pbs import PBSIO, PBSState
from qtoolkit.io.sge import SGEIO, SGEState
from qtoolkit.io.shell import ShellIO, ShellState
from qtoolkit.io.slurm import SlurmIO, SlurmState

if TYPE_CHECKING:
    from collections.abc import Mapping

    from qtoolkit.core.data_objects import QSubState

__all__ = [
    "PBSIO",
    "SGEIO",
    "SUB_STATES",
    "BaseSchedulerIO",
    "PBSState",
    "QTemplate",
    "SGEState",
    "ShellIO",
    "ShellState",
    "SlurmIO",
    "SlurmState",
    "scheduler_mapping",
]

scheduler_mapping: dict[str, type[BaseSchedulerIO[Any]]] = {
    "slurm": SlurmIO,
    "pbs": PBSIO,
    "sge": SGEIO,
    "shell": ShellIO,
}
"""The IO class of each scheduler, by the name jobflow-remote's ``scheduler_type`` uses."""

SUB_STATES: Mapping[str, type[QSubState]] = {
    "slurm": SlurmState,
    "pbs": PBSState,
    "sge": SGEState,
    "shell": ShellState,
}
"""The sub-state enum of each scheduler this package knows, by scheduler name."""
