"""The ``qtk`` command: convert, validate, inspect, generate, schema and bench.

Its only public name is :func:`main`; the modules beside it are its parts, not an API.
"""

from __future__ import annotations

from qtoolkit._install_check import require_own_package

# Upstream qtoolkit has no qtk: if its files replaced this package's, say so before anything runs.
require_own_package()

from qtoolkit.cli._main import main  # noqa: E402

__all__ = ["main"]
