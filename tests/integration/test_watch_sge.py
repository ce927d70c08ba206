"""``qtk watch`` on the real Grid Engine: every transition of the jobs submitted, logged once each.

Three held jobs are submitted; the watcher sees them held, and is stopped. A watcher started
again on the same log sees nothing new until they are released; then it sees them run, and logs
how each ended (from qacct): one completes, one fails, one is deleted while it runs. The log is
rotated after every poll with changes (``--rotate-at 1``), so the history is read across the
logs kept, and the restarted watcher resumes from a checkpoint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qtoolkit.core.data_objects import QState
from qtoolkit.io import SGEState

from .services.gridengine import ENV
from .services.system import run
from .watching import (
    Watcher,
    check_history,
    check_segments,
    ended,
    headers,
    history,
    seen_in,
    wait_for_log,
)

if TYPE_CHECKING:
    from pathlib import Path

    from .services import GridEngineCell


def _script(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / f"{name}.sh"
    path.write_text(f"#!/bin/sh\n{body}\n")
    return str(path)


def test_watch_logs_every_transition_across_a_restart(sge: GridEngineCell, tmp_path: Path) -> None:
    log = tmp_path / "events.ndjson"
    watcher = Watcher("sge", log, env=ENV, rotate_at="1")
    common = ["-h", "-o", "/dev/null", "-j", "y", "-q", "long.q"]
    jobs = {
        "done": sge.submit([*common, "-N", "qtk_watch_done", _script(tmp_path, "done", "sleep 4")]),
        "failed": sge.submit(
            [*common, "-N", "qtk_watch_failed", _script(tmp_path, "failed", "sleep 4; exit 3")]
        ),
        "deleted": sge.submit(
            [*common, "-N", "qtk_watch_deleted", _script(tmp_path, "deleted", "sleep 300")]
        ),
    }
    ids = list(jobs.values())
    try:
        watcher.start()
        wait_for_log(log, SGEState, ids, seen_in(QState.QUEUED_HELD), "the jobs held", watcher)
        watcher.stop()
        watcher.start()
        run(["qrls", *ids], env=ENV)
        wait_for_log(log, SGEState, ids, seen_in(QState.RUNNING), "the jobs running", watcher)
        run(["qdel", jobs["deleted"]], env=ENV)
        wait_for_log(log, SGEState, ids, ended, "the jobs' ends", watcher)
        watcher.stop()
    finally:
        watcher.kill()
    # Read again once the watcher is stopped: a read racing a rotation may miss a kept log.
    logged = history(log, SGEState, ids)
    finals = {
        name: check_history(logged[job_id], QState.QUEUED_HELD).final
        for name, job_id in jobs.items()
    }
    for name, job_id in jobs.items():
        appeared = logged[job_id][0]
        assert appeared.sub_state == SGEState.HOLD.value, (name, logged[job_id])
    done, failed, deleted = finals["done"], finals["failed"], finals["deleted"]
    assert done is not None
    assert (done.state, done.exit_status) == (QState.DONE, 0)
    assert failed is not None
    assert (failed.state, failed.exit_status) == (QState.FAILED, 3)
    assert deleted is not None
    assert deleted.state is QState.FAILED
    assert headers(log) == 1
    # Held, running, three ends: at least one poll with changes each, each one rotated.
    assert check_segments(log) >= 3
