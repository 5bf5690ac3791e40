"""float16 and float32 reductions accumulate as PyTorch's CPU kernels do.

Found by a differential run over reductions of float16 and float32 tensors of thousands of
values (a float16 sum down an axis came out 20% short, a float16 norm was inf where PyTorch's
is 4456): numpy's float16 loops round every partial result, and its float32 cumulative loops
accumulate in float32, where PyTorch accumulates float16 in float32 and float32 cumulative ops
in double, rounding each result once. Each test checks a value computed by hand in the wider
dtype, and where PyTorch is installed, PyTorch's result bit for bit (or to one rounding step
where the summation order differs).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
import ndgrad.nn.functional as F

from .helpers import requires_torch, torch

_RNG = np.random.default_rng(0)
_X16 = _RNG.random((5000, 3)).astype(np.float16)  # values in [0, 1): sums reach ~2,500
_NAMES = {np.float16: "float16", np.float32: "float32"}


# --- cumsum, cumprod, logcumsumexp: float16 in float32, float32 in double ---------------------
_WIDER = {np.float16: np.float32, np.float32: np.float64}


def _cumulative_input(op: str, dt: type) -> np.ndarray:
    x = _RNG.random((4, 3000)) * 3 - 1
    if op == "cumprod":
        x = 1 + (x - 0.5) * 0.01
    return x.astype(dt)


def _by_hand(op: str, x: np.ndarray, axis: int) -> np.ndarray:
    wide = x.astype(_WIDER[x.dtype.type])
    ufunc = {"cumsum": np.add, "cumprod": np.multiply, "logcumsumexp": np.logaddexp}[op]
    return ufunc.accumulate(wide, axis=axis).astype(x.dtype)


@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp"])
@pytest.mark.parametrize("dt", [np.float16, np.float32])
def test_cumulative_accumulates_wider(op: str, dt: type) -> None:
    x = _cumulative_input(op, dt)
    for axis, data in ((1, x), (0, x.T.copy())):
        y = getattr(ndgrad, op)(ndgrad.from_numpy(data), axis)
        np.testing.assert_array_equal(y.numpy(), _by_hand(op, data, axis))
    # the float16 cumsum of 3,000 values in [-1, 2) once ended hundreds below this
    if op == "cumsum" and dt is np.float16:
        assert abs(float(y.numpy()[-1, 0]) - float(data.astype(np.float64)[:, 0].sum())) < 4


@pytest.mark.parametrize("op", ["cumsum", "cumprod", "logcumsumexp"])
@pytest.mark.parametrize("dt", [np.float16, np.float32])
@pytest.mark.parametrize("perm", [None, (1, 0)])
@requires_torch
def test_cumulative_matches_torch(op: str, dt: type, perm: Any) -> None:
    x = _cumulative_input(op, dt)
    t, n = torch.from_numpy(x.copy()), ndgrad.from_numpy(x.copy())
    if perm is not None:
        t, n = t.permute(*perm), n.permute(*perm)
    a, b = getattr(torch, op)(t, 0), getattr(ndgrad, op)(n, 0)
    np.testing.assert_array_equal(b.numpy(), a.numpy())
    assert b.is_contiguous() == a.is_contiguous() and str(b.dtype) == str(a.dtype)


@pytest.mark.parametrize("dt", [np.float16, np.float32])
@requires_torch
def test_cumsum_backward_matches_torch(dt: type) -> None:
    # the backward is a reversed cumulative sum: accumulated the same way
    x, g = _RNG.random((4, 2000)), _RNG.random((4, 2000))
    grads = []
    for lib in (torch, ndgrad):
        t = lib.tensor(x, dtype=getattr(lib, _NAMES[dt]), requires_grad=True)
        lib.cumsum(t, 1).backward(lib.tensor(g, dtype=t.dtype))
        grads.append(t.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])


def test_cumsum_of_integers_still_int64() -> None:
    y = ndgrad.cumsum(ndgrad.tensor([True, True, False]), 0)
    assert y.dtype == ndgrad.int64 and y.tolist() == [1, 2, 2]
    assert ndgrad.cumprod(ndgrad.tensor([2, 3], dtype=ndgrad.int8), 0).dtype == ndgrad.int64


# --- float16 reductions down an axis: in float32, rounded once --------------------------------
def _wide_sum(x: np.ndarray, axis: Any = None) -> np.ndarray:
    return x.astype(np.float32).sum(axis=axis).astype(np.float16)


_REDUCTIONS = {
    "sum0": (lambda lib, t: t.sum(0), lambda x: _wide_sum(x, 0)),
    "nansum0": (lambda lib, t: t.nansum(0), lambda x: _wide_sum(x, 0)),
    "einsum": (lambda lib, t: lib.einsum("ij->j", t), lambda x: _wide_sum(x, 0)),
    "norm0": (
        lambda lib, t: t.norm(dim=0),
        lambda x: np.sqrt((x.astype(np.float32) ** 2).sum(0)).astype(np.float16),
    ),
    "norm1": (lambda lib, t: t.norm(p=1, dim=0), lambda x: _wide_sum(x, 0)),
    "softmax0": (
        lambda lib, t: t.softmax(0)[:3],
        None,  # (by hand below: exp in float16, the sum in float32)
    ),
}


@pytest.mark.parametrize("name", list(_REDUCTIONS))
def test_float16_reduction_down_an_axis_by_hand(name: str) -> None:
    op, by_hand = _REDUCTIONS[name]
    y = op(ndgrad, ndgrad.from_numpy(_X16.copy())).numpy()
    if by_hand is not None:
        np.testing.assert_array_equal(y, by_hand(_X16))
    # within 2 float16 steps of the exact value (numpy's float16 loop was 20% off)
    exact = op(ndgrad, ndgrad.from_numpy(_X16.astype(np.float64))).numpy()
    np.testing.assert_allclose(y.astype(np.float64), exact, rtol=2 * 2.0**-10)


@pytest.mark.parametrize("name", list(_REDUCTIONS))
@requires_torch
def test_float16_reduction_down_an_axis_matches_torch(name: str) -> None:
    op, _ = _REDUCTIONS[name]
    a = op(torch, torch.from_numpy(_X16.copy())).numpy().astype(np.float64)
    b = op(ndgrad, ndgrad.from_numpy(_X16.copy())).numpy().astype(np.float64)
    # PyTorch sums in another order: one float16 step apart at most
    np.testing.assert_allclose(b, a, rtol=2.0**-10, atol=0)


_BIG = (_RNG.standard_normal(20000) * 30 + 10).astype(np.float16)


@pytest.mark.parametrize(
    "name",
    ["norm", "norm3", "mse_mean", "mse_sum_scaled", "logsumexp"],
)
def test_float16_results_in_range_do_not_overflow(name: str) -> None:
    # each result fits float16 (below 65,504) although its float16 partial sums would not
    ops = {
        "norm": lambda lib, t: t.norm(),
        "norm3": lambda lib, t: t.norm(p=3),
        "mse_mean": lambda lib, t: lib.nn.functional.mse_loss(t, t.flip(0)),
        "mse_sum_scaled": lambda lib, t: lib.nn.functional.mse_loss(
            t * 0.01, t.flip(0) * 0.01, reduction="sum"
        ),
        "logsumexp": lambda lib, t: (t * 0.1).logsumexp(0),
    }
    y = float(ops[name](ndgrad, ndgrad.from_numpy(_BIG.copy())))
    exact = float(ops[name](ndgrad, ndgrad.from_numpy(_BIG.astype(np.float64))))
    assert np.isfinite(y)
    assert abs(y - exact) <= 2 * 2.0**-10 * abs(exact)
    if torch is not None:
        ref = float(ops[name](torch, torch.from_numpy(_BIG.copy())))
        assert abs(y - ref) <= 2.0**-10 * abs(ref)


def test_float16_results_keep_their_dtype() -> None:
    t = ndgrad.from_numpy(_X16.copy())
    for y in (t.sum(0), t.nansum(), t.norm(), ndgrad.einsum("ij->", t), t.logsumexp(0)):
        assert y.dtype == ndgrad.float16
    assert F.mse_loss(t, t.flip(0)).dtype == ndgrad.float16


# --- cdist: no promotion, no float16 kernel ---------------------------------------------------
_DTYPES = ["float16", "float32", "float64"]


def _cdist(
    lib: Any, d1: str, d2: str, shape1: tuple[int, ...], shape2: tuple[int, ...], p: float
) -> Any:
    a = lib.ones(*shape1, dtype=getattr(lib, d1))
    b = lib.ones(*shape2, dtype=getattr(lib, d2))
    try:
        y = lib.cdist(a, b, p)
    except (RuntimeError, NotImplementedError) as e:
        return type(e).__name__, str(e)
    return str(y.dtype), tuple(y.shape), y.numpy().tolist()


_CDIST_CASES = [
    ((3, 5), (3, 5), 1.0),
    ((3, 5), (3, 5), 2.0),
    ((40, 5), (40, 5), 2.0),  # the matrix-product form
    ((40, 5), (40, 5), 1.0),
    ((2, 30, 5), (2, 30, 5), 2.0),  # batched matrix products
    ((0, 5), (3, 5), 1.0),
    ((3, 0), (3, 0), 1.0),
    ((3, 0), (3, 0), float("inf")),
]


@pytest.mark.parametrize("d1", _DTYPES)
@pytest.mark.parametrize("d2", _DTYPES)
@pytest.mark.parametrize("case", _CDIST_CASES, ids=str)
@requires_torch
def test_cdist_dtypes_match_torch(d1: str, d2: str, case: Any) -> None:
    assert _cdist(ndgrad, d1, d2, *case) == _cdist(torch, d1, d2, *case)


def test_cdist_dtypes_by_hand() -> None:
    assert _cdist(ndgrad, "float16", "float16", (3, 5), (3, 5), 1.0) == (
        "NotImplementedError",
        "\"cdist\" not implemented for 'Half'",
    )
    assert _cdist(ndgrad, "float16", "float16", (40, 5), (40, 5), 2.0)[0] == "torch.float16"
    assert _cdist(ndgrad, "float32", "float64", (3, 5), (3, 5), 1.0) == (
        "RuntimeError",
        "expected scalar type Float but found Double",
    )
    assert _cdist(ndgrad, "float32", "float64", (40, 5), (40, 5), 2.0) == (
        "RuntimeError",
        "expected m1 and m2 to have the same dtype, but got: float != double",
    )
    # empty: x1's dtype; no columns: every distance is 0, the inf-norm's too
    assert _cdist(ndgrad, "float32", "float64", (0, 5), (3, 5), 1.0)[:2] == (
        "torch.float32",
        (0, 3),
    )
    assert _cdist(ndgrad, "float64", "float64", (2, 0), (3, 0), float("inf")) == (
        "torch.float64",
        (2, 3),
        [[0.0] * 3] * 2,
    )
