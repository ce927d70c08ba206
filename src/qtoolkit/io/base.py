"""The base of every scheduler IO class: scripts, commands and the parsing contract.

A scheduler module (``slurm``, ``pbs``, ``sge``, ``shell``) subclasses :class:`BaseSchedulerIO`
parametrized with its sub-state, ``class SlurmIO(BaseSchedulerIO[SlurmState])``, and implements:

- ``_convert_qresources`` and ``supported_qresources_keys``: QResources to template values;
- ``parse_submit_output`` / ``parse_cancel_output``: a :class:`SubmissionResult` /
  :class:`CancelResult`, never an exception for a command that failed (status ``FAILED``);
- ``_get_job_cmd`` / ``_get_jobs_list_cmd``: the command strings, given job ids and a user name
  that the base has already validated and quoted for the shell;
- ``parse_job_output`` / ``parse_jobs_list_output``: ``QJob[<its sub-state>] | None`` and
  ``list[QJob[<its sub-state>]]``; a failed command raises :class:`CommandFailedError`, output
  that cannot be read raises :class:`OutputParsingError` naming the line and the field.

Parsers share the column helpers of :mod:`qtoolkit.io.columns` (one conversion per distinct value,
jobs built positionally). Instances are plain objects whose constructor arguments are their MSON
document (``as_dict`` / ``from_dict``), as monty's ``MSONable`` writes them.
"""

from __future__ import annotations

import abc
import copy
import difflib
import re
import shlex
from importlib import resources
from pathlib import Path, PurePath
from string import Template
from typing import TYPE_CHECKING, Any, Generic, overload

from qtoolkit.core.data_objects import (
    CancelResult,
    QJob,
    QResources,
    SubmissionResult,
    SubmissionStatus,
)
from qtoolkit.core.exceptions import InvalidJobIDError, UnsupportedResourcesError
from qtoolkit.core.placement import as_placement
from qtoolkit.io.mson import MSONArguments

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from typing_extensions import TypeVar

    from qtoolkit.core.data_objects import QSubState
else:
    from typing import TypeVar

__all__ = ["MODULE_DIR", "TEMPLATE_DIR", "BaseSchedulerIO", "QTemplate", "load_template"]

if TYPE_CHECKING:
    SubStateT = TypeVar("SubStateT", bound="QSubState", default="QSubState")
else:
    SubStateT = TypeVar("SubStateT")

MODULE_DIR = Path(__file__).absolute().parent
"""The folder of this package (upstream's name)."""

TEMPLATE_DIR = MODULE_DIR / "templates"
"""The folder of the header templates shipped as package data."""

# Header values are written on a line of their own: a line break in one would start a new line of
# the script, which the shell would run.
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_VERBATIM_KEY = "qverbatim"


