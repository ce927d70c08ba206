"""Elapsed times as schedulers print them (``[D-]H:MM:SS``, ``M:SS``), read and written."""

from __future__ import annotations

from qtoolkit.core.exceptions import OutputParsingError

__all__ = ["clock_text", "parse_clock"]

_DAY, _HOUR, _MINUTE = 86_400, 3600, 60


def parse_clock(text: str, what: str, *, bare_minutes: bool = False) -> int:
    """Seconds of ``[D-]HH:MM:SS`` or ``MM:SS`` (or ``MM`` with ``bare_minutes``, as SLURM has it).

    Raises :class:`OutputParsingError` saying ``text`` is not ``what``.
    """
    parts = text.split(":")
    days = hours = seconds = 0
    try:
        if "-" in parts[0]:
            day_part, parts[0] = parts[0].split("-", 1)
            days = int(day_part)
        if len(parts) == 3:
            hours, minutes, seconds = map(int, parts)
        elif len(parts) == 2:
            minutes, seconds = map(int, parts)
        elif len(parts) == 1 and bare_minutes:
            minutes = int(parts[0])
        else:
            raise ValueError(text)
    except ValueError as exc:
        msg = f"{text!r} is not {what}"
        raise OutputParsingError(msg) from exc
    return days * _DAY + hours * _HOUR + minutes * _MINUTE + seconds


def clock_text(seconds: int) -> str:
    """``1-02:03:04``, ``2:03:04`` or ``3:04``: how ``squeue`` and ``ps`` print a duration."""
    days, rest = divmod(seconds, _DAY)
    hours, rest = divmod(rest, _HOUR)
    minutes, secs = divmod(rest, _MINUTE)
    if days:
        return f"{days}-{hours:02d}:{minutes:02d}:{secs:02d}"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"
