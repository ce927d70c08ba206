"""The ``qtk`` plumbing: pipes, large streams, progress bars, single objects, odd failures."""

from __future__ import annotations

import datetime
import io
import os
import runpy
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
import pytest

from qtk_process import QTK, clean_environment
from qtoolkit.cli import _output as output
from qtoolkit.cli import _progress as progress
from qtoolkit.cli import main
from qtoolkit.cli._formats import write_items
from qtoolkit.cli._kinds import InvalidDataError, UsageError, resolve_kind
from qtoolkit.core.codecs import decode, encode
from qtoolkit.core.data_objects import QJob, QResources
from qtoolkit.core.ndjson import read_ndjson, write_ndjson
from qtoolkit.io.slurm import SlurmState
from qtoolkit.synthetic import generate_snapshot

SLURM = ["--type", "jobs", "--scheduler", "slurm"]


class Pipe(io.BytesIO):
    """A binary stream that cannot seek, like a pipe."""

    def seekable(self) -> bool:
        return False


def capture_stdout(monkeypatch: pytest.MonkeyPatch, stream: io.BytesIO) -> None:
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(stream))


@pytest.mark.parametrize("fmt", ["json", "msgpack", "mson", "ndjson"])
def test_large_snapshots_stream_through_every_writer(tmp_path: Path, fmt: str) -> None:
    snapshot = generate_snapshot(12_000, seed=2)  # several megabytes: flushed in chunks
    source = tmp_path / "in.ndjson"
    with source.open("wb") as stream:
        write_ndjson(snapshot, stream)
    target = tmp_path / f"out.{fmt}"
    assert main(["convert", str(source), str(target), "--to", fmt, *SLURM]) == 0
    back = tmp_path / "back.ndjson"
    assert main(["convert", str(target), str(back), "--from", fmt, *SLURM]) == 0
    assert read_ndjson(back, type=QJob[SlurmState]) == snapshot


def test_msgpack_to_a_pipe_is_spooled_then_written(monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = generate_snapshot(50)
    lines = io.BytesIO()
    write_ndjson(snapshot, lines)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines.getvalue())))
    out = Pipe()
    capture_stdout(monkeypatch, out)
    assert main(["convert", "-", "-", "--from", "ndjson", "--to", "msgpack", *SLURM]) == 0
    assert decode(out.getvalue(), type=list[QJob[SlurmState]], format="msgpack") == snapshot


@pytest.mark.parametrize("fmt", ["json", "msgpack", "mson", "ndjson"])
def test_single_objects_in_every_format(tmp_path: Path, fmt: str) -> None:
    resources = QResources.scattered(3, output_filepath=Path("/o"), queue_name="q")
    source = tmp_path / "resources.json"
    source.write_bytes(encode(resources))
    target = tmp_path / "out"
    assert main(["convert", str(source), str(target), "--to", fmt, "--type", "resources"]) == 0
    back = tmp_path / "back.json"
    assert main(["convert", str(target), str(back), "--from", fmt, "--type", "resources"]) == 0
    assert decode(back.read_bytes(), type=QResources) == resources
    assert main(["validate", str(target), "--from", fmt, "--type", "resources"]) == 0


@pytest.mark.parametrize("suffix", [".json", ".ndjson", ".msgpack"])
@pytest.mark.parametrize(("lines", "found"), [(b"\n", "none"), (b"{}\n{}\n", "more than one")])
def test_single_object_needs_exactly_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: bytes, found: str, suffix: str
) -> None:
    source = tmp_path / "resources.ndjson"
    source.write_bytes(lines)
    target = tmp_path / f"x{suffix}"
    assert main(["convert", str(source), str(target), "--type", "resources"]) == 1
    assert f"expected exactly one object, got {found}" in capsys.readouterr().err
    assert not target.exists()
    assert main(["validate", str(source), "--type", "resources"]) == 1
    assert capsys.readouterr().out.startswith("$: expected exactly one object, got")


def test_mson_single_object_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "doc.json"
    source.write_text('{"@module": "qtoolkit.core.data_objects", "@class": "QJob", "runtime": -1}')
    assert main(["validate", str(source), "--from", "mson", "--type", "job"]) == 1
    assert capsys.readouterr().out.startswith("$.runtime: Expected `int` >= 0")
    source.write_text("{not json")
    assert main(["validate", str(source), "--from", "mson", "--type", "job"]) == 1
    assert capsys.readouterr().out.startswith("$: JSON is malformed")
    source.write_text('{"processes": 1}')
    assert (
        main(["convert", str(source), "-", "--from", "mson", "--to", "json", "--type", "jobs"]) == 1
    )
    assert "Expected `array` of MSON documents" in capsys.readouterr().err


