"""``qtk watch``: poll a scheduler's queue, show each change, and append it to an event log.

On a terminal with rich (the ``cli`` extra) the queue is a live table; otherwise (a pipe, a file,
``--plain``) each change is one line on standard output. With ``--log``, every change is appended
to an NDJSON event log, and a watcher started again on the same log carries on from the last
snapshot it recorded: no change is logged twice, none is lost while the watcher was stopped
(a job that ended meanwhile is logged as ended). Ctrl-C stops it between two writes.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.util
import math
import sys
from typing import TYPE_CHECKING, Any

from qtoolkit.cli._kinds import UsageError
from qtoolkit.cli._watch_lines import change_line
from qtoolkit.core.exceptions import CommandFailedError, OutputParsingError
from qtoolkit.eventlog import EventLog, EventLogError
from qtoolkit.io import SUB_STATES, scheduler_mapping
from qtoolkit.manager import QueueManager
from qtoolkit.poller import Poller

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from qtoolkit.core.changes import SnapshotChanges

__all__ = ["watch"]

_ACCOUNTING_WAIT = 60.0


def watch(args: argparse.Namespace) -> int:
    """Run ``qtk watch`` as ``args`` say; return its exit status."""
    manager = _manager(args.scheduler)
    with contextlib.ExitStack() as stack:
        log: EventLog[Any] | None = None
        if args.rotate_at is not None and args.log is None:
            raise UsageError("--rotate-at needs --log: it rotates the event log")
        if args.log is not None:
            try:
                log = EventLog.open(args.log, SUB_STATES[args.scheduler], max_bytes=args.rotate_at)
            except (EventLogError, OSError) as exc:
                raise UsageError(_log_error(args.log, exc)) from None
            stack.callback(log.close)
        # The accounting may lag behind the queue: wait up to a minute for a job's final record.
        final_polls = max(3, math.ceil(_ACCOUNTING_WAIT / args.interval))
        poller = Poller(manager, user=args.user, log=log, final_polls=final_polls)
        who = f"jobs of {args.user}" if args.user else "all jobs"
        title = f"{args.scheduler}, {who}, every {args.interval:g} s"
        if log is not None:
            title += f", log {args.log}"
            if log.torn_bytes:
                _warn(f"{args.log}: cut off a torn last poll ({log.torn_bytes} bytes)")
        polls = _polls(poller, args.interval, args.polls)
        try:
            if args.plain or not sys.stdout.isatty() or not _has_rich():
                _plain(title, poller, polls)
            else:
                _live(title, poller, polls)
        except EventLogError as exc:  # a failed write the log could not undo
            raise UsageError(str(exc)) from None
    return 0


def _manager(scheduler: str) -> QueueManager[Any]:
    # The manager asks the scheduler's accounting (sacct, qacct) how vanished jobs ended.
    manager: QueueManager[Any] = QueueManager(scheduler_mapping[scheduler]())
    return manager


def _log_error(path: str, error: Exception) -> str:
    if isinstance(error, OSError):
        return f"cannot open the event log {path!r}: {error.strerror or error}"
    return str(error)


def _polls(
    poller: Poller[Any], interval: float, count: int | None
) -> Iterator[tuple[SnapshotChanges[Any], datetime.datetime]]:
    """Each poll's changes and time; a failed poll is reported and the next one tried.

    Except the first: a scheduler that cannot be listed at all is not one to watch.
    """
    try:
        first = poller.poll()
    except (CommandFailedError, OutputParsingError) as exc:
        raise UsageError(f"cannot list the {_name(poller)} queue: {exc}") from None
    told = _tell_rotations(poller.log, 0)
    yield first, _when(poller)
    more = None if count is None else count - 1
    for changes in poller.watch(interval, polls=more, first_now=False, on_error=_poll_failed):
        told = _tell_rotations(poller.log, told)
        yield changes, _when(poller)


def _tell_rotations(log: EventLog[Any] | None, told: int) -> int:
    """Say where the logs rotated since the first ``told`` were kept; how many are told now.

    On standard error: in a live table, standard output is the table's.
    """
    if log is None:
        return 0
    for kept in log.kept[told:]:
        _warn(f"{log.path}: kept as {kept}; going on in a new log")
    return len(log.kept)


def _when(poller: Poller[Any]) -> datetime.datetime:
    return poller.last_poll or datetime.datetime.now(datetime.timezone.utc)


def _poll_failed(error: Exception) -> None:
    _warn(f"poll failed, trying again: {error}")


def _name(poller: Poller[Any]) -> str:
    return type(poller.manager.scheduler_io).__name__.removesuffix("IO")


def _plain(
    title: str, poller: Poller[Any], polls: Iterator[tuple[SnapshotChanges[Any], datetime.datetime]]
) -> None:
    _say(f"watching {title}")
    if poller.jobs:
        count = len(poller.jobs)
        _say(f"resuming from the log: {count:,} job{'s' if count != 1 else ''} in the queue")
    for changes, at in polls:
        for change in changes:
            _say(change_line(change, at))


def _live(
    title: str, poller: Poller[Any], polls: Iterator[tuple[SnapshotChanges[Any], datetime.datetime]]
) -> None:
    from rich.console import Console  # noqa: PLC0415 - optional
    from rich.live import Live  # noqa: PLC0415

    from qtoolkit.cli._watch_table import LiveView  # noqa: PLC0415

    console = Console()
    view = LiveView(f"qtk watch: {title}", rows=max(console.height - 16, 5))
    with Live(view.renderable(), console=console, auto_refresh=False) as live:
        for changes, at in polls:
            view.update(poller.jobs, changes, at, poller.polls)
            live.update(view.renderable(), refresh=True)


def _has_rich() -> bool:
    return importlib.util.find_spec("rich") is not None


def _say(line: str) -> None:
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def _warn(message: str) -> None:
    sys.stderr.write(f"qtk: {message}\n")
    sys.stderr.flush()
