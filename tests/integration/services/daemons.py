"""Daemons started by the fixtures: launched in the foreground, remembered by pid, stopped by pid.

Each started daemon leaves ``<state dir>/<name>.pid`` holding its pid and kernel start time, so a
run that crashed is cleaned up by the next one: a recorded process still alive (same pid, same
start time) is adopted and stopped at the end; a stale record is dropped. Nothing is ever stopped by
name: a daemon that was already answering when the fixtures came is left alone.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import ServiceUnavailableError

STATE_DIR = Path("/var/tmp/qtoolkit-integration")
STOP_TIMEOUT = 20.0
# How long to wait for a daemon, a job state or an accounting record. Generous: on a loaded shared
# machine a job that exits at once can take minutes to be reported; an idle one takes a second.
TIMEOUT = float(os.environ.get("QTK_INTEGRATION_TIMEOUT", "300"))


def process_start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (``/proc/<pid>/stat`` field 22), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses; the fields after its last ')'
    # start at field 3.
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None
    return fields[19]


def wait_until(
    predicate: Callable[[], bool],
    *,
    what: str,
    timeout: float = TIMEOUT,
    detail: Callable[[], str] = str,
) -> None:
    """Poll ``predicate`` until it holds; after ``timeout`` seconds fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            extra = detail()
            raise ServiceUnavailableError(
                f"timed out after {timeout:g} s waiting for {what}"
                + (f": {extra}" if extra else "")
            )
        time.sleep(0.25)


@dataclass
class Started:
    """One daemon these fixtures are responsible for stopping."""

    name: str
    pid: int
    start_time: str
    process: subprocess.Popen[bytes] | None  # None when adopted from a crashed run

    def alive(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            return False
        return process_start_time(self.pid) == self.start_time


class DaemonSupervisor:
    """Starts daemons, records them in ``state_dir`` and stops exactly those, newest first."""

    def __init__(self, state_dir: Path = STATE_DIR) -> None:
        self.state_dir = state_dir
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.started: list[Started] = []

    def _pid_file(self, name: str) -> Path:
        return self.state_dir / f"{name}.pid"

    def adopt_leftover(self, name: str) -> bool:
        """Take over ``name`` if a crashed run started it and it still runs; drop a stale record."""
        pid_file = self._pid_file(name)
        try:
            pid_text, start_time = pid_file.read_text().split()
            pid = int(pid_text)
        except (OSError, ValueError):
            pid_file.unlink(missing_ok=True)
            return False
        if process_start_time(pid) != start_time:
            pid_file.unlink(missing_ok=True)
            return False
        self.started.append(Started(name, pid, start_time, None))
        return True

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        user: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Started:
        """Launch ``argv`` (a daemon kept in the foreground) with its output in ``<name>.log``."""
        log = (self.state_dir / f"{name}.log").open("ab")
        try:
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                cwd=cwd or self.state_dir,
                user=user,
                start_new_session=True,
            )
        except OSError as exc:
            raise ServiceUnavailableError(f"cannot start {name} ({argv[0]}): {exc}") from exc
        finally:
            log.close()
        start_time = process_start_time(process.pid) or ""
        started = Started(name, process.pid, start_time, process)
        self._pid_file(name).write_text(f"{process.pid} {start_time}\n")
        self.started.append(started)
        return started

    def log_tail(self, name: str, lines: int = 15) -> str:
        """The last lines a started daemon wrote, for error messages."""
        try:
            text = (self.state_dir / f"{name}.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop_all(self) -> None:
        """SIGTERM each started daemon (newest first), SIGKILL it if it lingers."""
        while self.started:
            daemon = self.started.pop()
            self._stop(daemon)
            self._pid_file(daemon.name).unlink(missing_ok=True)

    def _stop(self, daemon: Started) -> None:
        if not daemon.alive():
            return
        os.kill(daemon.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while daemon.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        if daemon.alive():
            os.kill(daemon.pid, signal.SIGKILL)
        if daemon.process is not None:
            daemon.process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def exclusive(state_dir: Path = STATE_DIR, timeout: float = 900) -> Iterator[None]:
    """Hold the integration lock: two runs on one machine take turns instead of sharing daemons."""
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        handle = (state_dir / "lock").open("w")
    except OSError as exc:
        raise ServiceUnavailableError(
            f"cannot write the integration state in {state_dir} (uid {os.geteuid()}; "
            f"the integration tests need root): {exc}"
        ) from exc
    with handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ServiceUnavailableError(
                        f"another integration run holds {state_dir / 'lock'} for {timeout:g} s"
                    ) from None
                time.sleep(1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
