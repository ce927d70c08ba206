"""Realistic ``qstat`` outputs of a busy cluster, for benchmarks and tests of the PBS/SGE parsers.

:func:`pbs_qstat_full` writes what PBS Pro's ``qstat -f -w`` prints (about fifty lines per job,
the layout of a real server: resources used, the ``Resource_List`` requests, the environment);
:func:`sge_qstat_xml` writes what Grid Engine 8.1.9's ``qstat -ext -urg -xml -r -u "*"`` prints
(running jobs under ``<queue_info>``, pending ones under ``<job_info>``). The same ``seed``
always gives the same text.
"""

from __future__ import annotations

import random

__all__ = ["pbs_qstat_full", "sge_qstat_xml"]

_USERS = ("ada", "grace", "linus", "barbara", "ken", "margaret", "dennis", "radia")
_QUEUES = ("workq", "debug", "gpu", "bigmem", "long")
_ACCOUNTS = ("chem-101", "materials", "ml-surrogates", "climate", "astro")
_WORKFLOWS = ("relax", "static", "band-structure", "phonon", "md-nvt", "train", "dos")
_PBS_STATES = ("Q", "Q", "Q", "Q", "R", "R", "R", "H", "E", "W", "S", "B", "F", "X")
_SGE_STATES = ("qw", "qw", "qw", "qw", "r", "r", "r", "hqw", "Eqw", "t", "s", "dr", "dt")
_SGE_RUNNING = frozenset({"r", "t", "s", "dr", "dt"})
_WALLTIMES = ("00:30:00", "01:00:00", "24:00:00", "48:00:00", "120:00:00")
_PBS_MEMORY = ("512mb", "2gb", "4gb", "16gb", "64gb", "1tb")
_SGE_MEMORY = ("512M", "2G", "4G", "1500M", "16G")
_CONTRIBUTION = 'resource_contribution="0.000000"'
_STAMP = "Mon Nov 30 21:14:05 2026"


def _path(user: str) -> str:
    """A user's PATH on a cluster: conda, a few modules, the system."""
    return ":".join(
        [
            f"/home/{user}/.local/bin",
            f"/home/{user}/miniconda3/envs/atomate2/bin",
            f"/home/{user}/miniconda3/condabin",
            "/opt/software/vasp/6.4.2/bin",
            "/opt/intel/oneapi/mpi/2021.9.0/bin",
            "/opt/intel/oneapi/compiler/2023.1.0/linux/bin/intel64",
            "/opt/intel/oneapi/mkl/2023.1.0/bin/intel64",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/pbs/bin",
        ]
    )


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def pbs_qstat_full(jobs: int, *, seed: int = 0) -> str:
    """The ``qstat -f -w`` output of ``jobs`` jobs (states, requests and usage varied)."""
    rng = random.Random(seed)
    blocks: list[str] = []
    for index in range(jobs):
        job = 100_000 + index
        user = rng.choice(_USERS)
        name = f"{rng.choice(_WORKFLOWS)}-{rng.randrange(100_000):05d}"
        state = rng.choice(_PBS_STATES)
        nodes = rng.choice((1, 1, 1, 2, 4))
        ncpus = nodes * rng.choice((1, 4, 16, 64))
        started = state in ("R", "E", "S", "B", "F", "X")
        lines = [
            f"Job Id: {job}.pbs-server{'[]' if state == 'B' else ''}",
            f"    Job_Name = {name}",
            f"    Job_Owner = {user}@login01",
        ]
        if started:
            used = rng.randrange(0, 86_400)
            lines += [
                "    resources_used.cpupercent = 98",
                f"    resources_used.cput = {_clock(used * ncpus // 2)}",
                f"    resources_used.mem = {rng.randrange(1, 10**7)}kb",
                f"    resources_used.ncpus = {ncpus}",
                f"    resources_used.vmem = {rng.randrange(1, 10**7)}kb",
                f"    resources_used.walltime = {_clock(used)}",
            ]
        lines += [
            f"    job_state = {state}",
            f"    queue = {rng.choice(_QUEUES)}",
            "    server = pbs-server",
            f"    Account_Name = {rng.choice(_ACCOUNTS)}",
            "    Checkpoint = u",
            f"    ctime = {_STAMP}",
            f"    Error_Path = login01:/home/{user}/{name}.e{job}",
        ]
        if started:
            lines += [
                f"    exec_host = node{index % 500:03d}/0*{ncpus // nodes}",
                f"    exec_vnode = (node{index % 500:03d}:ncpus={ncpus // nodes})",
            ]
        memory = rng.choice(_PBS_MEMORY)
        lines += [
            "    Hold_Types = n",
            "    Join_Path = n",
            "    Keep_Files = n",
            "    Mail_Points = a",
            f"    mtime = {_STAMP}",
            f"    Output_Path = login01:/home/{user}/{name}.o{job}",
            "    Priority = 0",
            f"    qtime = {_STAMP}",
            "    Rerunable = True",
            f"    Resource_List.mem = {memory}",
            f"    Resource_List.ncpus = {ncpus}",
            f"    Resource_List.nodect = {nodes}",
            "    Resource_List.place = scatter",
            f"    Resource_List.select = {nodes}:ncpus={ncpus // nodes}:mem={memory}",
            f"    Resource_List.walltime = {rng.choice(_WALLTIMES)}",
            f"    stime = {_STAMP}",
            f"    session_id = {rng.randrange(1000, 99999)}",
            "    Shell_Path_List = /bin/bash",
            f"    jobdir = /home/{user}",
            "    substate = 42",
            f"    Variable_List = PBS_O_HOME=/home/{user},PBS_O_LANG=C.UTF-8,"
            f"PBS_O_LOGNAME={user},PBS_O_PATH={_path(user)},PBS_O_MAIL=/var/spool/mail/{user},"
            "PBS_O_SHELL=/bin/bash,"
            f"PBS_O_WORKDIR=/home/{user}/runs/{name},PBS_O_SYSTEM=Linux,PBS_O_QUEUE=workq,"
            "PBS_O_HOST=login01",
            f"    etime = {_STAMP}",
            f"    run_count = {1 if started else 0}",
        ]
        if state in ("F", "X"):
            lines.append(f"    Exit_status = {rng.choice((0, 0, 1, 271))}")
        lines += [
            "    Submit_arguments = job.sh",
            "    project = _pbs_project_default",
            "    Submit_Host = login01",
            "",
        ]
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + ("\n" if blocks else "")


