"""Small helpers upstream qtoolkit 0.1.7 has in ``qtoolkit.utils``, with the same names."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Generator

__all__ = ["cd"]


@contextmanager
def cd(path: str | Path) -> Generator[None, None, None]:
    """Work in ``path`` for the ``with`` block, then return to the previous working folder."""
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)
