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
        return x.detach().numpy()
    return np.asarray(x)


def assert_close(actual: Any, expected: Any, rtol: float = 1e-7, atol: float = 1e-9) -> None:
    a, e = to_numpy(actual), to_numpy(expected)
    if isinstance(a, tuple | list):
        assert len(a) == len(e)
        for x, y in zip(a, e, strict=True):
            assert_close(x, y, rtol, atol)
        return
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    assert np.shape(a) == np.shape(e), f"shape {np.shape(a)} != {np.shape(e)}"
