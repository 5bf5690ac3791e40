"""Test helpers: optional torch, tensors from numpy, comparisons."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

import ndgrad

try:
    torch: Any = importlib.import_module("torch")
except ImportError:  # the parity tier is optional
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def nd(a: Any, requires_grad: bool = False) -> ndgrad.Tensor:
    """An ndgrad tensor holding a copy of ``a`` (dtype kept)."""
    return ndgrad.tensor(np.array(a), requires_grad=requires_grad)


def th(a: Any, requires_grad: bool = False) -> Any:
    """A torch tensor holding a copy of ``a`` (dtype kept)."""
    return torch.tensor(np.array(a), requires_grad=requires_grad)


def to_numpy(x: Any) -> Any:
    """numpy value of an ndgrad or torch tensor (or a tuple/list of them)."""
    if isinstance(x, tuple | list):
        return type(x)(to_numpy(v) for v in x)
    if x is None:
        return None
    if isinstance(x, ndgrad.Tensor):
        return x.detach().numpy()
    if torch is not None and isinstance(x, torch.Tensor):
        if x._is_zerotensor():  # PyTorch's symbolic zeros (the gradient of sgn) hold no data
            return np.zeros(tuple(x.shape), dtype=torch.empty(0, dtype=x.dtype).numpy().dtype)
        return x.detach().numpy()
    return np.asarray(x)


def assert_zero_signs(actual: Any, expected: Any) -> None:
    """Where ``expected`` (PyTorch's) is exactly 0, ``actual`` is a zero of the same sign:
    printed gradients show ``-0.`` and ``0.`` apart."""
    a, e = np.asarray(to_numpy(actual)), np.asarray(to_numpy(expected))
    zero = e == 0
    assert np.array_equal(np.signbit(a[zero]), np.signbit(e[zero])), (
        f"signs of zeros differ: {a[zero]} (ndgrad) != {e[zero]} (PyTorch)"
    )


def assert_close(actual: Any, expected: Any, rtol: float = 1e-7, atol: float = 1e-9) -> None:
    a, e = to_numpy(actual), to_numpy(expected)
    if isinstance(a, tuple | list):
        assert len(a) == len(e)
        for x, y in zip(a, e, strict=True):
            assert_close(x, y, rtol, atol)
        return
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    assert np.shape(a) == np.shape(e), f"shape {np.shape(a)} != {np.shape(e)}"


def graph_structure(fn: Any, depth: int) -> Any:
    """A node's name and, ``depth`` levels down, its ``next_functions`` as nested tuples
    ``(name, ((child, input_nr), ...))``: what a graph-shape comparison with PyTorch compares
    (either library's node; None for a missing edge)."""
    if fn is None:
        return None
    if depth == 0:
        return type(fn).__name__
    return (
        type(fn).__name__,
        tuple((graph_structure(f, depth - 1), i) for f, i in fn.next_functions),
    )
