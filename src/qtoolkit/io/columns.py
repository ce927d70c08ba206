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

from itertools import compress, repeat
from operator import add, eq, lt, mul
from typing import TYPE_CHECKING, Any, TypeVar

from qtoolkit.core.data_objects import QJob, QJobInfo, QState, QSubState
from qtoolkit.core.exceptions import OutputParsingError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

__all__ = ["build_infos", "build_jobs", "clock_seconds", "convert_column", "parsing_error"]

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
    """Seconds of each ``MM:SS``, ``HH:MM:SS`` or ``D-HH:MM:SS`` string of ``column``.

    Those three shapes, read as every scheduler here writes them, are converted a whole group at a
    time; any other value (``UNLIMITED``, an empty string, another scheduler-specific shape, a
    value that is not a number) goes to ``convert``, once per distinct value, and its errors
    become an :class:`OutputParsingError` as in :func:`convert_column`.
    """
    distinct = list(set(column))
    # Shape of each value: its colons, plus ten per dash (1: MM:SS, 2: HH:MM:SS, 12: D-HH:MM:SS).
    shapes = list(
        map(
            add,
            map(str.count, distinct, repeat(":")),
            map(mul, map(str.count, distinct, repeat("-")), repeat(10)),
        )
    )
    minutes = list(compress(distinct, map(eq, shapes, repeat(1))))
    hours = list(compress(distinct, map(eq, shapes, repeat(2))))
    days = list(compress(distinct, map(eq, shapes, repeat(12))))
    # D-HH:MM:SS only when the dash comes before the first colon.
    dash_first = map(lt, map(str.find, days, repeat("-")), map(str.find, days, repeat(":")))
    days = list(compress(days, dash_first))
    table: dict[str, int | None] = {}
    table.update(_weighted_sums(minutes, ":".join(minutes), (60, 1)))
    table.update(_weighted_sums(hours, ":".join(hours), (3600, 60, 1)))
    table.update(_weighted_sums(days, ":".join(days).replace("-", ":"), (86400, 3600, 60, 1)))
    rest = [value for value in distinct if value not in table]
    table.update(
        _convert_each(rest, convert, column=column, field=field, first_line=first_line, lines=lines)
    )
    return list(map(table.__getitem__, column))


def _weighted_sums(
    group: list[str], joined: str, weights: tuple[int, ...]
) -> Iterable[tuple[str, int]]:
    """``(value, sum of its numbers times weights)`` for each value of ``group``, in one pass.

    ``joined`` holds the values' numbers separated by colons. Nothing when any number does not
    read (the values then go one by one to the scheduler's own conversion, which says why).
    """
    if not group:
        return ()
    try:
        numbers = list(map(int, joined.split(":")))
    except ValueError:
        return ()
    step = len(weights)
    totals: Iterable[int] = repeat(0, len(group))
    for offset, weight in enumerate(weights):
        totals = map(add, totals, map(mul, numbers[offset::step], repeat(weight)))
    return zip(group, totals, strict=True)


def _convert_each(
    values: Iterable[str],
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
            raise parsing_error(
                str(exc) or "not a valid value",
                field=field,
                value=value,
                index=column.index(value),
                first_line=first_line,
                lines=lines,
            ) from exc
    return table


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
    columns = [given[name] or repeat(None, count) for name in _INFO_FIELDS]
    return list(map(QJobInfo, *columns))


def build_jobs(
    sub_state_type: type[S],
    sub_states: Sequence[S | None],
    *,
    name: Iterable[str | None] | None = None,
    job_id: Iterable[str | None] | None = None,
    exit_status: Iterable[int | None] | None = None,
    info: Iterable[QJobInfo | None] | None = None,
    account: Iterable[str | None] | None = None,
    runtime: Iterable[int | None] | None = None,
    queue_name: Iterable[str | None] | None = None,
    username: Iterable[str | None] | None = None,
) -> list[QJob[S]]:
    """One ``QJob[sub_state_type]`` per sub-state, its ``state`` the sub-state's QState."""
    qstates: dict[S | None, QState | None] = {member: member.qstate for member in sub_state_type}
    qstates[None] = None
    count = len(sub_states)
    given: dict[str, Iterable[Any] | None] = {
        "name": name,
        "job_id": job_id,
        "exit_status": exit_status,
        "state": map(qstates.__getitem__, sub_states),
        "sub_state": sub_states,
        "info": info,
        "account": account,
        "runtime": runtime,
        "queue_name": queue_name,
        "username": username,
    }
    columns = [given[field] or repeat(None, count) for field in _JOB_FIELDS]
    jobs: list[QJob[S]] = list(map(QJob, *columns))
    return jobs
