"""The ``qtk`` command: every subcommand in-process, and end to end as a subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from qtk_process import QTK, clean_environment
from qtoolkit.cli import main
from qtoolkit.core.codecs import decode, encode
from qtoolkit.core.data_objects import (
    CancelResult,
    QJob,
    QResources,
    SubmissionResult,
    SubmissionStatus,
)
from qtoolkit.core.ndjson import read_ndjson, write_ndjson
from qtoolkit.core.schema import json_schema, json_schemas
from qtoolkit.core.unions import AnyResult
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.slurm import SlurmState
from qtoolkit.synthetic import generate_snapshot

SLURM = ["--type", "jobs", "--scheduler", "slurm"]


@pytest.fixture
def snapshot() -> list[QJob[Any]]:
    return generate_snapshot(500, seed=7)


@pytest.fixture
def snapshot_file(tmp_path: Path, snapshot: list[QJob[Any]]) -> Path:
    path = tmp_path / "snapshot.json"
    path.write_bytes(encode(snapshot))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``qtk argv`` in-process; argparse's exits become a status too."""
    try:
        status = main(list(argv))
    except SystemExit as exc:
        status = int(exc.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [(".msgpack", "msgpack"), (".mpk", "msgpack"), (".ndjson", "ndjson"), (".jsonl", "ndjson")],
)
def test_convert_follows_extensions_and_round_trips(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    snapshot_file: Path,
    snapshot: list[QJob[Any]],
    suffix: str,
    fmt: str,
) -> None:
    converted = tmp_path / f"snapshot{suffix}"
    status, _, err = run(capsys, "convert", str(snapshot_file), str(converted), *SLURM)
    assert (status, err) == (0, f"qtk: wrote 500 jobs ({fmt})\n")
    if fmt == "ndjson":
        assert read_ndjson(converted, type=QJob[SlurmState]) == snapshot
    else:
        data = converted.read_bytes()
        assert decode(data, type=list[QJob[SlurmState]], format="msgpack") == snapshot
    back = tmp_path / "back.json"
    assert run(capsys, "convert", str(converted), str(back), *SLURM)[0] == 0
    assert decode(back.read_bytes(), type=list[QJob[SlurmState]]) == snapshot


def test_convert_to_and_from_mson(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    snapshot_file: Path,
    snapshot: list[QJob[Any]],
) -> None:
    documents = tmp_path / "documents.json"
    assert (
        run(capsys, "convert", str(snapshot_file), str(documents), "--to", "mson", *SLURM)[0] == 0
    )
    written = json.loads(documents.read_text())
    assert written[0] == json.loads(json.dumps(snapshot[0].as_dict()))
    # MSON documents name their scheduler: no --scheduler needed to read them.
    back = tmp_path / "back.ndjson"
    status, _, _ = run(
        capsys, "convert", str(documents), str(back), "--from", "mson", "--type", "jobs"
    )
    assert status == 0
    assert read_ndjson(back, type=QJob[SlurmState]) == snapshot


