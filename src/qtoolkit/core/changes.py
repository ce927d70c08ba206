"""What changed between two polls of a queue: jobs that appeared, changed and vanished.

:func:`compare_snapshots` keys both snapshots by job id and compares the jobs with msgspec's
C-level ``__eq__``; only the jobs that differ are then compared field by field. On 100,000 jobs
the whole comparison is a few tens of milliseconds, so a poller can afford it on every poll and
store or send only what changed.

The records are tagged Structs, generic in the scheduler's sub-state like
:class:`~qtoolkit.core.data_objects.QJob`: ``JobChange[SlurmState]`` decodes a stream of them
(JSON, MessagePack or NDJSON), each line naming its class in ``"type"``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from itertools import compress, repeat
from operator import attrgetter, ne
from typing import TYPE_CHECKING, Any, Generic, cast

import msgspec

from qtoolkit.core.base import QTKObject
from qtoolkit.core.data_objects import QJob, QJobInfo, QState, SubStateT

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Iterator, Sequence
    from typing import TypeAlias

__all__ = [
    "JobAppeared",
    "JobChange",
    "JobChanged",
    "JobVanished",
    "SnapshotChanges",
    "apply_changes",
    "compare_snapshots",
    "index_jobs",
]

_JOB_FIELDS = frozenset(QJob.__struct_fields__)
_job_id = attrgetter("job_id")


# gc=False as for QJob: a record holds jobs, enum members and a tuple of strings, never a cycle.
class JobAppeared(QTKObject, Generic[SubStateT], tag=True, gc=False):
    """A job in the current snapshot that the previous one did not have."""

    job: QJob[SubStateT]
    """The job as the current snapshot has it."""

    @property
    def job_id(self) -> str:
        """The job's id (never ``None`` in a comparison's result)."""
        return _known_id(self.job)


class JobChanged(QTKObject, Generic[SubStateT], tag=True, gc=False):
    """A job in both snapshots whose fields differ."""

    job: QJob[SubStateT]
    """The job as the current snapshot has it."""

    fields: tuple[str, ...]
    """Names of the fields that differ, in field order; ``info.cpus`` for a field of the info."""

    previous_state: QState | None = None
    """The job's state in the previous snapshot."""

    previous_sub_state: SubStateT | None = None
    """The job's sub-state in the previous snapshot."""

    @property
    def job_id(self) -> str:
        """The job's id (never ``None`` in a comparison's result)."""
        return _known_id(self.job)

    @property
    def state_changed(self) -> bool:
        """Whether the job moved to another state or sub-state (not only other values)."""
        return "state" in self.fields or "sub_state" in self.fields


class JobVanished(QTKObject, Generic[SubStateT], tag=True, gc=False):
    """A job of the previous snapshot that the current one does not have.

    A job leaves the queue listing when it ends (or when the scheduler forgets it); ``final`` is
    what the scheduler's accounting said of it afterwards, when it was asked.
    """

    job: QJob[SubStateT]
    """The job as the previous snapshot had it: its last state seen in the queue."""

    final: QJob[SubStateT] | None = None
    """The job as the accounting reports it once ended (final state, exit status), if known."""

    @property
    def job_id(self) -> str:
        """The job's id (never ``None`` in a comparison's result)."""
        return _known_id(self.job)


if TYPE_CHECKING:
    JobChange: TypeAlias = JobAppeared[SubStateT] | JobChanged[SubStateT] | JobVanished[SubStateT]
else:
    # A parametrizable union at run time too: ``JobChange[SlurmState]`` is a decodable type.
    JobChange = JobAppeared[SubStateT] | JobChanged[SubStateT] | JobVanished[SubStateT]
"""One change of one job: ``JobChange[SlurmState]`` decodes any of the three records.

(mypy reads the alias in annotations; subscripted in an expression it wants the union spelled
out, ``JobAppeared[SlurmState] | JobChanged[SlurmState] | JobVanished[SlurmState]``.)
"""


class SnapshotChanges(QTKObject, Generic[SubStateT]):
    """Every change between two snapshots, by kind.

    Each list keeps the order of the snapshot it comes from: appeared and changed jobs that of the
    current snapshot, vanished jobs that of the previous one.
    """

    appeared: list[JobAppeared[SubStateT]] = msgspec.field(
        default_factory=list[JobAppeared[SubStateT]]
    )
    """Jobs only in the current snapshot."""

    changed: list[JobChanged[SubStateT]] = msgspec.field(
        default_factory=list[JobChanged[SubStateT]]
    )
    """Jobs in both snapshots that differ."""

    vanished: list[JobVanished[SubStateT]] = msgspec.field(
        default_factory=list[JobVanished[SubStateT]]
    )
    """Jobs only in the previous snapshot."""

    def __len__(self) -> int:
        return len(self.appeared) + len(self.changed) + len(self.vanished)

    def __bool__(self) -> bool:
        return bool(self.appeared or self.changed or self.vanished)

    def events(self) -> list[JobChange[SubStateT]]:
        """Every record in one list: appeared, then changed, then vanished."""
        events: list[JobChange[SubStateT]] = []
        events += self.appeared
        events += self.changed
        events += self.vanished
        return events

    def __iter__(self) -> Iterator[JobChange[SubStateT]]:
        return iter(self.events())


