"""The ``qtk`` command: convert, validate, inspect, schema and bench for job snapshots.

Exit status: 0 on success, 1 when the data is invalid, 2 for a usage error (a bad option, a file
that cannot be read or written). A run cut short reports as a shell does for a signal: 141 when
the reader of standard output went away first, 130 when interrupted, 143 when terminated, 129
when the terminal hung up. User errors print a message, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import sys
import threading
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

import msgspec

from qtoolkit import __version__
from qtoolkit.cli._formats import (
    FORMATS,
    infer_format,
    open_input,
    read_items,
    write_items,
)
from qtoolkit.cli._kinds import KINDS, SCHEDULERS, InvalidDataError, UsageError, resolve_kind
from qtoolkit.cli._output import TERMINATING_SIGNALS, open_output

if TYPE_CHECKING:
    from collections.abc import Generator, Sequence
    from types import FrameType

    from qtoolkit.core.codecs import Format

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
# As a shell reports a process ended by a signal: 128 + the signal's number.
EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 130, 141
_MAX_ERRORS = 50
_MAX_COUNT = 100_000_000  # of jobs or runs for bench: far beyond a real queue, within memory


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``qtk`` with ``argv`` (default: the command line) and return its exit status."""
    try:
        status = _main(argv)
    except SystemExit as exc:  # --help, --version and usage errors, from argparse
        failed = _settle_standard_streams()
        if failed is None or exc.code not in (0, None):
            raise
        raise SystemExit(_unwritten(failed)) from None
    except BaseException:
        _settle_standard_streams()
        raise
    failed = _settle_standard_streams()
    return status if failed is None or status != EXIT_OK else _unwritten(failed)


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _replace_closed_streams()
    with _terminate_as_exit():
        try:
            status: int = args.run(args)
            # What is still buffered fails here, while the failure can still be reported.
            sys.stdout.flush()
        except UsageError as exc:
            parser.exit(EXIT_USAGE, f"qtk: error: {exc}\n")
        except msgspec.DecodeError as exc:
            _error(f"invalid data: {exc}")
            return EXIT_INVALID
        except InvalidDataError as exc:
            _error(str(exc))
            return EXIT_INVALID
        except BrokenPipeError:
            # The reader went away before the end (``qtk convert ... - | head``): stop quietly,
            # and say the output is incomplete as a process ended by SIGPIPE would.
            _silence(sys.stdout)
            return EXIT_PIPE_CLOSED
        except OSError as exc:  # a disk full, a device that fails: not the data's fault
            where = f" ({exc.filename})" if exc.filename else ""
            _error(f"error: {exc.strerror or exc}{where}")
            return EXIT_USAGE
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
    return status


def _error(message: str) -> None:
    """Print ``message`` on standard error, unless it cannot be written any more."""
    try:
        sys.stderr.write(f"qtk: {message}\n")
        sys.stderr.flush()
    except OSError:
        _silence(sys.stderr)


def _settle_standard_streams() -> OSError | None:
    """Flush standard output and error for the last time; the error of standard output, if any.

    A stream that cannot take its last bytes (a full disk, a reader gone) is pointed at the null
    device: otherwise the interpreter's own flush at exit fails again, prints "Exception ignored"
    and changes the exit status to 120. Whether a buffer is left at all depends on the
    environment (``PYTHONUNBUFFERED``), so this runs always.
    """
    failed = None
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError) as exc:  # ValueError: a stream closed already
            if stream is sys.stdout and isinstance(exc, OSError):
                failed = exc
            _silence(stream)
    return failed


def _unwritten(error: OSError) -> int:
    """The exit status of a run whose last output could not be written."""
    if isinstance(error, BrokenPipeError):
        return EXIT_PIPE_CLOSED
    _error(f"error: {error.strerror or error}")
    return EXIT_USAGE


