"""The Markdown report: a table per snapshot size, then the target checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from benchmarks import polling, sizes
from benchmarks.peers import upstream

if TYPE_CHECKING:
    from benchmarks.results import CaseResult, OpResult, RunResult, SizeResult, TargetResult

__all__ = ["banner", "markdown", "target_line"]

_HEADER = (
    "| peer | format | encode ms | decode ms | encode ns/job | decode ns/job "
    "| encode x ours | decode x ours | wire bytes | decode peak MiB | repeats enc/dec |\n"
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
)
_VERDICTS = {True: "PASS", False: "FAIL", None: "NOT RUN"}


def _ratio(op: OpResult) -> str:
    return "-" if op.ratio is None else f"{op.ratio:.2f}"


def _mib(value: int | None) -> str:
    return "-" if value is None else f"{value / 2**20:.1f}"


def _row(case: CaseResult) -> str:
    cells = (
        case.peer,
        case.format,
        f"{case.encode.median_s * 1e3:.3f}",
        f"{case.decode.median_s * 1e3:.3f}",
        f"{case.encode.ns_per_job:.0f}",
        f"{case.decode.ns_per_job:.0f}",
        _ratio(case.encode),
        _ratio(case.decode),
        f"{case.wire_bytes:,}",
        _mib(case.decode_peak_bytes),
        f"{len(case.encode.times_s)}/{len(case.decode.times_s)}",
    )
    return "| " + " | ".join(cells) + " |"


def _table(size: SizeResult) -> str:
    title = f"### {sizes.label(size.jobs)} jobs ({size.jobs:,}; measured in {size.elapsed_s:.0f} s)"
    lines = [title, "", _HEADER]
    lines += [_row(case) for case in size.cases]
    lines += [f"| {peer} | - | not run: {reason} |" for peer, reason in size.not_run.items()]
    return "\n".join(lines)


def target_line(target: TargetResult) -> str:
    """``PASS  <target>: <values>``, one line."""
    return f"{_VERDICTS[target.passed]:<7} {target.name} -- {target.detail}"


def banner(run: RunResult) -> str:
    """The loud line of a run that could not measure upstream qtoolkit."""
    reason = run.upstream.removeprefix("not run: ")
    return f"UPSTREAM: NOT RUN ({reason}); its targets are NOT RUN, not passed"


def _environment(run: RunResult) -> str:
    versions = ", ".join(f"{name} {version or 'absent'}" for name, version in run.versions.items())
    machine = run.machine
    return (
        f"Run {run.started_at}, {run.total_s / 60:.1f} min in all; "
        f"{machine.get('cpu')} ({machine.get('cpu_count')} CPUs), {machine.get('platform')}; "
        f"load average (1 min) {_load(machine.get('load_before'))} before, "
        f"{_load(machine.get('load_after'))} after.\n\n"
        f"Versions: {versions}."
    )


def _load(value: object) -> str:
    return f"{value[0]:.2f}" if isinstance(value, list) and value else "unknown"


def markdown(run: RunResult) -> str:
    """The whole report."""
    parts = ["# qtoolkit-msgspec benchmark", ""]
    if run.upstream != "run":
        parts += [f"> **{banner(run)}**", ""]
    parts += [
        _environment(run),
        "",
        f"Snapshots: `qtoolkit.synthetic.generate_snapshot(n, 'slurm', seed={run.seed})`, "
        "the same objects for every peer. Times are medians; `x ours` is the peer's median "
        "over this project's in the same format (above 1: slower than this project). "
        f"{upstream.NAME} runs upstream qtoolkit 0.1.7 in its own venv.",
        "",
    ]
    for size in run.sizes:
        parts += [_table(size), ""]
    if run.polling:
        parts += [polling.table(run.polling), ""]
    parts += ["## Targets", "", "```"]
    parts += [target_line(target) for target in run.targets]
    parts += ["```", ""]
    return "\n".join(parts)
