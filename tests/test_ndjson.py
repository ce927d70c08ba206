"""Newline-delimited JSON: streamed writing, lazy reading, errors naming their line."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from qtoolkit.core.codecs import encode
from qtoolkit.core.data_objects import QJob, QJobInfo, QResources, QState
from qtoolkit.core.ndjson import iter_ndjson, read_ndjson, write_ndjson
from qtoolkit.core.unions import AnyResult
from qtoolkit.io.slurm import SlurmState
from qtoolkit.synthetic import generate_snapshot

Job = QJob[SlurmState]


def test_write_then_read_a_snapshot(tmp_path: Path) -> None:
    snapshot = generate_snapshot(2_000, seed=1)
    target = tmp_path / "poll.ndjson"
    with target.open("wb") as stream:
        assert write_ndjson(snapshot, stream) == 2_000
    lines = target.read_bytes().splitlines()
    assert len(lines) == 2_000
    assert lines[0] == encode(snapshot[0])
    assert read_ndjson(target, type=Job) == snapshot
    assert list(iter_ndjson(str(target), type=Job)) == snapshot


def test_write_streams_from_a_generator_in_chunks() -> None:
    class CountingStream(io.BytesIO):
        writes = 0

        def write(self, data: object) -> int:
            self.writes += 1
            return super().write(data)  # type: ignore[arg-type]

    stream = CountingStream()
    count = write_ndjson((job for job in generate_snapshot(10_000)), stream)
    assert count == 10_000
    assert stream.writes >= 2  # flushed along the way, not once at the end
    assert len(stream.getvalue().splitlines()) == 10_000


def test_path_values_are_written_as_strings() -> None:
    stream = io.BytesIO()
    write_ndjson([QResources(output_filepath=Path("o.log"))], stream)
    assert stream.getvalue() == b'{"output_filepath":"o.log","scheduler_kwargs":{}}\n'


def test_reading_is_lazy() -> None:
    consumed: list[int] = []

    def lines() -> Iterator[bytes]:
        for index in range(1_000_000):
            consumed.append(index)
            yield encode(QJobInfo(cpus=index))

    reader = iter_ndjson(lines(), type=QJobInfo)
    assert next(reader) == QJobInfo(cpus=0)
    assert next(reader) == QJobInfo(cpus=1)
    assert len(consumed) == 2


def test_reads_text_lines_and_skips_blank_ones() -> None:
    text = '{"cpus": 1}\n\n   \n{"cpus": 2}\n'
    assert read_ndjson(io.StringIO(text), type=QJobInfo) == [QJobInfo(cpus=1), QJobInfo(cpus=2)]
    assert read_ndjson(text.splitlines(), type=QJobInfo) == [QJobInfo(cpus=1), QJobInfo(cpus=2)]


def test_a_mixed_result_log() -> None:
    stream = io.BytesIO(
        b'{"type":"SubmissionResult","job_id":1}\n{"type":"CancelResult","job_id":1}\n'
    )
    assert [type(r).__name__ for r in iter_ndjson(stream, type=AnyResult)] == [
        "SubmissionResult",
        "CancelResult",
    ]


def test_errors_name_the_line_and_the_path() -> None:
    data = b'{"state":"QUEUED"}\n{"state":"RUNNING"}\n{"info":{"cpus":"x"}}\n'
    reader = iter_ndjson(io.BytesIO(data), type=Job)
    assert [job.state for job in (next(reader), next(reader))] == [QState.QUEUED, QState.RUNNING]
    with pytest.raises(
        msgspec.ValidationError, match=r"^line 3: Expected `int \| null`.*`\$\.info\.cpus`"
    ):
        next(reader)


def test_a_truncated_last_line_is_a_decode_error() -> None:
    with pytest.raises(msgspec.DecodeError, match=r"^line 2: "):
        read_ndjson(io.BytesIO(b'{"cpus": 1}\n{"cpus": '), type=QJobInfo)


def test_read_gives_all_or_nothing() -> None:
    with pytest.raises(msgspec.ValidationError, match="line 2"):
        read_ndjson([b'{"cpus": 1}', b'{"cpus": "two"}'], type=QJobInfo)
