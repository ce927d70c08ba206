"""Job states of PBS Pro and Torque/OpenPBS."""

from __future__ import annotations

from qtoolkit.core.data_objects import QState, QSubState

__all__ = ["PBSState"]


class PBSState(QSubState):
    """A PBS job state, as the one-letter code ``qstat`` prints."""

    ARRAY_RUNNING = "B"
    EXITING = "E"
    FINISHED = "F"
    HELD = "H"
    MOVED = "M"
    QUEUED = "Q"
    RUNNING = "R"
    SUSPENDED = "S"
    TRANSITING = "T"
    SUSPENDED_KEYBOARD = "U"
    WAITING = "W"
    ARRAY_FINISHED = "X"

    @property
    def qstate(self) -> QState:
        """The standardized QState of this PBS state."""
        return _QSTATE_OF[self]


# Same mapping as upstream qtoolkit 0.1.7, so both packages agree on every job.
_QSTATE_OF: dict[PBSState, QState] = {
    PBSState.ARRAY_RUNNING: QState.RUNNING,
    # E: the job is exiting after having run; it still holds its nodes.
    PBSState.EXITING: QState.RUNNING,
    PBSState.FINISHED: QState.DONE,
    PBSState.HELD: QState.QUEUED_HELD,
    # M (moved to another server) and T (being moved to a new location) are queued elsewhere rather
    # than re-queued by the scheduler; upstream reports REQUEUED for both and so do we.
    PBSState.MOVED: QState.REQUEUED,
    PBSState.QUEUED: QState.QUEUED,
    PBSState.RUNNING: QState.RUNNING,
    PBSState.SUSPENDED: QState.SUSPENDED,
    PBSState.TRANSITING: QState.REQUEUED,
    PBSState.SUSPENDED_KEYBOARD: QState.SUSPENDED,
    # W: waiting for its requested execution time or for stage-in.
    PBSState.WAITING: QState.QUEUED,
    # X: a finished subjob of an array; its exit status is not known here, so DONE like F.
    PBSState.ARRAY_FINISHED: QState.DONE,
}
