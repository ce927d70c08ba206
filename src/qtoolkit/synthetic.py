"""Realistic synthetic job snapshots, for benchmarks, demos and tests.

:func:`next_poll` gives the same queue one poll later, and :func:`squeue_output` the text
``squeue`` prints for a SLURM snapshot, so a whole poll cycle can be timed without a cluster.

A snapshot mimics what a poller sees on a busy cluster: most jobs pending or running, a few
finishing or failed; about a third "sparse" (only what ``squeue``/``qstat`` prints by default:
ID, name, state, queue) and the rest fully populated with account, owner, runtime and resources.
The same ``seed`` always gives the same snapshot.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Literal, overload

import msgspec

from qtoolkit.core.data_objects import QJob, QJobInfo, SubStateT
from qtoolkit.io import SUB_STATES
from qtoolkit.io.clock import clock_text

if TYPE_CHECKING:
    from qtoolkit.core.data_objects import QSubState
    from qtoolkit.io import PBSState, SGEState, ShellState, SlurmState

__all__ = ["generate_snapshot", "next_poll", "squeue_output"]

# Share of jobs per sub-state value, by scheduler; values not listed are rare and share the rest.
_COMMON_STATES: dict[str, dict[str, float]] = {
    "slurm": {"PENDING": 0.5, "RUNNING": 0.36, "COMPLETING": 0.03, "CONFIGURING": 0.02},
    "pbs": {"Q": 0.5, "R": 0.36, "H": 0.03, "E": 0.02},
    "sge": {"qw": 0.5, "r": 0.36, "hqw": 0.03, "t": 0.02},
    "shell": {"R": 0.5, "S": 0.4},
}
_QUEUES = ("standard", "debug", "gpu", "bigmem", "long")
_ACCOUNTS = ("chem-101", "materials", "ml-surrogates", "climate", "astro")
_USERS = ("ada", "grace", "linus", "barbara", "ken", "margaret", "dennis", "radia")
_WORKFLOWS = ("relax", "static", "band-structure", "phonon", "md-nvt", "train", "dos")


@overload
def generate_snapshot(
    jobs: int, scheduler: Literal["slurm"] = "slurm", *, seed: int = 0
) -> list[QJob[SlurmState]]: ...


@overload
def generate_snapshot(
    jobs: int, scheduler: Literal["pbs"], *, seed: int = 0
) -> list[QJob[PBSState]]: ...


@overload
def generate_snapshot(
    jobs: int, scheduler: Literal["sge"], *, seed: int = 0
) -> list[QJob[SGEState]]: ...


@overload
def generate_snapshot(
    jobs: int, scheduler: Literal["shell"], *, seed: int = 0
) -> list[QJob[ShellState]]: ...


@overload
def generate_snapshot(jobs: int, scheduler: str, *, seed: int = 0) -> list[QJob[Any]]: ...


def generate_snapshot(jobs: int, scheduler: str = "slurm", *, seed: int = 0) -> list[QJob[Any]]:
    """Return ``jobs`` jobs of ``scheduler`` (slurm, pbs, sge or shell) as a poll would see them."""
    try:
        states = SUB_STATES[scheduler]
    except KeyError:
        msg = f"unknown scheduler {scheduler!r}; choose one of {', '.join(SUB_STATES)}"
        raise ValueError(msg) from None
    rng = random.Random(seed)
    common = _COMMON_STATES[scheduler]
    population = [states(value) for value in common]
    weights = list(common.values())
    rare = [member for member in states if member.value not in common]
    population += rare
    weights += [(1 - sum(common.values())) / len(rare)] * len(rare)
    sub_states = rng.choices(population, weights, k=jobs)
    snapshot: list[QJob[QSubState]] = []
    for index, sub_state in enumerate(sub_states):
        job_id = str(4_200_000 + index)
        name = f"{rng.choice(_WORKFLOWS)}-{rng.randrange(100_000):05d}"
        if rng.random() < 0.35:
            snapshot.append(
                QJob(
                    name=name,
                    job_id=job_id,
                    state=sub_state.qstate,
                    sub_state=sub_state,
                    queue_name=rng.choice(_QUEUES),
                )
            )
            continue
        nodes = rng.choice((1, 1, 1, 2, 4, 16))
        cpus = nodes * rng.choice((1, 8, 32, 64, 128))
        started = sub_state.qstate.name not in ("QUEUED", "QUEUED_HELD")
        snapshot.append(
            QJob(
                name=name,
                job_id=job_id,
                exit_status=rng.choice((0, 0, 0, 1, 137))
                if sub_state.qstate.name in ("DONE", "FAILED")
                else None,
                state=sub_state.qstate,
                sub_state=sub_state,
                info=QJobInfo(
                    memory=cpus * rng.choice((2_000_000, 4_000_000)),
                    memory_per_cpu=rng.choice((None, 2_000_000, 4_000_000)),
                    nodes=nodes,
                    cpus=cpus,
                    threads_per_process=rng.choice((None, 1, 2, 4)),
                    time_limit=rng.choice((1800, 3600, 86_400, 172_800)),
                ),
                account=rng.choice(_ACCOUNTS),
                runtime=rng.randrange(1, 86_400) if started else None,
                queue_name=rng.choice(_QUEUES),
                username=rng.choice(_USERS),
            )
        )
    return snapshot


# One step along a job's life, by sub-state value; a job in any other state leaves the queue.
_NEXT_STATE: dict[str, dict[str, str]] = {
    "slurm": {
        "PENDING": "RUNNING",
        "CONFIGURING": "RUNNING",
        "RUNNING": "COMPLETING",
        "COMPLETING": "COMPLETED",
    },
    "pbs": {"Q": "R", "H": "Q", "R": "E", "E": "F"},
    "sge": {"qw": "r", "hqw": "qw", "t": "r", "r": "z"},
    "shell": {"S": "R", "R": "Z"},
}
_RUNNING = frozenset({"RUNNING"})


def next_poll(
    snapshot: list[QJob[SubStateT]], *, changed: float = 0.01, elapsed: int = 0, seed: int = 0
) -> list[QJob[SubStateT]]:
    """The queue of ``snapshot`` one poll later: a share ``changed`` of its jobs moved on.

    A chosen job takes the next step of its life (pending to running, running to completing,
    completing to completed); one in any other state leaves the queue, and a new job arrives at
    the end in its place, in the first state of a job's life (pending, or sleeping for the shell).
    With ``elapsed`` seconds, the runtime of every running job grows by that much, as ``squeue``'s
    TIME column does between two polls. The jobs of ``snapshot`` are not modified; unchanged jobs
    are shared with it.
    """
    if not snapshot:
        return []
    rng = random.Random(seed)
    states: Any = type(next(job.sub_state for job in snapshot if job.sub_state is not None))
    scheduler = next(name for name, known in SUB_STATES.items() if known is states)
    steps = _NEXT_STATE[scheduler]
    result = list(snapshot)
    if elapsed:
        for index, job in enumerate(result):
            if job.runtime is not None and job.state is not None and job.state.name in _RUNNING:
                result[index] = msgspec.structs.replace(job, runtime=job.runtime + elapsed)
    count = round(len(snapshot) * changed)
    next_id = max(int(job.job_id or 0) for job in snapshot) + 1
    gone: set[int] = set()
    for index in rng.sample(range(len(snapshot)), count):
        job = result[index]
        step = steps.get(job.sub_state.value) if job.sub_state is not None else None
        if step is None:
            gone.add(index)
            result.append(_arrival(job, str(next_id), states(next(iter(steps)))))
            next_id += 1
            continue
        sub_state = states(step)
        started = job.runtime if job.runtime is not None else None
        if sub_state.qstate.name in _RUNNING and job.info is not None and started is None:
            started = 0
        result[index] = msgspec.structs.replace(
            job, state=sub_state.qstate, sub_state=sub_state, runtime=started
        )
    return [job for index, job in enumerate(result) if index not in gone]


def _arrival(model: QJob[Any], job_id: str, pending: Any) -> QJob[Any]:
    """A new job like ``model``, in the first state of a job's life (``pending``)."""
    return msgspec.structs.replace(
        model,
        job_id=job_id,
        state=pending.qstate,
        sub_state=pending,
        runtime=None,
        exit_status=None,
    )


