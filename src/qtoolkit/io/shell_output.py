"""Reader of ``ps -o pid,user,etime,state,comm`` listings, the shell "scheduler"'s queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtoolkit.core.exceptions import OutputParsingError
from qtoolkit.io.clock import parse_clock
from qtoolkit.io.columns import (
    CLOCKS,
    MemoTable,
    build_jobs,
    convert_column,
    parsing_error,
    text_chunks,
)

if TYPE_CHECKING:
    from qtoolkit.core.data_objects import QJob
    from qtoolkit.io.shell import ShellState

__all__ = ["TruncatedUsernameError", "ps_seconds", "read_ps"]

_COLUMNS = 5  # pid, user, etime, state, comm


class TruncatedUsernameError(OutputParsingError, RuntimeError):
    """``ps`` cut a user name short (it ends with ``+``) and the IO was asked to be strict.

    Also a ``RuntimeError``, the error upstream raised.
    """


def ps_seconds(time_str: str | None) -> int | None:
    """Seconds of a ``ps`` elapsed time, ``[[DD-]hh:]mm:ss``; None for an empty one."""
    if not time_str:
        return None
    return parse_clock(time_str, "an elapsed time of ps")


def read_ps(
    text: str, state_type: type[ShellState], *, strict_usernames: bool = False
) -> list[QJob[ShellState]]:
    """The processes of a ``ps`` listing; its first line is the header.

    The command name is the rest of the line, spaces included. With ``strict_usernames``, a user
    name ``ps`` cut short (``+``) raises :class:`TruncatedUsernameError`.
    """
    _, found, body = text.partition("\n")
    if not found:
        return []
    reader = _PsReader(state_type, strict_usernames)
    jobs: list[QJob[ShellState]] = []
    for first_line, chunk in text_chunks(body):
        jobs += reader.read(chunk, first_line + 1)
    return jobs


class _PsReader:
    def __init__(self, state_type: type[ShellState], strict_usernames: bool) -> None:
        self.state_type = state_type
        self.strict_usernames = strict_usernames
        self.sub_states = MemoTable(self._sub_state)
        self.qstates = MemoTable(lambda stat: self.sub_states[stat].qstate)
        self.clocks = CLOCKS

    def _sub_state(self, stat: str) -> ShellState:
        # The first letter is the state; others (s, +, l, <...) are flags.
        return self.state_type(stat[:1])

    def read(self, chunk: str, first_line: int) -> list[QJob[ShellState]]:
        columns = _aligned_columns(chunk)
        numbers: list[int] | None = None
        if columns is None:
            columns, numbers = _columns_line_by_line(chunk.split("\n")[:-1], first_line)
        pids, users, etimes, stats, names = columns
        if not pids:
            return []
        if self.strict_usernames:
            _check_usernames(users, first_line, numbers)
        try:
            sub_states = list(map(self.sub_states.__getitem__, stats))
        except ValueError:
            convert_column(
                stats, self._sub_state, field="state", first_line=first_line, lines=numbers
            )
            raise
        return build_jobs(
            len(pids),
            sub_states,
            state=map(self.qstates.__getitem__, stats),
            name=names if numbers is None else map(str.rstrip, names),
            job_id=pids,
            runtime=self.clocks.seconds(
                etimes, ps_seconds, field="etime", first_line=first_line, lines=numbers
            ),
            username=users,
        )


def _aligned_columns(chunk: str) -> list[list[str]] | None:
    """The five columns from one split of ``chunk``, if every line has exactly five words.

    Every ps line has at least five words, so as many words as five per line means five on each
    (a blank line, the one exception, sends the chunk line by line). A command name with spaces
    has more words, and is read line by line too.
    """
    words = chunk.split()
    lines = chunk.count("\n")
    if len(words) != _COLUMNS * lines or "\n\n" in chunk or chunk.startswith("\n"):
        return None
    return [words[index::_COLUMNS] for index in range(_COLUMNS)]


def _columns_line_by_line(lines: list[str], first_line: int) -> tuple[list[list[str]], list[int]]:
    numbers: list[int] = []
    rows: list[list[str]] = []
    for number, line in enumerate(lines, start=first_line):
        row = line.split(None, _COLUMNS - 1)
        if not row:
            continue
        if len(row) < _COLUMNS:
            msg = f"expected {_COLUMNS} columns (pid, user, etime, state, command)"
            raise parsing_error(msg, field="row", value=line, lines=[number])
        numbers.append(number)
        rows.append(row)
    if not rows:
        return [[] for _ in range(_COLUMNS)], numbers
    return [list(column) for column in zip(*rows, strict=True)], numbers


def _check_usernames(users: list[str], first_line: int, numbers: list[int] | None) -> None:
    truncated = [user for user in set(users) if "+" in user]
    if truncated:
        # The earliest line, not the first name of a set, whose order changes from run to run.
        index = min(map(users.index, truncated))
        line = numbers[index] if numbers is not None else first_line + index
        msg = f"line {line}: the username was truncated: {users[index]!r}"
        raise TruncatedUsernameError(msg, line=line, field="user")
