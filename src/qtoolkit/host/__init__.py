"""Hosts: where the queue manager runs the scheduler's commands.

:class:`LocalHost` is always available; ``qtoolkit.host.remote.RemoteHost`` needs the ``remote``
extra (fabric) and is imported from its own module so that this package does not require it.
"""

from __future__ import annotations

from qtoolkit.host.base import BaseHost, HostConfig
from qtoolkit.host.local import LocalHost

__all__ = ["BaseHost", "HostConfig", "LocalHost"]
