"""softmax's, log_softmax's and mean's backward record PyTorch's single ops.

PyTorch's derivative of softmax is ``_softmax_backward_data(grad, y, dim)``, of log_softmax
``_log_softmax_backward_data(grad, y, dim)``, and mean's divides by the count (``div.Scalar``):
a gradient computed with ``create_graph=True`` has ``grad_fn=<SoftmaxBackwardDataBackward0>``,
``<LogSoftmaxBackwardDataBackward0>`` or ``<DivBackward1>``. ndgrad records the same ops
(``SoftmaxBackward``, ``LogSoftmaxBackward``, ``DivScalar``). These tests check the new ops'
values against numpy, their derivatives (gradcheck and gradgradcheck in float64, over each dim
and a 0-d input), and the second-order values and node names against PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck
from ndgrad.ops.arithmetic import DivScalar
from ndgrad.ops.reduction import LogSoftmaxBackward, SoftmaxBackward

from .helpers import requires_torch, torch

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))
G = RNG.standard_normal((3, 4))


def _softmax(x: np.ndarray, dim: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


@pytest.mark.parametrize("dim", [0, 1])
def test_values_against_numpy(dim: int) -> None:
    y = _softmax(X, dim)
    got = SoftmaxBackward.apply(ndgrad.tensor(G), ndgrad.tensor(y), dim)
    np.testing.assert_allclose(got.numpy(), y * (G - (G * y).sum(dim, keepdims=True)), rtol=1e-13)
    logy = np.log(y)
    got = LogSoftmaxBackward.apply(ndgrad.tensor(G), ndgrad.tensor(logy), dim)
    expected = G - np.exp(logy) * G.sum(dim, keepdims=True)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("op", [SoftmaxBackward, LogSoftmaxBackward])
@pytest.mark.parametrize("shape, dim", [((3, 4), 0), ((3, 4), 1), ((2, 3, 2), 1), ((), 0)])
def test_gradcheck_and_gradgradcheck(op: Any, shape: tuple[int, ...], dim: int) -> None:
    x = RNG.standard_normal(shape)
    y = _softmax(x.reshape(x.shape or (1,)), dim).reshape(shape)
    if op is LogSoftmaxBackward:
        y = np.log(y)
    g = ndgrad.tensor(RNG.standard_normal(shape), requires_grad=True)
    yt = ndgrad.tensor(y, requires_grad=True)

    def f(g: Any, y: Any) -> Any:
        return op.apply(g, y, dim)

    assert gradcheck(f, (g, yt))
    assert gradgradcheck(f, (g, yt))


def test_div_scalar_gradchecks() -> None:
    np.testing.assert_array_equal(DivScalar.apply(ndgrad.tensor(X), 3.0).numpy(), X / 3.0)
    x32 = X.astype(np.float32)  # divided in the tensor's dtype
    np.testing.assert_array_equal(DivScalar.apply(ndgrad.tensor(x32), 3.0).numpy(), x32 / 3)
    x = ndgrad.tensor(X, requires_grad=True)
    assert gradcheck(lambda x: DivScalar.apply(x, 3.0), (x,))
    assert gradgradcheck(lambda x: DivScalar.apply(x, 3.0), (x,))


CASES: dict[str, tuple[Callable[[Any, Any], Any], str]] = {
    "softmax": (lambda lib, x: lib.nn.functional.softmax(x, -1), "SoftmaxBackwardDataBackward0"),
    "softmax_d0": (lambda lib, x: lib.nn.functional.softmax(x, 0), "SoftmaxBackwardDataBackward0"),
    "log_softmax": (
        lambda lib, x: lib.nn.functional.log_softmax(x, 1),
        "LogSoftmaxBackwardDataBackward0",
    ),
    "mean": (lambda lib, x: x.mean(), "DivBackward1"),
    "mean_dim": (lambda lib, x: x.mean(0, keepdim=True), "DivBackward1"),
}


def _second_order(lib: Any, f: Callable[[Any, Any], Any]) -> tuple[Any, Any, str]:
    x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
    y = f(lib, x)
    w = lib.tensor(np.linspace(0.5, 2.0, y.numel()).reshape(tuple(y.shape)), dtype=lib.float64)
    (g,) = lib.autograd.grad((y * y * w).sum(), [x], create_graph=True)
    (gg,) = lib.autograd.grad((g * lib.tensor(G, dtype=lib.float64)).sum(), [x])
    return g, gg, g.grad_fn.name()


@pytest.mark.parametrize("name", CASES)
def test_create_graph_gradient_node(name: str) -> None:
    f, node = CASES[name]
    assert _second_order(ndgrad, f)[2] == node


@requires_torch
@pytest.mark.parametrize("name", CASES)
def test_second_order_matches_pytorch(name: str) -> None:
    f = CASES[name][0]
    ours, theirs = _second_order(ndgrad, f), _second_order(torch, f)
    for a, b in zip(ours[:2], theirs[:2], strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert ours[2] == theirs[2]
