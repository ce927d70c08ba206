"""The ``qtk`` commands and their options: one vocabulary of kinds and formats for all of them."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import textwrap
import typing
from typing import IO, TYPE_CHECKING, Any

import msgspec

from qtoolkit import __version__
from qtoolkit.cli._console import EXIT_INVALID, EXIT_OK, error, say
from qtoolkit.cli._formats import (
    FORMATS,
    infer_format,
    open_input,
    read_items,
    write_items,
)
from qtoolkit.cli._kinds import (
    KINDS,
    SCHEDULERS,
    InvalidDataError,
    Kind,
    UsageError,
    describe_kinds,
    resolve_kind,
)
from qtoolkit.cli._output import open_output
from qtoolkit.cli._problems import Problem, advice, group, problem_of
from qtoolkit.core.data_objects import QResources
from qtoolkit.core.unions import AnyResult

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from qtoolkit.core.codecs import Format

__all__ = ["parser"]

_MAX_ERRORS = 50
"""Kinds of error ``qtk validate`` lists; each kind is listed once, with its count."""
_MAX_COUNT = 100_000_000  # of jobs or runs for bench: far beyond a real queue, within memory
_HEAD_BYTES = 4096  # of the input, kept to recognise a likely mistake


def parser() -> argparse.ArgumentParser:
    """The command line of ``qtk``: each command's options, and the function that runs it."""
    top = argparse.ArgumentParser(
        prog="qtk",
        description="Convert, validate and inspect HPC job snapshots, resources and results.",
        epilog="Exit status: 0 success, 1 invalid data, 2 usage error or unusable file; "
        "141 when the reader of standard output went away first.",
    )
    top.add_argument("--version", action="version", version=f"qtk {__version__}")
    commands = top.add_subparsers(title="commands", required=True, metavar="COMMAND")
    kinds_help = f"kinds (--type):\n{describe_kinds()}"

    convert = _command(
        commands,
        "convert",
        "convert a file between json, msgpack, ndjson and mson",
        "Convert a file between formats; '-' reads standard input or writes standard output. "
        "Formats follow the extensions (.json, .msgpack/.mpk, .ndjson/.jsonl, .mson) unless "
        "--from/--to say otherwise.",
        kinds_help,
    )
    convert.add_argument("input", help="file to read, or - for standard input")
    convert.add_argument("output", help="file to write, or - for standard output")
    convert.add_argument("--from", dest="source_format", choices=FORMATS, help="input format")
    convert.add_argument("--to", dest="target_format", choices=FORMATS, help="output format")
    _add_kind_options(convert)
    convert.set_defaults(run=_convert)

    validate = _command(
        commands,
        "validate",
        "check a file and list every error with its path",
        "Exit 0 when the file is valid; otherwise exit 1 and print each kind of error once, with "
        "the path of the value at fault (such as $[1].state) and how many more share it.",
        kinds_help,
    )
    validate.add_argument("input", help="file to check, or - for standard input")
    validate.add_argument("--from", dest="source_format", choices=FORMATS, help="input format")
    _add_kind_options(validate)
    validate.set_defaults(run=_validate)

    inspect = _command(
        commands,
        "inspect",
        "summarize jobs",
        "Counts per state, sub-state and queue; runtime and resource statistics.",
        "--type is job or jobs (the default).",
    )
    inspect.add_argument("input", help="file to read, or - for standard input")
    inspect.add_argument("--from", dest="source_format", choices=FORMATS, help="input format")
    _add_kind_options(inspect, kinds=("job", "jobs"), default="jobs")
    inspect.set_defaults(run=_inspect)

    generate = _command(
        commands,
        "generate",
        "write a realistic synthetic snapshot, for demos and benchmarks",
        "Write a snapshot as a poller sees a busy cluster: most jobs pending or running, a third "
        "with only what the queue lists by default. The same --seed gives the same snapshot.",
    )
    generate.add_argument("output", help="file to write, or - for standard output")
    generate.add_argument("--to", dest="target_format", choices=FORMATS, help="output format")
    generate.add_argument("--jobs", type=_positive, default=10_000, help="jobs (default 10000)")
    generate.add_argument("--scheduler", choices=SCHEDULERS, default="slurm", help="(slurm)")
    generate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    generate.set_defaults(run=_generate)

    schema = _command(
        commands,
        "schema",
        "print the JSON Schema of a kind or a type, or of all",
        "Print a JSON Schema to standard output: of a kind (as --type names it: 'jobs "
        "--scheduler slurm'), of a type ('QJobInfo'), or of every type when none is named.",
        kinds_help,
    )
    schema.add_argument("name", nargs="?", help="a kind or a type; --list shows them all")
    schema.add_argument("--scheduler", choices=SCHEDULERS, help="for job and jobs")
    schema.add_argument("--list", action="store_true", help="list the kinds and types")
    schema.set_defaults(run=_schema)

    bench = _command(
        commands,
        "bench",
        "time encoding and decoding of a generated snapshot",
        "Generate a realistic SLURM snapshot, time this package's codecs on it and, when "
        "pydantic is installed, pydantic v2's JSON codec too; then time one poll of that queue: "
        "parsing squeue's text, comparing with the previous poll, encoding what changed.",
    )
    bench.add_argument("--jobs", type=_positive, default=100_000, help="jobs (default 100000)")
    bench.add_argument("--format", choices=("json", "msgpack", "both"), default="both")
    bench.add_argument("--repeat", type=_positive, default=5, help="runs per timing (default 5)")
    bench.set_defaults(run=_bench)

    watch = _command(
        commands,
        "watch",
        "poll a scheduler's queue and show every change, optionally logging it",
        "Poll the queue every --interval seconds and show each job that appears, changes state "
        "or leaves (with its final state and exit status from the scheduler's accounting): a "
        "live table on a terminal with the 'cli' extra, one line per change otherwise. --log "
        "appends every change to an NDJSON event log; a watcher started again on the same log "
        "carries on where it stopped. Ctrl-C stops it (exit status 130).",
    )
    _add_watch_options(watch)
    return top


