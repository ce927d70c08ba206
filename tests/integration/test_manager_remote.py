"""RemoteHost and QueueManager over SSH, against a real sshd on 127.0.0.1 (key login)."""

from __future__ import annotations

import pwd
import shlex
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qtoolkit.core.data_objects import CancelStatus, QState, SubmissionStatus
from qtoolkit.core.job_fate import Finished, InQueue, Unknown
from qtoolkit.host.remote import RemoteConfig, RemoteHost
from qtoolkit.io.shell import ShellIO
from qtoolkit.io.slurm import SlurmIO
from qtoolkit.manager import QueueManager

from .services import SlurmCluster, SshServer

TIMEOUT = 90.0


@pytest.fixture
def remote(ssh_server: SshServer) -> Iterator[RemoteHost]:
    config = RemoteConfig(
        root_dir="/",
        host=ssh_server.host,
        port=ssh_server.port,
        user=ssh_server.user,
        connect_kwargs={
            "key_filename": str(ssh_server.client_key),
            "look_for_keys": False,
            "allow_agent": False,
        },
    )
    host = RemoteHost(config)
    yield host
    host.close()


def test_outputs_and_exit_code_come_back(remote: RemoteHost) -> None:
    assert remote.execute("echo out; echo err >&2; exit 4") == ("out\n", "err\n", 4)


def test_list_words_arrive_as_single_arguments(remote: RemoteHost, tmp_path: Path) -> None:
    word = "a b; echo injected $(id) 'q' \"d\""
    stdout, stderr, code = remote.execute(["printf", "%s|", word, "é"], tmp_path)
    assert (stdout, stderr, code) == (f"{word}|é|", "", 0)


def test_workdir_with_spaces_and_quotes_is_where_the_command_runs(
    remote: RemoteHost, tmp_path: Path
) -> None:
    workdir = tmp_path / "it's a dir"
    workdir.mkdir()
    assert remote.execute("pwd", workdir) == (f"{workdir}\n", "", 0)


def test_commands_run_in_a_login_shell_unless_told_otherwise(
    remote: RemoteHost, ssh_server: SshServer
) -> None:
    probe = "shopt -q login_shell && echo login || echo plain"
    assert remote.execute(probe) == ("login\n", "", 0)
    remote.config.login_shell = False
    assert remote.execute(probe) == ("plain\n", "", 0)
    # Without shell_cmd, sshd hands the command to the account's own shell.
    remote.config.shell_cmd = None
    account_shell = Path(pwd.getpwnam(ssh_server.user).pw_shell).name
    assert remote.execute("echo $0") == (f"{account_shell}\n", "", 0)


def test_mkdir_reports_what_happened(remote: RemoteHost, tmp_path: Path) -> None:
    nested = tmp_path / "a b" / "c;d"
    assert remote.mkdir(nested, recursive=False) is False
    assert not nested.exists()
    assert remote.mkdir(nested) is True
    assert nested.is_dir()
    assert remote.mkdir(nested) is True
    assert remote.mkdir(nested, exist_ok=False) is False
    assert remote.mkdir(nested, recursive=False, exist_ok=True) is True
    single = tmp_path / "$(touch pwned)"
    assert remote.mkdir(single, recursive=False, exist_ok=False) is True
    assert single.is_dir()
    assert not (Path.home() / "pwned").exists()


def test_write_text_file_writes_utf8(remote: RemoteHost, tmp_path: Path) -> None:
    target = tmp_path / "submit script.sh"
    remote.write_text_file(target, "#!/bin/bash\necho ☃ é\n")
    assert target.read_bytes() == "#!/bin/bash\necho ☃ é\n".encode()
    remote.write_text_file(str(target), "short\n")
    assert target.read_text(encoding="utf-8") == "short\n"


def test_connection_reopens_after_close(remote: RemoteHost) -> None:
    assert remote.execute(["echo", "one"])[0] == "one\n"
    remote.close()
    assert remote.execute(shlex.join(["echo", "two"]))[0] == "two\n"


def test_queue_manager_runs_slurm_over_ssh(
    remote: RemoteHost, slurm: SlurmCluster, tmp_path: Path
) -> None:
    manager = QueueManager(SlurmIO(), remote)
    work_dir = tmp_path / "job over ssh"
    result = manager.submit(
        "exit 4", options={"job_name": "over-ssh"}, work_dir=work_dir, create_submit_dir=True
    )
    assert result.status == SubmissionStatus.SUCCESSFUL, result
    job_id = slurm.ledger.record(str(result.job_id))
    assert (work_dir / "submit.script").read_text().startswith("#!/bin/bash\n")
    deadline = time.monotonic() + TIMEOUT
    while not isinstance(fate := manager.get_job_fate(job_id), Finished):
        assert time.monotonic() < deadline, fate
        time.sleep(0.5)
    assert (fate.job.state, fate.job.exit_status) == (QState.FAILED, 4)


def test_queue_manager_runs_background_processes_over_ssh(
    remote: RemoteHost, tmp_path: Path
) -> None:
    manager = QueueManager(ShellIO(), remote)
    work_dir = tmp_path / "shell job"
    result = manager.submit(["echo hi", "exec sleep 60"], work_dir=work_dir, create_submit_dir=True)
    assert result.status == SubmissionStatus.SUCCESSFUL, result
    job_id = str(result.job_id)
    # nohup: the process outlives the SSH session that started it.
    remote.close()
    fate = manager.get_job_fate(job_id)
    assert isinstance(fate, InQueue)
    assert fate.job.state == QState.RUNNING
    # Cancelled before it has echoed (a loaded machine), the job would leave no output.
    deadline = time.monotonic() + TIMEOUT
    while not (work_dir / "stdout").exists() or (work_dir / "stdout").read_text() != "hi\n":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert manager.cancel(job_id).status == CancelStatus.SUCCESSFUL
    deadline = time.monotonic() + TIMEOUT
    while manager.get_job(job_id) is not None:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert manager.get_job_fate(job_id) == Unknown(job_id, accounting=False)
    assert (work_dir / "stdout").read_text() == "hi\n"
