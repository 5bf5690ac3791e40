"""Shared fixtures: a seeded numpy generator, and a check that no test leaks grad mode."""

from __future__ import annotations

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
