"""The files of an event log: its writer's lock, reading it whole, and the logs rotation keeps.

A rotated log is kept as ``<log>.<n>``, numbered on from the highest kept; the new log is written
as ``.<log>.rotating`` beside it first. :mod:`qtoolkit.eventlog` writes logs with these.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys

from qtoolkit._eventlog_lines import EventLogError

__all__ = [
    "kept_numbers",
    "last_kept",
    "lock",
    "read_all",
    "rotating_name",
    "sync_directory",
    "undo_interrupted_rotation",
]


def lock(descriptor: int, path: str) -> None:
    """Take the log's writer lock, or say who has it (or that the platform has none)."""
    try:
        import fcntl  # noqa: PLC0415 - POSIX only; reading a log needs no lock
    except ModuleNotFoundError:
        msg = f"{path}: writing an event log needs POSIX file locks (fcntl), not on {sys.platform}"
        raise EventLogError(msg) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        msg = f"{path}: another process is writing this log"
        raise EventLogError(msg) from None


def kept_numbers(directory: str, base: str) -> list[int]:
    """The numbers of the logs of ``base`` kept in ``directory``."""
    pattern = re.compile(re.escape(base) + r"\.([1-9][0-9]*)")
    return [int(match[1]) for name in os.listdir(directory) if (match := pattern.fullmatch(name))]


def last_kept(directory: str, base: str) -> int:
    """The highest number a previous log of ``base`` is kept under; 0 for none."""
    return max(kept_numbers(directory, base), default=0)


def rotating_name(base: str) -> str:
    """The name the new log of ``base`` is written under before it replaces the log."""
    return f".{base}.rotating"


def undo_interrupted_rotation(path: str) -> None:
    """Remove what a crash in the middle of a rotation left: the new log, a second link."""
    directory, base = os.path.split(os.path.abspath(path))
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(directory, rotating_name(base)))
    last = last_kept(directory, base)
    if last:
        kept = os.path.join(directory, f"{base}.{last}")
        if os.path.samefile(kept, path):  # linked, never renamed over: still the log itself
            os.unlink(kept)


def sync_directory(directory: str) -> None:
    """Make the renames and links in ``directory`` durable."""
    descriptor = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_all(descriptor: int) -> bytes:
    """The whole file, read without moving its offset (appends go to the end regardless)."""
    chunks: list[bytes] = []
    offset = 0
    while chunk := os.pread(descriptor, 1 << 24, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)
