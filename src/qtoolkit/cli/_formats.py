"""Reading and writing job files in JSON, MessagePack, NDJSON and MSON, as streams where possible.

NDJSON is read one line at a time and every format is written item by item, so converting from
NDJSON holds one item in memory. A JSON, MessagePack or MSON input is a single document and is
read whole (msgspec decodes it in one pass).
"""

from __future__ import annotations

import math
import os
import shutil
import struct
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePath
from typing import IO, TYPE_CHECKING, Any, cast

import msgspec

from qtoolkit.cli._kinds import InvalidDataError, UsageError
from qtoolkit.cli._output import rewritable
from qtoolkit.cli._progress import progress
from qtoolkit.core import mson
from qtoolkit.core.codecs import Decoder, decode
from qtoolkit.core.data_objects import QJob, QResources
from qtoolkit.core.filepath import encode_path
from qtoolkit.core.ndjson import iter_ndjson, write_ndjson

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Iterator, Sequence

    from qtoolkit.cli._kinds import Kind

__all__ = [
    "FORMATS",
    "infer_format",
    "open_input",
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
    ".mson": "mson",
}
_FLUSH_BYTES = 1 << 20
_ANY_JOB: Any = QJob  # parametrized with a sub-state class known only at run time


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
def open_input(path: str) -> Generator[tuple[IO[bytes], int | None], None, None]:
    """Yield the binary stream to read and its size when known; ``-`` is standard input."""
    if path == "-":
        if sys.stdin is None:
            msg = "standard input is closed"
            raise UsageError(msg)
        yield sys.stdin.buffer, None
        return
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        msg = f"cannot read {path!r}: {exc.strerror}"
        raise UsageError(msg) from None
    with stream:
        yield stream, os.fstat(stream.fileno()).st_size


def read_items(
    stream: IO[bytes], size: int | None, fmt: str, kind: Kind, *, one_scheduler: bool = False
) -> Iterator[Any]:
    """Yield the items of ``stream``: each job or result of a list, or the single object.

    MSON jobs read without ``--scheduler`` may each name their own; with ``one_scheduler`` (for
    formats whose sub-states do not say their scheduler) a job of another scheduler than the
    first one's is an error.

    A large input on a terminal shows a progress bar: line by line for NDJSON, chunk by chunk
    while a whole document is read, and document by document while MSON is converted (its slow
    part). msgspec decodes a JSON or MessagePack document in one call, about a second for 200 MB.
    """
    if fmt == "ndjson":
        with progress(size, "reading") as advance:
            yield from iter_ndjson(_lines(stream, advance), type=kind.item)
        return
    with progress(size, "reading") as advance:
        data = _read_whole(stream, advance)
    if fmt == "mson":
        with progress(size, "converting") as advance:
            yield from _read_mson(data, kind, advance, one_scheduler=one_scheduler)
        return
    whole = Decoder(kind.whole, format="msgpack" if fmt == "msgpack" else "json").decode(data)
    if kind.collection:
        yield from whole
    else:
        yield whole


def _read_whole(stream: IO[bytes], advance: Callable[[int], None]) -> bytes:
    chunks: list[bytes] = []
    while chunk := stream.read(_FLUSH_BYTES):
        chunks.append(chunk)
        advance(len(chunk))
    return b"".join(chunks)


def _lines(stream: IO[bytes], advance: Callable[[int], None]) -> Iterator[bytes]:
    done = 0
    for line in stream:
        done += len(line)
        if done >= _FLUSH_BYTES:
            advance(done)
            done = 0
        yield line
    advance(done)


