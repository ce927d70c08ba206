"""What ``qtk watch`` says about each change, one line each (and the rows of its live table)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qtoolkit.core.changes import JobAppeared, JobChanged
from qtoolkit.io.clock import clock_text

if TYPE_CHECKING:
    import datetime

    from qtoolkit.core.changes import JobChange
    from qtoolkit.core.data_objects import QJob

__all__ = ["change_line", "job_state", "runtime_text"]


def job_state(job: QJob[Any] | None) -> str:
    """``RUNNING (R)``: the standard state and the scheduler's own, as it prints it."""
    if job is None:
        return "?"
    state = job.state.value if job.state is not None else "?"
    if job.sub_state is None:
        return state
    return f"{state} ({job.sub_state.all_values[-1]})"


def runtime_text(seconds: int | None) -> str:
    """``1-02:03:04`` or ``2:03:04`` or ``3:04``; ``-`` when unknown."""
    return "-" if seconds is None else clock_text(seconds)


def change_line(change: JobChange[Any], at: datetime.datetime) -> str:
    """One line for one change, starting with the time of the poll that saw it."""
    clock = at.astimezone().strftime("%H:%M:%S")
    job = change.job
    name = f"  {job.name}" if job.name else ""
    if isinstance(change, JobAppeared):
        return f"{clock}  appeared  {change.job_id}  {job_state(job)}{name}"
    if isinstance(change, JobChanged):
        before = job_state(_with_state(job, change.previous_state, change.previous_sub_state))
        others = [field for field in change.fields if field not in ("state", "sub_state")]
        detail = f"  [{', '.join(others)}]" if others else ""
        if change.state_changed:
            return f"{clock}  changed   {change.job_id}  {before} -> {job_state(job)}{detail}"
        return f"{clock}  changed   {change.job_id}  {job_state(job)}{detail}"
    final = change.final
    if final is None:
        return f"{clock}  left      {change.job_id}  last seen {job_state(job)}, no final record"
    status = "" if final.exit_status is None else f", exit status {final.exit_status}"
    return f"{clock}  ended     {change.job_id}  {job_state(job)} -> {job_state(final)}{status}"


def _with_state(job: QJob[Any], state: Any, sub_state: Any) -> QJob[Any]:
    return type(job)(state=state, sub_state=sub_state)
