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
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from qtoolkit._eventlog_lines import (
    FORMAT_VERSION,
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
from qtoolkit.core.changes import JobChange, SnapshotChanges, apply_changes
from qtoolkit.core.codecs import Encoder
from qtoolkit.core.data_objects import QJob, QSubState, SubStateT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    from typing_extensions import Self


S = TypeVar("S", bound=QSubState)

__all__ = [
    "FORMAT_VERSION",
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
        self._descriptor: int | None = descriptor
        self._failure: str | None = None
        self._sync = sync
        self._encoder = Encoder()
        self._buffer = bytearray()

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], states: type[S], *, sync: bool = True
    ) -> EventLog[S]:
        """Open (or create) the log at ``path`` of the jobs of one scheduler, and replay it.

        ``states`` is the scheduler's sub-state class: ``EventLog.open(path, SlurmState)`` is an
        ``EventLog[SlurmState]``; :data:`qtoolkit.io.SUB_STATES` has them by scheduler name.

        A torn last poll is cut off first. ``sync`` makes each poll's records durable
        (``fsync``) before :meth:`record` returns. Raises :class:`EventLogError` when another
        process has the log open for writing, when it holds another scheduler's jobs, or when
        it is damaged before its last poll.
        """
        scheduler = scheduler_name(states)
        name = os.fspath(path)
        descriptor = os.open(name, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        try:
            _lock(descriptor, name)
            log = cls._resume(name, states, scheduler, descriptor, sync=sync)
        except BaseException:
            os.close(descriptor)
            raise
        return log

    @classmethod
    def _resume(
        cls, path: str, states: type[S], scheduler: str, descriptor: int, *, sync: bool
    ) -> EventLog[S]:
        data = _read_all(descriptor)
        header, records, torn = records_of(data, path, scheduler)
        jobs: dict[str, QJob[S]] = {}
        last_poll = None
        tail: list[int] = []
        for poll in whole_polls(records, path, tail):
            last_poll = poll[0].at
            # Decoded with the sub-states of S.
            apply_changes(jobs, cast("list[JobChange[S]]", poll[1:]))
        if tail:  # a poll a crash cut short: it goes, with the torn line after it
            complete = len(data) - torn
            torn = len(data) - line_start(data, complete, data.count(b"\n") - tail[0] + 1)
        if torn:
            os.ftruncate(descriptor, len(data) - torn)
        # EventLog[S], not cls: the class's own parameter would default to QSubState here.
        log = EventLog(path, states, descriptor, jobs, last_poll, torn=torn, sync=sync)
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
        self._append(records)
        apply_changes(self.jobs, changes)
        self.last_poll = records[0].at

    def _append(self, records: list[Any]) -> None:
        descriptor = self._open_descriptor()
        buffer = self._buffer
        buffer.clear()
        for record in records:
            self._encoder.encode_into(record, buffer, -1)
            buffer += b"\n"
        end = os.fstat(descriptor).st_size
        try:
            view = memoryview(buffer)
            while view:
                written = os.write(descriptor, view)
                view = view[written:]
            if self._sync:
                os.fsync(descriptor)
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


def _lock(descriptor: int, path: str) -> None:
    """Take the log's writer lock, or say who has it (or that the platform has none)."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only; reading a log needs no lock
    except ModuleNotFoundError:
        msg = f"{path}: writing an event log needs POSIX file locks (fcntl), not on {sys.platform}"
        raise EventLogError(msg) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        msg = f"{path}: another process is writing this log"
        raise EventLogError(msg) from None


def _read_all(descriptor: int) -> bytes:
    """The whole file, read without moving its offset (appends go to the end regardless)."""
    chunks: list[bytes] = []
    offset = 0
    while chunk := os.pread(descriptor, 1 << 24, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)