def _read_mson(
    data: bytes, kind: Kind, advance: Callable[[int], None], *, one_scheduler: bool
) -> Iterator[Any]:
    document: Any = decode(data, type=object)
    if not kind.collection:
        yield mson.from_dict(document, kind.item)
        return
    if not isinstance(document, list):
        msg = f"Expected `array` of MSON documents, got `{type(document).__name__}` - at `$`"
        raise msgspec.ValidationError(msg)
    documents = cast("Sequence[Any]", document)
    # Progress in bytes of input, shared evenly between the documents.
    reported = 0
    expected: Any = kind.item
    for index, item in enumerate(documents):
        value = mson.from_dict(item, expected, path=f"$[{index}]")
        if one_scheduler and expected is _ANY_JOB and value.sub_state is not None:
            expected = _ANY_JOB[type(value.sub_state)]
        yield value
        done = len(data) * (index + 1) // len(documents)
        if done - reported >= _FLUSH_BYTES or index + 1 == len(documents):
            advance(done - reported)
            reported = done


def write_items(items: Iterable[Any], stream: IO[bytes], fmt: str, kind: Kind) -> int:
    """Write ``items`` in ``fmt`` and return how many were written.

    Raises :class:`InvalidDataError`, naming the item, for one the format cannot hold as it is.
    Only ``scheduler_kwargs`` holds values of any type, and MessagePack read into it may give
    values JSON lacks (bytes, timestamps, extensions, NaN, keys that are not strings), which
    msgspec would write changed or not at all.
    """
    if kind.item is QResources and fmt != "msgpack":
        items = _json_faithful(items, collection=kind.collection)
    counted = _Counted(items)
    try:
        return _write(counted, stream, fmt, kind)
    except (TypeError, OverflowError, RecursionError) as exc:
        where = f"$[{counted.index}]" if kind.collection else "$"
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        msg = f"cannot write {where} as {fmt}: {reason}"
        raise InvalidDataError(msg) from None


def _json_faithful(items: Iterable[Any], *, collection: bool) -> Iterator[Any]:
    for index, item in enumerate(items):
        where = f"$[{index}]" if collection else "$"
        problem = _json_problem(
            getattr(item, "scheduler_kwargs", None), f"{where}.scheduler_kwargs"
        )
        if problem is not None:
            msg = f"cannot write {problem} as JSON unchanged"
            raise InvalidDataError(msg)
        yield item


def _json_problem(value: Any, path: str) -> str | None:
    """Where ``value`` holds something JSON would change or lose, and what; None if nowhere."""
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path} (the float {value})"
    if isinstance(value, (list, dict)):
        in_dict = isinstance(value, dict)
        children: Iterable[tuple[Any, Any]] = (
            cast("dict[Any, Any]", value).items()
            if in_dict
            else enumerate(cast("list[Any]", value))
        )
        for key, item in children:
            if in_dict and not isinstance(key, str):
                return f"{path} (the key {key!r}, not a string)"
            problem = _json_problem(item, f"{path}.{key}" if in_dict else f"{path}[{key}]")
            if problem is not None:
                return problem
        return None
    if value is None or isinstance(value, (bool, int, str, PurePath)):
        return None
    return f"{path} (a value of type {type(value).__name__})"


class _Counted:
    """An iterable that remembers the index of the last item it gave."""

    def __init__(self, items: Iterable[Any]) -> None:
        self._items = items
        self.index = -1

    def __iter__(self) -> Iterator[Any]:
        for index, item in enumerate(self._items):
            self.index = index
            yield item


def _write(items: Iterable[Any], stream: IO[bytes], fmt: str, kind: Kind) -> int:
    if not kind.collection:
        return _write_single(items, stream, fmt)
    if fmt == "ndjson":
        return write_ndjson(items, stream)
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
    """The one object of a single-object kind; as NDJSON, one line, the same as JSON."""
    found = list(_at_most_two(items))
    if len(found) != 1:
        msg = f"expected exactly one object, got {'none' if not found else 'more than one'}"
        raise InvalidDataError(msg)
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

    Its header holds the item count, unknown until the end: the array goes to a file with a 32-bit
    header patched afterwards. A pipe, or a file opened for appending, gets it through a temporary
    file, so memory stays flat either way.
    """
    if not rewritable(stream):
        with tempfile.TemporaryFile() as spool:
            count = _write_msgpack_array(items, spool)
            spool.seek(0)
            shutil.copyfileobj(spool, stream, _FLUSH_BYTES)
        return count
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
