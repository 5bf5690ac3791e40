"""ndgrad.testing.compare_with_torch: one function under ndgrad and PyTorch, and the differences."""

from __future__ import annotations

import importlib
import sys
import unittest

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import Function
from ndgrad.testing import Comparison, compare_with_torch

from .helpers import requires_torch

A = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)
B = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, 0.1]], dtype=np.float32)


@requires_torch
def test_agreeing_function():
    r = compare_with_torch(lambda t, x, w: t.tanh(x @ w).sum(), A, B)
    assert r.ok, str(r)
    assert r.differences == [] and r.skipped is None
    assert "agree" in str(r)
    r.assert_ok()


@requires_torch
def test_value_difference():
    def fn(t, x):
        return x * 2 if t is ndgrad else x * 2.001

    r = compare_with_torch(fn, A)
    kinds = [d.kind for d in r.differences]
    assert "value" in kinds and "grad" in kinds
    with pytest.raises(AssertionError, match="max abs difference"):
        r.assert_ok()


@requires_torch
def test_grad_fn_name_difference():
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    def fn(t, x):
        return Double.apply(x) if t is ndgrad else x * 2

    r = compare_with_torch(fn, A)
    (d,) = [d for d in r.differences if d.where == "output 0"]
    assert d.kind == "grad_fn" and "DoubleBackward" in d.detail and "MulBackward0" in d.detail
    graph = [d for d in r.differences if d.where == "graph"]
    assert graph and "DoubleBackward" in graph[0].detail
    # The summary tells graph-only differences from differences in the values.
    text = str(r).splitlines()
    assert text[0] == "compare_with_torch: the results agree; 2 differences in the graph only"
    assert text[1] == "graph only (the node names differ):"


@requires_torch
def test_gradient_difference_only():
    class WrongGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3

    def fn(t, x):
        if t is ndgrad:
            return WrongGrad.apply(x)
        return x * 2

    r = compare_with_torch(fn, A)
    assert any(d.kind == "grad" and d.where == "grad of input 0" for d in r.differences)
    assert not any(d.kind == "value" for d in r.differences)
    text = str(r).splitlines()
    assert text[0] == "compare_with_torch: 1 difference in the results, 2 in the graph only"
    assert text[1] == "results:" and text[2].startswith("  grad (grad of input 0): max abs")


@requires_torch
def test_errors_compared_by_type_and_message():
    # both raise the same error: no difference
    r = compare_with_torch(lambda t, x, y: x + y, A, B)
    assert r.ok, str(r)

    def only_ndgrad(t, x):
        if t is ndgrad:
            raise ValueError("boom")
        return x

    r = compare_with_torch(only_ndgrad, A)
    (d,) = r.differences
    assert d.kind == "error" and "ndgrad raised ValueError: boom; PyTorch did not" in d.detail

    def different_message(t, x):
        raise RuntimeError("ndgrad says" if t is ndgrad else "torch says")

    r = compare_with_torch(different_message, A)
    assert [d.where for d in r.differences] == ["message"]


@requires_torch
def test_shape_and_dtype_differences_and_integer_inputs():
    r = compare_with_torch(lambda t, x: x.sum(0) if t is ndgrad else x.sum(1), A)
    assert [d.kind for d in r.differences][:1] == ["shape"]
    n = np.array([1, 2, 3])
    assert compare_with_torch(lambda t, x: x * 2, n).ok
    r = compare_with_torch(lambda t, x: x.float() if t is ndgrad else x.double(), n)
    assert [d.kind for d in r.differences] == ["dtype"]


def test_skipped_cleanly_without_torch(monkeypatch):
    real = importlib.import_module

    def fake_import(name, *args):
        if name == "torch":
            raise ImportError("no torch")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake_import)
    monkeypatch.setitem(sys.modules, "torch", None)
    r = compare_with_torch(lambda t, x: x * 2, A)
    assert isinstance(r, Comparison)
    assert r.skipped == "PyTorch is not installed" and not r.ok
    assert "skipped" in str(r)
    with pytest.raises(unittest.SkipTest):
        r.assert_ok()
