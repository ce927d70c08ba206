"""Record how upstream qtoolkit 0.1.7's PBSIO and SGEIO answer, for tests/test_io_pbs_sge_oracle.py.

Runs only in a venv holding upstream ``qtoolkit==0.1.7`` (it imports as ``qtoolkit`` too);
regenerate with ``nox -s upstream_oracle``. Upstream is reached through ``importlib`` so that type
checkers of this repository see ``Any``. The synthetic ``qstat`` outputs come from this
repository's ``src/qtoolkit/synthetic_qstat.py``, loaded by its path (it imports only the
standard library). Writes one JSON file with, per scheduler (``pbs``, ``sge``):

- ``resources``: ``check_convert_qresources`` and ``get_submission_script`` over a grid of
  placements, counts, threads, memory and every other QResources field;
- ``options``: ``get_submission_script`` with plain option dicts (job names to sanitize, keys the
  template lacks);
- ``commands``: submit, cancel, job and job-list commands over ids, users and paths;
- ``submit`` / ``cancel``: ``parse_submit_output`` / ``parse_cancel_output`` over outputs;
- ``listings``: ``parse_jobs_list_output`` of synthetic and recorded outputs;
- ``conversions``: the time and memory string conversions.

Each outcome is the value or ``{"error": <class name>, "message": <text>}``.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
data_objects: Any = importlib.import_module("qtoolkit.core.data_objects")
QResources: Any = data_objects.QResources
ProcessPlacement: Any = data_objects.ProcessPlacement
PBSIO: Any = importlib.import_module("qtoolkit.io.pbs").PBSIO
SGEIO: Any = importlib.import_module("qtoolkit.io.sge").SGEIO

_spec = importlib.util.spec_from_file_location(
    "synthetic_qstat", ROOT / "src" / "qtoolkit" / "synthetic_qstat.py"
)
assert _spec is not None
assert _spec.loader is not None
synthetic: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synthetic)

ABSENT = object()
PLACEMENTS = (ABSENT, "NO_CONSTRAINTS", "SCATTERED", "SAME_NODE", "EVENLY_DISTRIBUTED")
COUNTS = (ABSENT, 1, 3)
OPTIONS: tuple[dict[str, Any], ...] = (
    {"queue_name": "debug"},
    {"job_name": "relax-001"},
    {"job_name": "my job/with@odd*chars:x\\y"},
    {"account": "chem-101"},
    {"priority": 5},
    {"output_filepath": "out.txt", "error_filepath": "err.txt"},
    {"project": "materials"},
    {"njobs": 1},
    {"njobs": 4},
    {"time_limit": 100},
    {"time_limit": 39073},
    {"time_limit": 259200},
    {"rerunnable": True},
    {"rerunnable": False},
    {"email_address": "ada@example.org"},
    {"scheduler_kwargs": {"model": "skylake"}},
    {"scheduler_kwargs": {"tata": "toto"}},
    {"qos": "high"},
    {"gpus_per_job": 2},
    {"memory_per_thread": 2048, "threads_per_process": 4},
)
PLAIN_OPTIONS: tuple[dict[str, Any], ...] = (
    {},
    {"job_name": "test-_@/*"},
    {"job_name": "test -_!#$test"},
    {"job_name": "a:b\\c d"},
    {"queue": "debug", "walltime": "1:0:0"},
    {"queu": "debug"},
    {"select": "select=2:ncpus=4", "place": "scatter", "array": "1-3"},
    {"qverbatim": "#EXTRA line"},
)
JOB_IDS: tuple[Any, ...] = (
    "12",
    12,
    "12.server",
    "12.pbs-server.example.org",
    "12[].server",
    "12[1-4].server",
    "12.1",
    "1; rm -rf /",
    "$(reboot)",
    "abc",
    "",
)
USERS = (None, "", "ada", "john doe", "$(reboot)", "a'b")
SCRIPTS = (None, "submit.script", "my script.sh", "$(reboot).sh")


def outcome(call: Any) -> Any:
    try:
        return call()
    except Exception as exc:
        return {"error": type(exc).__name__, "message": str(exc)}


def plain(value: Any) -> Any:
    """A JSON value of a header dict (enums and paths as their strings)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(getattr(value, "value", value))


