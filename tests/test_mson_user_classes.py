"""MSON for the classes a user defines: a scheduler's sub-state, an enum, a data object."""

from __future__ import annotations

import gc
import sys
import types
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from monty.json import MSONable

from qtoolkit import QJob, QResources, QState, QSubState
from qtoolkit.core import mson
from qtoolkit.core.base import QTKEnum, QTKObject

if TYPE_CHECKING:
    from collections.abc import Iterator


class LsfState(QSubState):
    """A scheduler this package does not ship, added by a user."""

    PENDING = "PEND", "PSUSP"
    RUNNING = "RUN"
    DONE = "DONE"

    @property
    def qstate(self) -> QState:
        return QState.DONE if self is LsfState.DONE else QState.QUEUED


class Color(QTKEnum):
    RED = "red"


class Site(QTKObject):
    name: str | None = None
    resources: QResources | None = None


def test_a_user_sub_state_reads_back_its_own_document() -> None:
    document = LsfState("PSUSP").as_dict()
    assert document["@module"] == __name__
    assert document["@class"] == "LsfState"
    assert document["value"] == "PEND"
    assert LsfState.from_dict(document) is LsfState.PENDING
    assert QSubState.from_dict(document) is LsfState.PENDING


def test_a_job_of_a_user_scheduler_round_trips() -> None:
    job = QJob(job_id="7", state=QState.RUNNING, sub_state=LsfState.RUNNING)
    back = QJob.from_dict(job.as_dict())
    assert back == job
    assert back.sub_state is LsfState.RUNNING


def test_a_plain_dict_may_hold_a_user_sub_state_member() -> None:
    job = QJob.from_dict({"job_id": "1", "sub_state": LsfState.RUNNING})
    assert job.sub_state is LsfState.RUNNING


def test_user_enums_and_objects_round_trip() -> None:
    assert Color.from_dict(Color.RED.as_dict()) is Color.RED
    site = Site(name="hpc", resources=QResources.same_node(processes=4))
    document = site.as_dict()
    assert document["resources"]["@class"] == "QResources"
    assert Site.from_dict(document) == site
    assert mson.from_dict(document, QTKObject) == site


def test_a_document_naming_a_class_nobody_defined_is_refused() -> None:
    document = {**LsfState.RUNNING.as_dict(), "@class": "PbsProState"}
    with pytest.raises(msgspec.ValidationError, match=r"unknown MSON class `.*\.PbsProState`"):
        QSubState.from_dict(document)
    # A real module and class, but not a qtoolkit class defined in this process.
    with pytest.raises(msgspec.ValidationError, match=r"unknown MSON class `pathlib\.Path`"):
        QJob.from_dict({"@module": "pathlib", "@class": "Path"})


def test_a_document_of_another_class_is_refused() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"expected a `Site` document, got `.*Color`"):
        Site.from_dict(Color.RED.as_dict())


def test_of_two_classes_of_one_name_from_dict_reads_its_own() -> None:
    def define(first: str) -> type[Any]:
        class Twin(QTKEnum):
            A = first

        return Twin

    older, newer = define("a"), define("b")
    assert older.from_dict(older("a").as_dict()) is older("a")
    assert newer.from_dict(newer("b").as_dict()) is newer("b")
    # Read as an unspecified class, the document is ambiguous.
    with pytest.raises(msgspec.ValidationError, match=r"2 classes named `.*Twin` are defined"):
        mson.from_dict(newer("b").as_dict(), QTKEnum)


def test_a_subclass_of_the_same_name_leaves_its_base_readable() -> None:
    def define_base() -> type[Any]:
        class Shared(QTKObject):
            x: int = 0

        return Shared

    base = define_base()

    class Shared(base):  # type: ignore[misc, valid-type]
        y: int = 0

    # Both are `Shared` documents; each class reads as itself.
    assert type(base.from_dict(base(x=1).as_dict())) is base
    assert Shared.from_dict(Shared(x=1, y=2).as_dict()) == Shared(x=1, y=2)
    with pytest.raises(msgspec.ValidationError, match=r"2 classes named `.*Shared` are defined"):
        mson.from_dict(base(x=1).as_dict(), QTKObject)


def test_a_class_defined_in_a_function_is_forgotten_with_it() -> None:
    def define() -> dict[str, Any]:
        class Ephemeral(QTKObject):
            x: int = 0

        return Ephemeral(x=1).as_dict()

    document = define()
    gc.collect()
    assert (__name__, "Ephemeral") not in mson.mson_classes()
    with pytest.raises(msgspec.ValidationError, match=r"unknown MSON class"):
        mson.from_dict(document, QTKObject)


@pytest.fixture
def versioned_package() -> Iterator[str]:
    """A package ``userpkg`` with a ``__version__``, as if installed and imported."""
    package = types.ModuleType("userpkg")
    package.__version__ = "2.5.1"  # type: ignore[attr-defined]
    sys.modules["userpkg"] = package
    yield "userpkg.schedulers"
    del sys.modules["userpkg"]


def test_version_is_the_class_s_package_version_as_monty_writes_it(versioned_package: str) -> None:
    namespace: dict[str, Any] = {"__name__": versioned_package}
    exec(  # a class defined in another package, as a user's would be
        "from monty.json import MSONable\n"
        "from qtoolkit.core.base import QTKEnum\n"
        "class Flavour(QTKEnum):\n"
        "    SWEET = 'sweet'\n"
        "class MontyFlavour(MSONable):\n"
        "    pass\n",
        namespace,
    )
    written = namespace["Flavour"].SWEET.as_dict()
    assert written["@module"] == "userpkg.schedulers"
    assert written["@version"] == namespace["MontyFlavour"]().as_dict()["@version"] == "2.5.1"


def test_version_is_none_for_a_package_without_one() -> None:
    # This test module has no package with a __version__; monty writes None for it too.
    class Local(MSONable):
        pass

    assert LsfState.DONE.as_dict()["@version"] is Local().as_dict()["@version"] is None