def test_mson_of_several_schedulers_converts_only_to_mson(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    jobs: list[QJob[Any]] = [
        QJob(job_id="1", sub_state=SlurmState.FAILED),
        QJob(job_id="2", sub_state=PBSState.QUEUED),
    ]
    documents = tmp_path / "mixed.json"
    documents.write_text(json.dumps([job.as_dict() for job in jobs]))
    # JSON sub-states do not say their scheduler: PBS's "Q" would read back as something else.
    status, _, err = run(
        capsys,
        "convert",
        str(documents),
        str(tmp_path / "o.ndjson"),
        "--from",
        "mson",
        "--type",
        "jobs",
    )
    assert status == 1
    assert "qtk: invalid data: $[1].sub_state: expected a `SlurmState`, got `PBSState`" in err
    assert not (tmp_path / "o.ndjson").exists()
    again = tmp_path / "again.json"
    status, _, _ = run(
        capsys,
        "convert",
        str(documents),
        str(again),
        "--from",
        "mson",
        "--to",
        "mson",
        "--type",
        "jobs",
    )
    assert status == 0
    assert [QJob.from_dict(d) for d in json.loads(again.read_text())] == jobs
    assert run(capsys, "validate", str(documents), "--from", "mson", "--type", "jobs")[0] == 0


def test_mson_paths_are_monty_documents(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "resources.json"
    source.write_bytes(encode(QResources.no_constraints(2, output_filepath="/o.log")))
    target = tmp_path / "resources.mson"
    status, _, _ = run(
        capsys, "convert", str(source), str(target), "--to", "mson", "--type", "resources"
    )
    assert status == 0
    document = json.loads(target.read_text())
    assert document["@class"] == "QResources"
    assert document["output_filepath"] == "/o.log"


def test_convert_streams_ndjson_between_pipes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], snapshot: list[QJob[Any]]
) -> None:
    lines = io.BytesIO()
    write_ndjson(snapshot, lines)
    stdin = io.TextIOWrapper(io.BytesIO(lines.getvalue()))
    stdout = io.TextIOWrapper(io.BytesIO())
    monkeypatch.setattr(sys, "stdin", stdin)
    monkeypatch.setattr(sys, "stdout", stdout)
    assert main(["convert", "-", "-", "--from", "ndjson", "--to", "msgpack", *SLURM]) == 0
    data = stdout.buffer.getvalue()
    assert decode(data, type=list[QJob[SlurmState]], format="msgpack") == snapshot


def test_results_and_single_objects(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    results: list[AnyResult] = [
        SubmissionResult(job_id=1, status=SubmissionStatus.SUCCESSFUL),
        CancelResult(job_id=1),
    ]
    source = tmp_path / "results.ndjson"
    with source.open("wb") as stream:
        write_ndjson(results, stream)
    target = tmp_path / "results.msgpack"
    assert run(capsys, "convert", str(source), str(target), "--type", "results")[0] == 0
    assert decode(target.read_bytes(), type=list[AnyResult], format="msgpack") == results
    job = tmp_path / "job.json"
    job.write_bytes(encode(QJob(job_id="1", sub_state=PBSState.QUEUED)))
    out = tmp_path / "job.ndjson"
    assert run(capsys, "convert", str(job), str(out), "--type", "job", "--scheduler", "pbs")[0] == 0
    assert out.read_bytes() == b'{"job_id":"1","sub_state":"Q"}\n'
    # A single object cannot come from a file of several.
    status, _, err = run(capsys, "convert", str(source), str(tmp_path / "x.json"), "--type", "job",
                         "--scheduler", "pbs")  # fmt: skip
    assert status == 1
    assert "qtk: invalid data:" in err
    assert not (tmp_path / "x.json").exists()


def test_results_through_mson(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    results: list[AnyResult] = [
        SubmissionResult(job_id=1, status=SubmissionStatus.SUCCESSFUL),
        CancelResult(job_id="7", stderr="denied"),
    ]
    source = tmp_path / "results.json"
    source.write_bytes(encode(results))
    documents = tmp_path / "results.mson.json"
    assert (
        run(capsys, "convert", str(source), str(documents), "--type", "results", "--to", "mson")[0]
        == 0
    )
    back = tmp_path / "back.json"
    assert (
        run(capsys, "convert", str(documents), str(back), "--type", "results", "--from", "mson")[0]
        == 0
    )
    assert decode(back.read_bytes(), type=list[AnyResult]) == results
    # Plain dicts of fields say their class with the result tag.
    documents.write_text(
        '[{"type": "CancelResult", "job_id": "7", "stderr": "denied"}, {"job_id": 1}]'
    )
    status, out, _ = run(capsys, "validate", str(documents), "--type", "results", "--from", "mson")
    assert status == 1
    assert out == "$[1]: Object missing required field `type` (or an MSON `@class`)\n"


def test_validate_lists_every_error_with_its_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, snapshot: list[QJob[Any]]
) -> None:
    documents = msgspec.json.decode(encode(snapshot))
    documents[1]["state"] = "RUNNINGX"
    documents[4]["info"] = {"cpus": "eight"}
    documents[9]["sub_state"] = "Q"
    bad = tmp_path / "bad.json"
    bad.write_bytes(msgspec.json.encode(documents))
    status, out, err = run(capsys, "validate", str(bad), *SLURM)
    assert status == 1
    assert out.splitlines() == [
        "$[1].state: Invalid enum value 'RUNNINGX'",
        "$[4].info.cpus: Expected `int | null`, got `str`",
        "$[9].sub_state: Invalid enum value 'Q'",
    ]
    assert err == f"qtk: {bad}: 3 errors\n"


@pytest.mark.parametrize("fmt", ["json", "msgpack", "ndjson", "mson"])
def test_validate_good_files_in_every_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, snapshot_file: Path, fmt: str
) -> None:
    target = tmp_path / f"good.{fmt}"
    assert run(capsys, "convert", str(snapshot_file), str(target), "--to", fmt, *SLURM)[0] == 0
    status, out, _ = run(capsys, "validate", str(target), "--from", fmt, *SLURM)
    assert (status, out) == (0, f"{target}: valid jobs\n")


