"""Upstream qtoolkit 0.1.7 parsing a squeue or ps listing, timed in upstream's own venv.

Run by ``benchmarks/parse_slurm_shell.py`` as ``<upstream venv>/bin/python
benchmarks/parse_listing_peer.py --scheduler slurm|shell --file FILE --repeats N``; prints
``{"seconds": [...], "jobs": n, "digest": "..."}``, the digest being that of the parsed jobs'
values (see ``job_key``), so that both packages' answers can be compared without shipping
100,000 jobs between processes. Upstream is imported through ``importlib`` so that type
checkers, which see this package's ``qtoolkit``, see ``Any`` here.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import time_call


def job_key(job: Any, partition: Any) -> str:
    """One job's values as a line of text; the same for both packages' jobs."""
    info = job.info
    values = (
        job.job_id,
        job.name,
        job.state.name,
        job.sub_state.name,
        job.username,
        partition,
        job.runtime,
        *(
            (None,) * 4
            if info is None
            else (info.nodes, info.cpus, info.memory_per_cpu, info.time_limit)
        ),
    )
    return repr(values)


def digest(jobs: list[Any], partition_of: Any) -> str:
    lines = "\n".join(job_key(job, partition_of(job)) for job in jobs)
    return hashlib.sha256(lines.encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scheduler", choices=("slurm", "shell"), required=True)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    if importlib.util.find_spec("qtoolkit.io.listings") is not None:
        sys.exit("the qtoolkit found is this project's, not upstream's: use upstream's own venv")
    module: Any = importlib.import_module(f"qtoolkit.io.{args.scheduler}")
    io = module.SlurmIO() if args.scheduler == "slurm" else module.ShellIO()
    text = args.file.read_text(encoding="utf-8")
    jobs = io.parse_jobs_list_output(0, text, "")
    seconds = [
        time_call(lambda: io.parse_jobs_list_output(0, text, ""))
        for _ in range(max(args.repeats, 1))
    ]
    # Upstream keeps the partition in an attribute QJobInfo does not declare.
    answer = digest(jobs, lambda job: getattr(job.info, "partition", None))
    print(json.dumps({"seconds": seconds, "jobs": len(jobs), "digest": answer}))


if __name__ == "__main__":
    main()
