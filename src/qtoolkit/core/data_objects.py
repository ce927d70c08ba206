"""The data objects qtoolkit uses to describe jobs, their states, resources and results."""

from __future__ import annotations

import abc
import operator
import os
from typing import TYPE_CHECKING, Any, Generic

from qtoolkit.core.base import QTKEnum, QTKObject
from qtoolkit.core.constraints import Count, Int64, Memory, Seconds, count_from_text
from qtoolkit.core.exceptions import UnsupportedResourcesError
from qtoolkit.core.filepath import FilePath
from qtoolkit.core.mson import count_fields
from qtoolkit.core.placement import ProcessPlacement, as_placement, distribute

if TYPE_CHECKING:
    from collections.abc import Mapping

    from typing_extensions import Self, TypeVar, Unpack

    from qtoolkit.core.resource_options import ResourceOptions
else:
    from typing import TypeVar

__all__ = [
    "CancelResult",
    "CancelStatus",
    "OperationResult",
    "ProcessPlacement",
    "QJob",
    "QJobInfo",
    "QResources",
    "QState",
    "QSubState",
    "SubmissionResult",
    "SubmissionStatus",
]


class SubmissionStatus(QTKEnum):
    """Outcome of a job submission."""

    SUCCESSFUL = "SUCCESSFUL"
    FAILED = "FAILED"
    JOB_ID_UNKNOWN = "JOB_ID_UNKNOWN"


class CancelStatus(QTKEnum):
    """Outcome of a job cancellation."""

    SUCCESSFUL = "SUCCESSFUL"
    FAILED = "FAILED"
    JOB_ID_UNKNOWN = "JOB_ID_UNKNOWN"


# gc=False: objects holding only atomic values (and each other) cannot form reference cycles, and
# a snapshot of a million of them then decodes without garbage collection passes (3x faster).
class OperationResult(QTKObject, tag=True, gc=False):
    """Result of a command run on the queue manager.

    Results are tagged: encoded, each carries ``"type": "<class name>"`` so a decoder can tell a
    SubmissionResult from a CancelResult in one mixed stream.
    """

    job_id: Int64 | str | None = None
    """Job ID of the submitted job."""

    step_id: Int64 | None = None
    """Step ID of the submitted job."""

    exit_code: Int64 | None = None
    """Exit code of the submitted job."""

    stdout: str | None = None
    """Standard output of the submitted job."""

    stderr: str | None = None
    """Standard error of the submitted job."""


class SubmissionResult(OperationResult):
    """Result of submitting a job."""

    status: SubmissionStatus | None = None
    """Status of the submission."""


class CancelResult(OperationResult):
    """Result of cancelling a job."""

    status: CancelStatus | None = None
    """Status of the cancellation."""


class QState(QTKEnum):
    """Enumeration of possible ("standardized") job states.

    These standardized states follow the DRMAA specification. Each queue manager (PBS, SLURM, ...)
    maps its own job states onto them through its :class:`QSubState`.

    - UNDETERMINED: the job status cannot be determined. This is a permanent issue: asking again
      for the job state will not solve it.
    - QUEUED: the job is queued for being scheduled and executed.
    - QUEUED_HELD: the job has been placed on hold by the system, the administrator or the
      submitting user.
    - RUNNING: the job is running on an execution host.
    - SUSPENDED: the job has been suspended by the user, the system or the administrator.
    - REQUEUED: the job was re-queued by the DRM system and is eligible to run.
    - REQUEUED_HELD: the job was re-queued by the DRM system and is currently placed on hold by
      the system, the administrator or the submitting user.
    - DONE: the job finished without an error.
    - FAILED: the job exited abnormally before finishing.

    Not every queue manager has all of these states.
    """

    UNDETERMINED = "UNDETERMINED"
    QUEUED = "QUEUED"
    QUEUED_HELD = "QUEUED_HELD"
    RUNNING = "RUNNING"
    SUSPENDED = "SUSPENDED"
    REQUEUED = "REQUEUED"
    REQUEUED_HELD = "REQUEUED_HELD"
    DONE = "DONE"
    FAILED = "FAILED"

    @property
    def is_final(self) -> bool:
        """Whether the job has ended for good: DONE or FAILED.

        A final state never changes again, so a poller may stop asking about the job (PSI/J calls
        this ``JobState.final``). UNDETERMINED is not final: the state is unknown, not ended.
        """
        return self in _FINAL_STATES

    @property
    def is_active(self) -> bool:
        """Whether the job is still in the queue's hands: queued, held, running or suspended.

        True for QUEUED, QUEUED_HELD, RUNNING, SUSPENDED, REQUEUED and REQUEUED_HELD; False for
        the final states and for UNDETERMINED, of which nothing is known.
        """
        return self in _ACTIVE_STATES


