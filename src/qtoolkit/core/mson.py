"""MSON documents, the ``@module``/``@class``/``@version`` dicts of monty, without monty.

:func:`as_dict` writes the document upstream qtoolkit writes for an equal object, so documents
already stored (``QResources.as_dict()`` in a workflow database) and new ones are interchangeable.

:func:`from_dict` reads such documents safely: ``@module``/``@class`` are looked up among the
classes defined in this process (:mod:`.registry`: this package's, and any subclass a user defined,
plus ``pathlib`` paths, which monty writes for ``Path`` values). No module named by a document is
ever imported; a document naming a class nobody defined is an error. The fields then go through
:func:`msgspec.convert`, so every value is validated and an error names its path
(``$.info.cpus``); a count written as decimal text (``"nodes": "2"``, as upstream stored a
QResources built from a command line's strings) reads as its number. Fields missing from a
document take their defaults. A field the class does not have is an error naming it, as
upstream's ``from_dict`` refused it: nothing given is silently dropped, and a pydantic union such
as ``QResources | dict`` keeps a dict of other keys as a dict.
(The JSON and MessagePack decoders instead ignore unknown fields, for forward compatibility of
stored payloads; see ``tests/data/wire/POLICY.md``.)

Writing lives in :mod:`.mson_writer`; this module exports both halves.
"""

from __future__ import annotations

import enum
import functools
import types
import typing
import weakref
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path, PurePath
from typing import Any, TypeGuard, TypeVar, overload

import msgspec

from qtoolkit.core import registry
from qtoolkit.core.constraints import Count, Memory, Seconds, count_from_text
from qtoolkit.core.filepath import FILE_PATH_META
from qtoolkit.core.mson_writer import as_dict, json_default

__all__ = ["as_dict", "count_fields", "from_dict", "json_default", "mson_classes"]

T = TypeVar("T")

# monty writes a Path as {"@module": "pathlib", "@class": "Path", "string": "..."}.
_PATH_CLASSES = frozenset({"Path", "PosixPath", "WindowsPath"})


def _is_mapping(value: object) -> TypeGuard[Mapping[str, Any]]:
    """Whether ``value`` is a mapping; its keys are field names or checked where used."""
    return isinstance(value, Mapping)


def _is_sequence(value: object, *, tuples: bool = True) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    return isinstance(value, (list, tuple) if tuples else list)


class _Untyped:
    """Marks a field of arbitrary content (``scheduler_kwargs``): documents in it become objects."""


class _Plain:
    """Marks a field of plain values (str, int...)."""


class _FilePath:
    """Marks a path field, whose value may be given as a pathlib document."""


class _Count:
    """Marks a count, memory or time field, whose value may be given as decimal text."""


_COUNT_TYPES = (Count, Memory, Seconds)


def mson_classes() -> Mapping[tuple[str, str], type]:
    """``(@module, @class)`` of every class an MSON document may name, and the class it names.

    These are the classes defined so far (see :mod:`.registry`); of two live classes sharing a
    module and name, the newer is listed.
    """
    return {(cls.__module__, cls.__name__): cls for cls in registry.registered()}


@overload
def from_dict(document: Mapping[str, Any], cls: type[T], *, path: str = "$") -> T: ...


@overload
def from_dict(document: Mapping[str, Any], cls: Any, *, path: str = "$") -> Any: ...


def from_dict(document: Mapping[str, Any], cls: Any, *, path: str = "$") -> Any:
    """Read an MSON document (or a plain dict of fields) as an instance of ``cls``.

    A document naming a subclass of ``cls`` gives that subclass (``OperationResult`` reads a
    ``SubmissionResult`` document). ``cls`` may be a union of results (``AnyResult``): a document
    names its class, a plain dict its tag (``"type": "CancelResult"``). ``cls`` may be a
    parametrized ``QJob[SlurmState]``: a plain dict may then give its sub-state as a plain value,
    and a sub-state document of another scheduler is an error. A bare ``QJob`` learns its
    scheduler from the sub-state's document. Raises :class:`msgspec.ValidationError`, a
    ``ValueError``, naming the path of anything invalid or unknown; ``path`` says where the
    document sits (the ``$[3]`` of an element of a list) for those messages.
    """
    try:
        return _read(document, cls, path)
    except RecursionError:
        raise _invalid(path, "the document is nested too deeply to read") from None


