"""Second derivatives of piecewise-linear activations are zeros, not missing.

PyTorch's backward of relu, leaky_relu and hardtanh (relu6) is one op of the gradient and the
op's input or output (``threshold_backward``, ``leaky_relu_backward``, ``hardtanh_backward``),
whose derivative with respect to that input is zeros. So a gradient computed with
``create_graph=True`` stays connected to the input, and differentiating it again gives a zero
tensor; if it did not, ``autograd.grad`` would raise (or return None with ``allow_unused``).
fuzz_views found the difference (seeds 20-27).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch

X = [1.0, -2.0, 0.3, 7.0]

CASES: dict[str, tuple[Callable[[Any, Any], Any], str]] = {
    "relu": (lambda lib, x: lib.nn.functional.relu(x), "ThresholdBackwardBackward0"),
    "leaky_relu": (
        lambda lib, x: lib.nn.functional.leaky_relu(x, 0.1),
        "LeakyReluBackwardBackward0",
    ),
    "hardtanh": (lambda lib, x: lib.nn.functional.hardtanh(x), "HardtanhBackwardBackward0"),
    "relu6": (lambda lib, x: lib.nn.functional.relu6(x), "HardtanhBackwardBackward0"),
}


def _second_order(lib: Any, f: Callable[[Any, Any], Any]) -> tuple[Any, Any, Any]:
    x = lib.tensor(X, dtype=lib.float64, requires_grad=True)
    (g,) = lib.autograd.grad(f(lib, x).sum(), [x], create_graph=True)
    (gg,) = lib.autograd.grad((g * lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64)).sum(), [x])
    return g, gg, x


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivative_is_zeros(name: str) -> None:
    f, node = CASES[name]
    g, gg, _ = _second_order(ndgrad, f)
    assert type(g.grad_fn).__name__ == node
    assert gg is not None and np.array_equal(gg.numpy(), np.zeros(len(X)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_derivative_values(name: str) -> None:
    # The first-order gradient through the new node is the slope at each element.
    f, _ = CASES[name]
    g, _, _ = _second_order(ndgrad, f)
    x = np.array(X)
    slopes = {
        "relu": (x > 0).astype(float),
        "leaky_relu": np.where(x > 0, 1.0, 0.1),
        "hardtanh": ((x > -1) & (x < 1)).astype(float),
        "relu6": ((x > 0) & (x < 6)).astype(float),
    }
    np.testing.assert_array_equal(g.detach().numpy(), slopes[name])


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck_and_gradgradcheck(name: str) -> None:
    # Away from the kinks (finite differences there are not the one-sided derivative).
    f, _ = CASES[name]
    x = ndgrad.tensor([1.5, -2.0, 0.3, 7.0, -0.6], dtype=ndgrad.float64, requires_grad=True)
    assert ndgrad.autograd.gradcheck(lambda t: f(ndgrad, t), (x,))
    assert ndgrad.autograd.gradgradcheck(lambda t: f(ndgrad, t), (x,))


def test_overwritten_relu_output_still_reaches_its_input() -> None:
    # The fuzz program: relu's output is overwritten, so the gradient is zero but connected.
    t0 = ndgrad.tensor(-1.9, dtype=ndgrad.float64, requires_grad=True)
    t2 = ndgrad.nn.functional.relu(t0).sum()
    t2[()] = 0.5
    ndgrad.nn.functional.gelu(t2).sum().backward(create_graph=True)
    (t7,) = ndgrad.autograd.grad(t0.grad.sum(), [t0], allow_unused=True)
    assert t7 is not None and float(t7) == 0.0


@requires_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name: str) -> None:
    f, _ = CASES[name]
    ours = _second_order(ndgrad, f)
    theirs = _second_order(torch, f)
    assert type(ours[0].grad_fn).__name__ == type(theirs[0].grad_fn).__name__
    for a, b in zip(ours[:2], theirs[:2], strict=True):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
