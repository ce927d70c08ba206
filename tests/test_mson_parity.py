"""Golden MSON documents written by upstream qtoolkit 0.1.7 read and re-write identically.

The documents were recorded by running upstream (``nox -s upstream_oracle``); ``nox -s interop``
checks the other direction, upstream reading the documents this package writes.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from qtoolkit import __version__
from qtoolkit.core import data_objects
from qtoolkit.core.data_objects import QJob, QResources
from qtoolkit.core.mson import json_default
from qtoolkit.io import SUB_STATES
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.slurm import SlurmState

GOLDEN = json.loads(
    (Path(__file__).parent / "data" / "upstream" / "mson-0.1.7.json").read_text(encoding="utf-8")
)
CLASSES: dict[str, type[Any]] = {
    **{name: getattr(data_objects, name) for name in data_objects.__all__},
    **{states.__name__: states for states in SUB_STATES.values()},
}


def without_version(document: Any) -> Any:
    if isinstance(document, dict):
        return {k: without_version(v) for k, v in document.items() if k != "@version"}
    if isinstance(document, list):
        return [without_version(item) for item in document]
    return document


def test_the_golden_set_covers_every_class() -> None:
    assert {record["class"] for record in GOLDEN} == set(CLASSES) - {"QSubState"}
    assert all(record["document"]["@version"] == "0.1.7" for record in GOLDEN)


@pytest.mark.parametrize("record", GOLDEN, ids=lambda record: record["name"])
def test_upstream_documents_read_and_rewrite_identically(record: dict[str, Any]) -> None:
    cls = CLASSES[record["class"]]
    obj = cls.from_dict(record["document"])
    assert type(obj) is cls
    rewritten = json.loads(json.dumps(obj.as_dict(), default=json_default))
    assert without_version(rewritten) == without_version(record["document"])
    assert cls.from_dict(rewritten) == obj


def golden(name: str) -> Any:
    record = next(r for r in GOLDEN if r["name"] == name)
    return CLASSES[record["class"]].from_dict(record["document"])


def test_decoded_values() -> None:
    job = golden("job_slurm_alias")
    assert isinstance(job, QJob)
    assert job.sub_state is SlurmState.PENDING
    assert golden("job_pbs").sub_state is PBSState.HELD
    assert golden("job_slurm_full").name == "relax-Si₂ ✓"
    assert golden("job_slurm_signal").exit_status == -9
    resources = golden("resources_scattered_paths")
    assert isinstance(resources, QResources)
    assert resources.output_filepath == Path("/scratch/run/out.log")
    assert isinstance(resources.output_filepath, Path)
    kwargs = golden("resources_same_node_kwargs").scheduler_kwargs
    assert kwargs["nested"] == {"list": [1, 2.5, None, True], "dict": {"a": "b"}}
    assert kwargs["path"] == Path("/opt/modules")
    assert golden("resources_named").output_filepath == "out.log"
    assert golden("state_slurm_alias") is SlurmState.COMPLETED


def recorded_cases() -> dict[str, Any]:
    """The cases upstream's golden documents were written from, built with this package."""
    script = Path(__file__).parent / "upstream" / "record_mson.py"
    spec = importlib.util.spec_from_file_location("record_mson", script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cases: dict[str, Any] = module.cases()
    return cases


def test_this_package_writes_upstream_s_documents_for_equal_objects() -> None:
    ours = recorded_cases()
    assert set(ours) == {record["name"] for record in GOLDEN}
    for record in GOLDEN:
        written = json.loads(json.dumps(ours[record["name"]].as_dict(), default=json_default))
        assert written["@version"] == __version__
        assert without_version(written) == without_version(record["document"]), record["name"]
