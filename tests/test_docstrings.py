"""The reference's documentation travels with the code: class and per-field docstrings."""

from __future__ import annotations

import ast
import inspect
import itertools
import sys

import pytest

from qtoolkit.core import data_objects
from qtoolkit.core.base import QTKObject
from qtoolkit.core.data_objects import QResources, QState, QSubState

STRUCT_NAMES = [
    name
    for name in data_objects.__all__
    if isinstance(getattr(data_objects, name), type)
    and issubclass(getattr(data_objects, name), QTKObject)
]


def field_docstrings(cls: type) -> dict[str, str]:
    """Map each annotated name in the class body to the string literal right after it."""
    tree = ast.parse(inspect.getsource(sys.modules[cls.__module__]))
    body = next(
        node.body
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__
    )
    docs = {}
    for statement, following in itertools.pairwise(body):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            docs[statement.target.id] = following.value.value
    return docs


@pytest.mark.parametrize("name", STRUCT_NAMES)
def test_every_own_field_has_an_attribute_docstring(name: str) -> None:
    cls = getattr(data_objects, name)
    own = [f for f in cls.__annotations__ if not f.startswith("_")]
    assert own, name
    docs = field_docstrings(cls)
    for field in own:
        assert docs.get(field, "").strip(), f"{name}.{field} has no docstring"


def test_reference_field_documentation() -> None:
    assert field_docstrings(QResources)["time_limit"] == "Time limit for the job. In seconds"
    assert field_docstrings(QResources)["memory_per_thread"] == "Memory per thread in MB."
    assert field_docstrings(data_objects.QJob)["sub_state"] == "Standardized job substate."
    assert field_docstrings(data_objects.QJobInfo)["memory"] == "Job memory in Kb."


def test_class_docstrings_carry_the_reference_text() -> None:
    qstate_doc = QState.__doc__ or ""
    assert "drmaa" in qstate_doc.lower()
    for state in QState:
        assert f"{state.name}:" in qstate_doc, state
    assert "resources for a given job" in (QResources.__doc__ or "")
    assert "subclassed" in (QSubState.__doc__ or "")
