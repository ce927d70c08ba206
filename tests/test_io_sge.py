"""SGEIO: commands, scripts, and the reading of what Grid Engine 8.1.9 prints.

The files of ``tests/data/sge-8.1.9`` were recorded from a Grid Engine 8.1.9 cell (Debian's
``gridengine-*`` packages): ``qstat -ext -urg -xml [-r] -u "*"`` listings of running, suspended,
held, errored, deleting and array jobs, and the outputs of ``qsub`` and ``qdel``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from monty.json import MontyDecoder

from qtoolkit.core.data_objects import (
    CancelStatus,
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
from qtoolkit.io import scheduler_mapping
from qtoolkit.io.sge import SGEIO, SGEState

RECORDED = Path(__file__).parent / "data" / "sge-8.1.9"
KB_PER_MB = 1024


def recorded(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8")


def recorded_output(name: str) -> dict[str, Any]:
    output: dict[str, Any] = json.loads(recorded(f"{name}.json"))
    return output


@pytest.fixture
def sge() -> SGEIO:
    return SGEIO()


class TestListing:
    def test_recorded_listing_with_requests(self, sge: SGEIO) -> None:
        jobs = sge.parse_jobs_list_output(0, recorded("qstat_ext_urg_r.xml"), "")
        assert jobs == [
            QJob(
                name="run2",
                job_id="2",
                state=QState.SUSPENDED,
                sub_state=SGEState.JOB_SUSPENDED,
                info=QJobInfo(memory_per_cpu=512 * KB_PER_MB, cpus=2, time_limit=7200),
                queue_name="all.q",
                username="root",
            ),
            QJob(
                name="a&b%lt;c",
                job_id="7",
                state=QState.RUNNING,
                sub_state=SGEState.RUNNING,
                info=QJobInfo(nodes=1, cpus=1),
                queue_name="all.q",
                username="root",
            ),
            QJob(
                name="longrt",
                job_id="9",
                state=QState.RUNNING,
                sub_state=SGEState.RUNNING,
                info=QJobInfo(memory_per_cpu=1500 * KB_PER_MB, nodes=1, cpus=1, time_limit=360000),
                queue_name="all.q",
                username="root",
            ),
            QJob(
                name="big",
                job_id="5",
                state=QState.QUEUED_HELD,
                sub_state=SGEState.HOLD,
                info=QJobInfo(cpus=8),
                username="root",
            ),
            QJob(
                name="errjob",
                job_id="8",
                state=QState.FAILED,
                sub_state=SGEState.ERROR_PENDING,
                info=QJobInfo(nodes=1, cpus=1),
                username="root",
            ),
            # The pending array of qsub -t 1-4:2: <tasks>1,3</tasks>, one job per task.
            *(
                QJob(
                    name="arr2",
                    job_id=task_id,
                    state=QState.QUEUED,
                    sub_state=SGEState.QUEUED_WAITING,
                    info=QJobInfo(nodes=1, cpus=1),
                    username="root",
                )
                for task_id in ("10.1", "10.3")
            ),
        ]

    def test_recorded_listing_without_requests(self, sge: SGEIO) -> None:
        jobs = sge.parse_jobs_list_output(0, recorded("qstat_ext_urg.xml"), "")
        assert [(j.job_id, j.queue_name, j.info) for j in jobs][:2] == [
            ("2", "all.q", QJobInfo(cpus=2)),
            ("7", "all.q", QJobInfo(nodes=1, cpus=1)),
        ]

    def test_pending_job_requesting_a_queue(self, sge: SGEIO) -> None:
        text = recorded("qstat_ext_urg_r.xml").replace(
            "<slots>8</slots>", "<slots>8</slots>\n      <hard_req_queue>long.q</hard_req_queue>"
        )
        held = sge.parse_jobs_list_output(0, text, "", job_ids=["5"])
        assert [job.queue_name for job in held] == ["long.q"]

    @pytest.mark.parametrize(
        ("code", "member"),
        [
            ("hr", SGEState.RUNNING),
            ("Rr", SGEState.RESTARTED),
            ("S", SGEState.JOB_SUSPENDED),
            ("RtT", SGEState.JOB_SUSPENDED),
            ("hRwq", SGEState.HOLD),
        ],
    )
    def test_combined_state_codes(self, sge: SGEIO, code: str, member: SGEState) -> None:
        text = recorded("qstat_ext_urg.xml").replace("<state>Eqw</state>", f"<state>{code}</state>")
        job = sge.parse_jobs_list_output(0, text, "", job_ids=["8"])[0]
        assert (job.sub_state, job.state) == (member, member.qstate)
        assert job.sub_state is not None
        assert job.sub_state.value == {"hr": "r", "Rr": "R", "hRwq": "hqw"}.get(code, "s")

    def test_deleting_job(self, sge: SGEIO) -> None:
        jobs = sge.parse_jobs_list_output(0, recorded("qstat_deleting.xml"), "")
        assert [(j.job_id, j.sub_state) for j in jobs] == [
            ("2", SGEState.JOB_SUSPENDED),
            ("7", SGEState.RUNNING),
            ("13", SGEState.DELETION_RUNNING),
            ("8", SGEState.ERROR_PENDING),
        ]

    @pytest.mark.parametrize(("stdout", "count"), [("", 0), (recorded("qstat_nobody.xml"), 0)])
    def test_no_jobs(self, sge: SGEIO, stdout: str, count: int) -> None:
        assert len(sge.parse_jobs_list_output(0, stdout, "")) == count

    def test_one_job(self, sge: SGEIO) -> None:
        job = sge.parse_job_output(0, recorded("qstat_ext_urg_r.xml").encode(), b"", job_id="9")
        assert job is not None
        assert (job.name, job.info.time_limit if job.info else None) == ("longrt", 360000)
        assert sge.parse_job_output(0, recorded("qstat_ext_urg_r.xml"), "", job_id="99") is None
        with pytest.raises(RuntimeError, match="job_id should be passed"):
            sge.parse_job_output(0, "", "")

    def test_entities(self, sge: SGEIO) -> None:
        text = recorded("qstat_ext_urg.xml").replace(
            "<JB_name>run2<", "<JB_name>r&#233;x &gt; &#x41;<"
        )
        job = sge.parse_jobs_list_output(0, text, "")[0]
        assert job.name == "r\u00e9x > A"

    def test_character_reference_beyond_unicode_is_kept(self, sge: SGEIO) -> None:
        text = recorded("qstat_ext_urg.xml").replace("<JB_name>run2<", "<JB_name>a&#1114112;<")
        assert sge.parse_jobs_list_output(0, text, "")[0].name == "a&#1114112;"

    def test_time_limit_without_memory_request(self, sge: SGEIO) -> None:
        text = recorded("qstat_ext_urg_r.xml").replace('"mem_free"', '"arch"')
        job = sge.parse_jobs_list_output(0, text, "")[0]
        assert job.info == QJobInfo(cpus=2, time_limit=7200)

    def test_no_time_limit(self, sge: SGEIO) -> None:
        text = recorded("qstat_ext_urg_r.xml").replace(">7200<", ">INFINITY<")
        assert sge.parse_jobs_list_output(0, text, "")[0].info == QJobInfo(
            memory_per_cpu=512 * KB_PER_MB, cpus=2
        )

    def test_unknown_memory_unit_leaves_memory_unknown(self, sge: SGEIO) -> None:
        text = recorded("qstat_ext_urg_r.xml").replace(">512M<", ">512Q<")
        assert sge.parse_jobs_list_output(0, text, "")[0].info == QJobInfo(cpus=2, time_limit=7200)

    def test_failed_command(self, sge: SGEIO) -> None:
        stderr = "error: commlib error: got select error (Connection refused)\n"
        with pytest.raises(CommandFailedError, match="Connection refused") as info:
            SGEIO(get_job_executable="qstat").parse_jobs_list_output(1, "", stderr)
        assert (info.value.exit_code, info.value.stderr) == (1, stderr)

    def test_detailed_job_info_is_not_a_listing(self, sge: SGEIO) -> None:
        text = "<?xml version='1.0'?>\n<detailed_job_info>\n</detailed_job_info>\n"
        with pytest.raises(OutputParsingError, match="line 2: job_info: root element") as info:
            sge.parse_jobs_list_output(0, text, "")
        assert info.value.field == "job_info"

    @pytest.mark.parametrize("text", ["not xml at all", "<job_info>\n<job_list state='r'>"])
    def test_broken_output(self, sge: SGEIO, text: str) -> None:
        with pytest.raises(OutputParsingError):
            sge.parse_jobs_list_output(0, text, "")

    def test_truncated_job(self, sge: SGEIO) -> None:
        text = recorded("qstat_ext_urg.xml").replace("</job_list>", "", 1)
        with pytest.raises(OutputParsingError, match="line 4: job_list: element not closed"):
            sge.parse_jobs_list_output(0, text, "")

    def test_unknown_state_names_line_and_field(self, sge: SGEIO) -> None:
        text = recorded("qstat_ext_urg.xml").replace("<state>Eqw</state>", "<state>Zx</state>")
        with pytest.raises(
            OutputParsingError, match="line 120: state: unknown state 'Zx' of job 8"
        ):
            sge.parse_jobs_list_output(0, text, "")

    def test_job_without_number(self, sge: SGEIO) -> None:
        text = recorded("qstat_ext_urg.xml").replace("<JB_job_number>7</JB_job_number>", "")
        with pytest.raises(OutputParsingError, match="JB_job_number"):
            sge.parse_jobs_list_output(0, text, "")

    def test_unreadable_time_limit(self, sge: SGEIO) -> None:
        text = recorded("qstat_ext_urg_r.xml").replace(">7200<", ">two hours<")
        with pytest.raises(OutputParsingError, match="line 33: h_rt: cannot read 'two hours'"):
            sge.parse_jobs_list_output(0, text, "")

    def test_typed_as_sge_jobs(self, sge: SGEIO) -> None:
        jobs: list[QJob[SGEState]] = sge.parse_jobs_list_output(
            0, recorded("qstat_ext_urg.xml"), ""
        )
        assert all(isinstance(job.sub_state, SGEState) for job in jobs)


class TestSubmitAndCancel:
    @pytest.mark.parametrize(("name", "job_id"), [("qsub_plain", "9"), ("qsub_array", "10")])
    def test_recorded_submissions(self, sge: SGEIO, name: str, job_id: str) -> None:
        output = recorded_output(name)
        result = sge.parse_submit_output(**output)
        assert (result.job_id, result.status) == (job_id, SubmissionStatus.SUCCESSFUL)

    @pytest.mark.parametrize("name", ["qsub_badname", "qsub_badqueue"])
    def test_recorded_refusals(self, sge: SGEIO, name: str) -> None:
        result = sge.parse_submit_output(**recorded_output(name))
        assert (result.job_id, result.status) == (None, SubmissionStatus.FAILED)
        assert result.stderr is not None
        assert result.stderr.startswith("Unable to run job")

    def test_submission_without_id(self, sge: SGEIO) -> None:
        with pytest.raises(OutputParsingError, match="Failed to parse job ID"):
            sge.parse_submit_output(0, "something else\n", "")

    @pytest.mark.parametrize(
        ("name", "job_id"), [("qdel_running", "9"), ("qdel_pending", "5"), ("qdel_array", "10")]
    )
    def test_recorded_deletions(self, sge: SGEIO, name: str, job_id: str) -> None:
        result = sge.parse_cancel_output(**recorded_output(name))
        assert (result.job_id, result.status) == (job_id, CancelStatus.SUCCESSFUL)

    def test_deletion_of_an_array_task(self, sge: SGEIO) -> None:
        stdout = "root has registered the job-array task 4.1 for deletion\nroot has deleted job 4\n"
        result = sge.parse_cancel_output(0, stdout, "")
        assert (result.job_id, result.status) == ("4", CancelStatus.SUCCESSFUL)

    def test_recorded_unknown_job(self, sge: SGEIO) -> None:
        result = sge.parse_cancel_output(**recorded_output("qdel_unknown"))
        assert (result.job_id, result.status) == (None, CancelStatus.FAILED)
        assert result.stdout == 'denied: job "999" does not exist\n'

    def test_older_releases_report_on_stderr(self, sge: SGEIO) -> None:
        result = sge.parse_cancel_output(0, b"", b"qdel: job 267 deleted\n")
        assert (result.job_id, result.status) == ("267", CancelStatus.SUCCESSFUL)

    def test_deletion_without_id(self, sge: SGEIO) -> None:
        result = sge.parse_cancel_output(0, "", "")
        assert (result.job_id, result.status) == (None, CancelStatus.JOB_ID_UNKNOWN)


class TestCommands:
    def test_commands(self, sge: SGEIO) -> None:
        assert sge.get_submit_cmd("job.sh") == "qsub job.sh"
        assert sge.get_cancel_cmd(12) == "qdel 12"
        assert sge.get_job_cmd("12") == 'qstat -ext -urg -xml -r -u "*"'
        assert sge.get_jobs_list_cmd(None, None) == 'qstat -ext -urg -xml -r -u "*"'
        assert sge.get_jobs_list_cmd(None, "ada") == "qstat -ext -urg -xml -r -u ada"
        assert sge.get_jobs_list_cmd(None, "$(reboot)") == "qstat -ext -urg -xml -r -u '$(reboot)'"
        assert sge.get_jobs_list_cmd(["12", "13"], None) == 'qstat -ext -urg -xml -r -u "*"'

    def test_no_query_by_job_ids(self, sge: SGEIO) -> None:
        with pytest.raises(NotImplementedError, match="Querying by job IDs is not supported"):
            sge._get_job_ids_flag("1,2")

    @pytest.mark.parametrize("job_id", ["1; rm -rf ~", "$(reboot)", "a", "12 13"])
    def test_invalid_job_ids(self, sge: SGEIO, job_id: str) -> None:
        with pytest.raises(InvalidJobIDError):
            sge.get_cancel_cmd(job_id)
        with pytest.raises(InvalidJobIDError):
            sge.get_job_cmd(job_id)


class TestScripts:
    """Scripts Grid Engine 8.1.9's qsub accepts (each checked on a real cell)."""

    def test_script_of_resources(self, sge: SGEIO) -> None:
        resources = QResources.no_constraints(
            processes=4,
            job_name="relax Si/001",
            time_limit=3600,
            queue_name="all.q",
            memory_per_thread=500,
            project="materials",
            scheduler_kwargs={"model": "smp 4"},
        )
        assert sge.get_submission_script("echo hi", resources) == (
            "#!/bin/bash\n"
            "#$ -q all.q\n"
            "#$ -N relax_Si_001\n"
            "#$ -P materials\n"
            "#$ -l h_vmem=500M\n"
            "#$ -l h_rt=1:0:0\n"
            "#$ -l s_rt=0:59:24\n"
            "#$ -pe smp 4\n"
            "\n"
            "echo hi"
        )

    def test_one_slot_needs_no_parallel_environment(self, sge: SGEIO) -> None:
        script = sge.get_submission_script("ls", QResources(processes=1, rerunnable=True))
        assert script == "#!/bin/bash\n#$ -r y\n\nls"

    @pytest.mark.parametrize(
        ("resources", "slots"),
        [
            (QResources(processes=4), 4),
            (QResources.no_constraints(processes=2, threads_per_process=3), 6),
            (QResources.evenly_distributed(nodes=2, processes_per_node=8), 16),
            (QResources.same_node(processes=3), 3),
        ],
    )
    def test_several_slots_need_a_parallel_environment(
        self, sge: SGEIO, resources: QResources, slots: int
    ) -> None:
        with pytest.raises(UnsupportedResourcesError, match=f"processes: .* {slots} slots"):
            sge.get_submission_script("ls", resources)

    def test_placement_is_the_parallel_environment(self, sge: SGEIO) -> None:
        resources = QResources.scattered(processes=2, scheduler_kwargs={"model": "mpi_rr 2"})
        assert sge.check_convert_qresources(resources) == {"model": "mpi_rr 2"}

    def test_job_name_is_made_acceptable_to_grid_engine(self, sge: SGEIO) -> None:
        script = sge.get_submission_script("ls", {"job_name": "caf\u00e9 run:1"})
        assert "#$ -N caf__run_1" in script

    def test_account_is_unsupported(self, sge: SGEIO) -> None:
        with pytest.raises(UnsupportedResourcesError, match="Keys not supported: account"):
            sge.check_convert_qresources(QResources(processes=1, account="chem"))