def load_template(name: str) -> str:
    """The text of the header template ``name`` shipped in ``qtoolkit/io/templates``."""
    return (
        resources.files("qtoolkit.io")
        .joinpath("templates")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


class QTemplate(Template):
    """A :class:`string.Template` with ``$${name}`` placeholders, as in the header templates."""

    delimiter = "$$"

    def get_identifiers(self) -> list[str]:
        """The names of the placeholders, in order of first appearance, each once.

        :meth:`string.Template.get_identifiers` exists from Python 3.11 only.
        """
        names: list[str] = []
        for match in self.pattern.finditer(self.template):
            name = match.group("named") or match.group("braced")
            if name is not None and name not in names:
                names.append(name)
        return names


class BaseSchedulerIO(MSONArguments, Generic[SubStateT], abc.ABC):
    """Base class of the scheduler IO classes (upstream qtoolkit's API).

    Class attributes a subclass may override: ``header_template`` (or ``header_template_file``,
    a template name in ``qtoolkit/io/templates`` read when the subclass is created),
    ``SUBMIT_CMD``, ``CANCEL_CMD``, ``shebang``, ``sanitize_job_name``, ``job_id_regex`` (a job id
    must match it in full, else :class:`InvalidJobIDError`) and ``check_job_ids``.
    """

    header_template: str
    header_template_file: str | None = None

    SUBMIT_CMD: str | None
    CANCEL_CMD: str | None

    shebang: str = "#!/bin/bash"

    sanitize_job_name: bool = False

    job_id_regex: str | None = None
    check_job_ids: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.header_template_file:
            cls.header_template = load_template(cls.header_template_file)

    # -- submission scripts -------------------------------------------------------------------

    def get_submission_script(
        self,
        commands: str | list[str],
        options: Mapping[str, Any] | QResources | None = None,
    ) -> str:
        """The submission script: shebang, header, the commands, then the footer."""
        script_blocks = [self.shebang]
        if header := self.generate_header(options):
            script_blocks.append(header)
        script_blocks.append(self.generate_run_commands(commands))
        if footer := self.generate_footer():
            script_blocks.append(footer)
        return "\n".join(script_blocks)

    def generate_header(self, options: Mapping[str, Any] | QResources | None) -> str:
        """The header (scheduler directives) of the script, from options or a QResources.

        Every key must be a placeholder of the template (else ``ValueError`` suggesting close
        names); lines whose placeholders are not all given are left out. A value holding a line
        break raises ``ValueError`` (except ``qverbatim``, copied as it is).
        """
        if isinstance(options, QResources):
            values: dict[str, Any] = self.check_convert_qresources(options)
        else:
            values = dict(options or {})
        template = QTemplate(self.header_template)
        identifiers = template.get_identifiers()
        if extra := set(values).difference(identifiers):
            raise ValueError(self._unknown_keys_message(extra, identifiers))
        values = self.sanitize_options(values)
        for key, value in values.items():
            if key != _VERBATIM_KEY and _LINE_BREAK.search(str(value)):
                msg = f"The value of {key!r} holds a line break, which would end its header line"
                raise ValueError(msg)
        lines: list[str] = []
        for line in self.header_template.split("\n"):
            line_template = QTemplate(line)
            if set(line_template.get_identifiers()).issubset(values):
                lines.append(line_template.safe_substitute(values))
        return "\n".join(lines)

    def _unknown_keys_message(self, extra: set[str], identifiers: list[str]) -> str:
        cls = type(self)
        msg = (
            f"The following keys are not present in the template: {', '.join(sorted(extra))}. "
            f"Check the template in {cls.__module__}.{cls.__qualname__}.header_template."
        )
        close = {
            key: matches
            for key in sorted(extra)
            if (matches := difflib.get_close_matches(key, identifiers, n=3, cutoff=0.65))
        }
        if close:
            msg += " Possible replacements:"
            for key, matches in close.items():
                msg += f" {' or '.join(repr(m) for m in matches)} instead of {key!r}."
        return msg

    def generate_run_commands(self, commands: list[str] | str) -> str:
        """The commands of the script, one per line."""
        if isinstance(commands, list):
            return "\n".join(commands)
        return commands

    def generate_footer(self) -> str:
        """The footer of the script (nothing, unless a subclass says otherwise)."""
        return ""

    def sanitize_options(self, options: dict[str, Any]) -> dict[str, Any]:
        """Adjust the template values before they are written (a hook for subclasses)."""
        return options

    # -- QResources ---------------------------------------------------------------------------

    def check_convert_qresources(self, resources: QResources) -> dict[str, Any]:
        """The template values of ``resources``, refusing fields this scheduler cannot honour.

        Raises :class:`UnsupportedResourcesError` naming every set field (truthy, as upstream
        counts it) that is not in :attr:`supported_qresources_keys`, or a ``process_placement``
        assigned after construction that names no placement.
        """
        # Assignment skips the constructor's conversion ("scattered" stays a str, whatever the
        # annotation says): convert here, on a copy, so that every scheduler compares members.
        assigned: object = resources.process_placement
        placement = as_placement(assigned)
        if placement is not assigned:
            resources = copy.copy(resources)
            resources.process_placement = placement
        supported = set(self.supported_qresources_keys)
        unsupported = [
            name
            for name in resources.__struct_fields__
            if getattr(resources, name) and name not in supported
        ]
        if unsupported:
            msg = f"Keys not supported: {', '.join(sorted(unsupported))}"
            raise UnsupportedResourcesError(msg)
        return self._convert_qresources(resources)

    @abc.abstractmethod
    def _convert_qresources(self, resources: QResources) -> dict[str, Any]:
        """The template values of ``resources`` (fields already checked as supported)."""

    @property
    def supported_qresources_keys(self) -> list[str]:
        """The QResources fields :meth:`_convert_qresources` honours."""
        return []

    # -- commands -----------------------------------------------------------------------------

    def get_submit_cmd(self, script_file: str | Path | None = "submit.script") -> str:
        """The command submitting ``script_file`` (quoted for the shell)."""
        return f"{self.SUBMIT_CMD} {quote(script_file) if script_file else ''}"

    def get_cancel_cmd(self, job: QJob[Any] | int | str) -> str:
        """The command cancelling ``job``; raises :class:`InvalidJobIDError` for a bad id."""
        return f"{self.CANCEL_CMD} {quote(self._cancel_id(job))}"

    def _cancel_id(self, job: QJob[Any] | int | str) -> str:
        """The id of the job to cancel, checked (not yet quoted), for the cancel commands."""
        job_id = job.job_id if isinstance(job, QJob) else job
        if job_id is None or job_id == "":
            received = None if job_id is None else "'' (empty string)"
            msg = f"The id of the job to be cancelled should be defined. Received: {received}"
            raise ValueError(msg)
        self._check_job_ids(str(job_id))
        return str(job_id)

    def get_job_cmd(self, job: QJob[Any] | int | str) -> str:
        """The command showing one job; raises :class:`InvalidJobIDError` for a bad id."""
        ids = self.generate_ids_list([job])
        return self._get_job_cmd(quote(ids[0]))

    def get_jobs_list_cmd(
        self, jobs: Sequence[QJob[Any] | int | str] | None, user: str | None
    ) -> str:
        """The command listing ``jobs``, or the jobs of ``user``, or every job."""
        job_ids = self.generate_ids_list(jobs)
        quoted = None if job_ids is None else [quote(job_id) for job_id in job_ids]
        return self._get_jobs_list_cmd(quoted, quote(user) if user else user)

    @overload
    def generate_ids_list(self, jobs: Sequence[QJob[Any] | int | str]) -> list[str]: ...

    @overload
    def generate_ids_list(self, jobs: None) -> None: ...

    def generate_ids_list(self, jobs: Sequence[QJob[Any] | int | str] | None) -> list[str] | None:
        """The ids of ``jobs`` as strings, checked against :attr:`job_id_regex`."""
        if jobs is None:
            return None
        ids = [str(job.job_id) if isinstance(job, QJob) else str(job) for job in jobs]
        self._check_job_ids(ids)
        return ids

    def is_valid_job_id(self, job_id: str) -> bool:
        """Whether ``job_id`` matches :attr:`job_id_regex` in full (always, without one)."""
        if self.job_id_regex is None:
            return True
        return re.fullmatch(self.job_id_regex, job_id) is not None

    def _check_job_ids(self, job_ids: str | list[str]) -> None:
        """Raise :class:`InvalidJobIDError` for the first id that is not valid."""
        if not self.check_job_ids or not self.job_id_regex:
            return
        for job_id in [job_ids] if isinstance(job_ids, str) else job_ids:
            if not self.is_valid_job_id(job_id=job_id):
                msg = f"Job ID '{job_id}' is invalid for this scheduler"
                raise InvalidJobIDError(msg)

    @abc.abstractmethod
    def _get_job_cmd(self, job_id: str) -> str:
        """The command showing one job, given its validated and quoted id."""

    @abc.abstractmethod
    def _get_jobs_list_cmd(self, job_ids: list[str] | None = None, user: str | None = None) -> str:
        """The command listing jobs, given validated and quoted ids and user name."""

    # -- parsing ------------------------------------------------------------------------------

    @abc.abstractmethod
    def parse_submit_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> SubmissionResult:
        """The result of a submission command, from its exit code and outputs."""

    @abc.abstractmethod
    def parse_cancel_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> CancelResult:
        """The result of a cancellation command, from its exit code and outputs."""

    @abc.abstractmethod
    def parse_job_output(
        self,
        exit_code: int,
        stdout: str | bytes,
        stderr: str | bytes,
        job_id: str | None = None,
    ) -> QJob[SubStateT] | None:
        """The job the output of :meth:`get_job_cmd` describes, or ``None`` if it shows none."""

    @abc.abstractmethod
    def parse_jobs_list_output(
        self,
        exit_code: int,
        stdout: str | bytes,
        stderr: str | bytes,
        job_ids: list[str] | None = None,
    ) -> list[QJob[SubStateT]]:
        """The jobs the output of :meth:`get_jobs_list_cmd` lists."""


def quote(value: str | int | PurePath) -> str:
    """``value`` as one shell word (unchanged when it holds only safe characters)."""
    return shlex.quote(str(value))


def as_text(output: str | bytes) -> str:
    """A command's output as text (bytes are decoded as UTF-8, undecodable bytes replaced)."""
    if isinstance(output, bytes):
        return output.decode("utf-8", errors="replace")
    return output


def submission_result(
    exit_code: int, stdout: str | bytes, stderr: str | bytes, job_id_of: Callable[[str], str | None]
) -> SubmissionResult:
    """FAILED on a non-zero exit code; else the job id ``job_id_of`` reads in the output.

    Without a job id the submission is ``JOB_ID_UNKNOWN``.
    """
    out, err = as_text(stdout), as_text(stderr)
    if exit_code != 0:
        return SubmissionResult(
            exit_code=exit_code, stdout=out, stderr=err, status=SubmissionStatus.FAILED
        )
    job_id = job_id_of(out) or None
    return SubmissionResult(
        job_id=job_id,
        exit_code=exit_code,
        stdout=out,
        stderr=err,
        status=SubmissionStatus.SUCCESSFUL if job_id else SubmissionStatus.JOB_ID_UNKNOWN,
    )


def mapped_options(resources: QResources, mapping: Mapping[str, str]) -> dict[str, Any]:
    """The template values of the set QResources fields ``mapping`` names (field to key)."""
    return {
        key: value
        for field, key in mapping.items()
        if (value := getattr(resources, field)) is not None
    }
