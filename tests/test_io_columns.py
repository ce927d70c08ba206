"""The column helpers of the fast parsers agree with the plain, one-value-at-a-time conversions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qtoolkit.core.exceptions import OutputParsingError
from qtoolkit.io import columns
from qtoolkit.io.columns import (
    CLOCKS,
    ClockReader,
    MemoTable,
    clock_seconds,
    convert_column,
    parsing_error,
    text_chunks,
)
from qtoolkit.io.shell_output import ps_seconds
from qtoolkit.io.slurm_output import slurm_seconds

CLOCK_PIECES = st.sampled_from(["", " ", "0", "1", "09", "59", "60", "99", "123", "٣", "x", "-1"])
clocks = st.builds(
    lambda parts, seps: "".join(p + s for p, s in zip(parts, seps, strict=False)),
    st.lists(CLOCK_PIECES, min_size=1, max_size=4),
    st.lists(st.sampled_from([":", "-", ":", ":"]), min_size=0, max_size=3),
)


def scalar(convert: Callable[[str], int | None]) -> Callable[[str], Any]:
    def lenient(value: str) -> int | str | None:
        try:
            return convert(value.strip())
        except (ValueError, OutputParsingError):
            return "error"

    return lenient


@given(st.lists(clocks, max_size=40))
def test_clocks_read_at_once_equal_slurms_conversion(values: list[str]) -> None:
    convert = scalar(slurm_seconds)
    assert clock_seconds(values, convert, field="t") == [convert(v) for v in values]


@given(st.lists(clocks, max_size=40))
def test_clocks_read_at_once_equal_ps_conversion(values: list[str]) -> None:
    convert = scalar(ps_seconds)
    assert clock_seconds(values, convert, field="t") == [convert(v) for v in values]


def test_regular_clocks_need_no_conversion_call() -> None:
    calls: list[str] = []

    def convert(value: str) -> int | None:
        calls.append(value)
        return None

    values = ["0:00", " 4:05", "12:34", "1:02:03", "23:59:59", "1-00:00:00", " 120-23:59:59"]
    assert clock_seconds(values, convert, field="t") == [
        0,
        245,
        754,
        3723,
        86399,
        86400,
        120 * 86400 + 86399,
    ]
    assert calls == []
    assert clock_seconds(["UNLIMITED", "0:01", "UNLIMITED"], convert, field="t") == [None, 1, None]
    assert calls == ["UNLIMITED"]


def test_conversion_errors_name_the_first_line_holding_the_value() -> None:
    with pytest.raises(OutputParsingError, match="line 12: cannot read limit 'x'") as info:
        clock_seconds(["1:00", "x", "x"], slurm_seconds, field="limit", first_line=11)
    assert (info.value.line, info.value.field) == (12, "limit")
    with pytest.raises(OutputParsingError, match="line 7: cannot read n 'b'"):
        convert_column(["1", "b"], int, field="n", lines=[3, 7])
    error = parsing_error("bad", field="f", value="v", index=2, first_line=5)
    assert (error.line, str(error)) == (7, "line 7: cannot read f 'v': bad")


@pytest.mark.parametrize("bad", [["x", "y"], ["y", "x"], ["b", "a", "c"], ["zz", "z", "zzz", "a"]])
def test_of_several_bad_values_the_earliest_line_is_named(bad: list[str]) -> None:
    # The distinct values are converted from a set, whose order follows salted string hashes.
    clocks = [value for one in bad for value in ("1:00", one)]
    with pytest.raises(OutputParsingError, match=rf"^line 3: cannot read t '{bad[0]}'"):
        clock_seconds(clocks, slurm_seconds, field="t", first_line=2)
    numbers = [value for one in bad for value in ("7", one, one)]
    with pytest.raises(OutputParsingError, match=rf"^line 8: cannot read n '{bad[0]}'"):
        convert_column(numbers, int, field="n", lines=list(range(7, 7 + len(numbers))))


def test_memo_table_converts_each_key_once() -> None:
    seen: list[str] = []

    def convert(value: str) -> int:
        seen.append(value)
        return len(value)

    table = MemoTable(convert)
    assert list(map(table.__getitem__, ["ab", "c", "ab", "ab"])) == [2, 1, 2, 2]
    assert seen == ["ab", "c"]


@given(st.lists(st.text(alphabet="ab \r", max_size=30), max_size=30), st.integers(1, 64))
def test_chunks_cover_the_text_in_whole_lines(lines: list[str], size: int) -> None:
    text = "\n".join(lines)
    chunks = list(text_chunks(text, size))
    joined = "".join(chunk for _, chunk in chunks)
    assert joined in (text, text + "\n")
    assert all(chunk.endswith("\n") for _, chunk in chunks)
    numbers = [number for number, _ in chunks]
    assert numbers == [
        1 + "".join(c for _, c in chunks[:i]).count("\n") for i in range(len(chunks))
    ]


def test_clock_tables_start_over_past_their_limit() -> None:
    reader = ClockReader(limit=2)
    assert reader.seconds(["0:01", "0:02", "0:03"], slurm_seconds, field="t") == [1, 2, 3]
    assert len(reader.tails) == 3
    assert reader.seconds(["0:04"], slurm_seconds, field="t") == [4]
    assert len(reader.tails) == 1
    # The parsers share one reader, so a poll finds the tables of the last one.
    assert CLOCKS.seconds(["1:00:00"], slurm_seconds, field="t") == [3600]
    assert "00:00" in CLOCKS.tails


def test_tables_started_over_while_a_column_is_read_keep_it_right(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Parsers in two threads share CLOCKS: one may start the tables over mid-column of another."""
    reader = ClockReader(limit=2)
    unlimited: list[str] = []

    def limitless(value: str) -> None:
        unlimited.append(value)

    assert reader.seconds(["UNLIMITED"], limitless, field="t") == [None]  # now in the tables
    real_tail_seconds = columns._tail_seconds

    def tail_seconds(tail: str) -> int:
        if tail == "0:07":  # as if another thread's column came in while this one is read
            assert reader.seconds(["0:01"], slurm_seconds, field="t") == [1]
        return real_tail_seconds(tail)

    monkeypatch.setattr(columns, "_tail_seconds", tail_seconds)
    assert reader.seconds(["UNLIMITED", "0:07"], limitless, field="t") == [None, 7]
    assert unlimited == ["UNLIMITED", "UNLIMITED"]
