"""PBSIO: commands, submission scripts and the reading of qsub, qdel and ``qstat -f`` output."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, cast

import pytest
from monty.json import MontyDecoder

from qtoolkit.core.data_objects import (
    CancelStatus,
    ProcessPlacement,
    QJob,
    QJobInfo,
    QResources,
    QState,
    SubmissionStatus,
)
from qtoolkit.core.exceptions import (
    CommandFailedError,
    InvalidJobIDError,
    OutputParsingError,
    UnsupportedResourcesError,
)
from qtoolkit.io import qstat_full, scheduler_mapping
from qtoolkit.io.pbs import PBSIO, PBSState

# PBS Pro 'qstat -f -w': a running job, then a queued one without usage; a finished one from -x.
QSTAT_F = """\
Job Id: 4807.pbs01
    Job_Name = relax-Si
    Job_Owner = ada@login01.cluster
    resources_used.cpupercent = 395
    resources_used.cput = 04:02:11
    resources_used.mem = 1843200kb
    resources_used.ncpus = 8
    resources_used.vmem = 2457600kb
    resources_used.walltime = 01:00:32
    job_state = R
    queue = workq
    server = pbs01
    Account_Name = chem-101
    Checkpoint = u
    ctime = Mon Nov 30 09:00:00 2026
    exec_host = cn012/0*8
    Resource_List.mem = 16gb
    Resource_List.ncpus = 8
    Resource_List.nodect = 1
    Resource_List.place = pack
    Resource_List.select = 1:ncpus=8:mem=16gb
    Resource_List.walltime = 12:00:00
    Variable_List = PBS_O_HOME=/home/ada,PBS_O_PATH=/usr/bin:/bin,PBS_O_QUEUE=workq
    Submit_Host = login01

Job Id: 4808.pbs01
    Job_Name = phonon run
    Job_Owner = grace@login02
    job_state = Q
    queue = long
    server = pbs01
    Resource_List.ncpus = 64
    Resource_List.nodect = 2
    Resource_List.walltime = 72:00:00
    Submit_Host = login02

Job Id: 4790.pbs01
    Job_Name = dos
    Job_Owner = ada@login01
    resources_used.walltime = 00:00:00
    job_state = F
    queue = debug
    Resource_List.walltime = 00:10:00
    Exit_status = 271
"""

# Torque 'qstat -f' (no -w): no ncpus, lowercase keys of its own, a value wrapped onto tab lines.
TORQUE = """\
Job Id: 301.torque-server.example.org
    Job_Name = a-job-name-long-enough-to-be-wrap
\tped-by-qstat
    Job_Owner = linus@torque-server.example.org
    job_state = R
    queue = batch
    server = torque-server.example.org
    resources_used.walltime = 00:02:05
    Resource_List.nodect = 1
    Resource_List.nodes = 1:ppn=4
    Resource_List.walltime = 01:00:00
    Variable_List = PBS_O_QUEUE=batch,PBS_O_HOME=/home/linus,