def resources_grid() -> list[dict[str, Any]]:
    grid: list[dict[str, Any]] = []
    for placement, nodes, processes, per_node in itertools.product(
        PLACEMENTS, COUNTS, COUNTS, COUNTS
    ):
        for extra in ({}, {"threads_per_process": 2}, {"memory_per_thread": 1000}):
            kwargs: dict[str, Any] = dict(extra)
            for key, value in (
                ("process_placement", placement),
                ("nodes", nodes),
                ("processes", processes),
                ("processes_per_node", per_node),
            ):
                if value is not ABSENT:
                    kwargs[key] = value
            grid.append(kwargs)
    for option in OPTIONS:
        grid.append({"processes": 2, **option})
        grid.append({"process_placement": "EVENLY_DISTRIBUTED", "nodes": 2, **option})
    grid.append({"job_name": "only-a-name"})
    grid.append({})
    return grid


def build_resources(kwargs: dict[str, Any]) -> Any:
    """``QResources(**kwargs)``, the placement given by its value."""
    arguments = dict(kwargs)
    if "process_placement" in arguments:
        arguments["process_placement"] = ProcessPlacement(arguments["process_placement"])
    return QResources(**arguments)


def resources_outcome(io: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    try:
        resources = build_resources(kwargs)
    except Exception as exc:
        return {"kwargs": kwargs, "construct": {"error": type(exc).__name__, "message": str(exc)}}
    return {
        "kwargs": kwargs,
        "header": outcome(lambda: plain(io.check_convert_qresources(resources))),
        "script": outcome(lambda: io.get_submission_script(["echo hi"], resources)),
    }


def job(qjob: Any) -> dict[str, Any]:
    info = qjob.info
    return {
        "job_id": qjob.job_id,
        "name": qjob.name,
        "state": None if qjob.state is None else qjob.state.value,
        "sub_state": None if qjob.sub_state is None else qjob.sub_state.value,
        "username": qjob.username,
        "queue_name": qjob.queue_name,
        "account": qjob.account,
        "runtime": qjob.runtime,
        "exit_status": qjob.exit_status,
        "info": None
        if info is None
        else {
            "memory": info.memory,
            "memory_per_cpu": info.memory_per_cpu,
            "nodes": info.nodes,
            "cpus": info.cpus,
            "threads_per_process": info.threads_per_process,
            "time_limit": info.time_limit,
            "partition": getattr(info, "partition", None),
        },
    }


def result(value: Any) -> dict[str, Any]:
    return {
        "job_id": value.job_id,
        "exit_code": value.exit_code,
        "stdout": value.stdout,
        "stderr": value.stderr,
        "status": None if value.status is None else value.status.value,
    }


def recorded(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "tests/data/sge-8.1.9" / name).read_text())
    return loaded


PBS_SUBMIT = (
    (0, "24.pbs-server\n", ""),
    (0, "24\n", ""),
    (0, "", ""),
    (0, "   \n", ""),
    (1, "", "qsub: Unknown queue\n"),
    (0, "qsub: warning: deprecated\n25.pbs-server\n", ""),
)
PBS_CANCEL = (
    (0, "", ""),
    (1, "", "qdel: Unknown Job Id 120.pbs-server\n"),
    (1, "", "qdel: Job has finished 8.pbs-server\n"),
    (210, "", "qdel: Unauthorized Request  210\n"),
)
SGE_SUBMIT = (
    (0, 'Your job 24 ("submit.script") has been submitted\n', ""),
    (1, "", 'Unable to run job: Job was rejected because job requests unknown queue "x"\n'),
    (0, "something else\n", ""),
)
SGE_CANCEL = (
    (0, "", "qdel: job 267 deleted\n"),
    (1, "", "qdel: Invalid job id a\n"),
    (0, "", ""),
)
SGE_RECORDED = ("qsub_plain", "qsub_array", "qsub_badname", "qsub_badqueue")
SGE_RECORDED_CANCEL = ("qdel_running", "qdel_pending", "qdel_array", "qdel_unknown")
PBS_LISTINGS = {
    "synthetic-300": (0, synthetic.pbs_qstat_full(300, seed=7), ""),
    "empty": (0, "", ""),
    "unknown-job": (153, "", "qstat: Unknown Job Id 99.pbs-server\n"),
    "failure": (2, "", "qstat: cannot connect to server pbs-server (errno=111)\n"),
}
SGE_LISTINGS = {
    "synthetic-300": (0, synthetic.sge_qstat_xml(300, seed=7), ""),
    "empty": (0, "", ""),
    "failure": (1, "", "error: commlib error: got select error (Connection refused)\n"),
    **{
        f"recorded-{name}": (0, (ROOT / "tests/data/sge-8.1.9" / name).read_text(), "")
        for name in (
            "qstat_ext_urg.xml",
            "qstat_ext_urg_r.xml",
            "qstat_ext_urg_pending.xml",
            "qstat_deleting.xml",
            "qstat_nobody.xml",
        )
    },
}
TIMES = ("10:51:13", "02:10:02", "10:02", "45", "1:00:00:00", "2:10:a", "", "1:2:3:4:5", "00:00:00")
MEMORIES = (None, "", "12mb", "13kb", "5gb", "1tb", "10", "10apples", "aT", "12M", "5G", "13K")
DURATIONS = (0, 10, 602, 602.0, 7802, 39073, 86400, 259200, -10)


