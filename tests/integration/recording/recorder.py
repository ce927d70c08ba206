"""Runs shell commands exactly as the IO layer writes them and keeps what the scheduler answered."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Recorder:
    """Recordings of one scheduler, grouped by command (one JSON file per group).

    Each recording holds the shell command as the IO layer would run it, its exit code, stdout and
    stderr, and a ``case`` saying what was asked (which job, in which state).
    """

    scheduler: str
    work_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    groups: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def run(
        self, group: str, case: str, command: str, **context: Any
    ) -> subprocess.CompletedProcess[str]:
        """Run ``command`` with ``bash -c`` in the work directory and record it under ``group``."""
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=self.work_dir,
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.groups.setdefault(group, []).append(
            {
                "case": case,
                "command": command,
                "exit_code": result.returncode,
                "stdout": result.stdout,
                "stderr": result.stderr,
                **context,
            }
        )
        return result

    def run_json(
        self, group: str, case: str, command: str, job_ids: Collection[str], **context: Any
    ) -> None:
        """Like :meth:`run` for a ``--json`` command, keeping only the jobs in ``job_ids``.

        The schedulers list every job they still remember, including other runs'; the kept
        document is re-serialized compactly (same JSON, no indentation) to keep the files small.
        """
        self.run(group, case, command, **context)
        record = self.groups[group][-1]
        if record["exit_code"] != 0:
            return
        document = json.loads(record["stdout"])
        wanted = {int(job_id) for job_id in job_ids}
        document["jobs"] = [
            job
            for job in document["jobs"]
            if job["job_id"] in wanted or job.get("array_job_id") in wanted
        ]
        record["stdout"] = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        record["filtered"] = "only this recording's jobs kept; re-serialized without indentation"

    def write(self, out_dir: Path, meta: dict[str, Any]) -> list[Path]:
        """Write ``<out_dir>/<scheduler>/<group>.json`` and ``meta.json``; the paths written."""
        target = out_dir / self.scheduler
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for group, records in {"meta": meta, **self.groups}.items():
            path = target / f"{group}.json"
            path.write_text(json.dumps(records, indent=1, ensure_ascii=False) + "\n")
            written.append(path)
        return written
