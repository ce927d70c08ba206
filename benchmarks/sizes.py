"""Snapshot sizes as people write them: 1k, 10k, 100k, 1M (or plain numbers)."""

from __future__ import annotations

__all__ = ["DEFAULT_SIZES", "QUICK_SIZES", "label", "parse"]

DEFAULT_SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)
_SUFFIXES = {"k": 1_000, "m": 1_000_000}


def parse(text: str) -> int:
    """``"10k"`` is 10000, ``"1M"`` a million, ``"2500"`` 2500; a size is at least one job."""
    text = text.strip().replace("_", "")
    scale = _SUFFIXES.get(text[-1:].lower(), 1)
    digits = text[:-1] if scale != 1 else text
    try:
        value = int(digits) * scale
    except ValueError:
        msg = f"not a size: {text!r} (write e.g. 1000, 10k or 1M)"
        raise ValueError(msg) from None
    if value < 1:
        msg = f"a snapshot needs at least one job, not {value}"
        raise ValueError(msg)
    return value


def label(size: int) -> str:
    """``1000`` as ``"1k"``, ``1000000`` as ``"1M"``, other numbers as they are."""
    for suffix, scale in (("M", 1_000_000), ("k", 1_000)):
        if size % scale == 0:
            return f"{size // scale}{suffix}"
    return str(size)
