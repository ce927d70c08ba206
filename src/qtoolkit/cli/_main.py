"""The ``qtk`` command: running one command, with the exit statuses and streams users rely on.

Exit status: 0 on success, 1 when the data is invalid, 2 for a usage error (a bad option, a file
that cannot be read or written). A run cut short reports as a shell does for a signal: 141 when
the reader of standard output went away first, 130 when interrupted, 143 when terminated, 129
when the terminal hung up. User errors print a message, never a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING

import msgspec

from qtoolkit.cli._commands import parser
from qtoolkit.cli._console import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_PIPE_CLOSED,
    EXIT_USAGE,
    error,
    silence,
)
from qtoolkit.cli._kinds import InvalidDataError, UsageError
from qtoolkit.cli._output import TERMINATING_SIGNALS

if TYPE_CHECKING:
    from collections.abc import Generator, Sequence
    from types import FrameType

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``qtk`` with ``argv`` (default: the command line) and return its exit status."""
    try:
        status = _main(argv)
    except SystemExit as exc:  # --help, --version and usage errors, from argparse
        failed = _settle_standard_streams()
        if failed is None or exc.code not in (0, None):
            raise
        raise SystemExit(_unwritten(failed)) from None
    except BaseException:
        _settle_standard_streams()
        raise
    failed = _settle_standard_streams()
    return status if failed is None or status != EXIT_OK else _unwritten(failed)


def _main(argv: Sequence[str] | None) -> int:
    command_line = parser()
    args = command_line.parse_args(argv)
    _replace_closed_streams()
    with _terminate_as_exit():
        try:
            status: int = args.run(args)
            # What is still buffered fails here, while the failure can still be reported.
            sys.stdout.flush()
        except UsageError as exc:
            command_line.exit(EXIT_USAGE, f"qtk: error: {exc}\n")
        except msgspec.DecodeError as exc:
            error(f"invalid data: {exc}")
            return EXIT_INVALID
        except InvalidDataError as exc:
            error(str(exc))
            return EXIT_INVALID
        except BrokenPipeError:
            # The reader went away before the end (``qtk convert ... - | head``): stop quietly,
            # and say the output is incomplete as a process ended by SIGPIPE would.
            silence(sys.stdout)
            return EXIT_PIPE_CLOSED
        except OSError as exc:  # a disk full, a device that fails: not the data's fault
            where = f" ({exc.filename})" if exc.filename else ""
            error(f"error: {exc.strerror or exc}{where}")
            return EXIT_USAGE
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
    return status


def _settle_standard_streams() -> OSError | None:
    """Flush standard output and error for the last time; the error of standard output, if any.

    A stream that cannot take its last bytes (a full disk, a reader gone) is pointed at the null
    device: otherwise the interpreter's own flush at exit fails again, prints "Exception ignored"
    and changes the exit status to 120. Whether a buffer is left at all depends on the
    environment (``PYTHONUNBUFFERED``), so this runs always.
    """
    failed = None
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError) as exc:  # ValueError: a stream closed already
            if stream is sys.stdout and isinstance(exc, OSError):
                failed = exc
            silence(stream)
    return failed


def _unwritten(failure: OSError) -> int:
    """The exit status of a run whose last output could not be written."""
    if isinstance(failure, BrokenPipeError):
        return EXIT_PIPE_CLOSED
    error(f"error: {failure.strerror or failure}")
    return EXIT_USAGE


def _replace_closed_streams() -> None:
    """A stream the shell closed (``>&-``) is None in ``sys``; write such output nowhere."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process


@contextmanager
def _terminate_as_exit() -> Generator[None, None, None]:
    """Let the terminating signals unwind like an exception, so a partial output is removed."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may handle signals
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {signum: signal.signal(signum, terminate) for signum in TERMINATING_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
