"""``python -m qtoolkit``: build a small SLURM snapshot, encode it and print it."""

from __future__ import annotations

import sys

import msgspec

from qtoolkit.core.data_objects import QJob, QJobInfo, QResources, QState
from qtoolkit.core.filepath import encode_path
from qtoolkit.io.slurm import SlurmState


def main() -> int:
    """Print a three-job snapshot and a resource request as JSON."""
    snapshot = [
        QJob[SlurmState](
            name=f"relax-{i}",
            job_id=str(1000 + i),
            state=sub_state.qstate,
            sub_state=sub_state,
            info=QJobInfo(nodes=1, cpus=32, time_limit=3600),
            runtime=60 * i,
            queue_name="standard",
        )
        for i, sub_state in enumerate([SlurmState.RUNNING, SlurmState.PENDING, SlurmState("CD")])
    ]
    encoded = msgspec.json.encode(snapshot)
    decoded = msgspec.json.decode(encoded, type=list[QJob[SlurmState]])
    assert decoded == snapshot
    assert [job.state for job in decoded] == [QState.RUNNING, QState.QUEUED, QState.DONE]
    sys.stdout.write(msgspec.json.format(encoded, indent=2).decode() + "\n")
    request = QResources.evenly_distributed(2, 64, queue_name="standard", time_limit=7200)
    sys.stdout.write(msgspec.json.encode(request, enc_hook=encode_path).decode() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
