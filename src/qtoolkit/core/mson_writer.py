"""Writing MSON documents: what upstream qtoolkit's ``as_dict`` and monty's encoder write.

Reading them back, safely, is :mod:`.mson`'s part, which also exports these functions.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any, TypeGuard, cast

import msgspec

__all__ = ["as_dict", "json_default"]


def as_dict(obj: object) -> dict[str, Any]:
    """The MSON document of a qtoolkit object or enum member, as upstream qtoolkit writes it.

    Every field is written, ``None`` included; nested objects and enum members become documents
    of their own; values of other types (a ``Path``, the contents of ``scheduler_kwargs``) are kept
    as they are, for monty's encoder or ``jsanitize`` to handle, as upstream does.
    """
    cls = type(obj)
    document: dict[str, Any] = {
        "@module": cls.__module__,
        "@class": cls.__name__,
        "@version": _package_version(cls.__module__),
    }
    if isinstance(obj, enum.Enum):
        document["value"] = obj.value
    elif isinstance(obj, msgspec.Struct):
        for name in obj.__struct_fields__:
            document[name] = _document_value(getattr(obj, name))
    else:
        msg = f"MSON documents are written for qtoolkit objects and enums, not {cls.__name__}"
        raise TypeError(msg)
    return document


def _package_version(module: str) -> str | None:
    """The ``__version__`` of the top-level package of ``module``, as monty writes it, or None.

    The package is already imported (it defined the class being written): it is only looked up.
    """
    package = sys.modules.get(module.partition(".")[0])
    version = getattr(package, "__version__", None)
    return None if version is None else str(version)


def json_default(value: object) -> dict[str, str]:
    """Write a path as monty's ``pathlib`` document; ``default`` for ``json.dumps`` of documents.

    ``json.dumps(obj.as_dict(), default=json_default)`` gives the JSON monty's encoder writes.
    """
    if isinstance(value, PurePath):
        return {"@module": "pathlib", "@class": "Path", "string": str(value)}
    msg = f"Object of type {type(value).__name__} is not JSON serializable"
    raise TypeError(msg)


def _document_value(value: Any) -> Any:
    if _is_sequence(value):
        return [_document_value(item) for item in value]
    if isinstance(value, Mapping):
        mapping = cast("Mapping[str, Any]", value)
        return {key: _document_value(item) for key, item in mapping.items()}
    if hasattr(value, "as_dict"):
        return value.as_dict()
    return value


def _is_sequence(value: object) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    return isinstance(value, (list, tuple))