\tPBS_O_LOGNAME=linus,PBS_O_PATH=/usr/bin
"""


@pytest.fixture
def pbs() -> PBSIO:
    return PBSIO()


class TestListing:
    def test_jobs_carry_what_qstat_prints_in_declared_fields(self, pbs: PBSIO) -> None:
        jobs = pbs.parse_jobs_list_output(0, QSTAT_F, "")
        assert jobs == [
            QJob(
                name="relax-Si",
                job_id="4807.pbs01",
                state=QState.RUNNING,
                sub_state=PBSState.RUNNING,
                info=QJobInfo(memory=16 * 1024 * 1024, nodes=1, cpus=8, time_limit=43200),
                account="chem-101",
                runtime=3632,
                queue_name="workq",
                username="ada",
            ),
            QJob(
                name="phonon run",
                job_id="4808.pbs01",
                state=QState.QUEUED,
                sub_state=PBSState.QUEUED,
                info=QJobInfo(nodes=2, cpus=64, time_limit=259200),
                queue_name="long",
                username="grace",
            ),
            QJob(
                name="dos",
                job_id="4790.pbs01",
                exit_status=271,
                state=QState.DONE,
                sub_state=PBSState.FINISHED,
                info=QJobInfo(time_limit=600),
                runtime=0,
                queue_name="debug",
                username="ada",
            ),
        ]

    def test_torque_output_and_wrapped_values(self, pbs: PBSIO) -> None:
        (job,) = pbs.parse_jobs_list_output(0, TORQUE, "")
        assert job.name == "a-job-name-long-enough-to-be-wrapped-by-qstat"
        assert job.job_id == "301.torque-server.example.org"
        assert job.username == "linus"
        assert job.runtime == 125
        assert job.info == QJobInfo(nodes=1, time_limit=3600)

    def test_listing_read_in_blocks(self, pbs: PBSIO, monkeypatch: pytest.MonkeyPatch) -> None:
        whole = pbs.parse_jobs_list_output(0, QSTAT_F * 3, "")
        monkeypatch.setattr(qstat_full, "_BLOCK", 100)
        assert pbs.parse_jobs_list_output(0, QSTAT_F * 3, "") == whole
        assert len(whole) == 9
        in_blocks = qstat_full.parse_qstat_full(
            QSTAT_F * 3,
            states={"R": PBSState.RUNNING, "Q": PBSState.QUEUED, "F": PBSState.FINISHED},
            convert_memory=pbs._convert_memory_str,
            convert_time=PBSIO._convert_str_to_time,
            job_ids=["4790.pbs01"],
        )
        assert [job.exit_status for job in in_blocks] == [271, 271, 271]
        second = QSTAT_F.replace("= F\n", "= Z\n").replace("4790", "4791")
        with pytest.raises(OutputParsingError, match=r"line 85: job_state: unknown state 'Z'"):
            pbs.parse_jobs_list_output(0, QSTAT_F + second, "")

    def test_job_without_owner_and_output_without_last_newline(self, pbs: PBSIO) -> None:
        text = QSTAT_F.replace("    Job_Owner = ada@login01\n", "").rstrip("\n")
        jobs = pbs.parse_jobs_list_output(0, text, "")
        assert [job.username for job in jobs] == ["ada", "grace", None]
        assert jobs[2].exit_status == 271
        no_limit = text.replace("    Resource_List.walltime = 00:10:00\n", "")
        assert pbs.parse_jobs_list_output(0, no_limit, "")[2].info == QJobInfo()

    def test_bytes_and_job_ids(self, pbs: PBSIO) -> None:
        # The ids asked for are qstat's business (they are in its command), as upstream.
        jobs = pbs.parse_jobs_list_output(0, QSTAT_F.encode(), b"", job_ids=["4808"])
        assert [job.job_id for job in jobs] == ["4807.pbs01", "4808.pbs01", "4790.pbs01"]

    def test_single_job(self, pbs: PBSIO) -> None:
        job = pbs.parse_job_output(0, QSTAT_F, "")
        assert job is not None
        assert job.job_id == "4807.pbs01"
        assert pbs.parse_job_output(0, "", "") is None

    @pytest.mark.parametrize("stdout", ["", "\n", "   \n"])
    def test_no_jobs(self, pbs: PBSIO, stdout: str) -> None:
        assert pbs.parse_jobs_list_output(0, stdout, "") == []

    def test_unknown_and_finished_jobs_are_not_failures(self, pbs: PBSIO) -> None:
        stderr = "qstat: Unknown Job Id 9.pbs01\nqstat: 8.pbs01 Job has finished, use -x\n"
        jobs = pbs.parse_jobs_list_output(35, QSTAT_F, stderr)
        assert len(jobs) == 3

    def test_failed_command(self, pbs: PBSIO) -> None:
        stderr = "qstat: cannot connect to server pbs01 (errno=111)\n"
        with pytest.raises(CommandFailedError, match="cannot connect") as info:
            pbs.parse_jobs_list_output(2, "", stderr)
        assert info.value.exit_code == 2
        assert info.value.stderr == stderr

    def test_owner_without_host_or_with_two_at_signs(self, pbs: PBSIO) -> None:
        text = QSTAT_F.replace("ada@login01.cluster", "ada").replace("grace@login02", "g@x@h")
        jobs = pbs.parse_jobs_list_output(0, text, "")
        assert [job.username for job in jobs] == ["ada", "g@x", "ada"]

    def test_unreadable_counts_memory_and_runtime_are_unknown(self, pbs: PBSIO) -> None:
        text = (
            QSTAT_F.replace("nodect = 1\n", "nodect = one\n")
            .replace("mem = 16gb", "mem = 16parsecs")
            .replace("walltime = 01:00:32", "walltime = soon")
        )
        job = pbs.parse_jobs_list_output(0, text, "")[0]
        assert job.info == QJobInfo(cpus=8, time_limit=43200)
        assert job.runtime is None

    def test_unknown_state_names_line_and_field(self, pbs: PBSIO) -> None:
        text = QSTAT_F.replace("job_state = Q", "job_state = Z")
        with pytest.raises(OutputParsingError, match=r"line 29: job_state: .*'Z'.*4808") as info:
            pbs.parse_jobs_list_output(0, text, "")
        assert (info.value.line, info.value.field) == (29, "job_state")

    def test_missing_state(self, pbs: PBSIO) -> None:
        text = QSTAT_F.replace("    job_state = F\n", "")
        with pytest.raises(OutputParsingError, match=r"line 37: job_state: no job_state.*4790"):
            pbs.parse_jobs_list_output(0, text, "")

    def test_unreadable_time_limit_names_line_and_field(self, pbs: PBSIO) -> None:
        text = QSTAT_F.replace("walltime = 72:00:00", "walltime = 3 days")
        with pytest.raises(OutputParsingError, match=r"line 34: Resource_List\.walltime: .*3 days"):
            pbs.parse_jobs_list_output(0, text, "")

    def test_text_that_is_not_a_listing(self, pbs: PBSIO) -> None:
        with pytest.raises(OutputParsingError, match="line 2: Job Id") as info:
            pbs.parse_jobs_list_output(0, "\nusage: qstat [-f]\n", "")
        assert info.value.line == 2

    def test_typed_as_pbs_jobs(self, pbs: PBSIO) -> None:
        jobs: list[QJob[PBSState]] = pbs.parse_jobs_list_output(0, QSTAT_F, "")
        assert all(isinstance(job.sub_state, PBSState) for job in jobs)


class TestSubmitAndCancel:
    @pytest.mark.parametrize(
        ("stdout", "job_id", "status"),
        [
            ("4807.pbs01\n", "4807.pbs01", SubmissionStatus.SUCCESSFUL),
            ("qsub: warning: option -l mem is deprecated\n4809.pbs01\n", "4809.pbs01", None),
            ("", None, SubmissionStatus.JOB_ID_UNKNOWN),
            (" \n", None, SubmissionStatus.JOB_ID_UNKNOWN),
        ],
    )
    def test_submit(
        self, pbs: PBSIO, stdout: str, job_id: str | None, status: SubmissionStatus | None
    ) -> None:
        result = pbs.parse_submit_output(0, stdout, "")
        assert result.job_id == job_id
        assert result.status == (status or SubmissionStatus.SUCCESSFUL)
        assert (result.exit_code, result.stdout, result.stderr) == (0, stdout, "")

    def test_failed_submit(self, pbs: PBSIO) -> None:
        result = pbs.parse_submit_output(1, b"", b"qsub: Unknown queue\n")
        assert result.status == SubmissionStatus.FAILED
        assert result.stderr == "qsub: Unknown queue\n"
        assert result.job_id is None

    def test_cancel(self, pbs: PBSIO) -> None:
        assert pbs.parse_cancel_output(0, "", "").status == CancelStatus.SUCCESSFUL
        failed = pbs.parse_cancel_output(1, "", "qdel: Unknown Job Id 120.pbs01\n")
        assert failed.status == CancelStatus.FAILED


class TestCommands:
    def test_commands(self, pbs: PBSIO) -> None:
        assert pbs.get_submit_cmd("job.sh") == "qsub job.sh"
        assert pbs.get_submit_cmd("my job.sh") == "qsub 'my job.sh'"
        assert pbs.get_cancel_cmd("4807.pbs01") == "qdel 4807.pbs01"
        assert pbs.get_job_cmd("4807.pbs01") == "qstat -f -w 4807.pbs01"
        assert pbs.get_jobs_list_cmd(["1.s", "2[].s"], None) == "qstat -f -w 1.s '2[].s'"
        assert pbs.get_cancel_cmd("7[3].pbs01") == "qdel '7[3].pbs01'"
        assert pbs.get_cancel_cmd("7.pbs01[1-3]") == "qdel '7.pbs01[1-3]'"
        assert pbs.get_jobs_list_cmd(None, "ada") == "qstat -f -w -u ada"
        assert pbs.get_jobs_list_cmd(None, "a b") == "qstat -f -w -u 'a b'"
        assert pbs.get_jobs_list_cmd(None, None) == "qstat -f -w"

    @pytest.mark.parametrize("job_id", ["1; rm -rf ~", "$(reboot).s", "12", "12.s x", ""])
    def test_invalid_job_ids(self, pbs: PBSIO, job_id: str) -> None:
        with pytest.raises((InvalidJobIDError, ValueError)):
            pbs.get_cancel_cmd(job_id)
        with pytest.raises(InvalidJobIDError):
            pbs.get_jobs_list_cmd([job_id or " "], None)

    def test_user_and_jobs_together(self, pbs: PBSIO) -> None:
        with pytest.raises(ValueError, match=r"Cannot query by user and job\(s\) in PBS"):
            pbs.get_jobs_list_cmd(["1.s"], "ada")


class TestScripts:
    def test_script_of_resources(self, pbs: PBSIO) -> None:
        resources = QResources(
            queue_name="workq",
            job_name="relax Si/001",
            nodes=2,
            processes_per_node=4,
            threads_per_process=2,
            memory_per_thread=1000,
            time_limit=5400,
            account="chem-101",
            email_address="ada@example.org",
            rerunnable=False,
            njobs=3,
            process_placement=ProcessPlacement.EVENLY_DISTRIBUTED,
        )
        assert pbs.get_submission_script(["cd run", "mpirun vasp"], resources) == (
            "#!/bin/bash\n"
            "#PBS -q workq\n"
            "#PBS -N relax_Si_001\n"
            "#PBS -A chem-101\n"
            "#PBS -l select=2:ncpus=8:mpiprocs=4:ompthreads=2:mem=8000mb\n"
            "#PBS -l walltime=1:30:0\n"
            "#PBS -l place=scatter\n"
            "#PBS -M ada@example.org\n"
            "#PBS -m abe\n"
            "#PBS -r n\n"
            "#PBS -J 1-3\n"
            "\n"
            "cd run\n"
            "mpirun vasp"
        )

    @pytest.mark.parametrize(
        ("resources", "select", "place"),
        [
            (QResources(processes=5), "select=5", None),
            (
                QResources(process_placement=ProcessPlacement.SAME_NODE, processes=4),
                "select=1:ncpus=4:mpiprocs=4",
                "pack",
            ),
            (
                QResources(process_placement=ProcessPlacement.SCATTERED, nodes=3),
                "select=3:ncpus=1:mpiprocs=1",
                "scatter",
            ),
            (
                QResources.no_constraints(processes=2, threads_per_process=3, memory_per_thread=10),
                "select=2:ncpus=3:ompthreads=3:mem=30mb",
                None,
            ),
        ],
    )
    def test_select(
        self, pbs: PBSIO, resources: QResources, select: str, place: str | None
    ) -> None:
        header = pbs.check_convert_qresources(resources)
        assert header["select"] == select
        assert header.get("place") == place

    @pytest.mark.parametrize(
        ("resources", "field"),
        [
            (QResources(processes=1, qos="high"), "qos"),
            (QResources(processes=1, gpus_per_job=2), "gpus_per_job"),
        ],
    )
    def test_unsupported_resources_are_named(
        self, pbs: PBSIO, resources: QResources, field: str
    ) -> None:
        with pytest.raises(UnsupportedResourcesError, match=f"Keys not supported: {field}"):
            pbs.check_convert_qresources(resources)

    def test_placement_of_another_type(self, pbs: PBSIO) -> None:
        resources = QResources(processes=1)
        resources.process_placement = cast("Any", "BadPlacement")  # set after validation
        refused = "process_placement 'BadPlacement' is not one of NO_CONSTRAINTS"
        with pytest.raises(UnsupportedResourcesError, match=re.escape(refused)):
            pbs.check_convert_qresources(resources)

    def test_resources_without_placement(self, pbs: PBSIO) -> None:
        with pytest.raises(UnsupportedResourcesError, match="process placement None"):
            pbs.check_convert_qresources(QResources(job_name="only a name"))

    def test_job_name_is_sanitized(self, pbs: PBSIO) -> None:
        script = pbs.get_submission_script("ls", {"job_name": "a b!é#$c"})
        assert "#PBS -N a_b____c" in script

    def test_value_with_line_break_is_refused(self, pbs: PBSIO) -> None:
        with pytest.raises(ValueError, match="line break"):
            pbs.get_submission_script("ls", {"queue": "workq\nrm -rf ~"})


class TestConversions:
    @pytest.mark.parametrize(
        ("text", "seconds"),
        [("10:51:13", 39073), ("10:02", 602), ("45", 45), ("1:00:00:10", 86410), ("", None)],
    )
    def test_time(self, text: str, seconds: int | None) -> None:
        assert PBSIO._convert_str_to_time(text) == seconds

    @pytest.mark.parametrize("text", ["2:10:a", "1:2:3:4:5", "soon"])
    def test_bad_time(self, text: str) -> None:
        with pytest.raises(OutputParsingError):
            PBSIO._convert_str_to_time(text)

    def test_memory(self, pbs: PBSIO) -> None:
        assert pbs._convert_memory_str("12mb") == 12288
        assert pbs._convert_memory_str("13kb") == 13
        assert pbs._convert_memory_str("1tb") == 1024**3
        assert pbs._convert_memory_str("10") == 10240
        assert pbs._convert_memory_str(None) is None
        with pytest.raises(OutputParsingError, match="Unknown units apples"):
            pbs._convert_memory_str("10apples")

    def test_duration(self) -> None:
        assert PBSIO._convert_time_to_str(7802) == "2:10:2"
        assert PBSIO._convert_time_to_str(timedelta(hours=15, seconds=3)) == "15:0:3"


class TestMSON:
    def test_round_trip(self, pbs: PBSIO) -> None:
        document = pbs.as_dict()
        assert document["@module"] == "qtoolkit.io.pbs"
        assert document["@class"] == "PBSIO"
        assert isinstance(PBSIO.from_dict(document), PBSIO)
        assert isinstance(MontyDecoder().process_decoded(document), PBSIO)

    def test_subclass_round_trip(self) -> None:
        class SitePBSIO(PBSIO):
            def __init__(self, site: str = "hpc") -> None:
                super().__init__()
                self.site = site

        restored = PBSIO.from_dict(SitePBSIO("lumi").as_dict())
        assert type(restored) is SitePBSIO
        assert restored.site == "lumi"

    def test_mapping(self) -> None:
        assert scheduler_mapping["pbs"] is PBSIO
