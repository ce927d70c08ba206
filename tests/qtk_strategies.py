"""Hypothesis strategies for every public qtoolkit type: valid objects of every shape.

Values reach the edges: unicode and empty strings, the largest 64-bit integers, every sub-state
alias, Path and str path fields, nested ``scheduler_kwargs``, sparse and full objects, empty and
long snapshots. Every object obeys the decoding constraints, so it must survive any round trip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from qtoolkit.core.data_objects import (
    CancelResult,
    CancelStatus,
    OperationResult,
    ProcessPlacement,
    QJob,
    QJobInfo,
    QResources,
    QState,
    QSubState,
    SubmissionResult,
    SubmissionStatus,
)
from qtoolkit.io import SUB_STATES

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
NON_NEGATIVE = st.integers(min_value=0, max_value=2**63 - 1)
# Any unicode but lone surrogates, which no UTF-8 document can hold.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
# Keys of scheduler_kwargs; "@module"/"@class" would make a dict read as an MSON document.
KEYS = TEXT.filter(lambda key: not key.startswith("@"))


def optional(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | values


def sub_state_members(states: type[QSubState]) -> st.SearchStrategy[QSubState]:
    """Members of ``states`` reached through every one of their values."""
    return st.sampled_from([value for member in states for value in member.all_values]).map(states)


job_infos = st.builds(
    QJobInfo,
    memory=optional(NON_NEGATIVE),
    memory_per_cpu=optional(NON_NEGATIVE),
    nodes=optional(NON_NEGATIVE),
    cpus=optional(NON_NEGATIVE),
    threads_per_process=optional(NON_NEGATIVE),
    time_limit=optional(NON_NEGATIVE),
)


def jobs(states: type[QSubState]) -> st.SearchStrategy[QJob[Any]]:
    """Jobs of one scheduler, from empty to fully populated."""
    return st.builds(
        QJob,
        name=optional(TEXT),
        job_id=optional(TEXT),
        exit_status=optional(INT64),
        state=optional(st.sampled_from(QState)),
        sub_state=optional(sub_state_members(states)),
        info=optional(job_infos),
        account=optional(TEXT),
        runtime=optional(NON_NEGATIVE),
        queue_name=optional(TEXT),
        username=optional(TEXT),
    )


schedulers = st.sampled_from(sorted(SUB_STATES))


@st.composite
def snapshots(draw: st.DrawFn, max_size: int = 30) -> tuple[str, list[QJob[Any]]]:
    """A scheduler's name and a list of its jobs."""
    scheduler = draw(schedulers)
    return scheduler, draw(st.lists(jobs(SUB_STATES[scheduler]), max_size=max_size))


json_values = st.recursive(
    st.none() | st.booleans() | INT64 | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)
paths = TEXT | TEXT.map(Path)


def _options() -> dict[str, st.SearchStrategy[Any]]:
    """The fields a factory takes as keywords, each optional."""
    return {
        "queue_name": optional(TEXT),
        "job_name": optional(TEXT),
        "memory_per_thread": optional(NON_NEGATIVE),
        "threads_per_process": optional(NON_NEGATIVE),
        "gpus_per_job": optional(NON_NEGATIVE),
        "time_limit": optional(NON_NEGATIVE),
        "account": optional(TEXT),
        "qos": optional(TEXT),
        "priority": optional(INT64 | TEXT),
        "output_filepath": optional(paths),
        "error_filepath": optional(paths),
        "email_address": optional(TEXT),
        "rerunnable": optional(st.booleans()),
        "project": optional(TEXT),
        "njobs": optional(NON_NEGATIVE),
        "scheduler_kwargs": optional(st.dictionaries(KEYS, json_values, max_size=4)),
    }


@st.composite
def resources(draw: st.DrawFn) -> QResources:
    """QResources from each factory, from the inferred placements, and empty or named only."""
    counts = st.integers(min_value=1, max_value=2**31)
    way = draw(st.sampled_from(["factory", "processes", "nodes", "empty"]))
    if way == "empty":
        return QResources(
            job_name=draw(optional(TEXT)),
            output_filepath=draw(optional(paths)),
            error_filepath=draw(optional(paths)),
        )
    options = draw(st.fixed_dictionaries({}, optional=_options()))
    if way == "processes":
        return QResources(processes=draw(counts), **options)
    if way == "nodes":
        return QResources(nodes=draw(counts), processes_per_node=draw(counts), **options)
    placement = draw(st.sampled_from(ProcessPlacement))
    if placement is ProcessPlacement.EVENLY_DISTRIBUTED:
        return QResources.evenly_distributed(draw(counts), draw(counts), **options)
    factory = {
        ProcessPlacement.NO_CONSTRAINTS: QResources.no_constraints,
        ProcessPlacement.SCATTERED: QResources.scattered,
        ProcessPlacement.SAME_NODE: QResources.same_node,
    }[placement]
    return factory(draw(counts), **options)


def _result_fields() -> dict[str, st.SearchStrategy[Any]]:
    return {
        "job_id": optional(INT64 | TEXT),
        "step_id": optional(INT64),
        "exit_code": optional(INT64),
        "stdout": optional(TEXT),
        "stderr": optional(TEXT),
    }


results: st.SearchStrategy[OperationResult] = (
    st.builds(OperationResult, **_result_fields())
    | st.builds(
        SubmissionResult,
        status=optional(st.sampled_from(SubmissionStatus)),
        **_result_fields(),
    )
    | st.builds(CancelResult, status=optional(st.sampled_from(CancelStatus)), **_result_fields())
)

enum_members = (
    st.sampled_from(QState)
    | st.sampled_from(ProcessPlacement)
    | st.sampled_from(SubmissionStatus)
    | st.sampled_from(CancelStatus)
    | schedulers.flatmap(lambda name: sub_state_members(SUB_STATES[name]))
)


@st.composite
def any_object(draw: st.DrawFn) -> tuple[Any, Any]:
    """Any public value, with the type a decoder needs to read it back."""
    kind = draw(st.sampled_from(["job", "info", "resources", "result", "enum", "snapshot"]))
    if kind == "job":
        scheduler = draw(schedulers)
        states = SUB_STATES[scheduler]
        job_type: Any = QJob
        return draw(jobs(states)), job_type[states]
    if kind == "info":
        return draw(job_infos), QJobInfo
    if kind == "resources":
        return draw(resources()), QResources
    if kind == "result":
        result = draw(results)
        return result, type(result)
    if kind == "enum":
        member = draw(enum_members)
        return member, type(member)
    scheduler, snapshot = draw(snapshots())
    job_type = QJob
    return snapshot, list[job_type[SUB_STATES[scheduler]]]
