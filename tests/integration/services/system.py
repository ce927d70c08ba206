"""Commands, root check and Debian packages the service fixtures rely on."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from .errors import ServiceUnavailableError

POLICY_RC = Path("/usr/sbin/policy-rc.d")
# Written only while apt runs, when the machine has none: package scripts must not start daemons
# that these fixtures would then neither know nor stop.
_DENY_START = (
    "#!/bin/sh\n# qtoolkit integration tests: no daemon starts during apt-get install\nexit 101\n"
)


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
    timeout: float = 120,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (no shell) and capture its text; a failure names the command and its stderr."""
    full_env = {**os.environ, **(env or {})}
    try:
        result = subprocess.run(
            list(argv),
            env=full_env,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ServiceUnavailableError(f"command not found: {argv[0]}") from exc
    except subprocess.TimeoutExpired as exc:
        raise ServiceUnavailableError(
            f"`{' '.join(argv)}` did not finish in {timeout:g} s"
        ) from exc
    if check and result.returncode != 0:
        raise ServiceUnavailableError(
            f"`{' '.join(argv)}` exited {result.returncode}: "
            f"{result.stderr.strip() or result.stdout.strip()}"
        )
    return result


def succeeds(argv: Sequence[str], *, env: Mapping[str, str] | None = None) -> bool:
    """Whether ``argv`` exits 0 within 30 s (a probe: a missing or hanging command is a no)."""
    try:
        return run(argv, env=env, check=False, timeout=30).returncode == 0
    except ServiceUnavailableError:
        return False


def require_root(purpose: str) -> None:
    """Fail with a clear message unless this process runs as root."""
    if os.geteuid() != 0:
        raise ServiceUnavailableError(
            f"{purpose} needs root; this process runs as uid {os.geteuid()}"
        )


def missing_packages(packages: Sequence[str]) -> list[str]:
    """The Debian packages of ``packages`` that are not installed."""
    if shutil.which("dpkg-query") is None:
        raise ServiceUnavailableError("dpkg-query not found: these fixtures need a Debian system")
    missing = []
    for package in packages:
        status = run(["dpkg-query", "-W", "-f=${Status}", package], check=False).stdout
        if status.strip() != "install ok installed":
            missing.append(package)
    return missing


def ensure_packages(packages: Sequence[str], preseed: Sequence[str] = ()) -> None:
    """Install whichever of ``packages`` are missing, non-interactively, without starting daemons.

    ``preseed`` lines (``owner question type value``) answer the packages' debconf questions first.
    """
    missing = missing_packages(packages)
    if not missing:
        return
    require_root(f"installing {', '.join(missing)}")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    if preseed:
        run(["debconf-set-selections"], input_text="\n".join(preseed) + "\n")
    wrote_policy = not POLICY_RC.exists()
    if wrote_policy:
        POLICY_RC.write_text(_DENY_START)
        POLICY_RC.chmod(0o755)
    try:
        update = run(["apt-get", "update", "-q"], env=env, timeout=300, check=False)
        if update.returncode != 0:
            raise ServiceUnavailableError(
                f"apt-get update failed, so {', '.join(missing)} cannot be installed "
                f"(is a Debian package registry reachable?): {update.stderr.strip()[-800:]}"
            )
        install = run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
            env=env,
            timeout=600,
            check=False,
        )
        if install.returncode != 0:
            raise ServiceUnavailableError(
                f"apt-get install {' '.join(missing)} failed: {install.stderr.strip()[-800:]}"
            )
    finally:
        if wrote_policy:
            POLICY_RC.unlink(missing_ok=True)
    still_missing = missing_packages(missing)
    if still_missing:
        raise ServiceUnavailableError(
            f"still not installed after apt-get: {', '.join(still_missing)}"
        )


def write_owned(path: Path, text: str, *, marker: str, mode: int = 0o644) -> None:
    """Write a configuration file these fixtures own; refuse to replace one that someone else wrote.

    ``marker`` is the first line of every file the fixtures write, so a rerun rewrites its own
    file but never a site configuration it happens to find.
    """
    if path.exists() and not path.read_text(errors="replace").startswith(marker):
        raise ServiceUnavailableError(
            f"{path} exists and was not written by the integration tests; "
            "refusing to replace a configuration of this machine"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{marker}\n{text}")
    path.chmod(mode)
