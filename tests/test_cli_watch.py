"""``qtk watch`` against fake SLURM commands and the real processes of this machine."""

from __future__ import annotations

import argparse
import datetime
import errno
import io
import os
import pwd
import signal
import subprocess
import sys
import textwrap
import time
from typing import TYPE_CHECKING

import msgspec
import pytest

from qtk_process import clean_environment
from qtoolkit.cli import _watch as watch
from qtoolkit.cli import main
from qtoolkit.cli._watch_lines import change_line, runtime_text
from qtoolkit.cli._watch_options import add_watch_command
from qtoolkit.cli._watch_table import LiveView
from qtoolkit.core.changes import JobAppeared, JobChanged, JobVanished, compare_snapshots
from qtoolkit.core.data_objects import QJob, QJobInfo, QState
from qtoolkit.eventlog import EventLogStarted, read_event_log
from qtoolkit.io import SGEState, SlurmState
from qtoolkit.synthetic import squeue_output

if TYPE_CHECKING:
    from pathlib import Path

Job = QJob[SlurmState]

FAKE_SQUEUE = """\
#!{python}
# Prints the next listing of the queue: listing-1.txt, listing-2.txt... (the last one again
# once they run out); a listing named fail-N.txt makes that poll fail.
import pathlib, sys
here = pathlib.Path(__file__).parent
count = here / "count"
number = int(count.read_text()) + 1 if count.exists() else 1
count.write_text(str(number))
failure = here / f"fail-{{number}}.txt"
if failure.exists():
    sys.stderr.write(failure.read_text())
    sys.exit(1)
listings = sorted(here.glob("listing-*.txt"), key=lambda path: int(path.stem.split("-")[1]))
chosen = [path for path in listings if int(path.stem.split("-")[1]) <= number][-1]
sys.stdout.write(chosen.read_text())
"""

FAKE_SACCT = """\
#!{python}
# Prints the accounting records of finished.txt for the ids asked (--jobs=1,2).
import pathlib, sys
here = pathlib.Path(__file__).parent
ids = next(arg for arg in sys.argv if arg.startswith("--jobs=")).split("=")[1].split(",")
records = here / "finished.txt"
for line in records.read_text().splitlines() if records.exists() else []:
    if line.split("|")[0] in ids:
        print(line)
"""


def job(job_id: str, sub_state: SlurmState, runtime: int = 0) -> Job:
    return Job(
        name=f"relax-{job_id}",
        job_id=job_id,
        state=sub_state.qstate,
        sub_state=sub_state,
        info=QJobInfo(nodes=1, cpus=2, memory_per_cpu=2_048_000),
        runtime=runtime,
        queue_name="debug",
        username="ada",
    )


@pytest.fixture
def fake_slurm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding fake ``squeue`` and ``sacct``, first on PATH."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, script in (("squeue", FAKE_SQUEUE), ("sacct", FAKE_SACCT)):
        path = folder / name
        path.write_text(script.format(python=sys.executable))
        path.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return folder


def listings(folder: Path, *polls: list[Job]) -> None:
    for old in folder.glob("listing-*.txt"):
        old.unlink()
    for number, jobs in enumerate(polls, start=1):
        (folder / f"listing-{number}.txt").write_text(squeue_output(jobs))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    try:
        status = main(["watch", *argv])
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def words(line: str) -> list[str]:
    """A change line without its clock."""
    return line.split()[1:]


# Two jobs wait, then 7 runs.
FIRST_POLLS = [
    [job("7", SlurmState.PENDING), job("8", SlurmState.PENDING)],
    [job("7", SlurmState.RUNNING), job("8", SlurmState.PENDING)],
]


