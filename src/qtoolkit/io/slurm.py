"""Job states of the SLURM workload manager."""

from __future__ import annotations

from qtoolkit.core.data_objects import QState, QSubState

__all__ = ["SlurmState"]


class SlurmState(QSubState):
    """A SLURM job state: its long name, then the compact code ``squeue`` prints (``PD``...)."""

    BOOT_FAIL = "BOOT_FAIL", "BF"
    CANCELLED = "CANCELLED", "CA"
    COMPLETING = "COMPLETING", "CG"
    COMPLETED = "COMPLETED", "CD"
    CONFIGURING = "CONFIGURING", "CF"
    DEADLINE = "DEADLINE", "DL"
    FAILED = "FAILED", "F"
    NODE_FAIL = "NODE_FAIL", "NF"
    OUT_OF_MEMORY = "OUT_OF_MEMORY", "OOM"
    PENDING = "PENDING", "PD"
    PREEMPTED = "PREEMPTED", "PR"
    RESV_DEL_HOLD = "RESV_DEL_HOLD", "RD"
    REQUEUE_FED = "REQUEUE_FED", "RF"
    REQUEUE_HOLD = "REQUEUE_HOLD", "RH"
    RESIZING = "RESIZING", "RS"
    REVOKED = "REVOKED", "RV"
    RUNNING = "RUNNING", "R"
    SIGNALING = "SIGNALING", "SI"
    SPECIAL_EXIT = "SPECIAL_EXIT", "SE"
    STAGE_OUT = "STAGE_OUT", "SO"
    STOPPED = "STOPPED", "ST"
    SUSPENDED = "SUSPENDED", "S"
    TIMEOUT = "TIMEOUT", "TO"

    @property
    def qstate(self) -> QState:
        """The standardized QState of this SLURM state."""
        return _QSTATE_OF[self]


# Same mapping as upstream qtoolkit 0.1.7, so both packages agree on every job.
_QSTATE_OF: dict[SlurmState, QState] = {
    SlurmState.BOOT_FAIL: QState.FAILED,
    SlurmState.CANCELLED: QState.FAILED,
    SlurmState.COMPLETING: QState.RUNNING,
    SlurmState.COMPLETED: QState.DONE,
    SlurmState.CONFIGURING: QState.QUEUED,
    SlurmState.DEADLINE: QState.FAILED,
    SlurmState.FAILED: QState.FAILED,
    SlurmState.NODE_FAIL: QState.FAILED,
    SlurmState.OUT_OF_MEMORY: QState.FAILED,
    SlurmState.PENDING: QState.QUEUED,
    # SLURM's manual: "terminated due to preemption"; the job does not come back by itself.
    SlurmState.PREEMPTED: QState.FAILED,
    SlurmState.RESV_DEL_HOLD: QState.QUEUED_HELD,
    # REQUEUE_FED ("requeued due to a federated sibling job") and REQUEUE_HOLD ("held job is being
    # requeued") could also read as QUEUED or REQUEUED_HELD; upstream chose REQUEUED for both.
    SlurmState.REQUEUE_FED: QState.REQUEUED,
    SlurmState.REQUEUE_HOLD: QState.REQUEUED,
    SlurmState.RESIZING: QState.RUNNING,
    SlurmState.REVOKED: QState.FAILED,
    SlurmState.RUNNING: QState.RUNNING,
    SlurmState.SIGNALING: QState.RUNNING,
    SlurmState.SPECIAL_EXIT: QState.FAILED,
    SlurmState.STAGE_OUT: QState.RUNNING,
    # A SIGSTOPped job keeps its allocation (SLURM's manual: "CPUs have been retained"), which
    # DRMAA's SUSPENDED would also fit; upstream counts it as RUNNING and so do we.
    SlurmState.STOPPED: QState.RUNNING,
    SlurmState.SUSPENDED: QState.SUSPENDED,
    SlurmState.TIMEOUT: QState.FAILED,
}