def listing(io: Any, exit_code: int, stdout: str, stderr: str) -> Any:
    return outcome(lambda: [job(j) for j in io.parse_jobs_list_output(exit_code, stdout, stderr)])


def record_scheduler(io: Any, name: str) -> dict[str, Any]:
    is_pbs = name == "pbs"
    submit = [(*case, None) for case in (PBS_SUBMIT if is_pbs else SGE_SUBMIT)]
    cancel = [(*case, None) for case in (PBS_CANCEL if is_pbs else SGE_CANCEL)]
    if not is_pbs:
        submit += [(*recorded(f"{n}.json").values(), n) for n in SGE_RECORDED]
        cancel += [(*recorded(f"{n}.json").values(), n) for n in SGE_RECORDED_CANCEL]
    listings = PBS_LISTINGS if is_pbs else SGE_LISTINGS
    return {
        "resources": [resources_outcome(io, kwargs) for kwargs in resources_grid()],
        "options": [
            {"options": o, "script": outcome(lambda o=o: io.get_submission_script("ls", o))}
            for o in PLAIN_OPTIONS
        ],
        "commands": {
            "submit": [
                {"script": s, "command": outcome(lambda s=s: io.get_submit_cmd(s))} for s in SCRIPTS
            ],
            "cancel": [
                {"job": j, "command": outcome(lambda j=j: io.get_cancel_cmd(j))} for j in JOB_IDS
            ],
            "job": [{"job": j, "command": outcome(lambda j=j: io.get_job_cmd(j))} for j in JOB_IDS],
            "jobs_list": [
                {
                    "jobs": jobs,
                    "user": user,
                    "command": outcome(lambda j=jobs, u=user: io.get_jobs_list_cmd(j, u)),
                }
                for jobs in (None, [], ["12.server"], ["12.server", "13.server"], ["1; ls"])
                for user in USERS
            ],
        },
        "submit": [
            {
                "name": label,
                "exit_code": code,
                "stdout": out,
                "stderr": err,
                "result": outcome(
                    lambda c=code, o=out, e=err: result(io.parse_submit_output(c, o, e))
                ),
            }
            for code, out, err, label in submit
        ],
        "cancel": [
            {
                "name": label,
                "exit_code": code,
                "stdout": out,
                "stderr": err,
                "result": outcome(
                    lambda c=code, o=out, e=err: result(io.parse_cancel_output(c, o, e))
                ),
            }
            for code, out, err, label in cancel
        ],
        "listings": {
            label: {
                "exit_code": code,
                "stderr": err,
                "stdout": None if label.startswith(("synthetic", "recorded")) else out,
                "jobs": listing(io, code, out, err),
            }
            for label, (code, out, err) in listings.items()
        },
        "conversions": {
            "time": {t: outcome(lambda t=t: io._convert_str_to_time(t)) for t in TIMES},
            "memory": {str(m): outcome(lambda m=m: io._convert_memory_str(m)) for m in MEMORIES},
            "duration": [[d, io._convert_time_to_str(d)] for d in DURATIONS],
        },
    }


def main() -> None:
    record = {"pbs": record_scheduler(PBSIO(), "pbs"), "sge": record_scheduler(SGEIO(), "sge")}
    Path(sys.argv[1]).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
