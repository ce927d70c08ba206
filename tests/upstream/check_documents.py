"""Have upstream qtoolkit 0.1.7 read the MSON documents this package wrote (``nox -s interop``).

Runs only in a venv holding upstream ``qtoolkit==0.1.7`` and ``monty``. For each document of the
file ``record_mson.py ours`` wrote, upstream must decode it (both with ``MontyDecoder`` and with the
class's ``from_dict``) into its class of that name, and write back the same document, ``@version``
aside. Prints a summary and exits 1 on any mismatch.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

monty_json: Any = importlib.import_module("monty.json")
# Upstream's own modules, imported by name here; a document naming any other module is a mismatch.
MODULES: dict[str, Any] = {
    name: importlib.import_module(name)
    for name in (
        "qtoolkit.core.data_objects",
        "qtoolkit.io.slurm",
        "qtoolkit.io.pbs",
        "qtoolkit.io.sge",
        "qtoolkit.io.shell",
    )
}


def without_version(document: Any) -> Any:
    if isinstance(document, dict):
        return {k: without_version(v) for k, v in document.items() if k != "@version"}
    if isinstance(document, list):
        return [without_version(item) for item in document]
    return document


def problems(record: dict[str, Any]) -> list[str]:
    document = record["document"]
    module = MODULES.get(document["@module"])
    if module is None:
        return [f"{record['name']}: unexpected module {document['@module']}"]
    cls: Any = getattr(module, record["class"])
    found = []
    for how in ("MontyDecoder", "from_dict"):
        try:
            if how == "MontyDecoder":
                obj = monty_json.MontyDecoder().process_decoded(document)
            else:
                obj = cls.from_dict(document)
        except Exception as exc:  # any failure to read is the finding reported
            found.append(f"{record['name']}: {how} failed: {exc!r}")
            continue
        if type(obj) is not cls:
            found.append(f"{record['name']}: {how} gave {type(obj).__name__}")
            continue
        again = json.loads(json.dumps(obj, cls=monty_json.MontyEncoder))
        if without_version(again) != without_version(document):
            found.append(f"{record['name']}: {how} wrote back {again} for {document}")
    return found


def main(source: str) -> int:
    with open(source, encoding="utf-8") as stream:
        records = json.load(stream)
    found = [problem for record in records for problem in problems(record)]
    version: Any = importlib.import_module("qtoolkit").__version__
    print(
        f"interop: {len(records)} documents read by upstream qtoolkit {version}, "
        f"{len(found)} mismatches"
    )
    for problem in found:
        print(f"  {problem}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
