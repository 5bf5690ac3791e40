"""Shared fixtures: a seeded numpy generator, a check that no test leaks grad mode, and a
summary of the skipped tests by reason."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest

import ndgrad


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    ndgrad.manual_seed(0)
    yield
    assert ndgrad.is_grad_enabled(), "a test left grad mode disabled"
    assert ndgrad.get_default_dtype() is ndgrad.float32, "a test left the default dtype changed"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per reason for the skipped tests (not one per test: without torch the parity
    tier alone skips hundreds), instead of pytest's -rs list."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    counts: Counter[str] = Counter()
    for report in skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        counts[reason.removeprefix("Skipped: ")] += 1
    terminalreporter.section("skipped tests, by reason")
    for reason, n in counts.most_common():
        terminalreporter.write_line(f"{n:6d}  {reason}")
