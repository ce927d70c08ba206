"""Session-wide settings and reporting for the test suite."""

from __future__ import annotations

import sys

import pytest

try:
    from hypothesis import settings
except ModuleNotFoundError:  # the integration session runs without the property tests' library
    pass
else:
    # No property test fails for taking long: an example that a loaded machine (or a stall under
    # coverage) keeps past Hypothesis's 200 ms deadline is run again, passes, and the test fails
    # as flaky. Speed is measured by the benchmarks, not asserted by the tests. The rest is the
    # profile Hypothesis chose (its "ci" one where a CI variable is set).
    settings.register_profile("qtk", settings.default, deadline=None)
    settings.load_profile("qtk")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Report how many fuzz cases ran, when the fuzz tests did."""
    fuzz = sys.modules.get("test_decoder_fuzz")
    cases = getattr(fuzz, "CASES", None)
    if cases:
        detail = ", ".join(f"{target} {count}" for target, count in sorted(cases.items()))
        terminalreporter.write_line(f"fuzz cases run: {sum(cases.values())} ({detail})")
