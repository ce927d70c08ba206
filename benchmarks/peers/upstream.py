"""Upstream qtoolkit 0.1.7 (MSON), run by ``upstream_peer.py`` in its own venv's Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from benchmarks.results import CaseResult, OpResult, UpstreamResult

if TYPE_CHECKING:
    from benchmarks.peers.base import Snapshot

__all__ = ["NAME", "SCRIPT", "UpstreamError", "run"]

NAME = "upstream MSON"
SCRIPT = Path(__file__).resolve().parent.parent / "upstream_peer.py"


class UpstreamError(RuntimeError):
    """The upstream peer could not be run; the message says why."""


def run(
    python: str, jobs: Snapshot, workdir: Path, repeats: int, *, memory: bool
) -> tuple[CaseResult, UpstreamResult]:
    """Write the snapshot as plain JSON, time upstream on it, and return its measurements."""
    snapshot = workdir / f"snapshot-{len(jobs)}.json"
    snapshot.write_bytes(msgspec.json.encode(jobs))
    command = [python, str(SCRIPT), "--snapshot", str(snapshot), "--repeats", str(repeats)]
    if not memory:
        command.append("--no-memory")
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise UpstreamError(f"cannot start {python}: {exc}") from exc
    finally:
        snapshot.unlink()
    if done.stderr.strip():
        print(done.stderr.rstrip(), file=sys.stderr)
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or ["no message"]
        raise UpstreamError(f"{python} exited with {done.returncode}: {detail[0]}")
    try:
        measured = msgspec.json.decode(done.stdout.strip().splitlines()[-1], type=UpstreamResult)
    except (IndexError, msgspec.DecodeError) as exc:
        raise UpstreamError(f"unreadable output from upstream_peer.py: {exc}") from exc
    n = len(jobs)
    case = CaseResult(
        peer=NAME,
        format="json",
        jobs=n,
        wire_bytes=measured.wire_bytes,
        encode=OpResult(
            times_s=measured.encode_s,
            median_s=measured.encode_median_s,
            ns_per_job=measured.encode_median_s / n * 1e9,
        ),
        decode=OpResult(
            times_s=measured.decode_s,
            median_s=measured.decode_median_s,
            ns_per_job=measured.decode_median_s / n * 1e9,
        ),
        decode_peak_bytes=measured.decode_peak_bytes,
        decode_retained_bytes=measured.decode_retained_bytes,
    )
    return case, measured
