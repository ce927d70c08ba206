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
    """A scheduler command failed, typically with a non-zero exit code."""


class OutputParsingError(QTKException):
    """The output of a scheduler command could not be understood."""


class UnsupportedResourcesError(QTKException, ValueError):
    """The requested resources are inconsistent or not supported.

    It is also a :class:`ValueError`: msgspec turns a ``ValueError`` raised while decoding into a
    ``msgspec.ValidationError`` that names the path of the offending object, so the resource rules
    hold for decoded data exactly as for objects built in Python.
    """


class InvalidJobIDError(QTKException):
    """A job ID does not match the format the scheduler expects."""
