"""The options of ``qtk watch``, kept apart from the watcher itself.

Every ``qtk`` command builds the whole parser, so this module is all of ``qtk watch`` that the
other commands load: the poller, the manager and the event log (which locks with the POSIX-only
``fcntl``) are imported only when ``qtk watch`` runs.
"""

from __future__ import annotations

import argparse

from qtoolkit.io import SUB_STATES, scheduler_mapping

__all__ = ["WATCHABLE", "add_watch_command"]

_DAY = 86_400.0

WATCHABLE = tuple(name for name in scheduler_mapping if name in SUB_STATES)
"""The schedulers ``qtk watch`` can poll."""


def add_watch_command(command: argparse.ArgumentParser) -> None:
    """The options of ``qtk watch``, on its (sub)parser."""
    command.add_argument(
        "--scheduler", required=True, choices=WATCHABLE, help="the scheduler to poll"
    )
    command.add_argument("--user", help="only this user's jobs (default: every job listed)")
    command.add_argument(
        "--interval", type=_seconds, default=10.0, help="seconds between polls (default 10)"
    )
    command.add_argument("--log", metavar="PATH", help="append every change to this NDJSON log")
    command.add_argument(
        "--rotate-at",
        metavar="SIZE",
        type=_size,
        help="once the log passes SIZE (bytes, or with K, M, G), keep it as PATH.1, PATH.2... "
        "and go on in a new one starting from the queue as it was",
    )
    command.add_argument("--polls", type=_count, help="stop after this many polls")
    command.add_argument(
        "--plain", action="store_true", help="one line per change, even on a terminal"
    )
    command.set_defaults(run=_watch)


def _watch(args: argparse.Namespace) -> int:
    from qtoolkit.cli._watch import watch  # noqa: PLC0415 - only qtk watch needs the poller

    return watch(args)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= _DAY:
        msg = f"expected a number of seconds above 0, up to a day, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def _size(text: str) -> int:
    number, unit = text[:-1], text[-1:].upper()
    if unit.isdigit():
        number, unit = text, ""
    value = int(number) * _UNITS[unit] if number.isdigit() and unit in _UNITS else 0
    if value < 1:
        msg = f"expected a size in bytes above 0, optionally with K, M or G (100M), got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _count(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        msg = f"expected a positive number of polls, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value
