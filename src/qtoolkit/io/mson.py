"""MSON documents of objects made from their constructor arguments: IO, hosts, queue managers.

This is what monty's ``MSONable`` writes for upstream's IO classes, hosts and ``QueueManager``, and
what jobflow-remote stores for a scheduler (``MontyDecoder().process_decoded(doc)`` calls
``cls.from_dict``). Arguments are read back from the attribute of the same name (or ``_name``), as
``MSONable`` does; a subclass whose constructor takes ``**kwargs`` keeps them in ``self.kwargs``.
An argument that is itself such an object is written as its own document and read back from it.
"""

from __future__ import annotations

import inspect
import sys
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from qtoolkit._install_check import require_own_package
from qtoolkit.core.mson import from_dict as data_from_dict
from qtoolkit.core.mson import mson_classes

if TYPE_CHECKING:
    from collections.abc import Iterable

    from typing_extensions import Self

# A module upstream qtoolkit does not have: refuse a qtoolkit package that is upstream's.
require_own_package()

__all__ = ["MSONArguments", "io_as_dict", "io_from_dict"]

T = TypeVar("T")

# The MSONArguments classes defined in this process, by module and name as a document names them;
# held weakly, so a class defined in a function and dropped is forgotten (the newest of a name
# wins).
_DEFINED: weakref.WeakValueDictionary[tuple[str, str], type[Any]] = weakref.WeakValueDictionary()

# monty writes a Path argument as {"@module": "pathlib", "@class": "Path", "string": "..."}.
_PATH_CLASSES = frozenset({"Path", "PosixPath", "WindowsPath", "PurePath", "PurePosixPath"})


def _init_parameters(cls: type) -> tuple[list[str], bool]:
    """The named constructor parameters of ``cls`` and whether it also takes ``**kwargs``."""
    try:
        parameters = inspect.signature(cls).parameters.values()
    except ValueError:  # a class without a constructor of its own
        return [], False
    names = [
        p.name
        for p in parameters
        if p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    ]
    return names, any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def _module_version(cls: type) -> str | None:
    """The ``__version__`` of the (already imported) top-level package defining ``cls``."""
    root = sys.modules.get(cls.__module__.partition(".")[0])
    version = getattr(root, "__version__", None)
    return None if version is None else str(version)


def _document_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_document_value(item) for item in cast("Iterable[object]", value)]
    if isinstance(value, dict):
        items = cast("dict[str, object]", value).items()
        return {key: _document_value(item) for key, item in items}
    if hasattr(value, "as_dict"):
        return value.as_dict()
    return value  # a Path stays a Path, for monty's encoder or jsanitize, as MSONable leaves it


def io_as_dict(obj: object) -> dict[str, Any]:
    """The MSON document of an IO object: ``@module``, ``@class``, ``@version``, arguments."""
    cls = type(obj)
    document: dict[str, Any] = {
        "@module": cls.__module__,
        "@class": cls.__name__,
        "@version": _module_version(cls),
    }
    names, var_keyword = _init_parameters(cls)
    for name in names:
        for attribute in (name, f"_{name}"):
            if hasattr(obj, attribute):
                document[name] = _document_value(getattr(obj, attribute))
                break
        else:
            msg = (
                f"{cls.__qualname__} cannot write its MSON document: constructor argument "
                f"{name!r} is not kept as self.{name} or self._{name}"
            )
            raise NotImplementedError(msg)
    if var_keyword:
        kwargs = getattr(obj, "kwargs", {})
        document.update({key: _document_value(value) for key, value in kwargs.items()})
    return document


def io_from_dict(cls: type[T], document: object) -> T:
    """An instance of ``cls`` (or of the subclass the document names) from its MSON document.

    The subclass is looked up among the :class:`MSONArguments` classes already defined: a
    document never makes anything be imported. Unknown arguments are a ``ValueError`` naming
    them.
    """
    if not isinstance(document, Mapping):
        msg = f"expected an MSON document (a dict), got {type(document).__name__}"
        raise TypeError(msg)
    fields = cast("Mapping[str, Any]", document)
    target: type[Any] = cls
    module, name = fields.get("@module"), fields.get("@class")
    if isinstance(module, str) and isinstance(name, str):
        named = _DEFINED.get((module, name))
        if named is None or not issubclass(named, cls):
            msg = (
                f"{module}.{name} is not a {cls.__qualname__} defined in this program: "
                "import the module defining it first (a document never imports one)"
            )
            raise ValueError(msg)
        target = named
    arguments = {key: _argument(value) for key, value in fields.items() if key[:1] != "@"}
    names, var_keyword = _init_parameters(target)
    if not var_keyword and (unknown := sorted(set(arguments).difference(names))):
        msg = f"{target.__qualname__} takes no argument {', '.join(map(repr, unknown))}"
        raise ValueError(msg)
    instance: T = target(**arguments)
    return instance


def _argument(value: Any) -> Any:
    if isinstance(value, Mapping):
        mapping = cast("Mapping[str, object]", value)
        module, name = mapping.get("@module"), mapping.get("@class")
        if module == "pathlib" and name in _PATH_CLASSES:
            return Path(str(mapping.get("string", "")))
        if isinstance(module, str) and isinstance(name, str):
            # A nested document: an object given as an argument (a host's settings, a manager's
            # IO), read back as monty's decoder would, from the classes already defined only.
            if (named := _DEFINED.get((module, name))) is not None:
                return io_from_dict(named, mapping)
            data_class: type[Any] | None = mson_classes().get((module, name))
            if data_class is not None:
                data_object: object = data_from_dict(mapping, data_class)
                return data_object
            msg = (
                f"{module}.{name} is not a class defined in this program: "
                "import the module defining it first (a document never imports one)"
            )
            raise ValueError(msg)
        return {key: _argument(item) for key, item in mapping.items()}
    if isinstance(value, list):
        return [_argument(item) for item in cast("list[object]", value)]
    return value


class MSONArguments:
    """Written and read as the MSON document of its class and constructor arguments.

    The base of the IO classes, hosts, host settings and queue managers. Every subclass, the
    user's included, is known by its module and name once defined: a document naming it (at the
    top or nested as an argument) is read back into it, and a document naming any other class is
    refused, never imported.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _DEFINED[cls.__module__, cls.__name__] = cls

    def as_dict(self) -> dict[str, Any]:
        """The MSON document of this object: its class and its constructor arguments."""
        return io_as_dict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Self:
        """Build an instance from its MSON document (or a plain dict of constructor arguments).

        A document naming a subclass of ``cls`` already defined gives that subclass; nothing a
        document names is ever imported.
        """
        return io_from_dict(cls, d)
