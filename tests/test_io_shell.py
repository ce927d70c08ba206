"""ShellIO: quoted scripts and commands, and ps listings read whole."""

from __future__ import annotations

import subprocess

import pytest

from qtoolkit.core.data_objects import CancelStatus, QJob, QResources, QState, SubmissionStatus
from qtoolkit.core.exceptions import CommandFailedError, InvalidJobIDError, OutputParsingError
from qtoolkit.io.listings import ps_listing
from qtoolkit.io.shell import ShellIO, ShellState, TruncatedUsernameError

HEADER = "    PID USER         ELAPSED S COMMAND\n"


def test_commands() -> None:
    io = ShellIO()
    assert io.get_submit_cmd("run.sh") == (
        "nohup $(command -v setsid) bash run.sh > stdout 2> stderr & echo $!"
    )
    assert ShellIO(blocking=True).get_submit_cmd("run.sh") == "bash run.sh > stdout 2> stderr"
    assert ShellIO(stdout_path="my out", stderr_path="$(id)").get_submit_cmd("a b.sh") == (
        "nohup $(command -v setsid) bash 'a b.sh' > 'my out' 2> '$(id)' & echo $!"
    )
    assert io.get_jobs_list_cmd([12, "13"], None) == "ps -o pid,user,etime,state,comm -p 12,13"
    assert ShellIO(username_maxchars=32).get_jobs_list_cmd(None, "bob smith") == (
        "ps -o pid,user:32,etime,state,comm -U 'bob smith'"
    )
    assert io.get_job_cmd(7) == "ps -o pid,user,etime,state,comm -p 7"
    # The job's process group, or the process alone when it leads no group.
    assert io.get_cancel_cmd(QJob(job_id="7")) == "kill -9 -7 2>/dev/null || kill -9 7"
    for bad in ("0", "-1", "1;id", "abc"):
        with pytest.raises(InvalidJobIDError, match="invalid for this scheduler"):
            io.get_cancel_cmd(bad)
    with pytest.raises(ValueError, match="Cannot query by user and job"):
        io.get_jobs_list_cmd(["1"], "bob")


def test_a_subclass_may_kill_the_process_alone() -> None:
    class ProcessOnly(ShellIO):
        CANCEL_GROUP_CMD = None

    class Terminate(ShellIO):
        CANCEL_CMD = "kill -TERM"
        CANCEL_GROUP_CMD = "kill -TERM"

    assert ProcessOnly().get_cancel_cmd(7) == "kill -9 7"
    assert Terminate().get_cancel_cmd("12") == "kill -TERM -12 2>/dev/null || kill -TERM 12"


@pytest.mark.parametrize("width", [0, -1, "32", 2.5, True])
def test_the_user_column_width_is_a_positive_int(width: object) -> None:
    with pytest.raises(ValueError, match="username_maxchars must be a positive int"):
        ShellIO(username_maxchars=width)  # type: ignore[arg-type]


def test_the_script_header_is_quoted_shell() -> None:
    resources = QResources(
        job_name="my job; rm -rf ~", output_filepath="o.txt", error_filepath="e 1"
    )
    script = ShellIO().get_submission_script(["run"], resources)
    assert script == ("#!/bin/bash\nexec > o.txt\nexec 2> 'e 1'\n\necho 'my job; rm -rf ~'\n\nrun")
    with pytest.raises(ValueError, match="Keys not supported: process_placement, processes"):
        ShellIO().get_submission_script("run", QResources(processes=2))


def test_ps_listing() -> None:
    text = (
        HEADER
        + "    12 alice       1-02:03:04 S bash\n  1300 bob+            05:06 Z tmux: server\n"
    )
    first, second = ShellIO().parse_jobs_list_output(0, text, "")
    assert first == QJob(
        name="bash",
        job_id="12",
        state=QState.RUNNING,
        sub_state=ShellState.INTERRUPTIBLE_SLEEP,
        runtime=93784,
        username="alice",
    )
    assert (second.name, second.state, second.runtime) == ("tmux: server", QState.DONE, 306)
    assert ShellIO().parse_job_output(0, text, "") == first
    assert ShellIO().parse_job_output(1, HEADER, "") is None