def index_jobs(jobs: Iterable[QJob[SubStateT]]) -> dict[str, QJob[SubStateT]]:
    """The jobs by job id, in their order; a job without an id or an id seen twice is an error.

    Raises ``ValueError`` naming the position (``[12]``) of the offending job.
    """
    if not isinstance(jobs, list):
        jobs = list(jobs)
    ids: list[str | None] = list(map(_job_id, jobs))
    index = dict(zip(ids, jobs, strict=True))
    if len(index) == len(jobs) and None not in index:
        return cast("dict[str, QJob[SubStateT]]", index)
    raise _index_error(ids)


def _index_error(ids: Sequence[str | None]) -> ValueError:
    first: dict[str | None, int] = {}
    for position, job_id in enumerate(ids):
        if job_id is None:
            return ValueError(f"job at [{position}] has no job_id: jobs are compared by id")
        if job_id in first:
            msg = f"job_id {job_id!r} appears twice, at [{first[job_id]}] and [{position}]"
            return ValueError(msg)
        first[job_id] = position
    return ValueError("jobs could not be indexed by job_id")  # unreachable: kept for safety


def compare_snapshots(
    previous: Sequence[QJob[SubStateT]] | Mapping[str, QJob[SubStateT]],
    current: Sequence[QJob[SubStateT]] | Mapping[str, QJob[SubStateT]],
    *,
    ignore: Collection[str] = (),
) -> SnapshotChanges[SubStateT]:
    """The changes from ``previous`` to ``current``, two snapshots of one queue.

    Each snapshot is a list of jobs, or a dict of them by job id as :func:`index_jobs` returns
    (a poller keeps the last one indexed, so each poll indexes only the new snapshot). Jobs are
    matched by ``job_id``; a job without one, or an id listed twice, is a ``ValueError``.

    ``ignore`` names fields of :class:`QJob` whose differences do not count, such as
    ``"runtime"``, which grows on every poll of a running job: a job whose only differences are
    in those fields is not reported, and they are not listed in the ``fields`` of a change.
    """
    unknown = sorted(set(ignore) - _JOB_FIELDS)
    if unknown:
        msg = f"cannot ignore {', '.join(map(repr, unknown))}: not a field of QJob"
        raise ValueError(msg)
    before = previous if isinstance(previous, Mapping) else index_jobs(previous)
    after = current if isinstance(current, Mapping) else index_jobs(current)
    # The scans below run in C: a lookup and a Struct comparison per job, no Python per job.
    differing = list(compress(after, map(ne, map(before.get, after), after.values())))
    earlier = list(map(before.get, differing))
    changes: SnapshotChanges[SubStateT] = SnapshotChanges()
    common: list[str] = []
    for job_id, old in zip(differing, earlier, strict=True):
        if old is None:
            changes.appeared.append(JobAppeared(after[job_id]))
        else:
            common.append(job_id)
    ignored = tuple(ignore)
    if ignored:
        common = _beyond_ignored(common, before, after, ignored)
    for job_id in common:
        job, old = after[job_id], before[job_id]
        changes.changed.append(
            JobChanged(
                job,
                _changed_fields(old, job, ignored),
                previous_state=old.state,
                previous_sub_state=old.sub_state,
            )
        )
    if len(before) + len(changes.appeared) != len(after):
        changes.vanished = [
            JobVanished(job) for job_id, job in before.items() if job_id not in after
        ]
    return changes


def apply_changes(
    jobs: dict[str, QJob[SubStateT]], changes: Iterable[JobChange[SubStateT]]
) -> dict[str, QJob[SubStateT]]:
    """Bring ``jobs`` (by job id, as :func:`index_jobs` returns) up to date with ``changes``.

    ``jobs`` is updated in place and returned: appeared and changed jobs are set to the job each
    record holds, vanished ones removed. Applying a comparison's changes to the previous snapshot
    gives the current one (up to the fields the comparison ignored); replaying an event log's
    records rebuilds the last snapshot it saw. A record is applied whatever ``jobs`` holds, so
    replaying a record twice leaves the same result as once.
    """
    for change in changes:
        if isinstance(change, JobVanished):
            jobs.pop(change.job_id, None)
        else:
            jobs[change.job_id] = change.job
    return jobs


def _beyond_ignored(
    ids: list[str],
    before: Mapping[str, QJob[Any]],
    after: Mapping[str, QJob[Any]],
    ignored: tuple[str, ...],
) -> list[str]:
    """The ids among ``ids`` whose jobs still differ once the ``ignored`` fields are set equal.

    Copies of the current jobs take the previous jobs' ignored values and are compared again, all
    through ``map`` so that tens of thousands of running jobs whose runtime grew cost no Python
    per job.
    """
    olds = list(map(before.__getitem__, ids))
    copies = list(map(msgspec.structs.replace, map(after.__getitem__, ids)))
    for name in ignored:
        deque(map(setattr, copies, repeat(name), map(attrgetter(name), olds)), maxlen=0)
    return list(compress(ids, map(ne, olds, copies)))


def _changed_fields(old: QJob[Any], new: QJob[Any], ignored: tuple[str, ...]) -> tuple[str, ...]:
    fields: list[str] = []
    for name in QJob.__struct_fields__:
        before, after = getattr(old, name), getattr(new, name)
        if name in ignored or before == after:
            continue
        if isinstance(before, QJobInfo) and isinstance(after, QJobInfo):
            fields += [
                f"{name}.{inner}"
                for inner in QJobInfo.__struct_fields__
                if getattr(before, inner) != getattr(after, inner)
            ]
        else:
            fields.append(name)
    return tuple(fields)


def _known_id(job: QJob[Any]) -> str:
    if job.job_id is None:
        msg = "this record's job has no job_id"
        raise ValueError(msg)
    return job.job_id
