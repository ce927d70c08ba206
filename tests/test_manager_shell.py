"""QueueManager on this machine with the shell "scheduler": real background processes."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from qtoolkit.core.data_objects import (
    CancelStatus,
    QJob,
    QResources,
    QState,
    SubmissionStatus,
)
from qtoolkit.core.job_fate import Finished, InQueue, Unknown
from qtoolkit.host.local import LocalHost
from qtoolkit.io.pbs import PBSIO
from qtoolkit.io.sge import SGEIO
from qtoolkit.io.sge_accounting import SGEAccounting
from qtoolkit.io.shell import ShellIO, ShellState
from qtoolkit.io.slurm import SlurmIO
from qtoolkit.io.slurm_accounting import SlurmAccounting
from qtoolkit.manager import QueueManager


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` for up to 20 s: processes need a moment to start and to end."""
    for _ in range(400):
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def text_of(path: Path) -> str:
    """The text of ``path``; empty while the background shell has not created it yet."""
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


@pytest.fixture
def manager() -> QueueManager[ShellState]:
    return QueueManager(ShellIO())


def gone(pid: str) -> bool:
    """Whether ``pid`` no longer runs (ended, or a zombie waiting for its parent)."""
    # ps exits 1 when it lists nothing.
    state = subprocess.run(
        ["ps", "-o", "stat=", "-p", pid], check=False, capture_output=True, text=True
    )
    return state.stdout.strip()[:1] in ("", "Z")


@pytest.fixture
def zombie() -> Iterator[str]:
    """The pid of a real zombie: a child that exited and whose parent never reaps it."""
    # A shell may reap its background child before it execs; this parent never reaps.
    never_reaps = (
        "import os, time\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    os._exit(0)\n"
        "print(child, flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", never_reaps], stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        pid = parent.stdout.readline().strip()
        state = ["ps", "-o", "stat=", "-p", pid]
        wait_for(
            lambda: subprocess.run(
                state, check=False, capture_output=True, text=True
            ).stdout.startswith("Z"),
            "the child to become a zombie",
        )
        yield pid
        parent.kill()


def test_script_puts_environment_directory_and_commands_in_order(
    manager: QueueManager[ShellState],
) -> None:
    script = manager.get_submission_script(
        ["echo a", "echo b"],
        options={"job_name": "x"},
        work_dir="/scratch/a b",
        pre_run="echo pre",
        post_run=["echo p1", "echo p2"],
        environment={
            "modules": ["gcc/12", "x y"],
            "source_files": ["/opt/env it.sh"],
            "conda_environment": "my env",
            "environ": {"OMP_NUM_THREADS": 2, "WORK": "$HOME/bin"},
        },
    )
    # The shell header template: a blank line, the job name echoed, a blank line.
    assert script == (
        "#!/bin/bash\n"
        "\n"
        "echo x\n"
        "\n"
        "module purge\n"
        "module load gcc/12\n"
        "module load 'x y'\n"
        "source '/opt/env it.sh'\n"
        "conda activate 'my env'\n"
        "export OMP_NUM_THREADS=2\n"
        "export WORK=$HOME/bin\n"
        "cd '/scratch/a b'\n"
        "echo pre\n"
        "echo a\n"
        "echo b\n"
        "echo p1\n"
        "echo p2"
    )


def test_script_without_extras_is_header_and_commands(manager: QueueManager[ShellState]) -> None:
    assert manager.get_submission_script("echo a") == "#!/bin/bash\n\n\necho a"
    assert manager.get_environment_setup({}) is None
    assert manager.get_change_dir(None) == ""


def test_script_needs_commands(manager: QueueManager[ShellState]) -> None:
    with pytest.raises(ValueError, match="commands should be a str or a list of str"):
        manager.get_submission_script(None)


@pytest.mark.parametrize("name", ["A B", "1X", "X;id", "", "X=1"])
def test_variable_names_the_shell_would_not_take_are_refused(
    manager: QueueManager[ShellState], name: str
) -> None:
    with pytest.raises(ValueError, match="not a valid environment variable name"):
        manager.get_environment_setup({"environ": {name: "1"}})


