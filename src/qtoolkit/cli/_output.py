"""Where ``qtk convert`` writes: standard output, an open descriptor, a device or a file.

A regular file is written under a temporary name beside it and renamed into place only once
everything was written, so a conversion that fails, is interrupted or is terminated never leaves a
partial file behind, and the file keeps its permissions. Anything that is already open or is not
a regular file is written in place: standard output (``-``), ``/dev/stdout`` and ``/dev/fd/N``
(the shell's redirections, ``>>`` included, and ``>(...)``), FIFOs and devices.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import signal
import stat
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from qtoolkit.cli._kinds import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Generator

__all__ = ["TERMINATING_SIGNALS", "open_output", "rewritable"]

# SIGTERM, and SIGHUP (the terminal went away) where there is one: not on Windows.
TERMINATING_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""The signals qtk unwinds from, removing a partial output file, rather than dying at once."""

_DESCRIPTOR_PATH = re.compile(r"/(?:dev|proc/self)/fd/(\d+)")
_STANDARD_STREAMS = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
_NAME_KEPT = 200  # bytes of the target's name in the temporary one's, which must fit in 255


@contextmanager
def open_output(path: str) -> Generator[IO[bytes], None, None]:
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
        if descriptor <= 2 and (sys.__stdin__, sys.__stdout__, sys.__stderr__)[descriptor] is None:
            msg = f"cannot write {path!r}: the stream is closed"
            raise UsageError(msg)
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
def _replacing(target: Path, shown: str) -> Generator[IO[bytes], None, None]:
    """Write a temporary file beside ``target`` and rename it over ``target`` when complete.

    The replaced file's permissions (and owner, where allowed) carry over; other hard links to it
    keep the old content, as with any tool that replaces a file.
    """
    partial: Path | None = None
    try:
        with _signals_held():  # so that a signal cannot come between creating and naming it
            handle, partial = _create_beside(target, shown)
        with os.fdopen(handle, "wb") as stream:
            yield stream
        _keep_attributes(target, partial)
        partial.replace(target)
    except BaseException:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise


def _create_beside(target: Path, shown: str) -> tuple[int, Path]:
    """A new file of a unique name beside ``target``, created with the umask's permissions."""
    kept = target.name.encode()[:_NAME_KEPT].decode(errors="ignore")
    prefix = f".{kept}."
    while True:
        partial = target.with_name(prefix + secrets.token_hex(4))
        try:
            return os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), partial
        except FileExistsError:
            continue
        except OSError as exc:
            raise _cannot_write(shown, exc) from None


@contextmanager
def _signals_held() -> Generator[None, None, None]:
    """Hold Ctrl-C and the terminating signals until the block ends (where they can be held)."""
    held = {signal.SIGINT, *TERMINATING_SIGNALS}
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _keep_attributes(target: Path, partial: Path) -> None:
    try:
        status = target.stat()
    except FileNotFoundError:
        return  # a new file: the umask decided
    os.chmod(partial, stat.S_IMODE(status.st_mode))
    with contextlib.suppress(OSError):  # only root may give a file away
        os.chown(partial, status.st_uid, status.st_gid)


@contextmanager
def _open(shown: str, opener: Callable[[], IO[bytes]]) -> Generator[IO[bytes], None, None]:
    try:
        stream = opener()
    except OSError as exc:
        raise _cannot_write(shown, exc) from None
    with stream:
        yield stream


def _cannot_write(shown: str, error: OSError) -> UsageError:
    return UsageError(f"cannot write {shown!r}: {error.strerror}")
