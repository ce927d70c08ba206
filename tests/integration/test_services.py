"""The service fixtures' own rules: stop only what they started, recover from a crashed run,
never overwrite a configuration they did not write, and say clearly what is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from .services import DaemonSupervisor, JobLedger, ServiceUnavailableError, system
from .services.daemons import process_start_time


def _alive(pid: int) -> bool:
    return process_start_time(pid) is not None


SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def test_stop_all_stops_the_started_daemon_by_pid_and_forgets_it(tmp_path: Path) -> None:
    supervisor = DaemonSupervisor(tmp_path)
    started = supervisor.start("sleeper", SLEEPER)
    assert _alive(started.pid)
    assert (tmp_path / "sleeper.pid").read_text().split()[0] == str(started.pid)
    supervisor.stop_all()
    assert not _alive(started.pid)
    assert not (tmp_path / "sleeper.pid").exists()


def test_a_crashed_runs_daemon_is_adopted_and_stopped(tmp_path: Path) -> None:
    leftover = subprocess.Popen(SLEEPER, start_new_session=True)
    try:
        start_time = process_start_time(leftover.pid)
        (tmp_path / "sleeper.pid").write_text(f"{leftover.pid} {start_time}\n")
        supervisor = DaemonSupervisor(tmp_path)
        assert supervisor.adopt_leftover("sleeper")
        supervisor.stop_all()
        assert leftover.wait(timeout=30) != 0  # ended by the signal
    finally:
        if leftover.poll() is None:
            leftover.kill()


def test_a_stale_pid_file_is_dropped_and_nothing_is_signalled(tmp_path: Path) -> None:
    # This process's own pid with a start time it never had: a pid reused since the crash.
    (tmp_path / "old.pid").write_text(f"{os.getpid()} 1\n")
    (tmp_path / "garbled.pid").write_text("not a pid\n")
    supervisor = DaemonSupervisor(tmp_path)
    assert not supervisor.adopt_leftover("old")
    assert not supervisor.adopt_leftover("garbled")
    assert supervisor.started == []
    assert not (tmp_path / "old.pid").exists()
    assert not (tmp_path / "garbled.pid").exists()


def test_the_ledger_cancels_recorded_jobs_and_waits_until_they_are_gone(tmp_path: Path) -> None:
    queue = {"7", "8", "99"}
    cancelled: list[list[str]] = []

    def cancel(ids: Sequence[str]) -> None:
        cancelled.append(list(ids))
        queue.difference_update(ids)

    ledger = JobLedger(tmp_path / "jobs", cancel, lambda ids: queue & set(ids))
    ledger.record("7")
    ledger.record("8")
    ledger.record("7")
    assert ledger.ids() == ["7", "8"]
    ledger.cancel_all()
    assert cancelled == [["7", "8"]]
    assert queue == {"99"}  # not the tests' job: untouched
    assert ledger.ids() == []


def test_a_configuration_written_by_someone_else_is_not_replaced(tmp_path: Path) -> None:
    config = tmp_path / "slurm.conf"
    config.write_text("ClusterName=site\n")
    with pytest.raises(ServiceUnavailableError, match="not written by the integration tests"):
        system.write_owned(config, "ClusterName=ours\n", marker="# ours")
    assert config.read_text() == "ClusterName=site\n"
    config.unlink()
    system.write_owned(config, "ClusterName=ours\n", marker="# ours")
    system.write_owned(config, "ClusterName=again\n", marker="# ours")
    assert config.read_text() == "# ours\nClusterName=again\n"


def test_without_root_the_message_names_what_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(ServiceUnavailableError, match=r"installing no-such-package-qtk needs root"):
        system.ensure_packages(["no-such-package-qtk"])
    with pytest.raises(ServiceUnavailableError, match="uid 1000"):
        system.require_root("starting SLURM")


def test_a_missing_command_is_named() -> None:
    with pytest.raises(ServiceUnavailableError, match="command not found: no-such-command-qtk"):
        system.run(["no-such-command-qtk"])
    assert not system.succeeds(["no-such-command-qtk"])
