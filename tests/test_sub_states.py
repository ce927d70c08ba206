"""Scheduler sub-states: several values per member, their QState mapping and their repr."""

from __future__ import annotations

import pytest

from qtoolkit.core.data_objects import QState, QSubState
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.sge import SGEState
from qtoolkit.io.shell import ShellState
from qtoolkit.io.slurm import SlurmState

SUB_STATES: list[type[QSubState]] = [SlurmState, PBSState, SGEState, ShellState]


def test_a_member_may_carry_several_values() -> None:
    assert SlurmState.PENDING.value == "PENDING"
    assert SlurmState.PENDING.all_values == ("PENDING", "PD")
    assert SlurmState("PENDING") is SlurmState.PENDING
    assert SlurmState("PD") is SlurmState.PENDING
    assert SlurmState["PENDING"] is SlurmState.PENDING


def test_repr_lists_every_value() -> None:
    assert repr(SlurmState.PENDING) == "<SlurmState.PENDING: 'PENDING', 'PD'>"
    assert repr(SlurmState.OUT_OF_MEMORY) == "<SlurmState.OUT_OF_MEMORY: 'OUT_OF_MEMORY', 'OOM'>"
    assert repr(PBSState.QUEUED) == "<PBSState.QUEUED: 'Q'>"
    assert str(SGEState.ERROR_PENDING) == "SGEState.ERROR_PENDING"


def test_aliases_do_not_create_members() -> None:
    assert len(SlurmState) == 23
    assert [m.name for m in SlurmState][:3] == ["BOOT_FAIL", "CANCELLED", "COMPLETING"]


def test_unknown_value_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="'XX' is not a valid SlurmState"):
        SlurmState("XX")
    # Sub-state values belong to their own scheduler only.
    with pytest.raises(ValueError, match="not a valid PBSState"):
        PBSState("PD")


@pytest.mark.parametrize("cls", SUB_STATES, ids=lambda c: c.__name__)
def test_every_member_maps_to_a_qstate(cls: type[QSubState]) -> None:
    for member in cls:
        assert isinstance(member.qstate, QState), member
        for value in member.all_values:
            assert cls(value) is member


@pytest.mark.parametrize("cls", SUB_STATES, ids=lambda c: c.__name__)
def test_values_are_unique_across_members(cls: type[QSubState]) -> None:
    values = [value for member in cls for value in member.all_values]
    assert len(values) == len(set(values))


def test_qstate_is_abstract_on_the_base() -> None:
    qstate = QSubState.__dict__["qstate"]
    assert isinstance(qstate, property)
    assert getattr(qstate.fget, "__isabstractmethod__", False) is True

    class Unmapped(QSubState):
        ONLY = "only"

    with pytest.raises(NotImplementedError):
        _ = Unmapped.ONLY.qstate


def test_a_subclass_may_add_its_own_scheduler() -> None:
    class LsfState(QSubState):
        PEND = "PEND", "PSUSP"
        RUN = "RUN"

        @property
        def qstate(self) -> QState:
            return QState.QUEUED if self is LsfState.PEND else QState.RUNNING

    assert LsfState("PSUSP") is LsfState.PEND
    assert LsfState.RUN.qstate is QState.RUNNING
    assert repr(LsfState.PEND) == "<LsfState.PEND: 'PEND', 'PSUSP'>"


@pytest.mark.parametrize(
    ("member", "qstate"),
    [
        (SlurmState.PENDING, QState.QUEUED),
        (SlurmState.COMPLETED, QState.DONE),
        (SlurmState.TIMEOUT, QState.FAILED),
        (SlurmState.STOPPED, QState.RUNNING),
        (SlurmState.REQUEUE_HOLD, QState.REQUEUED),
        (SlurmState.RESV_DEL_HOLD, QState.QUEUED_HELD),
        (PBSState.HELD, QState.QUEUED_HELD),
        (PBSState.MOVED, QState.REQUEUED),
        (PBSState.EXITING, QState.RUNNING),
        (SGEState.ERROR_PENDING, QState.FAILED),
        (SGEState.DELETION_SUSPENDED_JOB, QState.SUSPENDED),
        (SGEState.HOLD, QState.QUEUED_HELD),
        (ShellState.DEFUNCT, QState.DONE),
        (ShellState.STOPPED_DEBUGGER, QState.SUSPENDED),
    ],
    ids=repr,
)
def test_mapping_choices_documented_in_the_modules(member: QSubState, qstate: QState) -> None:
    assert member.qstate is qstate
