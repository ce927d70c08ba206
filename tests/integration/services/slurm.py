"""A one-node SLURM 22.05 cluster with accounting: munge, MariaDB, slurmdbd, slurmctld, slurmd.

Configuration goes to the standard paths (``/etc/slurm``): the client commands, and commands run
over ssh by the remote-host tests, find it there without any environment. The node declares more
CPUs and memory than a small CI machine has (``config_overrides``) so that several test jobs run
at once; nothing the tests run needs them.
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
from .system import ensure_packages, require_root, run, succeeds, write_owned

PACKAGES = (
    "munge",
    "slurmctld",
    "slurmd",
    "slurm-client",
    "slurmdbd",
    "slurm-wlm-basic-plugins",
    "mariadb-server",
    "mariadb-client",
)
MARKER = "# Written by the qtoolkit integration tests (tests/integration/services/slurm.py)."
SLURM_CONF = Path("/etc/slurm/slurm.conf")
SLURMDBD_CONF = Path("/etc/slurm/slurmdbd.conf")
CLUSTER = "qtoolkit"
PARTITIONS = ("debug", "long")
NODE_CPUS = 8
NODE_MEMORY_MB = 8000
DB_NAME = "slurm_acct_db"
DB_USER = "slurm"
DB_PASSWORD = "qtoolkit-integration"  # local socket only, for a throw-away accounting database

_SLURM_CONF = """\
ClusterName={cluster}
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
SchedulerType=sched/backfill
SelectType=select/cons_tres
# Without memory as a consumable and a default per CPU, one job takes the whole node.
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=100
# Finished jobs stay visible to squeue/scontrol for an hour.
MinJobAge=3600
KillWait=2
# A loaded CI machine answers slowly: time out late rather than drain the node.
MessageTimeout=60
SlurmdTimeout=600
UnkillableStepTimeout=300
BatchStartTimeout=300
ReturnToService=2
SlurmdParameters=config_overrides
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobCompType=jobcomp/none
NodeName={host} CPUs={cpus} RealMemory={memory} State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
PartitionName=long Nodes={host} MaxTime=INFINITE State=UP
"""

_SLURMDBD_CONF = """\
AuthType=auth/munge
DbdHost=localhost
SlurmUser=root
PidFile=/run/slurmdbd.pid
LogFile=/var/log/slurm/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser={user}
StoragePass={password}
StorageLoc={db}
"""

_DB_SETUP = f"""\
CREATE DATABASE IF NOT EXISTS {DB_NAME};
CREATE USER IF NOT EXISTS '{DB_USER}'@'localhost' IDENTIFIED BY '{DB_PASSWORD}';
ALTER USER '{DB_USER}'@'localhost' IDENTIFIED BY '{DB_PASSWORD}';
GRANT ALL ON {DB_NAME}.* TO '{DB_USER}'@'localhost';
"""

_SUBMITTED = re.compile(r"^(\d+)")


@dataclass
class SlurmCluster:
    """The running cluster: its node and partitions, and the jobs the tests submitted to it."""

    host: str = field(default_factory=socket.gethostname)
    supervisor: DaemonSupervisor = field(default_factory=DaemonSupervisor)
    ledger: JobLedger = field(
        default_factory=lambda: JobLedger(STATE_DIR / "slurm-jobs", _cancel_jobs, _active_jobs)
    )
    partitions: tuple[str, ...] = PARTITIONS

    # -- bring-up -------------------------------------------------------------------------------
    def start(self) -> None:
        """Install, configure and start what is missing; return once the node has run a job."""
        require_root("starting SLURM")
        ensure_packages(PACKAGES)
        self._write_configs()
        self._start_munge()
        self._start_mariadb()
        self._start_daemon(
            "slurmdbd",
            ["/usr/sbin/slurmdbd", "-D"],
            lambda: succeeds(["sacctmgr", "-n", "-P", "show", "cluster", "format=cluster"]),
        )
        self._start_daemon(
            "slurmctld",
            ["/usr/sbin/slurmctld", "-D"],
            lambda: "is UP" in run(["scontrol", "ping"], check=False).stdout,
        )
        self._start_daemon(
            "slurmd",
            ["/usr/sbin/slurmd", "-D"],
            lambda: succeeds(["scontrol", "show", "slurmd"]),
        )
        self.ledger.cancel_all()
        self._wait_node_ready()
        self._run_probe_job()

    def _write_configs(self) -> None:
        for directory in ("/var/spool/slurmctld", "/var/spool/slurmd", "/var/log/slurm"):
            Path(directory).mkdir(parents=True, exist_ok=True)
        write_owned(
            SLURM_CONF,
            _SLURM_CONF.format(
                cluster=CLUSTER, host=self.host, cpus=NODE_CPUS, memory=NODE_MEMORY_MB
            ),
            marker=MARKER,
        )
        write_owned(
            SLURMDBD_CONF,
            _SLURMDBD_CONF.format(user=DB_USER, password=DB_PASSWORD, db=DB_NAME),
            marker=MARKER,
            mode=0o600,  # slurmdbd refuses a readable configuration holding a password
        )

    def _start_daemon(
        self,
        name: str,
        argv: Sequence[str],
        answers: Callable[[], bool],
        *,
        user: str | None = None,
    ) -> None:
        self.supervisor.adopt_leftover(name)
        if not answers():
            self.supervisor.start(name, argv, user=user)
        wait_until(
            answers,
            what=f"{name} to answer",
            detail=lambda: self.supervisor.log_tail(name),
        )

    def _start_munge(self) -> None:
        if not Path("/etc/munge/munge.key").exists():
            run(["mungekey", "--create"])
            run(["chown", "munge:munge", "/etc/munge/munge.key"])
        _runtime_dir("/run/munge", "munge")
        self._start_daemon(
            "munged",
            ["/usr/sbin/munged", "--foreground"],
            lambda: succeeds(["munge", "-n"]),
            user="munge",
        )

    def _start_mariadb(self) -> None:
        _runtime_dir("/run/mysqld", "mysql")
        if not Path("/var/lib/mysql/mysql").is_dir():
            run(["mariadb-install-db", "--user=mysql"], timeout=300)
        self._start_daemon(
            "mariadbd",
            ["/usr/sbin/mariadbd", "--user=mysql"],
            lambda: succeeds(["mariadb-admin", "--protocol=socket", "status"]),
        )
        run(["mariadb", "--protocol=socket"], input_text=_DB_SETUP)

    def _node_state(self) -> str:
        return run(["sinfo", "-h", "-n", self.host, "-o", "%T"], check=False).stdout.strip()

    def _wait_node_ready(self) -> None:
        usable = ("idle", "mixed", "allocated", "completing")

        def ready() -> bool:
            state = self._node_state()
            if state.startswith(("down", "drain", "drained", "fail")):
                # A crashed run can leave the node marked down; it is healthy again now.
                run(["scontrol", "update", f"nodename={self.host}", "state=resume"], check=False)
            return state.rstrip("*~#!%$@^-") in usable

        wait_until(ready, what="the SLURM node to be idle", detail=self._node_state)

    def _run_probe_job(self) -> None:
        job_id = self.submit(["--job-name=qtk-probe", "--output=/dev/null", "--wrap=true"])

        def finished() -> bool:
            out = run(["scontrol", "show", "job", "-o", job_id], check=False).stdout
            return "JobState=COMPLETED" in out

        wait_until(finished, what=f"probe job {job_id} to complete")

        def accounted() -> bool:
            out = run(["sacct", "-n", "-X", "-P", "-j", job_id, "-o", "State"], check=False).stdout
            return out.strip() == "COMPLETED"

        wait_until(accounted, what=f"sacct to report probe job {job_id}")

    # -- use --------------------------------------------------------------------------------------
    def submit(self, sbatch_args: Sequence[str]) -> str:
        """``sbatch --parsable`` with ``sbatch_args``; the job id, recorded for cancelling."""
        out = run(["sbatch", "--parsable", *sbatch_args]).stdout
        match = _SUBMITTED.match(out.strip())
        if match is None:
            raise ServiceUnavailableError(f"sbatch printed no job id: {out!r}")
        return self.ledger.record(match.group(1))

    # -- tear-down ------------------------------------------------------------------------------
    def stop(self) -> None:
        """Cancel the tests' jobs, then stop the daemons these fixtures started."""
        try:
            self.ledger.cancel_all()
        finally:
            self.supervisor.stop_all()


def _cancel_jobs(ids: Sequence[str]) -> None:
    run(["scancel", *ids], check=False)


def _active_jobs(ids: Sequence[str]) -> set[str]:
    """Those of ``ids`` still pending, running or completing (an array by its job id)."""
    out = run(["squeue", "-h", "-o", "%i %F %A"], check=False).stdout
    listed = {field for line in out.splitlines() for field in line.split()}
    return set(ids) & listed


def _runtime_dir(path: str, owner: str) -> None:
    Path(path).mkdir(parents=True, exist_ok=True)
    run(["chown", f"{owner}:{owner}", path])
