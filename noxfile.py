"""Development sessions: ``nox`` runs lint, mypy, pyright, typing and the tests on each Python."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
UPSTREAM_PYTHON = "3.11"
ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")

nox.options.default_venv_backend = "virtualenv"
nox.options.reuse_existing_virtualenvs = True
# A missing interpreter fails the run instead of skipping its session: "all green" must mean every
# supported Python was tested.
nox.options.error_on_missing_interpreters = True


def _expose_pyenv_interpreters() -> None:
    """Put each pyenv-installed CPython on PATH so nox finds ``python3.X``.

    pyenv's shims answer only for the active versions; the real interpreters sit in
    ``$PYENV_ROOT/versions/3.X.Y/bin``. The newest patch release of each supported minor wins.
    """
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    bin_dirs = []
    for minor in PYTHONS:
        releases = [
            d for d in versions.glob(f"{minor}.*") if re.fullmatch(r"\d+\.\d+\.\d+", d.name)
        ]
        if releases:
            newest = max(releases, key=lambda d: int(d.name.rsplit(".", 1)[1]))
            bin_dirs.append(str(newest / "bin"))
    if bin_dirs:
        os.environ["PATH"] = os.pathsep.join([*bin_dirs, os.environ.get("PATH", "")])


_expose_pyenv_interpreters()


def _group(name: str) -> tuple[str, ...]:
    return nox.project.dependency_groups(PYPROJECT, name)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install(*_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def mypy(session: nox.Session) -> None:
    """mypy --strict over src, tests, typings and this file (configured in pyproject.toml)."""
    session.install("-e", ".", *_group("typing"))
    session.run("mypy")


@nox.session
def typing(session: nox.Session) -> None:
    """The typing contract in typings/, checked against the typeshed of every supported Python."""
    session.install("-e", ".", *_group("typing"))
    for version in PYTHONS:
        session.run("mypy", "--python-version", version, "typings")


@nox.session
def pyright(session: nox.Session) -> None:
    """pyright strict over the paths pyproject.toml configures; the public API fully typed.

    ``--verifytypes`` reads the installed package as a user's checker would, so it is installed
    as a wheel, not in editable mode.
    """
    session.install(".", *_group("typing"))
    session.run("pyright", "--pythonpath", str(Path(session.bin) / "python"))
    session.run("pyright", "--verifytypes", "qtoolkit", "--ignoreexternal")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite against an installed wheel, failing under 95% branch coverage."""
    session.install(".", *_group("test"))
    session.run("pytest", "--cov", "--cov-report=term", *session.posargs)


@nox.session(python="3.12")
def integration(session: nox.Session) -> None:
    """Real SLURM, Grid Engine and sshd, brought up and torn down by the tests (root, Debian)."""
    session.install(".[remote]", "pytest>=8")
    session.run(
        "pytest", "-p", "no:cacheprovider", "--durations=5", "tests/integration", *session.posargs
    )


@nox.session(python="3.12", default=False)
def record_schedulers(session: nox.Session) -> None:
    """Re-record tests/data/real/ from the SLURM and Grid Engine the integration tests start."""
    session.install(".", "pytest>=8")
    upstream_python = _upstream_venv(session)
    session.run(
        "python",
        "-m",
        "integration.record_output",
        "tests/data/real",
        "--upstream-python",
        str(upstream_python),
        *session.posargs,
        env={"PYTHONPATH": "tests"},
    )


@nox.session(python=PYTHONS[-1], default=False)
def fuzz(session: nox.Session) -> None:
    """A long decoder fuzzing campaign: QTK_FUZZ_EXAMPLES per fuzz test (default 20000)."""
    session.install(".", *_group("test"))
    examples = os.environ.get("QTK_FUZZ_EXAMPLES", "20000")
    session.run(
        "pytest",
        "-p",
        "no:cacheprovider",
        "tests/test_decoder_fuzz.py",
        *session.posargs,
        env={"QTK_FUZZ_EXAMPLES": examples},
    )


@nox.session(python=UPSTREAM_PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Side-by-side benchmark against naive msgspec, pydantic, orjson and upstream (~10 min).

    Upstream qtoolkit also imports as ``qtoolkit``, so it gets a venv of its own, kept inside this
    session's. ``nox -s bench -- --quick`` is a smoke run; see benchmarks/README.md.
    """
    session.install(".", "pydantic>=2", "orjson", "matplotlib")
    upstream_python = _upstream_venv(session)
    session.run(
        "python", "benchmarks/run.py", "--upstream-python", str(upstream_python), *session.posargs
    )
    for listing_benchmark in ("benchmarks/parse_pbs_sge.py", "benchmarks/parse_slurm_shell.py"):
        session.run(
            "python",
            listing_benchmark,
            "--upstream-python",
            str(upstream_python),
            *session.posargs,
        )


def _upstream_venv(session: nox.Session) -> Path:
    """A venv with upstream qtoolkit 0.1.7 and monty, inside the session's own; its python."""
    upstream = Path(session.virtualenv.location) / "upstream"
    python = upstream / "bin" / "python"
    if not python.exists():
        session.run("python", "-m", "venv", str(upstream))
    session.run(
        str(python), "-m", "pip", "install", "-q", "qtoolkit==0.1.7", "monty", external=True
    )
    return python


@nox.session(python=UPSTREAM_PYTHON, default=False)
def upstream_oracle(session: nox.Session) -> None:
    """Re-record tests/data/upstream/ by running upstream qtoolkit 0.1.7 (and monty) itself."""
    session.install("qtoolkit==0.1.7", "monty")
    data = Path("tests", "data", "upstream")
    session.run(
        "python", "tests/upstream/record_behaviour.py", str(data / "qtoolkit-0.1.7-behaviour.json")
    )
    session.run(
        "python", "tests/upstream/record_mson.py", "upstream", str(data / "mson-0.1.7.json")
    )
    session.run(
        "python",
        "tests/upstream/record_io_slurm_shell.py",
        str(data / "io-slurm-shell-0.1.7.json"),
    )
    session.run(
        "python", "tests/upstream/record_io_pbs_sge.py", str(data / "io-pbs-sge-0.1.7.json")
    )
    session.run(
        "python",
        "tests/upstream/record_manager_mson.py",
        str(data / "manager-mson-0.1.7.json"),
    )


@nox.session(python=UPSTREAM_PYTHON, default=False)
def interop(session: nox.Session) -> None:
    """Upstream qtoolkit 0.1.7 reads the MSON documents this package writes, in its own venv."""
    session.install(".")
    documents = Path(session.create_tmp()) / "ours.json"
    session.run("python", "tests/upstream/record_mson.py", "ours", str(documents))
    session.run(
        str(_upstream_venv(session)),
        "tests/upstream/check_documents.py",
        str(documents),
        external=True,
    )
