"""Upstream qtoolkit 0.1.7's MSON path, timed in upstream's own venv (never with this package).

Run by the benchmark as ``<upstream venv>/bin/python benchmarks/upstream_peer.py --snapshot FILE``.
FILE holds the snapshot as plain JSON (a list of job objects, absent fields left out). This script
builds upstream QJob objects from it, outside any timing, then times

- encode: ``json.dumps([job.as_dict() for job in jobs])``
- decode: ``[QJob.from_dict(d) for d in json.loads(text)]``

and prints its measurements as one JSON object on stdout. With ``--squeue FILE`` instead, it
times upstream's whole poll of that ``squeue`` text: ``SlurmIO().parse_jobs_list_output`` and
``json.dumps([job.as_dict() ...])``, and prints the times as a JSON list.

Upstream is imported by name through ``importlib`` so that type checkers, which see this
package's ``qtoolkit``, see ``Any`` here.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import json
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path; the repository root holds the
# `benchmarks` package and its standard-library-only timing module.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import time_call, traced_call

UPSTREAM_VERSION = "0.1.7"


def _upstream() -> tuple[Any, Any, Any, Any]:
    """Upstream's QJob, QJobInfo, QState and SlurmState; exits with a reason if unusable."""
    data_objects = importlib.import_module("qtoolkit.core.data_objects")
    slurm = importlib.import_module("qtoolkit.io.slurm")
    if importlib.util.find_spec("qtoolkit.synthetic") is not None:
        sys.exit("the qtoolkit found is this project's, not upstream's: use upstream's own venv")
    if not hasattr(data_objects.QJob, "as_dict"):
        sys.exit("monty is not installed in the upstream venv: upstream QJob is not MSONable")
    return data_objects.QJob, data_objects.QJobInfo, data_objects.QState, slurm.SlurmState


def _build(rows: list[dict[str, Any]], classes: tuple[Any, Any, Any, Any]) -> list[Any]:
    """Upstream QJob objects from the snapshot's plain JSON objects."""
    qjob, qjob_info, qstate, slurm_state = classes
    jobs = []
    for row in rows:
        fields = dict(row)
        if "state" in fields:
            fields["state"] = qstate(fields["state"])
        if "sub_state" in fields:
            fields["sub_state"] = slurm_state(fields["sub_state"])
        if "info" in fields:
            fields["info"] = qjob_info(**fields["info"])
        jobs.append(qjob(**fields))
    return jobs


def measure(snapshot: Path, repeats: int, *, memory: bool) -> dict[str, Any]:
    """Time encode and decode ``repeats`` times each; measure one decode's memory."""
    classes = _upstream()
    qjob = classes[0]
    jobs = _build(json.loads(snapshot.read_text(encoding="utf-8")), classes)

    def encode() -> str:
        return json.dumps([job.as_dict() for job in jobs])

    def decode(text: str) -> list[Any]:
        return [qjob.from_dict(d) for d in json.loads(text)]

    text = encode()
    if memory:
        decoded, peak, retained = traced_call(lambda: decode(text))
    else:
        decoded, peak, retained = decode(text), None, None
    if decoded != jobs:
        sys.exit("upstream's decode of its own encoding differs from the jobs encoded")
    del decoded
    encode_s: list[float] = []
    decode_s: list[float] = []
    for _ in range(repeats):
        encode_s.append(time_call(encode))
        decode_s.append(time_call(lambda: decode(text)))
    return {
        "jobs": len(jobs),
        "qtoolkit": importlib.metadata.version("qtoolkit"),
        "monty": importlib.metadata.version("monty"),
        "python": platform.python_version(),
        "wire_bytes": len(text.encode()),
        "encode_s": encode_s,
        "decode_s": decode_s,
        "encode_median_s": statistics.median(encode_s),
        "decode_median_s": statistics.median(decode_s),
        "decode_peak_bytes": peak,
        "decode_retained_bytes": retained,
    }


def measure_poll(squeue: Path, repeats: int) -> list[float]:
    """Seconds of each of ``repeats`` polls: parse the text, write every job as MSON."""
    _upstream()
    slurm_io = importlib.import_module("qtoolkit.io.slurm").SlurmIO()
    text = squeue.read_text(encoding="utf-8")

    def poll() -> str:
        jobs = slurm_io.parse_jobs_list_output(exit_code=0, stdout=text, stderr="")
        return json.dumps([job.as_dict() for job in jobs])

    return [time_call(poll) for _ in range(repeats)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--snapshot", type=Path, help="the snapshot's JSON file")
    source.add_argument("--squeue", type=Path, help="squeue's text: time a whole poll instead")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls of each kind")
    parser.add_argument("--no-memory", action="store_true", help="skip the traced decode")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.squeue is not None:
        print(json.dumps(measure_poll(args.squeue, args.repeats)))
        return
    result = measure(args.snapshot, args.repeats, memory=not args.no_memory)
    if result["qtoolkit"] != UPSTREAM_VERSION:
        print(
            f"warning: upstream qtoolkit is {result['qtoolkit']}, not {UPSTREAM_VERSION}",
            file=sys.stderr,
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
