"""BaseSchedulerIO: templates, headers, job ids, quoting and the MSON documents of IO objects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qtoolkit.core.data_objects import CancelResult, QJob, QResources, SubmissionResult
from qtoolkit.core.exceptions import InvalidJobIDError, UnsupportedResourcesError
from qtoolkit.io import BaseSchedulerIO, QTemplate, ShellIO, SlurmIO, scheduler_mapping
from qtoolkit.io.base import TEMPLATE_DIR, load_template
from qtoolkit.io.slurm import SlurmState


class ToyIO(BaseSchedulerIO[SlurmState]):
    """The smallest concrete IO: a template of its own, no job id format."""

    header_template = "#TOY -n $${name}\n#TOY --mem=$${mem} --cpus=$${cpus}\n$${qverbatim}"
    SUBMIT_CMD = "toysub"
    CANCEL_CMD = "toydel"

    def __init__(self, flavour: str = "plain") -> None:
        self.flavour = flavour

    def _convert_qresources(self, resources: QResources) -> dict[str, Any]:
        return {"name": resources.job_name}

    @property
    def supported_qresources_keys(self) -> list[str]:
        return ["job_name"]

    def _get_job_cmd(self, job_id: str) -> str:
        return f"toystat {job_id}"

    def _get_jobs_list_cmd(self, job_ids: list[str] | None = None, user: str | None = None) -> str:
        return f"toystat ids={job_ids} user={user}"

    def parse_submit_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> SubmissionResult:
        return SubmissionResult(exit_code=exit_code)

    def parse_cancel_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes
    ) -> CancelResult:
        return CancelResult(exit_code=exit_code)

    def parse_job_output(
        self, exit_code: int, stdout: str | bytes, stderr: str | bytes, job_id: str | None = None
    ) -> QJob[SlurmState] | None:
        return None

    def parse_jobs_list_output(
        self,
        exit_code: int,
        stdout: str | bytes,
        stderr: str | bytes,
        job_ids: list[str] | None = None,
    ) -> list[QJob[SlurmState]]:
        return []


def test_qtemplate_lists_each_placeholder_once_in_order() -> None:
    template = QTemplate("$${b} $${a} $$c $${b} $$$$ $${}")
    assert template.get_identifiers() == ["b", "a", "c"]


def test_templates_are_package_data() -> None:
    for name in ("slurm", "pbs", "sge", "shell"):
        assert (TEMPLATE_DIR / name).is_file()
        assert "$${qverbatim}" in load_template(name)
    assert SlurmIO.header_template == load_template("slurm")
    assert "#SBATCH --partition=$${partition}" in SlurmIO.header_template


def test_a_subclass_naming_a_template_file_reads_it() -> None:
    class SlurmLike(SlurmIO):
        header_template_file = "shell"

    assert SlurmLike.header_template == load_template("shell")
    assert SlurmIO.header_template == load_template("slurm")


def test_scheduler_mapping_names_each_class() -> None:
    assert scheduler_mapping["slurm"] is SlurmIO
    assert scheduler_mapping["shell"] is ShellIO
    assert all(issubclass(cls, BaseSchedulerIO) for cls in scheduler_mapping.values())


def test_header_keeps_lines_whose_placeholders_are_all_given() -> None:
    io = ToyIO()
    assert io.generate_header({"name": "x"}) == "#TOY -n x"
    assert io.generate_header({"mem": 2}) == ""
    assert io.generate_header({"mem": 2, "cpus": 4}) == "#TOY --mem=2 --cpus=4"
    # A value holding "$$" stays (upstream dropped its line).
    assert io.generate_header({"name": "a$$b"}) == "#TOY -n a$$b"


def test_header_copies_verbatim_text_with_its_lines() -> None:
    header = ToyIO().generate_header({"qverbatim": "#EXTRA\necho $$"})
    assert header == "#EXTRA\necho $$"


def test_header_refuses_a_line_break_in_a_value() -> None:
    for value in ("x\nrm -rf ~", "x\r", "x\u2028y"):
        with pytest.raises(ValueError, match="'name' holds a line break"):
            ToyIO().generate_header({"name": value})


def test_header_refuses_unknown_keys_and_suggests_close_ones() -> None:
    with pytest.raises(ValueError, match="not present in the template: nam, zzz") as info:
        ToyIO().generate_header({"nam": 1, "zzz": 2})
    assert "Possible replacements: 'name' instead of 'nam'." in str(info.value)
    assert "test_io_base.ToyIO.header_template" in str(info.value)


def test_unsupported_resources_name_the_fields() -> None:
    resources = QResources(job_name="j", processes=4, queue_name="q")
    with pytest.raises(UnsupportedResourcesError, match="Keys not supported: process_placement, "):
        ToyIO().generate_header(resources)
    with pytest.raises(
        UnsupportedResourcesError, match=r"process_placement, processes, queue_name$"
    ):
        ToyIO().check_convert_qresources(resources)
    assert ToyIO().generate_header(QResources(job_name="j")) == "#TOY -n j"


def test_submission_script_joins_shebang_header_commands_and_footer() -> None:
    script = ToyIO().get_submission_script(["a", "b"], {"name": "n"})
    assert script == "#!/bin/bash\n#TOY -n n\na\nb"
    assert ToyIO().get_submission_script("a") == "#!/bin/bash\na"


def test_ids_are_checked_against_the_regex_in_full() -> None:
    io = SlurmIO()
    assert io.generate_ids_list([1, "2", QJob(job_id="3_4")]) == ["1", "2", "3_4"]
    assert io.generate_ids_list(None) is None
    for bad in ("1;rm -rf ~", "1\n", " 1", "1 2", "$(id)", "", "12_[1-3]"):
        with pytest.raises(InvalidJobIDError, match="is invalid for this scheduler"):
            io.get_job_cmd(bad)
        with pytest.raises(InvalidJobIDError):
            io.get_jobs_list_cmd([1, bad], None)
    with pytest.raises(InvalidJobIDError):
        io.get_cancel_cmd("1;x")


def test_ids_go_quoted_when_nothing_checks_them() -> None:
    io = ToyIO()
    assert io.is_valid_job_id("anything; at all")
    assert io.get_cancel_cmd("1; rm -rf ~") == "toydel '1; rm -rf ~'"
    assert io.get_job_cmd("$(id)") == "toystat '$(id)'"
    unchecked = SlurmIO()
    unchecked.check_job_ids = False
    assert unchecked.get_cancel_cmd("1 2") == "scancel -v '1 2'"


def test_users_and_script_paths_go_quoted() -> None:
    io = ToyIO()
    assert io.get_jobs_list_cmd(None, "bob; rm -rf ~") == "toystat ids=None user='bob; rm -rf ~'"
    assert io.get_jobs_list_cmd(["1"], "") == "toystat ids=['1'] user="
    assert io.get_submit_cmd("my script.sh") == "toysub 'my script.sh'"
    assert io.get_submit_cmd(Path("a/b.sh")) == "toysub a/b.sh"
    assert io.get_submit_cmd(None) == "toysub "


def test_a_job_to_cancel_needs_an_id() -> None:
    with pytest.raises(ValueError, match="Received: None"):
        SlurmIO().get_cancel_cmd(QJob())
    with pytest.raises(ValueError, match="empty string"):
        SlurmIO().get_cancel_cmd("")


# -- MSON --------------------------------------------------------------------------------------


def test_as_dict_is_the_class_and_constructor_arguments() -> None:
    document = SlurmIO(split_separator="|#|").as_dict()
    assert document == {
        "@module": "qtoolkit.io.slurm",
        "@class": "SlurmIO",
        "@version": "0.1.0",
        "get_job_executable": "scontrol",
        "split_separator": "|#|",
    }
    shell = ShellIO(blocking=True, username_maxchars=20).as_dict()
    assert shell["@class"] == "ShellIO"
    assert shell["blocking"] is True
    assert shell["username_maxchars"] == 20


@pytest.mark.parametrize(
    "io", [SlurmIO(), SlurmIO("scontrol", "||"), ShellIO(), ShellIO(True, "o", "e", True, 32)]
)
def test_from_dict_round_trips(io: BaseSchedulerIO[Any]) -> None:
    copy = type(io).from_dict(io.as_dict())
    assert type(copy) is type(io)
    assert copy.as_dict() == io.as_dict()
    # The base reads a document of any IO class already defined.
    assert BaseSchedulerIO.from_dict(json.loads(json.dumps(io.as_dict()))).as_dict() == io.as_dict()


def test_from_dict_takes_plain_arguments_and_refuses_unknown_ones() -> None:
    assert SlurmIO.from_dict({"split_separator": "||"}).split_separator == "||"
    with pytest.raises(ValueError, match="SlurmIO takes no argument 'colour'"):
        SlurmIO.from_dict({"colour": "red"})
    with pytest.raises(TypeError, match="expected an MSON document"):
        SlurmIO.from_dict([])  # type: ignore[arg-type]


def test_from_dict_never_imports_what_a_document_names() -> None:
    document = {"@module": "os", "@class": "system", "command": "true"}
    with pytest.raises(ValueError, match=r"os\.system is not a BaseSchedulerIO defined"):
        BaseSchedulerIO.from_dict(document)
    with pytest.raises(ValueError, match="is not a SlurmIO"):
        SlurmIO.from_dict(ShellIO().as_dict())


def test_a_user_subclass_round_trips() -> None:
    class MyShellIO(ShellIO):
        USERNAME_MAXCHARS = 1

    document = MyShellIO(stdout_path="out").as_dict()
    # As MSONable writes it: the class's name, which monty's decoder finds in its module.
    assert (document["@module"], document["@class"]) == (__name__, "MyShellIO")
    copy = BaseSchedulerIO.from_dict(document)
    assert type(copy) is MyShellIO
    assert copy.USERNAME_MAXCHARS == 1


def test_an_argument_not_kept_cannot_be_written() -> None:
    class Forgetful(ToyIO):
        def __init__(self, secret: str = "s") -> None:
            super().__init__()

    with pytest.raises(NotImplementedError, match=r"'secret' is not kept as self\.secret"):
        Forgetful().as_dict()


def test_kwargs_of_a_subclass_are_written_and_read() -> None:
    class Open(ToyIO):
        def __init__(self, flavour: str = "plain", **kwargs: Any) -> None:
            super().__init__(flavour)
            self.kwargs = kwargs

    document = Open("salty", depth=3).as_dict()
    assert document["depth"] == 3
    copy = Open.from_dict(document)
    assert (copy.flavour, copy.kwargs) == ("salty", {"depth": 3})


def test_path_arguments_come_back_as_paths() -> None:
    document = ShellIO(stdout_path=Path("logs/out")).as_dict()
    assert document["stdout_path"] == Path("logs/out")
    document["stdout_path"] = {"@module": "pathlib", "@class": "PosixPath", "string": "logs/out"}
    assert ShellIO.from_dict(document).stdout_path == Path("logs/out")
