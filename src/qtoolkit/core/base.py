"""Base classes of every qtoolkit data object and enumeration."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

import msgspec

from qtoolkit.core import mson, registry

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema
    from typing_extensions import Self

__all__ = ["QTKEnum", "QTKObject"]


class _Interoperable:
    """MSON documents and pydantic fields, shared by the objects and the enumerations."""

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every subclass, this package's or a user's, becomes a class MSON documents may name.
        super().__init_subclass__(**kwargs)
        registry.register(cls)

    def as_dict(self) -> dict[str, Any]:
        """The MSON document upstream qtoolkit writes for this value (see :mod:`.mson`)."""
        return mson.as_dict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Self:
        """Read an MSON document or a plain dict of fields, validated (see :mod:`.mson`)."""
        return mson.from_dict(d, cls)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        from qtoolkit.core.pydantic_support import pydantic_core_schema  # noqa: PLC0415

        return pydantic_core_schema(source, handler)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        from qtoolkit.core.pydantic_support import json_schema_of  # noqa: PLC0415

        return json_schema_of(schema, handler)


class QTKObject(_Interoperable, msgspec.Struct, omit_defaults=True, repr_omit_defaults=True):
    """Base of every qtoolkit data object.

    A statically typed, mutable :class:`msgspec.Struct`: instances compare by value, pickle, copy
    and encode to JSON or MessagePack without any per-object Python code.

    Encoding leaves out fields that hold their default (``None``), so a sparse job costs only the
    bytes of what is known about it; decoding fills them in again. ``repr`` leaves them out too.
    """


class QTKEnum(_Interoperable, Enum):
    """Base of every qtoolkit enumeration."""
