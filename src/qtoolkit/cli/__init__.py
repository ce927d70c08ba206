"""The ``qtk`` command: convert, validate, inspect, generate, schema and bench.

Its only public name is :func:`main`; the modules beside it are its parts, not an API.
"""

from __future__ import annotations

from qtoolkit.cli._main import main

__all__ = ["main"]
