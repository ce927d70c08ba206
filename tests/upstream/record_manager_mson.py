"""Write upstream qtoolkit's MSON documents of hosts, host settings and queue managers.

Run in a venv holding upstream ``qtoolkit==0.1.7`` and ``monty`` (``nox -s upstream_oracle``):
``record_manager_mson.py OUT`` writes a JSON object of ``name -> document`` as
``json.dumps(obj, cls=MontyEncoder)`` writes them. This package must read each back into an equal
object and write the same document (with its own ``@version``).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

io: Any = importlib.import_module("qtoolkit.io")
HostConfig: Any = importlib.import_module("qtoolkit.host.base").HostConfig
LocalHost: Any = importlib.import_module("qtoolkit.host.local").LocalHost
QueueManager: Any = importlib.import_module("qtoolkit.manager").QueueManager
MontyEncoder: Any = importlib.import_module("monty.json").MontyEncoder


def cases() -> dict[str, Any]:
    return {
        "local_host": LocalHost(),
        "local_host_with_root_dir": LocalHost(HostConfig(root_dir=Path("/scratch/a b"))),
        "host_config_text": HostConfig(root_dir="/work"),
        "manager_slurm": QueueManager(io.SlurmIO()),
        "manager_slurm_separator": QueueManager(io.SlurmIO(split_separator="|#|"), LocalHost()),
        "manager_shell": QueueManager(
            io.ShellIO(blocking=True, stdout_path="o.txt", username_maxchars=20), LocalHost()
        ),
        "manager_sge": QueueManager(io.SGEIO(get_job_executable="qstat")),
        "manager_pbs": QueueManager(io.PBSIO(), LocalHost(HostConfig(root_dir="/home/ada"))),
    }


def main(out: str) -> None:
    documents = {
        name: json.loads(json.dumps(obj, cls=MontyEncoder)) for name, obj in cases().items()
    }
    Path(out).write_text(
        json.dumps(documents, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main(sys.argv[1])
