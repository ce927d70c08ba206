"""Record what the real SLURM and Grid Engine print into tests/data/real/<scheduler>/.

Run by ``nox -s record_schedulers`` (root, Debian): it starts the schedulers as the integration
tests do, submits a variety of jobs (every placement of QResources, time, memory, partitions and
queues, unicode names, arrays, holds, failures, cancellations), runs the commands upstream
qtoolkit 0.1.7's IO classes write, and saves each command with its exit code, stdout and stderr.
Submission scripts come from upstream itself, run by ``--upstream-python`` (a venv holding
qtoolkit 0.1.7), so the recordings answer exactly what upstream asks.

    PYTHONPATH=tests python -m integration.record_output tests/data/real --upstream-python PY
"""

from __future__ import annotations

import argparse
import datetime
import json
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .recording import sge_scenario, slurm_scenario
from .recording.recorder import Recorder
from .services import GridEngineCell, SlurmCluster, exclusive
from .services.gridengine import ENV as SGE_ENV
from .services.system import run

UPSTREAM_SCRIPTS = Path(__file__).parent / "recording" / "upstream_scripts.py"


def upstream_scripts(python: str) -> dict[str, str]:
    """Every scenario's submission script, written by upstream's SlurmIO and SGEIO."""
    specs = [
        {"name": name, "scheduler": "slurm", "factory": f, "kwargs": kw, "commands": cmd}
        for name, (f, kw, cmd) in slurm_scenario.JOBS.items()
    ] + [
        {"name": name, "scheduler": "sge", "factory": f, "kwargs": kw, "commands": cmd}
        for name, (f, kw, cmd) in sge_scenario.UPSTREAM_JOBS.items()
    ]
    result = subprocess.run(
        [python, str(UPSTREAM_SCRIPTS)],
        input=json.dumps(specs),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"upstream could not write the scripts:\n{result.stderr}")
    scripts: dict[str, str] = json.loads(result.stdout)
    return scripts


def _meta(scheduler: str, version: str) -> dict[str, Any]:
    return {
        "scheduler": scheduler,
        "version": version,
        "host": socket.gethostname(),
        "user": "root",
        "recorded": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "by": "nox -s record_schedulers (tests/integration/record_output.py)",
        "commands": "as upstream qtoolkit 0.1.7 writes them, plus --json and accounting views",
    }


def record_slurm(out_dir: Path, scripts: dict[str, str], work: Path) -> None:
    """Bring SLURM up, record its scenario, tear it down."""
    cluster = SlurmCluster()
    recorder = Recorder("slurm", work)
    try:
        cluster.start()
        slurm_scenario.record(cluster, recorder, scripts)
    finally:
        version = run(["sinfo", "--version"], check=False).stdout.strip()
        cluster.stop()
        recorder.write(out_dir, _meta("slurm", version))


def record_sge(out_dir: Path, scripts: dict[str, str], work: Path) -> None:
    """Bring Grid Engine up, record its scenario, tear it down."""
    cell = GridEngineCell()
    recorder = Recorder("sge", work, env=SGE_ENV)
    try:
        cell.start()
        sge_scenario.record(cell, recorder, scripts)
    finally:
        version = run(["qstat", "-help"], env=SGE_ENV, check=False).stdout.partition("\n")[0]
        cell.stop()
        recorder.write(out_dir, _meta("sge", version))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--upstream-python", required=True)
    parser.add_argument("--only", choices=("slurm", "sge"))
    args = parser.parse_args()
    scripts = upstream_scripts(args.upstream_python)
    with exclusive(), tempfile.TemporaryDirectory(prefix="qtk-record-") as work:
        if args.only in (None, "slurm"):
            slurm_scripts = {name: scripts[name] for name in slurm_scenario.JOBS}
            record_slurm(args.out_dir, slurm_scripts, Path(work))
        if args.only in (None, "sge"):
            sge_scripts = {name: scripts[name] for name in sge_scenario.UPSTREAM_JOBS}
            record_sge(args.out_dir, sge_scripts, Path(work))


if __name__ == "__main__":
    main()
