"""What a peer hands the runner: its objects, built, behind an encode and a decode call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Callable

    from qtoolkit.core.data_objects import QJob
    from qtoolkit.io.slurm import SlurmState

__all__ = ["Builder", "Case", "Format", "Snapshot", "equal_to"]

Format: TypeAlias = Literal["json", "msgpack"]
Snapshot: TypeAlias = "list[QJob[SlurmState]]"


@dataclass(frozen=True)
class Case:
    """One peer in one wire format, with its objects already built.

    ``encode()`` encodes the peer's objects; ``decode(data)`` decodes what ``encode`` returned
    into the peer's objects again; ``same(decoded)`` tells whether a decoded value equals the
    objects encoded. ``slow_*`` marks the calls that get the fewer repeats at large sizes.
    """

    peer: str
    format: Format
    encode: Callable[[], bytes]
    decode: Callable[[bytes], object]
    same: Callable[[object], bool]
    slow_encode: bool = False
    slow_decode: bool = False


Builder: TypeAlias = "Callable[[Snapshot], list[Case]]"


def equal_to(expected: object) -> Callable[[object], bool]:
    """A ``same`` check: is the decoded value equal to ``expected``?"""

    def same(decoded: object) -> bool:
        return bool(decoded == expected)

    return same
