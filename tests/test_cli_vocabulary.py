"""``qtk``'s shared vocabulary: kinds, qtk generate, qtk schema --list, .mson, inspect's numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qtoolkit.cli import main
from qtoolkit.core.codecs import decode, encode
from qtoolkit.core.data_objects import (
    CancelResult,
    QJob,
    QJobInfo,
    QResources,
    QState,
    SubmissionResult,
)
from qtoolkit.core.ndjson import read_ndjson
from qtoolkit.core.schema import json_schema
from qtoolkit.core.unions import AnyResult
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.slurm import SlurmState
from qtoolkit.synthetic import generate_snapshot


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        status = main(list(argv))
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    return status, out, err


# Each kind as one object and as a list: the value, and how to decode the file back.
KINDS = {
    "job": (QJob[PBSState](job_id="1", sub_state=PBSState.QUEUED), QJob[PBSState]),
    "jobs": ([QJob[PBSState](job_id="1"), QJob[PBSState](job_id="2")], list[QJob[PBSState]]),
    "resources": (QResources.no_constraints(2, queue_name="q"), QResources),
    "resources-list": (
        [QResources.no_constraints(2), QResources.scattered(4)],
        list[QResources],
    ),
    "result": (CancelResult(job_id="3"), AnyResult),
    "results": ([SubmissionResult(job_id=1), CancelResult(job_id="3")], list[AnyResult]),
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("fmt", ["json", "msgpack", "ndjson", "mson"])
def test_every_kind_one_or_a_list_in_every_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str, fmt: str
) -> None:
    value, decoded_as = KINDS[kind]
    scheduler = ["--scheduler", "pbs"] if kind.startswith("job") else []
    source = tmp_path / "in.json"
    source.write_bytes(encode(value))
    target = tmp_path / f"out.{fmt}"
    status, _, err = run(capsys, "convert", str(source), str(target), "--type", kind, *scheduler)
    count = len(value) if isinstance(value, list) else 1
    assert status == 0, err
    assert err.startswith(f"qtk: wrote {count} ")
    status, out, _ = run(capsys, "validate", str(target), "--type", kind, *scheduler)
    assert (status, out) == (0, f"{target}: valid {kind}\n")
    back = tmp_path / "back.json"
    assert run(capsys, "convert", str(target), str(back), "--type", kind, *scheduler)[0] == 0
    assert decode(back.read_bytes(), type=decoded_as) == value


def test_the_singular_is_one_object(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "results.json"
    source.write_bytes(encode([CancelResult(job_id="3")]))
    status, out, _ = run(capsys, "validate", str(source), "--type", "result")
    assert status == 1
    assert out.startswith("$: Expected `object`, got `array`")


def test_scheduler_is_for_jobs_only(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "r.json"
    source.write_bytes(encode(QResources()))
    status, _, err = run(
        capsys, "validate", str(source), "--type", "resources", "--scheduler", "pbs"
    )
    assert status == 2
    assert "--scheduler applies to jobs only, not to --type resources" in err


def test_generate_writes_the_synthetic_snapshot(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "poll.ndjson"
    status, _, err = run(capsys, "generate", str(target), "--jobs", "1200", "--scheduler", "pbs",
                         "--seed", "3")  # fmt: skip
    assert (status, err) == (0, "qtk: wrote 1,200 jobs (ndjson)\n")
    assert read_ndjson(target, type=QJob[PBSState]) == generate_snapshot(1200, "pbs", seed=3)
    status, out, _ = run(capsys, "generate", "-", "--to", "json", "--jobs", "2")
    assert status == 0
    assert decode(out.encode(), type=list[QJob[SlurmState]]) == generate_snapshot(2)
    assert run(capsys, "generate", "-", "--jobs", "2")[0] == 2  # which format?


def test_schema_list_names_kinds_and_types(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "schema", "--list")
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "kinds (with --scheduler for job and jobs):"
    assert lines[1].split() == ["job", "one", "job", "(QJob)"]
    assert "  resources-list  a list of QResources" in lines
    assert "  Snapshot[SGEState]" in lines
    status, _, err = run(capsys, "schema", "Nope")
    assert status == 2
    assert "no schema named 'Nope'; 'qtk schema --list' shows the names" in err


@pytest.mark.parametrize(
    ("argv", "title", "same_as"),
    [
        (["job", "--scheduler", "pbs"], "QJob[PBSState]", "QJob[PBSState]"),
        (["jobs", "--scheduler", "slurm"], "list[QJob[SlurmState]]", "Snapshot[SlurmState]"),
        (["result"], "AnyResult", "AnyResult"),
        (["results"], "list[AnyResult]", "list[AnyResult]"),
        (["resources"], "QResources", "QResources"),
    ],
)
def test_schema_of_a_kind(
    capsys: pytest.CaptureFixture[str], argv: list[str], title: str, same_as: str
) -> None:
    status, out, _ = run(capsys, "schema", *argv)
    assert status == 0
    schema = json.loads(out)
    assert schema["title"] == title
    expected = json_schema(same_as)
    assert {k: v for k, v in schema.items() if k != "title"} == {
        k: v for k, v in expected.items() if k != "title"
    }


def test_schema_of_a_list_of_resources(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "schema", "resources-list")
    assert status == 0
    schema = json.loads(out)
    assert schema["type"] == "array"
    assert schema["items"] == {"$ref": "#/$defs/QResources"}
    status, _, err = run(capsys, "schema", "jobs")
    assert status == 2
    assert "qtk: error: jobs needs --scheduler (slurm, pbs, sge, shell)" in err


def test_mson_extension_is_recognised(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = tmp_path / "poll.json"
    snapshot = generate_snapshot(20)
    source.write_bytes(encode(snapshot))
    target = tmp_path / "poll.mson"
    argv = ["--type", "jobs", "--scheduler", "slurm"]
    assert run(capsys, "convert", str(source), str(target), *argv)[0] == 0
    documents = json.loads(target.read_text())
    assert documents[0]["@class"] == "QJob"
    # MSON documents name their scheduler: no --scheduler needed to read them.
    status, out, _ = run(capsys, "validate", str(target), "--type", "jobs")
    assert (status, out) == (0, f"{target}: valid jobs\n")


def test_inspect_prints_numbers_people_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    jobs = [
        QJob[SlurmState](
            state=QState.RUNNING,
            runtime=runtime,
            info=QJobInfo(memory=memory, cpus=cpus, nodes=1, time_limit=172_800),
        )
        for runtime, memory, cpus in (
            (59, 2_000_000, 1_000),
            (3_600, 128_000_000, 2_000),
            (90_061, 8_192_000_000, 3_000),
        )
    ]
    source = tmp_path / "jobs.json"
    source.write_bytes(encode(jobs))
    status, out, _ = run(capsys, "inspect", str(source), "--scheduler", "slurm")
    assert status == 0
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line}
    assert out.startswith("3 jobs\n")
    assert rows["runtime"] == ["3", "00:00:59", "01:00:00", "08:40:40", "1-01:01:01", "1-02:02:00"]
    assert rows["cpus"] == ["3", "1,000", "2,000", "2,000.0", "3,000", "6,000"]
    assert rows["memory"] == ["3", "1.9G", "122G", "2.6T", "7.6T", "7.8T"]
    assert rows["time"] == ["limit", "3", "2-00:00:00", "2-00:00:00", "2-00:00:00", "2-00:00:00",
                            "6-00:00:00"]  # fmt: skip


def test_a_list_names_the_item_json_cannot_hold(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    resources = [
        QResources.no_constraints(1),
        QResources.no_constraints(2, scheduler_kwargs={"x": float("nan")}),
    ]
    source = tmp_path / "resources.msgpack"
    source.write_bytes(encode(resources, format="msgpack"))
    status, _, err = run(capsys, "convert", str(source), str(tmp_path / "out.json"),
                         "--type", "resources-list")  # fmt: skip
    assert status == 1
    assert err == "qtk: cannot write $[1].scheduler_kwargs.x (the float nan) as JSON unchanged\n"
