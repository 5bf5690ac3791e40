"""Pooling, resampling and patch ops of ``ndgrad.nn.functional``, with PyTorch's node names.

Two machines carry the family:

* **Separable resampling** (`Resample`): along each spatial axis, every output position is a
  weighted sum of a few input positions, ``y[o] = Σₜ w[o, t] · x[idx[o, t]]``. Average pooling,
  adaptive average pooling and every ``interpolate`` mode (nearest, linear, bicubic, area) are
  this map with different tap tables; its adjoint (`ResampleAdjoint`) adds ``w · g`` back at the
  same taps, and the adjoint of the adjoint is the map again, so gradients of any order exist.
* **Window maxima** (`WindowMax`): each output takes the maximum over a window of input
  positions (given as flat indices into the input plane), and returns where it was. Max pooling,
  adaptive max pooling and fractional max pooling differ only in their windows. The gradient
  goes back to those positions (`PlaneScatter`, whose own backward is `PlaneGather`).

``avg_pool2d`` is the exception: it sums the windows of an as_strided view of the input
(`WindowMean`, whose adjoint is `WindowSpread`).

Patch ops (unfold/fold, pixel and channel shuffles) are gathers and their adjoints. An index
equal to the plane size (or -1 in a tap table) points outside the input: at padding.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _errors, _random
from .._kernels import fma_np
from .._tensor import Tensor
from ..ops._util import require_tensor
from ..ops.arithmetic import NumpyFunction
from ..ops.shape import stack
from ._activations import relu

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "affine_grid",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "channel_shuffle",
    "fold",
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
    "grid_sample",
    "interpolate",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_pool3d",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "native_channel_shuffle",
    "pixel_shuffle",
    "pixel_unshuffle",
    "unfold",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]

Taps = tuple[np.ndarray, np.ndarray]  # (idx (out, T) with -1 = outside, w (out, T))


# --- separable resampling ----------------------------------------------------------------------
def _along(v: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    """A 1-d array shaped to broadcast along `axis` of an ndim-d array."""
    return v.reshape(v.shape + (1,) * (ndim - 1 - axis))


def _stride(col: np.ndarray) -> slice | None:
    """The tap column as a slice when it reads evenly spaced, distinct inputs (pooling)."""
    if len(col) == 0:
        return slice(0, 0)
    step = int(col[1] - col[0]) if len(col) > 1 else 1
    if col[0] < 0 or step < 1 or np.any(np.diff(col) != step):
        return None
    return slice(int(col[0]), int(col[-1]) + 1, step)


def _tap(x: np.ndarray, col: np.ndarray, axis: int) -> np.ndarray:
    """x at the inputs the tap column reads, along axis (a view when they are strided)."""
    span = _stride(col)
    if span is None:
        return np.take(x, col, axis=axis)
    at: list[Any] = [slice(None)] * x.ndim
    at[axis] = span
    return x[tuple(at)]


def _resample(x: np.ndarray, taps: tuple[Taps | None, ...]) -> np.ndarray:
    if x.dtype == np.float16:  # computed in float32 and rounded once, as PyTorch's kernels do
        return _resample(x.astype(np.float32), taps).astype(np.float16)
    nd = len(taps)
    for k in reversed(range(nd)):  # the last axis first, as PyTorch's kernels sum
        tap = taps[k]
        if tap is None:
            continue
        idx, w = tap
        axis = x.ndim - nd + k
        if idx.size and idx.min() < 0:  # taps outside the input read an appended zero
            pad = [(0, 0)] * x.ndim
            pad[axis] = (0, 1)
            x = np.pad(x, pad)
        w = w.astype(x.dtype, copy=False)
        y = _tap(x, idx[:, 0], axis) * _along(w[:, 0], axis, x.ndim)
        for t in range(1, idx.shape[1]):
            y += _tap(x, idx[:, t], axis) * _along(w[:, t], axis, x.ndim)
        x = y
    return x


def _resample_linear_fma(x: np.ndarray, taps: tuple[Taps | None, ...]) -> np.ndarray:
    """``_resample`` of 2-tap (linear) float32 or float64 taps as PyTorch's CPU kernel rounds
    them: each axis from the last computes ``t0 * w0 + t1 * w1``, which its compiler contracts
    to fma(t0, w0, t1 * w1), the second product rounded, the sum once. For float32 the product
    of two floats is exact in double, and the double sum rounded to float is that fma except
    where the double rounding meets a tie (no case in the tests); float64 takes fma_np. (On a
    CPU without FMA PyTorch's kernel rounds both products.)"""
    nd = len(taps)
    dt = x.dtype
    for k in reversed(range(nd)):
        tap = taps[k]
        if tap is None:
            continue
        idx, w = tap
        axis = x.ndim - nd + k
        w = w.astype(dt, copy=False)
        second = _tap(x, idx[:, 1], axis) * _along(w[:, 1], axis, x.ndim)  # rounded
        if dt == np.float64:
            x = fma_np(_tap(x, idx[:, 0], axis), _along(w[:, 0], axis, x.ndim), second)
            continue
        first = _tap(x, idx[:, 0], axis).astype(np.float64)
        first *= _along(w[:, 0].astype(np.float64), axis, x.ndim)  # exact
        first += second
        x = first.astype(np.float32)
    return x


def _resample_adjoint(
    g: np.ndarray, taps: tuple[Taps | None, ...], shape: tuple[int, ...]
) -> np.ndarray:
    if g.dtype == np.float16:  # (as _resample)
        return _resample_adjoint(g.astype(np.float32), taps, shape).astype(np.float16)
    nd = len(taps)
    for k in range(nd):
        tap = taps[k]
        if tap is None:
            continue
        idx, w = tap
        axis = g.ndim - nd + k
        n = shape[axis]
        out_shape = list(g.shape)
        out_shape[axis] = n + 1  # outside taps land in a dropped last slot
        gx = np.zeros(out_shape, g.dtype)
        for t in range(idx.shape[1]):
            at: list[Any] = [slice(None)] * g.ndim
            span = _stride(idx[:, t])
            if span is not None:  # distinct inputs: add the column in place
                at[axis] = span
                gx[tuple(at)] += g * _along(w[:, t].astype(g.dtype), axis, g.ndim)
                continue
            # sort the outputs by the input they read, then sum each run of equal inputs
            slot = np.where(idx[:, t] < 0, n, idx[:, t])
            order = np.argsort(slot, kind="stable")
            ordered = slot[order]
            starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            part = np.take(g, order, axis=axis) * _along(w[order, t].astype(g.dtype), axis, g.ndim)
            at[axis] = ordered[starts]
            gx[tuple(at)] += np.add.reduceat(part, starts, axis=axis)
        g = np.take(gx, np.arange(n), axis=axis)
    return g


class Resample(NumpyFunction):
    """y[o] = Σₜ w[o, t] · x[idx[o, t]] along each spatial axis; dx = the same taps, transposed"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, taps: tuple[Taps | None, ...]) -> np.ndarray:
        ctx.taps, ctx.shape = taps, x.shape
        return _resample(x, taps)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return ResampleAdjoint.apply(grad, ctx.taps, ctx.shape), None


class ResampleAdjoint(NumpyFunction):
    """dx[i] = Σ w[o, t] · g[o] over the taps reading i; its adjoint is Resample"""

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, taps: tuple[Taps | None, ...], shape: tuple[int, ...]
    ) -> np.ndarray:
        ctx.taps = taps
        return _resample_adjoint(g, taps, shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Resample.apply(grad, ctx.taps), None, None


# PyTorch's node names for the ops that are a Resample
class AvgPool2D(Resample):
    pass


class AvgPool3D(Resample):
    pass


class AdaptiveAvgPool2D(Resample):
    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        _check_adaptive_grad(grad.shape, 2)
        return Resample.backward(ctx, grad)


class AdaptiveAvgPool3D(Resample):
    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        _check_adaptive_grad(grad.shape, 3)
        return Resample.backward(ctx, grad)


def _check_adaptive_grad(shape: Any, nd: int) -> None:
    """adaptive_avg_pool{nd}d_backward's check: its forward makes an output with an empty
    dim (an output size of 0), its backward refuses a gradient with one past the first dim."""
    for i in range(1, len(shape)):
        if shape[i] == 0:
            raise RuntimeError(
                f"adaptive_avg_pool{nd}d_backward(): Expected grad_output to have non-zero size "
                f"for non-batch dimensions, but grad_output has sizes {list(shape)} with "
                f"dimension {i} being empty"
            )


class UpsampleNearest1D(Resample):
    pass


class UpsampleNearest2D(Resample):
    pass


class UpsampleNearest3D(Resample):
    pass


class UpsampleNearestExact1D(Resample):
    pass


class UpsampleNearestExact2D(Resample):
    pass


class UpsampleNearestExact3D(Resample):
    pass


class _LinearResample(Resample):
    """Linear and trilinear interpolation: float32 and float64 round as PyTorch's fused kernel;
    float16 as its float16 kernel, which keeps the weights in float16 (λ rounded, then 1 - λ
    rounded) and blends in float."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, taps: tuple[Taps | None, ...]) -> np.ndarray:
        two_taps = all(t is None or t[0].shape[1] == 2 for t in taps)
        if x.dtype == np.float16 and two_taps:
            taps = tuple(None if t is None else _half_weights(t) for t in taps)
        ctx.taps, ctx.shape = taps, x.shape  # (the backward is the adjoint of these weights)
        if x.dtype == np.float16 and two_taps:
            return _resample_linear_fma(x.astype(np.float32), taps).astype(np.float16)
        if x.dtype in (np.float32, np.float64) and two_taps:
            return _resample_linear_fma(x, taps)
        return _resample(x, taps)


def _half_weights(tap: Taps) -> Taps:
    idx, w = tap
    w1 = w[:, 1].astype(np.float16).astype(np.float32)
    w0 = (np.float32(1) - w1).astype(np.float16).astype(np.float32)
    return idx, np.stack([w0, w1], axis=1)


class UpsampleLinear1D(_LinearResample):
    pass


class UpsampleBilinear2D(Resample):  # (PyTorch's 2-d kernel rounds otherwise: not matched)
    pass


class UpsampleBicubic2D(Resample):
    pass


class UpsampleTrilinear3D(_LinearResample):
    pass


class UpsampleBilinear2DAa(Resample):
    pass


class UpsampleBicubic2DAa(Resample):
    pass


# --- window maxima -----------------------------------------------------------------------------
def _rows(x: np.ndarray, nd: int) -> tuple[tuple[int, ...], tuple[int, ...], np.ndarray]:
    """x (*lead, *plane) as (rows, plane size)."""
    lead, plane = x.shape[: x.ndim - nd], x.shape[x.ndim - nd :]
    return lead, plane, x.reshape(math.prod(lead), math.prod(plane))


class WindowMax(NumpyFunction):
    """y = max of x over each window of plane positions; dy/dx = 1 at the (first) maximum"""

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, pos: np.ndarray, nd: int, kernel: tuple[int, ...] | None = None
    ) -> tuple[np.ndarray, ...]:
        # pos: (1 or rows, *out, W) flat plane positions; the plane size stands for padding.
        # kernel: given when the windows tile the plane (see _tiled), for the fast path; a bool
        # x takes the general path, to raise there as before
        if kernel is not None and x.dtype.kind in "fiu":
            y, indices = _tiled_max(x, pos, kernel)
            ctx.indices, ctx.plane, ctx.distinct = indices, x.shape[x.ndim - nd :], True
            ctx.mark_non_differentiable(indices)
            ctx.save_for_backward(x, indices)
            return y, indices
        lead, plane, x2 = _rows(x, nd)
        rows = x2.shape[0]
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        xf = np.concatenate([x2, np.full((rows, 1), fill, x.dtype)], axis=1)
        out = pos.shape[1:-1]
        m, width = math.prod(out), pos.shape[-1]
        p2 = pos.reshape(pos.shape[0], m * width)
        vals = xf[np.arange(rows)[:, None], p2].reshape(rows, m, width)
        arg = vals.argmax(axis=-1)[..., None]
        nan = np.isnan(vals) if x.dtype.kind == "f" else None
        if nan is not None and nan.any():  # PyTorch's scan keeps the last NaN of a window
            last = vals.shape[-1] - 1 - nan[..., ::-1].argmax(axis=-1)[..., None]
            arg = np.where(nan.any(axis=-1, keepdims=True), last, arg)
        y = np.take_along_axis(vals, arg, axis=-1)[..., 0]
        idx = np.take_along_axis(p2.reshape(pos.shape[0], m, width), arg, axis=-1)
        indices = idx[..., 0].reshape((*lead, *out))
        ctx.indices, ctx.plane, ctx.distinct = indices, plane, False
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(x, indices)
        return y.reshape((*lead, *out)), indices

    @staticmethod
    def backward(ctx: Any, grad: Tensor, _: Any) -> tuple[Any, ...]:
        # x and the indices output are saved, as PyTorch's nodes save self and indices: a write
        # into either before backward is reported; backward frees them (a second one raises).
        ctx.saved_arrays  # noqa: B018
        return PlaneScatter.apply(grad, ctx.indices, ctx.plane, ctx.distinct), None, None, None


