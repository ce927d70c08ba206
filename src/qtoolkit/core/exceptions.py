"""Exceptions raised by qtoolkit."""

from __future__ import annotations

__all__ = [
    "CommandFailedError",
    "InvalidJobIDError",
    "OutputParsingError",
    "QTKError",
    "QTKException",
    "UnsupportedResourcesError",
]


class QTKException(Exception):  # noqa: N818 - the public name is fixed by the API reference
    """Base class of every exception qtoolkit raises."""


QTKError = QTKException
"""Upstream qtoolkit 0.1.7's name of the base exception, kept for existing ``except`` clauses."""


class CommandFailedError(QTKException):
    """A scheduler command failed, typically with a non-zero exit code.

    ``exit_code`` and ``stderr`` hold what the command returned, when known; the message names
    them too.
    """

    def __init__(
        self, *args: object, exit_code: int | None = None, stderr: str | None = None
    ) -> None:
        super().__init__(*args)
        self.exit_code = exit_code
        self.stderr = stderr


class OutputParsingError(QTKException):
    """The output of a scheduler command could not be understood.

    ``line`` (1-based, in the command's standard output) and ``field`` say where, when known; the
    message names them too.
    """

    def __init__(self, *args: object, line: int | None = None, field: str | None = None) -> None:
        super().__init__(*args)
        self.line = line
        self.field = field


class UnsupportedResourcesError(QTKException, ValueError):
    """The requested resources are inconsistent or not supported.

    It is also a :class:`ValueError`: msgspec turns a ``ValueError`` raised while decoding into a
    ``msgspec.ValidationError`` that names the path of the offending object, so the resource rules
    hold for decoded data exactly as for objects built in Python.
    """


class InvalidJobIDError(QTKException):
    """A job ID does not match the format the scheduler expects."""
