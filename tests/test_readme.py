"""The README's commands and examples are the ones that work."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)


def test_readme_starts_with_the_two_setup_commands() -> None:
    first_lines = [line for line in README.splitlines() if line.strip()][:7]
    assert first_lines[1] == first_lines[4] == "```bash"
    main_job, tests = code_blocks("bash")[:2]
    assert main_job.startswith("python3 -m venv .venv")
    assert tests.strip().endswith(".venv/bin/nox")


def test_ci_runs_the_readme_test_command() -> None:
    test_command = code_blocks("bash")[1].strip()
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in ci_script
    assert test_command in ci_script.splitlines()
    # in an environment of its own, with none of the host's PYTHON* variables
    assert 'exec env -i "${kept[@]}"' in ci_script
    assert "PYTHON" not in ci_script.split("kept=()")[1]


def test_python_examples_run() -> None:
    blocks = code_blocks("python")
    assert blocks
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(compile(block, "README.md", "exec"), namespace)
        outputs = re.findall(r"^(.*?)\s+# True$", block, flags=re.MULTILINE)
        for expression in outputs:
            assert eval(expression, namespace) is True, expression


def test_links_work_on_pypi() -> None:
    # PyPI shows the README away from the repository: every link is absolute, and those into the
    # repository start with the project's URL from pyproject.toml.
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    homepage = re.search(r'^Homepage = "([^"]+)"$', pyproject, flags=re.MULTILINE)
    assert homepage is not None
    links = re.findall(r"\]\(([^)\s]+)\)", README)
    assert links
    for link in links:
        assert link.startswith("https://"), link
    own = [link for link in links if "github.com" in link and "Matgenix" not in link]
    assert own
    assert all(link.startswith(homepage[1]) for link in own), own
