"""Record how upstream qtoolkit 0.1.7's SlurmIO and ShellIO answer, for tests/test_io_oracle.py.

Runs only in a venv holding upstream ``qtoolkit==0.1.7`` (it imports as ``qtoolkit`` too);
regenerate with ``nox -s upstream_oracle``. Upstream is reached through ``importlib`` so that type
checkers of this repository see ``Any``. The generated listings come from this repository's
``src/qtoolkit/io/listings.py``, loaded by its path (it imports only the standard library), and
the real outputs from ``tests/data/slurm/slurm-22.05.json``. Writes one JSON file holding, per
scheduler (``slurm``, ``shell``), lists of ``{"input": ..., "upstream": ...}``:

- ``resources``: ``get_submission_script`` over a grid of placements, counts and every other
  QResources field (``input``: the QResources keyword arguments);
- ``options``: ``get_submission_script`` with plain option dicts;
- ``commands``: submit, cancel, job and job-list commands over ids, users and paths;
- ``submit`` / ``cancel``: ``parse_submit_output`` / ``parse_cancel_output``;
- ``job``: ``parse_job_output``; ``listings``: ``parse_jobs_list_output``;
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
QJob: Any = data_objects.QJob
ProcessPlacement: Any = data_objects.ProcessPlacement
SlurmIO: Any = importlib.import_module("qtoolkit.io.slurm").SlurmIO
ShellIO: Any = importlib.import_module("qtoolkit.io.shell").ShellIO

_spec = importlib.util.spec_from_file_location(
    "listings", ROOT / "src" / "qtoolkit" / "io" / "listings.py"
)
assert _spec is not None
assert _spec.loader is not None
listings: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(listings)
REAL_SLURM = json.loads((ROOT / "tests" / "data" / "slurm" / "slurm-22.05.json").read_text())

PLACEMENTS = (None, "NO_CONSTRAINTS", "SCATTERED", "SAME_NODE", "EVENLY_DISTRIBUTED")
COUNTS = (None, 1, 3)
OPTIONS: tuple[dict[str, Any], ...] = (
    {},
    {"queue_name": "debug"},
    {"job_name": "relax-001"},
    {"job_name": "my job"},
    {"account": "chem-101"},
    {"qos": "high"},
    {"priority": 5},
    {"output_filepath": "out.txt", "error_filepath": "err.txt"},
    {"output_filepath": "my out.txt"},
    {"project": "materials"},
    {"njobs": 1},
    {"njobs": 4},
    {"time_limit": 100},
    {"time_limit": 39073},
    {"time_limit": 259200},
    {"rerunnable": True},
    {"email_address": "ada@example.org"},
    {"scheduler_kwargs": {"constraint": "skylake"}},
    {"scheduler_kwargs": {"not_in_template": "x"}},
    {"gpus_per_job": 2},
    {"memory_per_thread": 2048},
    {"threads_per_process": 4},
)
PLAIN_OPTIONS: tuple[dict[str, Any], ...] = (
    {},
    {"partition": "debug", "nodes": 2, "time": "1:00:00"},
    {"job_name": "a b"},
    {"job_name": "it's"},
    {"partiton": "debug"},
    {"qverbatim": "#EXTRA line\necho $$"},
    {"qout_path": "out file.txt", "qerr_path": "err.txt", "job_name": "x"},
    {"exclude_nodes": "node1"},
    {"mem": "4G", "gres": "gpu:2", "array": "1-3%2"},
)
IDS: tuple[Any, ...] = (1, "1", 42, "123_4", "0", "007", "abc", "1;rm", "", "1 2", "12_[1-3]")
USERS: tuple[Any, ...] = (None, "", "alice", "bob smith", "a;b")
PATHS: tuple[Any, ...] = (None, "", "submit.sh", "my job.sh", "/abs/path/x.sh")


def outcome(call: Any) -> Any:
    try:
        return plain(call())
    except Exception as exc:
        return {"error": type(exc).__name__, "message": str(exc)}


def plain(value: Any) -> Any:
    if hasattr(value, "job_id") and hasattr(value, "sub_state"):
        return job(value)
    if hasattr(value, "status") and hasattr(value, "exit_code"):
        return result(value)
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def job(qjob: Any) -> dict[str, Any]:
    """A QJob as its fields, enums by name; attributes outside the fields under ``extra``."""
    fields = ("name", "job_id", "exit_status", "account", "runtime", "queue_name", "username")
    record: dict[str, Any] = {name: getattr(qjob, name) for name in fields}
    record["state"] = None if qjob.state is None else qjob.state.name
    record["sub_state"] = None if qjob.sub_state is None else qjob.sub_state.name
    info = qjob.info
    record["info"] = None if info is None else dict(vars(info))
    record["extra"] = sorted(set(vars(qjob)) - {*fields, "state", "sub_state", "info"})
    return record


def result(value: Any) -> dict[str, Any]:
    return {
        "class": type(value).__name__,
        "job_id": value.job_id,
        "step_id": value.step_id,
        "exit_code": value.exit_code,
        "stdout": value.stdout,
        "stderr": value.stderr,
        "status": None if value.status is None else value.status.name,
    }


def resources_grid() -> list[dict[str, Any]]:
    grid: list[dict[str, Any]] = []
    for placement, nodes, processes, per_node in itertools.product(
        PLACEMENTS, COUNTS, COUNTS, COUNTS
    ):
        counts = {"nodes": nodes, "processes": processes, "processes_per_node": per_node}
        kwargs: dict[str, Any] = {key: value for key, value in counts.items() if value is not None}
        if placement is not None:
            kwargs["process_placement"] = placement
        grid.append(kwargs)
    for index, options in enumerate(OPTIONS):
        placement = PLACEMENTS[1 + index % 4]
        grid.append({"process_placement": placement, "processes": 2, **options})
        grid.append({"nodes": 2, "processes_per_node": 8, **options})
    grid.append({"job_name": "only-name", "output_filepath": "o", "error_filepath": "e"})
    return grid


def build_resources(kwargs: dict[str, Any]) -> Any:
    arguments = dict(kwargs)
    if "process_placement" in arguments:
        arguments["process_placement"] = ProcessPlacement[arguments["process_placement"]]
    return QResources(**arguments)


def script_outcome(io: Any, kwargs: dict[str, Any]) -> Any:
    try:
        resources = build_resources(kwargs)
    except Exception as exc:
        return {"error": type(exc).__name__, "stage": "QResources", "message": str(exc)}
    return outcome(lambda: io.get_submission_script(["run"], resources))


def commands(io: Any) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in PATHS:
        cases.append({"input": {"method": "get_submit_cmd", "path": path}})
    for job_id in IDS:
        cases.append({"input": {"method": "get_cancel_cmd", "job": job_id}})
        cases.append({"input": {"method": "get_cancel_cmd", "qjob": str(job_id)}})
        cases.append({"input": {"method": "get_job_cmd", "job": job_id}})
    for ids, user in itertools.product((None, [], ["1"], ["1", "2"], ["1", "x"]), USERS):
        cases.append({"input": {"method": "get_jobs_list_cmd", "jobs": ids, "user": user}})
    for case in cases:
        case["upstream"] = outcome(lambda case=case: run_command(io, case["input"]))
    return cases


def run_command(io: Any, spec: dict[str, Any]) -> Any:
    method = spec["method"]
    if method == "get_submit_cmd":
        return io.get_submit_cmd(spec["path"])
    if method == "get_cancel_cmd":
        target = QJob(job_id=spec["qjob"]) if "qjob" in spec else spec["job"]
        return io.get_cancel_cmd(target)
    if method == "get_job_cmd":
        return io.get_job_cmd(spec["job"])
    return io.get_jobs_list_cmd(spec["jobs"], spec["user"])


def parses(io: Any, method: str, outputs: list[tuple[int, str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "input": {"exit_code": code, "stdout": out, "stderr": err},
            "upstream": outcome(
                lambda code=code, out=out, err=err: getattr(io, method)(code, out, err)
            ),
        }
        for code, out, err in outputs
    ]


SQUEUE_EDGES = (
    "",
    "\n",
    "1<><> PD<><> Priority<><> a<><> u<><> p<><> UNLIMITED<><> 1<><> 1<><> 0:00<><> 1000M",
    "warning: something\n1<><> R<><> None<><> a<><> u<><> p<><> 1:00<><> 2<><> 4<><> 5<><> 2G\n",
    "1<><> R<><> None<><> a<><> u<><> p<><> NOT_SET<><> x<><> <><> 1-02:03<><> 4000\n",
    "1<><> CG<><> None<><> a<><> u<><> p<><> 30<><> 1<><> 1<><> 1:2:3:4<><> 1.5G\n",
    "1<><> CD<><> None<><> a<><> u<><> p<><> 1-00:00:00<><> 1<><> 1<><> 10:00<><> 100K\r\n",
    "1<><> ZZ<><> None<><> a<><> u<><> p<><> 1:00<><> 1<><> 1<><> 0:00<><> 1G\n",
    "1<><> R<><> None<><> a<><> u<><> p<><> INVALID<><> 1<><> 1<><> 0:00<><> 1G\n",
    "1<><> R<><> None<><>  padded <><> u<><> p<><> 1:00<><> 1<><> 1<><> 0:00<><> 1T\n",
)
PS_EDGES = (
    "",
    "  PID USER ELAPSED S COMMAND\n",
    "  PID USER ELAPSED S COMMAND\n  12 alice 1-02:03:04 S bash\n  13 bob 05:06 R python\n",
    "  PID USER ELAPSED S COMMAND\n  12 alice+ 01:02:03 S bash\n",
    "  PID USER ELAPSED S COMMAND\n  12 alice 10 S bash\n",
    "  PID USER ELAPSED S COMMAND\n  12 alice 00:01 Q bash\n",
    "  PID USER ELAPSED S COMMAND\n  12 alice 00:01 Ss bash\n\n  14 bob 00:02 Z sh\n",
)


def scontrol_line(name: str, state: str, extra: str = "") -> str:
    return (
        f"JobId=7 JobName={name} UserId=alice(1000) GroupId=alice(1000) Account=(null) "
        f"JobState={state} Reason=None ExitCode=0:0 RunTime=00:01:02 TimeLimit=1-00:00:00 "
        f"Partition=debug NumNodes=2 NumCPUs=8 NumTasks=8 CPUs/Task=1 "
        f"TRES=cpu=8,mem=8G,node=2 MinMemoryCPU=1G {extra}\n"
    )


def record_slurm() -> dict[str, Any]:
    io = SlurmIO()
    real = [(r["exit_code"], r["stdout"], r["stderr"]) for r in REAL_SLURM]
    squeue = [
        (r["exit_code"], r["stdout"], r["stderr"]) for r in REAL_SLURM if "squeue" in r["command"]
    ]
    listings_out = [(0, listings.squeue_listing(200, seed=seed), "") for seed in range(3)]
    listings_out += [(0, text, "") for text in SQUEUE_EDGES]
    listings_out += [(1, "", "squeue: error: Invalid user: x\n")]
    listings_out += squeue
    states = ("RUNNING", "PENDING", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT")
    jobs = [(0, scontrol_line(f"job{n}", state), "") for n, state in enumerate(states)]
    jobs += [(0, "", ""), (1, "", "slurm_load_jobs error: Invalid job id specified\n")]
    jobs += [(0, scontrol_line("two words", "RUNNING"), "")]
    jobs += [(code, out, err) for code, out, err in real if "JobId=" in out or "load_jobs" in err]
    submit = [
        (0, "Submitted batch job 123\n", ""),
        (0, "sbatch: Submitted batch job 5", ""),
        (0, "Granted job allocation 7\n", ""),
        (0, "123\n", ""),
        (0, "123;cluster\n", ""),
        (0, "", ""),
        (1, "", "sbatch: error: Batch job submission failed\n"),
        (0, b"Submitted batch job 9\n", b""),
    ]
    cancel = [
        (0, "", "scancel: Terminating job 80\n"),
        (
            0,
            "",
            "scancel: Terminating job 80\nscancel: error: Kill job error on job id 80: "
            "Invalid job id specified\n",
        ),
        (0, "", "scancel: Terminating job 12_3\n"),
        (0, "", ""),
        (1, "", "scancel: error: Invalid job id 1;x\n"),
    ]
    times = [
        "",
        "UNLIMITED",
        "NOT_SET",
        "5",
        "05:06",
        "1:02:03",
        "1-02:03:04",
        "1-02:03",
        "1-5",
        "1:2:3:4",
        "abc",
        "1-",
        "-1:00",
        "٣:05",
    ]
    memories = ["", "100", "100K", "100M", "2G", "1T", "1.5G", "10MB", "M", "abc"]
    return {
        "resources": [
            {"input": kwargs, "upstream": script_outcome(io, kwargs)} for kwargs in resources_grid()
        ],
        "options": [
            {
                "input": options,
                "upstream": outcome(lambda o=options: io.get_submission_script("run", o)),
            }
            for options in PLAIN_OPTIONS
        ],
        "commands": commands(io),
        "submit": parses(
            io, "parse_submit_output", [(c, _text(o), _text(e)) for c, o, e in submit]
        ),
        "cancel": parses(io, "parse_cancel_output", cancel),
        "job": parses(io, "parse_job_output", jobs),
        "listings": parses(io, "parse_jobs_list_output", listings_out),
        "conversions": {
            "time": [
                {"input": t, "upstream": outcome(lambda t=t: io._convert_str_to_time(t))}
                for t in times
            ],
            "memory": [
                {"input": m, "upstream": outcome(lambda m=m: io._convert_memory_str(m))}
                for m in memories
            ],
            "time_to_str": [
                {"input": s, "upstream": outcome(lambda s=s: io._convert_time_to_str(s))}
                for s in (0, 59, 3600, 86399, 86400, 90061, 1.5)
            ],
        },
    }


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value


def record_shell() -> dict[str, Any]:
    io = ShellIO()
    listings_out = [(0, listings.ps_listing(200, seed=seed), "") for seed in range(3)]
    listings_out += [(0, text, "") for text in PS_EDGES]
    listings_out += [(1, "  PID USER ELAPSED S COMMAND\n", ""), (1, "", "error: bad\n")]
    variants = {
        "blocking": ShellIO(blocking=True),
        "paths": ShellIO(stdout_path="my out", stderr_path="err"),
        "maxchars": ShellIO(username_maxchars=32),
    }
    times = ["", "05:06", "1:02:03", "1-02:03:04", "10", "1-5", "a:b"]
    return {
        "resources": [
            {"input": kwargs, "upstream": script_outcome(io, kwargs)} for kwargs in resources_grid()
        ],
        "options": [
            {
                "input": options,
                "upstream": outcome(lambda o=options: io.get_submission_script("run", o)),
            }
            for options in PLAIN_OPTIONS
        ],
        "commands": commands(io)
        + [
            {
                "input": {"variant": name, "method": method},
                "upstream": outcome(
                    lambda v=variant, m=method: (
                        v.get_submit_cmd("s.sh")
                        if m == "get_submit_cmd"
                        else v.get_jobs_list_cmd(["1"], None)
                    )
                ),
            }
            for name, variant in variants.items()
            for method in ("get_submit_cmd", "get_jobs_list_cmd")
        ],
        "submit": parses(io, "parse_submit_output", [(0, "123\n", ""), (0, "", ""), (1, "", "x")]),
        "cancel": parses(io, "parse_cancel_output", [(0, "", ""), (1, "", "No such process")]),
        "job": parses(io, "parse_job_output", listings_out[3:]),
        "listings": parses(io, "parse_jobs_list_output", listings_out),
        "strict": parses(
            ShellIO(ps_username_strict=True), "parse_jobs_list_output", [(0, PS_EDGES[3], "")]
        ),
        "conversions": {
            "time": [
                {"input": t, "upstream": outcome(lambda t=t: io._convert_str_to_time(t))}
                for t in times
            ],
        },
    }


def main() -> None:
    record = {"slurm": record_slurm(), "shell": record_shell()}
    Path(sys.argv[1]).write_text(json.dumps(record, indent=0, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
