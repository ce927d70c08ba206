"""Reading Grid Engine's ``qstat -xml`` job listing, fast.

``qstat -ext -urg -xml [-r]`` prints one ``<job_list>`` element per job (running jobs inside
``<queue_info>``, pending ones inside the inner ``<job_info>``), each a flat run of
``<tag>text</tag>`` lines in a fixed layout. Building a DOM of 100,000 such elements is what makes
a poll slow; here each job's text is cut out with ``str.split`` and its few elements of interest
are found with ``str.find`` (C loops over the text), so Python runs a handful of steps per job.

The document is still checked where a damaged output would show: the root element must be
``job_info`` and close at the end, every ``<job_list>`` must close, and every job must have a
number and a state. Errors name the line of the output and the element.

Array jobs: every ``<job_list>`` of an array holds its job number and a ``<tasks>`` element. A
running task has an entry of its own (``<tasks>4</tasks>``); the pending tasks share one, their
numbers printed as a list (``5,6``, ``1-4:1``, ``1,3`` for ``1-3:2``). Each task is listed under
the id Grid Engine's accounting and ``qdel -t`` use, ``<job>.<task>`` (``183.4``), and each
element of a pending list is one job under ``<job>.<element>`` (``183.5``, ``183.1-4:1``): a
pending task keeps its id when it starts, and no id holds a comma, which ``qdel`` would read as
a second job.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from msgspec.structs import replace

from qtoolkit.core.data_objects import QJob, QJobInfo
from qtoolkit.core.exceptions import OutputParsingError

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping

    from qtoolkit.io.sge import SGEState

__all__ = ["parse_qstat_xml", "xml_text"]

_JOB_START = "<job_list"
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_ROOT_START = re.compile(r"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<([A-Za-z_][\w.-]*)", re.S)

# Requests whose value says the memory a job may use per slot, in order of preference: mem_free is
# the consumable sites schedule on, h_vmem the hard limit Grid Engine enforces.
_MEMORY_REQUESTS = ("mem_free", "h_vmem", "virtual_free", "s_vmem")
# Time limits Grid Engine prints for "no limit".
_NO_LIMIT = frozenset({"INFINITY", "infinity", "UNLIMITED", "unlimited"})
# One element of an array's task list: a task, or tasks first-last:step.
_TASK_RANGE = re.compile(r"([0-9]+)(?:-([0-9]+)(?::([0-9]+))?)?")
_TASK_ID = re.compile(r"([0-9]+)\.([0-9]+)")


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name[0] != "#":
        return _NAMED_ENTITIES[name]
    code = int(name[2:], 16) if name[1] == "x" else int(name[1:])
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return match.group(0)


def xml_text(raw: str) -> str:
    """The character data of an element whose content is ``raw`` (entities resolved, stripped)."""
    if "&" in raw:
        raw = _ENTITY.sub(_entity, raw)
    return raw.strip()


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _error(text: str, offset: int, field: str, message: str) -> OutputParsingError:
    line = _line_of(text, offset)
    return OutputParsingError(f"line {line}: {field}: {message}", line=line, field=field)


def _check_root(text: str) -> None:
    match = _ROOT_START.match(text)
    root = match.group(1) if match else None
    if root != "job_info":
        found = "no XML element" if root is None else f"root element {root!r}"
        msg = (
            f"{found}, expected 'job_info' (the job listing of qstat -xml with -u; "
            "qstat -j prints 'detailed_job_info')"
        )
        raise _error(text, match.start(1) if match else 0, "job_info", msg)
    # The end of the text only: stripping a whole listing would copy it.
    tail = text[-4096:].rstrip() or text.rstrip()
    if not tail.endswith("</job_info>"):
        end = len(text.rstrip())
        raise _error(text, end, "job_info", "the output ends before </job_info>")


def _element(chunk: str, tag: str) -> str | None:
    """The text of the first ``<tag>`` element of ``chunk`` (``None`` if there is none)."""
    start = chunk.find(f"<{tag}>")
    if start < 0:
        return None if chunk.find(f"<{tag}/>") < 0 else ""
    start += len(tag) + 2
    end = chunk.find("</", start)
    return xml_text(chunk[start:end])


def _requests(chunk: str) -> dict[str, str]:
    """The ``<hard_request name="...">value</hard_request>`` elements (``qstat -r``) of a job."""
    found: dict[str, str] = {}
    start = chunk.find('<hard_request name="')
    while start >= 0:
        name_end = chunk.find('"', start + 20)
        value_start = chunk.find(">", name_end) + 1
        value_end = chunk.find("</", value_start)
        found.setdefault(
            xml_text(chunk[start + 20 : name_end]), xml_text(chunk[value_start:value_end])
        )
        start = chunk.find('<hard_request name="', value_end)
    return found


def parse_qstat_xml(  # noqa: PLR0912, PLR0915 - one loop over every job, no call per job
    text: str,
    *,
    states: Mapping[str, SGEState],
    convert_memory: Callable[[str], int | None],
    convert_time: Callable[[str], int | None],
    job_ids: Collection[str] | None = None,
) -> list[QJob[SGEState]]:
    """The jobs of a ``qstat -xml`` job listing, optionally only those in ``job_ids``.

    ``states`` maps each state code to its sub-state. ``convert_memory`` and ``convert_time``
    read a memory request and a time limit (the IO class's own conversions, so a subclass
    overriding them is heard); each distinct string is converted once. Read per job: number,
    name, owner, state, queue (the cluster queue the job runs in, else the one it requested),
    slots as ``cpus`` (and one node for a one-slot job), and with ``qstat -r`` the ``h_rt``
    time limit and the memory per slot.
    """
    if not text or text.isspace():
        return []
    _check_root(text)
    wanted = None if job_ids is None else frozenset(job_ids)
    asked = _asked_tasks(wanted) if wanted else {}
    memory_of: dict[str, int | None] = {}
    time_of: dict[str, int | None] = {}
    jobs: list[QJob[SGEState]] = []
    chunks = text.split(_JOB_START)
    offset = len(chunks[0])
    for chunk in chunks[1:]:
        job_offset = offset
        body_offset = offset + len(_JOB_START)
        offset += len(chunk) + len(_JOB_START)
        end = chunk.find("</job_list>")
        if end < 0:
            raise _error(text, job_offset, "job_list", "element not closed by </job_list>")
        body = chunk[:end]
        job_id = _element(body, "JB_job_number")
        if not job_id:
            raise _error(text, job_offset, "JB_job_number", "job without a number")
        # Grid Engine writes <tasks> (array jobs only) after <slots>: the search starts there.
        slots_at = body.find("<slots>")
        tasks_at = body.find("<tasks>", slots_at) if slots_at >= 0 else body.find("<tasks>")
        if tasks_at >= 0:
            ids = _task_ids_of(text, body_offset, body, tasks_at, job_id, wanted, asked)
            if not ids:
                continue
        elif wanted is not None and job_id not in wanted:
            continue
        else:
            ids = [job_id]
        state_text = _element(body, "state")
        sub_state = states.get(state_text) if state_text is not None else None
        if sub_state is None:
            at = body_offset + max(body.find("<state>"), 0)
            raise _error(text, at, "state", f"unknown state {state_text!r} of job {job_id}")
        slots = body[slots_at + 7 : body.find("</", slots_at + 7)].strip() if slots_at >= 0 else ""
        cpus = int(slots) if slots and slots.isdigit() else None
        queue = _element(body, "queue_name") or _element(body, "hard_req_queue")
        time_limit = memory = None
        if body.find("<hard_request ") >= 0:
            requests = _requests(body)
            limit = requests.get("h_rt")
            if limit is not None and limit not in _NO_LIMIT:
                if limit not in time_of:
                    time_of[limit] = _convert(
                        convert_time, limit, text, body_offset + body.find('"h_rt"'), "h_rt"
                    )
                time_limit = time_of[limit]
            for name in _MEMORY_REQUESTS:
                amount = requests.get(name)
                if amount is not None:
                    if amount not in memory_of:
                        memory_of[amount] = _memory(convert_memory, amount)
                    memory = memory_of[amount]
                    break
        info = QJobInfo(
            memory_per_cpu=memory,
            # One slot runs on one node; how a parallel job's slots spread is not shown.
            nodes=1 if cpus == 1 else None,
            cpus=cpus,
            time_limit=time_limit,
        )
        job = QJob(
            name=_element(body, "JB_name"),
            job_id=ids[0],
            state=sub_state.qstate,
            sub_state=sub_state,
            info=info,
            queue_name=queue.partition("@")[0] if queue else None,
            username=_element(body, "JB_owner"),
        )
        jobs.append(job)
        if len(ids) > 1:
            jobs.extend(_copies(job, info, ids[1:]))
    return jobs


def _copies(job: QJob[SGEState], info: QJobInfo, job_ids: list[str]) -> list[QJob[SGEState]]:
    """``job`` under each of ``job_ids`` (the other tasks of one entry), each with its own info."""
    return [replace(job, job_id=job_id, info=replace(info)) for job_id in job_ids]


def _asked_tasks(wanted: Collection[str]) -> dict[str, frozenset[int]]:
    """The task numbers asked for by ``<job>.<task>`` ids, per job number."""
    asked: dict[str, set[int]] = {}
    for job_id in wanted:
        match = _TASK_ID.fullmatch(job_id)
        if match is not None:
            asked.setdefault(match[1], set()).add(int(match[2]))
    return {number: frozenset(tasks) for number, tasks in asked.items()}


def _task_ids_of(  # noqa: PLR0917 - called for array entries only, from parse_qstat_xml
    text: str,
    body_offset: int,
    body: str,
    tasks_at: int,
    number: str,
    wanted: Collection[str] | None,
    asked: Mapping[str, Collection[int]],
) -> list[str]:
    """The ids of the array entry ``body`` of job ``number``, its ``<tasks>`` at ``tasks_at``."""
    tasks = xml_text(body[tasks_at + 7 : body.find("</", tasks_at + 7)])
    ids = _task_ids(number, tasks, wanted, asked)
    if ids is None:
        message = f"{tasks!r} of job {number} is not a list of task numbers"
        raise _error(text, body_offset + tasks_at, "tasks", message)
    return ids


def _task_ids(
    number: str, tasks: str, wanted: Collection[str] | None, asked: Mapping[str, Collection[int]]
) -> list[str] | None:
    """The ids of the entry of array job ``number`` whose ``<tasks>`` is ``tasks``.

    Without ``wanted``, one id per element of the list. With it, the elements asked for by the
    job number or by their own id, and each task asked for as ``<job>.<task>`` that a range
    holds, under that id: a pending task is found by the id it will keep when it runs. ``None``
    if ``tasks`` is not a list of task numbers.
    """
    ids: list[str] = []
    for element in tasks.split(","):
        match = _TASK_RANGE.fullmatch(element)
        step = int(match[3] or 1) if match else 0
        if match is None or step == 0:
            return None
        own = f"{number}.{element}"
        if wanted is None or number in wanted or own in wanted:
            ids.append(own)
        elif match[2] is not None and number in asked:
            first, last = int(match[1]), int(match[2])
            ids.extend(
                f"{number}.{task}"
                for task in sorted(asked[number])
                if first <= task <= last and (task - first) % step == 0
            )
    return ids


def _convert(
    convert: Callable[[str], int | None], value: str, text: str, offset: int, field: str
) -> int | None:
    try:
        return convert(value)
    except (ValueError, OutputParsingError) as exc:
        raise _error(text, offset, field, f"cannot read {value!r}: {exc}") from exc


def _memory(convert: Callable[[str], int | None], value: str) -> int | None:
    # A memory request in a unit this package does not know leaves the amount unknown, as
    # upstream does for PBS; it does not make the whole listing unreadable.
    try:
        return convert(value)
    except (ValueError, OutputParsingError):
        return None
