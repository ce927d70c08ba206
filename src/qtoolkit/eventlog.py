"""An append-only NDJSON log of a queue's changes, which a poller resumes after a restart.

The log's first line names the scheduler; each poll that saw changes then appends one
:class:`Polled` line followed by one line per change (``JobAppeared``, ``JobChanged``,
``JobVanished``, each holding the whole job). Replaying the lines rebuilds the last snapshot the
log recorded, so a restarted poller compares its first poll with what was recorded before and
logs each transition exactly once.

A crash can only tear the last line: each poll is appended with ``write`` calls on a descriptor
opened for appending, and lines are complete JSON documents ending in a newline. Opening the log
for writing cuts a torn tail (the bytes after the last newline) off before appending; reading it
with :func:`read_event_log` skips the torn tail. A complete line that does not decode is never
skipped: that is damage no crash of this writer causes, and an :class:`EventLogError` names it.
Only one process writes a log at a time (an exclusive ``flock``).
"""

from __future__ import annotations

import datetime
import fcntl
import os
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
) -> tuple[EventLogStarted | None, Iterator[Any], int]:
    """The header, an iterator of the records after it, and the size of the torn tail."""
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
    decoder: Decoder[Any] = Decoder(record_type[SUB_STATES[header.scheduler]])
    return header, _decode_lines(decoder, rest, path), lines.torn


def _decode_lines(decoder: Decoder[Any], data: bytes, path: str) -> Iterator[Any]:
    for number, line in enumerate(data.split(b"\n")[:-1], start=2):
        if not line.strip():
            continue
        try:
            yield decoder.decode(line)
        except msgspec.DecodeError as exc:
            msg = f"{path}: line {number} is damaged: {exc}"
            raise EventLogError(msg) from None


@overload
def read_event_log(path: str | os.PathLike[str]) -> Iterator[LogRecord[Any]]: ...


@overload
def read_event_log(
    path: str | os.PathLike[str], states: type[SubStateT]
) -> Iterator[LogRecord[SubStateT]]: ...


def read_event_log(
    path: str | os.PathLike[str], states: type[QSubState] | None = None
) -> Iterator[LogRecord[Any]]:
    """Every record of the log at ``path``, its first line included; a torn last line is skipped.

    The log is only read, never repaired. ``states``, the sub-state class of a scheduler
    (``SlurmState``), must be the one of the scheduler the log names when given. Raises
    :class:`EventLogError` for a log that is not one, or has a damaged line.
    """
    expected = None if states is None else _scheduler_name(states)
    with open(path, "rb") as stream:
        data = stream.read()
    header, records, _ = _records(data, os.fspath(path), expected)
    if header is not None:
        yield header
        yield from records


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
        self.last_poll = last_poll
        """When the last poll with changes was recorded; ``None`` for a new log."""
        self.torn_bytes = torn
        """How many bytes of a torn last line opening the log cut off (0 after a clean stop)."""
        self._descriptor: int | None = descriptor
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

        A torn last line is cut off first. ``sync`` makes each poll's records durable
        (``fsync``) before :meth:`record` returns. Raises :class:`EventLogError` when another
        process has the log open for writing, when it holds another scheduler's jobs, or when
        a line before the last is damaged.
        """
        scheduler = _scheduler_name(states)
        name = os.fspath(path)
        descriptor = os.open(name, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                msg = f"{name}: another process is writing this log"
                raise EventLogError(msg) from None
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
        for record in records:
            if isinstance(record, Polled):
                last_poll = record.at
            elif isinstance(record, (JobAppeared, JobChanged, JobVanished)):
                # Decoded with the sub-states of S.
                apply_changes(jobs, (cast("JobChange[S]", record),))
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
        records: list[Any] = [Polled(at or _now(), jobs, len(changes))]
        records += changes.events()
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
        view = memoryview(buffer)
        while view:
            written = os.write(descriptor, view)
            view = view[written:]
        if self._sync:
            os.fsync(descriptor)

    def _open_descriptor(self) -> int:
        if self._descriptor is None:
            msg = f"{self.path}: the log is closed"
            raise EventLogError(msg)
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
