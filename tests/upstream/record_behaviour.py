"""Record how upstream qtoolkit 0.1.7 answers, for the parity tests to compare against.

Runs only in a venv holding upstream ``qtoolkit==0.1.7`` (which imports as ``qtoolkit`` too, so it
never shares a venv with this package); regenerate with ``nox -s upstream_oracle``. Upstream is
imported through ``importlib`` so that type checkers of this repository see ``Any``, not this
package. Writes one JSON file:

- ``resources``: ``QResources(**kwargs)`` over a grid of the placement counts, the placement and
  one other field; each outcome is the error class, or the placement chosen, ``scheduler_kwargs``,
  ``check_empty()`` and ``get_processes_distribution()`` (or their error classes). 0.1.7 dropped
  ``check_empty``; it is emulated as 0.1.4 wrote it, on 0.1.7's own ``_check_no_values``.
- ``factories``: the four factories, on QResources and on a subclass, with extra keywords.
- ``substates``: every member of each scheduler's enum: values, ``qstate``, ``repr``.
"""

from __future__ import annotations

import importlib
import itertools
import json
import sys
from typing import Any

data_objects: Any = importlib.import_module("qtoolkit.core.data_objects")
QResources: Any = data_objects.QResources
ProcessPlacement: Any = data_objects.ProcessPlacement

ABSENT = object()
COUNTS = (ABSENT, None, 0, 1, 3)
OTHER_FIELDS: tuple[dict[str, Any], ...] = (
    {},
    {"job_name": "j"},
    {"output_filepath": "out.txt"},
    {"error_filepath": "err.txt"},
    {"queue_name": "q"},
    {"rerunnable": False},
    {"rerunnable": True},
    {"scheduler_kwargs": {}},
    {"scheduler_kwargs": {"x": 1}},
    {"memory_per_thread": 0},
    {"memory_per_thread": 100},
    {"priority": "high"},
)
SCHEDULERS = {
    "slurm": ("qtoolkit.io.slurm", "SlurmState"),
    "pbs": ("qtoolkit.io.pbs", "PBSState"),
    "sge": ("qtoolkit.io.sge", "SGEState"),
    "shell": ("qtoolkit.io.shell", "ShellState"),
}


def error_name(exc: BaseException) -> dict[str, str]:
    return {"error": type(exc).__name__}


def check_empty(resources: Any) -> Any:
    """qtoolkit 0.1.4's ``QResources.check_empty``, which 0.1.7 no longer has."""
    if resources.process_placement is not None:
        return False
    if not resources._check_no_values():
        return {"error": "ValueError"}
    return True


def outcome(build: Any) -> dict[str, Any]:
    try:
        resources = build()
    except Exception as exc:
        return error_name(exc)
    try:
        distribution: Any = resources.get_processes_distribution()
    except Exception as exc:
        distribution = error_name(exc)
    placement = resources.process_placement
    return {
        "type": type(resources).__name__,
        "process_placement": None if placement is None else placement.name,
        "scheduler_kwargs": resources.scheduler_kwargs,
        "check_empty": check_empty(resources),
        "distribution": distribution,
    }


def plain(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The kwargs as JSON: placements by member name."""
    return {k: v.name if isinstance(v, ProcessPlacement) else v for k, v in kwargs.items()}


def resource_cases() -> list[dict[str, Any]]:
    cases = []
    placements = (ABSENT, *ProcessPlacement)
    for nodes, processes, per_node, placement, other in itertools.product(
        COUNTS, COUNTS, COUNTS, placements, OTHER_FIELDS
    ):
        kwargs = {
            name: value
            for name, value in (
                ("nodes", nodes),
                ("processes", processes),
                ("processes_per_node", per_node),
                ("process_placement", placement),
            )
            if value is not ABSENT
        }
        kwargs.update(other)
        cases.append(
            {"kwargs": plain(kwargs), "outcome": outcome(lambda kw=kwargs: QResources(**kw))}
        )
    return cases


class SiteResources(QResources):  # type: ignore[misc]
    """A caller's subclass: factories must build it."""


def factory_cases() -> list[dict[str, Any]]:
    extras: list[dict[str, Any]] = [
        {},
        {"nodes": None},
        {"nodes": 2},
        {"processes_per_node": 2},
        {"processes": 2},
        {"job_name": "j"},
        {"queue_name": "q"},
    ]
    extras += [{"process_placement": member} for member in ProcessPlacement]
    calls: list[tuple[str, tuple[int, ...]]] = [
        (name, (n,)) for name in ("no_constraints", "scattered", "same_node") for n in (0, 1, 3)
    ]
    calls += [("evenly_distributed", (n, p)) for n in (0, 1, 3) for p in (0, 1, 3)]
    cases = []
    for cls, (name, args), extra in itertools.product((QResources, SiteResources), calls, extras):
        factory = getattr(cls, name)
        cases.append(
            {
                "class": cls.__name__,
                "factory": name,
                "args": list(args),
                "kwargs": plain(extra),
                "outcome": outcome(lambda f=factory, a=args, kw=extra: f(*a, **kw)),
            }
        )
    return cases


def substates() -> dict[str, Any]:
    recorded = {}
    for scheduler, (module, name) in SCHEDULERS.items():
        states: Any = getattr(importlib.import_module(module), name)
        recorded[scheduler] = {
            "module": module,
            "class": name,
            "members": [
                {
                    "name": member.name,
                    "value": member.value,
                    "values": list(member._all_values),
                    "qstate": member.qstate.name,
                    "repr": repr(member),
                }
                for member in states
            ],
            "lookups": {value: states(value).name for value in states._value2member_map_},
        }
    return recorded


def main(target: str) -> None:
    version: Any = importlib.import_module("qtoolkit").__version__
    record = {
        "qtoolkit_version": version,
        "resources": resource_cases(),
        "factories": factory_cases(),
        "substates": substates(),
        "enums": {
            name: [[m.name, m.value] for m in getattr(data_objects, name)]
            for name in ("QState", "ProcessPlacement", "SubmissionStatus", "CancelStatus")
        },
    }
    with open(target, "w", encoding="utf-8") as stream:
        json.dump(record, stream, indent=1, sort_keys=True)
        stream.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
