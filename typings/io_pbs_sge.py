"""Typing contract of PBSIO and SGEIO: what a caller's type checker must see.

Checked by mypy --strict (``nox -s typing``) and pyright strict (``nox -s pyright``), never run.
Each ``# type: ignore[code]`` (mypy) and ``# pyright: ignore[rule]`` (pyright) pins an error the
checker must report: the check fails if it disappears.
"""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from qtoolkit.core.data_objects import CancelResult, QJob, QResources, SubmissionResult
from qtoolkit.io import BaseSchedulerIO, scheduler_mapping
from qtoolkit.io.pbs import PBSIO, PBSState
from qtoolkit.io.pbs_base import PBSIOBase
from qtoolkit.io.sge import SGEIO, SGEState

pbs = PBSIO()
sge = SGEIO(get_job_executable="qstat")

# Listings are typed by scheduler.
assert_type(pbs.parse_jobs_list_output(0, "", ""), list[QJob[PBSState]])
assert_type(sge.parse_jobs_list_output(0, b"", b"", job_ids=["1"]), list[QJob[SGEState]])
assert_type(pbs.parse_job_output(0, "", ""), QJob[PBSState] | None)
assert_type(sge.parse_job_output(0, "", "", job_id="1"), QJob[SGEState] | None)
job = pbs.parse_job_output(0, "", "")
if job is not None:
    assert_type(job.sub_state, PBSState | None)

# Results, commands, scripts.
assert_type(pbs.parse_submit_output(0, "", ""), SubmissionResult)
assert_type(sge.parse_cancel_output(0, "", ""), CancelResult)
assert_type(pbs.get_jobs_list_cmd(["1.server"], None), str)
assert_type(sge.get_submission_script(["ls"], QResources(processes=1)), str)
assert_type(sge.get_job_executable, str)

# Both share upstream's PBS base, which is a BaseSchedulerIO.
base: PBSIOBase[Any] = sge
scheduler: BaseSchedulerIO[PBSState] = pbs
assert_type(scheduler_mapping["pbs"], type[BaseSchedulerIO[Any]])

# A job of one scheduler is not a job of the other.
sge_jobs: list[QJob[SGEState]] = pbs.parse_jobs_list_output(0, "", "")  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
SGEIO(get_job_executable=1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
PBSIO("qstat")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
