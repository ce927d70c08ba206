"""``qtk bench``: how fast this machine encodes and decodes a realistic job snapshot."""

from __future__ import annotations

import functools
import gc
import statistics
import time
from dataclasses import dataclass
from types import GenericAlias
from typing import TYPE_CHECKING, Any

from qtoolkit.core.codecs import Decoder, Encoder, Format
from qtoolkit.io import SUB_STATES
from qtoolkit.synthetic import generate_snapshot

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Measurement", "measure", "render"]


@dataclass(frozen=True)
class Measurement:
    """Median times of one codec on one snapshot."""

    name: str
    jobs: int
    size: int
    encode: float
    decode: float


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    times: list[float] = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
        del result  # freed after the clock stops: freeing is not part of the call measured
    return statistics.median(times)


def measure(jobs: int, formats: list[Format], repeat: int = 5) -> list[Measurement]:
    """Time this package's codecs on a SLURM snapshot, and pydantic v2's JSON when installed."""
    snapshot = generate_snapshot(jobs, "slurm")
    states: Any = SUB_STATES["slurm"]
    results: list[Measurement] = []
    for fmt in formats:
        encoder = Encoder(format=fmt)
        decoder = Decoder(GenericAlias(list, (_job_type(states),)), format=fmt)
        data = encoder.encode(snapshot)
        if decoder.decode(data) != snapshot:
            msg = f"{fmt} round trip changed the snapshot"
            raise AssertionError(msg)
        results.append(
            Measurement(
                f"qtoolkit {fmt}",
                jobs,
                len(data),
                _median_seconds(functools.partial(encoder.encode, snapshot), repeat),
                _median_seconds(functools.partial(decoder.decode, data), repeat),
            )
        )
    peer = _pydantic_measurement(snapshot, repeat)
    if peer is not None:
        results.append(peer)
    return results


def _job_type(states: Any) -> Any:
    from qtoolkit.core.data_objects import QJob  # noqa: PLC0415

    job: Any = QJob
    return job[states]


def _pydantic_measurement(snapshot: list[Any], repeat: int) -> Measurement | None:
    try:
        from qtoolkit.cli._pydantic_peer import adapter_and_models  # noqa: PLC0415
    except ImportError:
        return None
    adapter, models = adapter_and_models(snapshot)
    data = adapter.dump_json(models)
    return Measurement(
        "pydantic v2 json",
        len(snapshot),
        len(data),
        _median_seconds(lambda: adapter.dump_json(models), _pydantic_repeat(repeat)),
        _median_seconds(lambda: adapter.validate_json(data), _pydantic_repeat(repeat)),
    )


def _pydantic_repeat(repeat: int) -> int:
    """Runs for pydantic, whose decode takes 20 times longer: fewer keep ``qtk bench`` quick."""
    return max(1, repeat // 2)


def render(
    results: list[Measurement], *, repeat: int, pydantic_missing: bool, polling: str = ""
) -> str:
    """A table of jobs/s and MB/s, with each peer's time relative to this package's first codec.

    ``polling``, the table of one poll's steps, follows it.
    """
    reference = next(r for r in results if r.name.startswith("qtoolkit"))
    header = (
        f"{'codec':<18} {'size':>9}  {'encode':>9} {'jobs/s':>9} {'MB/s':>7}"
        f"  {'decode':>9} {'jobs/s':>9} {'MB/s':>7}  {f'time vs {reference.name}':>26}"
    )
    runs = f"median of {repeat} run{'s' if repeat > 1 else ''}"
    if any(r.name.startswith("pydantic") for r in results):
        runs += f" ({_pydantic_repeat(repeat)} for pydantic)"
    lines = [f"{reference.jobs:,} jobs, {runs}", "", header]
    for r in results:
        ratio = ""
        if not r.name.startswith("qtoolkit"):
            ratio = f"{r.encode / reference.encode:.1f}x / {r.decode / reference.decode:.1f}x"
        encode = f"{r.encode * 1e3:>7.1f}ms {_rate(r.jobs, r.encode)} {_mb_per_s(r, r.encode)}"
        decode = f"{r.decode * 1e3:>7.1f}ms {_rate(r.jobs, r.decode)} {_mb_per_s(r, r.decode)}"
        row = f"{r.name:<18} {r.size / 1e6:>7.1f}MB  {encode}  {decode}  {ratio:>26}"
        lines.append(row.rstrip())
    if polling:
        lines += ["", polling]
    if pydantic_missing:
        lines += ["", "pydantic is not installed: install the 'pydantic' extra to compare with it"]
    return "\n".join(lines)


def _mb_per_s(measurement: Measurement, seconds: float) -> str:
    return f"{measurement.size / seconds / 1e6:>7.0f}"


def _rate(jobs: int, seconds: float) -> str:
    rate = jobs / seconds
    return f"{rate / 1e6:>8.2f}M" if rate >= 1e6 else f"{rate / 1e3:>8.0f}k"
