"""Ids of the jobs the tests submitted, kept on disk so that a crashed run's jobs get cancelled."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .daemons import wait_until


class JobLedger:
    """Submitted job ids of one scheduler, one per line in ``path``.

    The fixtures cancel every listed job when the session ends and, before starting, whatever a
    crashed run left listed; jobs that nobody here submitted are never touched.
    """

    def __init__(
        self,
        path: Path,
        cancel: Callable[[Sequence[str]], object],
        active: Callable[[Sequence[str]], set[str]],
    ) -> None:
        self.path = path
        self._cancel = cancel
        self._active = active

    def record(self, job_id: str) -> str:
        """Remember ``job_id`` (returned, for chaining) as one to cancel at the end."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            handle.write(f"{job_id}\n")
        return job_id

    def ids(self) -> list[str]:
        """The recorded ids, oldest first, without repeats."""
        try:
            lines = self.path.read_text().split()
        except FileNotFoundError:
            return []
        return list(dict.fromkeys(lines))

    def cancel_all(self) -> None:
        """Cancel every recorded job, wait until none is left in the queue, forget them.

        Cancelling a running job only asks the node to kill it: stopping the daemons before the
        job has gone would leave its processes behind. Finished ids are harmless.
        """
        ids = self.ids()
        if ids:
            self._cancel(ids)
            wait_until(
                lambda: not self._active(ids),
                what="the cancelled jobs to leave the queue",
                detail=lambda: ", ".join(sorted(self._active(ids))),
            )
        self.path.unlink(missing_ok=True)
