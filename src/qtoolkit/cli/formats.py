"""Reading and writing job files in JSON, MessagePack, NDJSON and MSON, as streams where possible.

NDJSON is read one line at a time and every format is written item by item, so converting from
NDJSON holds one item in memory. A JSON, MessagePack or MSON input is a single document and is
read whole (msgspec decodes it in one pass).
"""

from __future__ import annotations

import os
import struct
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import msgspec

from qtoolkit.cli.kinds import UsageError
from qtoolkit.cli.progress import progress
from qtoolkit.core import mson
from qtoolkit.core.codecs import Decoder, decode
from qtoolkit.core.filepath import encode_path
from qtoolkit.core.ndjson import iter_ndjson, write_ndjson

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from qtoolkit.cli.kinds import Kind

__all__ = [
    "FORMATS",
    "infer_format",
    "open_input",
    "open_output",
    "read_items",
    "write_items",
]

FORMATS = ("json", "msgpack", "ndjson", "mson")
_EXTENSIONS = {
    ".json": "json",
    ".msgpack": "msgpack",
    ".mpk": "msgpack",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}
_FLUSH_BYTES = 1 << 20


def infer_format(path: str, explicit: str | None, option: str) -> str:
    """The format named by ``--from``/``--to``, or else by the file's extension."""
    if explicit is not None:
        return explicit
    if path == "-":
        msg = f"{option} is needed with '-' (standard input or output)"
        raise UsageError(msg)
    suffix = Path(path).suffix.lower()
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        known = ", ".join(sorted(_EXTENSIONS))
        msg = f"cannot tell the format of {path!r} from its extension ({known}); give {option}"
        raise UsageError(msg) from None


@contextmanager
def open_input(path: str) -> Iterator[tuple[IO[bytes], int | None]]:
    """Yield the binary stream to read and its size when known; ``-`` is standard input."""
    if path == "-":
        yield sys.stdin.buffer, None
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        msg = f"cannot read {path!r}: {exc.strerror}"
        raise UsageError(msg) from None
    with stream:
        yield stream, os.fstat(stream.fileno()).st_size


@contextmanager
def open_output(path: str) -> Iterator[IO[bytes]]:
    """Yield the binary stream to write; ``-`` is standard output.

    A file is written under a temporary name and renamed into place only when everything was
    written, so a failed conversion never leaves a partial file behind.
    """
    if path == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    try:
        stream = open(partial, "wb")  # noqa: SIM115 - closed below
    except OSError as exc:
        msg = f"cannot write {path!r}: {exc.strerror}"
        raise UsageError(msg) from None
    try:
        with stream:
            yield stream
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)


def read_items(stream: IO[bytes], size: int | None, fmt: str, kind: Kind) -> Iterator[Any]:
    """Yield the items of ``stream``: each job or result of a list, or the single object."""
    if fmt == "ndjson":
        with progress(size, "reading") as advance:
            yield from iter_ndjson(_lines(stream, advance), type=kind.item)
        return
    data = stream.read()
    if fmt == "mson":
        yield from _read_mson(data, kind)
        return
    whole = Decoder(kind.whole, format="msgpack" if fmt == "msgpack" else "json").decode(data)
    if kind.collection:
        yield from whole
    else:
        yield whole


def _lines(stream: IO[bytes], advance: Callable[[int], None]) -> Iterator[bytes]:
    done = 0
    for line in stream:
        done += len(line)
        if done >= _FLUSH_BYTES:
            advance(done)
            done = 0
        yield line
    advance(done)


def _read_mson(data: bytes, kind: Kind) -> Iterator[Any]:
    document: Any = decode(data, type=object)
    if not kind.collection:
        yield mson.from_dict(document, kind.item)
        return
    if not isinstance(document, list):
        msg = f"Expected `array` of MSON documents, got `{type(document).__name__}` - at `$`"
        raise msgspec.ValidationError(msg)
    for index, item in enumerate(document):
        yield mson.from_dict(item, kind.item, path=f"$[{index}]")


def write_items(items: Iterable[Any], stream: IO[bytes], fmt: str, kind: Kind) -> int:
    """Write ``items`` in ``fmt`` and return how many were written."""
    if fmt == "ndjson":
        return write_ndjson(items, stream)
    if not kind.collection:
        return _write_single(items, stream, fmt)
    if fmt == "msgpack":
        return _write_msgpack_array(items, stream)
    encode_into = _mson_encode_into if fmt == "mson" else _JSON.encode_into
    buffer = bytearray(b"[")
    count = 0
    for item in items:
        if count:
            buffer += b","
        encode_into(item, buffer, -1)
        count += 1
        if len(buffer) >= _FLUSH_BYTES:
            stream.write(buffer)
            buffer.clear()
    buffer += b"]\n"
    stream.write(buffer)
    return count


_JSON = msgspec.json.Encoder(enc_hook=encode_path)
_MSGPACK = msgspec.msgpack.Encoder(enc_hook=encode_path)


_MSON = msgspec.json.Encoder(enc_hook=mson.json_default)


def _mson_encode_into(item: Any, buffer: bytearray, offset: int) -> None:
    _MSON.encode_into(item.as_dict(), buffer, offset)


def _write_single(items: Iterable[Any], stream: IO[bytes], fmt: str) -> int:
    found = list(_at_most_two(items))
    if len(found) != 1:
        msg = f"expected exactly one object, got {'none' if not found else 'more than one'}"
        raise UsageError(msg)
    (item,) = found
    if fmt == "msgpack":
        stream.write(_MSGPACK.encode(item))
    elif fmt == "mson":
        stream.write(_MSON.encode(item.as_dict()) + b"\n")
    else:
        stream.write(_JSON.encode(item) + b"\n")
    return 1


def _at_most_two(items: Iterable[Any]) -> Iterator[Any]:
    for index, item in enumerate(items):
        yield item
        if index == 1:
            return


def _write_msgpack_array(items: Iterable[Any], stream: IO[bytes]) -> int:
    """A MessagePack array written item by item.

    Its header holds the item count, unknown until the end: a seekable file gets a 32-bit header
    patched afterwards; a pipe gets the items gathered first.
    """
    if not stream.seekable():
        gathered = list(items)
        stream.write(_MSGPACK.encode(gathered))
        return len(gathered)
    start = stream.tell()
    stream.write(b"\xdd\x00\x00\x00\x00")  # array 32, count patched below
    buffer = bytearray()
    count = 0
    for item in items:
        _MSGPACK.encode_into(item, buffer, -1)
        count += 1
        if len(buffer) >= _FLUSH_BYTES:
            stream.write(buffer)
            buffer.clear()
    stream.write(buffer)
    end = stream.tell()
    stream.seek(start + 1)
    stream.write(struct.pack(">I", count))
    stream.seek(end)
    return count