def _add_watch_options(command: argparse.ArgumentParser) -> None:
    from qtoolkit.cli._watch_options import add_watch_command  # noqa: PLC0415 - loads the IO

    add_watch_command(command)


def _command(
    commands: Any, name: str, summary: str, description: str, epilog: str | None = None
) -> argparse.ArgumentParser:
    command: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=textwrap.fill(description, 79),  # the epilog's table keeps its lines
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return command


def _add_kind_options(
    command: argparse.ArgumentParser, kinds: Sequence[str] = KINDS, default: str | None = None
) -> None:
    command.add_argument(
        "--type",
        required=default is None,
        default=default,
        choices=kinds,
        help="what the file holds (see below)" if default is None else f"(default {default})",
    )
    command.add_argument(
        "--scheduler",
        choices=SCHEDULERS,
        help="whose sub-states the jobs hold: required for job and jobs, except from MSON, "
        "whose documents name it",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 0 < value <= _MAX_COUNT:
        msg = f"expected a positive integer up to {_MAX_COUNT:,}, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _head(stream: IO[bytes]) -> bytes:
    """The first bytes of ``stream``, left unread."""
    if stream.seekable():
        start = stream.tell()
        head = stream.read(_HEAD_BYTES)
        stream.seek(start)
        return head
    peek = getattr(stream, "peek", None)
    return bytes(peek(_HEAD_BYTES)[:_HEAD_BYTES]) if peek is not None else b""


def _invalid(head: bytes, fmt: str, kind: Kind, problem: Problem) -> InvalidDataError:
    hint = advice(head, fmt, kind, [problem])
    message = f"invalid data: {problem}"
    return InvalidDataError(message if hint is None else f"{message}\nqtk: hint: {hint}")


def _decoded(head: bytes, fmt: str, kind: Kind, items: Iterator[Any]) -> Iterator[Any]:
    """``items``, with a decoding error reported as the invalid data it is, with advice."""
    try:
        yield from items
    except msgspec.DecodeError as exc:
        raise _invalid(head, fmt, kind, problem_of(exc)) from None


def _convert(args: argparse.Namespace) -> int:
    source_format = infer_format(args.input, args.source_format, "--from")
    target_format = infer_format(args.output, args.target_format, "--to")
    kind = resolve_kind(args.type, args.scheduler, documents_name_it=source_format == "mson")
    with open_input(args.input) as (source, size), open_output(args.output) as target:
        head = _head(source)
        # Outside MSON a sub-state does not say its scheduler: a file holds one scheduler's jobs.
        items = read_items(source, size, source_format, kind, one_scheduler=target_format != "mson")
        count = write_items(_decoded(head, source_format, kind, items), target, target_format, kind)
    error(f"wrote {kind.noun(count)} ({target_format})")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from qtoolkit.cli._validate import find_errors  # noqa: PLC0415

    source_format = infer_format(args.input, args.source_format, "--from")
    kind = resolve_kind(args.type, args.scheduler, documents_name_it=source_format == "mson")
    with open_input(args.input) as (source, _):
        head = _head(source)
        tally = group(find_errors(source, source_format, kind), _MAX_ERRORS)
    for line in tally.lines:
        say(line)
    if tally.total:
        error(f"{args.input}: {tally.total:,} error{'s' if tally.total > 1 else ''}")
        hint = advice(head, source_format, kind, tally.firsts)
        if hint is not None:
            error(f"hint: {hint}")
        return EXIT_INVALID
    say(f"{args.input}: valid {args.type}")
    return EXIT_OK


def _inspect(args: argparse.Namespace) -> int:
    from qtoolkit.cli._summary import summarize  # noqa: PLC0415

    source_format = infer_format(args.input, args.source_format, "--from")
    kind = resolve_kind(args.type, args.scheduler, documents_name_it=source_format == "mson")
    with open_input(args.input) as (source, size):
        head = _head(source)
        items = _decoded(head, source_format, kind, read_items(source, size, source_format, kind))
        sys.stdout.write(summarize(items) + "\n")
    return EXIT_OK


def _generate(args: argparse.Namespace) -> int:
    from qtoolkit.synthetic import generate_snapshot  # noqa: PLC0415

    target_format = infer_format(args.output, args.target_format, "--to")
    kind = resolve_kind("jobs", args.scheduler)
    scheduler: str = args.scheduler
    snapshot = generate_snapshot(args.jobs, scheduler, seed=args.seed)
    with open_output(args.output) as target:
        count = write_items(snapshot, target, target_format, kind)
    error(f"wrote {kind.noun(count)} ({target_format})")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from qtoolkit.core.schema import SCHEMA_TYPES, json_schema, json_schemas  # noqa: PLC0415

    if args.list:
        names = "\n".join(f"  {name}" for name in SCHEMA_TYPES)
        sys.stdout.write(f"kinds (with --scheduler for job and jobs):\n{describe_kinds()}\n")
        sys.stdout.write(f"types:\n{names}\n")
        return EXIT_OK
    if args.name is None:
        schema = json_schemas()
    elif args.name in KINDS:
        schema = _kind_schema(resolve_kind(args.name, args.scheduler, option=""))
    else:
        try:
            schema = json_schema(args.name)
        except KeyError:
            msg = f"no schema named {args.name!r}; 'qtk schema --list' shows the names"
            raise UsageError(msg) from None
    sys.stdout.write(json.dumps(schema, indent=2) + "\n")
    return EXIT_OK


def _kind_schema(kind: Kind) -> dict[str, Any]:
    from qtoolkit.core.schema import json_schema_of  # noqa: PLC0415

    item = kind.item
    if item is AnyResult:
        name = "AnyResult"
    elif item is QResources:
        name = "QResources"
    else:  # a QJob[...] of one scheduler
        name = f"QJob[{typing.get_args(item)[0].__name__}]"
    return json_schema_of(kind.whole, f"list[{name}]" if kind.collection else name)


def _bench(args: argparse.Namespace) -> int:
    from qtoolkit.cli._bench import measure, render  # noqa: PLC0415
    from qtoolkit.cli._poll_bench import measure_polling, render_polling  # noqa: PLC0415

    formats: list[Format] = ["json", "msgpack"] if args.format == "both" else [args.format]
    results = measure(args.jobs, formats, repeat=args.repeat)
    polling = render_polling(measure_polling(args.jobs, repeat=args.repeat))
    missing = importlib.util.find_spec("pydantic") is None
    text = render(results, repeat=args.repeat, pydantic_missing=missing, polling=polling)
    sys.stdout.write(text + "\n")
    return EXIT_OK
