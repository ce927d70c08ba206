"""``model_dump()`` in python mode gives what upstream qtoolkit 0.1.7 gives there.

The expectations are upstream's observed output: qtoolkit 0.1.7 with monty 2026.10.21 and
pydantic 2.14.4, in a venv of their own, dumping a model with a field of each type. Upstream's
objects are dataclasses, which pydantic dumps as ``dataclasses.asdict`` does: a dict of every
field, ``None`` included, nested objects as dicts, enum members and paths kept as they are.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

import pydantic

from qtoolkit.core.data_objects import ProcessPlacement, QJob, QJobInfo, QResources, QState
from qtoolkit.io.slurm import SlurmState


class WithResources(pydantic.BaseModel):
    resources: QResources


class WithState(pydantic.BaseModel):
    state: QState


class WithJob(pydantic.BaseModel):
    job: QJob


class WithSlurmJob(pydantic.BaseModel):
    job: QJob[SlurmState]


_UNSET_RESOURCES: dict[str, Any] = {
    "queue_name": None,
    "job_name": None,
    "memory_per_thread": None,
    "nodes": None,
    "processes": None,
    "processes_per_node": None,
    "threads_per_process": None,
    "gpus_per_job": None,
    "time_limit": None,
    "account": None,
    "qos": None,
    "priority": None,
    "output_filepath": None,
    "error_filepath": None,
    "process_placement": None,
    "email_address": None,
    "rerunnable": None,
    "project": None,
    "njobs": None,
    "scheduler_kwargs": None,
}


def test_resources_dump_as_upstream_s_dict_of_every_field() -> None:
    dumped = WithResources(resources=QResources(processes=4)).model_dump()
    # upstream: {'resources': {'queue_name': None, ..., 'processes': 4, ...,
    #   'process_placement': <ProcessPlacement.NO_CONSTRAINTS: 'NO_CONSTRAINTS'>, ...,
    #   'scheduler_kwargs': {}}}
    expected = {
        **_UNSET_RESOURCES,
        "processes": 4,
        "process_placement": ProcessPlacement.NO_CONSTRAINTS,
        "scheduler_kwargs": {},
    }
    assert dumped == {"resources": expected}
    assert list(dumped["resources"]) == list(_UNSET_RESOURCES)  # upstream's field order
    assert dumped["resources"]["process_placement"] is ProcessPlacement.NO_CONSTRAINTS


def test_resources_keep_paths_and_copy_scheduler_kwargs() -> None:
    resources = QResources(
        processes=4, output_filepath=Path("/tmp/o.txt"), scheduler_kwargs={"a": [1, 2]}
    )
    dumped = WithResources(resources=resources).model_dump()["resources"]
    # upstream: 'output_filepath': PosixPath('/tmp/o.txt'), 'scheduler_kwargs': {'a': [1, 2]}
    assert isinstance(dumped["output_filepath"], PurePath)
    assert dumped["output_filepath"] == Path("/tmp/o.txt")
    assert dumped["scheduler_kwargs"] == {"a": [1, 2]}
    dumped["scheduler_kwargs"]["a"].append(3)
    assert resources.scheduler_kwargs == {"a": [1, 2]}


def test_a_state_dumps_as_its_member() -> None:
    # upstream: {'state': <QState.RUNNING: 'RUNNING'>}, and {'state': 'RUNNING'} in JSON mode
    assert WithState(state=QState.RUNNING).model_dump() == {"state": QState.RUNNING}
    assert WithState(state=QState.RUNNING).model_dump()["state"] is QState.RUNNING
    assert WithState(state=QState.RUNNING).model_dump(mode="json") == {"state": "RUNNING"}


def test_a_job_dumps_as_a_dict_with_its_info_a_dict_and_its_states_members() -> None:
    job = QJob(name="a", job_id="12", state=QState.RUNNING, info=QJobInfo(nodes=1))
    # upstream: {'job': {'name': 'a', 'job_id': '12', 'exit_status': None,
    #   'state': <QState.RUNNING: 'RUNNING'>, 'sub_state': None, 'info': {'memory': None,
    #   'memory_per_cpu': None, 'nodes': 1, 'cpus': None, 'threads_per_process': None,
    #   'time_limit': None}, 'account': None, 'runtime': None, 'queue_name': None,
    #   'username': None}}
    expected = {
        "name": "a",
        "job_id": "12",
        "exit_status": None,
        "state": QState.RUNNING,
        "sub_state": None,
        "info": {
            "memory": None,
            "memory_per_cpu": None,
            "nodes": 1,
            "cpus": None,
            "threads_per_process": None,
            "time_limit": None,
        },
        "account": None,
        "runtime": None,
        "queue_name": None,
        "username": None,
    }
    dumped = WithJob(job=job).model_dump()
    assert dumped == {"job": expected}
    assert list(dumped["job"]) == list(expected)


def test_a_job_s_sub_state_stays_its_member() -> None:
    job = QJob(name="a", job_id="12", state=QState.RUNNING, sub_state=SlurmState.RUNNING)
    # upstream: 'sub_state': <SlurmState.RUNNING: 'RUNNING', 'R'>, and 'RUNNING' in JSON mode
    for model in (WithJob(job=job), WithSlurmJob(job=job)):
        dumped = model.model_dump()["job"]
        assert dumped["sub_state"] is SlurmState.RUNNING
        assert dumped["state"] is QState.RUNNING
        assert dumped["info"] is None
    # And the dict validates back into the same job.
    assert WithSlurmJob.model_validate(WithSlurmJob(job=job).model_dump()).job == job
    assert WithJob.model_validate(WithJob(job=job).model_dump()).job == job
