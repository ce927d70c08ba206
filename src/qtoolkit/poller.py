"""Polling a queue: list it every few seconds, keep the last snapshot, yield what changed.

:class:`Poller` puts the package's parts together: a :class:`~qtoolkit.manager.QueueManager`
lists the queue, :func:`~qtoolkit.core.changes.compare_snapshots` finds what changed since the
last poll, the scheduler's accounting says how each job that left the queue ended, and an
optional :class:`~qtoolkit.eventlog.EventLog` records every change, so that a poller restarted
later carries on from the last snapshot recorded.

For SLURM, whose ``squeue`` prints one line per job, a :class:`LineCache` parses only the lines
that differ from the previous poll's: on a queue of 100,000 jobs where 1% changed, a poll parses
1,000 lines.
"""

from __future__ import annotations

import datetime
import time
from itertools import compress, repeat
from operator import is_
from typing import TYPE_CHECKING, Generic, cast

from qtoolkit.core.changes import JobVanished, SnapshotChanges, compare_snapshots, index_jobs
from qtoolkit.core.data_objects import QJob, SubStateT
from qtoolkit.core.exceptions import CommandFailedError, OutputParsingError, QTKException
from qtoolkit.core.job_fate import FINAL_STATES
from qtoolkit.io.slurm import SlurmIO

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterator

    from qtoolkit.eventlog import EventLog
    from qtoolkit.manager import QueueManager

__all__ = ["LineCache", "Poller"]


class LineCache(Generic[SubStateT]):
    """Parses a one-line-per-job listing, reusing the jobs of lines seen in the previous one.

    ``parse`` turns a listing's text into its jobs, one per line. A line identical to one of the
    previous listing is the same job in the same state, so its job is reused (the same object);
    only the other lines are parsed, in one call. When ``parse`` does not return one job per line
    it was given (a line that is not a job), those lines are parsed one by one.

    After each :meth:`parse`, :attr:`fresh` holds the jobs of the lines the previous listing did
    not have and :attr:`stale` those of its lines this one does not have: every other job is the
    same object as in the previous listing, so only these can differ from it.

    The jobs returned are shared between polls: treat them as read-only.
    """

    def __init__(self, parse: Callable[[str], list[QJob[SubStateT]]]) -> None:
        self._parse = parse
        self._jobs: dict[str, QJob[SubStateT] | None] = {}
        self._primed = False
        self.fresh: list[QJob[SubStateT]] = []
        """The jobs of the lines that are new in the last listing parsed."""
        self.stale: list[QJob[SubStateT]] = []
        """The jobs of the lines of the listing before that are gone from the last one."""
        self.incremental: bool = False
        """Whether the last listing was compared with a previous one (False for the first)."""

    def parse(self, text: str) -> list[QJob[SubStateT]]:
        """The jobs of ``text``, in its order."""
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        # Lookups, filters and set differences in C: no Python runs per unchanged line. Each line
        # found is taken out of the previous listing, which is left with the lines now gone.
        previous = self._jobs
        jobs: list[QJob[SubStateT] | None] = list(map(previous.pop, lines, repeat(None)))
        missing = list(compress(range(len(jobs)), map(is_, jobs, repeat(None))))
        fresh: list[QJob[SubStateT]] = []
        if missing:
            parsed = self._parse_lines(list(map(lines.__getitem__, missing)))
            for index, job in zip(missing, parsed, strict=True):
                jobs[index] = job
            fresh = [job for job in parsed if job is not None]
        current = dict(zip(lines, jobs, strict=True))
        self.stale = [job for job in previous.values() if job is not None]
        self.fresh = fresh
        self.incremental = self._primed
        self._jobs = current
        self._primed = True
        if None in jobs:
            return [job for job in jobs if job is not None]
        return cast("list[QJob[SubStateT]]", jobs)

    def _parse_lines(self, lines: list[str]) -> list[QJob[SubStateT] | None]:
        together = self._parse("\n".join(lines) + "\n")
        if len(together) == len(lines):
            return list(together)
        one_by_one: list[QJob[SubStateT] | None] = []
        for line in lines:
            jobs = self._parse(line + "\n")
            one_by_one.append(jobs[0] if len(jobs) == 1 else None)
        return one_by_one

    def clear(self) -> None:
        """Forget the previous listing: the next one is parsed whole."""
        self._jobs = {}
        self._primed = False


