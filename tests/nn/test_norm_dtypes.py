"""The dtypes of layer, group and batch norm's weight, bias and running statistics.

PyTorch's CPU kernels take parameters of the input's dtype, or float32 ones with a float16
input (computed in float32, the output float16); every other mix raises one of three errors,
chosen by the first parameter given. ndgrad used to compute any mix, promoted.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.nn.functional as F
from ndgrad.autograd import gradcheck, gradgradcheck

_DTYPES = ("float16", "float32", "float64", None)


def _call(lib: Any, fn: str, x_dt: str, w_dt: Any, b_dt: Any, r_dt: Any) -> Any:
    """Run ``fn`` on ones of the given dtypes (None: not given); its result or error."""
    f = lib.nn.functional

    def make(dt: Any, n: int, fill: Any) -> Any:
        return None if dt is None else fill(n, dtype=getattr(lib, dt))

    x = lib.ones(2, 4, 3, dtype=getattr(lib, x_dt))
    n = 3 if fn == "layer_norm" else 4
    w, b = make(w_dt, n, lib.ones), make(b_dt, n, lib.ones)
    try:
        if fn == "layer_norm":
            r = f.layer_norm(x, (3,), w, b)
        elif fn == "group_norm":
            r = f.group_norm(x, 2, w, b)
        else:
            rm, rv = make(r_dt, 4, lib.zeros), make(r_dt, 4, lib.ones)
            r = f.batch_norm(x, rm, rv, w, b, training=r_dt is None)
        return ("ok", str(r.dtype))
    except RuntimeError as e:
        return ("RuntimeError", str(e))


_CASES = [
    (fn, x, w, b, r)
    for fn in ("layer_norm", "group_norm", "batch_norm")
    for x, w, b, r in itertools.product(
        _DTYPES[:3], _DTYPES, _DTYPES, _DTYPES if fn == "batch_norm" else (None,)
    )
]


@pytest.mark.parametrize(
    ("fn", "x", "w", "b", "r", "expected"),
    [
        ("layer_norm", "float32", "float64", None, None, "expect parameter to have scalar type"),
        ("layer_norm", "float64", "float32", None, None, "all inputs must share same datatype"),
        ("layer_norm", "float64", "float32", "float32", None, "all inputs must share"),
        ("layer_norm", "float64", "float32", "float64", None, "expect parameter to have scalar"),
        ("layer_norm", "float32", "float32", "float64", None, "expected scalar type Float but fou"),
        ("layer_norm", "float16", "float16", "float32", None, "expected scalar type Half but fou"),
        ("layer_norm", "float16", "float32", "float32", None, "float16"),
        ("layer_norm", "float16", None, "float32", None, "float16"),
        ("group_norm", "float32", None, "float16", None, "expect parameter to have scalar type"),
        ("group_norm", "float16", "float32", None, None, "float16"),
        ("batch_norm", "float32", None, None, "float64", "expect parameter to have scalar type"),
        ("batch_norm", "float64", None, None, "float32", "all inputs must share same datatype"),
        ("batch_norm", "float32", "float32", None, "float64", "expected scalar type Float but fou"),
        ("batch_norm", "float16", "float32", "float32", "float32", "float16"),
    ],
)
def test_parameter_dtype_rules(fn: str, x: str, w: Any, b: Any, r: Any, expected: str) -> None:
    kind, text = _call(ndgrad, fn, x, w, b, r)
    assert expected in text, (kind, text)
    assert (kind == "ok") == expected.startswith("float")


@requires_torch
def test_parameter_dtypes_match_torch() -> None:
    """Every mix of float16/32/64 and missing parameters: the same result dtype or error."""
    differ = [
        (case, mine, theirs)
        for case in _CASES
        if (mine := _call(ndgrad, *case)) != (theirs := _call(torch, *case))
    ]
    assert not differ, differ[:5]


def _half_inputs(fn: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    n = 5 if fn == "layer_norm" else 4
    x = rng.standard_normal((3, 4, 5)).astype(np.float16)
    return x, rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)


def _norm(lib: Any, fn: str, x: Any, w: Any, b: Any) -> Any:
    f = lib.nn.functional
    if fn == "layer_norm":
        return f.layer_norm(x, (5,), w, b)
    if fn == "group_norm":
        return f.group_norm(x, 2, w, b)
    return f.batch_norm(x, None, None, w, b, training=True)


@requires_torch
@pytest.mark.parametrize("fn", ["layer_norm", "group_norm", "batch_norm"])
def test_float16_input_with_float32_parameters_matches_torch(fn: str) -> None:
    """The output is float16, the gradients have their tensors' dtypes, values as PyTorch's."""
    xs, ws, bs = _half_inputs(fn)
    results = []
    for lib in (ndgrad, torch):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in (xs, ws, bs))
        y = _norm(lib, fn, x, w, b)
        g = lib.tensor(np.linspace(-1, 1, xs.size).reshape(xs.shape).astype(np.float16))
        y.backward(g)
        results.append((y, x.grad, w.grad, b.grad))
    for mine, theirs in zip(*results, strict=True):
        assert str(mine.dtype) == str(theirs.dtype)
        assert_close(mine.float(), theirs.float(), rtol=2e-2, atol=2e-2)


@pytest.mark.parametrize("fn", ["layer_norm", "group_norm", "batch_norm"])
def test_norm_gradients_in_float64(fn: str) -> None:
    """The in-place forward and the two-array backward formula, checked numerically."""
    xs, ws, bs = (a.astype(np.float64) for a in _half_inputs(fn))
    x, w, b = (ndgrad.tensor(a, requires_grad=True) for a in (xs, ws, bs))
    assert gradcheck(lambda *t: _norm(ndgrad, fn, *t), (x, w, b))
    assert gradgradcheck(lambda *t: _norm(ndgrad, fn, *t), (x, w, b))


def test_norm_values_against_numpy() -> None:
    """layer_norm over the last dim, from its definition."""
    xs, ws, bs = (a.astype(np.float64) for a in _half_inputs("layer_norm"))
    mean = xs.mean(-1, keepdims=True)
    want = (xs - mean) / np.sqrt(xs.var(-1, keepdims=True) + 1e-5) * ws + bs
    got = F.layer_norm(ndgrad.tensor(xs), (5,), ndgrad.tensor(ws), ndgrad.tensor(bs))
    assert_close(got, want, rtol=1e-12, atol=1e-12)
