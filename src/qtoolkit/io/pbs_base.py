"""What PBS and Grid Engine share: ``qsub``/``qdel``, ``select`` resource requests, units."""

from __future__ import annotations

import abc
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from qtoolkit.core.data_objects import (
    CancelResult,
    CancelStatus,
    ProcessPlacement,
    SubmissionResult,
)
from qtoolkit.core.exceptions import OutputParsingError, UnsupportedResourcesError
from qtoolkit.io.base import (
    BaseSchedulerIO,
    SubStateT,
    as_text,
    mapped_options,
    submission_result,
)

if TYPE_CHECKING:
    from qtoolkit.core.data_objects import QResources

__all__ = ["PBSIOBase"]

_MEMORY = re.compile(r"([0-9]+)([a-zA-Z]*)")

# A QResources built in Python is not validated, so its placement may be any value.
_PLACEMENTS: frozenset[object] = frozenset(ProcessPlacement)

# QResources fields every PBS-like scheduler honours besides those of _qresources_mapping.
_COMMON_KEYS = (
    "njobs",
    "time_limit",
    "processes",
    "processes_per_node",
    "process_placement",
    "nodes",
    "threads_per_process",
    "memory_per_thread",
    "email_address",
    "scheduler_kwargs",
    "rerunnable",
)


