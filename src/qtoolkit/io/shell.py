"""States of plain processes run by the shell "scheduler" (as ``ps`` reports them)."""

from __future__ import annotations

from qtoolkit.core.data_objects import QState, QSubState

__all__ = ["ShellState"]


class ShellState(QSubState):
    """A process state code from the STAT column of ``ps``."""

    UNINTERRUPTIBLE_SLEEP = "D"
    RUNNING = "R"
    INTERRUPTIBLE_SLEEP = "S"
    STOPPED = "T"
    STOPPED_DEBUGGER = "t"
    PAGING = "W"
    DEAD = "X"
    DEFUNCT = "Z"

    @property
    def qstate(self) -> QState:
        """The standardized QState of this process state."""
        return _QSTATE_OF[self]


# Same mapping as upstream qtoolkit 0.1.7, so both packages agree on every job.
_QSTATE_OF: dict[ShellState, QState] = {
    # A sleeping process is still a running job, only waiting for I/O or an event.
    ShellState.UNINTERRUPTIBLE_SLEEP: QState.RUNNING,
    ShellState.RUNNING: QState.RUNNING,
    ShellState.INTERRUPTIBLE_SLEEP: QState.RUNNING,
    ShellState.STOPPED: QState.SUSPENDED,
    ShellState.STOPPED_DEBUGGER: QState.SUSPENDED,
    ShellState.PAGING: QState.RUNNING,
    ShellState.DEAD: QState.DONE,
    # A zombie has exited but its exit status is not known from ps alone, so it cannot be told
    # apart from a failure; upstream reports DONE and so do we.
    ShellState.DEFUNCT: QState.DONE,
}
