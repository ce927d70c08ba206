"""MSON documents of hosts, host settings and queue managers, as upstream qtoolkit writes them."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from monty.json import MontyDecoder, MontyEncoder

from qtoolkit.core.data_objects import QResources
from qtoolkit.core.mson import json_default
from qtoolkit.host.base import BaseHost, HostConfig
from qtoolkit.host.local import LocalHost
from qtoolkit.io import PBSIO, SGEIO, BaseSchedulerIO, ShellIO, SlurmIO
from qtoolkit.io.sge_accounting import SGEAccounting
from qtoolkit.io.slurm_accounting import SlurmAccounting
from qtoolkit.manager import QueueManager

# Recorded by upstream qtoolkit 0.1.7 and monty (nox -s upstream_oracle).
UPSTREAM: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "upstream" / "manager-mson-0.1.7.json").read_text("utf-8")
)
OUR_VERSION = version("qtoolkit-msgspec")
CLASSES: dict[str, type[Any]] = {
    "LocalHost": LocalHost,
    "HostConfig": HostConfig,
    "QueueManager": QueueManager,
}


def as_json(obj: Any) -> Any:
    """The document as JSON holds it (a Path as monty's pathlib document)."""
    return json.loads(json.dumps(obj.as_dict(), default=json_default))


def as_upstream_writes(document: Any) -> Any:
    """``document`` with upstream's version and without the accounting upstream's manager lacks."""
    if isinstance(document, dict):
        return {
            key: "0.1.7" if key == "@version" else as_upstream_writes(value)
            for key, value in document.items()
            if key != "accounting"
        }
    return document


@pytest.mark.parametrize("name", sorted(UPSTREAM))
def test_upstream_documents_read_back_into_objects_written_the_same(name: str) -> None:
    document = UPSTREAM[name]
    obj = CLASSES[document["@class"]].from_dict(document)
    assert type(obj).__name__ == document["@class"]
    assert as_upstream_writes(as_json(obj)) == document


def test_a_manager_document_holds_its_io_host_and_accounting() -> None:
    manager = QueueManager(SlurmIO(split_separator="|#|"), LocalHost(HostConfig(Path("/scratch"))))
    assert as_json(manager) == {
        "@module": "qtoolkit.manager",
        "@class": "QueueManager",
        "@version": OUR_VERSION,
        "scheduler_io": {
            "@module": "qtoolkit.io.slurm",
            "@class": "SlurmIO",
            "@version": OUR_VERSION,
            "get_job_executable": "scontrol",
            "split_separator": "|#|",
        },
        "host": {
            "@module": "qtoolkit.host.local",
            "@class": "LocalHost",
            "@version": OUR_VERSION,
            "config": {
                "@module": "qtoolkit.host.base",
                "@class": "HostConfig",
                "@version": OUR_VERSION,
                "root_dir": {"@module": "pathlib", "@class": "Path", "string": "/scratch"},
            },
        },
        "accounting": {
            "@module": "qtoolkit.io.slurm_accounting",
            "@class": "SlurmAccounting",
            "@version": OUR_VERSION,
        },
    }


@pytest.mark.parametrize(
    ("scheduler_io", "accounting"),
    [(SlurmIO("sacct", "||"), SlurmAccounting), (SGEIO(), SGEAccounting), (ShellIO(True), None)],
)
def test_a_manager_round_trips_through_json(
    scheduler_io: BaseSchedulerIO[Any], accounting: type[Any] | None
) -> None:
    manager = QueueManager(scheduler_io, LocalHost(HostConfig("/work")))
    copy = QueueManager.from_dict(as_json(manager))
    assert type(copy.scheduler_io) is type(scheduler_io)
    assert copy.scheduler_io.as_dict() == scheduler_io.as_dict()
    assert isinstance(copy.host, LocalHost)
    assert copy.host.config == HostConfig("/work")
    if accounting is None:
        assert copy.accounting is None
    else:
        assert type(copy.accounting) is accounting
    assert as_json(copy) == as_json(manager)


def test_monty_writes_and_reads_the_same_documents() -> None:
    manager = QueueManager(PBSIO(), LocalHost(HostConfig(Path("/home/ada"))))
    text = json.dumps(manager, cls=MontyEncoder)
    assert json.loads(text) == as_json(manager)
    copy = MontyDecoder().decode(text)
    assert isinstance(copy, QueueManager)
    assert isinstance(copy.scheduler_io, PBSIO)
    assert copy.host.config == HostConfig(Path("/home/ada"))


class LabelledHost(LocalHost):
    """A user's host with a setting of its own."""

    def __init__(self, config: HostConfig | None = None, label: str = "") -> None:
        super().__init__(config)
        self.label = label


def test_a_user_host_class_round_trips_inside_a_manager() -> None:
    manager = QueueManager(ShellIO(), LabelledHost(label="cluster β"))
    document = as_json(manager)
    assert document["host"]["@class"] == "LabelledHost"
    assert document["host"]["@module"] == __name__
    copy = QueueManager.from_dict(document)
    assert isinstance(copy.host, LabelledHost)
    assert copy.host.label == "cluster β"


def test_a_data_object_argument_is_read_back_as_that_object() -> None:
    class ResourcedHost(LocalHost):
        def __init__(self, config: HostConfig | None = None, defaults: Any = None) -> None:
            super().__init__(config)
            self.defaults = defaults

    host = ResourcedHost(defaults=QResources(processes=4, time_limit=600))
    copy = BaseHost.from_dict(as_json(host))
    assert isinstance(copy, ResourcedHost)
    assert copy.defaults == QResources(processes=4, time_limit=600)


def test_a_document_of_another_kind_is_refused() -> None:
    with pytest.raises(ValueError, match=r"qtoolkit\.host\.local\.LocalHost is not a QueueManager"):
        QueueManager.from_dict(LocalHost().as_dict())
    with pytest.raises(ValueError, match="is not a BaseSchedulerIO"):
        BaseSchedulerIO.from_dict(QueueManager(SlurmIO()).as_dict())
    with pytest.raises(ValueError, match=r"QueueManager takes no argument 'hosts'"):
        QueueManager.from_dict({"scheduler_io": SlurmIO().as_dict(), "hosts": None})


def test_a_nested_document_naming_an_undefined_class_is_refused_never_imported(
    tmp_path: Path,
) -> None:
    (tmp_path / "evil_host.py").write_text("raise SystemExit('imported!')\n")
    script = (
        "import sys\n"
        "from qtoolkit.manager import QueueManager\n"
        "from qtoolkit.io import SlurmIO\n"
        "document = {'scheduler_io': SlurmIO().as_dict(),\n"
        "            'host': {'@module': 'evil_host', '@class': 'Host'}}\n"
        "try:\n"
        "    QueueManager.from_dict(document)\n"
        "except ValueError as exc:\n"
        "    print(exc)\n"
        "print('evil_host' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [
        "evil_host.Host is not a class defined in this program: "
        "import the module defining it first (a document never imports one)",
        "False",
    ]