def test_ps_of_this_machine_lists_kernel_threads_as_idle() -> None:
    io = ShellIO(username_maxchars=32)
    run = subprocess.run(
        io.get_jobs_list_cmd(None, "root"), shell=True, capture_output=True, text=True, check=False
    )
    jobs = io.parse_jobs_list_output(run.returncode, run.stdout, run.stderr)
    assert len(jobs) == len(run.stdout.splitlines()) - 1
    # -U selects by real user; ps shows the effective one.
    assert all(job.username and job.job_id and job.job_id.isdigit() for job in jobs)
    assert ShellState("I").qstate is QState.RUNNING


def test_state_flags_blank_lines_and_errors() -> None:
    io = ShellIO()
    text = HEADER + "  1 a 00:01 Ss sh\n\n  2 b 00:02 R+ sh\n"
    assert [job.sub_state for job in io.parse_jobs_list_output(0, text, "")] == [
        ShellState.INTERRUPTIBLE_SLEEP,
        ShellState.RUNNING,
    ]
    with pytest.raises(OutputParsingError, match="line 3: cannot read state 'Q'") as info:
        io.parse_jobs_list_output(0, HEADER + "  1 a 00:01 S sh\n  2 b 00:02 Q sh\n", "")
    assert info.value.line == 3
    with pytest.raises(OutputParsingError, match="line 2: cannot read etime '10'"):
        io.parse_jobs_list_output(0, HEADER + "  1 a 10 S sh\n", "")
    with pytest.raises(OutputParsingError, match="line 2: cannot read row"):
        io.parse_jobs_list_output(0, HEADER + "  1 a 00:01\n", "")
    with pytest.raises(CommandFailedError, match="user name does not exist") as failed:
        io.parse_jobs_list_output(1, "", "error: user name does not exist\n")
    assert failed.value.stderr == "error: user name does not exist\n"
    assert io.parse_jobs_list_output(1, HEADER, "") == []
    assert io.parse_jobs_list_output(0, "", "") == []


def test_truncated_user_names_fail_only_when_strict() -> None:
    text = HEADER + "  1 alice 00:01 S sh\n  2 verylon+ 00:02 S sh\n"
    assert ShellIO().parse_jobs_list_output(0, text, "")[1].username == "verylon+"
    with pytest.raises(TruncatedUsernameError, match="line 3: the username was truncated") as info:
        ShellIO(ps_username_strict=True).parse_jobs_list_output(0, text, "")
    assert isinstance(info.value, RuntimeError)


def test_of_several_truncated_user_names_the_earliest_line_is_named() -> None:
    # The names are looked at as a set, whose order follows salted string hashes.
    users = ["verylon+", "anotherl+", "alice", "zzzzzzz+", "verylon+"]
    text = HEADER + "".join(f"  {n} {user} 00:01 S sh\n" for n, user in enumerate(users, 1))
    strict = ShellIO(ps_username_strict=True)
    with pytest.raises(TruncatedUsernameError, match=r"^line 2: .* 'verylon\+'$"):
        strict.parse_jobs_list_output(0, text, "")


def test_large_listings_match_a_plain_reading() -> None:
    text = ps_listing(20_000, seed=3)
    jobs = ShellIO().parse_jobs_list_output(0, text.encode(), b"")
    expected = []
    for line in text.splitlines()[1:]:
        pid, user, etime, state, name = line.split()
        days, _, clock = etime.rpartition("-")
        seconds = 0
        for part in clock.split(":"):
            seconds = seconds * 60 + int(part)
        sub_state = ShellState(state)
        expected.append(
            QJob(
                name=name,
                job_id=pid,
                state=sub_state.qstate,
                sub_state=sub_state,
                runtime=seconds + int(days or 0) * 86400,
                username=user,
            )
        )
    assert jobs == expected


def test_submit_and_cancel_outputs() -> None:
    io = ShellIO()
    submitted = io.parse_submit_output(0, "4242\n", "")
    assert (submitted.status, submitted.job_id) == (SubmissionStatus.SUCCESSFUL, "4242")
    assert io.parse_submit_output(0, "", "").status is SubmissionStatus.JOB_ID_UNKNOWN
    assert io.parse_submit_output(2, "", "no").status is SubmissionStatus.FAILED
    assert io.parse_cancel_output(0, "", "").status is CancelStatus.SUCCESSFUL
    assert io.parse_cancel_output(1, "", "No such process").status is CancelStatus.FAILED
