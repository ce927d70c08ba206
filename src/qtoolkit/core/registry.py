"""The classes an MSON document may name: every qtoolkit class defined in this process.

Each subclass of ``QTKObject`` and ``QTKEnum`` (so each ``QSubState`` too) registers itself when
it is defined, this package's classes and a user's alike. Reading a document only ever looks a
class up here: a document naming a class nobody defined is refused, and no module named by a
document is ever imported.

Classes are held weakly, so a class defined in a function and dropped is forgotten with it.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["generation", "named", "register", "registered"]

# (module, class name) -> the live classes of that name, oldest first. Two classes may share a
# name: a class redefined in a test, or defined in a function called twice.
_CLASSES: dict[tuple[str, str], list[weakref.ref[type[Any]]]] = {}
_generation = 0


def register(cls: type[Any]) -> None:
    """Record ``cls`` under its module and name, as an MSON document names it."""
    global _generation  # noqa: PLW0603 - a counter the caches of derived tables compare against
    key = (cls.__module__, cls.__name__)
    refs = [ref for ref in _CLASSES.get(key, ()) if ref() is not None]
    refs.append(weakref.ref(cls))
    _CLASSES[key] = refs
    _generation += 1


def named(module: str, name: str) -> list[type[Any]]:
    """The live classes defined as ``name`` in ``module``, oldest first (usually one, or none)."""
    return [cls for ref in _CLASSES.get((module, name), ()) if (cls := ref()) is not None]


def registered() -> Iterator[type[Any]]:
    """Every live registered class, in the order the names were first defined."""
    for refs in list(_CLASSES.values()):
        for ref in refs:
            cls = ref()
            if cls is not None:
                yield cls


def generation() -> int:
    """A number that changes whenever a class is registered, for caches of derived tables."""
    return _generation
