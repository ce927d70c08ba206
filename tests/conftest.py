"""Session-wide reporting for the test suite."""

from __future__ import annotations

import sys

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Report how many fuzz cases ran, when the fuzz tests did."""
    fuzz = sys.modules.get("test_decoder_fuzz")
    cases = getattr(fuzz, "CASES", None)
    if cases:
        detail = ", ".join(f"{target} {count}" for target, count in sorted(cases.items()))
        terminalreporter.write_line(f"fuzz cases run: {sum(cases.values())} ({detail})")
