"""The live table ``qtk watch`` draws on a terminal (needs rich, the ``cli`` extra).

Above the table, the poll and the count of jobs per state; in it, the jobs that changed most
recently first; below it, the last changes as lines.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from qtoolkit.cli._watch_lines import change_line, job_state, runtime_text
from qtoolkit.core.changes import JobVanished

if TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping

    from qtoolkit.core.changes import SnapshotChanges
    from qtoolkit.core.data_objects import QJob

__all__ = ["LiveView"]


class LiveView:
    """What the live table shows, kept up to date poll after poll."""

    def __init__(self, title: str, rows: int = 20, events: int = 8) -> None:
        self.title = title
        self.rows = rows
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._events: deque[str] = deque(maxlen=events)
        self._jobs: Mapping[str, QJob[Any]] = {}
        self._status = "waiting for the first poll"

    def update(
        self,
        jobs: Mapping[str, QJob[Any]],
        changes: SnapshotChanges[Any],
        at: datetime.datetime,
        polls: int,
    ) -> None:
        """Take in one poll: the queue as it is now and what changed."""
        self._jobs = jobs
        for change in changes:
            self._events.append(change_line(change, at))
            if isinstance(change, JobVanished):
                self._recent.pop(change.job_id, None)
            else:
                self._recent[change.job_id] = None
                self._recent.move_to_end(change.job_id, last=False)
        while len(self._recent) > self.rows:
            self._recent.popitem()
        clock = at.astimezone().strftime("%H:%M:%S")
        self._status = f"poll {polls} at {clock}, {len(changes)} changes"

    def renderable(self) -> Group:
        """The title, the counts, the table and the last changes."""
        counts = Counter(
            job.state.value if job.state is not None else "?" for job in self._jobs.values()
        )
        summary = ", ".join(f"{count:,} {state}" for state, count in counts.most_common())
        header = Text(f"{self.title} · {self._status}", style="bold")
        totals = Text(f"{len(self._jobs):,} jobs" + (f": {summary}" if summary else ""))
        table = Table(expand=False, show_edge=False, pad_edge=False)
        for column in ("job id", "name", "state", "runtime", "queue", "user"):
            table.add_column(column, justify="right" if column == "runtime" else "left")
        shown = [self._jobs[job_id] for job_id in self._recent if job_id in self._jobs]
        for job in shown[: self.rows]:
            table.add_row(
                job.job_id or "",
                job.name or "",
                job_state(job),
                runtime_text(job.runtime),
                job.queue_name or "",
                job.username or "",
            )
        events = Text("\n".join(self._events) if self._events else "no changes yet", style="dim")
        return Group(header, totals, table, Text("last changes:"), events)
