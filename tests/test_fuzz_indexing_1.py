"""Regressions found by a random differential fuzzer of indexing (x[key], x[key] = v and the
functional index ops: index_put, scatter*, take*, put, index_*, masked_*) against PyTorch.

Each program runs under ndgrad and, where it is installed, under PyTorch (everything returned
must agree); each test also checks the expected outcome by hand, so it runs without PyTorch too.
Each program failed before its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import ndgrad

from .helpers import requires_torch, torch
from .programs import assert_same, run

# --- scatter_reduce amax/amin: PyTorch counts self's tied element even with include_self=False ---


def _scatter_amin_tie_with_self(lib: Any) -> Any:
    # fuzz seed 3237: src's 0.5 is the minimum and self's 0.5 ties it; PyTorch's formula
    # divides src's share by 2 (self's element is counted, then its own share is dropped)
    x = lib.tensor([[1.0, 2.0, 0.5]], dtype=lib.float64, requires_grad=True)
    src = lib.tensor([[-0.5, 0.5, 3.0], [1.0, 1.0, 0.5]], dtype=lib.float64, requires_grad=True)
    index = lib.zeros(2, 3, dtype=lib.int64)
    y = x.scatter_reduce(0, index, src, "amin", include_self=False)
    y.backward(lib.tensor([[1.0, 2.0, 4.0]], dtype=lib.float64))
    return y, x.grad, src.grad


def test_scatter_amin_ties_by_hand() -> None:
    y, gx, gsrc = _scatter_amin_tie_with_self(ndgrad)
    assert y.tolist() == [[-0.5, 0.5, 0.5]]
    assert gx.tolist() == [[0.0, 0.0, 0.0]]
    # columns 0 and 1: one src element is the minimum; column 2: src[1, 2] ties self's 0.5
    assert gsrc.tolist() == [[1.0, 2.0, 0.0], [0.0, 0.0, 2.0]]


PROGRAMS = [_scatter_amin_tie_with_self]


@pytest.mark.parametrize("program", PROGRAMS)
@requires_torch
def test_matches_torch(program: Callable[[Any], Any]) -> None:
    assert_same(run(program, ndgrad), run(program, torch))
