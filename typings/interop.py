"""Typing contract of MSON documents, builtins and JSON Schema (checked, never run)."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from qtoolkit.core import mson
from qtoolkit.core.codecs import from_builtins, to_builtins
from qtoolkit.core.data_objects import QJob, QResources, QState, SubmissionResult
from qtoolkit.core.schema import json_schema, json_schemas
from qtoolkit.io.slurm import SlurmState

# from_dict returns the class it is called on...
assert_type(QResources.from_dict({"processes": 2}), QResources)
# ...except a QJob's: its scheduler comes from the document, whatever the alias called.
assert_type(QJob.from_dict({}), QJob[Any])
assert_type(QJob[SlurmState].from_dict({}), QJob[Any])
assert_type(mson.from_dict({}, QJob[SlurmState]), QJob[SlurmState])
assert_type(QState.from_dict({"value": "DONE"}), QState)
assert_type(SlurmState.from_dict({"value": "PD"}), SlurmState)
assert_type(SubmissionResult.from_dict({}), SubmissionResult)
assert_type(QResources().as_dict(), dict[str, Any])
assert_type(QState.DONE.as_dict(), dict[str, Any])
QResources.from_dict(["processes", 2])  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]

# Database documents.
document = to_builtins(QJob[SlurmState](job_id="1"))
assert_type(from_builtins(document, type=QJob[SlurmState]), QJob[SlurmState])
assert_type(from_builtins(document, type=list[QResources]), list[QResources])

# Schemas.
assert_type(json_schema("QJob[SlurmState]"), dict[str, Any])
assert_type(json_schemas(), dict[str, Any])
json_schema(QResources)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
