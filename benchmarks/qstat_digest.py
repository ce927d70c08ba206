"""A digest of the jobs a PBS or Grid Engine listing parses to, comparable across both packages.

Imported by ``parse_pbs_sge.py`` and, in upstream's own venv, by ``upstream_parse_peer.py``: it
uses only the standard library and reads jobs by attribute. The fields are those upstream reads
right: for PBS every field it sets, upstream's undeclared ``info.partition`` standing for this
package's ``queue_name`` and its ``info.memory_per_cpu`` (``Resource_List.mem``, the job's
total) for ``info.memory``; for Grid Engine the id, name, owner and state (upstream leaves the
queue, CPUs, nodes and time limit ``None`` on Grid Engine 8.1.9's output).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["digest"]


def _value(member: Any) -> Any:
    return None if member is None else member.value


def _pbs(job: Any, *, upstream: bool) -> list[Any]:
    info = job.info
    queue = getattr(info, "partition", None) if upstream else job.queue_name
    memory = info.memory_per_cpu if upstream else info.memory
    return [
        job.job_id,
        job.name,
        _value(job.state),
        _value(job.sub_state),
        job.username,
        job.runtime,
        queue,
        memory,
        info.nodes,
        info.cpus,
        info.time_limit,
    ]


def _sge(job: Any) -> list[Any]:
    return [job.job_id, job.name, _value(job.state), _value(job.sub_state), job.username]


def digest(scheduler: str, jobs: list[Any], *, upstream: bool) -> str:
    """SHA-256 of the compared fields of ``jobs``, in order."""
    rows = [_pbs(job, upstream=upstream) if scheduler == "pbs" else _sge(job) for job in jobs]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()
