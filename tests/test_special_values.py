"""Values at IEEE special inputs (±0, ±inf, NaN) as PyTorch gives them, for the ops where a
scan of the op table with such inputs found ndgrad different: renorm, gradient, digamma,
polygamma. Each expectation is written out (it holds without torch) and, with torch, compared
with PyTorch's own result."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, to_numpy, torch

INF, NAN = np.inf, np.nan

CASES: dict[str, tuple[Callable[[Any], Any], list[Any], list[Any]]] = {
    # a slice whose norm is NaN or inf is left as it is (the comparison with maxnorm is false)
    "renorm_nan_row": (
        lambda lib: lib.tensor([[NAN, 3.0, 4.0], [3.0, 4.0, 0.0]]).renorm(2, 0, 1.0),
        [[NAN, 3.0, 4.0], [0.59999999, 0.79999998, 0.0]],
        [],
    ),
    "renorm_inf_row": (
        lambda lib: lib.tensor([[INF, 1.0]], dtype=lib.float64).renorm(2, 0, 1.0),
        [[NAN, 0.0]],
        [],
    ),
    # an inf sample is only in the differences that use it
    "gradient_inf": (
        lambda lib: lib.gradient(lib.tensor([1.0, INF, 2.0, 3.0]))[0],
        [INF, 0.5, -INF, 1.0],
        [],
    ),
    "gradient_coordinates_edge_order_2": (
        lambda lib: lib.gradient(
            lib.tensor([1.0, 2.0, 4.0, 7.0, 11.0], dtype=lib.float64),
            spacing=(lib.tensor([0.0, 1.0, 1.5, 3.0, 4.0], dtype=lib.float64),),
            edge_order=2,
        )[0],
        [-1.0, 3.0, 3.5, 3.2, 4.8],
        [],
    ),
    # ψ(±0) = ∓inf, ψ(-inf) = NaN; ψ' at -inf is NaN, not a pole's inf
    "digamma_signed_zero": (
        lambda lib: lib.digamma(lib.tensor([0.0, -0.0, -1.0, -INF, INF], dtype=lib.float64)),
        [-INF, INF, NAN, NAN, INF],
        [],
    ),
    "polygamma_1_neg_inf": (
        # (not at the negative integers: PyTorch's reflection formula gives about 1.6e32
        # there, ndgrad the pole's inf)
        lambda lib: lib.polygamma(1, lib.tensor([-INF, INF, 0.0], dtype=lib.float64)),
        [NAN, 0.0, INF],
        [],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_special_values(name: str) -> None:
    fn, expected, _ = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = to_numpy(fn(ndgrad))
    np.testing.assert_allclose(got, np.asarray(expected), rtol=1e-6, equal_nan=True)


@requires_torch
@pytest.mark.parametrize("name", list(CASES))
def test_special_values_match_pytorch(name: str) -> None:
    fn = CASES[name][0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got, expected = to_numpy(fn(ndgrad)), to_numpy(fn(torch))
    np.testing.assert_allclose(got, expected, rtol=1e-6, equal_nan=True)
    numbers = ~np.isnan(expected)  # a NaN's sign bit is not shown
    assert np.array_equal(np.signbit(got[numbers]), np.signbit(expected[numbers]))


def test_gradient_is_linear_in_the_length() -> None:
    """It was a product with an n x n matrix of weights: 10**6 samples asked for 8 TB."""
    x = ndgrad.arange(1_000_000, dtype=ndgrad.float64) ** 2
    (g,) = ndgrad.gradient(x)
    np.testing.assert_allclose(g.numpy()[1:-1], 2 * np.arange(1, 999_999), rtol=1e-12)


@requires_torch
@pytest.mark.parametrize(
    "kw", [{}, {"spacing": 2.0}, {"edge_order": 2}, {"spacing": "coords"}, {"dim": 1}]
)
def test_gradient_values_gradients_and_graph_match_pytorch(kw: dict[str, Any]) -> None:
    def run(lib: Any) -> tuple[Any, ...]:
        x = lib.tensor(np.arange(12.0).reshape(3, 4) ** 1.5, requires_grad=True)
        args = dict(kw)
        if args.get("spacing") == "coords":
            args["spacing"] = (
                lib.tensor([0.0, 1.0, 3.0], dtype=lib.float64),
                lib.tensor([0.0, 0.5, 1.5, 3.0], dtype=lib.float64),
            )
        outs = lib.gradient(x, **args)
        loss = sum(
            (o * lib.tensor(np.linspace(-1, 1, o.numel()).reshape(o.shape))).sum() for o in outs
        )
        (gx,) = lib.autograd.grad(loss, x)
        return [o.detach().numpy() for o in outs], gx.numpy(), type(outs[0].grad_fn).__name__

    (nd_outs, nd_gx, nd_node), (th_outs, th_gx, th_node) = run(ndgrad), run(torch)
    for a, b in zip(nd_outs, th_outs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(nd_gx, th_gx, rtol=1e-12, atol=1e-12)
    assert nd_node == th_node == "CatBackward0"
