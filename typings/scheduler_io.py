"""Typing contract of qtoolkit.io: parsers give their scheduler's sub-state (checked, never run)."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from qtoolkit.core.data_objects import CancelResult, QJob, QResources, SubmissionResult
from qtoolkit.io import BaseSchedulerIO, ShellIO, SlurmIO, scheduler_mapping
from qtoolkit.io.shell import ShellState
from qtoolkit.io.slurm import SlurmState

slurm = SlurmIO()
assert_type(slurm.parse_jobs_list_output(0, "", ""), list[QJob[SlurmState]])
assert_type(slurm.parse_job_output(0, b"", b""), QJob[SlurmState] | None)
assert_type(slurm.parse_submit_output(0, "", ""), SubmissionResult)
assert_type(slurm.parse_cancel_output(0, "", ""), CancelResult)
assert_type(slurm.get_submission_script(["run"], QResources()), str)
assert_type(slurm.get_submission_script("run", {"partition": "debug"}), str)
assert_type(slurm.generate_ids_list(["1", 2]), list[str])
assert_type(slurm.generate_ids_list(None), None)

shell = ShellIO(username_maxchars=32)
assert_type(shell.parse_jobs_list_output(0, "", ""), list[QJob[ShellState]])
job = shell.parse_job_output(0, "", "")
if job is not None:
    assert_type(job.sub_state, ShellState | None)
ShellIO(username_maxchars="32")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
SlurmIO(split_separator=1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]

# A scheduler by name is some BaseSchedulerIO; its jobs are QJob of any sub-state.
chosen = scheduler_mapping["slurm"]()
assert_type(chosen, BaseSchedulerIO[Any])
assert_type(SlurmIO.from_dict(slurm.as_dict()), SlurmIO)


class MyShellIO(ShellIO):
    """A user's subclass changing a class attribute, as jobflow-remote's tests do."""

    USERNAME_MAXCHARS = 1


assert_type(MyShellIO.from_dict(MyShellIO().as_dict()), MyShellIO)
assert_type(MyShellIO().parse_jobs_list_output(0, "", ""), list[QJob[ShellState]])
queued = QJob[SlurmState]()
assert_type(slurm.get_cancel_cmd(queued), str)
slurm.get_jobs_list_cmd([queued, QJob[ShellState](), "2", 3], user=None)
