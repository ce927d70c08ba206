"""This project: qtoolkit's QJob on msgspec, through its reusable Encoder and Decoder."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from benchmarks.peers.base import Case, equal_to
from qtoolkit.core.codecs import Decoder, Encoder
from qtoolkit.core.data_objects import QJob
from qtoolkit.io.slurm import SlurmState

if TYPE_CHECKING:
    from benchmarks.peers.base import Format, Snapshot

__all__ = ["NAME", "cases"]

NAME = "this project"
FORMATS: tuple[Format, ...] = ("json", "msgpack")


def cases(jobs: Snapshot) -> list[Case]:
    """One case per format, over the snapshot's own objects."""
    return [_case(jobs, format) for format in FORMATS]


def _case(jobs: Snapshot, format: Format) -> Case:
    decoder = Decoder(list[QJob[SlurmState]], format)
    return Case(
        peer=NAME,
        format=format,
        encode=functools.partial(Encoder(format).encode, jobs),
        decode=decoder.decode,
        same=equal_to(jobs),
    )
