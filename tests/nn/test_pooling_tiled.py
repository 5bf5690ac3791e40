"""Max pooling over windows that tile the plane (kernel == stride, no padding, dilation 1): the
fast path of WindowMax (nn/_pooling.py: _tiled, _tiles, _first_max) against the general path,
numpy and PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad
import ndgrad.nn.functional as F
from ndgrad.autograd import gradcheck, gradgradcheck
from ndgrad.nn import _pooling as P

R = np.random.default_rng(11)


def awkward(shape: tuple[int, ...], dtype: Any = np.float64) -> np.ndarray:
    """Values with ties (small integers), ±0, -inf and NaN, some windows all NaN or all -inf."""
    x = R.integers(-3, 4, size=shape).astype(dtype)
    flat = x.reshape(-1)
    n = flat.size
    flat[R.choice(n, n // 8, replace=False)] = -0.0
    flat[R.choice(n, n // 10, replace=False)] = np.nan
    flat[R.choice(n, n // 10, replace=False)] = -np.inf
    flat[:4] = np.nan
    flat[-4:] = -np.inf
    return x


def pool(x: Any, kernel: tuple[int, ...], **kw: Any) -> Any:
    """F.max_pool{nd}d(x, kernel, return_indices=True) (or torch's, for a torch x)"""
    lib = torch.nn.functional if torch is not None and isinstance(x, torch.Tensor) else F
    return getattr(lib, f"max_pool{len(kernel)}d")(x, kernel, return_indices=True, **kw)


def general(x: ndgrad.Tensor, kernel: tuple[int, ...]) -> tuple[Any, Any]:
    """The same pool through the general WindowMax (no kernel given)."""
    if len(kernel) == 1:  # max_pool1d pools a (*, 1, L) plane
        y, idx = general(x.unsqueeze(-2), (1, *kernel))
        return y.squeeze(-2), idx.squeeze(-2)
    nd = len(kernel)
    plane = x.shape[-nd:]
    tables = [P._pool_axis(n, k, k, 0, 1, False)[1] for n, k in zip(plane, kernel, strict=True)]
    fn = P.MaxPool2DWithIndices if nd == 2 else P.MaxPool3DWithIndices
    return fn.apply(x, P._positions(tables, plane), nd)


def same_bits(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape
    assert np.array_equal(a, b, equal_nan=True)
    assert np.array_equal(np.signbit(a), np.signbit(b))  # -0.0 where -0.0 was picked


# (input shape, kernel); the odd sizes leave trailing rows/columns out of every window
SHAPES = [
    ((2, 3, 9), (2,)),
    ((3, 8), (3,)),
    ((2, 3, 8, 8), (2, 2)),
    ((2, 3, 7, 9), (2, 3)),
    ((3, 5, 7), (3, 2)),
    ((2, 4, 4), (1, 2)),
    ((1, 2, 4, 6, 5), (2, 2, 2)),
    ((2, 5, 7, 4), (3, 2, 1)),
]


def layouts(x: np.ndarray) -> list[np.ndarray]:
    """x contiguous, channels-last (the channel dim innermost in memory) and as a strided view"""
    last = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, -x.ndim + 1, -1)), -1, -x.ndim + 1)
    wide = np.zeros((*x.shape[:-1], 2 * x.shape[-1]), x.dtype)
    wide[..., ::2] = x
    return [x, last, wide[..., ::2]]


@pytest.mark.parametrize(("shape", "kernel"), SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_the_general_path(
    shape: tuple[int, ...], kernel: tuple[int, ...], dtype: Any
) -> None:
    """Values, indices and gradients bit for bit, whatever the input's layout."""
    assert P._tiled([np.arange(n // k * k).reshape(-1, k) for n, k in zip(
        shape[-len(kernel):], kernel, strict=True)]) == kernel  # fmt: skip
    for arr in layouts(awkward(shape, dtype)):
        a, b = ndgrad.tensor(arr, requires_grad=True), ndgrad.tensor(arr, requires_grad=True)
        (ya, ia), (yb, ib) = pool(a, kernel), general(b, kernel)
        same_bits(ya.detach().numpy(), yb.detach().numpy())
        assert ia.dtype == ndgrad.int64 and np.array_equal(ia.numpy(), ib.numpy())
        assert ya.grad_fn.name() == yb.grad_fn.name()
        w = R.standard_normal(tuple(ya.shape)).astype(dtype)
        ya.backward(ndgrad.tensor(w))
        yb.backward(ndgrad.tensor(w))
        same_bits(a.grad.numpy(), b.grad.numpy())


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float16])
def test_other_dtypes_match_the_general_path(dtype: Any) -> None:
    x = R.integers(-5, 6, size=(2, 3, 7, 6)).astype(dtype)
    (ya, ia), (yb, ib) = pool(ndgrad.tensor(x), (2, 3)), general(ndgrad.tensor(x), (2, 3))
    same_bits(ya.detach().numpy(), yb.detach().numpy())
    assert np.array_equal(ia.numpy(), ib.numpy())


def test_bool_input_still_raises() -> None:
    with pytest.raises(ValueError):
        F.max_pool2d(ndgrad.tensor(np.ones((1, 1, 4, 4), bool)), 2)


