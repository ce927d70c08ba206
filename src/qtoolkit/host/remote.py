"""A machine reached over SSH, as a host (needs the ``remote`` extra: fabric)."""

from __future__ import annotations

import importlib
import io
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from qtoolkit.host.base import BaseHost, HostConfig

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["RemoteConfig", "RemoteHost", "SSHConnection", "SSHResult"]

try:
    # fabric ships no type information: it is held as Any here and met through the protocols below.
    _fabric: Any = importlib.import_module("fabric")
except ModuleNotFoundError as _missing:  # private: a module-level name is part of the API
    msg = (
        "qtoolkit.host.remote needs fabric, which is not installed: "
        "pip install 'qtoolkit-msgspec[remote]'"
    )
    raise ModuleNotFoundError(msg, name=_missing.name) from _missing


class SSHResult(Protocol):
    """What a finished remote command leaves (a ``fabric.Result``)."""

    @property
    def stdout(self) -> str: ...
    @property
    def stderr(self) -> str: ...
    @property
    def exited(self) -> int: ...


class SSHConnection(Protocol):
    """The part of ``fabric.Connection`` a :class:`RemoteHost` uses."""

    def run(self, command: str, **kwargs: Any) -> SSHResult: ...
    def put(self, local: io.BytesIO, remote: str) -> object: ...
    def close(self) -> None: ...


def _default_fabric_config() -> Any:
    return _fabric.Config()


@dataclass
class RemoteConfig(HostConfig):
    """Where and how to connect: the arguments of ``fabric.Connection``, and the remote shell."""

    host: str
    """Host name or address; may carry ``user@`` and ``:port`` as in ``ssh``."""

    user: str | None = None
    """Login name (default: fabric's, from the SSH config or the local user)."""

    port: int | None = None
    """SSH port (default: fabric's, normally 22)."""

    config: Any = field(default_factory=_default_fabric_config)
    """A ``fabric.Config``; None gives fabric's default one. A default one is written as None in
    the MSON document, which JSON can hold; a customized one is written as it is."""

    gateway: SSHConnection | str | None = None
    """A connection to tunnel through, or a ``ProxyCommand`` string."""

    forward_agent: bool | None = None
    """Forward the local SSH agent."""

    connect_timeout: int | None = None
    """Seconds to wait for the TCP connection."""

    connect_kwargs: dict[str, Any] | None = None
    """Passed to ``paramiko.SSHClient.connect`` (``key_filename``, ``password``...)."""

    inline_ssh_env: bool = True
    """Send environment variables as a prefix of the command rather than through SSH."""

    shell_cmd: str | None = "bash"
    """Shell that interprets each command on the remote side; None runs it in the login shell
    sshd chooses, as ``ssh host command`` would."""

    login_shell: bool = True
    """Start ``shell_cmd`` as a login shell (``-l``), so the user's profile sets up the scheduler's
    environment (``PATH``, modules)."""

    def __post_init__(self) -> None:
        if self.config is None:
            self.config = _default_fabric_config()

    def as_dict(self) -> dict[str, Any]:
        """The MSON document of these settings (a default ``fabric.Config`` as None)."""
        document = super().as_dict()
        if document["config"] == _default_fabric_config():
            document["config"] = None
        return document


class RemoteHost(BaseHost):
    """Runs commands over SSH with fabric; assumes a POSIX shell on the remote side.

    The connection opens on first use and stays open; :meth:`close` ends it.
    """

    config: RemoteConfig

    def __init__(self, config: RemoteConfig) -> None:
        super().__init__(config)
        self.config = config
        self._connection: SSHConnection = _fabric.Connection(
            host=config.host,
            user=config.user,
            port=config.port,
            config=config.config,
            gateway=config.gateway,
            forward_agent=config.forward_agent,
            connect_timeout=config.connect_timeout,
            connect_kwargs=config.connect_kwargs,
            inline_ssh_env=config.inline_ssh_env,
        )

    @property
    def connection(self) -> SSHConnection:
        """The ``fabric.Connection`` to the host."""
        return self._connection

    def close(self) -> None:
        """Close the SSH connection (a later command opens a new one)."""
        self._connection.close()

    def execute(
        self, command: str | list[str], workdir: str | Path | None = None
    ) -> tuple[str, str, int]:
        """Run ``command`` on the host, in ``workdir`` (default: the login directory).

        A list is quoted word by word; a string is passed to the remote shell as it is. The
        command's standard input is ``/dev/null``, so that a process it starts in the background
        (``nohup ... &``) does not hold the SSH session open.
        """
        if not isinstance(command, str):
            command = shlex.join(command)
        # One line each: "cd dir && cmd &" would put the cd in the background too, in a subshell
        # holding the session's output open until cmd ends. Nothing is sent on stdin, and a
        # process left in the background must not hold the session's stdin either.
        lines = ["exec </dev/null"]
        if workdir:
            lines.append(f"cd {shlex.quote(str(workdir))} || exit")
        command = "\n".join([*lines, command])
        if self.config.shell_cmd:
            shell = [
                *shlex.split(self.config.shell_cmd),
                *(["-l"] if self.config.login_shell else []),
            ]
            command = f"{shlex.join(shell)} -c {shlex.quote(command)}"
        # warn: a failing command is a result, not an exception; in_stream=False: no local stdin is
        # forwarded (it may be closed, as under pytest); hide: capture rather than echo.
        result = self._connection.run(command, hide=True, warn=True, in_stream=False, pty=False)
        return result.stdout, result.stderr, result.exited

    def mkdir(self, directory: str | Path, recursive: bool = True, exist_ok: bool = True) -> bool:
        """Create ``directory`` on the host; False if that fails or it exists and must not."""
        path = shlex.quote(str(directory))
        if recursive and exist_ok:
            command = f"mkdir -p -- {path}"
        elif recursive:
            command = f"[ ! -e {path} ] && mkdir -p -- {path}"
        elif exist_ok:
            command = f"[ -d {path} ] || mkdir -- {path}"
        else:
            command = f"mkdir -- {path}"
        return self.execute(command)[2] == 0

    def write_text_file(self, filepath: str | Path, content: str) -> None:
        """Write ``content`` to ``filepath`` over SFTP (relative to the login directory)."""
        # Bytes: paramiko checks the size it sent against the length it read, and a text stream's
        # length counts characters, so any non-ASCII content would fail.
        self._connection.put(io.BytesIO(content.encode("utf-8")), str(filepath))
