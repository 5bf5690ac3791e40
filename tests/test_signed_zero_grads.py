"""Zeros in gradients have PyTorch's sign, and the gradient of a piecewise-constant op is
PyTorch's ``zeros_like``.

A masked backward written as ``grad * mask`` gives -0 where the incoming gradient is negative
(printed ``-0.``) and NaN where it is infinite; PyTorch's kernels select (``x <= 0 ? 0 : grad``)
and give +0. The gradient of floor, sign, a rounded division... is ``zeros_like(grad)`` in
PyTorch: +0 everywhere, and outside the graph even under ``create_graph``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad._kernels import pass_where

from .helpers import requires_torch, torch

X = np.array([-1.5, 2.3, 0.7, -0.2, 4.0, -3.5])
UPSTREAM = np.array([-1.0, 2.0, -3.0, -0.5, -2.0, 1.5])  # negative where x is masked


def _zeros(lib: Any) -> Any:
    return lib.zeros(6, dtype=lib.float64)


# op(lib, x) -> tensor of x's shape
MASKED: dict[str, Callable[[Any, Any], Any]] = {
    "relu": lambda lib, x: lib.relu(x),
    "relu_inplace": lambda lib, x: lib.nn.functional.relu(x * 1, inplace=True),
    "hardtanh": lambda lib, x: lib.nn.functional.hardtanh(x, 0.0, 1.0),
    "relu6": lambda lib, x: lib.nn.functional.relu6(x),
    "threshold": lambda lib, x: lib.nn.functional.threshold(x, 0.0, 0.0),
    "hardsigmoid": lambda lib, x: lib.nn.functional.hardsigmoid(x),
    "hardswish": lambda lib, x: lib.nn.functional.hardswish(x),
    "softshrink": lambda lib, x: lib.nn.functional.softshrink(x, 1.0),
    "hardshrink": lambda lib, x: lib.nn.functional.hardshrink(x, 1.0),
    "where": lambda lib, x: lib.where(x > 0, x, _zeros(lib)),
    "where_other": lambda lib, x: lib.where(x > 0, _zeros(lib), x),
    "prelu_weight": lambda lib, x: lib.nn.functional.prelu(
        lib.tensor(X, dtype=x.dtype), x[:1].reshape(1) * 0 + 0.25
    ),
}

PIECEWISE_CONSTANT: dict[str, Callable[[Any, Any], Any]] = {
    "sign": lambda lib, x: x.sign(),
    "sgn": lambda lib, x: x.sgn(),
    "floor": lambda lib, x: x.floor(),
    "ceil": lambda lib, x: x.ceil(),
    "round": lambda lib, x: x.round(),
    "round_decimals": lambda lib, x: x.round(decimals=1),
    "trunc": lambda lib, x: x.trunc(),
    "fix": lambda lib, x: x.fix(),
    "div_floor": lambda lib, x: lib.div(x, 0.7, rounding_mode="floor"),
    "div_trunc": lambda lib, x: lib.div(lib.tensor(X, dtype=x.dtype), x, rounding_mode="trunc"),
    "copysign_other": lambda lib, x: lib.copysign(lib.tensor(X, dtype=x.dtype), x),
    "pow_0": lambda lib, x: x**0,
}


def _grad(lib: Any, op: Callable[[Any, Any], Any], dtype: Any, upstream: np.ndarray) -> Any:
    """x.grad for the incoming gradient ``upstream`` (given to backward: a product with it
    would make NaN from 0 * inf in the forward)."""
    x = lib.tensor(X, dtype=dtype, requires_grad=True)
    op(lib, x).backward(lib.tensor(upstream, dtype=dtype))
    return x.grad


@pytest.mark.parametrize("name", list(PIECEWISE_CONSTANT))
def test_piecewise_constant_ops_give_zeros_outside_the_graph(name: str) -> None:
    op = PIECEWISE_CONSTANT[name]
    x = ndgrad.tensor(X, requires_grad=True)
    w = ndgrad.tensor(UPSTREAM, requires_grad=True)  # the gradient itself requires grad
    (g,) = ndgrad.autograd.grad((op(ndgrad, x) * w).sum(), x, create_graph=True)
    assert not g.requires_grad and g.grad_fn is None
    assert np.array_equal(g.numpy(), np.zeros(6)) and not np.signbit(g.numpy()).any()


@pytest.mark.parametrize("name", ["relu", "hardtanh", "threshold", "where"])
def test_masked_gradient_is_positive_zero_even_for_an_infinite_grad(name: str) -> None:
    upstream = UPSTREAM.copy()
    upstream[0] = -np.inf  # at x = -1.5, where each of these ops passes nothing back
    g = _grad(ndgrad, MASKED[name], ndgrad.float64, upstream).numpy()
    assert g[0] == 0 and not np.signbit(g[0])


@requires_torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", [*MASKED, *PIECEWISE_CONSTANT])
def test_zero_signs_match_pytorch(name: str, dtype: str) -> None:
    op = {**MASKED, **PIECEWISE_CONSTANT}[name]
    got = _grad(ndgrad, op, getattr(ndgrad, dtype), UPSTREAM).numpy()
    expected = _grad(torch, op, getattr(torch, dtype), UPSTREAM)
    if expected._is_zerotensor():  # sgn's zeros: PyTorch cannot show them as an array
        expected = torch.zeros(expected.shape, dtype=expected.dtype)
    expected = expected.numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=0)
    assert np.signbit(got).tolist() == np.signbit(expected).tolist()


@requires_torch
@pytest.mark.parametrize("name", ["relu", "hardtanh", "hardshrink", "threshold"])
def test_second_order_zero_signs_match_pytorch(name: str) -> None:
    op = MASKED[name]

    def run(lib: Any) -> np.ndarray:
        x = lib.tensor(X, requires_grad=True)
        w = lib.tensor(UPSTREAM, requires_grad=True)
        (g,) = lib.autograd.grad((op(lib, x) * w).sum(), x, create_graph=True)
        (gw,) = lib.autograd.grad((g * lib.tensor(-UPSTREAM)).sum(), w)
        return np.asarray(gw.detach().numpy())

    got, expected = run(ndgrad), run(torch)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert np.signbit(got).tolist() == np.signbit(expected).tolist()


@requires_torch
@pytest.mark.parametrize("upper", [True, False])
def test_solve_triangular_gradient_is_triangular_with_positive_zeros(upper: bool) -> None:
    rng = np.random.default_rng(0)
    a = np.triu(rng.standard_normal((3, 3))) + 3 * np.eye(3)
    a = a if upper else a.T
    b, w = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    grads = []
    for lib in (ndgrad, torch):
        ta = lib.tensor(a, requires_grad=True)
        out = lib.linalg.solve_triangular(ta, lib.tensor(b), upper=upper)
        (out * lib.tensor(w)).sum().backward()
        grads.append(ta.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)
    assert np.signbit(grads[0]).tolist() == np.signbit(grads[1]).tolist()


def test_prod_with_two_zeros_gives_positive_zeros() -> None:
    x = ndgrad.tensor([1.5, 0.0, -2.0, 0.0], dtype=ndgrad.float64, requires_grad=True)
    (x.prod() * -1.0).backward()
    g = x.grad.numpy()
    assert np.array_equal(g, np.zeros(4)) and not np.signbit(g).any()


def test_heaviside_records_a_node_whose_backward_raises_pytorchs_error() -> None:
    x = ndgrad.tensor([1.0, -1.0, 0.0], requires_grad=True)
    y = ndgrad.heaviside(x, ndgrad.tensor([0.5, 0.5, 0.5]))
    assert y.requires_grad and type(y.grad_fn).__name__ == "NotImplemented"
    assert y.tolist() == [1.0, 0.0, 0.5]
    with pytest.raises(RuntimeError, match=r"^derivative for aten::heaviside is not implemented$"):
        y.sum().backward()
    assert not ndgrad.heaviside(ndgrad.tensor([1.0]), ndgrad.tensor([0.5])).requires_grad


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "broadcast", "0-d"])
def test_pass_where_is_np_where_with_a_positive_zero(dtype: Any, layout: str) -> None:
    rng = np.random.default_rng(1)
    g = rng.standard_normal((3, 4)).astype(dtype)
    g[0, 0], g[1, 1], g[2, 2] = -np.inf, np.nan, -0.0
    keep = rng.random((3, 4)) > 0.5
    if layout == "transposed":
        g, keep = g.T, keep.T
    elif layout == "broadcast":
        g = np.broadcast_to(g[:1], (3, 4))
    elif layout == "0-d":
        g, keep = g[0, 3], np.asarray(False)
    got = pass_where(g, keep)
    expected = np.where(keep, g, dtype(0))
    assert got.dtype == dtype and got.shape == expected.shape
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(expected))
