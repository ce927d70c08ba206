"""Errors a user can act on: each likely mistake is named once, with what to do instead."""

from __future__ import annotations

import subprocess
from pathlib import Path

import msgspec
import pytest

from qtk_process import QTK, clean_environment
from qtoolkit.cli import main
from qtoolkit.core.codecs import encode
from qtoolkit.core.data_objects import QResources
from qtoolkit.core.ndjson import write_ndjson
from qtoolkit.synthetic import generate_snapshot

SLURM = ["--type", "jobs", "--scheduler", "slurm"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def poll(tmp_path: Path) -> Path:
    """A 10,000-job SLURM snapshot in JSON."""
    path = tmp_path / "poll.json"
    path.write_bytes(encode(generate_snapshot(10_000)))
    return path


def test_wrong_scheduler_is_one_line_and_a_hint(
    capsys: pytest.CaptureFixture[str], poll: Path
) -> None:
    status, out, err = run(capsys, "validate", str(poll), "--type", "jobs", "--scheduler", "pbs")
    assert status == 1
    assert out == "$[0].sub_state: Invalid enum value 'RUNNING' (and 9,999 more like it)\n"
    assert err == (
        f"qtk: {poll}: 10,000 errors\n"
        "qtk: hint: these sub-states are slurm's: give --scheduler slurm\n"
    )
    status, _, err = run(
        capsys,
        "convert",
        str(poll),
        str(poll.with_name("x.json")),
        "--type",
        "jobs",
        "--scheduler",
        "sge",
    )
    assert status == 1
    assert err == (
        "qtk: invalid data: $[0].sub_state: Invalid enum value 'RUNNING'\n"
        "qtk: hint: these sub-states are slurm's: give --scheduler slurm\n"
    )


def test_plain_json_read_as_mson(capsys: pytest.CaptureFixture[str], poll: Path) -> None:
    status, out, err = run(capsys, "validate", str(poll), "--from", "mson", "--type", "jobs")
    assert status == 1
    # Said once, in the command line's terms: no Python advice, no line per job.
    assert out == (
        "$[0].sub_state: a plain sub-state value does not say its scheduler "
        "(and 9,999 more like it)\n"
    )
    hint = (
        'qtk: hint: the input holds plain objects, not MSON documents (no "@module"): '
        "read it with --from json and --scheduler\n"
    )
    assert err == f"qtk: {poll}: 10,000 errors\n{hint}"
    status, _, err = run(
        capsys,
        "convert",
        str(poll),
        str(poll.with_name("x.json")),
        "--from",
        "mson",
        "--type",
        "jobs",
    )
    assert status == 1
    assert err.endswith(hint)
    assert "decode(" not in err


def test_mson_read_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    documents = tmp_path / "poll.mson"
    assert run(capsys, "generate", str(documents), "--jobs", "5")[0] == 0
    status, _, err = run(capsys, "validate", str(documents), "--from", "json", *SLURM)
    assert status == 1
    assert err.endswith('qtk: hint: the input holds MSON documents (with "@module"): '
                        "give --from mson\n")  # fmt: skip


def test_json_read_as_msgpack(capsys: pytest.CaptureFixture[str], poll: Path) -> None:
    status, out, err = run(capsys, "validate", str(poll), "--from", "msgpack", *SLURM)
    assert status == 1
    assert out == "$: Expected `array`, got `int`\n"
    assert err.endswith("qtk: hint: the input looks like JSON, not MessagePack: give --from json\n")


def test_msgpack_read_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "poll.json"
    path.write_bytes(encode(generate_snapshot(3), format="msgpack"))
    status, _, err = run(capsys, "convert", str(path), "x.ndjson", *SLURM)
    assert status == 1
    assert err.startswith("qtk: invalid data: $: JSON is malformed")
    assert err.endswith("qtk: hint: the input looks like MessagePack, not JSON: "
                        "give --from msgpack\n")  # fmt: skip


def test_ndjson_read_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "poll.json"
    with path.open("wb") as stream:
        write_ndjson(generate_snapshot(3), stream)
    status, _, err = run(capsys, "validate", str(path), *SLURM)
    assert status == 1
    assert err.endswith("qtk: hint: the input looks like NDJSON, not JSON: give --from ndjson\n")


def test_json_array_read_as_ndjson(capsys: pytest.CaptureFixture[str], poll: Path) -> None:
    status, out, err = run(capsys, "validate", str(poll), "--from", "ndjson", *SLURM)
    assert status == 1
    assert out.startswith("line 1: $: Expected `object`, got `array`")
    assert err.endswith("qtk: hint: the input looks like JSON, not NDJSON: give --from json\n")


def test_byte_order_mark(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "poll.json"
    path.write_bytes(b"\xef\xbb\xbf" + encode(generate_snapshot(3)))
    status, out, err = run(capsys, "validate", str(path), *SLURM)
    assert status == 1
    assert out == "$: JSON is malformed: invalid character (byte 0)\n"
    assert "qtk: hint: the input starts with a UTF-8 byte order mark" in err
    assert "save it without one" in err


def test_paths_are_written_one_way(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'[{"job_id": "1"}, {"info": {"cpus": "eight"}}]')
    _, out, _ = run(capsys, "validate", str(path), *SLURM)
    _, _, err = run(capsys, "convert", str(path), str(tmp_path / "x.json"), *SLURM)
    problem = "$[1].info.cpus: Expected `int | null`, got `str`"
    assert out == f"{problem}\n"
    assert err == f"qtk: invalid data: {problem}\n"


def test_no_hint_when_nothing_points_at_a_mistake(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    # Wrong sub-states of no scheduler at all, and another error beside them.
    path.write_bytes(b'[{"sub_state": "NOPE"}, {"sub_state": "RUNNING", "runtime": "x"}]')
    _, _, err = run(capsys, "validate", str(path), *SLURM)
    assert err == f"qtk: {path}: 2 errors\n"
    path.write_bytes(b'[{"sub_state": "NOPE"}]')
    _, _, err = run(capsys, "validate", str(path), "--type", "jobs", "--scheduler", "pbs")
    assert err == f"qtk: {path}: 1 error\n"
    path.write_bytes(b'{"nodes": -1}')
    _, _, err = run(capsys, "validate", str(path), "--type", "resources")
    assert err == f"qtk: {path}: 1 error\n"
    path.write_bytes(b"  ")
    _, _, err = run(capsys, "validate", str(path), "--type", "resources")
    assert err == f"qtk: {path}: 1 error\n"


def test_advice_reads_a_pipe_without_consuming_it(tmp_path: Path) -> None:
    # Standard input cannot seek back: the first bytes are peeked at, not read.
    data = encode(generate_snapshot(50))
    done = subprocess.run(
        [*QTK, "validate", "-", "--from", "msgpack", *SLURM],
        input=data,
        capture_output=True,
        check=False,
        env=clean_environment(),
    )
    assert done.returncode == 1
    assert done.stderr.decode().endswith("give --from json\n")
    done = subprocess.run(
        [*QTK, "convert", "-", "-", "--from", "json", "--to", "msgpack", "--type", "resources"],
        input=encode(QResources.scattered(2)),
        capture_output=True,
        check=False,
        env=clean_environment(),
    )
    assert done.returncode == 0
    assert msgspec.msgpack.decode(done.stdout)["processes"] == 2
