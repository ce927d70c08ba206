"""Readers of what SLURM's commands print: ``squeue`` listings and ``scontrol show job -o``.

Kept apart from :mod:`qtoolkit.io.slurm` (commands and scripts): these functions take text and
give jobs, and are where the polling time goes.
"""

from __future__ import annotations

import re
from itertools import repeat
from operator import contains
from typing import TYPE_CHECKING, Any

from qtoolkit.core.data_objects import QJob, QJobInfo, QState
from qtoolkit.core.exceptions import OutputParsingError
from qtoolkit.io.clock import parse_clock
from qtoolkit.io.columns import (
    CLOCKS,
    MemoTable,
    build_infos,
    build_jobs,
    convert_column,
    counted_chunks,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from qtoolkit.io.slurm import SlurmState

__all__ = ["read_scontrol_job", "read_squeue", "slurm_memory_kb", "slurm_seconds"]

_MEMORY_POWERS = {"K": 0, "M": 1, "G": 2, "T": 3}


def slurm_seconds(time_str: str | None) -> int | None:
    """Seconds of a SLURM duration (``[D-]HH:MM:SS``, ``MM:SS``, ``MM``); None if unlimited/unset.

    Raises :class:`OutputParsingError` for anything else.
    """
    if not time_str or time_str in ("UNLIMITED", "NOT_SET"):
        return None
    return parse_clock(time_str, "a SLURM duration", bare_minutes=True)


def slurm_memory_kb(memory: str | None) -> int | None:
    """KiB of a SLURM memory amount (``4000``, ``4000M``, ``2G``; a bare number is MiB).

    Raises :class:`OutputParsingError` for anything else.
    """
    if not memory:
        return None
    unit = memory[-1]
    if unit in _MEMORY_POWERS:
        memory = memory[:-1]
    elif any(u in memory for u in _MEMORY_POWERS):
        msg = f"{memory!r} is not a SLURM memory amount"
        raise OutputParsingError(msg)
    else:
        unit = "M"
    try:
        value = int(memory)
    except ValueError as exc:
        msg = f"{memory!r} is not a SLURM memory amount"
        raise OutputParsingError(msg) from exc
    power: int = _MEMORY_POWERS[unit]
    return value << (10 * power)


def _or_none(convert: Callable[[str], int | None]) -> Callable[[str], int | None]:
    """``convert`` of the stripped value, ``None`` where it cannot be read (as upstream)."""

    def lenient(value: str) -> int | None:
        try:
            return convert(value.strip())
        except (ValueError, OutputParsingError):
            return None

    return lenient


def _strict(convert: Callable[[str], int | None]) -> Callable[[str], int | None]:
    def stripped(value: str) -> int | None:
        return convert(value.strip())

    return stripped


_int_or_none = _or_none(int)
_memory_or_none = _or_none(slurm_memory_kb)
_seconds_or_none = _or_none(slurm_seconds)
_seconds = _strict(slurm_seconds)


def read_squeue(
    text: str, separator: str, fields: Sequence[str], state_type: type[SlurmState]
) -> list[QJob[SlurmState]]:
    """The jobs of a ``squeue -o`` listing whose columns are ``fields``, split by ``separator``.

    Lines without the separator are skipped. A job name holding the separator keeps it (the
    name is the one free-text column). Every value is stripped, as upstream does.
    """
    reader = _SqueueReader(separator, fields, state_type)
    jobs: list[QJob[SlurmState]] = []
    for first_line, chunk, lines in counted_chunks(text):
        jobs += reader.read(chunk, first_line, lines)
    return jobs


class _SqueueReader:
    """Reads a listing chunk by chunk, with conversion tables shared by all chunks."""

    def __init__(self, separator: str, fields: Sequence[str], state_type: type[SlurmState]) -> None:
        self.separator = separator
        self.fields = list(fields)
        self.state_type = state_type
        self.sub_states = MemoTable(self._sub_state)
        self.qstates = MemoTable(lambda raw: self.sub_states[raw].qstate)
        self.texts = MemoTable(str.strip)
        self.counts = MemoTable(_int_or_none)
        self.memory = MemoTable(_memory_or_none)
        self.limits = MemoTable(_seconds)
        self.clocks = CLOCKS

    def _sub_state(self, raw: str) -> SlurmState:
        return self.state_type(raw.strip())

    def read(self, chunk: str, first_line: int, lines: int) -> list[QJob[SlurmState]]:
        """The jobs of ``chunk`` (``lines`` whole lines, ending in LF) from line ``first_line``."""
        columns = self._aligned_columns(chunk, lines)
        numbers: list[int] | None = None
        if columns is None:
            columns, numbers = _columns_line_by_line(
                chunk.split("\n")[:-1], self.separator, self.fields, first_line
            )
        if not columns or not columns[0]:
            return []
        by_name = dict(zip(self.fields, columns, strict=True))
        try:
            return self._jobs(by_name, first_line, numbers)
        except (ValueError, OutputParsingError):
            # Say which line and field: the strict columns, converted again, raise the error.
            self._locate_error(by_name, first_line, numbers)
            raise

    def _aligned_columns(self, chunk: str, lines: int) -> list[list[str]] | None:
        """The columns of ``chunk`` from one split, if each line has exactly the fields.

        The command writes the separator and a space between fields, and the split is on both:
        values come out without the space (stripping them then copies nothing), and a job name
        ending in "<>" stays whole. Split on separators alone, the last field of a line and the
        first of the next form one piece (the "junction"). The lines are regular exactly when
        there are (width - 1) pieces per line plus one, and every junction holds a line feed: the
        chunk holds as many line feeds as lines, so no other piece can hold one.
        """
        width = len(self.fields)
        pieces = chunk.split(self.separator + " ")
        step = width - 1
        if step < 1 or len(pieces) != step * lines + 1:
            return None
        junctions = pieces[step::step]
        if not all(map(contains, junctions, repeat("\n"))):
            return None
        ends = "\n".join(junctions).split("\n")
        firsts = [pieces[0], *ends[1:-1:2]]
        middles = [pieces[index::step] for index in range(1, step)]
        return [firsts, *middles, ends[0::2]]

    def _jobs(
        self, by_name: dict[str, list[str]], first_line: int, numbers: list[int] | None
    ) -> list[QJob[SlurmState]]:
        raw_states = by_name.get("state_raw")
        if raw_states is None:
            msg = "the squeue fields hold no state_raw column"
            raise OutputParsingError(msg, field="state_raw")
        count = len(raw_states)
        sub_states = map(self.sub_states.__getitem__, raw_states)

        def column(name: str, table: MemoTable[Any]) -> Iterable[Any] | None:
            values = by_name.get(name)
            return None if values is None else map(table.__getitem__, values)

        used = by_name.get("time_used")
        runtime = None
        if used is not None:
            runtime = self.clocks.seconds(
                used, _seconds_or_none, field="time_used", first_line=first_line, lines=numbers
            )
        infos = build_infos(
            count,
            memory_per_cpu=column("min_memory", self.memory),
            nodes=column("number_nodes", self.counts),
            cpus=column("number_cpus", self.counts),
            time_limit=column("time_limit", self.limits),
        )
        names, ids = by_name.get("job_name"), by_name.get("job_id")
        return build_jobs(
            count,
            sub_states,
            state=map(self.qstates.__getitem__, raw_states),
            name=None if names is None else map(str.strip, names),
            job_id=None if ids is None else map(str.strip, ids),
            info=infos,
            runtime=runtime,
            queue_name=column("partition", self.texts),
            username=column("username", self.texts),
        )

    def _locate_error(
        self, by_name: dict[str, list[str]], first_line: int, numbers: list[int] | None
    ) -> None:
        strict = (("state_raw", self._sub_state), ("time_limit", _seconds))
        for name, convert in strict:
            if name in by_name:
                convert_column(
                    by_name[name], convert, field=name, first_line=first_line, lines=numbers
                )


def _columns_line_by_line(
    lines: list[str], separator: str, fields: Sequence[str], first_line: int
) -> tuple[list[list[str]], list[int]]:
    """Columns of the lines holding the separator, and the line number of each row.

    Fields are split on the separator and the space the command writes after it, as in the
    fast path; a line without that space anywhere (another format) on the separator alone.
    """
    width = len(fields)
    name_index = fields.index("job_name") if "job_name" in fields else None
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, line in enumerate(lines, start=first_line):
        if separator not in line:
            continue
        split_on = separator + " " if separator + " " in line else separator
        values = line.split(split_on)
        extra = len(values) - width
        if extra > 0 and name_index is not None:
            values[name_index : name_index + extra + 1] = [
                split_on.join(values[name_index : name_index + extra + 1])
            ]
        elif extra:
            msg = (
                f"line {number}: expected {width} fields split by {separator!r}, "
                f"found {len(values)}"
            )
            raise OutputParsingError(msg, line=number)
        rows.append(values)
        numbers.append(number)
    return [list(column) for column in zip(*rows, strict=True)], numbers


# ``Key=value`` pairs of ``scontrol show job -o``; a value may hold spaces (job names, paths), so a
# pair starts only where a space is followed by a word and "=".
_PAIR_START = re.compile(r" +(?=[A-Za-z][\w:/.]*=)")
_USER_ID = re.compile(r"^(?P<name>.*?)(?:\(\d+\))?$")
_TERMINAL = frozenset({QState.DONE, QState.FAILED})


def _scontrol_pairs(line: str, number: int) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in _PAIR_START.split(line.strip()):
        key, sep, value = item.partition("=")
        if not sep:
            msg = f"line {number}: expected Key=value, found {item!r}"
            raise OutputParsingError(msg, line=number)
        pairs.setdefault(key, value)
    # The job name is free text, whatever it holds: everything up to the user that follows it.
    _, found, rest = line.partition(" JobName=")
    name, found_user, _ = rest.partition(" UserId=")
    if found and found_user:
        pairs["JobName"] = name
    return pairs


def read_scontrol_job(text: str, state_type: type[SlurmState]) -> QJob[SlurmState] | None:
    """The job of ``scontrol show job -o`` output (its first line), or None if it shows none."""
    lines = text.splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        return None
    number, line = numbered[0]
    pairs = _scontrol_pairs(line, number)

    def value(key: str) -> str | None:
        found = pairs.get(key)
        return None if found in (None, "", "(null)", "N/A") else found

    def number_of(key: str, convert: Callable[[str], int | None]) -> int | None:
        # A value that does not read is unknown (None), as upstream reads scontrol's numbers.
        raw = value(key)
        if raw is None:
            return None
        try:
            return convert(raw)
        except (ValueError, OutputParsingError):
            return None

    raw_state = value("JobState")
    if raw_state is None:
        msg = f"line {number}: no JobState"
        raise OutputParsingError(msg, line=number, field="JobState")
    try:
        sub_state = state_type(raw_state)
    except ValueError as exc:
        msg = f"line {number}: cannot read JobState {raw_state!r}: {exc}"
        raise OutputParsingError(msg, line=number, field="JobState") from exc
    user = value("UserId")
    info = QJobInfo(
        memory=number_of("TRES", _tres_memory),
        memory_per_cpu=number_of("MinMemoryCPU", slurm_memory_kb),
        nodes=number_of("NumNodes", _count),
        cpus=number_of("NumCPUs", _count),
        threads_per_process=number_of("CPUs/Task", _count),
        time_limit=number_of("TimeLimit", slurm_seconds),
    )
    exit_status = None
    if sub_state.qstate in _TERMINAL:
        exit_status = number_of("ExitCode", lambda code: int(code.partition(":")[0]))
    return QJob(
        name=pairs.get("JobName"),
        job_id=value("JobId"),
        exit_status=exit_status,
        state=sub_state.qstate,
        sub_state=sub_state,
        info=info,
        account=value("Account"),
        runtime=number_of("RunTime", slurm_seconds),
        queue_name=value("Partition"),
        username=None if user is None else _user_name(user),
    )


def _user_name(user_id: str) -> str:
    match = _USER_ID.match(user_id)
    return match.group("name") if match else user_id


def _count(value: str) -> int | None:
    """A count, or a range whose ends agree (``1-1``); None for an open range (``1-4``)."""
    low, sep, high = value.partition("-")
    if sep and low != high:
        return None
    return int(low)


def _tres_memory(tres: str) -> int | None:
    """The ``mem=`` amount of a TRES list (``cpu=2,mem=4G,node=1``): the job's memory."""
    for item in tres.split(","):
        key, _, amount = item.partition("=")
        if key == "mem":
            return slurm_memory_kb(amount)
    return None
