"""Run the shell strings the IO classes write, as a host would."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import NamedTuple

from .services.gridengine import ENV as SGE_ENV


class Output(NamedTuple):
    """What a command answered, in the order the IO parsers take it."""

    exit_code: int
    stdout: str
    stderr: str


def shell(command: str, cwd: Path | None = None) -> Output:
    """``bash -c command`` (the IO layer's commands hold quotes and environment assignments)."""
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env={**os.environ, **SGE_ENV},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Output(result.returncode, result.stdout, result.stderr)
