"""The poller: a queue listed poll after poll, its changes, and how vanished jobs end."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
from typing import TYPE_CHECKING, Any

import pytest

from qtoolkit.core.changes import JobAppeared, JobChanged, JobVanished, compare_snapshots
from qtoolkit.core.data_objects import QJob, QJobInfo, QState
from qtoolkit.core.exceptions import CommandFailedError
from qtoolkit.eventlog import EventLog, read_event_log
from qtoolkit.host.base import BaseHost
from qtoolkit.io.shell import ShellIO, ShellState
from qtoolkit.io.slurm import SlurmIO, SlurmState
from qtoolkit.io.slurm_accounting import SlurmAccounting
from qtoolkit.manager import QueueManager
from qtoolkit.poller import LineCache, Poller
from qtoolkit.synthetic import generate_snapshot, next_poll, squeue_output

if TYPE_CHECKING:
    from pathlib import Path

Job = QJob[SlurmState]
AT = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.timezone.utc)


def listed(job_id: str, sub_state: SlurmState, runtime: int = 0) -> Job:
    """A job as squeue lists it (and SlurmIO parses it back)."""
    return Job(
        name=f"job-{job_id}",
        job_id=job_id,
        state=sub_state.qstate,
        sub_state=sub_state,
        info=QJobInfo(nodes=1, cpus=1, memory_per_cpu=2_048_000),
        runtime=runtime,
        queue_name="debug",
        username="ada",
    )


class FakeCluster(BaseHost):
    """A host whose squeue prints the next of ``listings`` and whose sacct knows ``finished``."""

    def __init__(self, listings: list[list[Job]], finished: dict[str, str] | None = None) -> None:
        super().__init__()
        self.listings = [squeue_output(jobs) for jobs in listings]
        self.finished = finished or {}
        self.commands: list[str] = []
        self.squeue_failure: str | None = None

    def execute(
        self, command: str | list[str], workdir: str | Path | None = None
    ) -> tuple[str, str, int]:
        assert isinstance(command, str)
        self.commands.append(command)
        if "squeue" in command:
            if self.squeue_failure is not None:
                return "", self.squeue_failure, 1
            return self.listings.pop(0), "", 0
        if command.startswith("sacct"):
            match = re.search(r"--jobs=(\S+)", command)
            assert match is not None
            ids = match[1].split(",")
            lines = [self.finished[job_id] for job_id in ids if job_id in self.finished]
            return "".join(f"{line}\n" for line in lines), "", 0
        raise AssertionError(command)

    def mkdir(self, directory: str | Path, recursive: bool = True, exist_ok: bool = True) -> bool:
        raise NotImplementedError

    def write_text_file(self, filepath: str | Path, content: str) -> None:
        raise NotImplementedError


def sacct(job_id: str, state: str, exit_code: str) -> str:
    return f"{job_id}|{state}|{exit_code}|ada|chem|debug|65|1|1|60|job-{job_id}"


def slurm_poller(cluster: FakeCluster, **options: object) -> Poller[SlurmState]:
    manager = QueueManager(SlurmIO(), host=cluster, accounting=SlurmAccounting())
    return Poller(manager, **options)  # type: ignore[arg-type]


def test_each_poll_reports_what_changed_and_how_vanished_jobs_ended() -> None:
    cluster = FakeCluster(
        [
            [listed("1", SlurmState.PENDING), listed("2", SlurmState.PENDING)],
            [
                listed("1", SlurmState.RUNNING, 5),
                listed("2", SlurmState.PENDING),
                listed("3", SlurmState.PENDING),
            ],
            [listed("2", SlurmState.RUNNING, 1), listed("3", SlurmState.PENDING)],
        ],
        finished={"1": sacct("1", "COMPLETED", "0:0")},
    )
    poller = slurm_poller(cluster)
    first = poller.poll()
    assert [(type(change), change.job_id) for change in first] == [
        (JobAppeared, "1"),
        (JobAppeared, "2"),
    ]
    second = poller.poll()
    assert [(type(change), change.job_id) for change in second] == [
        (JobAppeared, "3"),
        (JobChanged, "1"),
    ]
    assert second.changed[0].fields == ("state", "sub_state")  # runtime is ignored
    assert second.changed[0].previous_sub_state is SlurmState.PENDING
    third = poller.poll()
    assert [(type(change), change.job_id) for change in third] == [
        (JobChanged, "2"),
        (JobVanished, "1"),
    ]
    (gone,) = third.vanished
    assert gone.job == listed("1", SlurmState.RUNNING, 5)
    assert gone.final is not None
    assert (gone.final.state, gone.final.sub_state, gone.final.exit_status) == (
        QState.DONE,
        SlurmState.COMPLETED,
        0,
    )
    assert set(poller.jobs) == {"2", "3"}
    assert poller.polls == 3
    assert sum(command.startswith("sacct") for command in cluster.commands) == 1


def test_a_vanished_job_waits_for_the_accounting_a_few_polls() -> None:
    still = [listed("2", SlurmState.RUNNING)]
    cluster = FakeCluster([[listed("1", SlurmState.RUNNING), *still]] + [still] * 4)
    poller = slurm_poller(cluster, final_polls=3)
    poller.poll()
    assert not poller.poll()  # gone, but sacct does not know it yet: not reported
    assert "1" in poller.jobs
    cluster.finished["1"] = sacct("1", "RUNNING", "0:0")  # sacct lags: still running there
    assert not poller.poll()
    (gone,) = poller.poll().vanished  # the third poll without an answer reports it anyway
    assert gone.job_id == "1"
    assert gone.final is None
    assert set(poller.jobs) == {"2"}
    assert not poller.poll()


def test_a_vanished_job_is_reported_once_the_accounting_answers() -> None:
    still = [listed("2", SlurmState.RUNNING)]
    cluster = FakeCluster([[listed("1", SlurmState.RUNNING), *still], still, still])
    poller = slurm_poller(cluster)
    poller.poll()
    assert not poller.poll()
    cluster.finished["1"] = sacct("1", "FAILED", "3:0")
    (gone,) = poller.poll().vanished
    assert gone.final is not None
    assert (gone.final.state, gone.final.exit_status) == (QState.FAILED, 3)


def test_a_failing_accounting_is_asked_again_next_poll() -> None:
    class Broken(SlurmAccounting):
        def get_finished_jobs_cmd(self, job_ids: object) -> str:
            return "sacct-broken"

    still = [listed("2", SlurmState.RUNNING)]
    cluster = FakeCluster([[listed("1", SlurmState.RUNNING), *still], still])
    commands = cluster.execute

    def execute(command: str | list[str], workdir: object = None) -> tuple[str, str, int]:
        if command == "sacct-broken":
            return "", "sacct: error: slurmdbd is down", 1
        return commands(command)

    cluster.execute = execute  # type: ignore[method-assign]
    manager = QueueManager(SlurmIO(), host=cluster, accounting=Broken())
    poller = Poller(manager)
    poller.poll()
    assert not poller.poll()
    assert "1" in poller.jobs


def test_without_accounting_a_vanished_job_is_reported_at_once() -> None:
    cluster = FakeCluster([[listed("1", SlurmState.RUNNING)], []])
    manager = QueueManager(SlurmIO(), host=cluster)
    manager.accounting = None  # as for a scheduler without accounting
    poller = Poller(manager)
    poller.poll()
    (gone,) = poller.poll().vanished
    assert gone.final is None
    assert not any(command.startswith("sacct") for command in cluster.commands)


def test_every_field_can_count() -> None:
    cluster = FakeCluster(
        [[listed("1", SlurmState.RUNNING, 5)], [listed("1", SlurmState.RUNNING, 65)]]
    )
    poller = slurm_poller(cluster, ignore=())
    poller.poll()
    (change,) = poller.poll().changed
    assert change.fields == ("runtime",)


def test_a_failed_listing_raises_and_changes_nothing() -> None:
    cluster = FakeCluster([[listed("1", SlurmState.RUNNING)]])
    poller = slurm_poller(cluster)
    poller.poll()
    cluster.squeue_failure = "slurm_load_jobs error: Unable to contact slurm controller"
    with pytest.raises(CommandFailedError, match="Unable to contact slurm controller"):
        poller.poll()
    assert set(poller.jobs) == {"1"}
    assert poller.polls == 1


def test_the_log_records_each_change_once_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    polls = [
        [listed("1", SlurmState.PENDING)],
        [listed("1", SlurmState.RUNNING), listed("2", SlurmState.PENDING)],
        [listed("1", SlurmState.RUNNING), listed("2", SlurmState.PENDING)],
        [listed("2", SlurmState.RUNNING)],
    ]
    cluster = FakeCluster(polls, finished={"1": sacct("1", "CANCELLED by 0", "0:15")})
    with EventLog.open(path, SlurmState) as log:
        poller = slurm_poller(cluster, log=log)
        poller.poll(AT)
        poller.poll(AT)
    with EventLog.open(path, SlurmState) as log:  # a restarted watcher
        poller = slurm_poller(cluster, log=log)
        assert set(poller.jobs) == {"1", "2"}
        assert not poller.poll(AT)  # the same queue as before the restart: nothing new
        poller.poll(AT)
    records = [
        (type(record).__name__, record.job_id, record.job.sub_state)
        for record in read_event_log(path, SlurmState)
        if isinstance(record, (JobAppeared, JobChanged, JobVanished))
    ]
    assert records == [
        ("JobAppeared", "1", SlurmState.PENDING),
        ("JobAppeared", "2", SlurmState.PENDING),
        ("JobChanged", "1", SlurmState.RUNNING),
        ("JobChanged", "2", SlurmState.RUNNING),
        ("JobVanished", "1", SlurmState.RUNNING),
    ]
    final = list(read_event_log(path, SlurmState))[-1]
    assert isinstance(final, JobVanished)
    assert final.final is not None
    assert (final.final.state, final.final.exit_status) == (QState.FAILED, 128 + 15)


def test_watch_polls_on_a_steady_beat() -> None:
    queue = [listed("1", SlurmState.PENDING)]
    cluster = FakeCluster([queue] * 4)
    poller = slurm_poller(cluster)
    now = [100.0]
    slept: list[float] = []

    def clock() -> float:
        return now[0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    results = []
    for changes in poller.watch(10, polls=4, sleep=sleep, clock=clock):
        results.append(len(changes))
        now[0] += 3 if len(results) != 2 else 14  # the second poll overruns its interval
    assert results == [1, 0, 0, 0]
    assert slept == [7, 7]  # after the overrun, the next poll starts at once
    with pytest.raises(ValueError, match="interval must be positive"):
        next(poller.watch(0))


def test_the_line_cache_parses_only_new_lines() -> None:
    texts: list[str] = []
    slurm = SlurmIO()

    def parse(text: str) -> list[Job]:
        texts.append(text)
        return slurm.parse_jobs_list_output(exit_code=0, stdout=text, stderr="")

    cache = LineCache(parse)
    first = [listed(str(n), SlurmState.PENDING) for n in range(5)]
    jobs = cache.parse(squeue_output(first))
    assert jobs == first
    second = [*first[:2], listed("2", SlurmState.RUNNING), *first[3:]]
    again = cache.parse(squeue_output(second))
    assert again == second
    assert again[0] is jobs[0]  # the same line: the same job, not parsed again
    assert texts[1] == squeue_output([second[2]])
    # A line that is no job (squeue's warning, say): parsed alone, and skipped.
    calls = len(texts)
    assert cache.parse("warning: something\n" + squeue_output(second)) == second
    assert texts[calls:] == ["warning: something\n"] * 2  # together, then alone
    assert cache.parse("") == []
    cache.clear()
    assert cache.parse(squeue_output(first)) == first


def test_a_shell_queue_of_real_processes() -> None:
    """The shell 'scheduler': background processes appear, and vanish once killed."""
    poller: Poller[ShellState] = Poller(QueueManager(ShellIO()), user=_user())
    poller.poll()
    process = subprocess.Popen(["sleep", "60"])
    try:
        appeared = poller.poll().appeared
        mine = [change.job for change in appeared if change.job_id == str(process.pid)]
        assert len(mine) == 1
        assert mine[0].name == "sleep"
        assert mine[0].state is QState.RUNNING
    finally:
        process.kill()
        process.wait()
    gone = poller.poll().vanished
    assert str(process.pid) in [change.job_id for change in gone]
    assert str(process.pid) not in poller.jobs


def _user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def test_the_line_cache_says_which_lines_are_new_and_gone() -> None:
    slurm = SlurmIO()
    cache: LineCache[SlurmState] = LineCache(
        lambda text: slurm.parse_jobs_list_output(exit_code=0, stdout=text, stderr="")
    )
    incremental = []
    first = [listed("1", SlurmState.PENDING), listed("2", SlurmState.PENDING)]
    cache.parse(squeue_output(first))
    incremental.append(cache.incremental)
    assert cache.fresh == first
    second = [listed("1", SlurmState.RUNNING), listed("3", SlurmState.PENDING)]
    cache.parse(squeue_output(second))
    incremental.append(cache.incremental)
    assert incremental == [False, True]
    assert cache.fresh == second
    assert sorted(job.job_id or "" for job in cache.stale) == ["1", "2"]
    cache.parse(squeue_output(second))
    assert (cache.fresh, cache.stale) == ([], [])


def test_the_incremental_poll_reports_what_a_whole_comparison_does() -> None:
    """Poll after poll of a changing queue, the poller's changes are those of the snapshots."""
    slurm = SlurmIO()
    queue = slurm.parse_jobs_list_output(
        exit_code=0, stdout=squeue_output(generate_snapshot(400, seed=3)), stderr=""
    )
    polls = [queue]
    for seed in range(8):
        moved = next_poll(polls[-1], changed=0.1, elapsed=30 * (seed % 2), seed=seed)
        # As squeue would list it: through the text and back.
        polls.append(
            slurm.parse_jobs_list_output(exit_code=0, stdout=squeue_output(moved), stderr="")
        )
    cluster = FakeCluster(polls)
    manager = QueueManager(SlurmIO(), host=cluster)
    manager.accounting = None
    poller = Poller(manager)
    previous: list[Job] = []
    for snapshot in polls:
        changes = poller.poll()
        expected = compare_snapshots(previous, snapshot, ignore=("runtime",))
        assert sorted(map(_key, changes)) == sorted(map(_key, expected))
        # A vanished job is as last reported (its runtime may have grown since, unreported).
        assert _by_id(changes.appeared) == _by_id(expected.appeared)
        assert _by_id(changes.changed) == _by_id(expected.changed)
        previous = snapshot
    assert poller.jobs.keys() == {job.job_id for job in polls[-1]}


def _by_id(changes: list[Any]) -> dict[str, Any]:
    return {change.job_id: change for change in changes}


def _key(change: object) -> tuple[str, str]:
    assert isinstance(change, (JobAppeared, JobChanged, JobVanished))
    return type(change).__name__, change.job_id


def test_a_poll_that_fails_midway_makes_the_next_one_whole() -> None:
    twice = [listed("1", SlurmState.PENDING), listed("1", SlurmState.RUNNING)]
    cluster = FakeCluster(
        [[listed("1", SlurmState.PENDING)], twice, [listed("2", SlurmState.PENDING)]]
    )
    manager = QueueManager(SlurmIO(), host=cluster)
    manager.accounting = None
    poller = Poller(manager)
    poller.poll()
    with pytest.raises(ValueError, match="job_id '1' appears twice"):
        poller.poll()
    changes = poller.poll()
    assert [(type(change), change.job_id) for change in changes] == [
        (JobAppeared, "2"),
        (JobVanished, "1"),
    ]
