"""The SLURM jobs recorded, and the commands run on them, as upstream SlurmIO 0.1.7 writes them."""

from __future__ import annotations

import re
from collections.abc import Callable
from subprocess import CompletedProcess
from typing import Any

from ..services import SlurmCluster, wait_until
from ..services.system import run
from ..slurm_commands import SQUEUE_FORMAT, job_state, wait_accounted
from .recorder import Recorder

SLEEP = "sleep 600"
SACCT_COLUMNS = (
    "JobID,State,ExitCode,User,Account,Partition,ElapsedRaw,NNodes,NCPUS,TimelimitRaw,JobName"
)
UNKNOWN_ID = "999999"

# name -> (factory, QResources keyword arguments, commands): each placement and common options.
# Quick jobs first, so they finish; the node declares 8 CPUs and the next five fill it, so the
# array, "waits_for_cpus" and "separator_in_name" stay pending.
JOBS: dict[str, tuple[str | None, dict[str, Any], str]] = {
    "held": (None, {"job_name": "held", "processes": 1}, "true"),
    "fails": (None, {"job_name": "fails with 3", "processes": 1}, "exit 3"),
    "completes": (None, {"job_name": "completes", "processes": 1}, "echo done"),
    "no_constraints": (
        "no_constraints",
        {
            "processes": 2,
            "job_name": "no constraints",
            "time_limit": 3600,
            "memory_per_thread": 100,
        },
        SLEEP,
    ),
    "scattered_one": ("scattered", {"processes": 1, "job_name": "scattered"}, SLEEP),
    "same_node": (
        "same_node",
        {"processes": 1, "threads_per_process": 2, "job_name": "same_node"},
        SLEEP,
    ),
    "evenly_distributed": (
        "evenly_distributed",
        {"nodes": 1, "processes_per_node": 2, "job_name": "evenly", "memory_per_thread": 150},
        SLEEP,
    ),
    "unicode_long_partition": (
        None,
        {"job_name": "ünïcødé ∑ ジョブ", "queue_name": "long", "time_limit": 5400, "processes": 1},
        SLEEP,
    ),
    "array": (None, {"job_name": "array", "njobs": 3, "processes": 1}, SLEEP),
    "waits_for_cpus": ("same_node", {"processes": 4, "job_name": "waits for cpus"}, SLEEP),
    "separator_in_name": (None, {"job_name": "a<><>b|c d", "processes": 1}, SLEEP),
    "scattered_two_nodes": ("scattered", {"processes": 2, "job_name": "two_nodes"}, SLEEP),
    "unknown_partition": (
        None,
        {"job_name": "nowhere", "queue_name": "nowhere", "processes": 1},
        SLEEP,
    ),
}


def squeue_cmd(job_ids: list[str] | None = None, user: str | None = None) -> str:
    """Upstream's job-list command (a single id is given twice, as upstream does)."""
    command = ["SLURM_TIME_FORMAT='standard'", "squeue", "--noheader", f"-o '{SQUEUE_FORMAT}'"]
    if user:
        command.append(f"-u {user}")
    if job_ids:
        ids = job_ids * 2 if len(job_ids) == 1 else job_ids
        command.append(f"--jobs={','.join(ids)}")
    return " ".join(command)


def scontrol_cmd(job_id: str) -> str:
    """Upstream's single-job command."""
    return f"SLURM_TIME_FORMAT='standard' scontrol show job -o {job_id}"


def sacct_cmd(job_ids: list[str]) -> str:
    """The accounting query of this package's finished-job support."""
    return (
        f"sacct --allocations --parsable2 --noheader --format={SACCT_COLUMNS} "
        f"--jobs={','.join(job_ids)}"
    )


