"""A placement assigned after construction, as a string, reaches every scheduler as its member."""

from __future__ import annotations

from typing import Any, cast

import pytest

from qtoolkit import QResources
from qtoolkit.core.exceptions import UnsupportedResourcesError
from qtoolkit.io import PBSIO, SGEIO, SlurmIO

# (scheduler, placement as assigned, header lines expected): the lines each scheduler writes for
# two processes of that placement, as read from its documentation of these options.
_CASES: list[tuple[Any, str, list[str]]] = [
    (
        SlurmIO(),
        "SCATTERED",
        ["#SBATCH --nodes=2", "#SBATCH --ntasks=2", "#SBATCH --ntasks-per-node=1"],
    ),
    (
        SlurmIO(),
        "scattered",
        ["#SBATCH --nodes=2", "#SBATCH --ntasks=2", "#SBATCH --ntasks-per-node=1"],
    ),
    (PBSIO(), "SCATTERED", ["#PBS -l select=2:ncpus=1:mpiprocs=1", "#PBS -l place=scatter"]),
    (PBSIO(), "scattered", ["#PBS -l select=2:ncpus=1:mpiprocs=1", "#PBS -l place=scatter"]),
    (PBSIO(), "same_node", ["#PBS -l select=1:ncpus=2:mpiprocs=2", "#PBS -l place=pack"]),
    (SGEIO(), "no_constraints", ["#$ -pe mpi 2"]),
    (SGEIO(), "Same_Node", ["#$ -pe mpi 2"]),
]


def _assigned(placement: str) -> QResources:
    resources = QResources(processes=2, scheduler_kwargs={"model": "mpi 2"})
    resources.process_placement = placement  # type: ignore[assignment]
    return resources


@pytest.mark.parametrize(("io", "placement", "lines"), _CASES)
def test_each_scheduler_reads_an_assigned_placement(
    io: Any, placement: str, lines: list[str]
) -> None:
    resources = _assigned(placement)
    if not isinstance(io, SGEIO):
        resources.scheduler_kwargs = {}
    header = io.generate_header(resources).splitlines()
    assert [line for line in lines if line not in header] == []
    assert resources.process_placement == cast("Any", placement)  # the caller's is left as it was


@pytest.mark.parametrize("io", [SlurmIO(), PBSIO(), SGEIO()])
def test_an_assigned_value_naming_no_placement_is_refused(io: Any) -> None:
    with pytest.raises(UnsupportedResourcesError) as refused:
        io.generate_header(_assigned("spread"))
    message = str(refused.value)
    assert "'spread'" in message
    assert "NO_CONSTRAINTS, SCATTERED, SAME_NODE, EVENLY_DISTRIBUTED" in message
