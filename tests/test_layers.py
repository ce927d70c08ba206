"""Imports point down: the core imports nothing of the package above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import qtoolkit.core

CORE = Path(qtoolkit.core.__file__).parent
# What sits above the core: the scheduler IO, the manager and hosts, the CLI, generated data.
_ABOVE = ("qtoolkit.io", "qtoolkit.manager", "qtoolkit.host", "qtoolkit.cli", "qtoolkit.synthetic")


def imports_from_above(source: str) -> set[str]:
    """The layers above the core that ``source`` imports, wherever the import statement sits."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from qtoolkit import cli`` imports qtoolkit.cli.
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return {
        layer for name in names for layer in _ABOVE if name == layer or name.startswith(f"{layer}.")
    }


@pytest.mark.parametrize("module", sorted(CORE.glob("*.py")), ids=lambda path: path.name)
def test_the_core_imports_nothing_above_it(module: Path) -> None:
    assert imports_from_above(module.read_text(encoding="utf-8")) == set()


def test_an_import_from_above_is_seen_in_any_form() -> None:
    source = (
        "import qtoolkit.iox\n"  # a name that only starts like a layer is not one
        "def sub_states():\n"
        "    from qtoolkit.io import SUB_STATES\n"
        "    import qtoolkit.io.slurm as slurm\n"
        "    from qtoolkit import cli\n"
    )
    assert imports_from_above(source) == {"qtoolkit.io", "qtoolkit.cli"}
