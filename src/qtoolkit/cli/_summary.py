"""``qtk inspect``: a readable summary of a job snapshot."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from qtoolkit.core.data_objects import QJob, QSubState

__all__ = ["summarize"]


def summarize(jobs: Iterable[QJob[QSubState]]) -> str:
    """Counts per state, sub-state and queue, then runtime and resource statistics."""
    states: Counter[str] = Counter()
    sub_states: Counter[str] = Counter()
    queues: Counter[str] = Counter()
    numbers: dict[str, list[int]] = {
        "runtime (s)": [],
        "time limit (s)": [],
        "nodes": [],
        "cpus": [],
        "memory (KB)": [],
    }
    total = 0
    for job in jobs:
        total += 1
        states[job.state.name if job.state else "(none)"] += 1
        sub_state = job.sub_state
        sub_states[f"{type(sub_state).__name__}.{sub_state.name}" if sub_state else "(none)"] += 1
        queues[job.queue_name or "(none)"] += 1
        info = job.info
        for name, value in (
            ("runtime (s)", job.runtime),
            ("time limit (s)", info.time_limit if info else None),
            ("nodes", info.nodes if info else None),
            ("cpus", info.cpus if info else None),
            ("memory (KB)", info.memory if info else None),
        ):
            if value is not None:
                numbers[name].append(value)
    lines = [f"{total} jobs", ""]
    for title, counts in (("state", states), ("sub-state", sub_states), ("queue", queues)):
        lines += _count_table(title, counts, total)
    lines += _number_table(numbers)
    return "\n".join(lines)


def _count_table(title: str, counts: Counter[str], total: int) -> list[str]:
    width = max([len(title), *map(len, counts)])
    rows = [f"{title:<{width}}  {'jobs':>9}  {'share':>6}"]
    rows += [
        f"{name:<{width}}  {count:>9}  {count / total:>6.1%}"
        for name, count in counts.most_common()
    ]
    return [*rows, ""]


def _number_table(numbers: dict[str, list[int]]) -> list[str]:
    rows = [
        f"{'value':<14}  {'jobs':>9}  {'min':>12}  {'median':>12}  {'mean':>12}  {'max':>12}"
        f"  {'total':>14}"
    ]
    for name, values in numbers.items():
        if not values:
            rows.append(f"{name:<14}  {0:>9}")
            continue
        rows.append(
            f"{name:<14}  {len(values):>9}  {min(values):>12}  {statistics.median_low(values):>12}"
            f"  {statistics.fmean(values):>12.1f}  {max(values):>12}  {sum(values):>14}"
        )
    return rows
