"""Generated job listings, as the schedulers print them, for benchmarks and tests.

``squeue_listing(100_000)`` is the text of ``squeue`` in the format :class:`~qtoolkit.io.SlurmIO`
asks for; ``ps_listing(100_000)`` that of ``ps`` for :class:`~qtoolkit.io.ShellIO`. Both are
deterministic for a seed and use only the standard library, so any Python (upstream's venv
included) can run this file to produce the same text.
"""

from __future__ import annotations

import random

from qtoolkit.io.clock import clock_text

__all__ = ["ps_listing", "squeue_listing"]

_USERS = [f"user{n:02d}" for n in range(24)]
_PARTITIONS = ["standard", "gpu", "bigmem", "debug", "long"]
_WORKFLOWS = ["relax", "static", "bands", "phonon", "md", "neb", "dos", "elastic"]
_REASONS = {"PD": ["Priority", "Resources", "Dependency", "JobHeldUser"], "R": ["None"]}
_SLURM_STATES = ["PD"] * 5 + ["R"] * 4 + ["CG", "CD", "F", "CA", "TO", "S"]
_TIME_LIMITS = ["30:00", "1:00:00", "1-00:00:00", "2-00:00:00", "UNLIMITED"]
_MEMORY = ["2000M", "4000M", "2G", "8G", "16000M", "500M"]
_PS_STATES = ["S"] * 6 + ["R"] * 3 + ["D", "T", "Z"]
_COMMANDS = ["bash", "python", "vasp_std", "pw.x", "srun", "sleep", "mpirun"]


def squeue_listing(jobs: int, *, seed: int = 0, separator: str = "<><>") -> str:
    """``jobs`` lines of ``squeue --noheader -o '%i<><> %t<><> ... %m'``, one per job."""
    rng = random.Random(seed)
    sep = f"{separator} "
    lines: list[str] = []
    for index in range(jobs):
        state = rng.choice(_SLURM_STATES)
        started = state != "PD"
        nodes = rng.choice((1, 1, 1, 2, 4, 16))
        fields = [
            str(1_000_000 + index),
            state,
            rng.choice(_REASONS.get(state, ["None"])),
            f"{rng.choice(_WORKFLOWS)}-{rng.randrange(100_000):05d}",
            rng.choice(_USERS),
            rng.choice(_PARTITIONS),
            rng.choice(_TIME_LIMITS),
            str(nodes),
            str(nodes * rng.choice((1, 16, 32, 64))),
            clock_text(rng.randrange(1, 3 * 86_400)) if started else "0:00",
            rng.choice(_MEMORY),
        ]
        lines.append(sep.join(fields))
    return "\n".join(lines) + "\n"


def ps_listing(jobs: int, *, seed: int = 0) -> str:
    """A header and ``jobs`` lines of ``ps -o pid,user,etime,state,comm``."""
    rng = random.Random(seed)
    lines: list[str] = ["    PID USER         ELAPSED S COMMAND"]
    for index in range(jobs):
        user = rng.choice(_USERS)  # drawn in this order, so a seed gives the same listing
        elapsed = clock_text(rng.randrange(1, 9 * 86_400))
        lines.append(
            f"{1000 + index:>7} {user:<8} {elapsed:>11} "
            f"{rng.choice(_PS_STATES)} {rng.choice(_COMMANDS)}"
        )
    return "\n".join(lines) + "\n"
