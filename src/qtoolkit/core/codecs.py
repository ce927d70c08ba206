"""JSON and MessagePack codecs for qtoolkit objects, built on msgspec's C encoders and decoders.

``encode``/``decode`` are one-call helpers; :class:`Encoder` and :class:`Decoder` are the reusable
forms for a poller that encodes or decodes the same type every few seconds. Both kinds are safe to
share between threads. Newline-delimited JSON (one object per line) lives in
:mod:`qtoolkit.core.ndjson`.

Every decoding error is a :class:`msgspec.DecodeError` (malformed input) or its subclass
:class:`msgspec.ValidationError` (well-formed input of the wrong shape), both ``ValueError``
subclasses, whose message ends with the path of the offending value (``- at `$[1].info.cpus```).
A decode either returns the whole value or raises: there is no partial result.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

import msgspec

from qtoolkit.core.filepath import encode_path
from qtoolkit.core.placement import explain_placement_error

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Decoder", "Encoder", "Format", "decode", "encode", "from_builtins", "to_builtins"]

Format = Literal["json", "msgpack"]
"""The two wire formats."""

T = TypeVar("T")

_FORMATS: tuple[Format, ...] = ("json", "msgpack")


def _check_format(format: str) -> Format:
    if format == "json":
        return "json"
    if format == "msgpack":
        return "msgpack"
    msg = f"format must be one of {', '.join(map(repr, _FORMATS))}, not {format!r}"
    raise ValueError(msg)


class Encoder:
    """A reusable encoder of qtoolkit objects (and lists, dicts of them) to JSON or MessagePack.

    ``Path`` values in :class:`~qtoolkit.core.data_objects.QResources` are written as strings.
    """

    __slots__ = ("_encode", "_encode_into", "format")

    def __init__(self, format: Format = "json") -> None:
        self.format: Format = _check_format(format)
        encoder: msgspec.json.Encoder | msgspec.msgpack.Encoder
        if self.format == "json":
            encoder = msgspec.json.Encoder(enc_hook=encode_path)
        else:
            encoder = msgspec.msgpack.Encoder(enc_hook=encode_path)
        self._encode: Callable[[Any], bytes] = encoder.encode
        self._encode_into: Callable[[Any, bytearray, int], None] = encoder.encode_into

    def __repr__(self) -> str:
        return f"Encoder(format={self.format!r})"

    def encode(self, obj: Any) -> bytes:
        """Encode ``obj`` and return the bytes."""
        return self._encode(obj)

    def encode_into(self, obj: Any, buffer: bytearray, offset: int = 0) -> None:
        """Encode ``obj`` into ``buffer`` starting at ``offset``, resizing the buffer as needed.

        ``offset=-1`` appends to the end of the buffer. The buffer ends right after the encoded
        bytes. Reusing one buffer avoids an allocation per message.
        """
        self._encode_into(obj, buffer, offset)


class Decoder(Generic[T]):
    """A reusable decoder of one type, such as ``list[QJob[SlurmState]]``, from JSON or MessagePack.

    Decoding checks every value against ``type``: enum values (sub-state aliases included), the
    tags of result unions and the rules of QResources. Errors name the path of the bad value.
    """

    __slots__ = ("_decode", "format", "type")

    @overload
    def __init__(self, type: type[T], format: Format = "json") -> None: ...

    @overload
    def __init__(self: Decoder[Any], type: Any, format: Format = "json") -> None: ...

    def __init__(self, type: Any, format: Format = "json") -> None:
        self.type: object = type
        """The type decoded: a class, or a form such as ``list[QJob[SlurmState]]``."""
        self.format: Format = _check_format(format)
        self._decode: Callable[[Any], T] = _msgspec_decoder(type, self.format).decode

    def __repr__(self) -> str:
        return f"Decoder(type={self.type!r}, format={self.format!r})"

    def decode(self, data: bytes | bytearray | memoryview | str) -> T:
        """Decode ``data`` (JSON may also be given as ``str``) into an instance of ``type``."""
        if isinstance(data, str) and self.format == "msgpack":
            msg = "MessagePack data must be bytes, not str"
            raise TypeError(msg)
        try:
            return self._decode(data)
        except msgspec.ValidationError as exc:
            raise _at_root(exc) from None
        except RecursionError:
            raise _too_deep() from None
        except (UnicodeDecodeError, UnicodeEncodeError) as exc:
            # msgspec lets the str codec's error through for a string of broken UTF-8 in bytes,
            # or for a str holding a lone surrogate, which has no UTF-8 form at all.
            msg = f"Input holds a string that is not valid UTF-8 ({exc.reason}) - at `$`"
            raise msgspec.DecodeError(msg) from None


def _at_root(error: msgspec.ValidationError) -> msgspec.ValidationError:
    """``error``, or when it names no path (a top-level value) the same error at `$`.

    An invalid placement's error also names the valid values.
    """
    if " - at `" in str(error):
        return explain_placement_error(error)
    return msgspec.ValidationError(f"{error} - at `$`")


def _too_deep() -> msgspec.DecodeError:
    """The error for input nested deeper than the interpreter can follow (``[[[[...]]]]``)."""
    return msgspec.DecodeError("Input is nested too deeply to decode - at `$`")


def _msgspec_decoder(
    type: Any, format: Format
) -> msgspec.json.Decoder[Any] | msgspec.msgpack.Decoder[Any]:
    try:
        if format == "json":
            return msgspec.json.Decoder(type)
        return msgspec.msgpack.Decoder(type)
    except TypeError as exc:
        raise _unsupported(type, exc) from exc


def _unsupported(type: Any, error: TypeError) -> TypeError:
    """The error for a type msgspec cannot decode; for a bare QJob, one that says what to use."""
    if "Enum types must have at least one item" in str(error):
        msg = (
            f"cannot decode {type!r}: a QJob needs its scheduler's sub-state to be decoded, "
            "e.g. QJob[SlurmState], QJob[PBSState], QJob[SGEState] or QJob[ShellState]"
        )
        return TypeError(msg)
    return error


_ENCODERS: dict[Format, Encoder] = {format: Encoder(format) for format in _FORMATS}


@functools.lru_cache(maxsize=256)
def _cached_decoder(type: Any, format: Format) -> Decoder[Any]:
    return Decoder(type, format)


def encode(obj: Any, *, format: Format = "json") -> bytes:
    """Encode ``obj`` (a qtoolkit object, or a list or dict of them) as JSON or MessagePack."""
    return _ENCODERS[_check_format(format)].encode(obj)


@overload
def decode(
    data: bytes | bytearray | memoryview | str, *, type: type[T], format: Literal["json"] = "json"
) -> T: ...


@overload
def decode(
    data: bytes | bytearray | memoryview, *, type: type[T], format: Literal["msgpack"]
) -> T: ...


@overload
def decode(
    data: bytes | bytearray | memoryview | str, *, type: Any, format: Literal["json"] = "json"
) -> Any: ...


@overload
def decode(
    data: bytes | bytearray | memoryview, *, type: Any, format: Literal["msgpack"]
) -> Any: ...


def decode(
    data: bytes | bytearray | memoryview | str, *, type: Any, format: Format = "json"
) -> Any:
    """Decode ``data`` into an instance of ``type``, e.g. ``list[QJob[SlurmState]]``.

    The decoder for each ``(type, format)`` is built once and reused.
    """
    try:
        decoder = _cached_decoder(type, _check_format(format))
    except TypeError as exc:
        if "unhashable" not in str(exc):
            raise
        decoder = Decoder(type, format)  # an unhashable type (rare: Annotated with a dict)
    return decoder.decode(data)


def to_builtins(obj: Any) -> Any:
    """Convert ``obj`` to plain builtins (dicts, lists, str, int...) for a database document.

    Enum members become their values, paths their strings; fields holding ``None`` are left out,
    as on the wire. Suitable for a MongoDB document or a JSON column, without going through bytes.
    """
    return msgspec.to_builtins(obj, enc_hook=encode_path)


@overload
def from_builtins(data: Any, *, type: type[T]) -> T: ...


@overload
def from_builtins(data: Any, *, type: Any) -> Any: ...


def from_builtins(data: Any, *, type: Any) -> Any:
    """Validate plain builtins (a database document) into ``type``, the inverse of ``to_builtins``.

    Unknown keys (such as MongoDB's ``_id``) are ignored; errors are ``msgspec.ValidationError``
    naming the path, as for :func:`decode`.
    """
    try:
        return msgspec.convert(data, type=type)
    except msgspec.ValidationError as exc:
        raise _at_root(exc) from None
    except RecursionError:
        raise _too_deep() from None
    except TypeError as exc:
        raise _unsupported(type, exc) from exc