def sge_qstat_xml(jobs: int, *, seed: int = 0) -> str:
    """The ``qstat -ext -urg -xml -r -u "*"`` output of ``jobs`` jobs."""
    rng = random.Random(seed)
    running: list[str] = []
    pending: list[str] = []
    for index in range(jobs):
        state = rng.choice(_SGE_STATES)
        is_running = state in _SGE_RUNNING
        slots = rng.choice((1, 1, 1, 2, 8, 16))
        queue = rng.choice(_QUEUES)
        instance = f"{queue}@node{index % 500:03d}"
        lines = [
            f'    <job_list state="{"running" if is_running else "pending"}">',
            f"      <JB_job_number>{200_000 + index}</JB_job_number>",
            "      <JAT_prio>0.25002</JAT_prio>",
            "      <JAT_ntix>0.50000</JAT_ntix>",
            "      <JB_nurg>0.00004</JB_nurg>",
            "      <JB_rrcontr>1000</JB_rrcontr>",
            "      <JB_wtcontr>24</JB_wtcontr>",
            "      <JB_dlcontr>0</JB_dlcontr>",
            f"      <JB_name>{rng.choice(_WORKFLOWS)}-{rng.randrange(100_000):05d}</JB_name>",
            f"      <JB_owner>{rng.choice(_USERS)}</JB_owner>",
            "      <JB_project></JB_project>",
            "      <JB_department>defaultdepartment</JB_department>",
            f"      <state>{state}</state>",
        ]
        if is_running:
            lines += [
                "      <JAT_start_time>2026-11-30T21:14:05</JAT_start_time>",
                "      <cpu_usage>12.00000</cpu_usage>",
                "      <mem_usage>0.25000</mem_usage>",
                "      <io_usage>0.00004</io_usage>",
            ]
        else:
            lines.append("      <JB_submission_time>2026-11-30T20:01:00</JB_submission_time>")
        lines += [
            "      <tickets>0</tickets>",
            "      <JB_override_tickets>0</JB_override_tickets>",
            "      <JB_jobshare>0</JB_jobshare>",
            "      <otickets>0</otickets>",
            "      <ftickets>0</ftickets>",
            "      <stickets>0</stickets>",
            "      <JAT_share>0.00000</JAT_share>",
            f"      <queue_name>{instance if is_running else ''}</queue_name>",
            f"      <slots>{slots}</slots>",
            f"      <full_job_name>job-{index}</full_job_name>",
        ]
        if slots > 1:
            lines.append(f'      <requested_pe name="smp">{slots}</requested_pe>')
            if is_running:
                lines.append(f'      <granted_pe name="smp">{slots}</granted_pe>')
        seconds = rng.choice((1800, 3600, 86_400, 172_800))
        memory = rng.choice(_SGE_MEMORY)
        lines += [
            f'      <hard_request name="h_rt" {_CONTRIBUTION}>{seconds}</hard_request>',
            f'      <hard_request name="h_vmem" {_CONTRIBUTION}>{memory}</hard_request>',
            f"      <hard_req_queue>{queue}</hard_req_queue>",
            "      <binding>NONE</binding>",
            "    </job_list>",
        ]
        (running if is_running else pending).append("\n".join(lines))
    return "\n".join(
        [
            "<?xml version='1.0'?>",
            '<job_info  xmlns:xsd="http://arc.liv.ac.uk/repos/darcs/sge/source/dist/util/'
            'resources/schemas/qstat/qstat.xsd">',
            "  <queue_info>",
            *running,
            "  </queue_info>",
            "  <job_info>",
            *pending,
            "  </job_info>",
            "</job_info>",
            "",
        ]
    )