def test_submit_list_get_cancel_a_real_process(
    manager: QueueManager[ShellState], tmp_path: Path
) -> None:
    work_dir = tmp_path / "new dir" / "it's here"
    result = manager.submit(
        ["echo started", "exec sleep 60"],
        options=QResources(job_name="sleeper"),
        work_dir=work_dir,
        create_submit_dir=True,
    )
    assert result.status == SubmissionStatus.SUCCESSFUL
    assert result.job_id is not None
    job_id = str(result.job_id)
    assert job_id.isdigit()
    script = (work_dir / "submit.script").read_text()
    assert script.endswith(f"cd {shlex.quote(str(work_dir))}\necho started\nexec sleep 60")
    wait_for(lambda: text_of(work_dir / "stdout") == "sleeper\nstarted\n", "the job's output")
    # bash echoes 'started' before it execs sleep, and sleep runs a moment before it sleeps.
    wait_for(
        lambda: (
            [(job.name, job.sub_state) for job in manager.get_jobs_list([job_id])]
            == [("sleep", ShellState.INTERRUPTIBLE_SLEEP)]
        ),
        "the job to be sleep, sleeping",
    )

    [listed] = manager.get_jobs_list([job_id])
    assert (listed.job_id, listed.name, listed.state) == (job_id, "sleep", QState.RUNNING)
    assert listed.sub_state == ShellState.INTERRUPTIBLE_SLEEP
    assert manager.get_job(job_id) == listed
    assert manager.get_job_fate(job_id) == InQueue(listed)
    assert any(job.job_id == job_id for job in manager.get_jobs_list(user=listed.username))

    cancelled = manager.cancel(job_id)
    assert (cancelled.status, cancelled.exit_code) == (CancelStatus.SUCCESSFUL, 0)
    wait_for(lambda: manager.get_job(job_id) is None, "the process to end")
    # The shell keeps no record of ended processes.
    assert manager.get_job_fate(QJob(job_id=job_id)) == Unknown(job_id, accounting=False)
    assert manager.cancel(int(job_id)).status == CancelStatus.FAILED


def test_submit_without_work_dir_uses_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    manager = QueueManager(ShellIO(blocking=True), LocalHost())
    result = manager.submit("pwd", script_fname="job.sh")
    assert (result.status, result.exit_code) == (SubmissionStatus.JOB_ID_UNKNOWN, 0)
    assert (tmp_path / "job.sh").read_text() == "#!/bin/bash\n\n\npwd"
    assert (tmp_path / "stdout").read_text() == f"{tmp_path}\n"