def test_watch_prints_each_change_and_logs_it(
    fake_slurm: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listings(fake_slurm, *FIRST_POLLS, [job("8", SlurmState.RUNNING, 12)])
    (fake_slurm / "finished.txt").write_text("7|COMPLETED|0:0|ada|chem|debug|30|1|2|60|relax-7\n")
    log = tmp_path / "events.ndjson"
    argv = ["--scheduler", "slurm", "--interval", "0.01", "--polls", "3", "--log", str(log)]
    status, lines, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    assert lines[0] == f"watching slurm, all jobs, every 0.01 s, log {log}"
    assert [words(line) for line in lines[1:]] == [
        ["appeared", "7", "QUEUED", "(PD)", "relax-7"],
        ["appeared", "8", "QUEUED", "(PD)", "relax-8"],
        ["changed", "7", "QUEUED", "(PD)", "->", "RUNNING", "(R)"],
        ["changed", "8", "QUEUED", "(PD)", "->", "RUNNING", "(R)"],
        ["ended", "7", "RUNNING", "(R)", "->", "DONE", "(CD),", "exit", "status", "0"],
    ]
    records = list(read_event_log(log, SlurmState))
    kinds = [type(record).__name__ for record in records]
    assert kinds.count("Polled") == 3
    assert kinds.count("JobAppeared") == 2
    assert kinds.count("JobChanged") == 2
    vanished = [record for record in records if isinstance(record, JobVanished)]
    assert [(change.job_id, change.final and change.final.exit_status) for change in vanished] == [
        ("7", 0)
    ]

    # Started again on the same log, with the same queue: nothing new to say or log.
    size = log.stat().st_size
    (fake_slurm / "count").unlink()
    listings(fake_slurm, [job("8", SlurmState.RUNNING, 40)])
    status, lines, err = run(capsys, *argv[:4], "--polls", "2", "--log", str(log))
    assert (status, err) == (0, "")
    assert lines == [
        f"watching slurm, all jobs, every 0.01 s, log {log}",
        "resuming from the log: 1 job in the queue",
    ]
    assert log.stat().st_size == size


def test_a_failing_first_poll_is_an_error(
    fake_slurm: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (fake_slurm / "fail-1.txt").write_text("slurm_load_jobs error: Unable to contact controller")
    status, _, err = run(capsys, "--scheduler", "slurm", "--polls", "2")
    assert status == 2
    assert "cannot list the Slurm queue" in err
    assert "Unable to contact controller" in err
    assert "Traceback" not in err


def test_a_later_failing_poll_is_reported_and_the_watch_goes_on(
    fake_slurm: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listings(fake_slurm, [job("7", SlurmState.PENDING)], [], [job("7", SlurmState.RUNNING)])
    (fake_slurm / "fail-2.txt").write_text("slurm_load_jobs error: Socket timed out")
    argv = ["--scheduler", "slurm", "--interval", "0.01", "--polls", "3", "--plain"]
    status, lines, err = run(capsys, *argv)
    assert status == 0
    assert err.count("poll failed, trying again") == 1
    assert "Socket timed out" in err
    assert [words(line)[:2] for line in lines[1:]] == [["appeared", "7"], ["changed", "7"]]


def test_a_log_of_another_scheduler_is_refused(
    fake_slurm: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "events.ndjson"
    log.write_text('{"type":"EventLogStarted","scheduler":"sge","at":"2026-11-30T12:00:00Z"}\n')
    status, _, err = run(capsys, "--scheduler", "slurm", "--log", str(log))
    assert status == 2
    assert "the log holds sge jobs, not slurm jobs" in err
    status, _, err = run(capsys, "--scheduler", "slurm", "--log", str(tmp_path))
    assert status == 2
    assert "cannot open the event log" in err


@pytest.mark.parametrize("interval", ["0", "-1", "soon", "100000"])
def test_the_interval_is_checked(capsys: pytest.CaptureFixture[str], interval: str) -> None:
    status, _, err = run(capsys, "--scheduler", "slurm", "--interval", interval)
    assert status == 2
    assert "expected a number of seconds above 0, up to a day" in err


def test_rotate_at_keeps_each_full_log_and_says_so(
    fake_slurm: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listings(fake_slurm, *FIRST_POLLS, FIRST_POLLS[-1])
    log = tmp_path / "events.ndjson"
    argv = ["--scheduler", "slurm", "--interval", "0.01", "--polls", "3", "--log", str(log)]
    # One byte: every poll with changes passes it (the third saw none).
    status, lines, err = run(capsys, *argv, "--rotate-at", "1")
    assert status == 0
    assert err.splitlines() == [
        f"qtk: {log}: kept as {log}.1; going on in a new log",
        f"qtk: {log}: kept as {log}.2; going on in a new log",
    ]
    assert len(lines) == 4  # the title, two appearances, one change
    first, *_ = read_event_log(f"{log}.1", SlurmState)
    assert isinstance(first, EventLogStarted)
    kinds = [type(record).__name__ for record in read_event_log(f"{log}.2", SlurmState)]
    assert kinds == ["EventLogStarted", "Checkpoint", "Polled", "JobChanged"]
    kinds = [type(record).__name__ for record in read_event_log(log, SlurmState)]
    assert kinds == ["EventLogStarted", "Checkpoint"]
    status, lines, err = run(capsys, *argv[:4], "--polls", "1", "--log", str(log))
    assert (status, err) == (0, "")
    assert lines[1] == "resuming from the log: 2 jobs in the queue"


@pytest.mark.parametrize(
    ("size", "size_bytes"),
    [("1", 1), ("512", 512), ("1K", 1024), ("100M", 100 << 20), ("2g", 2 << 30)],
)
def test_rotate_at_reads_sizes(size: str, size_bytes: int) -> None:
    parser = argparse.ArgumentParser()
    add_watch_command(parser)
    assert parser.parse_args(["--scheduler", "slurm", "--rotate-at", size]).rotate_at == size_bytes


@pytest.mark.parametrize("size", ["0", "-1", "1T", "big", "K", "1.5M"])
def test_rotate_at_takes_a_positive_size(capsys: pytest.CaptureFixture[str], size: str) -> None:
    status, _, err = run(capsys, "--scheduler", "slurm", "--log", "x", "--rotate-at", size)
    assert status == 2
    assert (
        f"expected a size in bytes above 0, optionally with K, M or G (100M), got {size!r}" in err
    )


def test_rotate_at_needs_a_log(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "--scheduler", "slurm", "--rotate-at", "10M")
    assert status == 2
    assert "--rotate-at needs --log" in err


def test_a_torn_log_is_repaired_and_said_so(
    fake_slurm: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listings(fake_slurm, [job("7", SlurmState.PENDING)])
    log = tmp_path / "events.ndjson"
    argv = ["--scheduler", "slurm", "--interval", "0.01", "--polls", "1", "--log", str(log)]
    assert run(capsys, *argv)[0] == 0
    with log.open("ab") as stream:
        stream.write(b'{"type":"JobAppeared","job":{"job_')
    status, lines, err = run(capsys, *argv)
    assert status == 0
    assert "cut off a torn last poll (34 bytes)" in err
    assert lines[1:] == ["resuming from the log: 1 job in the queue"]
    assert log.read_bytes().endswith(b"\n")


def _me() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def test_watch_the_shell_scheduler_s_real_processes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A background process appears; killed once shown, it leaves at the next poll."""
    process = subprocess.Popen(["sleep", "60"])
    seen: list[str] = []

    def say(line: str) -> None:
        seen.append(line)
        if words(line)[:2] == ["appeared", str(process.pid)]:
            process.kill()
            process.wait()

    monkeypatch.setattr(watch, "_say", say)
    try:
        argv = ["--scheduler", "shell", "--user", _me(), "--interval", "0.2", "--polls", "3"]
        assert run(capsys, *argv)[0] == 0
    finally:
        process.kill()
        process.wait()
    mine = [words(line) for line in seen if str(process.pid) in line.split()[2:3]]
    assert mine[0][:2] == ["appeared", str(process.pid)]
    assert mine[0][-1] == "sleep"
    assert mine[-1][:2] == ["left", str(process.pid)]


WATCHER = textwrap.dedent(
    """
    import signal, sys
    from qtoolkit.cli import main
    # Ctrl-C raises KeyboardInterrupt, as in a terminal, even when the tests run where SIGINT is
    # ignored (a background job of a shell): Python then leaves it ignored, and so would qtk.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_stops_cleanly(tmp_path: Path, signum: int, status: int) -> None:
    log = tmp_path / "events.ndjson"
    argv = ["watch", "--scheduler", "shell", "--user", _me(), "--interval", "0.2"]
    with subprocess.Popen(
        [sys.executable, "-c", WATCHER, *argv, "--log", str(log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as watcher:
        try:
            assert watcher.stdout is not None
            assert watcher.stdout.readline().startswith("watching shell")
            watcher.stdout.readline()  # the first poll has been shown: the watch is under way
            time.sleep(0.3)
            watcher.send_signal(signum)
            _, err = watcher.communicate(timeout=30)
        finally:
            if watcher.poll() is None:  # a watcher that did not stop must not outlive the test
                watcher.kill()
    assert watcher.returncode == status
    assert "Traceback" not in err
    assert err == ""
    assert log.read_bytes().endswith(b"\n")
    assert next(read_event_log(log)).scheduler == "shell"  # type: ignore[union-attr]


def test_change_lines() -> None:
    at = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.timezone.utc)
    clock = at.astimezone().strftime("%H:%M:%S")
    pending, running = job("5", SlurmState.PENDING), job("5", SlurmState.RUNNING, 3)
    (changed,) = compare_snapshots([pending], [running]).changed
    assert change_line(changed, at) == (
        f"{clock}  changed   5  QUEUED (PD) -> RUNNING (R)  [runtime]"
    )
    other = JobChanged(running, ("queue_name",))
    assert change_line(other, at) == f"{clock}  changed   5  RUNNING (R)  [queue_name]"
    gone = JobVanished(running)
    assert change_line(gone, at) == (
        f"{clock}  left      5  last seen RUNNING (R), no final record"
    )
    ended = JobVanished(running, final=Job(job_id="5", state=QState.FAILED))
    assert change_line(ended, at) == f"{clock}  ended     5  RUNNING (R) -> FAILED"
    bare = QJob[SGEState](job_id="9")
    assert change_line(JobAppeared(bare), at) == f"{clock}  appeared  9  ?"
    assert [runtime_text(value) for value in (None, 59, 3_600, 90_061)] == [
        "-",
        "0:59",
        "1:00:00",
        "1-01:01:01",
    ]


def test_the_live_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    view = LiveView("qtk watch: slurm", rows=2, events=2)
    at = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.timezone.utc)
    first = [
        job("1", SlurmState.PENDING),
        job("2", SlurmState.PENDING),
        job("3", SlurmState.RUNNING),
    ]
    view.update({j.job_id or "": j for j in first}, compare_snapshots([], first), at, 1)
    second = [job("1", SlurmState.RUNNING, 61), first[1]]
    view.update({j.job_id or "": j for j in second}, compare_snapshots(first, second), at, 2)
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(view.renderable())
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "qtk watch: slurm · poll 2 at" in text
    assert "2 jobs: 1 RUNNING, 1 QUEUED" in text
    cells = [[cell for cell in line.split() if cell != "│"] for line in text.splitlines()]
    rows = [row for row in cells if row[1:2] and row[1].startswith("relax-")]
    assert rows == [
        ["1", "relax-1", "RUNNING", "(R)", "1:01", "debug", "ada"],
        ["2", "relax-2", "QUEUED", "(PD)", "0:00", "debug", "ada"],
    ]
    assert text.count("changed   1") == 1  # the last two changes only
    assert "left      3" in text


def test_watch_draws_the_live_table_on_a_terminal(
    fake_slurm: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    listings(fake_slurm, [job("7", SlurmState.PENDING)], [job("7", SlurmState.RUNNING)])
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    # rich sizes the table from these when set: a narrow terminal's would wrap the title.
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("LINES", "40")
    status, lines, _ = run(capsys, "--scheduler", "slurm", "--interval", "0.01", "--polls", "2")
    assert status == 0
    text = "\n".join(lines)
    assert "qtk watch: slurm, all jobs, every 0.01 s" in text
    assert "relax-7" in text
    assert "RUNNING (R)" in text


LOADED = textwrap.dedent(
    """
    import sys
    from qtoolkit.cli import main

    try:
        status = main(sys.argv[1:])
    except SystemExit as exc:
        status = exc.code
    watcher = ("qtoolkit.eventlog", "qtoolkit.poller", "qtoolkit.cli._watch")
    print(status, *sorted(name for name in watcher if name in sys.modules))
    """
)


def loaded(*argv: str, path: str | None = None) -> list[str]:
    """The exit status of ``qtk argv``, then which of the watcher's modules it imported."""
    environment = clean_environment()
    if path is not None:
        environment["PATH"] = path
    ran = subprocess.run(
        [sys.executable, "-c", LOADED, *argv],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    return ran.stdout.splitlines()[-1].split()


def test_only_qtk_watch_loads_the_watcher_and_its_event_log(tmp_path: Path) -> None:
    """The event log locks with fcntl, which not every platform has: other commands skip it.

    (Whether fcntl itself is loaded says nothing: some Pythons' own modules try it.)
    """
    snapshot = tmp_path / "jobs.json"
    snapshot.write_bytes(msgspec.json.encode([job("7", SlurmState.PENDING)]))
    converted = tmp_path / "jobs.msgpack"
    kind = ["--type", "jobs", "--scheduler", "slurm"]
    assert loaded("--help") == ["0"]
    assert loaded("watch", "--help") == ["0"]
    assert loaded("convert", str(snapshot), str(converted), *kind) == ["0"]
    assert converted.stat().st_size > 0
    assert loaded("validate", str(snapshot), *kind) == ["0"]
    # The watcher itself does load them (here it stops at once: no squeue to run).
    status, *modules = loaded("watch", "--scheduler", "slurm", "--polls", "1", path=str(tmp_path))
    assert status == "2"
    assert modules == ["qtoolkit.cli._watch", "qtoolkit.eventlog", "qtoolkit.poller"]


@pytest.mark.parametrize("undone", [True, False], ids=["cut-off", "cannot-cut-off"])
def test_a_log_that_cannot_be_written_stops_the_watcher_clearly(
    fake_slurm: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    undone: bool,
) -> None:
    listings(fake_slurm, [job("7", SlurmState.PENDING)], [job("7", SlurmState.RUNNING)])
    log = tmp_path / "events.ndjson"
    argv = ["--scheduler", "slurm", "--interval", "0.01", "--polls", "2", "--log", str(log)]
    real_write = os.write

    def full_disk(descriptor: int, data: bytes) -> int:
        if bytes(data[:16]) == b'{"type":"Polled"' and log.stat().st_size > 100:
            real_write(descriptor, data[:40])  # the second poll's start, then no room
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(descriptor, data)

    def broken_disk(descriptor: int, length: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "write", full_disk)
    if not undone:
        monkeypatch.setattr(os, "ftruncate", broken_disk)
    status, lines, err = run(capsys, *argv)
    assert status == 2
    assert len(lines) == 2  # the title, and job 7 appearing
    if undone:
        assert err.strip() == f"qtk: error: No space left on device ({log})"
    else:
        assert err.startswith(f"qtk: error: {log}: a write failed ([Errno 28] No space left")
        assert "cutting its part written off failed too ([Errno 5] Input/output error)" in err
    assert "Traceback" not in err
    monkeypatch.undo()
    records = list(read_event_log(log, SlurmState))
    assert [type(record).__name__ for record in records] == [
        "EventLogStarted",
        "Polled",
        "JobAppeared",
    ]