class PBSIOBase(BaseSchedulerIO[SubStateT], abc.ABC):
    """Base of :class:`~qtoolkit.io.pbs.PBSIO` and :class:`~qtoolkit.io.sge.SGEIO`.

    Class attributes a subclass sets: ``system_name`` (used in messages), ``default_unit`` and
    ``power_labels`` (memory units, lower case, to powers of 1024 of a kilobyte),
    ``_qresources_mapping`` (QResources field to template key).
    """

    header_template: str
    header_template_file: str | None = None

    SUBMIT_CMD: str | None = "qsub"
    CANCEL_CMD: str | None = "qdel"
    # A job id: its number, for an array "[]" or a sub-job's "[index]" as PBS Pro and Torque
    # write them ("12[].server", "12[3].server"), then the server; upstream's form with the index
    # range after the server ("12.server[1-3]") is accepted too.
    job_id_regex: str | None = r"^\d+(\[\d*\])?\.[\w.-]+(\[\d+(-\d+)?(,\d+)*\])?$"
    _qresources_mapping: ClassVar[dict[str, str]]
    system_name: str
    default_unit: str
    power_labels: ClassVar[dict[str, int]]

    # -- submission and cancellation ----------------------------------------------------------

    def parse_submit_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> SubmissionResult:
        """The result of ``qsub``: FAILED on a non-zero exit code, else the job id it printed."""
        return submission_result(exit_code, stdout, stderr, self.extract_job_id)

    @abc.abstractmethod
    def extract_job_id(self, stdout: str) -> str | None:
        """The job id in the output of a successful ``qsub`` (``None`` if it shows none)."""

    def parse_cancel_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> CancelResult:
        """The result of ``qdel``: FAILED on a non-zero exit code, else SUCCESSFUL."""
        stdout, stderr = as_text(stdout), as_text(stderr)
        if exit_code != 0:
            return CancelResult(
                exit_code=exit_code, stdout=stdout, stderr=stderr, status=CancelStatus.FAILED
            )
        return CancelResult(
            job_id=self.extract_job_id_from_cancel(stderr),
            exit_code=exit_code,
            stdout=stdout,
            stderr=stderr,
            status=CancelStatus.SUCCESSFUL,
        )

    @abc.abstractmethod
    def extract_job_id_from_cancel(self, stderr: str) -> str | None:
        """The job id in the output of a successful ``qdel`` (``None`` if it shows none)."""

    # -- job queries --------------------------------------------------------------------------

    def _check_user_and_job_ids_conflict(self) -> None:
        """Refuse a query by user and job ids at once, which ``qstat`` cannot combine."""
        msg = f"Cannot query by user and job(s) in {self.system_name}"
        raise ValueError(msg)

    @abc.abstractmethod
    def _get_qstat_base_command(self) -> list[str]:
        """The ``qstat`` command and options every job query starts with."""

    @abc.abstractmethod
    def _get_job_ids_flag(self, job_ids_str: str) -> str:
        """The ``qstat`` argument selecting the jobs of ``job_ids_str``."""

    # -- conversions --------------------------------------------------------------------------

    def _convert_memory_str(self, memory: str | None) -> int | None:
        """A memory amount such as ``4gb`` in kilobytes (``None`` for an empty or no value).

        A number without a unit is in :attr:`default_unit`; an unknown unit or a value not
        starting with a number raises :class:`OutputParsingError`.
        """
        if not memory:
            return None
        match = _MEMORY.match(memory)
        if not match:
            msg = "No numbers and units parsed"
            raise OutputParsingError(msg)
        amount, units = match.groups()
        power_labels = self.power_labels
        if not units:
            units = self.default_unit
        elif units.lower() not in power_labels:
            msg = f"Unknown units {units}"
            raise OutputParsingError(msg)
        kilobytes: int = int(amount) * 1024 ** power_labels[units.lower()]
        return kilobytes

    @staticmethod
    def _convert_time_to_str(time: float | timedelta) -> str:
        """A duration (seconds or a timedelta) as ``H:M:S``, the numbers not zero-padded."""
        if not isinstance(time, timedelta):
            time = timedelta(seconds=time)
        hours, remainder = divmod(int(time.total_seconds()), 3600)
        minutes, seconds = divmod(remainder, 60)
        return f"{hours}:{minutes}:{seconds}"

    # -- QResources ---------------------------------------------------------------------------

    def _convert_qresources(self, resources: QResources) -> dict[str, Any]:
        """The template values of ``resources``: a ``select`` statement, placement, limits."""
        header = mapped_options(resources, self._qresources_mapping)
        if resources.njobs and resources.njobs > 1:
            header["array"] = f"1-{resources.njobs}"
        if resources.time_limit:
            header["walltime"] = self._convert_time_to_str(resources.time_limit)
            self._add_soft_walltime(header, resources)
        if resources.rerunnable is not None:
            header["rerunnable"] = "y" if resources.rerunnable else "n"
        header["select"] = self._select(resources, header)
        if resources.email_address:
            header["mail_user"] = resources.email_address
            header["mail_type"] = "abe"
        if resources.scheduler_kwargs:
            header.update(resources.scheduler_kwargs)
        return header

    def _select(self, resources: QResources, header: dict[str, Any]) -> str:
        """The ``select=...`` chunk request of ``resources`` (setting ``place`` in ``header``)."""
        placement = resources.process_placement
        if placement not in _PLACEMENTS:
            msg = f"process placement {placement} is not supported for {self.system_name}"
            if placement is None:
                msg += ": QResources.process_placement must be set"
            raise UnsupportedResourcesError(msg)
        nodes, processes, per_node = resources.get_processes_distribution()
        threads = resources.threads_per_process
        if placement == ProcessPlacement.NO_CONSTRAINTS:
            select = f"select={processes}"
            if threads:
                select += f":ncpus={threads}:ompthreads={threads}"
            if resources.memory_per_thread:
                select += f":mem={(threads or 1) * resources.memory_per_thread}mb"
            return select
        per_node = per_node or 1
        cpus = threads * per_node if threads and threads > 1 else per_node
        select = f"select={nodes}:ncpus={cpus}:mpiprocs={per_node}"
        if threads and threads > 1:
            select += f":ompthreads={threads}"
        if resources.memory_per_thread:
            select += f":mem={cpus * resources.memory_per_thread}mb"
        header["place"] = "pack" if placement == ProcessPlacement.SAME_NODE else "scatter"
        return select

    def _add_soft_walltime(self, header_dict: dict[str, Any], resources: QResources) -> None:
        """Add a soft time limit to the header (a hook: Grid Engine does, PBS does not)."""

    @property
    def supported_qresources_keys(self) -> list[str]:
        """The QResources fields this scheduler honours."""
        return [*self._qresources_mapping, *_COMMON_KEYS]
