"""Fast building blocks for parsers of job listings: columns in, jobs out.

A listing of 100,000 jobs repeats a few hundred distinct values per column (states, partitions,
time limits, memory requests). The helpers here convert each distinct value once and spread the
results with C-level ``map``; clock strings (``[D-]HH:MM:SS``) are converted a whole column at a
time; jobs are built positionally. No Python function runs per job.

Errors name the 1-based line of the command's output and the field: a parser passes
``first_line`` (the line of the first row) or ``lines`` (the line of each row, when rows were
skipped).
"""

from __future__ import annotations

import re
from itertools import compress, repeat
from operator import add, itemgetter, lt
from typing import TYPE_CHECKING, Any, TypeVar, cast

from qtoolkit._install_check import require_own_package
from qtoolkit.core.data_objects import QJob, QJobInfo, QSubState
from qtoolkit.core.exceptions import OutputParsingError

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence

    from qtoolkit.core.data_objects import QState

# A module upstream qtoolkit does not have: refuse a qtoolkit package that is upstream's.
require_own_package()

__all__ = [
    "CHUNK_CHARS",
    "CLOCKS",
    "ClockReader",
    "MemoTable",
    "build_infos",
    "build_jobs",
    "clock_seconds",
    "convert_column",
    "counted_chunks",
    "parsing_error",
    "text_chunks",
]

T = TypeVar("T")
S = TypeVar("S", bound=QSubState)


def parsing_error(
    message: str,
    *,
    field: str,
    value: str,
    index: int = 0,
    first_line: int = 1,
    lines: Sequence[int] | None = None,
) -> OutputParsingError:
    """An :class:`OutputParsingError` naming the line of row ``index``, the field and the value."""
    line = lines[index] if lines is not None else first_line + index
    return OutputParsingError(
        f"line {line}: cannot read {field} {value!r}: {message}", line=line, field=field
    )


def convert_column(
    column: Sequence[str],
    convert: Callable[[str], T],
    *,
    field: str,
    first_line: int = 1,
    lines: Sequence[int] | None = None,
) -> list[T]:
    """``[convert(value) for value in column]``, calling ``convert`` once per distinct value.

    A ``ValueError`` (``OutputParsingError`` included) from ``convert`` becomes an
    :class:`OutputParsingError` naming the first line holding the value and ``field``.
    """
    table = _convert_each(
        set(column), convert, column=column, field=field, first_line=first_line, lines=lines
    )
    return list(map(table.__getitem__, column))


def clock_seconds(
    column: Sequence[str],
    convert: Callable[[str], int | None],
    *,
    field: str,
    first_line: int = 1,
    lines: Sequence[int] | None = None,
) -> list[int | None]:
    """Seconds of each ``M:SS``, ``H:MM:SS`` or ``D-HH:MM:SS`` string of ``column``.

    A one-off :meth:`ClockReader.seconds`; a parser reading chunks keeps one ClockReader.
    """
    return ClockReader().seconds(column, convert, field=field, first_line=first_line, lines=lines)


# A regular clock string is a head and its last five characters: "1-02:" + "03:04", "1:" +
# "02:03", "" + "4:05". Each part has few distinct values (3,600 tails), so each is converted
# once and a column of clocks costs two slices, two lookups and an addition per value.
# itemgetter slices twice as fast through map() as str.__getitem__ with a repeated slice.
_TAIL = itemgetter(slice(-5, None))
_HEAD = itemgetter(slice(None, -5))
_TAIL_CLOCK = re.compile(r" *(\d?\d):(\d\d)")
_HEAD_CLOCK = re.compile(r" *(?:(\d+)-(\d\d):|(\d?\d):)?")
# Far below any sum of a head and a tail: marks a value to read with the scheduler's function.
_IRREGULAR = -(1 << 62)


def _tail_seconds(tail: str) -> int:
    match = _TAIL_CLOCK.fullmatch(tail)
    if match is None:
        return _IRREGULAR
    return int(match[1]) * 60 + int(match[2])


def _head_seconds(head: str) -> int:
    match = _HEAD_CLOCK.fullmatch(head)
    if match is None:
        return _IRREGULAR
    days, hours, short_hours = match.groups()
    if days is not None:
        return int(days) * 86_400 + int(hours) * 3600
    return 0 if short_hours is None else int(short_hours) * 3600