class Poller(Generic[SubStateT]):
    """Lists a queue on demand or every ``interval`` seconds, and says what changed each time.

    ``Poller(QueueManager(SlurmIO()))`` is a ``Poller[SlurmState]``. Each :meth:`poll` lists the
    queue (the jobs of ``user``, or all), compares it with the last snapshot and returns the
    changes. A job that left the queue is reported once the accounting knows how it ended (its
    record is the :attr:`~qtoolkit.core.changes.JobVanished.final` of the change), or after
    ``final_polls`` polls without an answer (``final`` then None). Without accounting (the shell,
    PBS) it is reported at once.

    ``ignore`` names the fields whose changes alone are not reported: by default ``runtime``,
    which grows on every poll of a running job. With ``log``, every change is appended to that
    event log, and the first snapshot is the one the log recorded last.
    """

    def __init__(
        self,
        manager: QueueManager[SubStateT],
        *,
        user: str | None = None,
        ignore: Collection[str] = ("runtime",),
        log: EventLog[SubStateT] | None = None,
        final_polls: int = 3,
    ) -> None:
        self.manager = manager
        self.user = user
        self.ignore: tuple[str, ...] = tuple(ignore)
        self.log = log
        self.final_polls = final_polls
        self.jobs: dict[str, QJob[SubStateT]] = dict(log.jobs) if log is not None else {}
        """The last snapshot, by job id, as the changes reported so far leave it."""
        self.polls: int = 0
        """How many polls ran (and succeeded)."""
        self.last_poll: datetime.datetime | None = None
        """When the last poll that succeeded ran (UTC)."""
        self._waiting: dict[str, int] = {}
        self._cache: LineCache[SubStateT] | None = None
        if isinstance(manager.scheduler_io, SlurmIO):
            self._cache = LineCache(self._parse_listing)

    def _parse_listing(self, text: str) -> list[QJob[SubStateT]]:
        return self.manager.scheduler_io.parse_jobs_list_output(exit_code=0, stdout=text, stderr="")

    def list_queue(self) -> list[QJob[SubStateT]]:
        """The jobs in the queue now (of :attr:`user`, or all)."""
        if self._cache is None:
            return self.manager.get_jobs_list(user=self.user)
        command = self.manager.scheduler_io.get_jobs_list_cmd(None, self.user)
        stdout, stderr, exit_code = self.manager.execute_cmd(command)
        # A failed or erring listing raises as the scheduler's parser says; it is never cached.
        self.manager.scheduler_io.parse_jobs_list_output(
            exit_code=exit_code, stdout="", stderr=stderr
        )
        return self._cache.parse(stdout)

    def poll(self, at: datetime.datetime | None = None) -> SnapshotChanges[SubStateT]:
        """List the queue once; return (and log) what changed since the last snapshot."""
        at = at or datetime.datetime.now(datetime.timezone.utc)
        listed = self.list_queue()
        try:
            changes = self._compare(listed)
            if changes.vanished:
                changes.vanished = self._settle(changes.vanished)
            if self.log is not None:
                self.log.record(changes, jobs=len(listed), at=at)
        except BaseException:
            if self._cache is not None:
                self._cache.clear()  # its listing is not the snapshot's any more
            raise
        for change in changes:
            if isinstance(change, JobVanished):
                del self.jobs[change.job_id]
            else:
                self.jobs[change.job_id] = change.job
        self.polls += 1
        self.last_poll = at
        return changes

    def _compare(self, listed: list[QJob[SubStateT]]) -> SnapshotChanges[SubStateT]:
        cache = self._cache
        if cache is None or not cache.incremental or not self.polls:
            return compare_snapshots(self.jobs, index_jobs(listed), ignore=self.ignore)
        fresh_ids = [job.job_id for job in cache.fresh]
        stale_ids = {job.job_id for job in cache.stale}
        jobs = self.jobs
        # The previous listing had each id once: a new line can only repeat the id of another new
        # line, or of a job whose line is still there (known, and neither gone nor waiting).
        if len(set(fresh_ids)) != len(fresh_ids) or any(
            job_id in jobs and job_id not in stale_ids and job_id not in self._waiting
            for job_id in fresh_ids
        ):
            index_jobs(listed)  # raises, naming the job listed twice or without an id
        # Only the jobs of new or gone lines can differ from the snapshot (beyond ignored
        # fields), and the jobs that left the queue but wait for the accounting.
        candidates = {*fresh_ids, *stale_ids, *self._waiting}
        before = {job_id: jobs[job_id] for job_id in candidates if job_id in jobs}
        return compare_snapshots(before, index_jobs(cache.fresh), ignore=self.ignore)

    def _settle(self, vanished: list[JobVanished[SubStateT]]) -> list[JobVanished[SubStateT]]:
        """The vanished jobs to report now, each with its final record when the accounting has it.

        A job the accounting does not know as ended yet stays in the snapshot, and is asked about
        again at the next poll, up to :attr:`final_polls` polls.
        """
        if self.manager.accounting is None:
            return vanished
        try:
            answer = self.manager.get_finished_jobs([change.job_id for change in vanished])
        except CommandFailedError:
            answer = []  # the accounting could not be asked this time: ask again next poll
        records = {job.job_id: job for job in answer}
        settled: list[JobVanished[SubStateT]] = []
        for change in vanished:
            record = records.get(change.job_id)
            if record is not None and record.state in FINAL_STATES:
                change.final = record
            else:
                asked = self._waiting.get(change.job_id, 0) + 1
                if asked < self.final_polls:
                    self._waiting[change.job_id] = asked
                    continue
            self._waiting.pop(change.job_id, None)
            settled.append(change)
        return settled

    def watch(
        self,
        interval: float,
        *,
        polls: int | None = None,
        first_now: bool = True,
        on_error: Callable[[QTKException], object] | None = None,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> Iterator[SnapshotChanges[SubStateT]]:
        """Poll every ``interval`` seconds (``polls`` times, or until stopped); yield each result.

        Polls start ``interval`` seconds apart however long each takes; one that takes longer
        than that is followed by the next at once. ``first_now=False`` waits an interval before
        the first. With ``on_error``, a poll that fails (the scheduler's command fails, or prints
        what cannot be read) is passed to it and counts as done; without, its error is raised.
        """
        if interval <= 0:
            msg = f"interval must be positive, not {interval}"
            raise ValueError(msg)
        done = 0
        next_start = clock() + (0 if first_now else interval)
        while polls is None or done < polls:
            delay = next_start - clock()
            if delay > 0:
                sleep(delay)
            else:
                next_start = clock()
            next_start += interval
            done += 1
            try:
                changes = self.poll()
            except (CommandFailedError, OutputParsingError) as exc:
                if on_error is None:
                    raise
                on_error(exc)
                continue
            yield changes
