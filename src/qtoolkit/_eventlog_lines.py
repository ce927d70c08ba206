"""The lines of an event log: what each holds, and how a log's lines are read and checked.

Reading keeps whole polls only: a :class:`Polled` line counts the changes after it, so a poll cut
short shows. Cut short at the end of the log, it is the poll a crash interrupted; anywhere else,
it is damage, named by its line. A log that continues a rotated one holds a :class:`Checkpoint` as
its second line. :mod:`qtoolkit.eventlog` writes and replays logs with these.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeAlias

import msgspec

from qtoolkit.core.changes import JobAppeared, JobChanged, JobVanished
from qtoolkit.core.codecs import Decoder
from qtoolkit.core.data_objects import QJob, QSubState, SubStateT
from qtoolkit.io import SUB_STATES

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "FORMAT_VERSION",
    "Checkpoint",
    "EventLogClosedError",
    "EventLogError",
    "EventLogStarted",
    "LogRecord",
    "Polled",
    "line_start",
    "records_of",
    "scheduler_name",
    "whole_polls",
]

FORMAT_VERSION = 1
"""The version of the log's layout its first line records."""


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


class Checkpoint(msgspec.Struct, Generic[SubStateT], tag=True, omit_defaults=True, gc=False):
    """The queue as the log this one continues left it: the second line of a rotated log.

    Replaying starts from these jobs; the polls after it are changes to them.
    """

    at: datetime.datetime
    """When the last poll the previous log recorded ran (UTC)."""

    jobs: list[QJob[SubStateT]]
    """Every job of that snapshot."""

    previous: str | None = None
    """The file name the previous log was kept under (in the same directory)."""


LogRecord: TypeAlias = (
    EventLogStarted
    | Checkpoint[SubStateT]
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


def records_of(
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


def whole_polls(
    records: Iterator[tuple[int, Any]], path: str, tail: list[int]
) -> Iterator[list[Any]]:
    """Each whole poll's records (its :class:`Polled` first), checked against its count.

    A :class:`Checkpoint`, only ever the log's second line, comes alone, as a poll of its own.
    A poll with fewer records than its count is damage unless it is the last: a crash cut that
    one short, and it is not yielded; its line number is put in ``tail``.
    """
    poll: list[Any] = []
    line = 0
    for number, record in records:
        if isinstance(record, Checkpoint):
            if number != _CHECKPOINT_LINE:
                msg = f"{path}: line {number} is damaged: a checkpoint after the log's second line"
                raise EventLogError(msg)
            yield [record]
        elif isinstance(record, Polled):
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


# A rotated log is written whole, its first line and then the checkpoint.
_CHECKPOINT_LINE = 2


def _short_poll(path: str, line: int, poll: list[Any]) -> None:
    count = poll[0].changes
    msg = f"{path}: line {line} is damaged: it counts {count} changes but {len(poll) - 1} follow it"
    raise EventLogError(msg)


def scheduler_name(states: type[QSubState]) -> str:
    for name, known in SUB_STATES.items():
        if known is states:
            return name
    msg = f"{states!r} is not the sub-state class of a scheduler this package knows"
    raise ValueError(msg)


def line_start(data: bytes, end: int, lines: int) -> int:
    """Where the line ``lines`` lines before the line start ``end`` of ``data`` starts."""
    for _ in range(lines):
        end = data.rfind(b"\n", 0, end - 1) + 1
    return end
