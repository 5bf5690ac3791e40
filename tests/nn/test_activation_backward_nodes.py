"""The backward of elu, celu, selu and gelu is one op of the gradient and the input, as PyTorch's.

PyTorch records the derivative of the first three as ``elu_backward(grad, alpha, scale,
input_scale, x)`` and gelu's as ``gelu_backward(grad, x, approximate)``: a gradient computed with
``create_graph=True`` has ``grad_fn=<EluBackwardBackward0>`` (``<GeluBackwardBackward0>``), which
saved ``x``, so writing into ``x`` afterwards makes the next backward through it raise. ndgrad's
are the same ops (``_activations.EluBackward``, ``functional.GeluBackward``); these tests check
their values and derivatives (gradcheck and gradgradcheck in float64: the third derivative of
the activation) and compare the second-order results, the node name and the error with
PyTorch. fuzz_views seeds 28-60 found the missing error when the formula was a composition of
ndgrad ops.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck
from ndgrad.nn._activations import _SELU_ALPHA, _SELU_SCALE, EluBackward
from ndgrad.nn.functional import GeluBackward, _gelu_backward_np

X = np.array([[1.3, -0.4, 0.0], [-2.5, 0.7, -1e-3]])

ACTIVATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "elu": lambda lib, x: lib.nn.functional.elu(x, 0.7),
    "celu": lambda lib, x: lib.nn.functional.celu(x, 0.6),
    "selu": lambda lib, x: lib.nn.functional.selu(x),
    "gelu": lambda lib, x: lib.nn.functional.gelu(x),
    "gelu_tanh": lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"),
}
NODE = {
    name: "GeluBackwardBackward0" if "gelu" in name else "EluBackwardBackward0"
    for name in ACTIVATIONS
}

# (alpha, scale, input_scale) of each, as PyTorch passes them to elu_backward
COEFS = {"elu": (0.7, 1.0, 1.0), "celu": (0.6, 1.0, 1 / 0.6), "selu": (_SELU_ALPHA, _SELU_SCALE, 1)}


@pytest.mark.parametrize("name", COEFS)
def test_values_against_numpy(name: str) -> None:
    alpha, scale, s = COEFS[name]
    g = np.linspace(-1.0, 2.0, 6).reshape(2, 3)
    expected = np.where(X > 0, g * scale, g * alpha * scale * s * np.exp(s * X))
    got = EluBackward.apply(ndgrad.tensor(g), ndgrad.tensor(X), alpha, scale, s)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-15)


@pytest.mark.parametrize("name", COEFS)
def test_gradcheck_and_gradgradcheck(name: str) -> None:
    alpha, scale, s = COEFS[name]
    g = ndgrad.tensor(np.linspace(-1.0, 2.0, 6).reshape(2, 3), requires_grad=True)
    x = ndgrad.tensor(X + 0.05, requires_grad=True)  # away from the kink at 0

    def op(g: Any, x: Any) -> Any:
        return EluBackward.apply(g, x, alpha, scale, s)

    assert gradcheck(op, (g, x))
    assert gradgradcheck(op, (g, x))


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_backward_values_and_gradchecks(approximate: str) -> None:
    g = np.linspace(-1.0, 2.0, 6).reshape(2, 3)
    if approximate == "tanh":
        k, c = np.sqrt(2 / np.pi), 0.044715
        th = np.tanh(k * (X + c * X**3))
        expected = g * (0.5 * (1 + th) + 0.5 * X * (1 - th**2) * k * (1 + 3 * c * X**2))
    else:
        cdf = 0.5 * (1 + np.vectorize(math.erf)(X / np.sqrt(2)))  # numpy has no erf
        expected = g * (cdf + X * np.exp(-(X**2) / 2) / np.sqrt(2 * np.pi))
    got = GeluBackward.apply(ndgrad.tensor(g), ndgrad.tensor(X), approximate)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(got.numpy(), _gelu_backward_np(g, X, approximate))

    gt = ndgrad.tensor(g, requires_grad=True)
    xt = ndgrad.tensor(X, requires_grad=True)

    def op(g: Any, x: Any) -> Any:
        return GeluBackward.apply(g, x, approximate)

    assert gradcheck(op, (gt, xt))
    assert gradgradcheck(op, (gt, xt))


def _second_order(lib: Any, f: Callable[[Any, Any], Any]) -> tuple[Any, Any, str]:
    x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
    (g,) = lib.autograd.grad(f(lib, x).sum(), [x], create_graph=True)
    w = lib.tensor(np.arange(1.0, 7.0).reshape(2, 3), dtype=lib.float64)
    (gg,) = lib.autograd.grad((g * w).sum(), [x])
    return g, gg, type(g.grad_fn).__name__


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_create_graph_gradient_is_one_node(name: str) -> None:
    assert _second_order(ndgrad, ACTIVATIONS[name])[2] == NODE[name]


@requires_torch
@pytest.mark.parametrize("name", ACTIVATIONS)
def test_second_order_matches_pytorch(name: str) -> None:
    ours, theirs = _second_order(ndgrad, ACTIVATIONS[name]), _second_order(torch, ACTIVATIONS[name])
    for a, b in zip(ours[:2], theirs[:2], strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12)
    assert ours[2] == theirs[2]


def _write_into_the_saved_input(lib: Any) -> str:
    t0 = lib.tensor(1.3, dtype=lib.float64, requires_grad=True)
    t1 = t0 * -1.0
    t3 = lib.nn.functional.elu(t1)
    (t5,) = lib.autograd.grad(t3, [t0], create_graph=True)
    with lib.no_grad():
        t1.mul_(2.0)  # the input elu's backward saved
    try:
        t5.backward()
    except RuntimeError as e:
        return str(e).split(":")[0]
    return "no error"


def test_writing_into_the_saved_input_refuses_the_backward() -> None:
    assert _write_into_the_saved_input(ndgrad).startswith(
        "one of the variables needed for gradient computation has been modified"
    )


@requires_torch
def test_writing_into_the_saved_input_matches_pytorch() -> None:
    assert _write_into_the_saved_input(ndgrad) == _write_into_the_saved_input(torch)