def _replace_closed_streams() -> None:
    """A stream the shell closed (``>&-``) is None in ``sys``; write such output nowhere."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process


@contextmanager
def _terminate_as_exit() -> Generator[None, None, None]:
    """Let the terminating signals unwind like an exception, so a partial output is removed."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may handle signals
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {signum: signal.signal(signum, terminate) for signum in TERMINATING_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _silence(stream: IO[str]) -> None:
    """Send what is left for ``stream`` to the null device, once it cannot be written any more."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a file descriptor (an in-memory stream): nothing is left to fail
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


def _say(line: str) -> None:
    """Print ``line``; a reader that stopped listening is no reason to stop working."""
    try:
        sys.stdout.write(f"{line}\n")
        sys.stdout.flush()
    except BrokenPipeError:
        _silence(sys.stdout)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qtk",
        description="Convert, validate and inspect HPC job snapshots, resources and results.",
        epilog="Exit status: 0 success, 1 invalid data, 2 usage error or unusable file; "
        "141 when the reader of standard output went away first.",
    )
    parser.add_argument("--version", action="version", version=f"qtk {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    convert = commands.add_parser(
        "convert",
        help="convert a file between json, msgpack, ndjson and mson",
        description="Convert a file between formats; '-' reads standard input or writes standard "
        "output. Formats follow the extensions (.json, .msgpack/.mpk, .ndjson/.jsonl) unless "
        "--from/--to say otherwise; MSON (upstream qtoolkit's as_dict documents) is always named.",
    )
    convert.add_argument("input", help="file to read, or - for standard input")
    convert.add_argument("output", help="file to write, or - for standard output")
    convert.add_argument("--from", dest="source_format", choices=FORMATS, help="input format")
    convert.add_argument("--to", dest="target_format", choices=FORMATS, help="output format")
    _add_kind_options(convert)
    convert.set_defaults(run=_convert)

    validate = commands.add_parser(
        "validate",
        help="check a file and list every error with its path",
        description="Exit 0 when the file is valid; otherwise exit 1 and print each error with "
        "the path of the value at fault, such as $[1].state.",
    )
    validate.add_argument("input", help="file to check, or - for standard input")
    validate.add_argument("--from", dest="source_format", choices=FORMATS, help="input format")
    _add_kind_options(validate)
    validate.set_defaults(run=_validate)

    inspect = commands.add_parser(
        "inspect",
        help="summarize a job snapshot",
        description="Counts per state, sub-state and queue; runtime and resource statistics.",
    )
    inspect.add_argument("input", help="snapshot to read, or - for standard input")
    inspect.add_argument("--from", dest="source_format", choices=FORMATS, help="input format")
    _add_kind_options(inspect, kinds=("jobs",))
    inspect.set_defaults(run=_inspect)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of one type, or of all",
        description="Print a JSON Schema to standard output.",
    )
    schema.add_argument(
        "type", nargs="?", help="e.g. QResources, 'Snapshot[SlurmState]'; all types when omitted"
    )
    schema.set_defaults(run=_schema)

    bench = commands.add_parser(
        "bench",
        help="time encoding and decoding of a generated snapshot",
        description="Generate a realistic SLURM snapshot, time this package's codecs on it and, "
        "when pydantic is installed, pydantic v2's JSON codec too.",
    )
    bench.add_argument("--jobs", type=_positive, default=100_000, help="jobs (default 100000)")
    bench.add_argument("--format", choices=("json", "msgpack", "both"), default="both")
    bench.add_argument("--repeat", type=_positive, default=5, help="runs per timing (default 5)")
    bench.set_defaults(run=_bench)
    return parser


def _add_kind_options(command: argparse.ArgumentParser, kinds: Sequence[str] = KINDS) -> None:
    if len(kinds) == 1:  # inspect: nothing to choose, so nothing to type
        command.add_argument(
            "--type", default=kinds[0], choices=kinds, help=f"what the file holds ({kinds[0]})"
        )
    else:
        command.add_argument("--type", required=True, choices=kinds, help="what the file holds")
    command.add_argument(
        "--scheduler",
        choices=SCHEDULERS,
        help="whose job states the jobs hold (not needed for MSON, whose documents say it)",
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


def _convert(args: argparse.Namespace) -> int:
    source_format = infer_format(args.input, args.source_format, "--from")
    target_format = infer_format(args.output, args.target_format, "--to")
    kind = resolve_kind(args.type, args.scheduler, documents_name_it=source_format == "mson")
    with open_input(args.input) as (source, size), open_output(args.output) as target:
        # Outside MSON a sub-state does not say its scheduler: a file holds one scheduler's jobs.
        items = read_items(source, size, source_format, kind, one_scheduler=target_format != "mson")
        count = write_items(items, target, target_format, kind)
    _error(f"wrote {count} {args.type if count != 1 else args.type.rstrip('s')} ({target_format})")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from qtoolkit.cli._validate import find_errors  # noqa: PLC0415

    source_format = infer_format(args.input, args.source_format, "--from")
    kind = resolve_kind(args.type, args.scheduler, documents_name_it=source_format == "mson")
    shown = 0
    with open_input(args.input) as (source, _):
        for error in find_errors(source, source_format, kind):
            shown += 1
            if shown <= _MAX_ERRORS:
                _say(error)
    if shown > _MAX_ERRORS:
        _say(f"... and {shown - _MAX_ERRORS} more errors")
    if shown:
        _error(f"{args.input}: {shown} error{'s' if shown > 1 else ''}")
        return EXIT_INVALID
    _say(f"{args.input}: valid {args.type}")
    return EXIT_OK


def _inspect(args: argparse.Namespace) -> int:
    from qtoolkit.cli._summary import summarize  # noqa: PLC0415

    source_format = infer_format(args.input, args.source_format, "--from")
    kind = resolve_kind(args.type, args.scheduler, documents_name_it=source_format == "mson")
    with open_input(args.input) as (source, size):
        sys.stdout.write(summarize(read_items(source, size, source_format, kind)) + "\n")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from qtoolkit.core.schema import json_schema, json_schemas  # noqa: PLC0415

    try:
        schema = json_schemas() if args.type is None else json_schema(args.type)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    sys.stdout.write(json.dumps(schema, indent=2) + "\n")
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    from qtoolkit.cli._bench import measure, render  # noqa: PLC0415

    formats: list[Format] = ["json", "msgpack"] if args.format == "both" else [args.format]
    results = measure(args.jobs, formats, repeat=args.repeat)
    missing = importlib.util.find_spec("pydantic") is None
    sys.stdout.write(render(results, repeat=args.repeat, pydantic_missing=missing) + "\n")
    return EXIT_OK
