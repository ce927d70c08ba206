"""monty's MontyEncoder, MontyDecoder and jsanitize work with these objects by duck typing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from monty.json import MontyDecoder, MontyEncoder, jsanitize

from qtoolkit.core.base import QTKEnum, QTKObject
from qtoolkit.core.codecs import to_builtins
from qtoolkit.core.data_objects import (
    CancelResult,
    CancelStatus,
    ProcessPlacement,
    QJob,
    QJobInfo,
    QResources,
    QState,
    SubmissionResult,
)
from qtoolkit.io.sge import SGEState
from qtoolkit.io.slurm import SlurmState

VALUES: list[Any] = [
    QJob(job_id="1", state=QState.RUNNING, sub_state=SlurmState("R"), info=QJobInfo(cpus=4)),
    QJob(sub_state=SGEState.HOLD),
    QResources.scattered(4, output_filepath=Path("/o.log"), scheduler_kwargs={"p": Path("/x")}),
    QResources.evenly_distributed(2, 8, queue_name="debug"),
    SubmissionResult(job_id=3),
    CancelResult(status=CancelStatus.FAILED),
    QState.SUSPENDED,
    ProcessPlacement.SCATTERED,
    SlurmState.PENDING,
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_monty_encoder_and_decoder_round_trip(value: QTKObject | QTKEnum) -> None:
    text = json.dumps(value, cls=MontyEncoder)
    decoded = json.loads(text, cls=MontyDecoder)
    assert decoded == value
    assert type(decoded) is type(value)
    assert json.loads(text) == json.loads(json.dumps(value.as_dict(), cls=MontyEncoder))


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_jsanitize_writes_the_mson_document(value: QTKObject | QTKEnum) -> None:
    sanitized = jsanitize(value, strict=True)
    assert sanitized["@module"] == type(value).__module__
    assert sanitized["@class"] == type(value).__name__
    # jsanitize writes paths as plain strings (for upstream's objects too): the same data.
    assert to_builtins(type(value).from_dict(sanitized)) == to_builtins(value)
    json.dumps(sanitized)


def test_documents_nested_in_a_workflow_record() -> None:
    record = {"resources": QResources.no_constraints(2), "states": [QState.DONE, QState.FAILED]}
    decoded = json.loads(json.dumps(record, cls=MontyEncoder), cls=MontyDecoder)
    assert decoded == record