def squeue_output(snapshot: list[QJob[SlurmState]], separator: str = "<><>") -> str:
    """The text ``squeue`` prints for ``snapshot`` with upstream qtoolkit's columns.

    Job id, compact state, reason, name, user, partition, time limit, nodes, CPUs, time used and
    minimum memory, joined by ``separator`` and a space as the command asks.
    """
    joiner = f"{separator} "
    lines: list[str] = []
    for job in snapshot:
        info = job.info or QJobInfo()
        state = job.sub_state.all_values[-1] if job.sub_state is not None else "PD"
        memory = info.memory_per_cpu
        lines.append(
            joiner.join(
                (
                    job.job_id or "",
                    state,
                    "None" if job.state is not None and job.state.name == "RUNNING" else "Priority",
                    job.name or "",
                    job.username or "ada",
                    job.queue_name or "standard",
                    _slurm_time(info.time_limit, "UNLIMITED"),
                    str(info.nodes or 1),
                    str(info.cpus or 1),
                    _slurm_time(job.runtime, "0:00"),
                    f"{memory // 1024}M" if memory else "0",
                )
            )
        )
    return "\n".join(lines) + "\n" if lines else ""


def _slurm_time(seconds: int | None, default: str) -> str:
    """``squeue``'s D-HH:MM:SS (or M:SS) form of a duration."""
    return default if seconds is None else clock_text(seconds)
