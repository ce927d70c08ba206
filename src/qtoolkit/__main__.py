"""``python -m qtoolkit``: the ``qtk`` command."""

from __future__ import annotations

from qtoolkit.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
