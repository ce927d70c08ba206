"""``results.png``: time per job against snapshot size, log-log, per peer and format."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from benchmarks.results import RunResult

__all__ = ["plot"]


def plot(run: RunResult, path: Path) -> str:
    """Draw the figure at ``path``; return what was done, or why not, in one sentence."""
    try:
        import matplotlib as mpl
    except ImportError:
        return "plot skipped: matplotlib is not installed"
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[tuple[str, str], list[tuple[int, float, float]]] = {}
    for size in run.sizes:
        for case in size.cases:
            point = (size.jobs, case.encode.ns_per_job, case.decode.ns_per_job)
            series.setdefault((case.peer, case.format), []).append(point)
    colors = {peer: f"C{index}" for index, peer in enumerate(dict.fromkeys(p for p, _ in series))}
    figure, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
    for (peer, format), points in series.items():
        jobs = [point[0] for point in points]
        style = {"color": colors[peer], "label": f"{peer} ({format})"}
        marker = "-o" if format == "json" else "--s"
        axes[0].plot(jobs, [point[1] for point in points], marker, **style)
        axes[1].plot(jobs, [point[2] for point in points], marker, **style)
    for ax, op in zip(axes, ("encode", "decode"), strict=True):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"{op}: time per job")
        ax.set_xlabel("jobs in the snapshot")
        ax.grid(visible=True, which="both", alpha=0.3)
    axes[0].set_ylabel("ns per job (median)")
    axes[1].legend(fontsize="small", loc="best")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return f"plot written to {path}"
