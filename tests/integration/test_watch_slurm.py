"""``qtk watch`` on the real SLURM: every transition of the jobs submitted, logged once each.

Three held jobs are submitted; the watcher sees them queued, they are released and run. The
watcher is stopped while they run; meanwhile one completes, one fails and one is cancelled.
A watcher started again on the same log finds them gone and logs how each ended (from sacct),
without logging anything twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtoolkit.core.data_objects import QState
from qtoolkit.io.slurm import SlurmState

from .services.system import run
from .watching import Watcher, check_history, ended, headers, seen_in, wait_for_log

if TYPE_CHECKING:
    from pathlib import Path

    from .services import SlurmCluster


def test_watch_logs_every_transition_across_a_restart(slurm: SlurmCluster, tmp_path: Path) -> None:
    log = tmp_path / "events.ndjson"
    watcher = Watcher("slurm", log)
    common = ["--hold", "--output=/dev/null", "--partition=debug"]
    jobs = {
        "done": slurm.submit([*common, "--job-name=qtk-watch-done", "--wrap=sleep 4"]),
        "failed": slurm.submit([*common, "--job-name=qtk-watch-failed", "--wrap=sleep 4; exit 3"]),
        "cancelled": slurm.submit([*common, "--job-name=qtk-watch-cancel", "--wrap=sleep 300"]),
    }
    ids = list(jobs.values())
    try:
        watcher.start()
        wait_for_log(log, SlurmState, ids, seen_in(QState.QUEUED), "the jobs queued", watcher)
        run(["scontrol", "release", ",".join(ids)])
        wait_for_log(log, SlurmState, ids, seen_in(QState.RUNNING), "the jobs running", watcher)
        out, _ = watcher.stop()
        assert "appeared" in out
        # While no one watches: two jobs end by themselves, the third is cancelled.
        run(["scancel", jobs["cancelled"]])
        watcher.start()
        history = wait_for_log(log, SlurmState, ids, ended, "the jobs' ends", watcher)
        out, _ = watcher.stop()
        assert "resuming from the log" in out
    finally:
        watcher.kill()
    finals = {
        name: check_history(history[job_id], QState.QUEUED).final for name, job_id in jobs.items()
    }
    done, failed, cancelled = finals["done"], finals["failed"], finals["cancelled"]
    assert done is not None
    assert (done.state, done.sub_state, done.exit_status) == (QState.DONE, SlurmState.COMPLETED, 0)
    assert failed is not None
    assert (failed.state, failed.sub_state, failed.exit_status) == (
        QState.FAILED,
        SlurmState.FAILED,
        3,
    )
    assert cancelled is not None
    assert (cancelled.state, cancelled.sub_state) == (QState.FAILED, SlurmState.CANCELLED)
    assert headers(log) == 1
