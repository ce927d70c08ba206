"""``qtk validate``: every error of a file, each with the path of the value at fault."""

from __future__ import annotations

import functools
from typing import IO, TYPE_CHECKING, Any, cast

import msgspec

from qtoolkit.cli._problems import Problem, problem_of
from qtoolkit.core import mson
from qtoolkit.core.codecs import Decoder, decode

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from qtoolkit.cli._kinds import Kind
    from qtoolkit.core.codecs import Format

__all__ = ["find_errors"]


def find_errors(stream: IO[bytes], fmt: str, kind: Kind) -> Iterator[Problem]:
    """Yield every error in ``stream``, not only the first: each item is checked on its own."""
    if fmt == "ndjson":
        decoder = Decoder(kind.item)
        items = 0
        for number, line in enumerate(stream, start=1):
            if line.strip():
                items += 1
                try:
                    decoder.decode(line)
                except msgspec.DecodeError as exc:
                    yield problem_of(exc, line=number)
        if not kind.collection and items != 1:
            yield Problem("$", f"expected exactly one object, got {items} lines")
        return
    data = stream.read()
    if fmt == "mson":
        yield from _mson_errors(data, kind)
        return
    codec: Format = "msgpack" if fmt == "msgpack" else "json"
    if not kind.collection:
        yield from _errors(lambda: Decoder(kind.item, format=codec).decode(data))
        return
    try:
        raw_items = Decoder(list[msgspec.Raw], format=codec).decode(data)
    except msgspec.DecodeError as exc:
        yield problem_of(exc)
        return
    item_decoder = Decoder(kind.item, format=codec)
    for index, raw in enumerate(raw_items):
        yield from _errors(functools.partial(item_decoder.decode, raw), f"$[{index}]")


def _mson_errors(data: bytes, kind: Kind) -> Iterator[Problem]:
    try:
        document: Any = decode(data, type=object)
    except msgspec.DecodeError as exc:
        yield problem_of(exc)
        return
    if not kind.collection:
        yield from _errors(lambda: mson.from_dict(document, kind.item))
        return
    if not isinstance(document, list):
        yield Problem("$", f"expected an array of MSON documents, got {type(document).__name__}")
        return
    documents = cast("Sequence[Any]", document)
    for index, item in enumerate(documents):
        yield from _errors(functools.partial(mson.from_dict, item, kind.item), f"$[{index}]")


def _errors(decode: Callable[[], object], prefix: str = "$") -> Iterator[Problem]:
    try:
        decode()
    except msgspec.DecodeError as exc:
        yield problem_of(exc, prefix)
