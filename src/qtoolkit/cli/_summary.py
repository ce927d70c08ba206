"""``qtk inspect``: a readable summary of a job snapshot."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from qtoolkit.core.data_objects import QJob, QSubState

__all__ = ["count", "duration", "memory", "summarize"]


def summarize(jobs: Iterable[QJob[QSubState]]) -> str:
    """Counts per state, sub-state and queue, then runtime and resource statistics."""
    states: Counter[str] = Counter()
    sub_states: Counter[str] = Counter()
    queues: Counter[str] = Counter()
    numbers: dict[str, list[int]] = {name: [] for name in _UNITS}
    total = 0
    for job in jobs:
        total += 1
        states[job.state.name if job.state else "(none)"] += 1
        sub_state = job.sub_state
        sub_states[f"{type(sub_state).__name__}.{sub_state.name}" if sub_state else "(none)"] += 1
        queues[job.queue_name or "(none)"] += 1
        info = job.info
        for name, value in (
            ("runtime", job.runtime),
            ("time limit", info.time_limit if info else None),
            ("nodes", info.nodes if info else None),
            ("cpus", info.cpus if info else None),
            ("memory", info.memory if info else None),
        ):
            if value is not None:
                numbers[name].append(value)
    lines = [f"{total:,} job{'s' if total != 1 else ''}", ""]
    for title, counts in (("state", states), ("sub-state", sub_states), ("queue", queues)):
        lines += _count_table(title, counts, total)
    lines += _number_table(numbers)
    return "\n".join(lines)


def duration(seconds: float) -> str:
    """``1-02:03:04`` (days-hours:minutes:seconds), as schedulers print a time limit."""
    whole = round(seconds)
    days, rest = divmod(whole, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"{days:,}-{clock}" if days else clock


def memory(kilobytes: float) -> str:
    """``1.9G``: an amount of memory in kilobytes, in the units of ``--mem`` (powers of 1024)."""
    amount = float(kilobytes)
    for unit in "KMGTP":
        if amount < 1024 or unit == "P":
            return f"{amount:.0f}{unit}" if amount >= 100 or unit == "K" else f"{amount:.1f}{unit}"
        amount /= 1024
    raise AssertionError  # pragma: no cover - the loop returns at "P"


def count(value: float) -> str:
    """``1,257,403`` or, for a mean, ``194.3``."""
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


_UNITS = {
    "runtime": duration,
    "time limit": duration,
    "nodes": count,
    "cpus": count,
    "memory": memory,
}


def _count_table(title: str, counts: Counter[str], total: int) -> list[str]:
    width = max([len(title), *map(len, counts)])
    rows = [f"{title:<{width}}  {'jobs':>9}  {'share':>6}"]
    rows += [
        f"{name:<{width}}  {number:>9,}  {number / total:>6.1%}"
        for name, number in counts.most_common()
    ]
    return [*rows, ""]


def _number_table(numbers: dict[str, list[int]]) -> list[str]:
    header = ("value", "jobs", "min", "median", "mean", "max", "total")
    rows = [_row(header)]
    for name, values in numbers.items():
        if not values:
            rows.append(_row((name, "0")))
            continue
        show = _UNITS[name]
        rows.append(
            _row(
                (
                    name,
                    f"{len(values):,}",
                    show(min(values)),
                    show(statistics.median_low(values)),
                    show(statistics.fmean(values)),
                    show(max(values)),
                    show(sum(values)),
                )
            )
        )
    return rows


def _row(cells: tuple[str, ...]) -> str:
    name, *rest = cells
    widths = (9, 12, 12, 12, 12, 16)
    return "  ".join([f"{name:<10}", *(f"{c:>{w}}" for c, w in zip(rest, widths, strict=False))])
