"""Benchmark qtoolkit-msgspec against naive msgspec, pydantic v2, orjson and upstream qtoolkit.

Usage: ``python benchmarks/run.py [--quick | --sizes 1k,10k,100k,1M] [--upstream-python PATH]``.
Every peer encodes and decodes the same generated snapshots in one run; see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sizes(text: str) -> tuple[int, ...]:
    from benchmarks import sizes

    try:
        return tuple(sizes.parse(part) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _size(text: str) -> int:
    from benchmarks import sizes

    try:
        return sizes.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _poll_jobs(args: argparse.Namespace) -> int:
    if args.poll_jobs is not None:
        return int(args.poll_jobs)
    return 10_000 if args.quick else 100_000


def _parser() -> argparse.ArgumentParser:
    from benchmarks import sizes

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--sizes",
        type=_sizes,
        default=sizes.DEFAULT_SIZES,
        help="comma-separated snapshot sizes (default: 1k,10k,100k,1M)",
    )
    which.add_argument("--quick", action="store_true", help="a smoke run: sizes 1k and 10k")
    parser.add_argument(
        "--upstream-python",
        help="python of a venv with qtoolkit==0.1.7 and monty (without it: upstream not run)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "results",
        help="folder for results.json, results.md, results.png (default: benchmarks/results)",
    )
    parser.add_argument("--seed", type=int, default=0, help="snapshot seed (default 0)")
    parser.add_argument(
        "--repeats", type=int, help="timed calls per operation for every peer and size"
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the tracemalloc decode (peak memory)"
    )
    parser.add_argument("--no-plot", action="store_true", help="do not draw results.png")
    parser.add_argument(
        "--poll-jobs",
        type=_size,
        help="jobs in the queue whose poll is timed (default 100k; 10k with --quick)",
    )
    parser.add_argument("--no-polling", action="store_true", help="do not time a poll")
    return parser


def main(argv: list[str]) -> int:
    """Run the benchmark; 0 whatever the targets say (FAIL lines are results, not errors)."""
    # Run as a script, this file's folder is first on sys.path; the package is one level up.
    sys.path.insert(1, str(ROOT))
    from benchmarks import outputs, report, sizes
    from benchmarks.runner import Config, run_all

    args = _parser().parse_args(argv)
    if args.repeats is not None and args.repeats < 1:
        _parser().error("--repeats must be at least 1")
    config = Config(
        sizes=sizes.QUICK_SIZES if args.quick else args.sizes,
        seed=args.seed,
        upstream_python=args.upstream_python,
        repeats=args.repeats,
        memory=not args.no_memory,
        poll_jobs=None
        if args.no_polling
        else args.poll_jobs or (10_000 if args.quick else 100_000),
    )
    run = run_all(config, ["benchmarks/run.py", *argv])
    text, note = outputs.write(run, args.out, draw=not args.no_plot)
    print(text)
    print(note)
    print(f"results in {args.out}; total {run.total_s:.0f} s")
    if run.upstream != "run":
        print(f"*** {report.banner(run)} ***")
        print(f"*** {report.banner(run)} ***", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
