"""The type of the file-path fields of :class:`~qtoolkit.core.data_objects.QResources`.

Callers may store a ``str`` or a :class:`pathlib.Path`; the wire always holds a plain string.
msgspec cannot decode the union ``str | Path``, so the runtime annotation is ``str`` (what the
decoders produce) while type checkers see ``str | Path``. A ``Path`` that a caller stores is kept as
it is, never silently converted, and the project's encoders write it as its string through
:func:`encode_path` (called by msgspec only for values it cannot encode natively, so it costs
nothing on the hot path).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any, cast

import msgspec

__all__ = ["FILE_PATH_META", "FilePath", "encode_path"]

FILE_PATH_META = msgspec.Meta(description="A file path, written as a string.")
"""Marks the path fields at run time (for the JSON Schema and MSON's path documents)."""

if TYPE_CHECKING:
    from pathlib import Path
    from typing import TypeAlias

    FilePath: TypeAlias = str | Path
else:
    FilePath = Annotated[str, FILE_PATH_META]


def encode_path(obj: Any) -> str:
    """Return the string of a path-like object; msgspec ``enc_hook`` for :data:`FilePath` fields."""
    name = type(obj).__name__
    if isinstance(obj, os.PathLike):
        path = os.fspath(cast("os.PathLike[str] | os.PathLike[bytes]", obj))
        if isinstance(path, str):
            return path
    msg = f"Encoding objects of type {name} is unsupported"
    raise TypeError(msg)
