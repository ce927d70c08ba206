"""What every host offers the queue manager: run a command, make a directory, write a file."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qtoolkit.io.mson import MSONArguments

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["BaseHost", "HostConfig"]


@dataclass
class HostConfig(MSONArguments):
    """Settings shared by every kind of host (an MSON document of its fields, as upstream's)."""

    root_dir: str | Path
    """Directory the host works under."""


class BaseHost(MSONArguments, abc.ABC):
    """A machine on which the queue manager runs the scheduler's commands.

    Written and read as the MSON document of its class and settings (``as_dict`` / ``from_dict``).

    ``execute`` takes a command either as one string, which a shell interprets (pipes, variables,
    redirections), or as a list of words, each of which reaches the program as one argument
    whatever characters it holds. A string must therefore quote any value it did not write itself
    (``shlex.quote``); the scheduler IO classes and :class:`~qtoolkit.manager.QueueManager` do.
    """

    def __init__(self, config: HostConfig | None = None) -> None:
        self.config = config

    @abc.abstractmethod
    def execute(
        self, command: str | list[str], workdir: str | Path | None = None
    ) -> tuple[str, str, int]:
        """Run ``command`` in ``workdir`` (by default the host's current directory).

        Returns its standard output, standard error and exit code. A command that runs and fails is
        not an exception: its non-zero exit code is returned for the caller to judge.
        """

    @abc.abstractmethod
    def mkdir(self, directory: str | Path, recursive: bool = True, exist_ok: bool = True) -> bool:
        """Create ``directory`` (and its parents if ``recursive``); True if it now exists as asked.

        False when it could not be created, or when it exists already and ``exist_ok`` is False.
        """

    @abc.abstractmethod
    def write_text_file(self, filepath: str | Path, content: str) -> None:
        """Write ``content`` to ``filepath`` on the host (UTF-8), replacing any previous content."""
