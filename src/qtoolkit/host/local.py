"""The machine this Python process runs on, as a host."""

from __future__ import annotations

import subprocess
from pathlib import Path

from qtoolkit.host.base import BaseHost

__all__ = ["LocalHost"]


class LocalHost(BaseHost):
    """Runs commands as subprocesses of this Python process.

    A string command goes through ``/bin/sh`` (as ``subprocess.run(..., shell=True)``), so shell
    syntax works in it and any value it embeds must be quoted by whoever built it. A list runs
    without a shell, one word per argument. Output is decoded as UTF-8, with undecodable bytes
    replaced by U+FFFD rather than failing the whole command.
    """

    def execute(
        self, command: str | list[str], workdir: str | Path | None = None
    ) -> tuple[str, str, int]:
        """Run ``command`` in ``workdir`` (default: the current one); stdout, stderr, exit code."""
        # cwd= rather than changing this process's directory: other threads keep theirs.
        cwd = Path(workdir) if workdir else None
        if isinstance(command, str):
            proc = subprocess.run(command, shell=True, cwd=cwd, capture_output=True, check=False)
        else:
            proc = subprocess.run(list(command), cwd=cwd, capture_output=True, check=False)
        return (
            proc.stdout.decode(errors="replace"),
            proc.stderr.decode(errors="replace"),
            proc.returncode,
        )

    def mkdir(self, directory: str | Path, recursive: bool = True, exist_ok: bool = True) -> bool:
        """Create ``directory``; False if that fails or it exists and ``exist_ok`` is False."""
        try:
            Path(directory).mkdir(parents=recursive, exist_ok=exist_ok)
        except OSError:
            return False
        return True

    def write_text_file(self, filepath: str | Path, content: str) -> None:
        """Write ``content`` to ``filepath`` as UTF-8."""
        Path(filepath).write_text(content, encoding="utf-8")
