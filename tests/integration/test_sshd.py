"""The ssh server the remote-host tests log in to: key login as root on 127.0.0.1 only."""

from __future__ import annotations

from pathlib import Path

from .services import SshServer
from .services.system import run


def test_key_login_runs_a_command(ssh_server: SshServer) -> None:
    result = run(
        ["ssh", *ssh_server.ssh_options(), f"{ssh_server.user}@{ssh_server.host}", "echo $((6*7))"]
    )
    assert result.stdout == "42\n"


def test_login_without_the_key_is_refused(ssh_server: SshServer) -> None:
    options = [o for o in ssh_server.ssh_options() if o != str(ssh_server.client_key)]
    options.remove("-i")
    argv = [
        "ssh",
        *options,
        "-o",
        "IdentityFile=/dev/null",
        f"{ssh_server.user}@{ssh_server.host}",
        "true",
    ]
    result = run(argv, check=False)
    assert result.returncode == 255
    assert "Permission denied" in result.stderr


def _listening(table: str, port: int) -> set[str]:
    """Local addresses (kernel hex) listening on ``port`` in /proc/net/<table>."""
    lines = Path("/proc/net", table).read_text().splitlines()[1:]
    fields = [line.split() for line in lines]
    return {
        f[1].split(":")[0] for f in fields if f[3] == "0A" and int(f[1].split(":")[1], 16) == port
    }


def test_listens_on_loopback_only(ssh_server: SshServer) -> None:
    assert _listening("tcp", ssh_server.port) == {"0100007F"}  # 127.0.0.1, little-endian hex
    assert _listening("tcp6", ssh_server.port) == set()
