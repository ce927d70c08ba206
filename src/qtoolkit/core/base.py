"""Base classes of every qtoolkit data object and enumeration."""

from __future__ import annotations

from enum import Enum

import msgspec

__all__ = ["QTKEnum", "QTKObject"]


class QTKObject(msgspec.Struct):
    """Base of every qtoolkit data object.

    A statically typed, mutable :class:`msgspec.Struct`: instances compare by value, pickle, copy
    and encode to JSON or MessagePack without any per-object Python code.
    """


class QTKEnum(Enum):
    """Base of every qtoolkit enumeration."""
