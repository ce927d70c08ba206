"""The names upstream qtoolkit exports at its top level, and what importing them costs."""

from __future__ import annotations

import subprocess
import sys

import pytest

import qtoolkit
from qtoolkit.core import data_objects

# upstream qtoolkit 0.1.7's qtoolkit/__init__.py: __version__ and these five.
UPSTREAM_NAMES = ["QJob", "QJobInfo", "QResources", "QState", "QSubState"]


@pytest.mark.parametrize("name", UPSTREAM_NAMES)
def test_upstream_s_top_level_names_are_the_core_s_classes(name: str) -> None:
    assert getattr(qtoolkit, name) is getattr(data_objects, name)
    assert name in qtoolkit.__all__


def test_star_import_gives_upstream_s_names() -> None:
    namespace: dict[str, object] = {}
    exec("from qtoolkit import *", namespace)
    assert sorted(name for name in namespace if not name.startswith("__")) == UPSTREAM_NAMES
    assert isinstance(qtoolkit.__version__, str)


def test_importing_qtoolkit_loads_no_optional_integration() -> None:
    script = (
        "import sys, qtoolkit\n"
        "heavy = ('pydantic', 'monty', 'rich', 'qtoolkit.cli', 'qtoolkit.core.schema',\n"
        "         'qtoolkit.core.pydantic_support', 'qtoolkit.synthetic')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
