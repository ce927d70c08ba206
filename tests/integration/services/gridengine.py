"""A one-host Grid Engine 8.1.9 cell ("default", Debian's layout): sge_qmaster and sge_execd.

Debian's package creates the cell when debconf says so (preseeded here). The fixtures then make it
usable for the tests: root may run jobs (``min_uid``/``min_gid`` 0), the scheduler runs every
second, accounting is written at once, ``localhost`` is an alias of the host, and two queues
(``all.q``, ``long.q``) with an ``smp`` parallel environment take jobs.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .daemons import STATE_DIR, DaemonSupervisor, wait_until
from .errors import ServiceUnavailableError
from .ledger import JobLedger
from .system import ensure_packages, require_root, run, succeeds

PACKAGES = ("gridengine-master", "gridengine-exec", "gridengine-client")
SGE_ROOT = Path("/var/lib/gridengine")
CELL = "default"
QUEUES = ("all.q", "long.q")
SLOTS_PER_QUEUE = 4
ENV = {"SGE_ROOT": str(SGE_ROOT), "SGE_CELL": CELL}

_PARALLEL_ENVIRONMENT = """\
pe_name            smp
slots              {slots}
user_lists         NONE
xuser_lists        NONE
start_proc_args    NONE
stop_proc_args     NONE
allocation_rule    $pe_slots
control_slaves     FALSE
job_is_first_task  TRUE
urgency_slots      min
accounting_summary FALSE
qsort_args         NONE
"""

_EXEC_HOST = """\
hostname         {host}
load_scaling     NONE
complex_values   NONE
user_lists       NONE
xuser_lists      NONE
projects         NONE
xprojects        NONE
usage_scaling    NONE
report_variables NONE
"""

# Every attribute must be present for qconf -Aq. No load threshold: a busy shared CI machine must
# not put the queue into alarm state.
_QUEUE = """\
qname                 {name}
hostlist              {host}
seq_no                0
load_thresholds       NONE
suspend_thresholds    NONE
nsuspend              1
suspend_interval      00:05:00
priority              0
min_cpu_interval      00:05:00
processors            UNDEFINED
qtype                 BATCH INTERACTIVE
ckpt_list             NONE
pe_list               smp
rerun                 FALSE
slots                 {slots}
tmpdir                /tmp
shell                 /bin/sh
prolog                NONE
epilog                NONE
shell_start_mode      unix_behavior
starter_method        NONE
suspend_method        NONE
resume_method         NONE
terminate_method      NONE
notify                00:00:60
owner_list            NONE
user_lists            NONE
xuser_lists           NONE
subordinate_list      NONE
complex_values        NONE
projects              NONE
xprojects             NONE
calendar              NONE
initial_state         default
""" + "".join(
    f"{limit:<22}INFINITY\n"
    for kind in ("rt", "cpu", "fsize", "data", "stack", "core", "rss", "vmem")
    for limit in (f"s_{kind}", f"h_{kind}")
)

_SUBMITTED = re.compile(r"Your job(?:-array)? (\d+)")


def _qconf(*args: str, check: bool = True) -> str:
    return run(["qconf", *args], env=ENV, check=check).stdout


def _answers(argv: Sequence[str]) -> Callable[[], bool]:
    return lambda: succeeds(argv, env=ENV)


@dataclass
class GridEngineCell:
    """The running cell: its host and queues, and the jobs the tests submitted to it."""

    host: str = field(default_factory=socket.gethostname)
    supervisor: DaemonSupervisor = field(default_factory=DaemonSupervisor)
    ledger: JobLedger = field(
        default_factory=lambda: JobLedger(STATE_DIR / "sge-jobs", _delete_jobs, _active_jobs)
    )
    queues: tuple[str, ...] = QUEUES
    work_dir: Path = STATE_DIR / "sge-config"

    @property
    def common(self) -> Path:
        """The cell's shared directory (bootstrap, act_qmaster, accounting)."""
        return SGE_ROOT / CELL / "common"

    # -- bring-up -------------------------------------------------------------------------------
    def start(self) -> None:
        """Install, configure and start what is missing; return once the host has run a job."""
        require_root("starting Grid Engine")
        ensure_packages(
            PACKAGES,
            preseed=(
                "gridengine-common shared/gridengineconfig boolean true",
                f"gridengine-common shared/gridenginecell string {CELL}",
                f"gridengine-common shared/gridenginemaster string {self.host}",
            ),
        )
        self._prepare_cell()
        self._start_daemon("sge_qmaster", ["/usr/sbin/sge_qmaster"], _answers(["qconf", "-sh"]))
        self._configure()
        self._start_daemon(
            "sge_execd",
            ["/usr/sbin/sge_execd"],
            _answers(["qping", "-info", self.host, "6445", "execd", "1"]),
        )
        self.ledger.cancel_all()
        self._wait_host_ready()
        self._run_probe_job()

    def _prepare_cell(self) -> None:
        if not (self.common / "bootstrap").exists():
            init = "/usr/share/gridengine/scripts/init_cluster"
            spool = "/var/spool/gridengine/spooldb"
            run(
                [
                    "su",
                    "-s",
                    "/bin/sh",
                    "-c",
                    f"{init} {SGE_ROOT} {CELL} {spool} sgeadmin",
                    "sgeadmin",
                ],
                timeout=120,
            )
        if not (self.common / "bootstrap").exists():
            raise ServiceUnavailableError(
                f"Grid Engine cell {CELL!r} has no {self.common}/bootstrap"
            )
        # Jobs and clients name the host "localhost" as often as by its name.
        (self.common / "host_aliases").write_text(f"{self.host} localhost\n")
        (self.common / "act_qmaster").write_text(f"{self.host}\n")
        self.work_dir.mkdir(parents=True, exist_ok=True)

    def _start_daemon(self, name: str, argv: Sequence[str], answers: Callable[[], bool]) -> None:
        self.supervisor.adopt_leftover(name)
        if not answers():
            # SGE_ND keeps the daemon in the foreground, so its pid is the one started here.
            self.supervisor.start(name, argv, env={**ENV, "SGE_ND": "true"})
        wait_until(
            answers,
            what=f"{name} to answer",
            detail=lambda: self.supervisor.log_tail(name),
        )

    def _file(self, name: str, text: str) -> str:
        path = self.work_dir / name
        path.write_text(text)
        return str(path)

    def _configure(self) -> None:
        config = _qconf("-sconf", "global")
        config = re.sub(r"(?m)^min_uid\s+\S+", "min_uid 0", config)
        config = re.sub(r"(?m)^min_gid\s+\S+", "min_gid 0", config)
        if "accounting_flush_time" not in config:
            config = re.sub(
                r"(?m)^(reporting_params\s+)", r"\1accounting_flush_time=00:00:00 ", config
            )
        _qconf("-Mconf", self._file("global", config))
        scheduler = re.sub(
            r"(?m)^schedule_interval\s+\S+", "schedule_interval 0:0:1", _qconf("-ssconf")
        )
        _qconf("-Msconf", self._file("scheduler", scheduler))
        if self.host not in _qconf("-ss", check=False).split():
            _qconf("-as", self.host)
        exec_host = self._file("exec_host", _EXEC_HOST.format(host=self.host))
        exists = self.host in _qconf("-sel", check=False).split()
        _qconf("-Me" if exists else "-Ae", exec_host)
        slots = SLOTS_PER_QUEUE * len(self.queues)
        pe = self._file("smp", _PARALLEL_ENVIRONMENT.format(slots=slots))
        _qconf("-Mp" if "smp" in _qconf("-spl", check=False).split() else "-Ap", pe)
        existing = _qconf("-sql", check=False).split()
        for queue in self.queues:
            text = _QUEUE.format(name=queue, host=self.host, slots=SLOTS_PER_QUEUE)
            _qconf("-Mq" if queue in existing else "-Aq", self._file(queue, text))

    def _wait_host_ready(self) -> None:
        def ready() -> bool:
            # A crashed run can leave queue instances in error or disabled state.
            run(["qmod", "-c", "*"], env=ENV, check=False)
            run(["qmod", "-e", "*"], env=ENV, check=False)
            out = run(["qstat", "-f", "-q", ",".join(self.queues)], env=ENV, check=False).stdout
            rows = [line.split() for line in out.splitlines() if "@" in line]
            # A usable queue instance has no state column (qname, type, slots, load, arch).
            return len(rows) == len(self.queues) and all(len(row) == 5 for row in rows)

        wait_until(
            ready,
            what="Grid Engine queues to take jobs",
            detail=lambda: run(["qstat", "-f"], env=ENV, check=False).stdout,
        )

    def _run_probe_job(self) -> None:
        job_id = self.submit(
            ["-b", "y", "-o", "/dev/null", "-e", "/dev/null", "-N", "qtk_probe", "true"]
        )
        wait_until(
            _answers(["qacct", "-j", job_id]),
            what=f"probe job {job_id} to run and reach the accounting",
            detail=lambda: run(["qstat", "-j", job_id], env=ENV, check=False).stdout[-800:],
        )

    # -- use --------------------------------------------------------------------------------------
    def submit(self, qsub_args: Sequence[str]) -> str:
        """``qsub`` with ``qsub_args``; the job id, recorded for deleting."""
        out = run(["qsub", *qsub_args], env=ENV).stdout
        match = _SUBMITTED.search(out)
        if match is None:
            raise ServiceUnavailableError(f"qsub printed no job id: {out!r}")
        return self.ledger.record(match.group(1))

    # -- tear-down ------------------------------------------------------------------------------
    def stop(self) -> None:
        """Delete the tests' jobs, then stop the daemons these fixtures started."""
        try:
            self.ledger.cancel_all()
        finally:
            self.supervisor.stop_all()


def _delete_jobs(ids: Sequence[str]) -> None:
    run(["qdel", *ids], env=ENV, check=False)


def _active_jobs(ids: Sequence[str]) -> set[str]:
    """Those of ``ids`` qstat still lists (deleted running jobs stay, as ``dr``, until killed)."""
    out = run(["qstat", "-u", "*"], env=ENV, check=False).stdout
    listed = {line.split()[0] for line in out.splitlines()[2:] if line.strip()}
    return set(ids) & listed
