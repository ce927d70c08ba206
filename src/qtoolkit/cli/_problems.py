"""Errors a user can act on: where each one is, repeats counted, and the likely mistake named.

Every command prints a problem the same way: ``line 3: $.info.cpus: Expected `int`, got `str```
for NDJSON, ``$[2].state: Invalid enum value 'X'`` otherwise. When thousands of items fail for
the same reason (a wrong ``--scheduler``, a wrong ``--from``), the reason is printed once with a
count, and a hint says what to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qtoolkit.io import SUB_STATES

if TYPE_CHECKING:
    from collections.abc import Iterable

    import msgspec

    from qtoolkit.cli._kinds import Kind
    from qtoolkit.core.data_objects import QSubState

__all__ = ["Problem", "Tally", "advice", "group", "problem_of"]

_LOCATED = re.compile(
    r"^(?:line (?P<line>\d+): )?(?P<message>.*?)(?: - at `(?P<path>\$[^`]*)`)?$", re.DOTALL
)
_INDEX = re.compile(r"\[\d+\]")
_QUOTED = re.compile(r"'[^']*'")
_BAD_SUB_STATE = re.compile(r"^Invalid enum value '(?P<value>[^']*)'$")
_BOM = b"\xef\xbb\xbf"
# The core library's advice speaks to Python callers; on the command line, options do the same.
_CLI_WORDING = {
    "a plain sub-state value does not say its scheduler": (
        "a plain sub-state value does not say its scheduler"
    ),
}


@dataclass(frozen=True)
class Problem:
    """One error: the NDJSON line (if any), the path of the value at fault, and what is wrong."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.path}: {self.message}"

    @property
    def shape(self) -> tuple[str, str]:
        """What repeats of one mistake share: the path without indices, the message's words.

        Quoted values differ between repeats (every wrong sub-state of a wrong ``--scheduler``).
        """
        return _INDEX.sub("[]", self.path), _QUOTED.sub("''", self.message)


def problem_of(error: msgspec.DecodeError, prefix: str = "$", line: int | None = None) -> Problem:
    """The Problem of a decoding error (msgspec's ``... - at `$.state```, maybe after a line)."""
    match = _LOCATED.match(str(error))
    assert match is not None  # the pattern matches any text
    path = match["path"] or "$"
    message = match["message"]
    for start, wording in _CLI_WORDING.items():
        if message.startswith(start):
            message = wording
    number = int(match["line"]) if match["line"] else line
    return Problem(f"{prefix}{path[1:]}", message, number)


@dataclass(frozen=True)
class Tally:
    """Problems counted by kind: the lines to print, the first of each kind, the total."""

    lines: list[str]
    firsts: list[Problem]
    total: int


def group(problems: Iterable[Problem], limit: int) -> Tally:
    """The first problem of each kind, with how many more share it, in the order found.

    At most ``limit`` kinds are listed; a last line counts the problems of the others.
    """
    firsts: dict[tuple[str, str], Problem] = {}
    counts: dict[tuple[str, str], int] = {}
    total = 0
    for problem in problems:
        total += 1
        shape = problem.shape
        if shape in counts:
            counts[shape] += 1
        else:
            firsts[shape], counts[shape] = problem, 1
    lines: list[str] = []
    for shape, first in list(firsts.items())[:limit]:
        more = counts[shape] - 1
        lines.append(f"{first} (and {more:,} more like it)" if more else str(first))
    hidden = sum(list(counts.values())[limit:])
    if hidden:
        others = len(counts) - limit
        plural = "s" if others > 1 else ""
        lines.append(f"... and {hidden:,} more errors of {others:,} other kind{plural}")
    return Tally(lines, list(firsts.values()), total)


def advice(head: bytes, fmt: str, kind: Kind, problems: Iterable[Problem]) -> str | None:
    """The likely mistake behind ``problems``, from the input's first bytes and the messages.

    ``head`` is the start of the input (a few kilobytes): enough to tell a format by its look.
    """
    if head.startswith(_BOM):
        return (
            "the input starts with a UTF-8 byte order mark, which JSON does not allow: "
            "save it without one (e.g. `sed -i '1s/^\\xEF\\xBB\\xBF//' FILE`)"
        )
    looks = _looks_like(head)
    if looks is not None and looks != fmt and not (looks == "json" and fmt == "mson"):
        names = _FORMAT_NAMES[looks], _FORMAT_NAMES[fmt]
        return f"the input looks like {names[0]}, not {names[1]}: give --from {looks}"
    if fmt == "mson" and b'"@module"' not in head and looks == "json":
        scheduler = " and --scheduler" if kind.is_jobs else ""
        return (
            'the input holds plain objects, not MSON documents (no "@module"): '
            f"read it with --from json{scheduler}"
        )
    if fmt != "mson" and b'"@module"' in head:
        return 'the input holds MSON documents (with "@module"): give --from mson'
    return _scheduler_advice(kind, problems)


_FORMAT_NAMES = {"json": "JSON", "ndjson": "NDJSON", "msgpack": "MessagePack", "mson": "MSON"}


def _looks_like(head: bytes) -> str | None:
    """The format ``head`` looks like: JSON, NDJSON (several JSON lines) or MessagePack."""
    text = head.lstrip(b" \t\r\n")
    if not text:
        return None
    first = text[0]
    if first in b"[{":
        lines = [line for line in text.splitlines() if line.strip()]
        if first == ord("{") and len(lines) > 1 and lines[0].rstrip().endswith(b"}"):
            return "ndjson"
        return "json"
    # MessagePack: a fixarray/fixmap, or an array/map of 16 or 32 bits.
    if 0x80 <= first <= 0x9F or first in (0xDC, 0xDD, 0xDE, 0xDF):
        return "msgpack"
    return None


def _scheduler_advice(kind: Kind, problems: Iterable[Problem]) -> str | None:
    """When sub-states are not the given scheduler's but all are another's, name that one."""
    if not kind.is_jobs:
        return None
    values: set[str] = set()
    for problem in problems:
        match = _BAD_SUB_STATE.match(problem.message)
        if not problem.path.endswith(".sub_state") or match is None:
            return None
        values.add(match["value"])
    if not values:
        return None
    fitting = [
        name
        for name, states in SUB_STATES.items()
        if all(_accepts(states, value) for value in values)
    ]
    if not fitting:
        return None
    return f"these sub-states are {' or '.join(fitting)}'s: give --scheduler {fitting[0]}"


def _accepts(states: type[QSubState], value: str) -> bool:
    try:
        states(value)
    except ValueError:
        return False
    return True
