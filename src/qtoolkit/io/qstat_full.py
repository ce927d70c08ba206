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
from itertools import repeat
from operator import contains
from typing import TYPE_CHECKING, TypeVar

from qtoolkit.core.data_objects import QJob
from qtoolkit.core.exceptions import OutputParsingError
from qtoolkit.io.columns import build_infos, clock_seconds

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


def _error(text: str, job_id: str, field: str, message: str) -> OutputParsingError:
    """An error at the line of ``field`` in job ``job_id`` (at the job's first line if absent)."""
    start = text.find(f"Job Id: {job_id}")
    key = text.find(f" {field} = ", start, max(text.find("\nJob Id: ", start + 1), start))
    line = text.count("\n", 0, max(key if key >= 0 else start, 0)) + 1
    return OutputParsingError(f"line {line}: {field}: {message}", line=line, field=field)


def _joined(column: list[str]) -> list[str]:
    """``column`` with the continuation lines of its values joined to their first line."""
    if not any(map(contains, column, repeat(_CONTINUATION))):
        return column
    return [value.replace(_CONTINUATION, "") for value in column]


def _by_value(column: Sequence[str], convert: Callable[[str], T]) -> list[T]:
    """``convert`` applied to each value of ``column``, once per distinct value."""
    table = {value: convert(value) for value in set(column)}
    return list(map(table.__getitem__, column))


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


_EMPTY_IS_NONE: dict[str, str | None] = {"": None}


def _texts(column: list[str]) -> Iterable[str | None]:
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
    rows: list[tuple[str, ...]] = _JOB.findall(text)
    if job_ids is not None:
        wanted = frozenset(job_ids)
        rows = [row for row in rows if row[0].strip() in wanted]
    if not rows:
        return []
    (ids, name, owner, state, queue, nodect, ncpus, mem, walltime, used, account, status) = map(
        list, zip(*rows, strict=True)
    )
    ids = list(map(str.strip, ids))
    # qstat without -w wraps long values (a check per column: searching the whole text for
    # "\n\t" would take longer than the rest of the conversion).
    name, owner, queue, account = map(_joined, (name, owner, queue, account))
    sub_states = _sub_states(text, ids, state, states)
    time_limits = _strict(
        walltime,
        convert_time,
        lambda index, value: _error(
            text, ids[index], "Resource_List.walltime", f"cannot read {value!r}"
        ),
    )
    infos = build_infos(
        len(rows),
        memory=_by_value(mem, _lenient(convert_memory)),
        nodes=_by_value(nodect, _int),
        cpus=_by_value(ncpus, _int),
        time_limit=time_limits,
    )
    # The QState of each job through the state letters (str hashes are cached, Enum's are not).
    qstates = _by_value(state, lambda value: states[value.strip()].qstate)
    columns: dict[str, Iterable[object]] = {
        "name": _texts(name),
        "job_id": ids,
        "exit_status": _by_value(status, _int),
        "state": qstates,
        "sub_state": sub_states,
        "info": infos,
        "account": _texts(account),
        "runtime": clock_seconds(used, _lenient(convert_time), field="resources_used.walltime"),
        "queue_name": _texts(queue),
        "username": _by_value(owner, _username),
    }
    jobs: list[QJob[PBSState]] = list(map(QJob, *(columns[f] for f in QJob.__struct_fields__)))
    return jobs


def _sub_states(
    text: str, ids: list[str], column: list[str], states: Mapping[str, PBSState]
) -> list[PBSState]:
    """The sub-state of each ``job_state`` value; an unknown or missing state is an error."""
    table: dict[str, PBSState] = {}
    for value in set(column):
        member = states.get(value.strip())
        if member is None:
            index = column.index(value)
            message = "no job_state" if not value else f"unknown state {value!r}"
            raise _error(text, ids[index], "job_state", f"{message} for job {ids[index]}")
        table[value] = member
    return list(map(table.__getitem__, column))


def _strict(
    column: list[str],
    convert: Callable[[str], int | None],
    error: Callable[[int, str], OutputParsingError],
) -> list[int | None]:
    """``convert`` of each non-empty value (once per distinct value); its failure is ``error``."""
    table: dict[str, int | None] = {"": None}
    for value in set(column).difference(table):
        try:
            table[value] = convert(value)
        except (ValueError, OutputParsingError) as exc:
            raise error(column.index(value), value) from exc
    return list(map(table.__getitem__, column))
