"""Reading the ``qstat -f`` job listing of PBS Pro, OpenPBS and Torque, fast.

``qstat -f`` prints each job as a ``Job Id: <id>`` line followed by indented ``key = value``
lines (about fifty per job, a few kilobytes); a value too long for its line goes on in lines that
start with a tab. A poll needs ten of those keys. One compiled regular expression reads a whole
job per match, its lines in any order, keeping the value of each key it knows, so the listing is
read in a single C-level pass (``findall``); Python then works per column, converting each
distinct value (states, queues, limits, memory requests) once.

Errors name the line of the output and the key.
"""

from __future__ import annotations

import re
import sys
from collections import deque
from itertools import compress, repeat
from operator import contains
from typing import TYPE_CHECKING, TypeVar

from qtoolkit.core.data_objects import QJob
from qtoolkit.core.exceptions import OutputParsingError
from qtoolkit.io.columns import ClockReader, MemoTable, build_infos

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

    from qtoolkit.io.pbs import PBSState

__all__ = ["parse_qstat_full"]

T = TypeVar("T")

# Every line is consumed whole and never given back (a line ends at the first "\n"), so from
# Python 3.11 the quantifiers are possessive, which spares the engine the bookkeeping of
# backtracking: the listing is read in about half the time.
_P = "+" if sys.version_info >= (3, 11) else ""
_LINE = rf"[^\n]*{_P}\n"
# A value with its continuation lines (each "\n\t..."), joined afterwards.
_VALUE = rf"([^\n]*{_P}(?:\n\t[^\n]*{_P})*{_P})"
# The keys read, their values in this order of columns (after the job id); alternatives sharing
# their first characters are grouped, so a line of another key is turned down in a few steps.
_KEY_LINE = (
    f"J(?:ob_Name = {_VALUE}|ob_Owner = {_VALUE})"
    f"|job_state = {_VALUE}"
    f"|queue = {_VALUE}"
    rf"|Resource_List\.(?:nodect = {_VALUE}|ncpus = {_VALUE}|mem = {_VALUE}|walltime = {_VALUE})"
    rf"|resources_used\.walltime = {_VALUE}"
    f"|Account_Name = {_VALUE}"
    f"|Exit_status = {_VALUE}"
)
# One job: its id line, then every line up to the next one: indented lines (one of the keys read,
# capturing its value, or any other key), continuation lines, blank lines, and any other line that
# does not start a job. A key seen twice keeps its last value, as upstream does.
_JOB = re.compile(
    rf"^Job Id: ([^\n]*)\n"
    rf"(?: +{_P}(?:(?:{_KEY_LINE})\n|{_LINE})|\t{_LINE}|[^J\n]{_LINE}|J(?!ob Id: ){_LINE}|\n)*{_P}",
    re.MULTILINE,
)
_CONTINUATION = "\n\t"
_NEXT_JOB = "\nJob Id: "
# Characters of the listing read and converted at a time (about 2,000 jobs), so that the strings a
# block's conversion works on are still in the processor's cache.
_BLOCK = 1 << 22


def _error(text: str, job_id: str, field: str, message: str) -> OutputParsingError:
    """An error at the line of ``field`` in job ``job_id`` (at the job's first line if absent)."""
    start = text.find(f"Job Id: {job_id}")
    end = text.find(_NEXT_JOB, start + 1)
    key = text.find(f" {field} = ", start, len(text) if end < 0 else end)
    line = text.count("\n", 0, max(key if key >= 0 else start, 0)) + 1
    return OutputParsingError(f"line {line}: {field}: {message}", line=line, field=field)


def _joined(column: Sequence[str]) -> Sequence[str]:
    """``column`` with the continuation lines of its values joined to their first line."""
    if not any(map(contains, column, repeat(_CONTINUATION))):
        return column
    return [value.replace(_CONTINUATION, "") for value in column]


