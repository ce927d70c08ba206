"""Real schedulers and an ssh server for the integration tests, started and stopped by the tests.

Each service installs its Debian packages when missing, starts only the daemons that do not
already answer, waits until it really takes work (a probe job, a login) and stops, by pid, exactly
the daemons it started. Where that cannot work (not root, no package registry) it raises
:class:`ServiceUnavailableError` naming what is missing, and the integration session fails.
"""

from __future__ import annotations

from .daemons import DaemonSupervisor, exclusive, wait_until
from .errors import ServiceUnavailableError
from .gridengine import GridEngineCell
from .ledger import JobLedger
from .slurm import SlurmCluster
from .sshd import SshServer

__all__ = [
    "DaemonSupervisor",
    "GridEngineCell",
    "JobLedger",
    "ServiceUnavailableError",
    "SlurmCluster",
    "SshServer",
    "exclusive",
    "wait_until",
]
