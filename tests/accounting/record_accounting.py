"""Record what a real scheduler's accounting answers, for the unit tests of the parsers.

    python tests/accounting/record_accounting.py slurm|sge NAME JOB_ID... > OUTPUT.json

runs the accounting command this package builds for the job ids on this machine and writes a JSON
document with the command, its standard output, standard error and exit code, and the scheduler's
version. Run it where the daemons run (the integration fixtures, or a cluster).
"""

from __future__ import annotations

import json
import sys

from qtoolkit.host.local import LocalHost
from qtoolkit.io.sge_accounting import SGEAccounting
from qtoolkit.io.slurm_accounting import SlurmAccounting

VERSION_CMD = {"slurm": "sacct --version", "sge": "qacct -help | head -n 1"}


def main() -> None:
    scheduler, name, *job_ids = sys.argv[1:]
    accounting = SlurmAccounting() if scheduler == "slurm" else SGEAccounting()
    command = accounting.get_finished_jobs_cmd(job_ids)
    host = LocalHost()
    stdout, stderr, exit_code = host.execute(command)
    version = host.execute(VERSION_CMD[scheduler])[0].strip()
    record = {
        "name": name,
        "scheduler": scheduler,
        "version": version,
        "job_ids": job_ids,
        "command": command,
        "stdout": stdout,
        "stderr": stderr,
        "exit_code": exit_code,
    }
    json.dump(record, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
