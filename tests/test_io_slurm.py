"""SlurmIO on what SLURM 22.05 printed here (tests/data/slurm/) and on edge cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from monty.json import MontyDecoder, MontyEncoder, jsanitize

from qtoolkit.core.data_objects import (
    CancelStatus,
    QJob,
    QJobInfo,
    QResources,
    QState,
    SubmissionStatus,
)
from qtoolkit.core.exceptions import CommandFailedError, OutputParsingError
from qtoolkit.io import BaseSchedulerIO, SlurmIO
from qtoolkit.io.listings import squeue_listing
from qtoolkit.io.slurm import SlurmState

REAL: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "slurm" / "slurm-22.05.json").read_text()
)
FIELDS = "%i<><> %t<><> %r<><> %j<><> %u<><> %P<><> %l<><> %D<><> %C<><> %M<><> %m"


def real(command_end: str, nth: int = 0) -> dict[str, Any]:
    found = [r for r in REAL if r["command"].endswith(command_end)]
    return found[nth]


def run(method: Any, recorded: dict[str, Any]) -> Any:
    return method(recorded["exit_code"], recorded["stdout"], recorded["stderr"])


def test_commands_are_upstreams() -> None:
    io = SlurmIO()
    listing = f"SLURM_TIME_FORMAT='standard' squeue --noheader -o '{FIELDS}'"
    assert io.get_jobs_list_cmd(None, None) == listing
    assert io.get_jobs_list_cmd(["12"], None) == f"{listing} --jobs=12,12"
    assert io.get_jobs_list_cmd([1, 2], None) == f"{listing} --jobs=1,2"
    assert io.get_jobs_list_cmd(None, "alice") == f"{listing} -u alice"
    assert io.get_job_cmd(12) == "SLURM_TIME_FORMAT='standard' scontrol show job -o 12"
    assert io.get_cancel_cmd(QJob(job_id="12_3")) == "scancel -v 12_3"
    assert io.get_submit_cmd("job.sh") == "sbatch job.sh"
    with pytest.raises(ValueError, match="Cannot query by user and job"):
        io.get_jobs_list_cmd(["1"], "alice")


def test_a_single_job_id_is_not_doubled_in_the_callers_list() -> None:
    ids = ["12"]
    SlurmIO()._get_jobs_list_cmd(ids)
    assert ids == ["12"]


def test_the_separator_is_checked_and_quoted() -> None:
    for bad in ("", "  ", "a\nb"):
        with pytest.raises(ValueError, match="split_separator"):
            SlurmIO(split_separator=bad)
    command = SlurmIO(split_separator="'|").get_jobs_list_cmd(None, None)
    assert "-o '%i'\"'\"'| %t" in command


def test_other_job_executables_are_refused_when_used() -> None:
    with pytest.raises(RuntimeError, match="not a valid get_job_executable"):
        SlurmIO(get_job_executable="nope").parse_job_output(0, "JobId=1 JobState=RUNNING", "")


def test_squeue_listing_of_a_real_queue() -> None:
    jobs = run(SlurmIO().parse_jobs_list_output, real("-o '" + FIELDS + "'"))
    assert [job.job_id for job in jobs] == ["15_[1-3]", "16", "12", "13", "14"]
    array, held, spaces, separator, pending = jobs
    assert spaces == QJob(
        name="two  spaces",
        job_id="12",
        state=QState.RUNNING,
        sub_state=SlurmState.RUNNING,
        info=QJobInfo(memory_per_cpu=250 * 1024, nodes=1, cpus=1),
        runtime=8,
        queue_name="debug",
        username="root",
    )
    assert separator.name == "héllo<><> w"
    assert separator.info == QJobInfo(memory_per_cpu=200 * 1024, nodes=1, cpus=1, time_limit=5400)
    assert pending.queue_name == "long"
    assert pending.info == QJobInfo(memory_per_cpu=1024**2, nodes=1, cpus=2, time_limit=172800)
    assert (held.state, array.state) == (QState.QUEUED, QState.QUEUED)


def test_squeue_of_unknown_ids_is_empty_and_of_an_unknown_user_fails() -> None:
    io = SlurmIO()
    assert run(io.parse_jobs_list_output, real("--jobs=999,999")) == []
    with pytest.raises(CommandFailedError, match="Invalid user: nosuchuser") as info:
        run(io.parse_jobs_list_output, real("-u nosuchuser"))
    assert info.value.exit_code == 0
    assert info.value.stderr == "squeue: error: Invalid user: nosuchuser\n\n"
    with pytest.raises(CommandFailedError, match="exit code 1"):
        io.parse_jobs_list_output(1, "", "slurm_load_jobs error: Unable to contact controller")


def test_scontrol_job_with_spaces_in_its_name() -> None:
    job = run(SlurmIO().parse_job_output, real("scontrol show job -o 12"))
    assert job == QJob(
        name="two  spaces",
        job_id="12",
        state=QState.RUNNING,
        sub_state=SlurmState.RUNNING,
        info=QJobInfo(
            memory=250 * 1024, memory_per_cpu=250 * 1024, nodes=1, cpus=1, threads_per_process=1
        ),
        runtime=8,
        queue_name="debug",
        username="root",
    )


def test_scontrol_finished_pending_and_array_jobs() -> None:
    io = SlurmIO()
    done = run(io.parse_job_output, real("scontrol show job -o 1"))
    assert (done.state, done.exit_status, done.runtime) == (QState.DONE, 0, 1)
    pending = run(io.parse_job_output, real("scontrol show job -o 14"))
    # --mem: the job's memory is known, the memory per CPU is not.
    assert pending.info == QJobInfo(
        memory=1024**2, nodes=1, cpus=2, threads_per_process=1, time_limit=172800
    )
    assert (pending.queue_name, pending.exit_status) == ("long", None)
    array = run(io.parse_job_output, real("scontrol show job -o 15"))
    assert (array.job_id, array.name) == ("15", "arr")
    assert run(io.parse_job_output, real("scontrol show job -o 999")) is None
    assert io.parse_job_output(0, "", "") is None


def test_scontrol_failures_and_unreadable_output() -> None:
    io = SlurmIO()
    with pytest.raises(CommandFailedError, match="Unable to contact") as info:
        io.parse_job_output(1, "", "slurm_load_jobs error: Unable to contact slurm controller")
    assert info.value.exit_code == 1
    with pytest.raises(OutputParsingError, match="line 1: cannot read JobState 'WAVING'") as bad:
        io.parse_job_output(0, "JobId=1 JobName=x UserId=u(1) JobState=WAVING", "")
    assert (bad.value.line, bad.value.field) == (1, "JobState")
    # A number that does not read is unknown, as upstream has it.
    odd = io.parse_job_output(0, "JobId=1 JobState=RUNNING NumNodes=many RunTime=x NumCPUs=4", "")
    assert odd is not None
    assert (odd.info, odd.runtime) == (QJobInfo(cpus=4), None)
    with pytest.raises(OutputParsingError, match="no JobState"):
        io.parse_job_output(0, "JobId=1 JobName=x", "")
    with pytest.raises(OutputParsingError, match="expected Key=value"):
        io.parse_job_output(0, "garbage", "")


def test_sbatch_outputs() -> None:
    io = SlurmIO()
    plain = run(io.parse_submit_output, real("sbatch b.sh"))
    assert (plain.status, plain.job_id) == (SubmissionStatus.SUCCESSFUL, "17")
    parsable = run(io.parse_submit_output, real("sbatch --parsable b.sh"))
    assert (parsable.status, parsable.job_id) == (SubmissionStatus.SUCCESSFUL, "18")
    failed = run(io.parse_submit_output, real("sbatch -p nopart b.sh"))
    assert failed.status is SubmissionStatus.FAILED
    assert "invalid partition" in (failed.stderr or "")
    assert io.parse_submit_output(0, b"7;cluster\n", b"").job_id == "7"
    assert io.parse_submit_output(0, "nothing", "").status is SubmissionStatus.JOB_ID_UNKNOWN


def test_scancel_outputs() -> None:
    io = SlurmIO()
    cancelled = run(io.parse_cancel_output, real("scancel -v 16", 0))
    assert (cancelled.status, cancelled.job_id) == (CancelStatus.SUCCESSFUL, "16")
    # scancel exits 0 for a finished or unknown job; it says so on stderr.
    for finished in (real("scancel -v 16", 1), real("scancel -v 999"), real("scancel -v 1")):
        result = run(io.parse_cancel_output, finished)
        assert result.status is CancelStatus.FAILED
        assert result.exit_code == 0
    assert io.parse_cancel_output(1, "", "x").status is CancelStatus.FAILED
    assert io.parse_cancel_output(0, "", "").status is CancelStatus.JOB_ID_UNKNOWN


def test_header_values_are_written_as_sbatch_reads_them() -> None:
    io = SlurmIO()
    header = io.generate_header(
        QResources(job_name="my job", output_filepath='o "1".txt', error_filepath="a\\b")
    )
    assert header.splitlines() == [
        '#SBATCH --job-name="my job"',
        '#SBATCH --output="o \\"1\\".txt"',
        '#SBATCH --error="a\\\\b"',
    ]
    assert io.generate_header({"exclude_nodes": "n1"}) == "#SBATCH --exclude=n1\n"
    with pytest.raises(ValueError, match="line break"):
        io.generate_header(QResources(job_name="x\n#SBATCH --uid=0"))


def test_resources_become_directives() -> None:
    resources = QResources.evenly_distributed(
        2,
        8,
        time_limit=90061,
        queue_name="gpu",
        gpus_per_job=2,
        njobs=3,
        threads_per_process=4,
        email_address="a@b.c",
        memory_per_thread=1000,
        scheduler_kwargs={"constraint": "skylake"},
    )
    assert SlurmIO().generate_header(resources).splitlines() == [
        "#SBATCH --partition=gpu",
        "#SBATCH --nodes=2",
        "#SBATCH --ntasks-per-node=8",
        "#SBATCH --cpus-per-task=4",
        "#SBATCH --mem-per-cpu=1000",
        "#SBATCH --time=1-1:1:1",
        "#SBATCH --mail-user=a@b.c",
        "#SBATCH --mail-type=ALL",
        "#SBATCH --constraint=skylake",
        "#SBATCH --gres=gpu:2",
        "#SBATCH --array=1-3",
    ]


def test_a_name_holding_the_separator_keeps_it() -> None:
    line = "5<><> R<><> None<><> a<><> b<><> u<><> p<><> 1:00<><> 1<><> 1<><> 0:07<><> 1G"
    (job,) = SlurmIO().parse_jobs_list_output(0, line, "")
    assert (job.name, job.username, job.queue_name, job.runtime) == ("a<><> b", "u", "p", 7)


def test_a_name_ending_like_the_separator_stays_whole() -> None:
    line = "5<><> R<><> None<><> ab<><><> u<><> p<><> 1:00<><> 1<><> 1<><> 0:07<><> 1G\n"
    for text in (line, line + "garbage line\n"):  # read at once, then line by line
        job = SlurmIO().parse_jobs_list_output(0, text, "")[0]
        assert (job.name, job.username) == ("ab<>", "u")


def test_lines_without_separator_are_skipped_and_errors_name_the_line() -> None:
    io = SlurmIO()
    text = (
        "squeue: note\n"
        + squeue_listing(3)
        + "7<><> XX<><> r<><> n<><> u<><> p<><> 1:00<><> 1<><> 1<><> 0:00<><> 1G\n"
    )
    with pytest.raises(OutputParsingError, match="line 5: cannot read state_raw 'XX'") as info:
        io.parse_jobs_list_output(0, text, "")
    assert (info.value.line, info.value.field) == (5, "state_raw")
    assert len(io.parse_jobs_list_output(0, "squeue: note\n" + squeue_listing(3), "")) == 3
    with pytest.raises(OutputParsingError, match="line 2: expected 11 fields"):
        io.parse_jobs_list_output(0, squeue_listing(1) + "1<><> R\n", "")


def test_errors_name_their_line_far_into_a_listing() -> None:
    text = squeue_listing(3000)
    lines = text.splitlines()
    lines[2500] = (
        lines[2500].replace("<><> ", "<><> INVALID<><> ", 7).replace(" INVALID<><> ", " ", 6)
    )
    with pytest.raises(OutputParsingError, match="line 2501: cannot read time_limit 'INVALID'"):
        SlurmIO().parse_jobs_list_output(0, "\n".join(lines), "")


def reference_squeue(text: str) -> list[QJob[SlurmState]]:
    """A plain line-by-line reading of a regular listing, written apart from the parser."""
    jobs: list[QJob[SlurmState]] = []
    for line in text.splitlines():
        ident, state, _, name, user, part, limit, nodes, cpus, used, memory = (
            value.strip() for value in line.split("<><>")
        )
        sub_state = SlurmState(state)
        units = {"K": 1, "M": 1024, "G": 1024**2, "T": 1024**3}
        jobs.append(
            QJob(
                name=name,
                job_id=ident,
                state=sub_state.qstate,
                sub_state=sub_state,
                info=QJobInfo(
                    memory_per_cpu=int(memory[:-1]) * units[memory[-1]],
                    nodes=int(nodes),
                    cpus=int(cpus),
                    time_limit=None if limit == "UNLIMITED" else seconds(limit),
                ),
                runtime=seconds(used),
                queue_name=part,
                username=user,
            )
        )
    return jobs


def seconds(clock: str) -> int:
    days, _, rest = clock.rpartition("-")
    total = 0
    for part in rest.split(":"):
        total = total * 60 + int(part)
    return total + int(days or 0) * 86400


def test_large_listings_read_chunk_by_chunk_as_line_by_line() -> None:
    text = squeue_listing(20_000, seed=7)
    assert SlurmIO().parse_jobs_list_output(0, text, "") == reference_squeue(text)
    # A chunk holding one odd line (a name with the separator) is read line by line.
    odd = text.replace(
        "\n", "\n9<><> R<><> None<><> x<><> y<><> u<><> p<><> 1:00<><> 1<><> 1<><> 0:00<><> 1G\n", 1
    )
    jobs = SlurmIO().parse_jobs_list_output(0, odd.encode(), b"")
    assert len(jobs) == 20_001
    assert jobs[1].name == "x<><> y"
    assert jobs[:1] + jobs[2:] == reference_squeue(text)


def test_values_are_stripped_as_upstream_strips_them() -> None:
    line = "\t7\xa0<><> R<><> None<><>  n <><> u <><> p<><> 1:00<><> 1<><> 1<><> 0:07<><> 1G\n"
    (job,) = SlurmIO().parse_jobs_list_output(0, line, "")
    assert (job.job_id, job.name, job.username, job.runtime) == ("7", "n", "u", 7)


def test_crlf_and_missing_final_newline() -> None:
    text = squeue_listing(5)
    io = SlurmIO()
    assert io.parse_jobs_list_output(0, text.replace("\n", "\r\n"), "") == reference_squeue(text)
    assert io.parse_jobs_list_output(0, text.rstrip("\n"), "") == reference_squeue(text)


def test_monty_round_trips_the_scheduler() -> None:
    io = SlurmIO(split_separator="##")
    text = json.dumps(io, cls=MontyEncoder)
    copy = json.loads(text, cls=MontyDecoder)
    assert isinstance(copy, SlurmIO)
    assert copy.split_separator == "##"
    decoded = MontyDecoder().process_decoded(jsanitize(io, strict=True))
    assert isinstance(decoded, BaseSchedulerIO)
    assert decoded.as_dict() == io.as_dict()
