"""The commands RemoteHost sends over SSH (the real sshd runs in tests/integration)."""

from __future__ import annotations

import io
import json
import shlex
from dataclasses import dataclass, field
from typing import Any

import fabric  # type: ignore[import-untyped]
import pytest

from qtoolkit.host.remote import RemoteConfig, RemoteHost


@dataclass
class Result:
    stdout: str = "out"
    stderr: str = "err"
    exited: int = 0


@dataclass
class RecordingConnection:
    """Stands in for fabric.Connection: records what RemoteHost asks of it."""

    exited: int = 0
    runs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    puts: list[tuple[bytes, str]] = field(default_factory=list)
    closed: int = 0

    def run(self, command: str, **kwargs: Any) -> Result:
        self.runs.append((command, kwargs))
        return Result(exited=self.exited)

    def put(self, local: io.BytesIO, remote: str) -> object:
        self.puts.append((local.read(), remote))
        return None

    def close(self) -> None:
        self.closed += 1


@pytest.fixture
def connection() -> RecordingConnection:
    return RecordingConnection()


def make_host(connection: RecordingConnection, **config: Any) -> RemoteHost:
    host = RemoteHost(RemoteConfig(root_dir="/", host="cluster.example", **config))
    host._connection = connection
    return host


def test_fabric_connection_gets_every_setting() -> None:
    gateway = fabric.Connection("gateway.example")
    config = RemoteConfig(
        root_dir="/",
        host="cluster.example",
        user="me",
        port=2222,
        gateway=gateway,
        forward_agent=True,
        connect_timeout=7,
        connect_kwargs={"key_filename": "/keys/id"},
        inline_ssh_env=False,
    )
    connection = RemoteHost(config).connection
    assert isinstance(connection, fabric.Connection)
    assert (connection.host, connection.user, connection.port) == ("cluster.example", "me", 2222)
    assert connection.gateway is gateway
    assert connection.forward_agent is True
    assert connection.connect_timeout == 7
    # fabric keeps key_filename as a list.
    assert connection.connect_kwargs == {"key_filename": ["/keys/id"]}
    assert connection.inline_ssh_env is False
    assert isinstance(config.config, fabric.Config)


def test_string_runs_in_a_quoted_login_shell(connection: RecordingConnection) -> None:
    host = make_host(connection)
    assert host.execute("squeue -u $USER | wc -l") == ("out", "err", 0)
    [(command, kwargs)] = connection.runs
    assert command == "bash -l -c 'exec </dev/null\nsqueue -u $USER | wc -l'"
    assert kwargs == {"hide": True, "warn": True, "in_stream": False, "pty": False}


def test_list_is_quoted_word_by_word_and_workdir_quoted(connection: RecordingConnection) -> None:
    host = make_host(connection)
    host.execute(["printf", "%s", "it's $(here)"], "/scratch/a b")
    [(command, _)] = connection.runs
    *shell, script = shlex.split(command)
    assert shell == ["bash", "-l", "-c"]
    assert script == "exec </dev/null\ncd '/scratch/a b' || exit\nprintf %s 'it'\"'\"'s $(here)'"


def test_shell_settings(connection: RecordingConnection) -> None:
    make_host(connection, login_shell=False).execute("true")
    make_host(connection, shell_cmd="zsh -f").execute("true")
    make_host(connection, shell_cmd=None).execute("true", "/tmp")
    assert [command for command, _ in connection.runs] == [
        "bash -c 'exec </dev/null\ntrue'",
        "zsh -f -l -c 'exec </dev/null\ntrue'",
        "exec </dev/null\ncd /tmp || exit\ntrue",
    ]


@pytest.mark.parametrize(
    ("recursive", "exist_ok", "command"),
    [
        (True, True, "mkdir -p -- '/a b'"),
        (True, False, "[ ! -e '/a b' ] && mkdir -p -- '/a b'"),
        (False, True, "[ -d '/a b' ] || mkdir -- '/a b'"),
        (False, False, "mkdir -- '/a b'"),
    ],
)
def test_mkdir_commands(
    connection: RecordingConnection, recursive: bool, exist_ok: bool, command: str
) -> None:
    host = make_host(connection, shell_cmd=None)
    assert host.mkdir("/a b", recursive=recursive, exist_ok=exist_ok) is True
    connection.exited = 1
    assert host.mkdir("/a b", recursive=recursive, exist_ok=exist_ok) is False
    assert [run for run, _ in connection.runs] == [f"exec </dev/null\n{command}"] * 2


def test_write_text_file_sends_utf8_bytes(connection: RecordingConnection) -> None:
    make_host(connection).write_text_file("dir/submit.sh", "echo ☃\n")
    assert connection.puts == [("echo ☃\n".encode(), "dir/submit.sh")]


def test_close_closes_the_connection(connection: RecordingConnection) -> None:
    host = make_host(connection)
    host.close()
    assert connection.closed == 1


def test_a_remote_host_document_round_trips_through_json() -> None:
    host = RemoteHost(
        RemoteConfig(root_dir="/home/ada", host="cluster.example", user="ada", port=2222)
    )
    document = host.as_dict()
    settings = document["config"]
    assert (document["@class"], settings["@class"]) == ("RemoteHost", "RemoteConfig")
    # A default fabric.Config is written as None, so that JSON can hold the document.
    assert settings["config"] is None
    copy = RemoteHost.from_dict(json.loads(json.dumps(document)))
    assert isinstance(copy.config.config, fabric.Config)
    assert (copy.config.host, copy.config.user, copy.config.port) == (
        "cluster.example",
        "ada",
        2222,
    )
    assert copy.config.root_dir == "/home/ada"
    assert isinstance(copy.connection, fabric.Connection)
    assert copy.connection.host == "cluster.example"
    assert copy.as_dict() == document


def test_a_customized_fabric_config_is_written_as_it_is() -> None:
    custom = fabric.Config(overrides={"run": {"warn": True}})
    settings = RemoteConfig(root_dir="/", host="cluster.example", config=custom)
    assert settings.as_dict()["config"] is custom
    assert isinstance(RemoteConfig(root_dir="/", host="h", config=None).config, fabric.Config)