class TestConversions:
    @pytest.mark.parametrize(
        ("text", "seconds"), [("10:51:13", 39073), ("10:02", 602), ("3600", 3600), (None, None)]
    )
    def test_time(self, text: str | None, seconds: int | None) -> None:
        assert SGEIO._convert_str_to_time(text) == seconds

    @pytest.mark.parametrize("text", ["1:10:51:13", "2:10:a", ""])
    def test_bad_time(self, text: str) -> None:
        with pytest.raises(OutputParsingError, match="Invalid time format"):
            SGEIO._convert_str_to_time(text)

    def test_memory(self, sge: SGEIO) -> None:
        assert sge._convert_memory_str("12M") == 12 * KB_PER_MB
        assert sge._convert_memory_str("5G") == 5 * 1024 * KB_PER_MB
        assert sge._convert_memory_str("13K") == 13
        assert sge._convert_memory_str("") is None


class TestMSON:
    def test_round_trip_keeps_the_executable(self) -> None:
        io = SGEIO(get_job_executable="/opt/sge/bin/qstat")
        document = io.as_dict()
        assert document["get_job_executable"] == "/opt/sge/bin/qstat"
        for restored in (SGEIO.from_dict(document), MontyDecoder().process_decoded(document)):
            assert isinstance(restored, SGEIO)
            assert restored.get_job_executable == "/opt/sge/bin/qstat"

    def test_mapping(self) -> None:
        assert scheduler_mapping["sge"] is SGEIO
