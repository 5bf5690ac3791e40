"""linalg.matrix_norm's orders 2, -2, 1, -1, inf, -inf end in amax / amin, as PyTorch's (a
spectral-norm program printed ``grad_fn=<AmaxBackward0>``, ndgrad a vector norm's node)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import ndgrad
from tests.helpers import requires_torch, torch

ORDS = [2, -2, 1, -1, math.inf, -math.inf]
DIMS = [(-2, -1), (0, 2), (2, 0), (1, 0)]


def _norms(lib: Any, ord: Any, dim: Any, keepdim: bool) -> tuple[list[Any], str, list[Any]]:
    a = lib.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), requires_grad=True)
    out = lib.linalg.matrix_norm(a, ord=ord, dim=dim, keepdim=keepdim)
    out.sum().backward()
    return out.tolist(), out.grad_fn.name(), a.grad.tolist()


@pytest.mark.parametrize("ord", ORDS)
@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm_values_against_numpy(ord: Any, dim: Any, keepdim: bool) -> None:
    values, name, _ = _norms(ndgrad, ord, dim, keepdim)
    a = np.random.default_rng(0).standard_normal((2, 3, 4))
    expected = np.linalg.norm(np.moveaxis(a, dim, (-2, -1)), ord=ord, axis=(-2, -1))
    if keepdim:
        expected = np.expand_dims(expected, tuple(sorted(d % 3 for d in dim)))
    np.testing.assert_allclose(values, expected, rtol=1e-12)
    assert name in {"AmaxBackward0", "AminBackward0"} or (keepdim and abs(ord) == 2)


@requires_torch
@pytest.mark.parametrize("ord", ORDS)
@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm_nodes_and_gradients_match_torch(ord: Any, dim: Any, keepdim: bool) -> None:
    ours, theirs = _norms(ndgrad, ord, dim, keepdim), _norms(torch, ord, dim, keepdim)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    if not (keepdim and abs(ord) == 2):  # (PyTorch permutes there: PermuteBackward0)
        assert ours[1] == theirs[1]
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-10, atol=1e-12)