_FINAL_STATES = frozenset({QState.DONE, QState.FAILED})
_ACTIVE_STATES = frozenset(QState) - _FINAL_STATES - {QState.UNDETERMINED}


class QSubState(QTKEnum):
    """Base of the job states of one queuing system, defined without members to be subclassed.

    The members of a subclass are the actual job states of a given queuing system (PBS, SLURM, ...).
    A member may carry several values, as in ``PENDING = "PENDING", "PD"``: the first is its
    ``value`` and the one written on output, and every value finds the member
    (``SlurmState("PD") is SlurmState.PENDING``), also when decoding.
    """

    _value_: str
    _all_values: tuple[str, ...]

    if TYPE_CHECKING:
        # Members are assigned tuples of values; only the first becomes ``value``.
        @property
        def value(self) -> str: ...

    def __new__(cls, *values: str) -> Self:
        member = object.__new__(cls)
        member._value_ = values[0]
        # Enum registers the first value itself; the aliases are added to the same lookup table,
        # which is also the one msgspec reads when it decodes an enum.
        for alias in values[1:]:
            cls._value2member_map_[alias] = member
        return member

    def __init__(self, *values: str) -> None:
        # Enum calls __init__ with the same values as __new__, once the member is made.
        self._all_values = values

    def __repr__(self) -> str:
        values = ", ".join(repr(value) for value in self._all_values)
        return f"<{type(self).__name__}.{self._name_}: {values}>"

    @property
    def all_values(self) -> tuple[str, ...]:
        """Every value of this member, the canonical one first."""
        return self._all_values

    @property
    @abc.abstractmethod
    def qstate(self) -> QState:
        """The standardized :class:`QState` this state corresponds to."""
        raise NotImplementedError


# Fields that may be set on a QResources without a process placement.
_PLACEMENT_FREE_FIELDS = frozenset({"job_name", "output_filepath", "error_filepath"})
_PATH_FIELDS = ("output_filepath", "error_filepath")


def _same_path(first: FilePath | None, second: FilePath | None) -> bool:
    if first is None or second is None:
        return first is second
    return os.fspath(first) == os.fspath(second)


