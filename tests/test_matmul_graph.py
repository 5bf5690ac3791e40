"""matmul of a vector by a matrix, or of a batch by a matrix or a vector, records PyTorch's
graph: the batch dims folded into the rows of one mm (mv) on a 2-d view, and the result viewed
back (UnsafeViewBackward0); a vector is a 1-row matrix squeezed back (SqueezeBackward4)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck

from .helpers import graph_structure, requires_torch, torch

# name -> (shape of a, shape of b, a transposed in its last two dims)
CASES = {
    "vector_matrix": ((3,), (3, 4), False),
    "3d_matrix": ((2, 5, 3), (3, 4), False),
    "4d_matrix": ((2, 2, 5, 3), (3, 4), False),
    "3d_vector": ((2, 5, 3), (3,), False),
    "3d_matrix_transposed": ((2, 3, 5), (3, 4), True),
    "3d_vector_transposed": ((2, 3, 5), (3,), True),
    "empty_batch": ((2, 0, 3), (3, 4), False),
}


def _operands(lib: Any, name: str) -> tuple[Any, Any, Any]:
    sa, sb, transposed = CASES[name]
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal(sa), dtype=lib.float64, requires_grad=True)
    b = lib.tensor(rng.standard_normal(sb), dtype=lib.float64, requires_grad=True)
    return a, b, (a.transpose(-1, -2) if transposed else a)


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_against_numpy(name: str) -> None:
    a, b, a_in = _operands(ndgrad, name)
    y = a_in @ b
    an, bn = a_in.detach().numpy(), b.detach().numpy()
    np.testing.assert_allclose(y.detach().numpy(), an @ bn, rtol=1e-12)
    g = np.random.default_rng(1).standard_normal(y.shape)
    y.backward(ndgrad.tensor(g))
    g2 = g if bn.ndim == 2 else g[..., None]
    b2 = bn if bn.ndim == 2 else bn[:, None]
    a2 = an if an.ndim > 1 else an[None]
    ga = (g2.reshape(-1, b2.shape[1]) @ b2.T).reshape(an.shape)
    gb = a2.reshape(-1, b2.shape[0]).T @ g2.reshape(-1, b2.shape[1])
    if CASES[name][2]:
        ga = np.swapaxes(ga, -1, -2)
    np.testing.assert_allclose(a.grad.numpy(), ga, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), gb.reshape(bn.shape), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_and_gradgradcheck(name: str) -> None:
    a, b, _ = _operands(ndgrad, name)
    transposed = CASES[name][2]

    def fn(a: Any, b: Any) -> Any:
        return (a.transpose(-1, -2) if transposed else a) @ b

    assert gradcheck(fn, (a, b))
    assert gradgradcheck(fn, (a, b))


@requires_torch
@pytest.mark.parametrize("name", list(CASES))
def test_graph_matches_pytorch(name: str) -> None:
    (_, _, a_nd), (_, _, a_th) = _operands(ndgrad, name), _operands(torch, name)
    y_nd, y_th = a_nd @ _operands(ndgrad, name)[1], a_th @ _operands(torch, name)[1]
    # reshaping a transposed batch is a copy: PyTorch records it as two nodes, ndgrad as one
    depth = 2 if CASES[name][2] else 4
    assert graph_structure(y_nd.grad_fn, depth) == graph_structure(y_th.grad_fn, depth)