def record(cluster: SlurmCluster, recorder: Recorder, scripts: dict[str, str]) -> None:
    """Submit every job of :data:`JOBS`, snapshot the queue, cancel some, snapshot again."""
    ids: dict[str, str] = {}
    for name in JOBS:
        hold = "--hold " if name == "held" else ""
        parsable = "--parsable " if name in {"completes", "held"} else ""
        script = scripts[name]
        result = _sbatch(recorder, name, f"sbatch {parsable}{hold}", script)
        quoted = _quote_job_name(script)
        if "Invalid directive" in result.stderr and quoted != script:
            # Upstream leaves a job name with spaces unquoted, which sbatch refuses; quoted, the
            # job runs and its name is recorded in every later output.
            result = _sbatch(recorder, f"{name}:quoted_name", f"sbatch {parsable}{hold}", quoted)
        if result.returncode == 0:
            ids[name] = cluster.ledger.record(result.stdout.split(";")[0].split()[-1])

    def states_reached(*pairs: tuple[str, Callable[[str], bool]]) -> None:
        for name, ok in pairs:
            _wait_state(name, ids[name], ok)

    running = ("no_constraints", "scattered_one", "same_node", "evenly_distributed")
    states_reached(
        *((name, lambda s: s == "RUNNING") for name in (*running, "unicode_long_partition")),
        ("fails", lambda s: s == "FAILED"),
        ("completes", lambda s: s == "COMPLETED"),
    )
    wait_accounted(ids["fails"], "FAILED", name="fails with 3")
    wait_accounted(ids["completes"], "COMPLETED", name="completes")
    _snapshot(recorder, ids, "mixed")

    cancels = {
        "queued": ids["held"],
        "running": ids["no_constraints"],
        "finished": ids["completes"],
        "unknown": UNKNOWN_ID,
        "array_task": f"{ids['array']}_2",
        "pending": ids["waits_for_cpus"],
    }
    for case, job_id in cancels.items():
        recorder.run("scancel", case, f"scancel -v {job_id}", job_id=job_id)
    states_reached(
        ("held", lambda s: s == "CANCELLED"), ("no_constraints", lambda s: s == "CANCELLED")
    )
    wait_accounted(ids["no_constraints"], "CANCELLED")
    # The CPUs freed let the array's remaining tasks start: squeue shows them one line each.
    for task in (1, 3):
        _wait_running(f"{ids['array']}_{task}")
    _snapshot(recorder, ids, "after_cancel")
    recorder.run("scancel", "array", f"scancel -v {ids['array']}", job_id=ids["array"])


def _wait_running(job_id: str) -> None:
    """Wait until squeue shows ``job_id`` (an array task too) running."""

    def state() -> str:
        return run(["squeue", "-h", "-j", job_id, "-o", "%t"], check=False).stdout.strip()

    wait_until(lambda: state() == "R", what=f"{job_id} to run", detail=state)


def _wait_state(name: str, job_id: str, ok: Callable[[str], bool]) -> None:
    wait_until(
        lambda: ok(job_state(job_id)),
        what=f"job {name} ({job_id})",
        detail=lambda: job_state(job_id),
    )


def _sbatch(recorder: Recorder, case: str, command: str, script: str) -> CompletedProcess[str]:
    path = recorder.work_dir / f"{case.replace(':', '_')}.sh"
    path.write_text(script)
    return recorder.run("sbatch", case, f"{command}{path.name}", script=script)


def _quote_job_name(script: str) -> str:
    return re.sub(r"(?m)^(#SBATCH --job-name=)(.*)$", r'\1"\2"', script)


def _snapshot(recorder: Recorder, ids: dict[str, str], moment: str) -> None:
    everything = list(ids.values())
    recorder.run("squeue", f"{moment}:all", squeue_cmd(), jobs=ids)
    recorder.run("squeue", f"{moment}:user", squeue_cmd(user="root"), jobs=ids)
    # The scenario's jobs in every state, finished ones included (not upstream's command).
    all_states = f"{squeue_cmd(everything)} --states=all"
    recorder.run("squeue", f"{moment}:all_states", all_states, jobs=ids)
    recorder.run("squeue", f"{moment}:ids", squeue_cmd(everything[:3]), jobs=ids)
    recorder.run("squeue", f"{moment}:one_id", squeue_cmd([ids["same_node"]]), jobs=ids)
    recorder.run("squeue", f"{moment}:unknown_id", squeue_cmd([UNKNOWN_ID]), jobs=ids)
    recorder.run_json("squeue_json", f"{moment}:all", "squeue --json", everything, jobs=ids)
    for name, job_id in ids.items():
        recorder.run("scontrol", f"{moment}:{name}", scontrol_cmd(job_id), job_id=job_id)
    recorder.run("scontrol", f"{moment}:unknown", scontrol_cmd(UNKNOWN_ID), job_id=UNKNOWN_ID)
    recorder.run("sacct", f"{moment}:all", sacct_cmd(everything), jobs=ids)
    recorder.run("sacct", f"{moment}:unknown", sacct_cmd([UNKNOWN_ID]))
    sacct_json = f"sacct --json --jobs={','.join(everything)}"
    recorder.run_json("sacct_json", f"{moment}:all", sacct_json, everything, jobs=ids)
