"""The one error the service fixtures raise: what is missing on this machine, in words."""

from __future__ import annotations


class ServiceUnavailableError(RuntimeError):
    """A scheduler or server could not be brought up here; the message names what is missing.

    The integration session fails on it, never skips: a CI run that cannot start the daemons
    must not look like a run that tested them.
    """
