"""Write submission scripts with upstream qtoolkit 0.1.7 (run by its own venv's python).

Reads a JSON list of ``{"name", "scheduler", "factory", "kwargs", "commands"}`` on stdin, where
``factory`` is a QResources class method (``no_constraints``, ``scattered``...) or ``null`` for the
plain constructor, and prints ``{name: script}``. Upstream also imports as ``qtoolkit``, so it is
loaded through importlib: this repository's type checkers see ``Any``.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

IO_CLASSES = {"slurm": ("qtoolkit.io.slurm", "SlurmIO"), "sge": ("qtoolkit.io.sge", "SGEIO")}


def main() -> None:
    data_objects: Any = importlib.import_module("qtoolkit.core.data_objects")
    resources_class: Any = data_objects.QResources
    scripts = {}
    for spec in json.load(sys.stdin):
        module, class_name = IO_CLASSES[spec["scheduler"]]
        io: Any = getattr(importlib.import_module(module), class_name)()
        factory = spec["factory"]
        make = getattr(resources_class, factory) if factory else resources_class
        resources = make(**spec["kwargs"])
        scripts[spec["name"]] = io.get_submission_script(spec["commands"], resources)
    json.dump(scripts, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
