"""The ``qtk`` plumbing: pipes, large streams, progress bars, single objects, odd failures."""

from __future__ import annotations

import io
import runpy
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from qtoolkit.cli import main, progress
from qtoolkit.cli.kinds import UsageError, resolve_kind
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


def test_msgpack_to_a_pipe_is_gathered_then_written(monkeypatch: pytest.MonkeyPatch) -> None:
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


def test_single_object_from_an_empty_stream(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "empty.ndjson"
    source.write_bytes(b"\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["convert", str(source), str(tmp_path / "x.json"), "--type", "resources"])
    assert exit_info.value.code == 2
    assert "expected exactly one object, got none" in capsys.readouterr().err


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


def test_a_closed_pipe_ends_quietly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(*_: Any) -> int:
        raise BrokenPipeError

    monkeypatch.setattr("qtoolkit.cli.write_items", broken)
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    source = tmp_path / "in.json"
    source.write_bytes(encode(generate_snapshot(3)))
    assert main(["convert", str(source), str(tmp_path / "o.json"), *SLURM]) == 0
    assert stderr.closed  # nothing more is written to a reader that went away
    assert not (tmp_path / "o.json").exists()


def test_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def interrupted(*_: Any) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("qtoolkit.cli.write_items", interrupted)
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
    monkeypatch.setitem(sys.modules, "qtoolkit.cli.pydantic_peer", None)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert main(["bench", "--jobs", "200", "--repeat", "1", "--format", "msgpack"]) == 0
    out = capsys.readouterr().out
    assert "qtoolkit msgpack" in out
    assert "pydantic v2" not in out.splitlines()[3:4]
    assert out.strip().endswith("install the 'pydantic' extra to compare with it")
