"""Realistic synthetic job snapshots, for benchmarks, demos and tests.

A snapshot mimics what a poller sees on a busy cluster: most jobs pending or running, a few
finishing or failed; about a third "sparse" (only what ``squeue``/``qstat`` prints by default:
ID, name, state, queue) and the rest fully populated with account, owner, runtime and resources.
The same ``seed`` always gives the same snapshot.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Literal, overload

from qtoolkit.core.data_objects import QJob, QJobInfo
from qtoolkit.io import SUB_STATES

if TYPE_CHECKING:
    from qtoolkit.core.data_objects import QSubState
    from qtoolkit.io import PBSState, SGEState, ShellState, SlurmState

__all__ = ["generate_snapshot"]

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
