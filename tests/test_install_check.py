"""A qtoolkit folder mixing this package's files with upstream qtoolkit's is noticed at import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import qtoolkit
from qtoolkit._install_check import REPAIR, upstream_metadata
from qtoolkit.utils import cd

PACKAGE = Path(qtoolkit.__file__).parent


def site_with_package(tmp_path: Path) -> Path:
    """A folder holding a copy of this package, as pip installs it in site-packages."""
    site = tmp_path / "site-packages"
    shutil.copytree(PACKAGE, site / "qtoolkit", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "qtoolkit_msgspec-0.1.0.dist-info").mkdir()
    return site


def run_python(site: Path, code: str) -> subprocess.CompletedProcess[str]:
    # Only what Python needs: no coverage measurement of the copies (the CLI tests' subprocess
    # patch follows variables in the environment).
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=False
    )


def test_a_clean_installation_says_nothing(tmp_path: Path) -> None:
    site = site_with_package(tmp_path)
    run = run_python(site, "import qtoolkit, qtoolkit.io.columns; print(qtoolkit.__file__)")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(site / "qtoolkit" / "__init__.py")
    assert run.stderr == ""


def test_upstream_metadata_beside_the_package_warns_in_one_line(tmp_path: Path) -> None:
    site = site_with_package(tmp_path)
    (site / "qtoolkit-0.1.7.dist-info").mkdir()
    assert upstream_metadata(site / "qtoolkit") == ["qtoolkit-0.1.7.dist-info"]
    run = run_python(site, "import qtoolkit")
    assert run.returncode == 0
    warning = [line for line in run.stderr.splitlines() if "MixedInstallationWarning" in line]
    assert len(warning) == 1
    assert (
        "upstream qtoolkit (qtoolkit-0.1.7.dist-info) is installed in the same folder" in warning[0]
    )
    assert warning[0].endswith(f"repair with: {REPAIR}")


def test_upstream_files_over_this_package_stop_its_own_modules(tmp_path: Path) -> None:
    site = site_with_package(tmp_path)
    # Upstream's __init__ replaced this package's; its own modules (here a stand-in) remain.
    (site / "qtoolkit" / "__init__.py").write_text('__version__ = "0.1.7"\n')
    for module in ("qtoolkit.io.columns", "qtoolkit.cli", "qtoolkit.io.mson"):
        run = run_python(site, f"import {module}")
        assert run.returncode == 1
        last = run.stderr.strip().splitlines()[-1]
        assert last.startswith("ImportError: qtoolkit: the qtoolkit package in ")
        assert "is upstream qtoolkit's, installed over qtoolkit-msgspec" in last
        assert last.endswith(f"repair with: {REPAIR}")


def test_every_path_upstream_ships_is_shipped() -> None:
    # Installed after upstream, this package replaces each of upstream 0.1.7's files.
    upstream_files = [
        "__init__.py", "_version.py", "utils.py", "manager.py", "py.typed",
        "core/__init__.py", "core/base.py", "core/data_objects.py", "core/exceptions.py",
        "host/__init__.py", "host/base.py", "host/local.py", "host/remote.py",
        "io/__init__.py", "io/base.py", "io/pbs.py", "io/pbs_base.py", "io/sge.py",
        "io/shell.py", "io/slurm.py",
        "io/templates/pbs", "io/templates/sge", "io/templates/shell", "io/templates/slurm",
    ]  # fmt: skip
    assert [name for name in upstream_files if not (PACKAGE / name).is_file()] == []


def test_cd_works_in_a_folder_and_comes_back(tmp_path: Path) -> None:
    start = Path.cwd()
    with cd(tmp_path):
        assert Path.cwd() == tmp_path.resolve()
    assert Path.cwd() == start
    with pytest.raises(RuntimeError), cd(tmp_path):
        raise RuntimeError
    assert Path.cwd() == start