@pytest.mark.parametrize(
    ("fmt", "content", "expected"),
    [
        ("ndjson", b'{"state":"QUEUED"}\n{"state":"NOPE"}\n', ["line 2: $.state: Invalid enum"]),
        ("json", b'[{"job_id": "1"}, {"job_id": ', ["$: Input data was truncated"]),
        ("json", b'{"job_id": "1"}', ["$: Expected `array`, got `object`"]),
        ("msgpack", msgspec.msgpack.encode([{"runtime": "x"}]), ["$[0].runtime: Expected `int"]),
        ("mson", b'[{"@module": "os", "@class": "system"}]', ["$[0]: unknown MSON class"]),
        ("mson", b'{"x": 1}', ["$: expected an array of MSON documents"]),
    ],
)
def test_validate_reports_bad_files(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fmt: str,
    content: bytes,
    expected: list[str],
) -> None:
    path = tmp_path / "bad"
    path.write_bytes(content)
    status, out, _ = run(capsys, "validate", str(path), "--from", fmt, *SLURM)
    assert status == 1
    lines = out.splitlines()
    assert len(lines) == len(expected)
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), line


def test_validate_resources_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "resources.json"
    path.write_text('{"queue_name": "debug"}')
    status, out, _ = run(capsys, "validate", str(path), "--type", "resources")
    assert status == 1
    assert out.startswith("$: process_placement is None but queue_name is set")


def test_validate_lists_each_kind_of_error_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"state": "X"}] * 80 + [{"runtime": "long"}]))
    status, out, err = run(capsys, "validate", str(path), *SLURM)
    assert status == 1
    assert out.splitlines() == [
        "$[0].state: Invalid enum value 'X' (and 79 more like it)",
        "$[80].runtime: Expected `int | null`, got `str`",
    ]
    assert err == f"qtk: {path}: 81 errors\n"


def test_validate_caps_the_kinds_of_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qtoolkit.cli._commands._MAX_ERRORS", 2)
    path = tmp_path / "many.json"
    kinds = [{"state": "X"}, {"runtime": "long"}, {"info": {"cpus": "eight"}}]
    path.write_text(json.dumps(kinds * 3))
    status, out, err = run(capsys, "validate", str(path), *SLURM)
    assert status == 1
    assert out.splitlines() == [
        "$[0].state: Invalid enum value 'X' (and 2 more like it)",
        "$[1].runtime: Expected `int | null`, got `str` (and 2 more like it)",
        "... and 3 more errors of 1 other kind",
    ]
    assert err == f"qtk: {path}: 9 errors\n"


def test_inspect_summarizes(
    capsys: pytest.CaptureFixture[str], snapshot_file: Path, snapshot: list[QJob[Any]]
) -> None:
    status, out, _ = run(capsys, "inspect", str(snapshot_file), *SLURM)
    assert status == 0
    assert out.startswith("500 jobs\n")
    pending = sum(job.sub_state is SlurmState.PENDING for job in snapshot)
    assert any(
        line.split()[:2] == ["SlurmState.PENDING", str(pending)] for line in out.splitlines()
    )
    runtimes = [job.runtime for job in snapshot if job.runtime is not None]
    runtime_row = next(line for line in out.splitlines() if line.startswith("runtime "))
    assert runtime_row.split()[1] == str(len(runtimes))
    queues = {job.queue_name for job in snapshot}
    assert all(any(line.startswith(f"{q} ") for line in out.splitlines()) for q in queues)
    # Jobs are all inspect reads, so --type may be left out.
    assert run(capsys, "inspect", str(snapshot_file), "--scheduler", "slurm") == (0, out, "")


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "schema", "QJob[PBSState]")
    assert status == 0
    assert json.loads(out) == json_schema("QJob[PBSState]")
    status, out, _ = run(capsys, "schema")
    assert json.loads(out) == json_schemas()
    status, _, err = run(capsys, "schema", "Nope")
    assert status == 2
    assert "no schema named 'Nope'" in err


