"""Base classes of every qtoolkit data object and enumeration."""

from __future__ import annotations

from enum import Enum

import msgspec

__all__ = ["QTKEnum", "QTKObject"]


class QTKObject(msgspec.Struct, omit_defaults=True, repr_omit_defaults=True):
    """Base of every qtoolkit data object.

    A statically typed, mutable :class:`msgspec.Struct`: instances compare by value, pickle, copy
    and encode to JSON or MessagePack without any per-object Python code.

    Encoding leaves out fields that hold their default (``None``), so a sparse job costs only the
    bytes of what is known about it; decoding fills them in again. ``repr`` leaves them out too.
    """


class QTKEnum(Enum):
    """Base of every qtoolkit enumeration."""
