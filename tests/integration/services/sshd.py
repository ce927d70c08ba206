"""An OpenSSH server on 127.0.0.1 that lets root in with a key made for this run only.

Everything it needs (host key, client key, authorized_keys, configuration, known_hosts) lives in a
temporary directory; the machine's own ssh configuration and root's ``~/.ssh`` are not touched.
"""

from __future__ import annotations

import getpass
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .daemons import DaemonSupervisor, wait_until
from .system import ensure_packages, require_root, run, succeeds

PACKAGES = ("openssh-server", "openssh-client")
SSHD = "/usr/sbin/sshd"
HOST = "127.0.0.1"

_CONFIG = """\
ListenAddress {host}
Port {port}
HostKey {dir}/host_ed25519
PidFile {dir}/sshd.pid
AuthorizedKeysFile {dir}/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# The keys sit in a temporary directory that is not root's home.
StrictModes no
Subsystem sftp internal-sftp
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class SshServer:
    """Where and how to log in: ``ssh -i client_key -p port user@host`` (see ``ssh_options``)."""

    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="qtk-sshd-")))
    host: str = HOST
    port: int = field(default_factory=free_port)
    user: str = field(default_factory=getpass.getuser)
    supervisor: DaemonSupervisor = field(default_factory=DaemonSupervisor)

    @property
    def client_key(self) -> Path:
        """The private key that root's login accepts (ed25519, no passphrase)."""
        return self.directory / "client_ed25519"

    @property
    def known_hosts(self) -> Path:
        """A known_hosts file holding this server's host key."""
        return self.directory / "known_hosts"

    def ssh_options(self) -> list[str]:
        """Options for the ``ssh`` command line that log in without any prompt."""
        return [
            "-i",
            str(self.client_key),
            "-p",
            str(self.port),
            "-o",
            f"UserKnownHostsFile={self.known_hosts}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
        ]

    def start(self) -> None:
        """Generate keys and configuration, start sshd, return once a key login works."""
        require_root("starting sshd on a private port with root login")
        ensure_packages(PACKAGES)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation directory
        self.directory.chmod(0o700)
        host_key = self.directory / "host_ed25519"
        for key in (host_key, self.client_key):
            run(
                [
                    "ssh-keygen",
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    "qtk-integration",
                    "-f",
                    str(key),
                ]
            )
        public = self.client_key.with_suffix(".pub").read_text()
        (self.directory / "authorized_keys").write_text(public)
        host_public = host_key.with_suffix(".pub").read_text().split()
        self.known_hosts.write_text(
            f"[{self.host}]:{self.port} {host_public[0]} {host_public[1]}\n"
        )
        config = self.directory / "sshd_config"
        config.write_text(_CONFIG.format(host=self.host, port=self.port, dir=self.directory))
        run([SSHD, "-t", "-f", str(config)])
        name = f"sshd-{self.port}"
        self.supervisor.start(name, [SSHD, "-D", "-e", "-f", str(config), "-p", str(self.port)])
        wait_until(
            self.login_works,
            what=f"a key login to {self.user}@{self.host}:{self.port}",
            detail=lambda: self.supervisor.log_tail(name),
        )

    def login_works(self) -> bool:
        """Whether ``ssh ... true`` succeeds now."""
        argv = ["ssh", *self.ssh_options(), f"{self.user}@{self.host}", "true"]
        return succeeds(argv)

    def stop(self) -> None:
        """Stop the server (by pid) and remove its keys."""
        self.supervisor.stop_all()
        for path in sorted(self.directory.iterdir()):
            path.unlink()
        self.directory.rmdir()