class QResources(QTKObject):  # noqa: PLW1641 - mutable, so unhashable like every Struct
    """Data defining resources for a given job (submitted or to be submitted).

    Without an explicit ``process_placement``, one is chosen from the values given: ``processes``
    alone means NO_CONSTRAINTS, ``nodes`` with ``processes_per_node`` (and no ``processes``) means
    EVENLY_DISTRIBUTED. Any other value set without a placement is an
    :class:`~qtoolkit.core.exceptions.UnsupportedResourcesError`, except ``job_name``,
    ``output_filepath`` and ``error_filepath``. As in upstream qtoolkit, a value counts as set when
    it is truthy (``0``, ``False``, ``""`` and ``{}`` count as unset). The same rules hold when a
    QResources is decoded, where a violation becomes a decode error naming its path.
    """

    queue_name: str | None = None
    """Name of the queue to submit the job to."""

    job_name: str | None = None
    """Name of the job."""

    memory_per_thread: Memory | None = None
    """Memory per thread in MB."""

    nodes: Count | None = None
    """Number of nodes."""

    processes: Count | None = None
    """Number of processes."""

    processes_per_node: Count | None = None
    """Number of processes per node."""

    threads_per_process: Count | None = None
    """Number of threads per process."""

    gpus_per_job: Count | None = None
    """Number of GPUs per job."""

    time_limit: Seconds | None = None
    """Time limit for the job. In seconds"""

    account: str | None = None
    """Account to charge the job to."""

    qos: str | None = None
    """Quality of service."""

    priority: Int64 | str | None = None
    """Priority of the job."""

    output_filepath: FilePath | None = None
    """Filepath for the standard output."""

    error_filepath: FilePath | None = None
    """Filepath for the standard error."""

    process_placement: ProcessPlacement | None = None
    """Process placement."""

    email_address: str | None = None
    """Email address to send notifications to."""

    rerunnable: bool | None = None
    """Whether the job is rerunnable."""

    project: str | None = None
    """Project to charge the job to."""

    njobs: Count | None = None
    """Number of jobs in a job array."""

    scheduler_kwargs: dict[str, Any] | None = None
    """Additional keyword arguments to be passed to the scheduler IO."""

    def __post_init__(self) -> None:
        self._counts_from_text()
        # Decoders give members; Python callers may give a value, e.g. from a YAML file.
        self.process_placement = as_placement(self.process_placement)
        if self.process_placement is None:
            if self.processes and not self.processes_per_node and not self.nodes:
                self.process_placement = ProcessPlacement.NO_CONSTRAINTS
            elif self.nodes and self.processes_per_node and not self.processes:
                self.process_placement = ProcessPlacement.EVENLY_DISTRIBUTED
            elif unplaced := self._fields_needing_placement():
                msg = (
                    f"process_placement is None but {', '.join(unplaced)} "
                    f"{'is' if len(unplaced) == 1 else 'are'} set: set only processes "
                    "(NO_CONSTRAINTS), only nodes and processes_per_node (EVENLY_DISTRIBUTED), "
                    "or choose a process_placement"
                )
                raise UnsupportedResourcesError(msg)
        if self.scheduler_kwargs is None:
            self.scheduler_kwargs = {}

    def _counts_from_text(self) -> None:
        # Callers building resources from ``key=value`` text pass counts as strings ("2"): hold
        # the number, so that the placement rules, the scripts and the MSON document (which reads
        # back only integers there) all see one. Other text is kept, as upstream keeps it.
        for name in count_fields(type(self)):
            value: object = getattr(self, name)
            if isinstance(value, str) and (number := count_from_text(value)) is not None:
                setattr(self, name, number)

    def _fields_needing_placement(self) -> list[str]:
        """Names of the fields set (truthy) that are only meaningful with a process placement."""
        return [
            name
            for name in self.__struct_fields__
            if name not in _PLACEMENT_FREE_FIELDS and getattr(self, name)
        ]

    def __eq__(self, other: object) -> bool:
        # A file path is the same path whether it is held as a str or a Path (the wire and the
        # decoders only know strings), so those two fields compare by their string.
        if type(other) is not type(self):
            return NotImplemented
        same = [
            (_same_path if name in _PATH_FIELDS else operator.eq)(
                getattr(self, name), getattr(other, name)
            )
            for name in self.__struct_fields__
        ]
        return all(same)

    def check_empty(self) -> bool:
        """Check if the QResources is empty and its content is coherent.

        Returns ``False`` when a process placement is set and ``True`` when nothing but
        ``job_name``, ``output_filepath`` or ``error_filepath`` is. Raises
        :class:`~qtoolkit.core.exceptions.UnsupportedResourcesError` (a ``ValueError``) if
        process_placement is None but some other attributes are set.
        """
        if self.process_placement is not None:
            return False
        if unplaced := self._fields_needing_placement():
            msg = f"process_placement is None, but {', '.join(unplaced)} set"
            raise UnsupportedResourcesError(msg)
        return True

    @classmethod
    def no_constraints(cls, processes: int, **kwargs: Unpack[ResourceOptions]) -> Self:
        """Resources of ``processes`` processes placed anywhere (NO_CONSTRAINTS)."""
        return cls._with_placement(ProcessPlacement.NO_CONSTRAINTS, kwargs, processes=processes)

    @classmethod
    def evenly_distributed(
        cls, nodes: int, processes_per_node: int, **kwargs: Unpack[ResourceOptions]
    ) -> Self:
        """Resources of ``processes_per_node`` processes on each of ``nodes`` nodes."""
        return cls._with_placement(
            ProcessPlacement.EVENLY_DISTRIBUTED,
            kwargs,
            nodes=nodes,
            processes_per_node=processes_per_node,
        )

    @classmethod
    def scattered(cls, processes: int, **kwargs: Unpack[ResourceOptions]) -> Self:
        """Resources of ``processes`` processes, each on a node of its own (SCATTERED)."""
        return cls._with_placement(ProcessPlacement.SCATTERED, kwargs, processes=processes)

    @classmethod
    def same_node(cls, processes: int, **kwargs: Unpack[ResourceOptions]) -> Self:
        """Resources of ``processes`` processes all on one node (SAME_NODE)."""
        return cls._with_placement(ProcessPlacement.SAME_NODE, kwargs, processes=processes)

    @classmethod
    def _with_placement(
        cls, placement: ProcessPlacement, options: Mapping[str, Any], **counts: int
    ) -> Self:
        """Build an instance with ``placement``, rejecting options that contradict it."""
        # A factory fixes the placement counts; callers without a type checker may still pass them.
        fixed = {"nodes", "processes", "processes_per_node"} - counts.keys()
        if conflicting := sorted(fixed & options.keys()):
            msg = f"{' and '.join(conflicting)} cannot be given with {placement.name} placement"
            raise UnsupportedResourcesError(msg)
        requested = options.get("process_placement")
        if requested is not None and ProcessPlacement(requested) is not placement:
            msg = f"process_placement={requested!r} contradicts the {placement.name} factory"
            raise UnsupportedResourcesError(msg)
        arguments: dict[str, Any] = {**options, **counts, "process_placement": placement}
        return cls(**arguments)

    def get_processes_distribution(self) -> list[int | None]:
        """Return ``[nodes, processes, processes_per_node]`` as the placement implies them.

        Values the placement fixes are filled in (a SCATTERED job has one process per node, a
        SAME_NODE job one node); values it leaves open stay as they are, possibly ``None``.
        Raises :class:`~qtoolkit.core.exceptions.UnsupportedResourcesError` when the values
        contradict the placement.
        """
        counts = (self.nodes, self.processes, self.processes_per_node)
        if self.process_placement is None:
            return list(counts)
        # A value assigned after construction is not checked: read it as a member here.
        return distribute(ProcessPlacement(self.process_placement), *counts)


