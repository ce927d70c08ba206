"""Typed msgspec data model and codecs for HPC queue-job data.

The names upstream qtoolkit exports at its top level are importable from here too.
"""

from pathlib import Path

# Imported first: this package's own modules look for it here when imported, to know that this
# __init__ is this package's and not upstream's (see qtoolkit._install_check).
from qtoolkit._install_check import warn_if_mixed
from qtoolkit._version import __version__

# The schedulers' sub-states register themselves when defined (see ``qtoolkit.core.registry``),
# which MSON documents and the JSON Schema rely on. The package's own modules all sit below this
# one, so importing them here defines the sub-states before any of them can be needed.
from qtoolkit.core.data_objects import QJob, QJobInfo, QResources, QState, QSubState
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.sge import SGEState
from qtoolkit.io.shell import ShellState
from qtoolkit.io.slurm import SlurmState

__all__ = ["QJob", "QJobInfo", "QResources", "QState", "QSubState", "__version__"]

warn_if_mixed(Path(__file__).parent)

_SCHEDULER_SUB_STATES = (PBSState, SGEState, ShellState, SlurmState)
