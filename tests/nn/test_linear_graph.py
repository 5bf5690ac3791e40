"""F.linear records PyTorch's graph: addmm (or mm) of the input, or of its 2-d view, and
``weight.t()``; the weight's gradient comes back through TBackward0 and is kept by
AccumulateGrad without a copy, as PyTorch's is."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.helpers import graph_structure, requires_torch, torch

import ndgrad
from ndgrad._tensor import _owned_array
from ndgrad.autograd import gradcheck, gradgradcheck

F = ndgrad.nn.functional


# name -> (input shape, input requires grad, bias, input transposed (non-contiguous))
CASES = {
    "2d": ((5, 3), True, True, False),
    "2d_no_bias": ((5, 3), True, False, False),
    "2d_input_without_grad": ((5, 3), False, True, False),
    "1d": ((3,), True, True, False),
    "1d_no_bias": ((3,), True, False, False),
    "3d": ((2, 5, 3), True, True, False),
    "3d_no_bias": ((2, 5, 3), True, False, False),
    "4d": ((2, 2, 5, 3), True, True, False),
    "3d_transposed": ((5, 2, 3), True, True, True),
    "3d_transposed_no_bias": ((5, 2, 3), True, False, True),
}


def _run(lib: Any, name: str, dtype: Any) -> tuple[Any, Any, Any, Any]:
    shape, input_grad, has_bias, transposed = CASES[name]
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal(shape), dtype=dtype, requires_grad=input_grad)
    w = lib.tensor(rng.standard_normal((4, 3)), dtype=dtype, requires_grad=True)
    b = lib.tensor(rng.standard_normal(4), dtype=dtype, requires_grad=True) if has_bias else None
    xin = x.transpose(0, 1) if transposed else x
    return lib.nn.functional.linear(xin, w, b), x, w, b


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_against_numpy(name: str) -> None:
    y, x, w, b = _run(ndgrad, name, ndgrad.float64)
    xs = x.detach().numpy()
    if CASES[name][3]:
        xs = np.swapaxes(xs, 0, 1)
    expected = xs @ w.detach().numpy().T + (0 if b is None else b.detach().numpy())
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-12)
    g = np.random.default_rng(1).standard_normal(expected.shape)
    y.backward(ndgrad.tensor(g))
    flat_x, flat_g = xs.reshape(-1, 3), g.reshape(-1, 4)
    np.testing.assert_allclose(w.grad.numpy(), flat_g.T @ flat_x, rtol=1e-12)
    if b is not None:
        np.testing.assert_allclose(b.grad.numpy(), flat_g.sum(0), rtol=1e-12)
    if x.requires_grad:
        gx = (g @ w.detach().numpy()).reshape((*expected.shape[:-1], 3))
        if CASES[name][3]:
            gx = np.swapaxes(gx, 0, 1)
        np.testing.assert_allclose(x.grad.numpy(), gx, rtol=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_and_gradgradcheck(name: str) -> None:
    _, x, w, b = _run(ndgrad, name, ndgrad.float64)
    transposed = CASES[name][3]

    def fn(x: Any, w: Any, *bias: Any) -> Any:
        return F.linear(x.transpose(0, 1) if transposed else x, w, *bias)

    inputs = (x, w) + (() if b is None else (b,))
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


@requires_torch
@pytest.mark.parametrize("name", list(CASES))
def test_graph_and_gradients_match_pytorch(name: str) -> None:
    (y_nd, *nd), (y_th, *th) = _run(ndgrad, name, ndgrad.float64), _run(torch, name, torch.float64)
    # A non-contiguous input is copied by reshape: PyTorch records that copy as two nodes
    # (CloneBackward0 under UnsafeViewBackward0), ndgrad as one, three levels down.
    depth = 2 if CASES[name][3] else 4
    assert graph_structure(y_nd.grad_fn, depth) == graph_structure(y_th.grad_fn, depth)
    np.testing.assert_allclose(y_nd.detach().numpy(), y_th.detach().numpy(), rtol=1e-12)
    g = np.random.default_rng(1).standard_normal(tuple(y_th.shape))
    y_nd.backward(ndgrad.tensor(g))
    y_th.backward(torch.tensor(g))
    for a, e in zip(nd, th, strict=True):
        if e is not None and e.requires_grad:
            np.testing.assert_allclose(a.grad.numpy(), e.grad.numpy(), rtol=1e-12)
            if not CASES[name][3]:
                # (A transposed input's gradient is copied into .grad: PyTorch's copy is a
                # copy_ into an empty tensor, version 1; ndgrad's is at version 0, a known
                # difference in docs/compatibility.md.)
                assert a.grad._version == e.grad._version


def test_weight_gradient_is_kept_without_a_copy() -> None:
    """The weight's gradient comes back as the transpose of a fresh (out, in) product: the
    leaf keeps that array (C-contiguous, owning its memory), not a copy."""
    lin = ndgrad.nn.Linear(5, 4)
    lin(ndgrad.randn(8, 5)).sum().backward()
    g = lin.weight.grad._data
    assert g.flags.c_contiguous and g.flags.owndata
    lin.zero_grad()
    lin(ndgrad.randn(2, 8, 5)).sum().backward()
    assert lin.weight.grad._data.flags.owndata


def test_owned_array_takes_only_a_view_nobody_else_holds() -> None:
    fresh = np.ones((3, 2))
    view = fresh.T.T  # all of fresh, same layout
    assert _owned_array(view) is None  # the name `fresh` still holds it
    del fresh
    assert _owned_array(view) is view.base
    assert _owned_array(np.ones((3, 2))[1:]) is None  # part of its base
    assert _owned_array(np.ones((3, 2)).T) is None  # another layout
    other = np.ones(6)
    assert _owned_array(other.reshape(2, 3)) is None  # another shape
