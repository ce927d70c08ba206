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

import msgspec

from qtoolkit.core.changes import (
    JobAppeared,
    JobChange,
    JobChanged,
    JobVanished,
    SnapshotChanges,
    apply_changes,
)
from qtoolkit.core.codecs import Decoder, Encoder
from qtoolkit.core.data_objects import QJob, QSubState, SubStateT
from qtoolkit.io import SUB_STATES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

    from typing_extensions import Self


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

FORMAT_VERSION = 1
"""The version of the log's layout its first line records."""

S = TypeVar("S", bound=QSubState)


class EventLogError(Exception):
    """A log that cannot be used: another scheduler's, damaged, or written by another process."""


class EventLogClosedError(EventLogError):
    """A log that was closed, or that a failed write left closed; it takes no more records."""


class EventLogStarted(msgspec.Struct, tag=True, omit_defaults=True, gc=False):
    """The first line of a log: whose jobs it holds."""

    scheduler: str
    """The scheduler's name (``slurm``, ``pbs``, ``sge``, ``shell``): its jobs' sub-states."""

    at: datetime.datetime
    """When the log was created (UTC)."""

    version: int = FORMAT_VERSION
    """The log's layout version."""


class Polled(msgspec.Struct, tag=True, omit_defaults=True, gc=False):
    """One poll that saw changes; the change records that follow it are that poll's."""

    at: datetime.datetime
    """When the poll ran (UTC)."""

    jobs: int
    """How many jobs the poll saw in the queue."""

    changes: int
    """How many change records follow."""


if TYPE_CHECKING:
    from typing import TypeAlias

    LogRecord: TypeAlias = (
        EventLogStarted
        | Polled
        | JobAppeared[SubStateT]
        | JobChanged[SubStateT]
        | JobVanished[SubStateT]
    )
else:
    LogRecord = (
        EventLogStarted
        | Polled
        | JobAppeared[SubStateT]
        | JobChanged[SubStateT]
        | JobVanished[SubStateT]
    )
"""Any line of a log of one scheduler's jobs."""


class _Lines:
    """The complete lines of a log's bytes, and the torn tail after the last newline."""

    __slots__ = ("complete", "torn")

    def __init__(self, data: bytes) -> None:
        end = data.rfind(b"\n") + 1
        self.complete = memoryview(data)[:end]
        self.torn = len(data) - end


def _records(
    data: bytes, path: str, expected: str | None
) -> tuple[EventLogStarted | None, Iterator[tuple[int, Any]], int]:
    """The header, the records after it with their line numbers, and the torn tail's size."""
    lines = _Lines(data)
    complete = bytes(lines.complete)
    if not complete:
        return None, iter(()), lines.torn
    first, _, rest = complete.partition(b"\n")
    try:
        header = msgspec.json.decode(first, type=EventLogStarted)
    except msgspec.DecodeError as exc:
        msg = f"{path}: line 1 is not an event log's first line: {exc}"
        raise EventLogError(msg) from None
    if header.scheduler not in SUB_STATES:
        msg = f"{path}: line 1 names an unknown scheduler {header.scheduler!r}"
        raise EventLogError(msg)
    if header.version != FORMAT_VERSION:
        msg = f"{path}: log format version {header.version}, this package reads {FORMAT_VERSION}"
        raise EventLogError(msg)
    if expected is not None and header.scheduler != expected:
        msg = f"{path}: the log holds {header.scheduler} jobs, not {expected} jobs"
        raise EventLogError(msg)
    record_type: Any = LogRecord
    return header, _decode_lines(record_type[SUB_STATES[header.scheduler]], rest, path), lines.torn


def _decode_lines(record_type: Any, data: bytes, path: str) -> Iterator[tuple[int, Any]]:
    """The records of ``data`` numbered from line 2: all in one call, or line by line.

    Line by line when a line does not decode (to name it) or when there are blank lines (which
    one call skips, losing the numbers).
    """
    try:
        records = msgspec.json.Decoder(record_type).decode_lines(data)
    except (msgspec.DecodeError, UnicodeError, RecursionError):
        return _decode_line_by_line(Decoder(record_type), data, path)
    if len(records) != data.count(b"\n"):
        return _decode_line_by_line(Decoder(record_type), data, path)
    return enumerate(records, start=2)


def _decode_line_by_line(
    decoder: Decoder[Any], data: bytes, path: str
) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(data.split(b"\n")[:-1], start=2):
        if not line.strip():
            continue
        try:
            yield number, decoder.decode(line)
        except msgspec.DecodeError as exc:
            msg = f"{path}: line {number} is damaged: {exc}"
            raise EventLogError(msg) from None


def _polls(records: Iterator[tuple[int, Any]], path: str, tail: list[int]) -> Iterator[list[Any]]:
    """Each whole poll's records (its :class:`Polled` first), checked against its count.

    A poll with fewer records than its count is damage unless it is the last: a crash cut that
    one short, and it is not yielded; its line number is put in ``tail``.
    """
    poll: list[Any] = []
    line = 0
    for number, record in records:
        if isinstance(record, Polled):
            if poll:
                _short_poll(path, line, poll)
            if record.changes < 1:
                msg = f"{path}: line {number} is damaged: a poll of {record.changes} changes"
                raise EventLogError(msg)
            poll = [record]
            line = number
        elif isinstance(record, EventLogStarted):
            msg = f"{path}: line {number} is damaged: a first line in the middle of the log"
            raise EventLogError(msg)
        elif poll:
            poll.append(record)
            if len(poll) > poll[0].changes:
                yield poll
                poll = []
        else:
            msg = f"{path}: line {number} is damaged: a change that no poll line counts"
            raise EventLogError(msg)
    if poll:
        tail.append(line)


def _short_poll(path: str, line: int, poll: list[Any]) -> None:
    count = poll[0].changes
    msg = f"{path}: line {line} is damaged: it counts {count} changes but {len(poll) - 1} follow it"
    raise EventLogError(msg)


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
    expected = None if states is None else _scheduler_name(states)
    with open(path, "rb") as stream:
        data = stream.read()
    name = os.fspath(path)
    header, records, _ = _records(data, name, expected)
    if header is not None:
        yield header
        for poll in _polls(records, name, []):
            yield from poll


def _scheduler_name(states: type[QSubState]) -> str:
    for name, known in SUB_STATES.items():
        if known is states:
            return name
    msg = f"{states!r} is not the sub-state class of a scheduler this package knows"
    raise ValueError(msg)


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
        scheduler = _scheduler_name(states)
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
        header, records, torn = _records(data, path, scheduler)
        jobs: dict[str, QJob[S]] = {}
        last_poll = None
        tail: list[int] = []
        for poll in _polls(records, path, tail):
            last_poll = poll[0].at
            # Decoded with the sub-states of S.
            apply_changes(jobs, cast("list[JobChange[S]]", poll[1:]))
        if tail:  # a poll a crash cut short: it goes, with the torn line after it
            complete = len(data) - torn
            torn = len(data) - _line_start(data, complete, data.count(b"\n") - tail[0] + 1)
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


def _line_start(data: bytes, end: int, lines: int) -> int:
    """Where the line ``lines`` lines before the line start ``end`` of ``data`` starts."""
    for _ in range(lines):
        end = data.rfind(b"\n", 0, end - 1) + 1
    return end


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