def test_unwritable_output_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(encode(generate_snapshot(3)))
    with pytest.raises(SystemExit) as exit_info:
        main(["convert", str(source), str(tmp_path / "missing" / "out.json"), *SLURM])
    assert exit_info.value.code == 2
    assert "cannot write" in capsys.readouterr().err


def test_a_symlink_output_keeps_the_link(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    snapshot = generate_snapshot(5)
    source.write_bytes(encode(snapshot))
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert main(["convert", str(source), str(link), *SLURM]) == 0
    assert link.is_symlink()
    assert decode(real.read_bytes(), type=list[QJob[SlurmState]]) == snapshot
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.json", "link.json", "real.json"]


def test_a_fifo_output_is_written_in_place(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    snapshot = generate_snapshot(300)
    source.write_bytes(encode(snapshot))
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    assert main(["convert", str(source), str(fifo), *SLURM]) == 0
    reader.join(timeout=60)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert decode(received[0], type=list[QJob[SlurmState]]) == snapshot


def test_a_directory_output_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(encode(generate_snapshot(3)))
    (tmp_path / "out.json").mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main(["convert", str(source), str(tmp_path / "out.json"), *SLURM])
    assert exit_info.value.code == 2
    assert "it is a directory" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.json", "out.json"]


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"blob": msgspec.msgpack.Ext(1, b"?")}, "$.scheduler_kwargs.blob (a value of type Ext)"),
        ({"x": float("nan")}, "$.scheduler_kwargs.x (the float nan)"),
        ({"x": [1, float("-inf")]}, "$.scheduler_kwargs.x[1] (the float -inf)"),
        ({"x": b"\x00\x01"}, "$.scheduler_kwargs.x (a value of type bytes)"),
        ({"x": {1: "a"}}, "$.scheduler_kwargs.x (the key 1, not a string)"),
        (
            {"at": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)},
            "$.scheduler_kwargs.at (a value of type datetime)",
        ),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "ndjson", "mson"])
def test_values_json_would_change_are_invalid_data(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kwargs: dict[str, Any],
    where: str,
    fmt: str,
) -> None:
    resources = QResources.no_constraints(2, scheduler_kwargs={"fine": [1, 2.5, "x"], **kwargs})
    source = tmp_path / "resources.msgpack"
    source.write_bytes(encode(resources, format="msgpack"))
    target = tmp_path / "out"
    assert main(["convert", str(source), str(target), "--type", "resources", "--to", fmt]) == 1
    assert capsys.readouterr().err == f"qtk: cannot write {where} as JSON unchanged\n"
    assert os.listdir(tmp_path) == ["resources.msgpack"]
    # MessagePack holds them all (compared as bytes: NaN equals nothing).
    again = tmp_path / "again.msgpack"
    assert main(["convert", str(source), str(again), "--type", "resources"]) == 0
    assert again.read_bytes() == source.read_bytes()


def test_too_deep_for_mson_is_invalid_data() -> None:
    nested: Any = "bottom"
    for _ in range(5_000):  # deeper than the interpreter's recursion limit, on every version
        nested = {"x": nested}
    resources = QResources.no_constraints(1, scheduler_kwargs=nested)
    kind = resolve_kind("resources", None)
    with pytest.raises(InvalidDataError, match=r"^cannot write \$ as mson: nested too deeply$"):
        write_items([resources], io.BytesIO(), "mson", kind)


def test_integers_beyond_64_bits_are_invalid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "jobs.json"
    source.write_text(f'[{{"job_id": "1", "exit_status": {2**70}}}]')
    assert main(["validate", str(source), *SLURM]) == 1
    assert capsys.readouterr().out == "$[0].exit_status: Expected `int` <= 9223372036854775807\n"
    assert main(["convert", str(source), str(tmp_path / "jobs.msgpack"), *SLURM]) == 1


def test_a_closed_pipe_ends_quietly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(*_: Any) -> int:
        raise BrokenPipeError

    monkeypatch.setattr("qtoolkit.cli._commands.write_items", broken)
    capture_stdout(monkeypatch, io.BytesIO())
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    source = tmp_path / "in.json"
    source.write_bytes(encode(generate_snapshot(3)))
    assert main(["convert", str(source), "-", "--to", "json", *SLURM]) == 141
    assert stderr.getvalue() == ""


