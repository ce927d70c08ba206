"""Session fixtures of the integration tests: real SLURM, Grid Engine and sshd on this machine.

Collected only by ``nox -s integration`` (``pytest tests/integration``); the unit test run does not
recurse here. A service that cannot be brought up fails the tests that need it with the reason;
nothing is skipped.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Protocol, TypeVar

import pytest

from .services import GridEngineCell, ServiceUnavailableError, SlurmCluster, SshServer, exclusive


class _Service(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


S = TypeVar("S", bound=_Service)


def _running(make: Callable[[], S]) -> Iterator[S]:
    service = make()
    try:
        service.start()
    except ServiceUnavailableError as exc:
        # Stop what did start; the reason reported is the one that stopped the start.
        with contextlib.suppress(ServiceUnavailableError):
            service.stop()
        pytest.fail(f"{type(service).__name__} unavailable: {exc}", pytrace=False)
    try:
        yield service
    finally:
        service.stop()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="session", autouse=True)
def _one_run_at_a_time() -> Iterator[None]:
    """Two integration runs on one machine would stop each other's daemons: take turns.

    SIGTERM (a CI timeout, ``timeout``) becomes an interrupt, so pytest still tears the services
    down instead of leaving their daemons behind.
    """
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with exclusive():
            yield
    except ServiceUnavailableError as exc:
        pytest.fail(str(exc), pytrace=False)
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="session")
def slurm() -> Iterator[SlurmCluster]:
    """A one-node SLURM cluster with accounting, taking jobs."""
    yield from _running(SlurmCluster)


@pytest.fixture(scope="session")
def sge() -> Iterator[GridEngineCell]:
    """A one-host Grid Engine cell, taking jobs."""
    yield from _running(GridEngineCell)


@pytest.fixture(scope="session")
def ssh_server() -> Iterator[SshServer]:
    """sshd on 127.0.0.1 accepting the current user (root) with ``ssh_server.client_key``."""
    yield from _running(SshServer)