def _tiled(tables: Sequence[np.ndarray]) -> tuple[int, ...] | None:
    """The kernel, when the windows tile the plane from its start: along every axis, window o
    is positions o·k ... o·k + k - 1 (kernel == stride, no padding, dilation 1, and no partial
    window from ceil_mode; positions past the last window are left out). None otherwise."""
    for t in tables:
        if not np.array_equal(t.reshape(-1), np.arange(t.size)):
            return None
    return tuple(t.shape[1] for t in tables)


def _tiles(x: np.ndarray, kernel: tuple[int, ...], out: Sequence[int]) -> np.ndarray:
    """The windows of a tiled pool as (W, rows · ∏out): row j is window element j (row-major in
    the window) of every window, in the outputs' order; a contiguous copy of x's windows.

    Rows of one element across all windows keep numpy's loops long and contiguous. With each
    window as a short last axis instead, its copy and argmax run one inner loop per window
    (measured on (32, 32, 8, 8) float32, kernel 2: 177 + 90 µs, against 32 µs for this layout
    and 23 µs for _first_max)."""
    nd = len(kernel)
    lead = x.shape[: x.ndim - nd]
    # out is the pool's (not plane // kernel: a kernel of 1 with a larger stride tiles too,
    # leaving positions out between its windows)
    shape, strides = list(lead), list(x.strides[: x.ndim - nd])
    for o, k, st in zip(out, kernel, x.strides[x.ndim - nd :], strict=True):
        shape += [o, k]  # axis -> (window, element): a view of x whatever its strides
        strides += [st * k, st]
    view = np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)
    # (*lead, o1, k1, ..., on, kn) -> (kn, *lead, o1, k1, ..., on): the last axis's elements
    # first, which for a contiguous x is one long strided loop
    last = view.ndim - 1
    tiles = np.ascontiguousarray(view.transpose(last, *range(last)))
    # then each kernel axis to the front in turn, from the last but one: (kj+1..kn, A, kj, B)
    # -> (kj, kj+1..kn, A, B), where B, the outputs along the later axes, is contiguous. A plain
    # copy would loop once per run of B; as one opaque (void) item a run moves in one strided
    # loop (the whole reordering: 155 -> 32 µs on (32, 32, 8, 8), 97 -> 19 on (32, 64, 4, 4))
    width, count = math.prod(kernel), math.prod(lead) * math.prod(out)
    run = out[-1]
    for a in range(nd - 2, -1, -1):
        moved, after = kernel[a], math.prod(kernel[a + 1 :])
        runs: np.ndarray = tiles.reshape(-1, run).view(np.dtype((np.void, run * x.itemsize)))
        runs = runs.reshape(after, runs.size // (after * moved), moved)
        tiles = np.ascontiguousarray(runs.transpose(2, 0, 1)).view(x.dtype)
        run *= out[a]
    return tiles.reshape(width, count)


def _first_max(tiles: np.ndarray) -> np.ndarray:
    """The row of each column's maximum as PyTorch's scan picks it: the first of equal maxima,
    or the last NaN of a column that has one."""
    width = tiles.shape[0]
    small = np.min_scalar_type(width - 1)  # uint8: 23 µs against 78 µs as intp (16384 x 4)
    arg = np.zeros(tiles.shape[1], small)
    run = tiles[0].copy()
    for j in range(1, width):
        e = tiles[j]
        # row j holds the first maximum so far when it beats the maximum of the rows before
        # it; the last row to do so holds the first maximum of all
        np.maximum(arg, (e > run) * small.type(j), out=arg)
        np.maximum(run, e, out=run)  # a NaN stays in run: NaN columns show at the end
    if tiles.dtype.kind == "f":
        nan = np.isnan(run)
        if nan.any():
            last = np.zeros_like(arg)
            for j in range(1, width):
                np.maximum(last, np.isnan(tiles[j]) * small.type(j), out=last)
            arg = np.where(nan, last, arg)
    return arg


def _tiled_max(
    x: np.ndarray, pos: np.ndarray, kernel: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """WindowMax's forward for windows that tile the plane: the same values and indices.

    Measured forward on (32, 32, 8, 8) float32, kernel 2: 134 µs against 604 µs for the
    gather of every window through its positions. F.max_pool2d(x, 2) forward + backward, timeit
    alternating with the general path: 295 µs against 730 on (32, 32, 8, 8), 229 against 408
    on (32, 64, 4, 4) (PyTorch 2.13, 1 thread: 229 and 120)."""
    nd = len(kernel)
    lead, out = x.shape[: x.ndim - nd], pos.shape[1:-1]
    tiles = _tiles(x, kernel, out)
    arg = _first_max(tiles)
    count = tiles.shape[1]
    at = arg.astype(np.intp) * count + np.arange(count)
    y = np.take(tiles.reshape(-1), at)  # selected, not recomputed: -0.0 and NaN bits as in x
    # window o at element j sits at pos[o, j] = pos[o, 0] + pos[0, j] - pos[0, 0]
    windows = pos.reshape(-1, math.prod(kernel))
    steps = windows[0] - windows[0, 0]
    per_row = windows.shape[0]
    indices = np.take(steps, arg).reshape(-1, per_row) + windows[:, 0]
    return y.reshape((*lead, *out)), indices.reshape((*lead, *out))


class PlaneScatter(NumpyFunction):
    """y (*, *plane) = g added at its flat plane indices; the adjoint of PlaneGather"""

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, indices: np.ndarray, plane: tuple[int, ...], distinct: bool = False
    ) -> Any:
        ctx.indices, ctx.nd = indices, len(plane)
        lead = indices.shape[: indices.ndim - len(plane)]
        rows, size = math.prod(lead), math.prod(plane)
        per_row = math.prod(indices.shape[len(lead) :])
        flat = (np.arange(rows)[:, None] * size + indices.reshape(rows, per_row)).ravel()
        if distinct:  # no two indices of a row are equal (tiled windows): each is written once,
            # in g's dtype (on (32, 32, 8, 8) float32: 33 µs against 74 for bincount's float64)
            acc = np.zeros(rows * size, g.dtype)
            acc[flat] = g.reshape(-1)
            return acc.reshape((*lead, *plane))
        acc = np.bincount(flat, g.reshape(-1), minlength=rows * size)
        return acc.astype(g.dtype).reshape((*lead, *plane))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return PlaneGather.apply(grad, ctx.indices, ctx.nd), None, None, None


class PlaneGather(NumpyFunction):
    """y = x at the flat plane indices; the adjoint of PlaneScatter"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, indices: np.ndarray, nd: int) -> np.ndarray:
        _lead, plane, x2 = _rows(x, nd)
        ctx.indices, ctx.plane = indices, plane
        per_row = math.prod(indices.shape[len(_lead) :])
        taken = np.take_along_axis(x2, indices.reshape(x2.shape[0], per_row), axis=1)
        return taken.reshape(indices.shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return PlaneScatter.apply(grad, ctx.indices, ctx.plane), None, None


# PyTorch's node names for the ops that are a WindowMax
class MaxPool2DWithIndices(WindowMax):
    pass


class MaxPool3DWithIndices(WindowMax):
    pass


class AdaptiveMaxPool2D(WindowMax):
    pass


class AdaptiveMaxPool3D(WindowMax):
    pass


class FractionalMaxPool2D(WindowMax):
    pass


class FractionalMaxPool3D(WindowMax):
    pass


class MaxUnpool2D(PlaneScatter):
    """y = zeros of the output plane with x written at its indices; dx = g at those indices.

    Written, not added: where indices repeat (overlapping windows that share a maximum), the
    last value written stays, as in PyTorch's loop."""

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, indices: np.ndarray, plane: tuple[int, ...], distinct: bool = True
    ) -> Any:
        if not math.prod(plane):  # nothing to write into (PyTorch does not read the indices)
            ctx.indices, ctx.nd = indices, len(plane)
            lead = indices.shape[: indices.ndim - len(plane)]
            return np.zeros((*lead, *plane), g.dtype)
        return PlaneScatter.forward(ctx, g, indices, plane, True)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        plane = grad.shape[grad.ndim - ctx.nd :]
        if not math.prod(plane) and ctx.indices.size:  # PyTorch's gather of the empty plane
            raise RuntimeError(
                f"index {ctx.indices.flat[0]} is out of bounds for dimension "
                f"{ctx.indices.ndim - ctx.nd} with size 0"
            )
        return PlaneScatter.backward(ctx, grad)