class _ClockTables:
    """The converted heads and tails of clock strings, and whether any of them is irregular."""

    __slots__ = ("heads", "irregular", "tails")

    def __init__(self) -> None:
        self.tails: MemoTable[int] = MemoTable(self._tail)
        self.heads: MemoTable[int] = MemoTable(self._head)
        # Whether the tables hold an entry that is no clock part: while they do not, no sum can
        # be negative and a column needs no second look. Only ever set (threads may share it).
        self.irregular: bool = False

    def _tail(self, tail: str) -> int:
        seconds = _tail_seconds(tail)
        if seconds < 0:
            self.irregular = True
        return seconds

    def _head(self, head: str) -> int:
        seconds = _head_seconds(head)
        if seconds < 0:
            self.irregular = True
        return seconds


class ClockReader:
    """Reads columns of clock strings; its tables persist from one column (chunk) to the next.

    :data:`CLOCKS`, shared by the parsers, keeps them from one poll to the next too. A table that
    grows past ``limit`` entries (only odd input can: there are 3,600 regular tails) starts over.
    """

    def __init__(self, limit: int = 100_000) -> None:
        self.limit: int = limit
        self._tables = _ClockTables()

    @property
    def tails(self) -> MemoTable[int]:
        """The seconds of each tail (the last five characters) converted so far."""
        return self._tables.tails

    @property
    def heads(self) -> MemoTable[int]:
        """The seconds of each head (what precedes the tail) converted so far."""
        return self._tables.heads

    @property
    def irregular(self) -> bool:
        """Whether a head or tail converted so far is no clock part."""
        return self._tables.irregular

    def seconds(
        self,
        column: Sequence[str],
        convert: Callable[[str], int | None],
        *,
        field: str,
        first_line: int = 1,
        lines: Sequence[int] | None = None,
    ) -> list[int | None]:
        """Seconds of each ``M:SS``, ``H:MM:SS`` or ``D-HH:MM:SS`` string of ``column``.

        Those shapes (minutes and hours of one or two digits, leading spaces allowed), read as
        every scheduler here writes them, are converted without a Python call per value; any
        other value (``UNLIMITED``, an empty string, another scheduler-specific shape) goes to
        ``convert``, once per distinct value, and its errors become an
        :class:`OutputParsingError` as in :func:`convert_column`.
        """
        tables = self._tables
        if len(tables.heads) + len(tables.tails) > self.limit:
            # New tables rather than cleared ones: a column another thread is reading meanwhile
            # keeps its own, and its irregular flag, which a reset would have hidden from it.
            tables = self._tables = _ClockTables()
        heads = map(tables.heads.__getitem__, map(_HEAD, column))
        tails = map(tables.tails.__getitem__, map(_TAIL, column))
        sums: list[int] = list(map(add, heads, tails))
        # The list is handed out as it is: None replaces only irregular values.
        seconds = cast("list[int | None]", sums)
        if not tables.irregular or not sums or min(sums) >= 0:
            return seconds
        irregular = list(map(lt, sums, repeat(0)))
        table = _convert_each(
            set(compress(column, irregular)),
            convert,
            column=column,
            field=field,
            first_line=first_line,
            lines=lines,
        )
        for index in compress(range(len(seconds)), irregular):
            seconds[index] = table[column[index]]
        return seconds


def _convert_each(
    values: Collection[str],
    convert: Callable[[str], T],
    *,
    column: Sequence[str],
    field: str,
    first_line: int,
    lines: Sequence[int] | None,
) -> dict[str, T]:
    table: dict[str, T] = {}
    for value in values:
        try:
            table[value] = convert(value)
        except (ValueError, OutputParsingError) as exc:
            failed, error, index = _earliest_failure(
                value, exc, values=values, converted=table, convert=convert, column=column
            )
            raise parsing_error(
                str(error) or "not a valid value",
                field=field,
                value=failed,
                index=index,
                first_line=first_line,
                lines=lines,
            ) from error
    return table