def test_matches_numpy() -> None:
    """Against a reshape of the windows to a last axis: max, and the first maximum's position."""
    x = R.integers(-4, 5, size=(3, 2, 9, 7)).astype(np.float64)  # ties in most windows
    win = (
        x[..., :8, :6].reshape(3, 2, 4, 2, 3, 2).transpose(0, 1, 2, 4, 3, 5).reshape(3, 2, 4, 3, 4)
    )
    first = win.argmax(-1)
    row = np.arange(4)[:, None] * 2 + first // 2
    col = np.arange(3)[None, :] * 2 + first % 2
    y, idx = F.max_pool2d(ndgrad.tensor(x), 2, return_indices=True)
    np.testing.assert_array_equal(y.numpy(), win.max(-1))
    np.testing.assert_array_equal(idx.numpy(), row * 7 + col)


def test_nan_and_inf_windows() -> None:
    """The last NaN of a window, NaN or not first; the first of equal maxima, -inf included."""
    x = np.array([[[np.nan, 1.0, 2.0, np.nan, 5.0, 5.0, -np.inf, -np.inf, 0.0, -0.0, -0.0, 0.0]]])
    y, idx = F.max_pool1d(ndgrad.tensor(x), 2, return_indices=True)
    same_bits(y.numpy(), np.array([[[np.nan, np.nan, 5.0, -np.inf, 0.0, -0.0]]]))
    np.testing.assert_array_equal(idx.numpy(), [[[0, 3, 4, 6, 8, 10]]])
    y, idx = F.max_pool1d(ndgrad.tensor(x), 4, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), [[[3, 4, 8]]])


@pytest.mark.parametrize(
    ("args", "tiled"),
    [
        ((2,), (2, 2)),
        ((2, None, 0, 1, True), (2, 2)),  # ceil_mode with nothing left over: the same windows
        ((3, None, 0, 1, True), None),  # ceil_mode's partial last window (8 = 3 + 3 + 2)
        ((3,), (3, 3)),  # floor: the last two columns are left out
        ((2, 1), None),  # overlapping
        ((2, 2, 1), None),  # padding
        ((2, 2, 0, 2), None),  # dilation
        ((1, 1, 0, 3), (1, 1)),  # a window of one element, whatever its dilation
        (((2, 1), (2, 1)), (2, 1)),
    ],
)
def test_which_pools_are_tiled(args: tuple[Any, ...], tiled: Any) -> None:
    x = ndgrad.tensor(np.zeros((1, 1, 6, 8)))
    _k, _p, tables = P._pool_geometry(
        x, 2, "max_pool2d", *args, *((2, None, 0, 1, False)[len(args) :])
    )
    assert P._tiled(tables) == tiled


@pytest.mark.parametrize(("shape", "kernel"), SHAPES)
def test_gradcheck(shape: tuple[int, ...], kernel: tuple[int, ...]) -> None:
    x = ndgrad.tensor(R.standard_normal(shape), requires_grad=True)

    def f(t: Any) -> Any:
        return pool(t, kernel)[0]

    assert gradcheck(f, [x])
    assert gradgradcheck(f, [x])


def test_double_backward_is_the_gather() -> None:
    """d/dg of the backward puts the gradient's gradient back through the same indices."""
    x = ndgrad.tensor(R.standard_normal((2, 3, 5, 4)), requires_grad=True)
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    g = ndgrad.tensor(R.standard_normal(tuple(y.shape)), requires_grad=True)
    (dx,) = ndgrad.autograd.grad(y, x, g, create_graph=True)
    v = R.standard_normal(tuple(x.shape))
    (dg,) = ndgrad.autograd.grad(dx, g, ndgrad.tensor(v))
    want = np.take_along_axis(v.reshape(6, 20), idx.numpy().reshape(6, 4), axis=1)
    np.testing.assert_array_equal(dg.numpy(), want.reshape(2, 3, 2, 2))


@requires_torch
@pytest.mark.parametrize(("shape", "kernel"), SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_torch(shape: tuple[int, ...], kernel: tuple[int, ...], dtype: Any) -> None:
    for arr in layouts(awkward(shape, dtype)):
        a = ndgrad.tensor(arr, requires_grad=True)
        b = torch.from_numpy(arr.copy()).requires_grad_()
        if arr.ndim == len(kernel) + 2 and not arr.flags.c_contiguous:  # as PyTorch holds it
            b = torch.from_numpy(arr).clone(memory_format=torch.preserve_format).requires_grad_()
        (ya, ia), (yb, ib) = pool(a, kernel), pool(b, kernel)
        same_bits(ya.detach().numpy(), yb.detach().numpy())
        np.testing.assert_array_equal(ia.numpy(), ib.numpy())
        assert ya.grad_fn.name() == yb.grad_fn.name()
        w = R.standard_normal(tuple(ya.shape)).astype(dtype)
        ya.backward(ndgrad.tensor(w))
        yb.backward(torch.from_numpy(w))
        same_bits(a.grad.numpy(), b.grad.numpy())


@requires_torch
def test_modules_match_torch() -> None:
    x = R.standard_normal((2, 3, 6, 6, 6)).astype(np.float32)
    for nd in (1, 2, 3):
        arr = x[(0,) * (3 - nd)] if nd < 3 else x
        ours = getattr(ndgrad.nn, f"MaxPool{nd}d")(2, return_indices=True)
        theirs = getattr(torch.nn, f"MaxPool{nd}d")(2, return_indices=True)
        (ya, ia), (yb, ib) = ours(ndgrad.tensor(arr)), theirs(torch.from_numpy(arr))
        same_bits(ya.detach().numpy(), yb.detach().numpy())
        np.testing.assert_array_equal(ia.numpy(), ib.numpy())
