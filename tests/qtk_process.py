"""Running ``qtk`` as a subprocess, in an environment that does not depend on the caller's."""

from __future__ import annotations

import os
import sys

QTK = [sys.executable, "-m", "qtoolkit"]


def clean_environment() -> dict[str, str]:
    """This process's environment without the ``PYTHON*`` variables that change how qtk runs.

    ``PYTHONUNBUFFERED=1``, for one, leaves nothing in standard output's buffer at exit, which
    once hid a failing last flush: subprocess tests run without them, whatever the caller's
    environment holds.
    """
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