@pytest.mark.parametrize(
    ("argv", "first_line", "reference"),
    [
        (["--jobs", "300", "--repeat", "1"], "300 jobs, median of 1 run (1 for pydantic)", "json"),
        (
            ["--jobs", "200", "--repeat", "4", "--format", "msgpack"],
            "200 jobs, median of 4 runs (2 for pydantic)",
            "msgpack",
        ),
    ],
)
def test_bench(
    capsys: pytest.CaptureFixture[str], argv: list[str], first_line: str, reference: str
) -> None:
    status, out, _ = run(capsys, "bench", *argv)
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == first_line
    # Ratios are against the first format measured, and the header says which.
    assert lines[2].endswith(f"time vs qtoolkit {reference}")
    assert lines[3].startswith(f"qtoolkit {reference}")
    assert any(line.startswith("pydantic v2 json") for line in lines)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["convert", "a.json", "b.txt", *SLURM], "cannot tell the format of 'b.txt'"),
        (["convert", "-", "b.json", *SLURM], "--from is needed with '-'"),
        (["convert", "missing.json", "b.json", *SLURM], "cannot read 'missing.json'"),
        (["convert", "a.json", "b.json", "--type", "jobs"], "--type jobs needs --scheduler"),
        (["convert", "a.json", "b.json", "--type", "nodes"], "invalid choice: 'nodes'"),
        (["bench", "--jobs", "0"], "expected a positive integer"),
        (["bench", "--jobs", "99999999999999999999"], "up to 100,000,000"),
        (["inspect", "a.json", "--type", "results"], "invalid choice: 'results'"),
        ([], "required: COMMAND"),
    ],
)
def test_usage_errors_exit_2_without_traceback(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.json").write_text("[]")
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["convert", "validate", "inspect", "schema", "bench"])
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    status, out, _ = run(capsys, command, "--help")
    assert status == 0
    assert out.startswith(f"usage: qtk {command}")


def test_end_to_end_as_a_subprocess(tmp_path: Path, snapshot_file: Path) -> None:
    qtk = QTK
    converted = tmp_path / "snapshot.ndjson"
    done = subprocess.run(
        [*qtk, "convert", str(snapshot_file), str(converted), *SLURM],
        capture_output=True,
        text=True,
        check=False,
        env=clean_environment(),
    )
    assert (done.returncode, done.stderr) == (0, "qtk: wrote 500 jobs (ndjson)\n")
    piped = subprocess.run(
        [*qtk, "validate", "-", "--from", "ndjson", *SLURM],
        input=converted.read_bytes(),
        capture_output=True,
        check=False,
        env=clean_environment(),
    )
    assert (piped.returncode, piped.stdout) == (0, b"-: valid jobs\n")
    bad = tmp_path / "bad.ndjson"
    bad.write_bytes(converted.read_bytes().replace(b'"PENDING"', b'"PENDINGX"', 1))
    failed = subprocess.run(
        [*qtk, "validate", str(bad), *SLURM],
        capture_output=True,
        text=True,
        check=False,
        env=clean_environment(),
    )
    assert failed.returncode == 1
    assert failed.stdout.startswith("line ")
    assert "Invalid enum value 'PENDINGX'" in failed.stdout
    assert "Traceback" not in failed.stderr
    broken = subprocess.run(
        [*qtk, "convert", str(bad), str(tmp_path / "out.json"), *SLURM],
        capture_output=True,
        text=True,
        check=False,
        env=clean_environment(),
    )
    assert broken.returncode == 1
    assert broken.stderr.startswith("qtk: invalid data: line ")
    assert not (tmp_path / "out.json").exists()
