"""pydantic v2 support: qtoolkit objects and enums as fields of a ``BaseModel``.

pydantic finds it through ``__get_pydantic_core_schema__`` on the base classes; nothing imports
pydantic unless pydantic itself asks (it is the optional ``pydantic`` extra). A field accepts an
instance, a plain dict of fields (or, for an enum, a value or alias) and an MSON document. Python
dumps give what upstream qtoolkit's dataclasses give there: an object is a dict of every field,
``None`` included, nested objects dicts too, while enum members, paths and other values are kept.
JSON dumps write the same form as :func:`qtoolkit.core.codecs.encode`.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeGuard, cast

import msgspec

from qtoolkit.core import mson
from qtoolkit.core._every_error import every_error
from qtoolkit.core.filepath import encode_path

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema, core_schema

__all__ = ["json_schema_of", "pydantic_core_schema"]

_SOURCE = "qtoolkit_source"  # where the core schema keeps the type it validates


def pydantic_core_schema(source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
    """The pydantic core schema of a qtoolkit class, or of ``QJob[SomeState]``."""
    from pydantic_core import core_schema  # noqa: PLC0415 - pydantic is optional

    del handler  # validation is msgspec's, not built from pydantic's own schemas
    cls: type[Any] = typing.get_origin(source) or source
    # A bare QJob or QSubState does not say which scheduler's states it holds: its JSON form is
    # then the MSON document, which names the sub-state class, so that it reads back the same.
    as_document = _scheduler_unknown(source)

    def validate(value: Any) -> Any:
        return _validate(value, source, cls)

    def serialize(value: Any, info: core_schema.SerializationInfo) -> Any:
        if not info.mode_is_json():
            return _python_form(value)
        if as_document:
            return msgspec.to_builtins(value.as_dict(), enc_hook=encode_path)
        return msgspec.to_builtins(value, enc_hook=encode_path)

    serialization = core_schema.plain_serializer_function_ser_schema(
        serialize, info_arg=True, when_used="always"
    )
    general = core_schema.no_info_plain_validator_function(validate)
    if issubclass(cls, enum.Enum) and not as_document:
        # Members and canonical values are validated and serialized by pydantic's own compiled
        # enum schema; only aliases and MSON documents reach the Python validator.
        native = core_schema.enum_schema(cls, list(cls))
        return core_schema.union_schema(
            [native, general], mode="left_to_right", metadata={_SOURCE: source}
        )
    return core_schema.no_info_plain_validator_function(
        validate, serialization=serialization, metadata={_SOURCE: source}
    )


def json_schema_of(schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
    """The JSON Schema pydantic shows for a qtoolkit field: msgspec's, with definitions inlined."""
    del handler
    source = schema.get("metadata", {})[_SOURCE]
    if _scheduler_unknown(source):
        name = getattr(source, "__name__", "object")
        return {
            "type": "object",
            "title": name,
            "description": f"The MSON document of a {name}, whose sub-state names its scheduler.",
            "required": ["@module", "@class"],
        }
    from qtoolkit.core.schema import schema_components  # noqa: PLC0415 - only pydantic needs it

    (root,), components = schema_components([source], ref_template="{name}")
    inlined: JsonSchemaValue = _inline(root, components)
    return inlined


def _python_form(value: object) -> Any:
    """``value`` as ``dataclasses.asdict`` gives it: objects as dicts, containers copied."""
    if isinstance(value, msgspec.Struct):
        fields = {name: _python_form(getattr(value, name)) for name in value.__struct_fields__}
        config = value.__struct_config__
        if config.tag_field is None:
            return fields
        # A tagged class (a result) keeps its tag, as in JSON, so a union of them reads back.
        return {config.tag_field: config.tag, **fields}
    if _is_dict(value):
        return {_python_form(key): _python_form(item) for key, item in value.items()}
    if _is_list(value):
        return [_python_form(item) for item in value]
    if _is_tuple(value):
        return tuple(_python_form(item) for item in value)
    return value


def _is_dict(value: object) -> TypeGuard[dict[Any, Any]]:
    return isinstance(value, dict)


def _is_list(value: object) -> TypeGuard[list[Any]]:
    return isinstance(value, list)


def _is_tuple(value: object) -> TypeGuard[tuple[Any, ...]]:
    return isinstance(value, tuple)


def _validate(value: Any, source: Any, cls: type[Any]) -> Any:
    if isinstance(value, cls):
        if source is not cls:  # QJob[SlurmState]: the instance must hold that scheduler's state
            (states,) = typing.get_args(source)
            sub_state = value.sub_state
            if sub_state is not None and not isinstance(sub_state, states):
                msg = f"expected a {states.__name__} sub-state, got {sub_state!r}"
                raise ValueError(msg)
        return value
    if isinstance(value, Mapping):
        document = cast("Mapping[str, Any]", value)
        try:
            return mson.from_dict(document, source)
        except msgspec.ValidationError as exc:
            raise _every_error(cls, document, source, exc) from None
    if issubclass(cls, enum.Enum) and not _scheduler_unknown(source):
        return msgspec.convert(value, type=cls)
    msg = f"expected a {cls.__name__}, a dict of its fields or its MSON document"
    if _scheduler_unknown(source):
        msg = f"a bare {cls.__name__} needs an MSON document naming its scheduler's sub-state"
    raise ValueError(msg)


def _every_error(
    cls: type[Any], document: Mapping[str, Any], source: Any, first: msgspec.ValidationError
) -> Exception:
    """A pydantic ValidationError listing each problem of ``document`` at its ``loc``."""
    from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError  # noqa: PLC0415

    def read(document: Mapping[str, Any]) -> object:
        return mson.from_dict(document, source)

    details = [
        InitErrorDetails(
            type=PydanticCustomError("qtoolkit", "{reason}", {"reason": reason}),
            loc=loc,
            input=value,
        )
        for loc, reason, value in every_error(document, read, first)
    ]
    return ValidationError.from_exception_data(cls.__name__, details)


def _scheduler_unknown(source: Any) -> bool:
    from qtoolkit.core.data_objects import QSubState  # noqa: PLC0415

    return source is QSubState or bool(getattr(source, "__parameters__", ()))


def _inline(schema: Any, components: Mapping[str, Any]) -> Any:
    """Replace each ``{"$ref": name}`` with its definition (qtoolkit's types are not recursive)."""
    if isinstance(schema, dict):
        schema = cast("dict[str, Any]", schema)
        if set(schema) == {"$ref"}:
            return _inline(components[schema["$ref"]], components)
        # A discriminator maps tags to refs, which no longer exist once inlined.
        return {
            key: _inline(value, components)
            for key, value in schema.items()
            if key != "discriminator"
        }
    if isinstance(schema, list):
        return [_inline(item, components) for item in cast("Iterable[Any]", schema)]
    return schema