def test_submit_reports_a_directory_it_cannot_create(
    manager: QueueManager[ShellState], tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(RuntimeError, match="failed to create directory"):
        manager.submit("true", work_dir=tmp_path / "file" / "sub", create_submit_dir=True)


def test_cancel_ends_every_process_the_job_started(
    manager: QueueManager[ShellState], tmp_path: Path
) -> None:
    result = manager.submit(
        ["sleep 60 & echo $! > child.pid", "sleep 61 & echo $! >> child.pid", "wait"],
        work_dir=tmp_path,
    )
    job_id = str(result.job_id)
    pids = tmp_path / "child.pid"
    wait_for(lambda: pids.exists() and len(pids.read_text().split()) == 2, "the children")
    children = pids.read_text().split()
    # The job leads a process group of its own, holding its children.
    groups = subprocess.run(
        ["ps", "-o", "pgid=", "-p", ",".join([job_id, *children])],
        check=True,
        capture_output=True,
        text=True,
    )
    assert groups.stdout.split() == [job_id] * 3
    assert manager.cancel(job_id).status == CancelStatus.SUCCESSFUL
    wait_for(lambda: all(map(gone, [job_id, *children])), "every process of the job to end")


def test_cancel_kills_a_process_leading_no_group_alone() -> None:
    # As a job started by an older release, or where setsid is missing: in this test's group.
    with subprocess.Popen(["sleep", "60"]) as process:
        assert os.getpgid(process.pid) != process.pid
        result = QueueManager(ShellIO()).cancel(process.pid)
        assert (result.status, result.exit_code) == (CancelStatus.SUCCESSFUL, 0)
        assert process.wait(timeout=20) == -signal.SIGKILL


def test_a_zombie_is_listed_as_done_and_its_fate_is_finished(
    manager: QueueManager[ShellState], zombie: str
) -> None:
    fate = manager.get_job_fate(zombie)
    assert isinstance(fate, Finished)
    assert (fate.job.job_id, fate.job.state, fate.job.sub_state) == (
        zombie,
        QState.DONE,
        ShellState.DEFUNCT,
    )


def test_shell_has_no_accounting(manager: QueueManager[ShellState]) -> None:
    assert manager.accounting is None
    with pytest.raises(NotImplementedError, match="ShellIO has no accounting"):
        manager.get_finished_jobs(["1"])
    assert manager.get_job_fates([]) == {}


class RecordedAccounting:
    """Accounting that knows the given records; its command really runs (printf of the ids)."""

    def __init__(self, *records: QJob[ShellState]) -> None:
        self.records = {job.job_id: job for job in records}
        self.asked: list[list[str]] = []

    def get_finished_jobs_cmd(self, job_ids: Sequence[str]) -> str:
        self.asked.append(list(job_ids))
        return shlex.join(["printf", "%s\\n", *job_ids])

    def parse_finished_jobs_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> list[QJob[ShellState]]:
        assert (exit_code, stderr) == (0, "")
        assert isinstance(stdout, str)
        return [self.records[job_id] for job_id in stdout.split() if job_id in self.records]


def test_fates_combine_the_queue_and_the_accounting(zombie: str) -> None:
    running = subprocess.Popen(["sleep", "60"])
    try:
        done = QJob[ShellState](job_id="999999991", state=QState.DONE, exit_status=0)
        failed = QJob[ShellState](job_id="999999992", state=QState.FAILED, exit_status=3)
        late = QJob[ShellState](job_id="999999993", state=QState.RUNNING)
        accounting = RecordedAccounting(done, failed, late)
        manager = QueueManager(ShellIO(), accounting=accounting)
        ids = [str(running.pid), "999999992", zombie, "999999991", "999999993", "999999994"]
        fates = manager.get_job_fates(ids)
        assert list(fates) == ids
        in_queue = fates[str(running.pid)]
        assert isinstance(in_queue, InQueue)
        assert in_queue.job.state == QState.RUNNING
        assert fates["999999991"] == Finished(done)
        assert fates["999999992"] == Finished(failed)
        # The accounting still has it running: it has left the queue only just now.
        assert fates["999999993"] == InQueue(late)
        assert fates["999999994"] == Unknown("999999994", accounting=True)
        # Listed in a final state but not accounted yet: still on its way out.
        zombie_fate = fates[zombie]
        assert isinstance(zombie_fate, InQueue)
        assert (zombie_fate.job.state, zombie_fate.job.sub_state) == (
            QState.DONE,
            ShellState.DEFUNCT,
        )
        # One accounting query, for the jobs the queue does not show in a state that can change.
        assert accounting.asked == [["999999992", zombie, "999999991", "999999993", "999999994"]]
        assert manager.get_finished_jobs(["999999992", 999999991]) == [failed, done]
    finally:
        running.kill()
        running.wait()


def test_accounting_is_not_asked_when_every_job_is_in_the_queue() -> None:
    running = subprocess.Popen(["sleep", "60"])
    try:
        accounting = RecordedAccounting()
        manager = QueueManager(ShellIO(), accounting=accounting)
        assert isinstance(manager.get_job_fate(running.pid), InQueue)
        assert accounting.asked == []
    finally:
        running.kill()
        running.wait()


def test_each_scheduler_gets_its_accounting() -> None:
    assert isinstance(QueueManager(SlurmIO()).accounting, SlurmAccounting)
    assert isinstance(QueueManager(SGEIO()).accounting, SGEAccounting)
    assert QueueManager(PBSIO()).accounting is None
    assert QueueManager(ShellIO()).accounting is None
    given = SlurmAccounting()
    assert QueueManager(SlurmIO(), accounting=given).accounting is given


def test_get_job_is_none_when_the_scheduler_command_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No scontrol on the PATH: the command fails (exit 127), as scontrol does for an unknown id.
    monkeypatch.setenv("PATH", str(tmp_path))
    assert QueueManager(SlurmIO()).get_job("12") is None


def test_no_jobs_ask_nothing() -> None:
    manager = QueueManager(SlurmIO())
    assert manager.get_finished_jobs([]) == []
    assert manager.get_job_fates([]) == {}


@pytest.mark.parametrize("value", ["1\nrm -rf ~", "a\r\nb", "x\u2028y", "end\n"])
def test_an_environment_value_holding_a_line_break_is_refused(
    manager: QueueManager[ShellState], value: str
) -> None:
    with pytest.raises(ValueError, match="environment variable 'WORK' holds a line break") as err:
        manager.get_environment_setup({"environ": {"OMP_NUM_THREADS": 2, "WORK": value}})
    assert repr(value) in str(err.value)


def test_an_environment_value_stays_shell_text_on_one_line(
    manager: QueueManager[ShellState],
) -> None:
    setup = manager.get_environment_setup({"environ": {"PATH": "$HOME/bin:$PATH", "N": 2}})
    assert setup == "export PATH=$HOME/bin:$PATH\nexport N=2"
