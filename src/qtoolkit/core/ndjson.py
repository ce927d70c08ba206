"""Newline-delimited JSON: one object per line, written and read as a stream.

A poller can append each sweep to a log, and a reader can walk a snapshot of millions of jobs
holding one line at a time. JSON never contains a raw newline inside a value, so each line is one
complete document.
"""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any, TypeVar, overload

import msgspec

from qtoolkit.core.codecs import Decoder
from qtoolkit.core.filepath import encode_path

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import TypeAlias

    Source: TypeAlias = str | os.PathLike[str] | IO[bytes] | Iterable[bytes | str]

__all__ = ["iter_ndjson", "read_ndjson", "write_ndjson"]

T = TypeVar("T")

_FLUSH_BYTES = 1 << 20  # write in chunks of about a megabyte


def write_ndjson(objects: Iterable[Any], stream: IO[bytes]) -> int:
    """Write each object as one line of JSON to the binary ``stream``; return how many.

    Lines are encoded into one reused buffer and written in chunks of about a megabyte, so memory
    stays flat however many objects the iterable yields.
    """
    encoder = msgspec.json.Encoder(enc_hook=encode_path)
    buffer = bytearray()
    count = 0
    for obj in objects:
        encoder.encode_into(obj, buffer, -1)
        buffer += b"\n"
        count += 1
        if len(buffer) >= _FLUSH_BYTES:
            stream.write(buffer)
            buffer.clear()
    if buffer:
        stream.write(buffer)
    return count


@overload
def iter_ndjson(source: Source, *, type: type[T]) -> Iterator[T]: ...


@overload
def iter_ndjson(source: Source, *, type: Any) -> Iterator[Any]: ...


def iter_ndjson(source: Source, *, type: Any) -> Iterator[Any]:
    """Yield one decoded ``type`` per non-blank line of ``source``, lazily.

    ``source`` is a file path (``str`` or ``os.PathLike``), a binary file, or any iterable of lines
    (``bytes`` or ``str``). An error names its line and the path inside it
    (``line 3: Expected `int`, got `str` - at `$.info.cpus```) and keeps msgspec's exception type;
    the objects of earlier lines have already been yielded.
    """
    decoder: Decoder[Any] = Decoder(type)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as stream:
            yield from _decode_lines(decoder, stream)
    else:
        yield from _decode_lines(decoder, source)


@overload
def read_ndjson(source: Source, *, type: type[T]) -> list[T]: ...


@overload
def read_ndjson(source: Source, *, type: Any) -> list[Any]: ...


def read_ndjson(source: Source, *, type: Any) -> list[Any]:
    """Decode every line of ``source`` into a list: all of them, or an error and nothing."""
    return list(iter_ndjson(source, type=type))


def _decode_lines(decoder: Decoder[Any], lines: Iterable[bytes | str]) -> Iterator[Any]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield decoder.decode(line)
        except msgspec.DecodeError as exc:
            # Same class (DecodeError or ValidationError), so callers catch what msgspec raises.
            raise type(exc)(f"line {number}: {exc}") from exc
