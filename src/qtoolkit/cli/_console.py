"""What ``qtk`` prints: lines on standard output, messages on standard error."""

from __future__ import annotations

import os
import sys
from typing import IO

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_PIPE_CLOSED",
    "EXIT_USAGE",
    "error",
    "say",
    "silence",
]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
# As a shell reports a process ended by a signal: 128 + the signal's number.
EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 130, 141


def say(line: str) -> None:
    """Print ``line``; a reader that stopped listening is no reason to stop working."""
    try:
        sys.stdout.write(f"{line}\n")
        sys.stdout.flush()
    except BrokenPipeError:
        silence(sys.stdout)


def error(message: str) -> None:
    """Print ``qtk: message`` on standard error, unless it cannot be written any more."""
    try:
        sys.stderr.write(f"qtk: {message}\n")
        sys.stderr.flush()
    except OSError:
        silence(sys.stderr)


def silence(stream: IO[str]) -> None:
    """Send what is left for ``stream`` to the null device, once it cannot be written any more."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a file descriptor (an in-memory stream): nothing is left to fail
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
