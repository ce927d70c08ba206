"""An append-only NDJSON log of a queue's changes, which a poller resumes after a restart.

The log's first line names the scheduler; each poll that saw changes then appends one
:class:`Polled` line followed by one line per change (``JobAppeared``, ``JobChanged``,
``JobVanished``, each holding the whole job). Replaying the lines rebuilds the last snapshot the
log recorded, so a restarted poller compares its first poll with what was recorded before and
logs each transition exactly once.

A crash can only tear the last poll: each poll is appended at the end of the file, and a
:class:`Polled` line counts the change lines that follow it. A write that fails part-way (a full
disk) is undone at once by cutting the file back to where the poll started, so a log stays whole
while its writer runs. A poll with fewer lines than its count, at the end of the file, is one a
crash interrupted: opening the log for writing cuts it off (with any torn line after the last
newline) before appending; :func:`read_event_log` skips it. Anything else that does not add up
(a line that does not decode, a poll short of lines before the last) is damage no crash of this
writer causes, and an :class:`EventLogError` names its line. Only one process writes a log at a
time (an exclusive ``flock``, so POSIX only).

A log only grows; :meth:`EventLog.rotate` (or ``max_bytes``) keeps it bounded: the log is kept
under a numbered name (``events.ndjson.1``, ``.2``...) and a new one starts with a
:class:`Checkpoint` of the snapshot, so opening it replays one snapshot and the polls since.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import warnings
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from qtoolkit._eventlog_files import (
    last_kept,
    lock,
    read_all,
    rotating_name,
    sync_directory,
    undo_interrupted_rotation,
)
from qtoolkit._eventlog_lines import (
    FORMAT_VERSION,
    Checkpoint,
    EventLogClosedError,
    EventLogError,
    EventLogStarted,
    LogRecord,
    Polled,
    line_start,
    records_of,
    scheduler_name,
    whole_polls,
)
from qtoolkit.core.changes import JobChange, SnapshotChanges, apply_changes, index_jobs
from qtoolkit.core.codecs import Encoder
from qtoolkit.core.data_objects import QJob, QSubState, SubStateT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    from typing_extensions import Self


S = TypeVar("S", bound=QSubState)

__all__ = [
    "FORMAT_VERSION",
    "Checkpoint",
    "EventLog",
    "EventLogClosedError",
    "EventLogError",
    "EventLogStarted",
    "LogRecord",
    "Polled",
    "read_event_log",
]


@overload
def read_event_log(path: str | os.PathLike[str]) -> Iterator[LogRecord[Any]]: ...


@overload
def read_event_log(
    path: str | os.PathLike[str], states: type[SubStateT]
) -> Iterator[LogRecord[SubStateT]]: ...


def read_event_log(
    path: str | os.PathLike[str], states: type[QSubState] | None = None
) -> Iterator[LogRecord[Any]]:
    """Every record of the log at ``path``, its first line included; a torn last poll is skipped.

    The log is only read, never repaired. ``states``, the sub-state class of a scheduler
    (``SlurmState``), must be the one of the scheduler the log names when given. Raises
    :class:`EventLogError` for a log that is not one, or is damaged before its last poll.
    """
    expected = None if states is None else scheduler_name(states)
    with open(path, "rb") as stream:
        data = stream.read()
    name = os.fspath(path)
    header, records, _ = records_of(data, name, expected)
    if header is not None:
        yield header
        for poll in whole_polls(records, name, []):
            yield from poll


class EventLog(Generic[SubStateT]):
    """A log opened for appending, with the snapshot its records add up to.

    Open one with :meth:`open`; use it as a context manager, or :meth:`close` it.
    """

    def __init__(
        self,
        path: str,
        states: type[SubStateT],
        descriptor: int,
        jobs: dict[str, QJob[SubStateT]],
        last_poll: datetime.datetime | None,
        *,
        torn: int,
        sync: bool,
        max_bytes: int | None = None,
    ) -> None:
        self.path = path
        """Where the log is."""
        self.states = states
        """The sub-state class of the scheduler whose jobs the log holds."""
        self.jobs = jobs
        """The last snapshot recorded, by job id: what a resumed poller compares with."""
        self.last_poll: datetime.datetime | None = last_poll
        """When the last poll with changes was recorded; ``None`` for a new log."""
        self.torn_bytes = torn
        """How many bytes of a torn last poll opening the log cut off (0 after a clean stop)."""
        self.max_bytes = max_bytes
        """Rotate the log (:meth:`rotate`) once a poll leaves it larger than this; None: never."""
        self.kept: list[str] = []
        """The paths previous logs were kept under by :meth:`rotate`, oldest first."""
        self._descriptor: int | None = descriptor
        self._failure: str | None = None
        self._sync = sync
        self._encoder = Encoder()
        self._buffer = bytearray()

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        states: type[S],
        *,
        sync: bool = True,
        max_bytes: int | None = None,
    ) -> EventLog[S]:
        """Open (or create) the log at ``path`` of the jobs of one scheduler, and replay it.

        ``states`` is the scheduler's sub-state class: ``EventLog.open(path, SlurmState)`` is an
        ``EventLog[SlurmState]``; :data:`qtoolkit.io.SUB_STATES` has them by scheduler name.

        A torn last poll is cut off first, and a rotation a crash interrupted is undone. ``sync``
        makes each poll's records durable (``fsync``) before :meth:`record` returns. With
        ``max_bytes``, a poll that leaves the log larger rotates it (:meth:`rotate`). Raises
        :class:`EventLogError` when another process has the log open for writing, when it holds
        another scheduler's jobs, or when it is damaged before its last poll.
        """
        if max_bytes is not None and max_bytes < 1:
            msg = f"max_bytes must be a positive number of bytes, got {max_bytes}"
            raise ValueError(msg)
        scheduler = scheduler_name(states)
        name = os.fspath(path)
        descriptor = os.open(name, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        try:
            lock(descriptor, name)
            undo_interrupted_rotation(name)
            log = cls._resume(name, states, scheduler, descriptor, sync=sync, max_bytes=max_bytes)
        except BaseException:
            os.close(descriptor)
            raise
        return log

    @classmethod
    def _resume(
        cls,
        path: str,
        states: type[S],
        scheduler: str,
        descriptor: int,
        *,
        sync: bool,
        max_bytes: int | None,
    ) -> EventLog[S]:
        data = read_all(descriptor)
        header, records, torn = records_of(data, path, scheduler)
        jobs: dict[str, QJob[S]] = {}
        last_poll = None
        tail: list[int] = []
        for poll in whole_polls(records, path, tail):
            last_poll = poll[0].at
            if isinstance(poll[0], Checkpoint):  # decoded with the sub-states of S
                jobs = index_jobs(cast("Checkpoint[S]", poll[0]).jobs)
            else:
                apply_changes(jobs, cast("list[JobChange[S]]", poll[1:]))
        if tail:  # a poll a crash cut short: it goes, with the torn line after it
            complete = len(data) - torn
            torn = len(data) - line_start(data, complete, data.count(b"\n") - tail[0] + 1)
        if torn:
            os.ftruncate(descriptor, len(data) - torn)
        # EventLog[S], not cls: the class's own parameter would default to QSubState here.
        log = EventLog(
            path, states, descriptor, jobs, last_poll, torn=torn, sync=sync, max_bytes=max_bytes
        )
        if header is None:
            log._append([EventLogStarted(scheduler, _now())])
        elif torn and sync:
            os.fsync(descriptor)
        return log

    def record(
        self,
        changes: SnapshotChanges[SubStateT],
        *,
        jobs: int,
        at: datetime.datetime | None = None,
    ) -> None:
        """Append one poll's changes (nothing when there are none) and apply them to :attr:`jobs`.

        ``jobs`` is how many jobs the poll saw; ``at`` when it ran (default: now, UTC).
        """
        if not changes:
            return
        events = changes.events()
        records: list[Any] = [Polled(at or _now(), jobs, len(events)), *events]
        size = self._append(records)
        apply_changes(self.jobs, changes)
        self.last_poll = records[0].at
        if self.max_bytes is not None and size > self.max_bytes:
            try:
                self.rotate()
            except OSError as exc:
                # The poll is recorded: failing here would have a poller record it again. The log
                # goes on as it is, and the next poll tries again.
                msg = f"{self.path}: could not rotate the log, it goes on growing: {exc}"
                warnings.warn(msg, RuntimeWarning, stacklevel=2)

    def rotate(self) -> str:
        """Keep the log under the next numbered name and go on in a new one; that name.

        The log at :attr:`path` becomes ``<path>.<n>`` (one more than the highest number kept),
        and a new log there starts with a :class:`Checkpoint` of :attr:`jobs`, so a reader of
        the new log needs none of the old ones. The switch is one atomic rename: a crash leaves
        either log whole, and opening the log undoes a rotation left half done.
        """
        descriptor = self._open_descriptor()
        current = os.path.abspath(self.path)
        directory, base = os.path.split(current)
        kept = os.path.join(directory, f"{base}.{last_kept(directory, base) + 1}")
        fresh = os.path.join(directory, rotating_name(base))
        with contextlib.suppress(FileNotFoundError):
            os.unlink(fresh)  # left by a crash: the lock says no one else is rotating
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC
        new = os.open(fresh, flags, 0o644)
        linked = False
        try:
            lock(new, fresh)
            scheduler = scheduler_name(self.states)
            at = self.last_poll or _now()
            start = [
                EventLogStarted(scheduler, _now()),
                Checkpoint(at, list(self.jobs.values()), os.path.basename(kept)),
            ]
            self._write(new, start)
            # A link first: until the rename, the log is still whole at its path.
            os.link(current, kept)
            linked = True
            os.replace(fresh, current)
        except BaseException:
            self._buffer = bytearray()  # as in _append: a traceback may hold a view of it
            os.close(new)
            for leftover in (fresh, kept) if linked else (fresh,):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leftover)
            raise
        if self._sync:
            sync_directory(directory)
        self._descriptor = new
        os.close(descriptor)
        self.kept.append(kept)
        return kept

    def _write(self, descriptor: int, records: list[Any]) -> int:
        """Write ``records`` at the end of ``descriptor``'s file, a line each (and sync).

        Returns how many bytes were written.
        """
        buffer = self._buffer
        buffer.clear()
        for record in records:
            self._encoder.encode_into(record, buffer, -1)
            buffer += b"\n"
        view = memoryview(buffer)
        while view:
            written = os.write(descriptor, view)
            view = view[written:]
        if self._sync:
            os.fsync(descriptor)
        return len(buffer)

    def _append(self, records: list[Any]) -> int:
        """Append ``records`` whole, or nothing of them; the log's size after them."""
        descriptor = self._open_descriptor()
        end = os.fstat(descriptor).st_size
        try:
            return end + self._write(descriptor, records)
        except BaseException as exc:
            # The traceback may keep a view of the buffer alive, which would stop its reuse.
            self._buffer = bytearray()
            self._undo(descriptor, end, exc)
            if isinstance(exc, OSError) and exc.filename is None:
                exc.filename = self.path  # which file the disk full was about
            raise

    def _undo(self, descriptor: int, end: int, error: BaseException) -> None:
        """Cut off what a failed append wrote, so the log is as before it; or close the log."""
        try:
            os.ftruncate(descriptor, end)
            os.fsync(descriptor)
        except OSError as exc:
            self._failure = (
                f"{self.path}: a write failed ({error}) and cutting its part written off failed "
                f"too ({exc}); the log is closed, its last poll may be partly written (it is cut "
                "off when the log is opened again)"
            )
            with contextlib.suppress(OSError):
                self.close()
            raise EventLogClosedError(self._failure) from error

    def _open_descriptor(self) -> int:
        if self._descriptor is None:
            msg = self._failure or f"{self.path}: the log is closed"
            raise EventLogClosedError(msg)
        return self._descriptor

    def close(self) -> None:
        """Release the log (and its lock); closing twice is harmless."""
        if self._descriptor is not None:
            descriptor, self._descriptor = self._descriptor, None
            os.close(descriptor)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._descriptor is None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EventLog({self.path!r}, {len(self.jobs)} jobs)"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)