def _read(document: Any, expected: Any, path: str) -> Any:
    if not _is_mapping(document):
        raise _invalid(path, f"expected an MSON document (a dict), got `{type(document).__name__}`")
    if _is_union(expected):
        expected = _union_member(document, typing.get_args(expected), path)
    origin = typing.get_origin(expected) or expected
    if _is_document(document):
        cls = _document_class(document, origin, path)
    else:
        cls = _tagged_subclass(document, origin)
    if issubclass(cls, enum.Enum):
        if "value" not in document:
            raise _invalid(path, "an enum document needs a `value`")
        return _convert(document["value"], _with_members(cls, path), path)
    plain = _plain_fields(document, cls, path)
    target: Any = cls
    if expected is not origin and cls is origin:
        target = expected  # parametrized by the caller
        _check_scheduler(*_sub_state_in(document, path), typing.get_args(expected))
    elif _is_generic(cls):
        # A QJob's sub-state document names the scheduler enum the job is parametrized with.
        generic: Any = cls  # a Generic class, which type[Any] does not say
        target = generic[_sub_state_class(*_sub_state_in(document, path))]
    obj = _convert(plain, target, path)
    # Path fields hold a ``str`` on the wire; a Path given, or a path document, comes back a Path.
    for name, value in document.items():
        if name in plain and isinstance(value, PurePath):
            setattr(obj, name, value)
        elif name in plain and _is_mapping(value) and _is_path_document(value):
            setattr(obj, name, Path(plain[name]))
    return obj


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


@functools.lru_cache(maxsize=1)
def _tags(generation: int) -> Mapping[str, type[msgspec.Struct]]:
    del generation  # the cache key: the table is rebuilt when a class is defined
    return {
        cls.__struct_config__.tag: cls
        for cls in registry.registered()
        if issubclass(cls, msgspec.Struct) and isinstance(cls.__struct_config__.tag, str)
    }


def _tagged_classes() -> Mapping[str, type[msgspec.Struct]]:
    """The registered tagged classes (the results), by the tag their encoding carries."""
    return _tags(registry.generation())


def _tagged_subclass(document: Mapping[str, Any], cls: Any) -> Any:
    """The subclass of ``cls`` a plain dict names by its tag, as a document names it by @class.

    ``OperationResult`` reads ``{"type": "SubmissionResult", ...}`` as a SubmissionResult.
    """
    config = getattr(cls, "__struct_config__", None)
    if config is None or config.tag_field is None:
        return cls
    tag = document.get(config.tag_field)
    named = _tagged_classes().get(tag) if isinstance(tag, str) else None
    # A tag that names no subclass is left for msgspec to reject, at its path.
    return named if named is not None and issubclass(named, cls) else cls


def _union_member(document: Mapping[str, Any], members: tuple[Any, ...], path: str) -> Any:
    """The member of a union of tagged Structs (``AnyResult``) that ``document`` stands for.

    An MSON document names its class; a plain dict of fields names it with its tag.
    """
    names = " | ".join(member.__name__ for member in members)
    if _is_document(document):
        cls = _document_class(document, object, path)
        if cls not in members:
            raise _invalid(path, f"expected a `{names}` document, got `{cls.__name__}`")
        return cls
    tag_field = members[0].__struct_config__.tag_field
    if tag_field not in document:
        raise _invalid(path, f"Object missing required field `{tag_field}` (or an MSON `@class`)")
    tag = document[tag_field]
    named = _tagged_classes().get(tag) if isinstance(tag, str) else None
    if named not in members:
        raise _invalid(f"{path}.{tag_field}", f"Invalid value {tag!r}: expected one of {names}")
    return named


def _plain_fields(document: Mapping[str, Any], cls: type[Any], path: str) -> dict[str, Any]:
    """The fields of a document in the plain form msgspec decodes, nested documents resolved."""
    kinds = _field_kinds(cls)
    tag_field = cls.__struct_config__.tag_field
    _refuse_unknown_fields(document, cls, kinds.keys() | {tag_field}, path)
    plain: dict[str, Any] = {}
    for name, value in document.items():
        kind = kinds.get(name)
        if kind is None:
            if name == tag_field:
                plain[name] = value  # a result's "type" tag: msgspec checks it names ``cls``
            continue  # "@module" and friends
        field_path = f"{path}.{name}"
        if kind is _Untyped:
            plain[name] = _untyped_value(value, field_path)
        elif kind is _FilePath and isinstance(value, PurePath):
            plain[name] = str(value)
        elif kind is _Plain and _is_sequence(value, tuples=False):
            plain[name] = _plain_items(list(value), field_path)
        elif not _is_mapping(value):
            plain[name] = _number_of(value) if kind is _Count else value
        elif kind is _FilePath and _is_path_document(value):
            plain[name] = _path_string(value, field_path)
        elif kind in (_Plain, _FilePath, _Count):
            raise _invalid(field_path, "expected a plain value, got a document")
        elif issubclass(kind, enum.Enum):
            enum_class = _document_class(value, kind, field_path)
            if "value" not in value:
                raise _invalid(field_path, "an enum document needs a `value`")
            plain[name] = _convert(
                value["value"], _with_members(enum_class, field_path), field_path
            )
        else:
            nested = _document_class(value, kind, field_path) if _is_document(value) else kind
            plain[name] = _plain_fields(value, nested, field_path)
    return plain


