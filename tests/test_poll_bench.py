"""The generated next poll, squeue's generated text, and the timed steps of a poll."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
import pytest

from qtoolkit.cli import _poll_bench as poll_bench
from qtoolkit.cli._poll_bench import measure_polling, render_polling
from qtoolkit.core.changes import compare_snapshots
from qtoolkit.core.data_objects import QJob, QJobInfo, QState
from qtoolkit.io import SUB_STATES, SlurmState
from qtoolkit.synthetic import generate_snapshot, next_poll, squeue_output

if TYPE_CHECKING:
    from collections.abc import Callable


def test_next_poll_moves_a_share_of_the_jobs_one_step() -> None:
    previous = generate_snapshot(2_000, "slurm", seed=4)
    frozen = msgspec.json.encode(previous)
    current = next_poll(previous, changed=0.05, seed=9)
    assert msgspec.json.encode(previous) == frozen  # the previous poll is left alone
    changes = compare_snapshots(previous, current)
    assert len(changes.changed) + len(changes.vanished) == 100
    assert len(changes.appeared) == len(changes.vanished)
    assert len(current) == len(previous)
    steps = {(change.previous_sub_state, change.job.sub_state) for change in changes.changed}
    assert steps <= {
        (SlurmState.PENDING, SlurmState.RUNNING),
        (SlurmState.CONFIGURING, SlurmState.RUNNING),
        (SlurmState.RUNNING, SlurmState.COMPLETING),
        (SlurmState.COMPLETING, SlurmState.COMPLETED),
    }
    assert all(change.job.sub_state is SlurmState.PENDING for change in changes.appeared)
    moved = {change.job_id for change in changes.changed}
    moved |= {change.job_id for change in changes.vanished}
    current_by_id = {job.job_id: job for job in current}
    still = [job for job in previous if job.job_id not in moved]
    assert len(still) == 1_900
    assert all(current_by_id[job.job_id] is job for job in still)  # shared, not copied


def test_next_poll_grows_the_runtime_of_running_jobs() -> None:
    previous = generate_snapshot(1_000, "slurm", seed=2)
    current = next_poll(previous, changed=0, elapsed=30)
    for old, new in zip(previous, current, strict=True):
        if old.state is QState.RUNNING and old.runtime is not None:
            assert new.runtime == old.runtime + 30
        else:
            assert new is old
    assert not compare_snapshots(previous, current, ignore=("runtime",))


@pytest.mark.parametrize("scheduler", sorted(SUB_STATES))
def test_next_poll_knows_every_scheduler(scheduler: str) -> None:
    previous: list[Any] = generate_snapshot(300, scheduler)
    changes = compare_snapshots(previous, next_poll(previous, changed=0.1))
    assert len(changes.changed) + len(changes.vanished) == 30
    assert next_poll([]) == []


def test_squeue_output_has_upstream_s_columns() -> None:
    jobs = [
        QJob[SlurmState](
            job_id="42",
            name="relax",
            state=QState.RUNNING,
            sub_state=SlurmState.RUNNING,
            username="ada",
            queue_name="debug",
            runtime=90_061,
            info=QJobInfo(time_limit=3600, nodes=2, cpus=64, memory_per_cpu=4_000_000),
        ),
        QJob[SlurmState](job_id="43", state=QState.QUEUED, sub_state=SlurmState.PENDING),
    ]
    assert squeue_output(jobs).splitlines() == [
        "42<><> R<><> None<><> relax<><> ada<><> debug<><> 1:00:00<><> 2<><> 64<><> "
        "1-01:01:01<><> 3906M",
        "43<><> PD<><> Priority<><> <><> ada<><> standard<><> UNLIMITED<><> 1<><> 1<><> 0:00<><> 0",
    ]
    assert squeue_output([]) == ""


def test_the_steps_of_a_poll() -> None:
    timings = measure_polling(400, repeat=1)
    assert [timing.name for timing in timings] == [
        "compare",
        "compare, runtimes grown",
        "encode the changes",
        "parse squeue",
        "poll cycle",
        "poll cycle, runtimes grown",
        "poll cycle, Poller",
        "poll cycle, Poller, runtimes grown",
    ]
    assert all(timing.changes == 4 for timing in timings)
    assert all(timing.seconds is not None for timing in timings)
    table = render_polling(timings).splitlines()
    assert table[0] == "one poll of 400 SLURM jobs, 4 changed (1%; 30 s apart)"
    assert table[-1].startswith("poll cycle, Poller, runtimes grown")


def test_with_a_parser_the_whole_cycle_is_timed(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []

    def parser() -> Callable[[str], list[QJob[SlurmState]]]:
        def parse(text: str) -> list[QJob[SlurmState]]:
            parsed.append(text)
            return [
                QJob[SlurmState](
                    job_id=line.split("<><>")[0], sub_state=SlurmState(line.split("<><> ")[1])
                )
                for line in text.splitlines()
            ]

        return parse

    monkeypatch.setattr(poll_bench, "squeue_parser", parser)
    timings = measure_polling(300, repeat=2)
    assert all(timing.seconds is not None for timing in timings)
    assert all(len(timing.times) == 2 for timing in timings)
    # The first poll once; each timed step of a whole text twice (the Poller steps use SlurmIO).
    assert len(parsed) == 1 + 2 * 3
    assert "Poller.poll (changed lines parsed, compared) + encode" in render_polling(timings)
