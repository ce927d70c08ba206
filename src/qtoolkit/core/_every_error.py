"""Every problem of a document, each at its own location, for pydantic's error lists.

msgspec stops at the first invalid value. pydantic users expect one entry per problem, located
by ``loc``: after each error, the value at fault is left out and the document read again, until
it reads or an error cannot be set aside (one about the object as a whole).
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["every_error"]

_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")
# As mson's refusal of fields a class does not have words it, naming them all at once.
_UNKNOWN = re.compile(r"^(?P<cls>\w+) has no field (?P<names>`[^`]+`(?:, `[^`]+`)*): unknown")
_NAME = re.compile(r"`([^`]+)`")
_MAX_ERRORS = 100  # a document with more problems than this is reported in part


def every_error(
    document: Mapping[str, Any],
    read: Callable[[Mapping[str, Any]], object],
    first: msgspec.ValidationError,
) -> list[tuple[tuple[str | int, ...], str, object]]:
    """``(loc, message, input)`` of each problem of ``document``, ``first`` being the first.

    ``read`` reads a document and raises :class:`msgspec.ValidationError` at its first problem.
    An error about the whole object (a QResources rule) is kept only when it comes first: once a
    value has been left out, such an error may be about its absence rather than the document.
    """
    errors: list[tuple[tuple[str | int, ...], str, object]] = []
    remaining: Any = copy.deepcopy(dict(document))
    error: msgspec.ValidationError | None = first
    while error is not None and len(errors) < _MAX_ERRORS:
        loc, message = _located(error)
        unknown = _UNKNOWN.match(message)
        if unknown is not None:  # one error per field, each at its own loc
            names = _NAME.findall(unknown["names"])
            for name in names:
                refused = f"{unknown['cls']} has no field `{name}`: unknown fields are refused"
                errors.append(((*loc, name), refused, _value_at(remaining, (*loc, name))))
            if not all(_leave_out(remaining, (*loc, name)) for name in names):
                break
        elif not loc:
            if not errors:
                errors.append(((), message, document))
            break
        else:
            errors.append((loc, message, _value_at(remaining, loc)))
            if not _leave_out(remaining, loc):
                break
        try:
            read(remaining)
        except msgspec.ValidationError as exc:
            error = exc
        else:
            error = None
    return errors


def _located(error: msgspec.ValidationError) -> tuple[tuple[str | int, ...], str]:
    match = _AT.match(str(error))
    assert match is not None  # the pattern matches any text
    steps = _STEP.findall(match["path"] or "")
    loc = tuple(int(index) if index else key for key, index in steps)
    return loc, match["message"]


def _value_at(document: Any, loc: tuple[str | int, ...]) -> object:
    value = document
    for step in loc:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _leave_out(document: Any, loc: tuple[str | int, ...]) -> bool:
    """Remove the value at ``loc`` (a field then takes its default); False if it is not there."""
    parent = _value_at(document, loc[:-1])
    if isinstance(parent, dict) and loc[-1] in parent:
        del parent[loc[-1]]
        return True
    return False