def _earliest_failure(
    value: str,
    error: Exception,
    *,
    values: Collection[str],
    converted: Mapping[str, object],
    convert: Callable[[str], object],
    column: Sequence[str],
) -> tuple[str, Exception, int]:
    """The value of ``values`` on the earliest row of ``column`` that fails, its error and row.

    ``value`` failed, but a set's order changes from run to run (string hashes are salted): the
    same output must always be reported at the same line, the first one that cannot be read.
    """
    index = column.index(value)
    for earlier_index, earlier in enumerate(column[:index]):
        if earlier in values and earlier not in converted:
            try:
                convert(earlier)
            except (ValueError, OutputParsingError) as earlier_error:
                return earlier, earlier_error, earlier_index
    return value, error, index


_JOB_FIELDS = QJob.__struct_fields__
_INFO_FIELDS = QJobInfo.__struct_fields__


def build_infos(
    count: int,
    *,
    memory: Iterable[int | None] | None = None,
    memory_per_cpu: Iterable[int | None] | None = None,
    nodes: Iterable[int | None] | None = None,
    cpus: Iterable[int | None] | None = None,
    threads_per_process: Iterable[int | None] | None = None,
    time_limit: Iterable[int | None] | None = None,
) -> list[QJobInfo]:
    """``count`` QJobInfo from columns of values (a field not given is ``None``)."""
    given: dict[str, Iterable[Any] | None] = {
        "memory": memory,
        "memory_per_cpu": memory_per_cpu,
        "nodes": nodes,
        "cpus": cpus,
        "threads_per_process": threads_per_process,
        "time_limit": time_limit,
    }
    columns = [
        repeat(None, count) if (values := given[name]) is None else values for name in _INFO_FIELDS
    ]
    return list(map(QJobInfo, *columns))


def build_jobs(
    count: int,
    sub_states: Iterable[S | None],
    *,
    state: Iterable[QState | None] | None = None,
    name: Iterable[str | None] | None = None,
    job_id: Iterable[str | None] | None = None,
    exit_status: Iterable[int | None] | None = None,
    info: Iterable[QJobInfo | None] | None = None,
    account: Iterable[str | None] | None = None,
    runtime: Iterable[int | None] | None = None,
    queue_name: Iterable[str | None] | None = None,
    username: Iterable[str | None] | None = None,
) -> list[QJob[S]]:
    """``count`` jobs from columns of values (a field not given is ``None``).

    Give ``state`` from a table of the raw values too (see :class:`MemoTable`): deriving it from
    the sub-state members would hash an enum member per job, in Python.
    """
    given: dict[str, Iterable[Any] | None] = {
        "name": name,
        "job_id": job_id,
        "exit_status": exit_status,
        "state": state,
        "sub_state": sub_states,
        "info": info,
        "account": account,
        "runtime": runtime,
        "queue_name": queue_name,
        "username": username,
    }
    columns = [
        repeat(None, count) if (values := given[field]) is None else values for field in _JOB_FIELDS
    ]
    jobs: list[QJob[S]] = list(map(QJob, *columns))
    return jobs


class MemoTable(dict[str, T]):
    """A dict that converts a missing key with ``convert`` once, then answers from C.

    ``list(map(table.__getitem__, column))`` converts each distinct value of ``column`` once;
    the errors of ``convert`` propagate (a parser then locates them with :func:`convert_column`).
    """

    def __init__(self, convert: Callable[[str], T]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, key: str) -> T:
        value = self[key] = self.convert(key)
        return value


# About 64 KiB of text: a chunk's strings and tables stay in the CPU's caches while its columns
# are read, which makes the whole parse about twice as fast as one pass over a 10 MB listing.
CHUNK_CHARS = 1 << 16


def text_chunks(text: str, chunk_chars: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """``(number of its first line, chunk)``: ``text`` in whole lines, each chunk ending in LF."""
    for first_line, chunk, _ in counted_chunks(text, chunk_chars):
        yield first_line, chunk


def counted_chunks(text: str, chunk_chars: int = CHUNK_CHARS) -> Iterator[tuple[int, str, int]]:
    """:func:`text_chunks` with the number of lines of each chunk."""
    if text and not text.endswith("\n"):
        text += "\n"
    start, line, size = 0, 1, len(text)
    while start < size:
        end = text.find("\n", start + chunk_chars)
        end = size if end < 0 else end + 1
        chunk = text[start:end]
        lines = chunk.count("\n")
        yield line, chunk, lines
        line += lines
        start = end


CLOCKS: ClockReader = ClockReader()
"""The clock tables the parsers share (dict operations are atomic: threads may share it)."""