def _run(
    argv: list[str],
    *,
    stdout: Any = subprocess.PIPE,
    stderr: Any = subprocess.PIPE,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    command = [*QTK, *argv]
    environment = clean_environment() if env is None else env
    return subprocess.Popen(command, stdout=stdout, stderr=stderr, env=environment)


def _run_with_reader_gone(argv: list[str], *, stderr_too: bool = False) -> tuple[int, str]:
    """Run qtk with a standard output whose reader closed it before qtk wrote anything.

    With ``stderr_too``, standard error is the same closed pipe (``2>&1 | head``).
    """
    process = _run(argv, stderr=subprocess.STDOUT if stderr_too else subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    return process.returncode, (err or b"").decode()


def test_validate_keeps_its_status_when_the_reader_goes_away(tmp_path: Path) -> None:
    source = tmp_path / "broken.json"
    source.write_bytes(b'[{"job_id": "1", "state": "RUNNINGX"}, {"job_id": 2}]')
    status, err = _run_with_reader_gone(["validate", str(source), *SLURM])
    assert status == 1
    assert err == f"qtk: {source}: 2 errors\n"
    assert _run_with_reader_gone(["validate", str(source), *SLURM], stderr_too=True) == (1, "")
    source.write_bytes(encode(generate_snapshot(3)))
    assert _run_with_reader_gone(["validate", str(source), *SLURM]) == (0, "")


def test_convert_to_a_closed_pipe_stops_quietly_as_sigpipe_would(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(encode(generate_snapshot(20_000)))
    argv = ["convert", str(source), "-", "--to", "ndjson", *SLURM]
    assert _run_with_reader_gone(argv) == (141, "")


def _appending(argv: list[str], target: Path) -> bytes:
    """Run qtk with standard output appended to ``target`` (``>> target``); its stderr."""
    with target.open("ab") as appending:
        process = _run(argv, stdout=appending)
        _, err = process.communicate(timeout=120)
    assert process.returncode == 0
    return err


def test_descriptor_paths_are_written_in_place(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    snapshot = generate_snapshot(40)
    source.write_bytes(encode(snapshot))
    log = tmp_path / "log.ndjson"
    log.write_bytes(b'{"job_id":"0"}\n')
    # ``qtk convert ... /dev/stdout >> log``: appended to, never truncated nor replaced.
    argv = ["convert", str(source), "/dev/stdout", "--to", "ndjson", *SLURM]
    assert _appending(argv, log) == b"qtk: wrote 40 jobs (ndjson)\n"
    assert read_ndjson(log, type=QJob[SlurmState]) == [QJob(job_id="0"), *snapshot]
    # ``/dev/fd/N`` of a pipe, as ``>(gzip > o.gz)`` gives.
    process = _run(["convert", str(source), "/dev/fd/1", "--to", "msgpack", *SLURM])
    out, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (0, b"qtk: wrote 40 jobs (msgpack)\n")
    assert decode(out, type=list[QJob[SlurmState]], format="msgpack") == snapshot


def test_msgpack_appended_to_a_file_is_whole(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    snapshot = generate_snapshot(40)
    source.write_bytes(encode(snapshot))
    target = tmp_path / "app.mpk"
    argv = ["convert", str(source), "-", "--to", "msgpack", *SLURM]
    assert _appending(argv, target) == b"qtk: wrote 40 jobs (msgpack)\n"
    assert decode(target.read_bytes(), type=list[QJob[SlurmState]], format="msgpack") == snapshot


def test_write_errors_are_reported_without_a_traceback(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(encode(generate_snapshot(3)))
    with open("/dev/full", "wb") as full:
        process = _run(["validate", str(source), *SLURM], stdout=full)
        _, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert err.decode() == "qtk: error: No space left on device\n"
    process = _run(["convert", str(source), "/dev/full", "--to", "json", *SLURM])
    _, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert err.decode() == "qtk: error: No space left on device\n"


def test_a_reader_that_stops_after_one_line_of_both_streams(tmp_path: Path) -> None:
    # ``qtk validate poll.json --scheduler pbs 2>&1 | head -1``: thousands of errors, one read.
    source = tmp_path / "poll.json"
    source.write_bytes(encode(generate_snapshot(5_000)))
    process = _run(["validate", str(source), "--type", "jobs", "--scheduler", "pbs"],
                   stderr=subprocess.STDOUT)  # fmt: skip
    assert process.stdout is not None
    first = process.stdout.readline()
    process.stdout.close()
    process.wait(timeout=120)
    assert first.startswith(b"$[0].sub_state: ")
    assert process.returncode == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["inspect", "{source}", *SLURM],
        ["schema", "QJobInfo"],
        ["validate", "{source}", *SLURM],
        ["--help"],
    ],
    ids=["inspect", "schema", "validate", "help"],
)
def test_output_to_a_full_device_is_a_reported_error(tmp_path: Path, argv: list[str]) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(encode(generate_snapshot(3)))
    with open("/dev/full", "wb") as full:
        process = _run([a.format(source=source) for a in argv], stdout=full)
        _, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (2, b"qtk: error: No space left on device\n")


def test_a_closed_standard_output(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(encode(generate_snapshot(3)))
    command, env = QTK, clean_environment()
    validate = subprocess.run(
        [*command, "validate", str(source), *SLURM], stdout=subprocess.DEVNULL, close_fds=True,
        preexec_fn=lambda: os.close(1), stderr=subprocess.PIPE, check=False, env=env,
    )  # fmt: skip
    assert (validate.returncode, validate.stderr) == (0, b"")
    convert = subprocess.run(
        [*command, "convert", str(source), "-", "--to", "json", *SLURM],
        preexec_fn=lambda: os.close(1), stderr=subprocess.PIPE, check=False, env=env,
    )  # fmt: skip
    assert (convert.returncode, convert.stderr) == (2, b"qtk: error: standard output is closed\n")
    convert = subprocess.run(
        [*command, "convert", str(source), "/dev/stdout", "--to", "json", *SLURM],
        preexec_fn=lambda: os.close(1), stderr=subprocess.PIPE, check=False, env=env,
    )  # fmt: skip
    assert convert.returncode == 2
    assert convert.stderr == b"qtk: error: cannot write '/dev/stdout': the stream is closed\n"
    read = subprocess.run(
        [*command, "convert", "-", str(tmp_path / "o.json"), "--from", "json", *SLURM],
        preexec_fn=lambda: os.close(0), stderr=subprocess.PIPE, check=False, env=env,
    )  # fmt: skip
    assert (read.returncode, read.stderr) == (2, b"qtk: error: standard input is closed\n")
    assert sorted(os.listdir(tmp_path)) == ["in.json"]


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(encode(generate_snapshot(3)))
    private = tmp_path / "private.json"
    private.write_text("[]")
    private.chmod(0o600)
    assert main(["convert", str(source), str(private), *SLURM]) == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    fresh = tmp_path / "fresh.json"
    assert main(["convert", str(source), str(fresh), *SLURM]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_terminated_conversion_leaves_no_partial_file(
    tmp_path: Path, signum: int, status: int
) -> None:
    # Not measured by coverage: a signal raised inside coverage's own tracing code can leave one
    # of its locks held and hang its save at exit (seen on Python 3.10).
    unmeasured = {
        k: v for k, v in clean_environment().items() if not k.startswith("COVERAGE_PROCESS")
    }
    lines = io.BytesIO()
    write_ndjson(generate_snapshot(2_000), lines)
    # The input is a pipe this test holds open: the conversion cannot end before the signal,
    # however long the test itself is kept off the processor.
    argv = ["convert", "-", str(tmp_path / "out.json"), "--from", "ndjson", *SLURM]
    command = [*QTK, *argv]
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=unmeasured,
    )
    assert process.stdin is not None
    try:
        process.stdin.write(lines.getvalue())
        process.stdin.flush()
        deadline = time.monotonic() + 120
        while not os.listdir(tmp_path):
            assert process.poll() is None, "the conversion ended before it could be terminated"
            assert time.monotonic() < deadline, "no temporary file appeared"
            time.sleep(0.01)
        assert os.listdir(tmp_path)[0].startswith(".out.json.")
        process.send_signal(signum)
        process.wait(timeout=120)  # standard input stays open until qtk has ended
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdin.close()
        assert process.stderr is not None
        process.stderr.close()
    assert process.returncode == status
    assert os.listdir(tmp_path) == []


def test_signals_wait_while_a_temporary_file_is_created() -> None:
    received: list[int] = []
    previous = signal.signal(signal.SIGHUP, lambda signum, _: received.append(signum))
    # Sent to this thread, the one creating the file, as qtk's only thread is: a signal sent to
    # the whole process may land on any thread left running by an earlier test (rich's refresh
    # thread outlives its progress bar for a moment), which does not hold it.
    main_thread = threading.get_ident()
    try:
        with output._signals_held():
            signal.pthread_kill(main_thread, signal.SIGHUP)
            assert signal.SIGHUP in signal.sigpending()
            assert received == []  # held: no handler may interrupt the creation
        assert received == [signal.SIGHUP]  # delivered as the block ends, the file named
    finally:
        signal.signal(signal.SIGHUP, previous)


def test_a_long_file_name_can_be_written(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    snapshot = generate_snapshot(3)
    source.write_bytes(encode(snapshot))
    target = tmp_path / ("é" * 125 + ".json")  # 255 bytes, the longest name most systems allow
    assert main(["convert", str(source), str(target), *SLURM]) == 0
    assert decode(target.read_bytes(), type=list[QJob[SlurmState]]) == snapshot


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def interrupted(*_: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("qtoolkit.cli._commands.write_items", interrupted)
    source = tmp_path / "in.json"
    source.write_bytes(encode(generate_snapshot(3)))
    assert main(["convert", str(source), str(tmp_path / "o.json"), *SLURM]) == 130
    assert not (tmp_path / "o.json").exists()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress.progress(progress.LARGE_INPUT_BYTES, "reading") as advance:
        advance(progress.LARGE_INPUT_BYTES)
    monkeypatch.setitem(sys.modules, "rich.progress", None)  # as if rich were not installed
    with progress.progress(progress.LARGE_INPUT_BYTES, "reading") as advance:
        advance(1)
    assert "install the 'cli' extra (rich) to see a progress bar" in terminal.getvalue()


@pytest.mark.parametrize("fmt", ["json", "msgpack", "ndjson", "mson"])
def test_progress_covers_the_whole_input(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str
) -> None:
    done: dict[str, int] = {}

    @contextmanager
    def recording(total: int | None, description: str) -> Iterator[Callable[[int], None]]:
        assert total is not None
        done[description] = 0

        def advance(count: int) -> None:
            done[description] += count

        yield advance
        assert done[description] == total

    monkeypatch.setattr("qtoolkit.cli._formats.progress", recording)
    source = tmp_path / "in.ndjson"
    with source.open("wb") as stream:
        write_ndjson(generate_snapshot(6_000), stream)
    converted = tmp_path / "converted"
    assert main(["convert", str(source), str(converted), "--to", fmt, *SLURM]) == 0
    assert main(["convert", str(converted), str(tmp_path / "o.json"), "--from", fmt, *SLURM]) == 0
    size = converted.stat().st_size
    assert done == ({"reading": size, "converting": size} if fmt == "mson" else {"reading": size})


def test_no_progress_bar_when_piped_or_small(monkeypatch: pytest.MonkeyPatch) -> None:
    piped, terminal = io.StringIO(), FakeTerminal()
    monkeypatch.setattr(sys, "stderr", piped)
    with progress.progress(progress.LARGE_INPUT_BYTES * 2, "reading") as advance:
        advance(10)
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress.progress(1000, "reading") as advance:
        advance(10)
    assert piped.getvalue() == terminal.getvalue() == ""


def test_kinds() -> None:
    with pytest.raises(UsageError, match="unknown --scheduler 'lsf'"):
        resolve_kind("jobs", "lsf")
    with pytest.raises(UsageError, match="unknown --type 'nodes'"):
        resolve_kind("nodes", None)
    assert resolve_kind("jobs", None, documents_name_it=True).item is QJob
    assert resolve_kind("results", None).collection


def test_python_dash_m(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["qtk", "schema", "QState"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("qtoolkit", run_name="__main__")
    assert exit_info.value.code == 0
    assert msgspec.json.decode(capsys.readouterr().out)["title"] == "QState"


def test_bench_without_pydantic(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "qtoolkit.cli._pydantic_peer", None)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert main(["bench", "--jobs", "200", "--repeat", "1", "--format", "msgpack"]) == 0
    out = capsys.readouterr().out
    assert "qtoolkit msgpack" in out
    assert "pydantic v2" not in out.splitlines()[3:4]
    assert out.strip().endswith("install the 'pydantic' extra to compare with it")