class QJobInfo(QTKObject, gc=False):
    """Resources requested by or used by a job in the queue."""

    memory: Memory | None = None
    """Job memory in Kb."""

    memory_per_cpu: Memory | None = None
    """Job memory per CPU in Kb."""

    nodes: Count | None = None
    """Number of nodes."""

    cpus: Count | None = None
    """Number of CPUs."""

    threads_per_process: Count | None = None
    """Number of threads per process."""

    time_limit: Seconds | None = None
    """Time limit in seconds."""


# A bare ``QJob`` in an annotation means a job of any scheduler, and accepts every QJob[...], also
# inside an invariant container (``jobs: list[QJob] = slurm_jobs``): so the parameter defaults to
# Any. It is covariant so that QJob[QSubState], the precise form of "any scheduler" whose
# sub_state is typed, accepts a QJob[SlurmState] too. Covariance in a mutable field is the usual
# compromise: through a QJob[QSubState] a checker lets any scheduler's sub-state be assigned.
# The name predates the covariance and other modules import it, so it keeps no ``_co`` suffix.
if TYPE_CHECKING:
    SubStateT = TypeVar("SubStateT", bound=QSubState, default=Any, covariant=True)  # noqa: PLC0105
else:
    SubStateT = TypeVar("SubStateT", bound=QSubState, covariant=True)  # noqa: PLC0105


class QJob(QTKObject, Generic[SubStateT], gc=False):
    """Standardized representation of a job in the queue.

    Generic in the scheduler's sub-state: ``QJob[SlurmState]`` has a ``sub_state`` of type
    ``SlurmState | None``, and decoders given that type produce SlurmState members.
    """

    name: str | None = None
    """Job name."""

    job_id: str | None = None
    """Job ID."""

    exit_status: Int64 | None = None
    """Shell exit status."""

    state: QState | None = None
    """Standardized job state."""

    sub_state: SubStateT | None = None
    """Standardized job substate."""

    info: QJobInfo | None = None
    """Job info."""

    account: str | None = None
    """Job execution account name."""

    runtime: Seconds | None = None
    """Job runtime in seconds."""

    queue_name: str | None = None
    """Job execution queue name."""

    username: str | None = None
    """Name of the user who owns or submitted the job."""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> QJob[Any]:
        """Read an MSON document or a plain dict of fields, validated (see :mod:`.mson`).

        The scheduler comes from the document's sub-state, whichever it is, also when called as
        ``QJob[SlurmState].from_dict`` (the alias passes the call on to ``QJob`` itself): so a type
        checker sees ``QJob[Any]``. To require one scheduler, and have its type, read with
        ``mson.from_dict(d, QJob[SlurmState])``, which rejects a document of another scheduler.
        """
        from qtoolkit.core import mson  # noqa: PLC0415 - mson imports this module

        job: QJob[Any] = mson.from_dict(d, cls)
        return job