class MaxUnpool3D(MaxUnpool2D):
    pass


# --- arguments and window tables ---------------------------------------------------------------
_WORDS = {1: "one", 2: "two", 3: "three"}


def _ntuple(v: Any, n: int, op: str = "", what: str = "") -> tuple[int, ...]:
    """An int or a sequence of 1 or n ints as n ints (PyTorch's _single/_pair/_triple)."""
    if isinstance(v, Sequence) and not isinstance(v, str):
        vals = tuple(int(e) for e in v)
        if len(vals) == 1:
            return vals * n
        if len(vals) != n:
            if n == 1:
                raise RuntimeError(
                    f"{op}() argument '{what}' should contain one int (got {len(vals)})"
                )
            either = "" if op.startswith("avg") else "either "
            raise RuntimeError(
                f"{op}: {what} must {either}be a single int, or a tuple of {_WORDS[n]} ints"
            )
        return vals
    return (int(v),) * n


def _ntuple_float(v: Any, n: int) -> tuple[float, ...]:
    if isinstance(v, Sequence):
        return tuple(float(e) for e in v) * (n if len(v) == 1 else 1)
    return (float(v),) * n


def _spatial(input: Tensor, nd: int, message: str) -> None:
    if input.ndim not in (nd + 1, nd + 2) or any(s == 0 for s in input.shape[-nd - 1 :]):
        raise RuntimeError(message)


def _pool_axis(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> tuple[int, Any]:
    """PyTorch's output size along one axis and the (out, k) table of window positions."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1  # the last window must start inside the input or its left padding
    table = (np.arange(out) * s - p)[:, None] + d * np.arange(k)[None, :]
    return out, np.where((table >= 0) & (table < size), table, -1)


def _positions(tables: Sequence[np.ndarray], plane: Sequence[int]) -> np.ndarray:
    """Flat plane positions (1, *out, ∏T) of windows given per axis as (out, T) tables."""
    nd, size = len(tables), math.prod(plane)
    pos: Any = 0
    outside: Any = False
    for k, t in enumerate(tables):
        shape = [1] * (2 * nd)
        shape[k], shape[nd + k] = t.shape
        tk = t.reshape(shape)
        pos = pos + tk * math.prod(plane[k + 1 :])
        outside = outside | (tk < 0)
    pos = np.where(outside, size, pos)
    return pos.reshape(1, *(t.shape[0] for t in tables), math.prod(t.shape[1] for t in tables))


def _pool_geometry(
    input: Tensor,
    nd: int,
    op: str,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> tuple[tuple[int, ...], tuple[int, ...], list[np.ndarray]]:
    """Kernel, padding and per-axis window tables of a max or average pool, checked as PyTorch."""
    k = _ntuple(kernel_size, nd, op, "kernel_size")
    s = k if stride is None or stride == [] else _ntuple(stride, nd, op, "stride")
    p = _ntuple(padding, nd, op, "padding")
    d = _ntuple(dilation, nd, op, "dilation")
    axes = ("T", "H", "W")[3 - nd :]
    # PyTorch's order: pooling_output_shape per dim (stride, padding against the dilated
    # kernel), then pool2d/pool3d_shape_check (kernel, stride, dilation, padding against the
    # kernel itself), then the output size
    for kk, ss, pp, dd in zip(k, s, p, d, strict=True):
        if ss == 0:
            raise RuntimeError("stride should not be zero")
        if pp < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {pp}")
        span = (kk - 1) * dd + 1
        if pp > (span // 2 if span >= 0 else -(-span // 2)):  # C++ division
            raise RuntimeError(
                "pad should be at most half of effective kernel size, but got "
                f"pad={pp}, kernel_size={kk} and dilation={dd}"
            )
    checks = (("kernel size", "k", k), ("stride", "d", s), ("dilation", "dilation", d))
    for what, short, vals in checks:
        if min(vals) <= 0:
            got = " ".join(f"{short}{a}: {v}" for a, v in zip(axes, vals, strict=True))
            raise RuntimeError(f"{what} should be greater than zero, but got {got}")
    if any(pp > kk // 2 for kk, pp in zip(k, p, strict=True)):
        if nd == 3:
            got = f"kT: {k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} padH: {p[1]}"
        else:
            got = f"padW = {p[-1]}, padH = {p[-2]}, kW = {k[-1]}, kH = {k[-2]}"
        raise RuntimeError(
            f"pad should be smaller than or equal to half of kernel size, but got {got}"
        )
    plane = tuple(input.shape[-nd:])
    outs, tables = [], []
    for n, kk, ss, pp, dd in zip(plane, k, s, p, d, strict=True):
        o, t = _pool_axis(n, kk, ss, pp, dd, ceil_mode)
        outs.append(o)
        tables.append(t)
    if min(outs) < 1:
        c = input.shape[-nd - 1]
        raise RuntimeError(
            f"Given input size: ({'x'.join(str(v) for v in (c, *plane))}). Calculated output "
            f"size: ({'x'.join(str(v) for v in (c, *outs))}). Output size is too small"
        )
    return k, p, tables


# --- max pooling -------------------------------------------------------------------------------
def _max_pool(
    input: Tensor,
    nd: int,
    fn: type[WindowMax],
    op: str,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> tuple[Tensor, Tensor]:
    _check_max_pool_input(input, nd)
    _k, _p, tables = _pool_geometry(
        input, nd, op, kernel_size, stride, padding, dilation, ceil_mode
    )
    pos = _positions(tables, input.shape[-nd:])
    return fn.apply(input, pos, nd, _tiled(tables))


def _check_max_pool_input(input: Tensor, nd: int) -> None:
    """PyTorch's checks of a 2-d or 3-d max pooling's input, with its messages: a wrong number of
    dims and an empty channel or spatial dim are told apart (an empty batch is fine)."""
    shape = list(input.shape)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input"
        )
    if 0 not in shape[-nd - 1 :]:
        return
    if nd == 2:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
            f"got:{shape}"
        )
    # (PyTorch 2.13 names non-batch dimension 0 whichever one is empty)
    raise RuntimeError(
        "max_pool3d_with_indices_out_cpu_template(): Expected input's non-batch dimensions to "
        f"have positive length, but input has a shape of {shape} and non-batch dimension 0 has "
        "length zero!"
    )


def _check_1d_input(input: Tensor, op: str) -> None:
    """The dims check of PyTorch's 1-d pooling ops (the rest is left to the 2-d ones)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument "
            f"#1 'self' (while checking arguments for {op})"
        )


def _pool1d_window(
    input: Tensor, op: str, kernel_size: Any, stride: Any, padding: Any
) -> tuple[int, int, int]:
    """A 1-d pool's input checked and its kernel, stride (the kernel by default) and padding."""
    _check_1d_input(input, op)
    k = _ntuple(kernel_size, 1, op, "kernel_size")[0]
    s = k if stride is None or stride == [] else _ntuple(stride, 1, op, "stride")[0]
    return k, s, _ntuple(padding, 1, op, "padding")[0]


