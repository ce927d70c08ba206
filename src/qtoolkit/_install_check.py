"""Noticing a ``qtoolkit`` folder that holds files of both this package and upstream qtoolkit.

Both distributions (``qtoolkit-msgspec`` and upstream's ``qtoolkit``) install the ``qtoolkit``
package, so pip lets each overwrite the other's files without a word, and ``pip check`` stays
green. Two ways this is noticed:

- This package installed after upstream: its files replace upstream's (it ships every path
  upstream ships, so none of upstream's code is left to run), but upstream's metadata stays and
  ``pip uninstall qtoolkit`` would delete this package's files. ``import qtoolkit`` finds
  upstream's ``.dist-info`` folder beside the package and warns (:class:`MixedInstallationWarning`).
- Upstream installed after this package: upstream's files replace this package's, and
  ``import qtoolkit`` runs upstream's code, which cannot notice anything. This package's own
  modules, which upstream does not have (the ``qtk`` command, the codecs, ``qtoolkit.io.columns``
  ...), then find a ``qtoolkit`` package that is not theirs and raise ImportError.

Both messages are one line and end with the command that repairs the installation.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

__all__ = [
    "DISTRIBUTION",
    "REPAIR",
    "MixedInstallationWarning",
    "require_own_package",
    "upstream_metadata",
    "warn_if_mixed",
]

DISTRIBUTION = "qtoolkit-msgspec"
"""This package's distribution name."""

REPAIR = "pip uninstall -y qtoolkit qtoolkit-msgspec && pip install qtoolkit-msgspec"
"""Removes both distributions' files, then installs this package alone."""


class MixedInstallationWarning(UserWarning):
    """Upstream qtoolkit's metadata sits beside this package: their files overwrite each other."""


def upstream_metadata(package_dir: Path) -> list[str]:
    """The ``qtoolkit-<version>.dist-info`` folders of upstream beside the ``qtoolkit`` folder.

    This package's own metadata is ``qtoolkit_msgspec-<version>.dist-info``.
    """
    try:
        names = os.listdir(package_dir.parent)
    except OSError:
        return []
    return sorted(
        name for name in names if name.startswith("qtoolkit-") and name.endswith(".dist-info")
    )


def warn_if_mixed(package_dir: Path) -> None:
    """Warn when upstream qtoolkit is installed in the folder this package is installed in."""
    found = upstream_metadata(package_dir)
    if found:
        message = (
            f"qtoolkit: upstream qtoolkit ({found[0]}) is installed in the same folder as "
            f"{DISTRIBUTION} and their files overwrite each other; repair with: {REPAIR}"
        )
        warnings.warn(message, MixedInstallationWarning, stacklevel=3)


def require_own_package() -> None:
    """Raise ImportError if the ``qtoolkit`` package imported is not this distribution's."""
    package = sys.modules.get("qtoolkit")
    # This package's __init__ imports warn_if_mixed first; upstream's has no such name.
    if package is not None and getattr(package, "warn_if_mixed", None) is not warn_if_mixed:
        message = (
            f"qtoolkit: the qtoolkit package in {Path(package.__file__ or '?').parent} is "
            f"upstream qtoolkit's, installed over {DISTRIBUTION}; repair with: {REPAIR}"
        )
        raise ImportError(message)