def _number_of(value: object) -> object:
    """A count written as decimal text as its number; anything else as is, for msgspec to judge."""
    number = count_from_text(value) if isinstance(value, str) else None
    return value if number is None else number


def _plain_items(items: list[Any], path: str) -> list[Any]:
    """A list of values, its documents (the records of a SnapshotChanges) as plain fields."""
    plain: list[Any] = []
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        if _is_mapping(item) and _is_document(item):
            item = _plain_fields(item, _document_class(item, object, item_path), item_path)  # noqa: PLW2901
        plain.append(item)
    return plain


def _refuse_unknown_fields(
    document: Mapping[Any, Any], cls: type[Any], fields: AbstractSet[object], path: str
) -> None:
    """Refuse keys ``cls`` has no field for, as upstream did; monty's ``@`` keys are not fields."""
    unknown = [
        f"`{name}`"
        for name in document
        if name not in fields and not (isinstance(name, str) and name.startswith("@"))
    ]
    if unknown:
        message = f"{cls.__name__} has no field {', '.join(unknown)}: unknown fields are refused"
        raise _invalid(path, message)


def _untyped_value(value: Any, path: str) -> Any:
    if _is_mapping(value):
        if _is_path_document(value):
            return Path(_path_string(value, path))
        if _is_document(value):
            return _read(value, object, path)
        return {key: _untyped_value(item, f"{path}.{key}") for key, item in value.items()}
    if _is_sequence(value, tuples=False):
        return [_untyped_value(item, f"{path}[{index}]") for index, item in enumerate(value)]
    return value


def _convert(value: Any, target: Any, path: str) -> Any:
    try:
        return msgspec.convert(value, type=target)
    except msgspec.ValidationError as exc:
        # placement imports the base classes, which import this module.
        from qtoolkit.core.placement import explain_placement_error  # noqa: PLC0415

        # msgspec names paths from the value it was given; prefix where that value sits.
        message = str(exc)
        head, sep, inner = message.rpartition(" - at `$")
        if sep and path == "$":
            raise explain_placement_error(exc) from None
        raise explain_placement_error(
            msgspec.ValidationError(
                f"{head} - at `{path}{inner}" if sep else f"{message} - at `{path}`"
            )
        ) from None


def _with_members(cls: type[enum.Enum], path: str) -> type[enum.Enum]:
    """``cls`` itself, unless it has no members to read (the bare ``QSubState``)."""
    if not len(cls):
        raise _invalid(
            path, f"{cls.__name__} has no members: name a scheduler's sub-state class instead"
        )
    return cls


def _is_document(value: Mapping[str, Any]) -> bool:
    return "@class" in value or "@module" in value


def _is_path_document(value: Mapping[str, Any]) -> bool:
    return value.get("@module") == "pathlib" and value.get("@class") in _PATH_CLASSES


def _path_string(document: Mapping[str, Any], path: str) -> str:
    string = document.get("string")
    if not isinstance(string, str):
        raise _invalid(path, "a pathlib document needs a `string`")
    return string


def _document_class(document: Mapping[str, Any], expected: type[Any], path: str) -> type[Any]:
    """The class a document names, among those defined, that is a subclass of ``expected``.

    Of several live classes of that module and name, ``expected`` itself is the one the caller
    means (``SomeState.from_dict`` of a class defined again since).
    """
    module, name = document.get("@module"), document.get("@class")
    defined = []
    if isinstance(module, str) and isinstance(name, str):
        defined = registry.named(module, name)
    if not defined:
        raise _invalid(
            path,
            f"unknown MSON class `{module}.{name}`: only classes defined in this process are "
            "read (qtoolkit's, and subclasses of its classes), no module named by a document "
            "is imported",
        )
    matching = [cls for cls in defined if issubclass(cls, expected)]
    if not matching:
        raise _invalid(path, f"expected a `{expected.__name__}` document, got `{module}.{name}`")
    if len(matching) == 1:
        return matching[0]
    if expected in matching:
        return expected
    raise _invalid(
        path,
        f"{len(matching)} classes named `{module}.{name}` are defined: read the document with "
        "the from_dict of the one meant",
    )


