"""Writing a run's results: results.json, results.md and results.png."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from benchmarks import plot, report

if TYPE_CHECKING:
    from pathlib import Path

    from benchmarks.results import RunResult

__all__ = ["write"]


def write(run: RunResult, out: Path, *, draw: bool = True) -> tuple[str, str]:
    """Write the three files into ``out``; return the Markdown and a note on the plot."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_bytes(msgspec.json.format(msgspec.json.encode(run)) + b"\n")
    text = report.markdown(run)
    (out / "results.md").write_text(text, encoding="utf-8")
    note = plot.plot(run, out / "results.png") if draw else "plot skipped: --no-plot"
    return text, note
