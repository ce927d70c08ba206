"""The Grid Engine jobs recorded, and the commands run on them, as upstream SGEIO 0.1.7 writes them.

Upstream's SGE header is PBS's (``-l select=...``, ``-cwd <dir>``, ``-binding pack``), which Grid
Engine refuses: those scripts are submitted and their rejections recorded. The jobs that then run
use headers Grid Engine accepts, covering queues, parallel environment, time and memory limits,
arrays, holds and dependencies.
"""

from __future__ import annotations

import re
from typing import Any

from ..services import GridEngineCell, wait_until
from ..sge_commands import finished, qstat_states
from .recorder import Recorder

QSTAT = 'qstat -ext -urg -xml -u "*"'
UNKNOWN_ID = "999999"
SLEEP = "sleep 600"

# Scripts written by upstream from QResources: name -> (factory, keyword arguments, commands).
UPSTREAM_JOBS: dict[str, tuple[str | None, dict[str, Any], str]] = {
    "upstream_no_constraints": ("no_constraints", {"processes": 2, "job_name": "nc"}, SLEEP),
    "upstream_scattered": ("scattered", {"processes": 1, "job_name": "sc"}, SLEEP),
    "upstream_same_node": ("same_node", {"processes": 2, "job_name": "sn"}, SLEEP),
    "upstream_evenly_distributed": (
        "evenly_distributed",
        {"nodes": 1, "processes_per_node": 2, "job_name": "ed"},
        SLEEP,
    ),
    "upstream_name_queue_time": (
        None,
        {"job_name": "plain", "queue_name": "all.q", "time_limit": 600, "processes": 1},
        SLEEP,
    ),
}

# Headers Grid Engine accepts: name -> (directives, commands). Quick jobs first, so they finish
# before the array (6 tasks) and the others fill the 8 slots.
JOBS: dict[str, tuple[list[str], str]] = {
    "held": (["-N held", "-h"], "true"),
    "fails": (["-N fails_3"], "exit 3"),
    "completes": (["-N completes"], "echo done"),
    "running": (["-N running", "-q all.q"], SLEEP),
    "long_queue_limits": (
        ["-N long_q", "-q long.q", "-l h_rt=01:00:00", "-l mem_free=100M"],
        SLEEP,
    ),
    "parallel_environment": (["-N pe_smp", "-pe smp 2", "-l h_rt=600"], SLEEP),
    "array": (["-N array", "-t 1-6"], SLEEP),
    "unicode_name": (["-N ünïcødé"], "true"),
    "name_with_space": (["-N 'two words'"], "true"),
}


def _script(directives: list[str], commands: str) -> str:
    lines = ["#!/bin/bash", "#$ -o /dev/null", "#$ -j y", "#$ -cwd"]
    return "\n".join([*lines, *(f"#$ {d}" for d in directives), commands, ""])


def record(cell: GridEngineCell, recorder: Recorder, upstream_scripts: dict[str, str]) -> None:
    """Submit upstream's and valid scripts, snapshot the queue, delete some, snapshot again."""
    ids: dict[str, str] = {}
    scripts = {**upstream_scripts, **{name: _script(*job) for name, job in JOBS.items()}}
    for name, script in scripts.items():
        path = recorder.work_dir / f"{name}.sh"
        path.write_text(script)
        result = recorder.run("qsub", name, f"qsub {path.name}", script=script)
        if result.returncode == 0:
            ids[name] = cell.ledger.record(_job_number(result.stdout))
    dependent = recorder.run("qsub", "dependency", f"qsub -hold_jid {ids['running']} completes.sh")
    ids["dependency"] = cell.ledger.record(_job_number(dependent.stdout))

    def reached(name: str, state: str) -> None:
        wait_until(
            lambda: qstat_states().get(ids[name]) == state,
            what=f"SGE job {name} ({ids[name]}) in state {state}",
        )

    for name in ("running", "long_queue_limits", "parallel_environment"):
        reached(name, "r")
    for name in ("fails", "completes"):
        _wait_accounted(name, ids[name])
    _snapshot(recorder, ids, "mixed")

    deletes = {
        "queued": ids["held"],
        "running": ids["running"],
        "finished": ids["completes"],
        "unknown": UNKNOWN_ID,
        "array_task": f"{ids['array']} -t 2",
    }
    for case, job_id in deletes.items():
        recorder.run("qdel", case, f"qdel {job_id}", job_id=job_id)
    _wait_accounted("running", ids["running"])
    _snapshot(recorder, ids, "after_delete")
    recorder.run("qdel", "array", f"qdel {ids['array']}", job_id=ids["array"])


def _job_number(qsub_stdout: str) -> str:
    """The job number in qsub's "Your job 12 (...)" or "Your job-array 12.1-6:1 (...)"."""
    match = re.search(r"Your job(?:-array)? (\d+)", qsub_stdout)
    assert match is not None, qsub_stdout
    return match.group(1)


def _wait_accounted(name: str, job_id: str) -> None:
    """Wait until qacct has ``job_id`` and qmaster no longer lists it."""
    wait_until(lambda: finished(job_id), what=f"SGE job {name} ({job_id}) accounted")


def _snapshot(recorder: Recorder, ids: dict[str, str], moment: str) -> None:
    recorder.run("qstat_xml", f"{moment}:all", QSTAT, jobs=ids)
    recorder.run("qstat_xml", f"{moment}:user", "qstat -ext -urg -xml -u root", jobs=ids)
    recorder.run("qstat_xml", f"{moment}:resources", 'qstat -ext -urg -xml -r -u "*"', jobs=ids)
    recorder.run("qstat_text", f"{moment}:all", 'qstat -ext -urg -u "*"', jobs=ids)
    for name in ("running", "held", "array", "long_queue_limits", "completes"):
        recorder.run("qstat_j", f"{moment}:{name}", f"qstat -j {ids[name]}", job_id=ids[name])
    recorder.run("qstat_j", f"{moment}:unknown", f"qstat -j {UNKNOWN_ID}", job_id=UNKNOWN_ID)
    recorder.run("qstat_j", f"{moment}:running_xml", f"qstat -j {ids['running']} -xml")
    for name in ("fails", "completes", "running", "held", "array"):
        recorder.run("qacct", f"{moment}:{name}", f"qacct -j {ids[name]}", job_id=ids[name])
    recorder.run("qacct", f"{moment}:unknown", f"qacct -j {UNKNOWN_ID}", job_id=UNKNOWN_ID)
    array_task = f"qacct -j {ids['array']} -t 2"
    recorder.run("qacct", f"{moment}:array_task", array_task, job_id=ids["array"])