class _Unreadable(Exception):  # noqa: N818 - a signal inside a table, never raised to callers
    """A value a strict table cannot convert (the parser then names its line)."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


_EMPTY_IS_NONE: dict[str, str | None] = {"": None}


def _texts(column: Sequence[str]) -> Iterable[str | None]:
    """The values of ``column``, an empty one (a key the job does not have) as ``None``."""
    return map(_EMPTY_IS_NONE.get, column, column)


def _username(owner: str) -> str | None:
    # Job_Owner is user@submission-host.
    if not owner:
        return None
    return owner.rpartition("@")[0] if "@" in owner else owner


def _lenient(convert: Callable[[str], int | None]) -> Callable[[str], int | None]:
    """``convert``, but a value it cannot read is unknown (``None``) rather than an error.

    Upstream leaves a memory amount or run time it cannot read unknown rather than failing the
    whole listing; so do we.
    """

    def read(value: str) -> int | None:
        if not value:
            return None
        try:
            return convert(value)
        except (ValueError, OutputParsingError):
            return None

    return read


def parse_qstat_full(
    text: str,
    *,
    states: Mapping[str, PBSState],
    convert_memory: Callable[[str], int | None],
    convert_time: Callable[[str], int | None],
    job_ids: Collection[str] | None = None,
) -> list[QJob[PBSState]]:
    """The jobs of a ``qstat -f`` listing, optionally only those whose id is in ``job_ids``.

    ``states`` maps each state letter to its sub-state; ``convert_memory`` and ``convert_time``
    are the IO class's conversions (so a subclass overriding them is heard), called once per
    distinct string. Read per job: id, name, owner (without its ``@host``), state, queue, node
    and CPU counts, total memory (``Resource_List.mem``), time limit, run time (used walltime),
    account and exit status. A count, memory amount or run time that does not read is left
    unknown, as upstream does; a time limit or state that does not read is an error.
    """
    if not text or text.isspace():
        return []
    first = text.lstrip("\n")
    if not first.startswith("Job Id: "):
        line = text.count("\n", 0, len(text) - len(first)) + 1
        msg = f"line {line}: Job Id: expected the output to start with 'Job Id: '"
        raise OutputParsingError(msg, line=line, field="Job Id")
    if not text.endswith("\n"):
        text += "\n"
    reader = _Reader(text, states, convert_memory, convert_time)
    wanted = None if job_ids is None else frozenset(job_ids)
    jobs: list[QJob[PBSState]] = []
    start, length = 0, len(text)
    while start < length:
        end = text.find(_NEXT_JOB, start + _BLOCK)
        end = length if end < 0 else end + 1
        rows: list[tuple[str, ...]] = _JOB.findall(text, start, end)
        if wanted is not None:
            rows = [row for row in rows if row[0].strip() in wanted]
        if rows:
            jobs += reader.jobs(rows)
        start = end
    return jobs


class _Reader:
    """Converts the values findall captured into jobs, each distinct value once per listing."""

    def __init__(
        self,
        text: str,
        states: Mapping[str, PBSState],
        convert_memory: Callable[[str], int | None],
        convert_time: Callable[[str], int | None],
    ) -> None:
        self.text = text
        self.states = states
        self.convert_time = convert_time
        self.runtime = _lenient(convert_time)
        # Tables converting each distinct value once, then answering from C.
        self.sub_states = MemoTable(self._sub_state)
        self.qstates = MemoTable(lambda value: self.sub_states[value].qstate)
        self.time_limits = MemoTable(self._time_limit)
        self.memories = MemoTable(_lenient(convert_memory))
        self.counts = MemoTable(_int)
        self.users = MemoTable(_username)
        # Clock strings by head and tail, whose tables fill once for the whole listing.
        self.clock = ClockReader()

    def jobs(self, rows: list[tuple[str, ...]]) -> list[QJob[PBSState]]:
        (ids, name, owner, state, queue, nodect, ncpus, mem, walltime, used, account, status) = zip(
            *rows, strict=True
        )
        ids = tuple(map(str.strip, ids))
        # qstat without -w wraps long values (a check per column: searching the whole text for
        # "\n\t" would take longer than the rest of the conversion).
        names, owners, queues, accounts = map(_joined, (name, owner, queue, account))
        sub_states = self._strict(self.sub_states, ids, state, "job_state")
        infos = build_infos(
            len(rows),
            memory=map(self.memories.__getitem__, mem),
            nodes=map(self.counts.__getitem__, nodect),
            cpus=map(self.counts.__getitem__, ncpus),
            time_limit=self._strict(self.time_limits, ids, walltime, "Resource_List.walltime"),
        )
        columns: dict[str, Iterable[object]] = {
            "name": _texts(names),
            "job_id": ids,
            "exit_status": map(self.counts.__getitem__, status),
            # The QState through the state letters: str hashes are cached, Enum's are not.
            "state": map(self.qstates.__getitem__, state),
            "sub_state": sub_states,
            "info": infos,
            "account": _texts(accounts),
            "runtime": self._runtimes(used),
            "queue_name": _texts(queues),
            "username": map(self.users.__getitem__, owners),
        }
        return list(map(QJob, *(columns[field] for field in QJob.__struct_fields__)))

    def _runtimes(self, column: Sequence[str]) -> list[int | None]:
        """The seconds of each ``resources_used.walltime``: only started jobs have one."""
        runtimes: list[int | None] = [None] * len(column)
        started = list(compress(range(len(column)), column))
        if started:
            clocks = list(compress(column, column))
            seconds = self.clock.seconds(clocks, self.runtime, field="resources_used.walltime")
            deque(map(runtimes.__setitem__, started, seconds), maxlen=0)
        return runtimes

    def _strict(
        self, table: MemoTable[T], ids: Sequence[str], column: Sequence[str], field: str
    ) -> list[T]:
        """``table``'s value for each of ``column``; one it cannot read is an error at its line."""
        try:
            return list(map(table.__getitem__, column))
        except _Unreadable as exc:
            index = column.index(exc.value)
            if field == "job_state":
                value = exc.value
                message = "no job_state" if not value else f"unknown state {value!r}"
                message = f"{message} for job {ids[index]}"
            else:
                message = f"cannot read {exc.value!r}"
            raise _error(self.text, ids[index], field, message) from exc.__cause__

    def _sub_state(self, value: str) -> PBSState:
        member = self.states.get(value.strip())
        if member is None:
            raise _Unreadable(value)
        return member

    def _time_limit(self, value: str) -> int | None:
        if not value:
            return None
        try:
            return self.convert_time(value)
        except (ValueError, OutputParsingError) as exc:
            raise _Unreadable(value) from exc
