"""LocalHost runs real commands; qtoolkit.host.remote says which extra it needs."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from qtoolkit.host import BaseHost, HostConfig, LocalHost


def test_string_command_goes_through_the_shell(tmp_path: Path) -> None:
    stdout, stderr, code = LocalHost().execute("echo out; echo err >&2; exit 3", tmp_path)
    assert (stdout, stderr, code) == ("out\n", "err\n", 3)


def test_list_command_passes_each_word_as_one_argument(tmp_path: Path) -> None:
    word = "a b; echo injected $(id) 'q'"
    stdout, stderr, code = LocalHost().execute(["printf", "%s|", word, "é"], tmp_path)
    assert (stdout, stderr, code) == (f"{word}|é|", "", 0)


def test_workdir_is_where_the_command_runs_and_this_process_stays_put(tmp_path: Path) -> None:
    before = Path.cwd()
    stdout, _, _ = LocalHost().execute("pwd", tmp_path)
    assert Path(stdout.strip()) == tmp_path.resolve()
    assert Path.cwd() == before


def test_default_workdir_is_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    stdout, _, _ = LocalHost().execute(["pwd"])
    assert Path(stdout.strip()) == tmp_path.resolve()


def test_undecodable_output_is_replaced_not_fatal(tmp_path: Path) -> None:
    stdout, _, code = LocalHost().execute(r"printf 'a\377b'", tmp_path)
    assert (stdout, code) == ("a\ufffdb", 0)


def test_mkdir_reports_what_happened(tmp_path: Path) -> None:
    host = LocalHost()
    nested = tmp_path / "a" / "b"
    assert host.mkdir(nested, recursive=False) is False
    assert not nested.exists()
    assert host.mkdir(nested) is True
    assert nested.is_dir()
    assert host.mkdir(nested, exist_ok=True) is True
    assert host.mkdir(nested, exist_ok=False) is False
    assert host.mkdir(tmp_path / "c", recursive=False, exist_ok=False) is True


def test_write_text_file_writes_utf8_and_replaces(tmp_path: Path) -> None:
    host = LocalHost()
    target = tmp_path / "submit.script"
    host.write_text_file(target, "old content that is longer")
    host.write_text_file(str(target), "#!/bin/bash\necho ☃\n")
    assert target.read_bytes() == "#!/bin/bash\necho ☃\n".encode()


def test_host_config_is_kept() -> None:
    config = HostConfig(root_dir="/scratch")
    assert LocalHost(config).config is config
    assert LocalHost().config is None


def test_base_host_is_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        BaseHost()  # type: ignore[abstract]


def test_remote_module_names_the_extra_when_fabric_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "fabric", None)
    monkeypatch.delitem(sys.modules, "qtoolkit.host.remote", raising=False)
    with pytest.raises(ModuleNotFoundError, match=r"qtoolkit-msgspec\[remote\]") as info:
        importlib.import_module("qtoolkit.host.remote")
    assert info.value.name == "fabric"