def _sub_state_in(document: Mapping[str, Any], path: str) -> tuple[Any, str]:
    """The first sub-state a generic object's document holds, and its path.

    A QJob holds its own; a record of a change holds its job's, one level down.
    """
    value = document.get("sub_state")
    if value is not None:
        return value, f"{path}.sub_state"
    for name, nested in document.items():
        items: list[Any] = list(nested) if _is_sequence(nested, tuples=False) else [nested]
        for index, item in enumerate(items):
            if _is_mapping(item) and not _is_path_document(item):
                where = f"{path}.{name}" + (
                    f"[{index}]" if _is_sequence(nested, tuples=False) else ""
                )
                found, where = _sub_state_in(item, where)
                if found is not None:
                    return found, where
    return None, f"{path}.sub_state"


def _check_scheduler(sub_state: Any, path: str, parameters: tuple[Any, ...]) -> None:
    """A sub-state document must name the scheduler a ``QJob[...]`` was asked for."""
    if not (_is_mapping(sub_state) and _is_document(sub_state)):
        return  # a plain value is read as the expected scheduler's, or rejected by msgspec
    (expected,) = parameters
    found = _sub_state_class(sub_state, path)
    if not issubclass(found, expected):
        raise _invalid(path, f"expected a `{expected.__name__}`, got `{found.__name__}`")


def _sub_state_class(sub_state: Any, path: str) -> Any:
    from qtoolkit.core.data_objects import QSubState  # noqa: PLC0415

    if sub_state is None:
        # No sub-state to read: the parameter only has to be one msgspec can build a decoder for.
        return Any
    if isinstance(sub_state, QSubState):
        return type(sub_state)
    if _is_mapping(sub_state) and _is_document(sub_state):
        return _document_class(sub_state, QSubState, path)
    raise _invalid(
        path,
        "a plain sub-state value does not say its scheduler: give its MSON document "
        "or decode with a typed decoder, e.g. decode(data, type=QJob[SlurmState])",
    )


def _invalid(path: str, message: str) -> msgspec.ValidationError:
    return msgspec.ValidationError(f"{message} - at `{path}`")


# Weak keys: a user's class defined in a function may be dropped, and its kinds with it.
_FIELD_KINDS: weakref.WeakKeyDictionary[type[Any], dict[str, type[Any]]] = (
    weakref.WeakKeyDictionary()
)


def _field_kinds(cls: type[Any]) -> dict[str, type[Any]]:
    """For each field of ``cls``: its enum or Struct class, or a marker class for the others."""
    kinds = _FIELD_KINDS.get(cls)
    if kinds is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        kinds = _FIELD_KINDS[cls] = {name: _kind_of(hints[name]) for name in cls.__struct_fields__}
    return kinds


def count_fields(cls: type[Any]) -> tuple[str, ...]:
    """The fields of the Struct ``cls`` typed as a count, a memory or a time.

    Those typed ``Count``, ``Memory`` or ``Seconds`` (:mod:`.constraints`): the fields a document
    may give as decimal text.
    """
    return tuple(name for name, kind in _field_kinds(cls).items() if kind is _Count)


def _kind_of(annotation: Any) -> type[Any]:
    for arg in typing.get_args(annotation) if _is_union(annotation) else (annotation,):
        origin = typing.get_origin(arg)
        if isinstance(origin, type) and issubclass(origin, msgspec.Struct):
            return origin  # a change's QJob[SubStateT] is read as a QJob
        if FILE_PATH_META in getattr(arg, "__metadata__", ()):
            return _FilePath
        if arg in _COUNT_TYPES:
            return _Count
        if isinstance(arg, TypeVar):
            arg = arg.__bound__  # noqa: PLW2901 - QJob's sub-state TypeVar stands for its bound
        if isinstance(arg, type) and issubclass(arg, (enum.Enum, msgspec.Struct)):
            return arg
        if arg is Any or typing.get_origin(arg) is dict:
            return _Untyped
    return _Plain


def _is_generic(cls: type[Any]) -> bool:
    return bool(getattr(cls, "__parameters__", ()))
