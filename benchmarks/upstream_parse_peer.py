"""Upstream qtoolkit 0.1.7 parsing a PBS or Grid Engine listing, timed in upstream's own venv.

Run by ``benchmarks/parse_pbs_sge.py`` as ``<upstream venv>/bin/python
benchmarks/upstream_parse_peer.py --scheduler pbs|sge --file FILE --repeats N``; prints
``{"seconds": [...], "jobs": n, "digest": "..."}`` (see ``qstat_digest.py``). Upstream is
imported by name through ``importlib`` so that type checkers, which see this package's
``qtoolkit``, see ``Any`` here.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from benchmarks.qstat_digest import digest
from benchmarks.timing import time_call


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scheduler", choices=("pbs", "sge"), required=True)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    if importlib.util.find_spec("qtoolkit.synthetic") is not None:
        sys.exit("the qtoolkit found is this project's, not upstream's: use upstream's own venv")
    module: Any = importlib.import_module(f"qtoolkit.io.{args.scheduler}")
    io = module.PBSIO() if args.scheduler == "pbs" else module.SGEIO()
    text = args.file.read_text(encoding="utf-8")
    parsed: list[Any] = []

    def parse() -> None:
        parsed[:] = io.parse_jobs_list_output(0, text, "")

    seconds = [time_call(parse) for _ in range(max(args.repeats, 1))]
    answer = {
        "seconds": seconds,
        "jobs": len(parsed),
        "digest": digest(args.scheduler, parsed, upstream=True),
    }
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
