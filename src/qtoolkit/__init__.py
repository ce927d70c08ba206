"""Typed msgspec data model and codecs for HPC queue-job data.

The names upstream qtoolkit exports at its top level are importable from here too.
"""

# The schedulers' sub-states register themselves when defined (see ``qtoolkit.core.registry``),
# which MSON documents and the JSON Schema rely on. The package's own modules all sit below this
# one, so importing them here defines the sub-states before any of them can be needed.
from qtoolkit.core.data_objects import QJob, QJobInfo, QResources, QState, QSubState
from qtoolkit.io.pbs import PBSState
from qtoolkit.io.sge import SGEState
from qtoolkit.io.shell import ShellState
from qtoolkit.io.slurm import SlurmState

__all__ = ["QJob", "QJobInfo", "QResources", "QState", "QSubState", "__version__"]

__version__ = "0.1.0"

_SCHEDULER_SUB_STATES = (PBSState, SGEState, ShellState, SlurmState)