def max_pool1d_with_indices(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """y, indices = max over each window of the last dim (PyTorch pools a (*, 1, L) plane):
    PyTorch's max_pool1d_with_indices checks the input's dims and leaves the rest to
    max_pool2d_with_indices, whose messages these are"""
    require_tensor(input, "max_pool1d_with_indices")
    k, s, p = _pool1d_window(input, "max_pool1d", kernel_size, stride, padding)
    d = _ntuple(dilation, 1, "max_pool1d", "dilation")[0]
    y, idx = _max_pool(
        input.unsqueeze(-2), 2, MaxPool2DWithIndices, "max_pool2d", (1, k), (1, s), (0, p),
        (1, d), ceil_mode,
    )  # fmt: skip
    return y.squeeze(-2), idx.squeeze(-2)


def _max_pool1d(
    input: Tensor, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool
) -> Tensor:
    """torch.max_pool1d (no indices): its own checks, then the same windows"""
    require_tensor(input, "max_pool1d")
    if input.ndim not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{list(input.shape)}"
        )
    k = _ntuple(kernel_size, 1, "max_pool1d", "kernel_size")[0]
    s = k if stride is None or stride == [] else _ntuple(stride, 1, "max_pool1d", "stride")[0]
    p = _ntuple(padding, 1, "max_pool1d", "padding")[0]
    d = _ntuple(dilation, 1, "max_pool1d", "dilation")[0]
    for what, v in (("kernel_size", k), ("stride", s), ("dilation", d)):
        if v <= 0:
            raise RuntimeError(f"max_pool1d() {what} must be greater than zero, but got {v}")
    if p > k // 2:
        raise RuntimeError(
            "max_pool1d() padding should be at most half of kernel size, but got "
            f"padding={p} and kernel_size={k}"
        )
    out = _pool_axis(input.shape[-1], k, s, p, d, ceil_mode)[0]
    if out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    return max_pool1d_with_indices(input, k, s, p, d, ceil_mode)[0]


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """y = max over each (dilated) window of the last dim"""
    if return_indices:
        return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d_with_indices(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """y, indices = max over each (dilated) window of the last two dims"""
    require_tensor(input, "max_pool2d_with_indices")
    return _max_pool(
        input, 2, MaxPool2DWithIndices, "max_pool2d", kernel_size, stride, padding, dilation,
        ceil_mode,
    )  # fmt: skip


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """y = max over each (dilated) window (PyTorch's max_pool2d_with_indices, unbatched too)"""
    if not return_indices:
        require_tensor(input, "max_pool2d")
    y, idx = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (y, idx) if return_indices else y


def max_pool3d_with_indices(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """y, indices = max over each (dilated) window of the last three dims"""
    return _max_pool(
        input, 3, MaxPool3DWithIndices, "max_pool3d", kernel_size, stride, padding, dilation,
        ceil_mode,
    )  # fmt: skip


def max_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """y = max over each (dilated) window of the last three dims"""
    if not return_indices:  # (with indices PyTorch fails in Python, reading input.is_cuda)
        require_tensor(input, "max_pool3d")
    y, idx = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return (y, idx) if return_indices else y


# --- average pooling ---------------------------------------------------------------------------
def _avg_taps(size: int, k: int, s: int, p: int, out: int, include_pad: bool) -> Taps:
    """The taps of one axis of an average pool: 1/count on the window's input positions."""
    start = np.arange(out) * s - p
    table = start[:, None] + np.arange(k)[None, :]
    valid = (table >= 0) & (table < size)
    if include_pad:  # padding counts, but not what ceil_mode adds past it
        count = np.minimum(start + k, size + p) - start
    else:
        count = np.minimum(start + k, size) - np.maximum(start, 0)
    return np.where(valid, table, -1), np.where(valid, 1.0 / count[:, None], 0.0)


def _avg_pool(
    input: Tensor,
    nd: int,
    fn: type[Resample],
    op: str,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
) -> Tensor:
    k, p, tables = _pool_geometry(input, nd, op, kernel_size, stride, padding, 1, ceil_mode)
    s = k if stride is None or stride == [] else _ntuple(stride, nd, op, "stride")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    taps = []
    for n, kk, ss, pp, t in zip(input.shape[-nd:], k, s, p, tables, strict=True):
        idx, w = _avg_taps(n, kk, ss, pp, len(t), count_include_pad)
        if divisor_override is not None:
            w = (idx >= 0).astype(np.float64)
        taps.append((idx, w))
    if divisor_override is not None:  # Σ window / divisor: the divisor on the first axis
        taps[0] = (taps[0][0], taps[0][1] / divisor_override)
    return fn.apply(input, tuple(taps))


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """y = mean over each window of the last dim (PyTorch pools a (*, 1, L) plane)"""
    require_tensor(input, "avg_pool1d")
    k, s, p = _pool1d_window(input, "avg_pool1d", kernel_size, stride, padding)
    y = _avg_pool(
        input.unsqueeze(-2), 2, AvgPool2D, "avg_pool2d", (1, k), (1, s), (0, p), ceil_mode,
        count_include_pad, None,
    )  # fmt: skip
    return y.squeeze(-2)


def avg_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """y = mean over each window of the last three dims"""
    require_tensor(input, "avg_pool3d")
    _spatial(input, 3, "non-empty 4D or 5D (batch mode) tensor expected for input")
    k = _ntuple(kernel_size, 3, "avg_pool3d", "kernel_size")
    t, h, w = input.shape[-3:]
    if not ceil_mode and (t < k[0] or h < k[1] or w < k[2]) and not any(_ntuple(padding, 3)):
        raise RuntimeError(
            f"input image (T: {t} H: {h} W: {w}) smaller than kernel size "
            f"(kT: {k[0]} kH: {k[1]} kW: {k[2]})"
        )
    return _avg_pool(
        input, 3, AvgPool3D, "avg_pool3d", kernel_size, stride, padding, ceil_mode,
        count_include_pad, divisor_override,
    )  # fmt: skip


def _lp_pool(
    input: Tensor, nd: int, norm_type: float, kernel_size: Any, stride: Any, ceil_mode: bool
) -> Tensor:
    """(Σ window xᵖ)^(1/p), composed as PyTorch composes it (so its nodes are PyTorch's)"""
    max_pool = {1: max_pool1d, 2: max_pool2d, 3: max_pool3d}[nd]
    avg_pool = {1: avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}[nd]
    if norm_type == math.inf:
        return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -math.inf:
        return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    size = math.prod(_ntuple(kernel_size, nd))
    return (out.sign() * relu(out.abs())).mul(size).pow(1.0 / norm_type)


def lp_pool1d(
    input: Tensor,
    norm_type: float,
    kernel_size: int,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """y = (Σ xᵖ over each window of the last dim)^(1/p)"""
    return _lp_pool(input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(
    input: Tensor,
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """y = (Σ xᵖ over each window of the last two dims)^(1/p)"""
    return _lp_pool(input, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(
    input: Tensor,
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """y = (Σ xᵖ over each window of the last three dims)^(1/p)"""
    return _lp_pool(input, 3, norm_type, kernel_size, stride, ceil_mode)


# --- avg_pool2d: sums over an as_strided window view -------------------------------------------
def _pair(v: Any, name: str = "") -> tuple[int, int]:
    if isinstance(v, int):
        return (v, v)
    t = tuple(int(x) for x in v)
    if len(t) == 1:
        return (t[0], t[0])
    return (t[0], t[1])


# Geometry of a 2-d sliding window over a padded input: kernel (kh, kw), stride, dilation and
# padding (top, bottom, left, right). Windows are an as_strided view (N, C, OH, OW, KH, KW) of the
# padded input; the adjoint (col2im) adds window values back with one strided slice per kernel
# position, so no loop runs over pixels.
def _windows(
    xp: np.ndarray, k: tuple[int, int], s: tuple[int, int], d: tuple[int, int], out: tuple[int, int]
) -> np.ndarray:
    n, c = xp.shape[:2]
    st = xp.strides
    return np.lib.stride_tricks.as_strided(
        xp,
        shape=(n, c, out[0], out[1], k[0], k[1]),
        strides=(st[0], st[1], st[2] * s[0], st[3] * s[1], st[2] * d[0], st[3] * d[1]),
        writeable=False,
    )


def _col2im(
    cols: np.ndarray, padded: tuple[int, ...], s: tuple[int, int], d: tuple[int, int]
) -> np.ndarray:
    """The adjoint of _windows: cols (N, C, OH, OW, KH, KW) summed into the padded input."""
    _n, _c, oh, ow, kh, kw = cols.shape
    out = np.zeros(padded, dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            r, q = i * d[0], j * d[1]
            out[:, :, r : r + s[0] * (oh - 1) + 1 : s[0], q : q + s[1] * (ow - 1) + 1 : s[1]] += (
                cols[:, :, :, :, i, j]
            )
    return out


def _pad(x: np.ndarray, p: tuple[int, int, int, int], value: float = 0.0) -> np.ndarray:
    if not any(p):
        return x
    return np.pad(x, ((0, 0), (0, 0), (p[0], p[1]), (p[2], p[3])), constant_values=value)


def _crop(xp: np.ndarray, p: tuple[int, int, int, int]) -> np.ndarray:
    if not any(p):
        return xp
    h, w = xp.shape[2], xp.shape[3]
    return xp[:, :, p[0] : h - p[1], p[2] : w - p[3]]


class _PoolGeom:
    """Window geometry of a pooling layer over an (N, C, H, W) input."""

    def __init__(
        self,
        x_shape: tuple[int, ...],
        k: tuple[int, int],
        s: tuple[int, int],
        p: tuple[int, int],
        d: tuple[int, int],
        ceil_mode: bool,
    ) -> None:
        self.x_shape, self.k, self.s, self.d = tuple(x_shape), k, s, d
        out, extra = [], []
        for size, kk, ss, pp, dd in zip(x_shape[2:], k, s, p, d, strict=True):
            span = size + 2 * pp - dd * (kk - 1) - 1
            o = (-(-span // ss) if ceil_mode else span // ss) + 1
            if ceil_mode and (o - 1) * ss >= size + pp:
                o -= 1  # the last window must start inside the input or its left padding
            out.append(o)
            extra.append(max(0, (o - 1) * ss + dd * (kk - 1) + 1 - (size + 2 * pp)))
        self.out = (out[0], out[1])
        self.pad = (p[0], p[0] + extra[0], p[1], p[1] + extra[1])
        n, c, h, w = x_shape
        self.padded = (n, c, h + self.pad[0] + self.pad[1], w + self.pad[2] + self.pad[3])


def _pool_input(input: Tensor, name: str) -> tuple[Tensor, bool]:
    if input.ndim == 3:
        return input.unsqueeze(0), True
    if input.ndim != 4:
        raise RuntimeError(f"{name}: Expected 3D or 4D tensor, but got {input.ndim}D tensor")
    return input, False


def _check_pool_padding(k: tuple[int, int], p: tuple[int, int]) -> None:
    for kk, pp in zip(k, p, strict=True):
        if pp > kk // 2:
            raise RuntimeError(
                "pad should be at most half of effective kernel size, but got "
                f"pad={pp}, kernel_size={kk} and dilation=1"
            )


class WindowMean(NumpyFunction):
    """y = Σ window / divisor; the adjoint spreads g/divisor over each window"""

    node_name = "AvgPool2DBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, geo: _PoolGeom, div: np.ndarray) -> np.ndarray:
        if x.ndim == 3:  # unbatched: PyTorch's node takes the (C, H, W) input itself
            return WindowMean.forward(ctx, x[None], geo, div)[0]
        ctx.geo, ctx.div = geo, div
        win = _windows(_pad(x, geo.pad), geo.k, geo.s, geo.d, geo.out)
        return (win.sum(axis=(4, 5)) / div).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return WindowSpread.apply(grad, ctx.geo, ctx.div), None, None


class WindowSpread(NumpyFunction):
    """dx = g / divisor added over each window; the adjoint of WindowMean"""

    node_name = "AvgPool2DBackwardBackward0"

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, geo: _PoolGeom, div: np.ndarray) -> np.ndarray:
        if g.ndim == 3:  # the gradient of an unbatched input
            return WindowSpread.forward(ctx, g[None], geo, div)[0]
        ctx.geo, ctx.div = geo, div
        scaled = (g / div).astype(g.dtype)
        cols = np.broadcast_to(scaled[..., None, None], (*g.shape, *geo.k))
        return np.ascontiguousarray(_crop(_col2im(cols, geo.padded, geo.s, geo.d), geo.pad))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return WindowMean.apply(grad, ctx.geo, ctx.div), None, None


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """y = mean over each window (padding counted unless count_include_pad=False)"""
    require_tensor(input, "avg_pool2d")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    k = _pair(kernel_size)
    s = k if stride is None or stride == [] else _pair(stride)
    p = _pair(padding)
    if input.ndim < 3:  # PyTorch reads the size of dim -3 first
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-max(input.ndim, 1)}, "
            f"{max(input.ndim, 1) - 1}], but got -3)"
        )
    if input.ndim >= 3:  # PyTorch's checks (pooling_output_shape, pool2d_shape_check)
        _pool_geometry(input, 2, "avg_pool2d", k, s, p, 1, ceil_mode)
        if input.ndim > 4 or 0 in input.shape[-3:]:
            raise RuntimeError(
                "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
                f"but got:{list(input.shape)}"
            )
    x, _ = _pool_input(input, "avg_pool2d")
    _check_pool_padding(k, p)
    geo = _PoolGeom(x._data.shape, k, s, p, (1, 1), ceil_mode)
    if divisor_override is not None:
        div = np.asarray(float(divisor_override))
    else:
        counts = []
        for axis in range(2):
            start = np.arange(geo.out[axis]) * s[axis] - p[axis]
            size = x._data.shape[2 + axis]
            end = np.minimum(start + k[axis], size + p[axis])
            if not count_include_pad:
                start, end = np.maximum(start, 0), np.minimum(end, size)
            counts.append(end - start)
        div = (counts[0][:, None] * counts[1][None, :]).astype(np.float64)
    return WindowMean.apply(input, geo, div)


# --- adaptive pooling --------------------------------------------------------------------------
def _adaptive_table(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive windows [⌊i·n/o⌋, ⌈(i+1)·n/o⌉) as an (out, T) table and their counts."""
    o = np.arange(out)
    start, end = (o * size) // out, -(-((o + 1) * size) // out)
    table = start[:, None] + np.arange(np.max(end - start, initial=1))[None, :]
    return np.where(table < end[:, None], table, -1), end - start


def _output_size(output_size: Any, input: Tensor, nd: int, op: str) -> tuple[int, ...]:
    if isinstance(output_size, Sequence):
        if len(output_size) != nd:
            raise RuntimeError(
                f"{op}() argument 'output_size' should contain one int (got {len(output_size)})"
                if nd == 1
                else f"{op}: output_size must be {nd}"
            )
        sizes = output_size
    else:
        sizes = (output_size,) * nd
    return tuple(
        input.shape[input.ndim - nd + i] if v is None else int(v) for i, v in enumerate(sizes)
    )


def _adaptive_input(input: Tensor, nd: int, op: str, got: str) -> None:
    if nd == 1:
        _check_1d_input(input, op)
        return
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got{got} {list(input.shape)}"
        )
    for i in range(input.ndim - nd - 1, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(
                f"{op}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {list(input.shape)} with dimension {i} being empty"
            )


def _list_with_default(output_size: Any, input: Tensor, nd: int) -> None:
    """The check of PyTorch's Python helper that fills in None sizes (2-d and 3-d pools)."""
    if nd > 1 and isinstance(output_size, Sequence) and input.ndim <= len(output_size):
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")


def _all_ones(output_size: Any, input: Tensor, nd: int) -> bool:
    """Whether an adaptive pool's output size is 1 along each of its nd dims (None: the input's)."""
    if isinstance(output_size, Sequence):
        if len(output_size) != nd:
            return False
        return all(
            v == 1 or (v is None and input.ndim >= nd and input.shape[input.ndim - nd + i] == 1)
            for i, v in enumerate(output_size)
        )
    return bool(output_size == 1)


def _adaptive_avg(input: Tensor, nd: int, output_size: Any) -> Tensor:
    op = f"adaptive_avg_pool{nd}d"
    _list_with_default(output_size, input, nd)
    if nd > 1 and _all_ones(output_size, input, nd):
        # PyTorch takes the mean before any check of the input's dims
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    _adaptive_input(input, nd, op, "")
    if nd == 1:
        out = _output_size(output_size, input, 1, op)
        return _adaptive_avg(input.unsqueeze(-2), 2, (1, out[0])).squeeze(-2)
    out = _output_size(output_size, input, nd, op)
    if all(o == 1 for o in out):  # PyTorch takes the mean
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    taps = []
    for n, o in zip(input.shape[-nd:], out, strict=True):
        table, count = _adaptive_table(n, o)
        taps.append((table, np.where(table >= 0, 1.0 / count[:, None], 0.0)))
    fn = AdaptiveAvgPool2D if nd == 2 else AdaptiveAvgPool3D
    return fn.apply(input, tuple(taps))


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """y = mean over PyTorch's adaptive windows of the last dim"""
    return _adaptive_avg(input, 1, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """y = mean over PyTorch's adaptive windows of the last two dims"""
    return _adaptive_avg(input, 2, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """y = mean over PyTorch's adaptive windows of the last three dims"""
    return _adaptive_avg(input, 3, output_size)


def _adaptive_max(input: Tensor, nd: int, output_size: Any) -> tuple[Tensor, Tensor]:
    op = f"adaptive_max_pool{nd}d"
    _list_with_default(output_size, input, nd)
    _adaptive_input(input, nd, op, ":")
    if nd == 1:
        out = _output_size(output_size, input, 1, op)
        y, idx = _adaptive_max(input.unsqueeze(-2), 2, (1, out[0]))
        return y.squeeze(-2), idx.squeeze(-2)
    if isinstance(output_size, Sequence) and len(output_size) != nd:
        raise RuntimeError(f"{op}(): internal error: output_size.size() must be {nd}")
    out = _output_size(output_size, input, nd, op)
    plane = input.shape[-nd:]
    tables = [_adaptive_table(n, o)[0] for n, o in zip(plane, out, strict=True)]
    fn = AdaptiveMaxPool2D if nd == 2 else AdaptiveMaxPool3D
    return fn.apply(input, _positions(tables, plane), nd)


def adaptive_max_pool1d_with_indices(
    input: Tensor, output_size: Any, return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """y, indices = max over PyTorch's adaptive windows of the last dim"""
    return _adaptive_max(input, 1, output_size)


def adaptive_max_pool2d_with_indices(
    input: Tensor, output_size: Any, return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """y, indices = max over PyTorch's adaptive windows of the last two dims"""
    return _adaptive_max(input, 2, output_size)


def adaptive_max_pool3d_with_indices(
    input: Tensor, output_size: Any, return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """y, indices = max over PyTorch's adaptive windows of the last three dims"""
    return _adaptive_max(input, 3, output_size)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """y = max over PyTorch's adaptive windows of the last dim"""
    y, idx = _adaptive_max(input, 1, output_size)
    return (y, idx) if return_indices else y


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """y = max over PyTorch's adaptive windows of the last two dims"""
    y, idx = _adaptive_max(input, 2, output_size)
    return (y, idx) if return_indices else y


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """y = max over PyTorch's adaptive windows of the last three dims"""
    y, idx = _adaptive_max(input, 3, output_size)
    return (y, idx) if return_indices else y


# --- max unpooling -----------------------------------------------------------------------------
def _unpool_size(
    input: Tensor, k: tuple[int, ...], s: tuple[int, ...], p: tuple[int, ...], output_size: Any
) -> list[int]:
    nd = len(k)
    default = [(input.shape[-nd + d] - 1) * s[d] + k[d] - 2 * p[d] for d in range(nd)]
    if output_size is None:
        return default
    size = list(output_size)
    if len(size) == nd + 2:
        size = size[2:]
    if len(size) != nd:
        raise ValueError(
            f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has "
            f"a length of '{len(size)}'"
        )
    for d in range(nd):
        lo, hi = default[d] - s[d], default[d] + s[d]
        if not lo < size[d] < hi:
            raise ValueError(
                f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})'
            )
    return [int(v) for v in size]


def _max_unpool(
    input: Tensor,
    indices: Tensor,
    nd: int,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    output_size: Any,
) -> Tensor:
    k = _ntuple(kernel_size, nd)
    s = k if stride is None else _ntuple(stride, nd)
    size = _unpool_size(input, k, s, _ntuple(padding, nd), output_size)
    if nd == 1:  # PyTorch unpools a (*, L, 1) plane
        return _unpool(input.unsqueeze(-1), indices.unsqueeze(-1), [*size, 1]).squeeze(-1)
    return _unpool(input, indices, size)


def _unpool(input: Tensor, indices: Tensor, size: list[int]) -> Tensor:
    if indices.dtype.name != "int64":
        raise RuntimeError(
            "elements in indices should be type int64 but got: "
            + {"float32": "Float", "float64": "Double", "int32": "Int"}.get(
                indices.dtype.name, indices.dtype.name
            )
        )
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )
    idx = indices._data
    plane = math.prod(size)
    # an empty output is returned unchecked, as PyTorch's kernel returns before its loop; that
    # loop keeps the last invalid index it meets (run on one thread: the last in memory order)
    if idx.size and plane and (idx.min() < 0 or idx.max() >= plane):
        bad = idx[(idx < 0) | (idx >= plane)].flat[-1]
        raise RuntimeError(
            f"Found an invalid max index: {bad} (output volumes are of size "
            f"{'x'.join(str(v) for v in size)})"
        )
    fn = MaxUnpool2D if len(size) == 2 else MaxUnpool3D
    return fn.apply(input, idx, tuple(size))


def max_unpool1d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of max_pool1d: x written at its indices of a zero output"""
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of max_pool2d: x written at its indices of a zero output plane"""
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(
    input: Tensor,
    indices: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    output_size: Any = None,
) -> Tensor:
    """The inverse of max_pool3d: x written at its indices of a zero output volume"""
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size)


# --- fractional max pooling --------------------------------------------------------------------
def _fractional_starts(u: np.ndarray, size: int, out: int, k: int) -> np.ndarray:
    """PyTorch's pseudo-random window starts for samples u (rows,): (rows, out)"""
    if out == 1:
        return np.full((len(u), 1), size - k)
    alpha = u.dtype.type(size - k) / u.dtype.type(out - 1)
    i = np.arange(out - 1, dtype=u.dtype)
    seq = ((i[None, :] + u[:, None]) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)[
        :, None
    ]
    return np.concatenate([seq, np.full((len(u), 1), size - k)], axis=1)


def _fractional(
    input: Tensor,
    nd: int,
    kernel_size: Any,
    output_size: Any,
    output_ratio: Any,
    samples: Tensor | None,
) -> tuple[Tensor, Tensor]:
    op = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    plane = tuple(input.shape[-nd:])
    if output_size is None:
        if nd == 2 and len(output_ratio) > 2:  # len() of a float raises, as in PyTorch
            raise ValueError(
                "fractional_max_pool2d requires output_ratio to either be a single Int or "
                "tuple of Ints."
            )
        ratio = _ntuple_float(output_ratio, nd)
        output_size = [int(n * r) for n, r in zip(plane, ratio, strict=True)]
    k, out = _ntuple(kernel_size, nd), _ntuple(output_size, nd)
    if samples is None:
        n_batch = 1 if input.ndim == nd + 1 else input.shape[0]
        samples = _random.rand(n_batch, input.shape[-nd - 1], nd, dtype=input.dtype)
    names = ("time", "height", "width")[3 - nd :]
    for n, kk, o, name in zip(plane, k, out, names, strict=True):
        if o + kk - 1 > n:
            raise RuntimeError(f"{op}(): pool {name} {kk} too large relative to input {name} {n}")
    u = samples._data.reshape(-1, nd)
    rows = u.shape[0]
    # PyTorch's 2-d samples are (width, height), its 3-d ones (time, height, width)
    order = (1, 0) if nd == 2 else (0, 1, 2)
    pos: Any = 0
    for a in range(nd):
        starts = _fractional_starts(u[:, order[a]], plane[a], out[a], k[a])
        shape = [rows] + [1] * (2 * nd)
        shape[1 + a] = out[a]
        win = starts.reshape(shape) + np.arange(k[a]).reshape(
            [1] * (1 + nd + a) + [k[a]] + [1] * (nd - a - 1)
        )
        pos = pos + win * math.prod(plane[a + 1 :])
    fn = FractionalMaxPool2D if nd == 2 else FractionalMaxPool3D
    return fn.apply(input, np.asarray(pos).reshape(rows, *out, math.prod(k)), nd)


def fractional_max_pool2d_with_indices(
    input: Tensor,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """y, indices = max over pseudo-random k×k windows (Graham's fractional max pooling)"""
    return _fractional(input, 2, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(
    input: Tensor,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """y, indices = max over pseudo-random k×k×k windows"""
    return _fractional(input, 3, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(
    input: Tensor,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> Any:
    """y = max over pseudo-random k×k windows (Graham's fractional max pooling)"""
    y, idx = _fractional(input, 2, kernel_size, output_size, output_ratio, _random_samples)
    return (y, idx) if return_indices else y


def fractional_max_pool3d(
    input: Tensor,
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Tensor | None = None,
) -> Any:
    """y = max over pseudo-random k×k×k windows"""
    y, idx = _fractional(input, 3, kernel_size, output_size, output_ratio, _random_samples)
    return (y, idx) if return_indices else y


# --- interpolate -------------------------------------------------------------------------------
def _scale(n: int, o: int, align_corners: bool, sf: float | None, dt: Any) -> Any:
    """PyTorch's area_pixel_compute_scale in the op's math dtype."""
    if align_corners:
        return dt.type((n - 1) / (o - 1) if o > 1 else 0.0)
    if sf is not None and sf > 0:
        return dt.type(1.0 / sf)
    return dt.type(n) / dt.type(o)


def _source(n: int, o: int, align_corners: bool, sf: float | None, dt: Any, cubic: bool) -> Any:
    """The real-valued input coordinate of each output position (area_pixel_compute_source_index)"""
    scale = _scale(n, o, align_corners, sf, dt)
    dst = np.arange(o, dtype=dt)
    if align_corners:
        return scale * dst
    # scale * (dst + 0.5) - 0.5 as PyTorch's compiled kernel computes it: one fused multiply-add
    # (rounded twice, 4 of 3,400 positions of a float32 1-d upscale by 1.7 took other weights)
    src = fma_np(np.asarray(scale, dt), dst + dt.type(0.5), dt.type(-0.5))
    return src if cubic else np.maximum(src, dt.type(0))


def _nearest_taps(n: int, o: int, sf: float | None, exact: bool, shortcuts: bool) -> Taps:
    """PyTorch computes nearest indices in float32, whatever the tensor's dtype. Its 2-d kernel
    takes sizes o = n and o = 2n as scales 1 and 2 whatever the scale factor (``shortcuts``);
    its 1-d and 3-d forward kernels do not (their backward kernels do: see
    docs/compatibility.md)."""
    scale = np.float32(1.0 / sf) if sf is not None and sf > 0 else np.float32(n) / np.float32(o)
    dst = np.arange(o)
    if exact:  # floorf((dst + 0.5) * scale): the product in double, rounded to float
        src = np.floor(((dst + 0.5) * np.float64(scale)).astype(np.float32)).astype(np.int64)
    elif shortcuts and o == n:
        src = dst
    elif shortcuts and o == 2 * n:
        src = dst >> 1
    else:
        src = np.floor(dst.astype(np.float32) * scale).astype(np.int64)
    return np.minimum(src, n - 1)[:, None], np.ones((o, 1))


def _linear_taps(n: int, o: int, align_corners: bool, sf: float | None, dt: Any) -> Taps:
    src = _source(n, o, align_corners, sf, dt, cubic=False)
    i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
    lam = np.clip(src - i0, 0, 1)
    i1 = i0 + (i0 < n - 1)
    return np.stack([i0, i1], axis=1), np.stack([1 - lam, lam], axis=1)


def _cubic(t: Any, a: float) -> Any:
    """Keys' cubic convolution weights of the 4 taps around a point t ∈ [0, 1) past the 2nd"""

    def near(x: Any) -> Any:
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: Any) -> Any:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=1)


def _cubic_taps(n: int, o: int, align_corners: bool, sf: float | None, dt: Any) -> Taps:
    src = _source(n, o, align_corners, sf, dt, cubic=True)
    i = np.floor(src)
    idx = np.clip(i.astype(np.int64)[:, None] + np.arange(-1, 3)[None, :], 0, n - 1)
    return idx, _cubic(src - i, -0.75)


def _aa_taps(n: int, o: int, align_corners: bool, sf: float | None, cubic: bool) -> Taps:
    """Antialiased taps: the (bilinear or cubic) filter stretched by the downscale, normalised"""
    scale = float(_scale(n, o, align_corners, sf, np.dtype(np.float64)))
    size = 4 if cubic else 2
    support = size / 2 * scale if scale >= 1.0 else size / 2
    invscale = 1.0 / scale if scale >= 1.0 else 1.0
    center = scale * (np.arange(o) + 0.5)
    lo = np.maximum((center - support + 0.5).astype(np.int64), 0)
    hi = np.minimum((center + support + 0.5).astype(np.int64), n)
    t = lo[:, None] + np.arange(int((hi - lo).max()))[None, :]
    x = np.abs((t - center[:, None] + 0.5) * invscale)
    if cubic:
        a = -0.5
        w = np.where(
            x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
            np.where(x < 2, ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, 0.0),
        )  # fmt: skip
    else:
        w = np.maximum(0.0, 1.0 - x)
    w = np.where(t < hi[:, None], w, 0.0)
    total = w.sum(axis=1, keepdims=True)
    w = np.where(total != 0, w / np.where(total != 0, total, 1), w)
    return np.where(t < hi[:, None], t, -1), w


_LINEAR_MODES = ("linear", "bilinear", "bicubic", "trilinear")
_NEAREST = {1: UpsampleNearest1D, 2: UpsampleNearest2D, 3: UpsampleNearest3D}
_EXACT = {1: UpsampleNearestExact1D, 2: UpsampleNearestExact2D, 3: UpsampleNearestExact3D}
_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5}  # bicubic off 4D: the generic error


def interpolate(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims (N, C, *spatial) by nearest, (bi/tri)linear, bicubic or area rules"""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    dim = input.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    scales: list[Any]
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size "
                    f"of {size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                    "and output size in (o1, o2, ...,oK) format."
                )
            out = [int(v) for v in size]
        else:
            out = [int(size)] * dim
        scales = [None] * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                )
            scales = [float(v) for v in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        out = [math.floor(n * sf) for n, sf in zip(input.shape[2:], scales, strict=True)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" or recompute_scale_factor:
        scales = [None] * dim
    if antialias and not (mode in ("bilinear", "bicubic") and input.ndim == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
            "requires a 4-D tensor as input"
        )
    known = ("nearest", "nearest-exact", "area", *_LINEAR_MODES)
    if dim not in (1, 2, 3) or mode not in known or (mode == "bicubic" and dim != 2):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})"
        )
    if mode in _NEEDS and input.ndim != _NEEDS[mode]:
        raise NotImplementedError(
            f"Got {input.ndim}D input, but {mode} mode needs {_NEEDS[mode]}D input"
        )
    if mode == "area":
        return _adaptive_avg(input, dim, out)
    plane = list(input.shape[2:])
    if min(out) <= 0 or min(plane) <= 0:
        axes = ("D", "H", "W")[3 - dim :]
        raise RuntimeError(
            "Input and output sizes should be greater than 0, but got input ("
            + ", ".join(f"{a}: {n}" for a, n in zip(axes, plane, strict=True))
            + (") and output (" if dim == 1 else ") output (")  # PyTorch's 1-d wording
            + ", ".join(f"{a}: {n}" for a, n in zip(axes, out, strict=True))
            + ")"
        )
    # the index arithmetic runs in the op's math type: float for float32, double for double
    dt = np.dtype(np.float64) if input.dtype.name == "float64" else np.dtype(np.float32)
    ac = bool(align_corners)
    taps: list[Taps | None] = []
    fn: type[Resample]
    for n, o, sf in zip(plane, out, scales, strict=True):
        if o == n and (antialias or mode in ("linear", "bilinear", "trilinear")):
            # PyTorch's separable kernels leave a dim of unchanged size as it is, whatever the
            # scale factor (1.122 on a size of 4 keeps 4); its bicubic one and nearest do not
            taps.append(None)
        elif mode in ("nearest", "nearest-exact"):
            taps.append(_nearest_taps(n, o, sf, mode == "nearest-exact", dim == 2))
        elif antialias:
            taps.append(_aa_taps(n, o, ac, sf, mode == "bicubic"))
        elif mode == "bicubic":
            taps.append(_cubic_taps(n, o, ac, sf, dt))
        else:
            taps.append(_linear_taps(n, o, ac, sf, dt))
    if mode == "nearest":
        fn = _NEAREST[dim]
    elif mode == "nearest-exact":
        fn = _EXACT[dim]
    elif antialias:
        fn = UpsampleBicubic2DAa if mode == "bicubic" else UpsampleBilinear2DAa
    else:
        fn = {
            "linear": UpsampleLinear1D,
            "bilinear": UpsampleBilinear2D,
            "bicubic": UpsampleBicubic2D,
            "trilinear": UpsampleTrilinear3D,
        }[mode]
    return fn.apply(input, tuple(taps))


def upsample(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """Deprecated alias of interpolate"""
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: interpolate(..., mode='nearest')"""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)"""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# --- pixel and channel shuffles ----------------------------------------------------------------
def _shuffle(x: np.ndarray, r: int) -> np.ndarray:
    *lead, c, h, w = x.shape
    y = x.reshape((*lead, c // (r * r), r, r, h, w))
    n = len(lead)
    y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return np.ascontiguousarray(y).reshape((*lead, c // (r * r), h * r, w * r))


def _unshuffle(x: np.ndarray, r: int) -> np.ndarray:
    *lead, c, h, w = x.shape
    y = x.reshape((*lead, c, h // r, r, w // r, r))
    n = len(lead)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return np.ascontiguousarray(y).reshape((*lead, c * r * r, h // r, w // r))


class PixelShuffle(NumpyFunction):
    """(*, C·r², H, W) -> (*, C, H·r, W·r); dx = pixel_unshuffle(g)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, r: int) -> np.ndarray:
        ctx.r = r
        return _shuffle(x, r)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return PixelUnshuffle.apply(grad, ctx.r), None


class PixelUnshuffle(NumpyFunction):
    """(*, C, H·r, W·r) -> (*, C·r², H, W); dx = pixel_shuffle(g)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, r: int) -> np.ndarray:
        ctx.r = r
        return _unshuffle(x, r)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return PixelShuffle.apply(grad, ctx.r), None


def _check_shuffle_input(input: Tensor, op: str) -> None:
    if input.ndim < 3:
        raise RuntimeError(
            f"{op} expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Move r×r channel blocks into space: (*, C·r², H, W) -> (*, C, H·r, W·r)"""
    _check_shuffle_input(input, "pixel_shuffle")
    r = int(upscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    return PixelShuffle.apply(input, r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Move r×r spatial blocks into channels: (*, C, H·r, W·r) -> (*, C·r², H, W)"""
    _check_shuffle_input(input, "pixel_unshuffle")
    r = int(downscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for axis, name in ((-2, "height"), (-1, "width")):
        if input.shape[axis] % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                f"input.size({axis})={input.shape[axis]} is not divisible by {r}"
            )
    return PixelUnshuffle.apply(input, r)


class ChannelShuffle(NumpyFunction):
    """(N, g·k, *) -> (N, k·g, *): channel i·k+j goes to j·g+i; dx = the shuffle with k groups"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, groups: int) -> np.ndarray:
        n, c = x.shape[:2]
        ctx.back = c // groups
        y = x.reshape(n, groups, c // groups, -1).transpose(0, 2, 1, 3)
        return np.ascontiguousarray(y).reshape(x.shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return ChannelShuffle.apply(grad, ctx.back), None


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave the channels of `groups` groups (ShuffleNet)"""
    if input.ndim <= 2:
        raise RuntimeError(
            "channel_shuffle expects input with > 2 dims, but got input with sizes "
            f"{list(input.shape)}"
        )
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    return ChannelShuffle.apply(input, int(groups))


native_channel_shuffle = channel_shuffle


# --- unfold / fold (im2col / col2im) -----------------------------------------------------------
def _patch_args(
    kernel_size: Any, dilation: Any, padding: Any, stride: Any
) -> tuple[tuple[int, ...], ...]:
    k, d, p, s = (_ntuple(v, 2) for v in (kernel_size, dilation, padding, stride))
    if min(k) <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kernel_height: {k[0]} "
            f"kernel_width: {k[1]}"
        )
    if min(s) <= 0:
        raise RuntimeError(
            f"stride should be greater than zero, but got stride_height: {s[0]} "
            f"stride_width: {s[1]}"
        )
    if min(d) <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilation_height: {d[0]} "
            f"dilation_width: {d[1]}"
        )
    return k, d, p, s


def _patch_positions(
    plane: tuple[int, ...], k: Any, d: Any, p: Any, s: Any
) -> tuple[np.ndarray, tuple[int, ...]]:
    """Plane positions (1, oh, ow, kh·kw) of every patch element; padding is the plane size."""
    tables, outs = [], []
    for n, kk, dd, pp, ss in zip(plane, k, d, p, s, strict=True):
        o = (n + 2 * pp - dd * (kk - 1) - 1) // ss + 1
        t = (np.arange(max(o, 0)) * ss - pp)[:, None] + dd * np.arange(kk)[None, :]
        tables.append(np.where((t >= 0) & (t < n), t, -1))
        outs.append(o)
    if min(outs) < 1:
        return np.zeros(0, np.int64), tuple(outs)
    return _positions(tables, plane), tuple(outs)


class Im2Col(NumpyFunction):
    """(*, C, H, W) -> (*, C·kh·kw, L): every patch as a column; dx = col2im(g)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, pos: np.ndarray) -> np.ndarray:
        lead, plane, x2 = _rows(x, 2)
        ctx.pos, ctx.plane = pos, plane
        xf = np.concatenate([x2, np.zeros((x2.shape[0], 1), x.dtype)], axis=1)
        blocks, kk = math.prod(pos.shape[1:-1]), pos.shape[-1]
        cols = xf[:, pos.reshape(-1)].reshape((*lead, blocks, kk)).swapaxes(-1, -2)  # (*, C, K, L)
        return np.ascontiguousarray(cols).reshape((*lead[:-1], lead[-1] * kk, blocks))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Col2Im.apply(grad, ctx.pos, ctx.plane), None


class Col2Im(NumpyFunction):
    """(*, C·kh·kw, L) -> (*, C, H, W): patch columns summed back into the image; dx = im2col"""

    @staticmethod
    def forward(ctx: Any, cols: np.ndarray, pos: np.ndarray, plane: tuple[int, ...]) -> Any:
        ctx.pos = pos
        kk = pos.shape[-1]
        lead = cols.shape[:-2]
        c = cols.shape[-2] // kk
        g = cols.reshape(-1, c, kk, cols.shape[-1]).swapaxes(-1, -2).reshape(-1, pos.size)
        rows, size = g.shape[0], math.prod(plane)
        flat = (np.arange(rows)[:, None] * (size + 1) + pos.reshape(1, -1)).ravel()
        acc = np.bincount(flat, g.ravel(), minlength=rows * (size + 1))
        return acc.reshape(rows, size + 1)[:, :size].astype(cols.dtype).reshape((*lead, c, *plane))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Im2Col.apply(grad, ctx.pos), None, None


def unfold(
    input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """Extract sliding local blocks: (N, C, H, W) -> (N, C·∏kernel, L)"""
    if input.ndim not in (3, 4) or any(v == 0 for v in input.shape[-3:]):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    k, d, p, s = _patch_args(kernel_size, dilation, padding, stride)
    plane = tuple(input.shape[-2:])
    pos, out = _patch_positions(plane, k, d, p, s)
    if min(out) < 1:
        raise RuntimeError(
            f"Given input with spatial size {plane}, kernel_size={k}, dilation={d}, "
            f"padding={p}, calculated shape of the array of sliding blocks as {out}, but its "
            "components must be at least one."
        )
    return Im2Col.apply(input, pos)


def fold(
    input: Tensor,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Tensor:
    """Sum sliding local blocks into an image: (N, C·∏kernel, L) -> (N, C, *output_size)"""
    if input.ndim not in (2, 3) or any(v == 0 for v in input.shape[-2:]):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    k, d, p, s = _patch_args(kernel_size, dilation, padding, stride)
    plane = _ntuple(output_size, 2)
    if input.shape[-2] % (k[0] * k[1]):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={input.shape[-2]} and kernel_size={k}."
        )
    pos, out = _patch_positions(plane, k, d, p, s)
    if min(out) < 1 or out[0] * out[1] != input.shape[-1]:
        raise RuntimeError(
            f"Given output_size={plane}, kernel_size={k}, dilation={d}, padding={p}, "
            f"stride={s}, expected size of input's dimension 2 to match the calculated number "
            f"of sliding blocks {out[0]} * {out[1]} = {out[0] * out[1]}, but got "
            f"input.size(2)={input.shape[-1]}."
        )
    return Col2Im.apply(input, pos, plane)


# --- affine_grid / grid_sample -----------------------------------------------------------------
def _base_grid(size: Sequence[int], align_corners: bool, dt: Any) -> np.ndarray:
    """PyTorch's base grid (∏spatial, nd+1): rows (x, y[, z], 1), x along the last dim fastest"""
    axes = []
    for n in size:
        v = np.linspace(-1.0, 1.0, n) if n > 1 else np.zeros(1)
        axes.append(v if align_corners or n <= 1 else v * (n - 1) / n)
    mesh = np.meshgrid(*axes, indexing="ij")  # (D,) H, W
    cols = [m.reshape(-1) for m in reversed(mesh)] + [np.ones(math.prod(size))]
    return np.stack(cols, axis=1).astype(dt)


class AffineGridGenerator(NumpyFunction):
    """grid = base · θᵀ for each batch item; dθ = gᵀ · base"""

    @staticmethod
    def forward(ctx: Any, theta: np.ndarray, size: tuple[int, ...], align: bool) -> np.ndarray:
        base = _base_grid(size[2:], align, theta.dtype)
        ctx.base, ctx.shape = base, theta.shape
        grid = np.matmul(base[None], theta.transpose(0, 2, 1))
        return grid.reshape(size[0], *size[2:], len(size) - 2)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        n, rows, _cols = ctx.shape
        g = grad.reshape(n, math.prod(grad.shape[1:-1]), rows)
        return g.mT @ Tensor._make(ctx.base), None, None


def affine_grid(theta: Tensor, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of a batch of affine maps θ (N, 2, 3) or (N, 3, 4), for grid_sample"""
    if align_corners is None:
        warnings.warn(
            "Default grid_sample and affine_grid behavior has changed to align_corners=False "
            "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
            "See the documentation of grid_sample for details.",
            stacklevel=2,
        )
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    given, size = size, tuple(int(v) for v in size)  # PyTorch's messages print size as given
    if len(size) in (4, 5):
        nd = len(size) - 2
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (nd, nd + 1):
            raise ValueError(
                f"Expected a batch of {nd}D affine matrices of shape Nx{nd}x{nd + 1} for size "
                f"{given}. Got {theta.shape}."
            )
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {given}."
        )
    if align_corners and min(size[2:]) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {given}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, "
            f"{nd + 1}] but got: [{theta.shape[0]}, {nd + 1}]."
        )
    return AffineGridGenerator.apply(theta, size, bool(align_corners))


def affine_grid_generator(theta: Tensor, size: Any, align_corners: bool) -> Tensor:
    """``torch.affine_grid_generator``: affine_grid without its argument checks"""
    return AffineGridGenerator.apply(theta, tuple(int(v) for v in size), bool(align_corners))


def _clip(c: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's clip_coordinates and its derivative (0 at and beyond the ends)"""
    lim = size - 1
    return np.minimum(lim, np.maximum(c, 0)), ((c > 0) & (c < lim)).astype(c.dtype)


def _reflect(c: np.ndarray, twice_lo: int, twice_hi: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's reflect_coordinates and its derivative (±1)"""
    if twice_lo == twice_hi:
        return np.zeros_like(c), np.zeros_like(c)
    lo, span = c.dtype.type(twice_lo / 2), c.dtype.type((twice_hi - twice_lo) / 2)
    d = c - lo
    sign = np.where(d < 0, -1, 1).astype(c.dtype)
    d = np.abs(d)
    extra, even = np.fmod(d, span), np.floor(d / span) % 2 == 0
    return np.where(even, extra + lo, span - extra + lo), np.where(even, sign, -sign)


def _pad_coordinates(
    c: np.ndarray, size: int, padding_mode: str, align: bool
) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's compute_coordinates: border clips, reflection reflects then clips"""
    one = np.ones_like(c)
    if padding_mode == "border":
        return _clip(c, size)
    if padding_mode == "reflection":
        c, m = _reflect(c, 0, 2 * (size - 1)) if align else _reflect(c, -1, 2 * size - 1)
        c, k = _clip(c, size)
        return c, m * k
    return c, one


def _cubic_list(t: Any, a: float = -0.75) -> list[Any]:
    """Keys' cubic weights of the 4 taps around t ∈ [0, 1) past the 2nd (numpy or Tensor t)"""

    def near(x: Any) -> Any:
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: Any) -> Any:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far((1 - t) + 1)]


def _cubic_slopes(t: Any, a: float = -0.75) -> list[Any]:
    """d/dt of _cubic_list"""

    def near(x: Any) -> Any:
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def far(x: Any) -> Any:
        return (3 * a * x - 10 * a) * x + 8 * a

    return [far(t + 1), near(t), -near(1 - t), -far((1 - t) + 1)]


class _Axis:
    """One spatial axis of a grid_sample: where each tap reads and how the coordinate moves."""

    def __init__(self, c: np.ndarray, size: int, mode: str, padding_mode: str, align: bool) -> None:
        u = ((c + 1) / 2) * (size - 1) if align else ((c + 1) * size - 1) / 2
        scale = c.dtype.type((size - 1) / 2 if align else size / 2)
        if mode == "bicubic":  # the taps are padded, not the coordinate
            self.floor = np.floor(u)
            taps = [self.floor + (j - 1) for j in range(4)]
            self.index = [_pad_coordinates(p, size, padding_mode, align)[0] for p in taps]
            self.index = [np.trunc(p).astype(np.int64) for p in self.index]
            self.mult = np.broadcast_to(scale, c.shape)
        else:
            u, m = _pad_coordinates(u, size, padding_mode, align)
            self.mult = m * scale
            if mode == "nearest":
                self.index = [np.rint(u).astype(np.int64)]
            else:
                self.floor = np.floor(u)
                self.index = [self.floor.astype(np.int64), self.floor.astype(np.int64) + 1]
        self.u, self.c, self.size, self.mode = u, c, size, mode
        self.valid = [(i >= 0) & (i < size) for i in self.index]

    def factors(self, u: Any) -> list[Any]:
        """The taps' weights for coordinate u (numpy, or a Tensor for the backward)"""
        if self.mode == "nearest":
            return [1.0]
        if self.mode == "bilinear":
            return [(self.floor + 1) - u, u - self.floor]
        return _cubic_list(u - self.floor)

    def slopes(self, u: Any) -> list[Any]:
        if self.mode == "bilinear":
            return [-1.0, 1.0]
        return _cubic_slopes(u - self.floor)


def _corners(axes: list[_Axis]) -> list[tuple[int, ...]]:
    """Tap combinations in PyTorch's order: x (the last dim) fastest"""
    combos = itertools.product(*(range(len(a.index)) for a in reversed(axes)))
    return [tuple(reversed(c)) for c in combos]


def _grid_taps(axes: list[_Axis], plane: tuple[int, ...]) -> list[tuple[Any, ...]]:
    """(corner, flat index (N, P), valid (N, P)) per tap combination; axes in x, y, z order"""
    nd = len(axes)
    out = []
    for corner in _corners(axes):
        flat: Any = 0
        valid: Any = True
        for a, j in enumerate(corner):
            ax = axes[a]
            dim = nd - 1 - a  # x is the last spatial dim
            flat = flat + np.clip(ax.index[j], 0, ax.size - 1) * math.prod(plane[dim + 1 :])
            valid = valid & ax.valid[j]
        n = flat.shape[0]
        points = math.prod(flat.shape[1:])
        out.append((corner, flat.reshape(n, points), np.asarray(valid).reshape(n, points)))
    return out


class GridSampler(NumpyFunction):
    """y[n, c, p] = Σ taps w(grid[n, p]) · x[n, c, tap]; dx scatters g·w, dgrid = Σ g·x·w'"""

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, grid: np.ndarray, mode: str, padding_mode: str, align: bool
    ) -> np.ndarray:
        nd = grid.shape[-1]
        plane = x.shape[2:]
        axes = [
            _Axis(grid[..., a], plane[nd - 1 - a], mode, padding_mode, align) for a in range(nd)
        ]
        taps = _grid_taps(axes, plane)
        n, c = x.shape[:2]
        points = math.prod(grid.shape[1:-1])
        x2 = x.reshape(n, c, math.prod(plane))
        y = np.zeros((n, c, taps[0][1].shape[1]), x.dtype)
        factors = [ax.factors(ax.u) for ax in axes]
        for corner, flat, valid in taps:
            w: Any = np.ones(grid.shape[:-1], x.dtype)
            for a, j in enumerate(corner):
                w = w * factors[a][j]
            vals = np.take_along_axis(x2, flat[:, None, :], axis=2)
            w = w.reshape(n, 1, points)
            y += np.where(valid[:, None, :], vals * w, 0).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, grid)
        ctx.axes, ctx.taps = axes, taps
        return y.reshape(n, c, *grid.shape[1:-1])

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, grid = ctx.saved_tensors
        axes, taps = ctx.axes, ctx.taps
        n, c = x.shape[:2]
        points = math.prod(grid.shape[1:-1])
        g = grad.reshape(n, c, points)
        # each coordinate as a differentiable function of the grid: u = mult·grid + const
        us = [
            grid[..., a] * Tensor._make(ax.mult) + Tensor._make(ax.u - ax.mult * ax.c)
            for a, ax in enumerate(axes)
        ]
        factors = [ax.factors(u) for ax, u in zip(axes, us, strict=True)]
        need_x, need_grid = ctx.needs_input_grad[:2]
        gx: Any = None
        ggrid: list[Any] = [0.0] * len(axes)
        x2 = x.reshape(n, c, math.prod(x.shape[2:]))
        for corner, flat, valid in taps:
            mask = Tensor._make(valid.reshape(n, 1, points).astype(x2._data.dtype))
            index = Tensor._make(np.ascontiguousarray(np.broadcast_to(flat[:, None, :], g.shape)))
            if need_x:
                w: Any = 1.0
                for a, j in enumerate(corner):
                    w = w * factors[a][j]
                contrib = g * (w.reshape(n, 1, points) if isinstance(w, Tensor) else w) * mask
                gx = (x2 * 0 if gx is None else gx).scatter_add(2, index, contrib)
            if need_grid and ctx.axes[0].mode != "nearest":
                gv = (g * x2.gather(2, index) * mask).sum(1)  # (N, P)
                for a in range(len(axes)):
                    d: Any = axes[a].slopes(us[a])[corner[a]]
                    for b, j in enumerate(corner):
                        if b != a:
                            d = d * factors[b][j]
                    ggrid[a] = ggrid[a] + gv * d.reshape(n, points)
        dx = gx.reshape(x.shape) if gx is not None else None
        dgrid = None
        if need_grid:
            if ctx.axes[0].mode == "nearest":
                dgrid = grid * 0
            else:
                parts = [
                    (gg * Tensor._make(ax.mult.reshape(n, points))).reshape(grid.shape[:-1])
                    for gg, ax in zip(ggrid, axes, strict=True)
                ]
                dgrid = stack(parts, -1)
        return dx, dgrid, None, None, None


class GridSampler2D(GridSampler):
    forward_ad_refusal = _errors.no_forward_ad_yet("grid_sampler_2d")


class GridSampler3D(GridSampler):
    forward_ad_refusal = _errors.no_forward_ad_yet("grid_sampler_3d")


_MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
_PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}


def grid_sampler(
    input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int, align_corners: bool
) -> Tensor:
    """``torch.grid_sampler``: grid_sample with the modes as PyTorch's enum numbers"""
    nd = input.ndim - 2
    if grid.shape[-1] != nd:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {nd} in last dimension, but got grid "
            f"with sizes {list(grid.shape)}"
        )
    want = 4 if input.ndim == 4 else 5
    if input.ndim != want or grid.ndim != want:
        raise RuntimeError(
            f"grid_sampler(): expected {want}D input and grid with same number of dimensions, "
            f"but got input with sizes {list(input.shape)} and grid with sizes "
            f"{list(grid.shape)}"
        )
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if input.dtype != grid.dtype:
        names = {"float32": "Float", "float64": "Double", "float16": "Half"}
        raise RuntimeError(
            f"expected scalar type {names.get(input.dtype.name, input.dtype.name)} but found "
            f"{names.get(grid.dtype.name, grid.dtype.name)}"
        )
    mode = {v: k for k, v in _MODES.items()}[interpolation_mode]
    if mode == "bicubic" and nd == 3:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    padding = {v: k for k, v in _PADDINGS.items()}[padding_mode]
    fn = GridSampler2D if nd == 2 else GridSampler3D
    return fn.apply(input, grid, mode, padding, bool(align_corners))


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Sample input at the grid's normalised [-1, 1] locations (bilinear, nearest, bicubic)"""
    if mode not in _MODES:
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in _PADDINGS:
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(
            "Default grid_sample and affine_grid behavior has changed to align_corners=False "
            "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
            "See the documentation of grid_sample for details.",
            stacklevel=2,
        )
        align_corners = False
    return grid_sampler(input, grid, _MODES[mode], _PADDINGS[padding_mode], align_corners)
