"""Regressions found by a random differential fuzzer of indexing (x[key], x[key] = v and the
functional index ops: index_put, scatter*, take*, put, index_*, masked_*) against PyTorch.

Each program runs under ndgrad and, where it is installed, under PyTorch (everything returned
must agree); each test also checks the expected outcome by hand, so it runs without PyTorch too.
Each program failed before its fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
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


# --- x[key] = v: a bare False writes nothing; only tensors and Python numbers are values -----


def _setitem_false(lib: Any) -> Any:
    # fuzz seeds 1254, 1613, 2344: PyTorch's __setitem__ returns at once for a bare False,
    # whatever the value's shape or dtype (ndgrad recorded a CopySlices, or raised)
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
    y = x.clone()
    v = lib.tensor(2.5, dtype=lib.float64, requires_grad=True)
    y[False] = v
    y[False] = lib.ones(5, dtype=lib.int64)
    y.sum().backward()
    return y, y._version, x.grad, v.grad


def _setitem_bad_values(lib: Any) -> Any:
    x = lib.zeros(2, 3, dtype=lib.float64)
    out = []
    for key, value in [
        (0, [1.0, 2.0, 3.0]),
        (False, "a"),
        (0, np.array([1.0, 2.0, 3.0])),
        (0, np.float32(1.0)),
        (0, np.bool_(True)),
        (np.bool_(True), 1.0),
    ]:
        try:
            x[key] = value
        except (TypeError, IndexError) as e:
            out.append((type(e).__name__, str(e)))
    x[1] = np.int32(2)
    x[0, 1] = np.float64(1.5)
    return out, x


PROGRAMS = [_scatter_amin_tie_with_self, _setitem_false, _setitem_bad_values]


@pytest.mark.parametrize("program", PROGRAMS)
@requires_torch
def test_matches_torch(program: Callable[[Any], Any]) -> None:
    assert_same(run(program, ndgrad), run(program, torch))


def test_setitem_false_and_values_by_hand() -> None:
    y, version, gx, gv = _setitem_false(ndgrad)
    assert y.grad_fn.name() == "CloneBackward0" and version == 0
    assert gx.tolist() == [[1.0, 1.0], [1.0, 1.0]] and gv is None
    errors, x = _setitem_bad_values(ndgrad)
    assert errors == [
        ("TypeError", "can't assign a list to a torch.DoubleTensor"),
        ("TypeError", "can't assign a str to a torch.DoubleTensor"),
        ("TypeError", "can't assign a numpy.ndarray to a torch.DoubleTensor"),
        ("TypeError", "can't assign a numpy.float32 to a torch.DoubleTensor"),
        ("TypeError", "can't assign a numpy.bool to a torch.DoubleTensor"),
        (
            "IndexError",
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
            "valid indices (got numpy.bool)",
        ),
    ]
    assert x.tolist() == [[0.0, 1.5, 0.0], [2.0, 2.0, 2.0]]
