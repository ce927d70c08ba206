"""Where ``qtk convert`` writes: standard output, an open descriptor, a device or a file.

A regular file is written under a temporary name beside it and renamed into place only once
everything was written, so a conversion that fails, is interrupted or is terminated never leaves a
partial file behind, and the file keeps its permissions. Anything that is already open or is not
a regular file is written in place: standard output (``-``), ``/dev/stdout`` and ``/dev/fd/N``
(the shell's redirections, ``>>`` included, and ``>(...)``), FIFOs and devices.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from qtoolkit.cli.kinds import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["open_output", "rewritable"]

_DESCRIPTOR_PATH = re.compile(r"/(?:dev|proc/self)/fd/(\d+)")
_STANDARD_STREAMS = {"/dev/stdout": 1, "/dev/stderr": 2}


@contextmanager
def open_output(path: str) -> Iterator[IO[bytes]]:
    """Yield the binary stream to write ``path``; ``-`` is standard output."""
    if path == "-":
        if sys.__stdout__ is None:
            msg = "standard output is closed"
            raise UsageError(msg)
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    descriptor = _descriptor(path)
    if descriptor is not None:
        with _open(path, lambda: os.fdopen(os.dup(descriptor), "wb")) as stream:
            yield stream
        return
    target = Path(os.path.realpath(path))  # a symlink's target is replaced, the link kept
    if target.is_dir():
        msg = f"cannot write {path!r}: it is a directory"
        raise UsageError(msg)
    if target.exists() and not target.is_file():
        with _open(path, lambda: open(target, "wb")) as stream:
            yield stream
        return
    with _replacing(target, path) as stream:
        yield stream


def rewritable(stream: IO[bytes]) -> bool:
    """Whether bytes already written to ``stream`` can be written again after seeking back.

    Not in a pipe; nor in a file opened for appending (``>>``), where every write lands at the end.
    """
    if not stream.seekable():
        return False
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError):
        return True  # an in-memory stream
    try:
        import fcntl  # noqa: PLC0415 - POSIX only
    except ImportError:  # pragma: no cover - not POSIX: as for a pipe
        return False
    return not fcntl.fcntl(descriptor, fcntl.F_GETFL) & os.O_APPEND


def _descriptor(path: str) -> int | None:
    """The file descriptor a path such as ``/dev/stdout`` or ``/dev/fd/3`` stands for."""
    if path in _STANDARD_STREAMS:
        return _STANDARD_STREAMS[path]
    match = _DESCRIPTOR_PATH.fullmatch(path)
    return int(match[1]) if match else None


@contextmanager
def _replacing(target: Path, shown: str) -> Iterator[IO[bytes]]:
    """Write a temporary file beside ``target`` and rename it over ``target`` when complete."""
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as exc:
        msg = f"cannot write {shown!r}: {exc.strerror}"
        raise UsageError(msg) from None
    partial = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.chmod(partial, _mode_for(target))
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """The permissions ``target`` has, or a new file would get (mkstemp's are owner-only)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextmanager
def _open(shown: str, opener: Callable[[], IO[bytes]]) -> Iterator[IO[bytes]]:
    try:
        stream = opener()
    except OSError as exc:
        msg = f"cannot write {shown!r}: {exc.strerror}"
        raise UsageError(msg) from None
    with stream:
        yield stream
