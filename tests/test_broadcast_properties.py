"""Property tests: gradients of broadcasting binary ops, over random broadcast-compatible shapes.

* the gradient of each input has that input's shape, and equals the gradient taken with both
  inputs expanded to the output shape, summed over the broadcast dimensions (and PyTorch's);
* ``y.backward(w)`` equals ``(y * w).sum().backward()``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import ndgrad

from .helpers import assert_close, torch

# name -> (op(lib, a, b), input domain)
BINARY: dict[str, tuple[Any, tuple[float, float]]] = {
    "add": (lambda L, a, b: a + b, (-2.0, 2.0)),
    "sub": (lambda L, a, b: a - b, (-2.0, 2.0)),
    "mul": (lambda L, a, b: a * b, (-2.0, 2.0)),
    "div": (lambda L, a, b: a / b, (0.5, 2.0)),
    "pow": (lambda L, a, b: a**b, (0.5, 2.0)),
    "maximum": (lambda L, a, b: L.maximum(a, b), (-2.0, 2.0)),
    "minimum": (lambda L, a, b: L.minimum(a, b), (-2.0, 2.0)),
    "atan2": (lambda L, a, b: L.atan2(a, b), (0.5, 2.0)),
    "hypot": (lambda L, a, b: L.hypot(a, b), (0.5, 2.0)),
    "logaddexp": (lambda L, a, b: L.logaddexp(a, b), (-2.0, 2.0)),
    "fmod": (lambda L, a, b: L.fmod(a, b), (0.5, 2.0)),
    "remainder": (lambda L, a, b: L.remainder(a, b), (0.5, 2.0)),
    "lerp": (lambda L, a, b: L.lerp(a, b, 0.3), (-2.0, 2.0)),
    "clamp_min": (lambda L, a, b: L.clamp(a, min=b), (-2.0, 2.0)),
    "where": (lambda L, a, b: L.where(a > b, a * b, a - b), (-2.0, 2.0)),
}

SHAPES = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=0, max_side=3)
SETTINGS = settings(max_examples=30, deadline=None)


def _arrays(seed: int, shapes: Any, domain: tuple[float, float]) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(*domain, size=s) for s in shapes.input_shapes]


def _leaves(lib: Any, arrays: list[np.ndarray]) -> list[Any]:
    return [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]


def _sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The explicit rule: sum over the leading dims broadcasting added, and over size-1 dims."""
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True).reshape(shape)


@pytest.mark.parametrize("name", list(BINARY))
@SETTINGS
@given(shapes=SHAPES, seed=st.integers(0, 2**32 - 1))
def test_gradients_reduce_to_input_shapes(name: str, shapes: Any, seed: int) -> None:
    op, domain = BINARY[name]
    arrays = _arrays(seed, shapes, domain)
    w = np.random.default_rng(seed + 1).standard_normal(shapes.result_shape)

    xs = _leaves(ndgrad, arrays)
    (op(ndgrad, *xs) * ndgrad.tensor(w)).sum().backward()
    for x, a in zip(xs, arrays, strict=True):
        assert x.grad.shape == a.shape

    # Same op on inputs already expanded to the output shape: no broadcasting inside the op.
    full = _leaves(ndgrad, [np.broadcast_to(a, shapes.result_shape).copy() for a in arrays])
    (op(ndgrad, *full) * ndgrad.tensor(w)).sum().backward()
    for x, f in zip(xs, full, strict=True):
        assert_close(x.grad, _sum_to(f.grad.numpy(), x.shape), 1e-12, 1e-12)

    if torch is not None:
        ts = _leaves(torch, arrays)
        (op(torch, *ts) * torch.tensor(w)).sum().backward()
        for x, tt in zip(xs, ts, strict=True):
            assert_close(x.grad, tt.grad, 1e-10, 1e-12)


@pytest.mark.parametrize("name", list(BINARY))
@SETTINGS
@given(shapes=SHAPES, seed=st.integers(0, 2**32 - 1))
def test_backward_with_gradient_equals_weighted_sum(name: str, shapes: Any, seed: int) -> None:
    op, domain = BINARY[name]
    arrays = _arrays(seed, shapes, domain)
    w = np.random.default_rng(seed + 1).standard_normal(shapes.result_shape)

    xs = _leaves(ndgrad, arrays)
    op(ndgrad, *xs).backward(ndgrad.tensor(w))
    ys = _leaves(ndgrad, arrays)
    (op(ndgrad, *ys) * ndgrad.tensor(w)).sum().backward()
    for x, y in zip(xs, ys, strict=True):
        assert x.grad.shape == y.shape
        assert_close(x.grad, y.grad, 1e-12, 1e-12)
