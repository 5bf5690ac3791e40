"""numpy kernels where numpy's own call is slow for the shapes of training loops.

Reductions over many short rows: numpy reduces a short last axis (softmax over 32 keys, layer
norm over 64 features) one row at a time, about 100 ns per row: several times slower than the
arithmetic itself. Many short rows
go faster as one matrix-vector product with ones (a sum), or as a reduction over the rows of
the transposed copy (a max, exact in any order). Every sum and mean of ndgrad goes through
``sum_np``, so an op's tensor formula and its numpy twin (``backward_np``) round alike.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

_extobj_contextvar: Any = None
try:  # numpy 2: np.errstate sets this context variable; setting it directly costs 0.1 us, not 1
    from numpy._core import umath as _umath

    _extobj_contextvar = _umath._extobj_contextvar
    _IGNORE_ALL = _umath._make_extobj(all="ignore")
except (ImportError, AttributeError):  # pragma: no cover - another numpy: np.errstate
    _extobj_contextvar = None


_ONE_0D: dict[np.dtype, np.ndarray] = {}


def one(dtype: np.dtype) -> np.ndarray:
    """A read-only 0-d array holding 1 in ``dtype``: ``one(y.dtype) - y`` computes ``1 - y`` in
    y's dtype as the Python number would, without numpy converting the number on every call
    (on a small array that conversion is half of the call's time)."""
    value = _ONE_0D.get(dtype)
    if value is None:
        value = np.ones((), dtype)
        value.flags.writeable = False
        _ONE_0D[dtype] = value
    return value


def errors_off() -> Any:
    """Silence numpy's floating-point warnings until ``errors_restore(token)``: the two halves
    of ``np.errstate(all="ignore")``, for a region that has its own ``try``/``finally``."""
    if _extobj_contextvar is None:  # pragma: no cover
        state = np.errstate(all="ignore")
        state.__enter__()
        return state
    return _extobj_contextvar.set(_IGNORE_ALL)


def errors_restore(token: Any) -> None:
    if _extobj_contextvar is None:  # pragma: no cover
        token.__exit__(None, None, None)
    else:
        _extobj_contextvar.reset(token)


def quiet(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` under ``np.errstate(all="ignore")``: inf and nan without numpy's warnings,
    as PyTorch gives them. For the per-op hot paths, where ``np.errstate`` (about 1 us) would
    cost more than the arithmetic of a small tensor."""
    token = errors_off()
    try:
        return fn(*args)
    finally:
        errors_restore(token)


_UFUNC_OF: dict[Callable[[float], float], np.ufunc] = {
    math.log: np.log,
    math.log1p: np.log1p,
    math.exp: np.exp,
    math.tan: np.tan,
    math.cos: np.cos,
    math.sin: np.sin,
    math.acos: np.arccos,
}
_LIBM_UFUNC: dict[Callable[[float], float], np.ufunc | None] = {}


def _probe_values(fn: Callable[[float], float]) -> tuple[np.ndarray, np.ndarray]:
    """Fixed values of many scales in ``fn``'s domain, and ``fn`` of each (the C library's)."""
    u = np.random.default_rng(20261207).random(512) - 0.5
    xs, ys = [], []
    for v in np.concatenate([u * 2.0**k for k in range(-4, 11)] + [u + 0.5, -u - 0.5]).tolist():
        try:
            ys.append(fn(v))
        except (ValueError, OverflowError):  # outside the domain: the caller never passes it
            continue
        xs.append(v)
    return np.array(xs), np.array(ys)


def _libm_ufunc(fn: Callable[[float], float]) -> np.ufunc | None:
    """numpy's ufunc for ``fn`` if, run over an array walked backwards, it gives the C
    library's values, else None (checked once per function).

    numpy's SIMD loops for log, log1p, exp, tan and acos (which round differently from the
    C library in the last bit) take only positive strides; on a negative stride numpy runs its
    generic loop, which calls the C library once per element: about 20 times faster than
    ``math``'s function mapped over a list. That is numpy's choice, not a promise, so the
    values of both ways are compared on probe values of many scales first."""
    if fn not in _LIBM_UFUNC:
        ufunc = _UFUNC_OF.get(fn)
        if ufunc is not None:
            x, want = _probe_values(fn)
            got = _backwards(ufunc, x)
            if not np.array_equal(got, want, equal_nan=True):
                ufunc = None
        _LIBM_UFUNC[fn] = ufunc
    return _LIBM_UFUNC[fn]


def _backwards(ufunc: np.ufunc, x: np.ndarray) -> np.ndarray:
    """``ufunc(x)`` for a 1-d float64 ``x``, computed from the last element to the first, as a
    new C-contiguous array in ``x``'s order. The input walked backwards is a reversed copy of
    ``x``, so that the output comes in order with positive strides (a tensor made of it must
    not have negative ones); only the input has a negative stride: where every operand has
    one, numpy's iterator turns them all around first."""
    reversed_copy = x[::-1].copy()
    token = errors_off()  # inf and nan as the C library gives them, without numpy's warnings
    try:
        return ufunc(reversed_copy[::-1])
    finally:
        errors_restore(token)


def libm(fn: Callable[[float], float], x: Any) -> np.ndarray:
    """``fn`` (a ``math`` function: the C library's, as PyTorch's scalar kernels call it) on
    each element of ``x``, as float64. numpy's own SIMD exp/log/log1p/tan round differently in
    the last bit; ``_libm_ufunc`` finds the way to have numpy call the C library instead.
    Otherwise (another numpy, a function not in its table) ``fn`` is mapped over a list into
    ``fromiter`` (about 70% of ``frompyfunc`` plus its object array)."""
    flat = np.ravel(x).astype(np.float64, copy=False)
    ufunc = _libm_ufunc(fn)
    if ufunc is not None:
        out = _backwards(ufunc, flat)
    else:
        out = np.fromiter(map(fn, flat.tolist()), dtype=np.float64, count=flat.size)
    return out.reshape(np.shape(x))


def veltkamp_split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float64 ``a`` as ``hi + lo`` exactly, each half of 26 significant bits (Veltkamp's
    split), so that products of halves are exact: the building block of exact products
    without a fused multiply-add. For |a| < 1e300 (``a * (2**27 + 1)`` must not overflow)."""
    t = a * 134217729.0  # 2**27 + 1
    hi = t - (t - a)
    return hi, a - hi


def fma_np(a: Any, b: Any, c: Any) -> np.ndarray:
    """``a * b + c`` rounded once, as the fused multiply-add PyTorch's compiled kernels emit
    (numpy has none), in ``a``'s dtype (a Python number counts as float64).

    float32 and float16: in float64, which holds their product exactly. float64: the exact
    product as a sum of two doubles (Dekker's product of Veltkamp halves), added to ``c`` with
    its rounding error (Knuth's two-sum). Where that overflows or meets inf or nan, the plain
    ``a * b + c``."""
    a = np.asarray(a)
    if a.dtype.kind != "f":
        a = a.astype(np.float64)
    if a.dtype != np.float64:
        t = np.multiply(a, b, dtype=np.float64)
        t = np.add(t, c, out=t if np.shape(c) == () or np.shape(c) == t.shape else None)
        return t.astype(a.dtype)
    b, c = np.asarray(b, dtype=np.float64), np.asarray(c, dtype=np.float64)
    if b.ndim == 0 and c.ndim == 0 and (b, c) == (1, 0):
        return a + 0.0  # exact (and -0 becomes +0, as in the fused operation)
    token = errors_off()
    try:
        p = a * b
        (ah, al), (bh, bl) = veltkamp_split(a), veltkamp_split(b)
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
        s = p + c
        v = s - p
        err = (p - (s - v)) + (c - v)
        out = s + (err + e)
        return np.where(np.isfinite(out), out, p + c)
    finally:
        errors_restore(token)


_ROW_MAX_LEN = 1024  # longer rows: numpy's own loop is fast (and its pairwise summation kept)
_ROW_MIN_ROWS = 16
_ONES: dict[tuple[int, np.dtype], np.ndarray] = {}


def _short_rows(x: np.ndarray, axes: tuple[int, ...] | int | None) -> bool:
    """True when ``axes`` is the last axis of a C-contiguous float32/float64 array whose rows
    are short and many."""
    if axes is None or x.ndim < 2 or x.dtype.kind != "f" or x.dtype.itemsize < 4:
        return False
    last = x.ndim - 1
    if axes != last and axes != (last,) and axes != -1 and axes != (-1,):
        return False
    n = x.shape[-1]
    return 0 < n <= _ROW_MAX_LEN and x.size >= _ROW_MIN_ROWS * n and x.flags.c_contiguous


def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A vector of ``n`` ones, kept for the lengths of rows and columns up to 4096."""
    ones = _ONES.get((n, dtype))
    if ones is None:
        ones = np.ones(n, dtype)
        if n <= 4096:
            _ONES[(n, dtype)] = ones
    return ones


def _leading_rows(x: np.ndarray, axes: tuple[int, ...] | int | None) -> int:
    """The number of rows summed when ``axes`` are the leading axes of a C-contiguous
    float32/float64 array of at least 4096 values, with at least 8 kept per row (a column sum:
    a bias's or a norm's weight gradient), else 0."""
    if axes is None or x.size < 4096 or x.dtype.kind != "f" or x.dtype.itemsize < 4:
        return 0  # (below 4096 values numpy's own loop is as fast)
    k = 1 if type(axes) is int else len(axes)  # type: ignore[arg-type]
    if not 0 < k < x.ndim or not x.flags.c_contiguous:
        return 0
    ndim = x.ndim
    lead = [axes % ndim] if type(axes) is int else sorted(a % ndim for a in axes)  # type: ignore
    if lead != list(range(k)):
        return 0
    rows = math.prod(x.shape[:k])
    return rows if rows > 1 and x.size >= 8 * rows else 0


def _second_on_tie(ufunc: np.ufunc, dt: np.dtype) -> bool:
    """Whether numpy's ``ufunc`` (maximum or minimum) returns its second operand where the two
    compare equal (-0.0 and 0.0) in dtype ``dt``: its SIMD loops for float32 and float64 do,
    its float16 loop returns the first (numpy 2.4; probed, not assumed)."""
    a = np.full(17, -0.0, dt)
    return not np.signbit(ufunc(a, np.zeros(17, dt))).any()


_TIES: dict[tuple[Any, np.dtype], bool] = {
    (u, np.dtype(d)): _second_on_tie(u, np.dtype(d))
    for u in (np.maximum, np.minimum)
    for d in (np.float16, np.float32, np.float64)
}


def keep_first(ufunc: np.ufunc, a: Any, b: Any, dt: np.dtype) -> np.ndarray:
    """``ufunc(a, b)`` (maximum or minimum, computed in float dtype ``dt``) giving ``a`` where
    the two are equal, as PyTorch's max/min kernels and clamp do: relu(-0.0) is -0.0."""
    return ufunc(b, a) if _TIES.get((ufunc, dt), False) else ufunc(a, b)


def sum_np(x: np.ndarray, axes: tuple[int, ...] | int | None, keepdims: bool) -> Any:
    """``x.sum(axes)`` as ndgrad computes it (integers and bools summed as int64, as PyTorch).

    Over many short last-axis rows, or over leading axes, a float sum is a matrix-vector
    product with ones: numpy reduces a short inner axis one row at a time (~100 ns a row), and
    its column sums of a (512, 64) float32 array take 11 us where the product takes 2.5. The
    additions run in the same order as numpy's column sums (one row after another)."""
    if _short_rows(x, axes):
        total = np.matmul(x, _ones(x.shape[-1], x.dtype))
        return total[..., None] if keepdims else total
    rows = _leading_rows(x, axes)
    if rows:
        k = 1 if type(axes) is int else len(axes)  # type: ignore[arg-type]
        kept = x.shape[k:]
        total = np.matmul(_ones(rows, x.dtype), x.reshape(rows, -1)).reshape(kept)
        return total.reshape((1,) * k + kept) if keepdims else total
    if x.dtype.char == "e":
        # float16 accumulates in float32, rounded once, as PyTorch's kernels do: numpy sums
        # along an axis that is not the innermost in float16 itself, rounding every partial
        # sum (the sum of 5,000 values in [0, 1) down one axis came out 20% short).
        return x.sum(axis=axes, dtype=np.float32, keepdims=keepdims).astype(np.float16)
    return x.sum(axis=axes, dtype=np.int64 if x.dtype.kind in "iub" else None, keepdims=keepdims)


def max_np(x: np.ndarray, axis: int, keepdims: bool) -> Any:
    """``x.max(axis)``, -inf over an empty axis."""
    if _short_rows(x, axis):
        n = x.shape[-1]
        m = np.ascontiguousarray(x.reshape(-1, n).T).max(axis=0).reshape(x.shape[:-1])
        return m[..., None] if keepdims else m
    return x.max(axis=axis, keepdims=keepdims, initial=-np.inf)


def power_np(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a ** b`` elementwise; for integers as PyTorch computes them: a negative exponent gives 1
    for a base of 1, -1 or 1 (by the exponent's parity) for -1, and 0 for any other base, where
    numpy refuses the whole call."""
    if b.dtype.kind in "iu" and a.dtype.kind in "iub" and (b < 0).any():
        negative = b < 0
        y = np.power(a, np.where(negative, 0, b))
        odd = (b % 2) != 0
        small = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0))
        return np.where(negative, small, y).astype(y.dtype, copy=False)
    return np.power(a, b)


def matmul_np(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.matmul(a, b)``; a C-contiguous stack times one matrix runs as one 2-d product.

    numpy multiplies a (16, 32, 64) stack by a (64, 192) matrix as 16 small products; folded
    into one (512, 64) @ (64, 192) product it runs 1.7x faster (measured, 1 BLAS thread).
    """
    if a.ndim > 2 and b.ndim == 2 and a.flags.c_contiguous:
        out = np.matmul(a.reshape(-1, a.shape[-1]), b)
        return out.reshape((*a.shape[:-1], b.shape[-1]))
    return np.matmul(a, b)


def expand_np(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``np.broadcast_to(a, shape)``, a read-only view, built from strides directly when ``a``
    is C-contiguous with ``shape``'s number of dims (numpy's function spends about 3 us on
    argument handling: more than the backward of a small reduction itself)."""
    if a.ndim == len(shape) and a.size and a.flags.c_contiguous:
        strides = []
        for n, m, step in zip(a.shape, shape, a.strides, strict=True):
            if n == m:
                strides.append(step)
            elif n == 1:
                strides.append(0)
            else:
                break
        else:
            view = np.ndarray(shape, a.dtype, a, 0, tuple(strides))
            view.flags.writeable = False
            return view
    return np.broadcast_to(a, shape)


def add_rows_at(num: int, idx: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``out`` of ``num`` rows with ``np.add.at(out, idx, rows)`` done: row i is the sum of the
    rows whose index is i (embedding's backward).

    ``np.add.at`` adds one element at a time (about 0.3 ms for 512 rows of 64); one
    ``np.bincount`` over (row index, column) pairs does the same additions in the same order
    about 5x faster. It accumulates in float64: bit-identical to ``np.add.at`` for float64
    rows, and for float32 rows a sum rounded once instead of after every addition.
    """
    width = rows.shape[-1]
    if rows.dtype.kind != "f" or rows.dtype.itemsize > 8:
        out = np.zeros((num, width), rows.dtype)
        np.add.at(out, idx, rows)
        return out
    cells = (idx.reshape(-1, 1) * width + np.arange(width)).reshape(-1)
    sums = np.bincount(cells, weights=rows.reshape(-1), minlength=num * width)
    return sums.reshape(num, width).astype(rows.dtype, copy=False)


_SAME_SIZE_INT: dict[int, np.dtype[Any]] = {
    2: np.dtype(np.int16),
    4: np.dtype(np.int32),
    8: np.dtype(np.int64),
}


def pass_where(g: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``np.where(keep, g, 0)`` for a float ``g`` and a bool ``keep`` of its shape: the gradient
    of a masked op as PyTorch's kernels give it (threshold_backward, hardtanh_backward...): +0
    where not kept, even where ``g`` is negative (``g * mask`` would print ``-0.``), infinite
    or NaN (``g * mask`` would give NaN).

    Done on the bits: ``g``'s words ANDed with all ones where kept, all zeros elsewhere (+0).
    As fast as multiplying by a float mask; ``np.where`` took 3x longer on a (128, 256) float32
    gradient and 10x longer on a (16, 32, 256) one (measured, numpy 2.4)."""
    g, keep = np.asarray(g), np.asarray(keep)
    it = _SAME_SIZE_INT.get(g.dtype.itemsize)
    if it is None or g.dtype.kind != "f" or g.ndim == 0 or keep.shape != g.shape:
        return np.where(keep, g, g.dtype.type(0))
    bits = keep.astype(it)  # 1 where kept
    np.negative(bits, out=bits)  # all ones where kept
    np.bitwise_and(g.view(it), bits, out=bits)
    return bits.view(g.dtype)


def broadcast_dims(gshape: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The dims of ``gshape`` along which ``shape`` was broadcast to it: the leading ones it
    lacks and those where it has size 1 (what ``sum_to`` and ``sum_to_np`` sum over)."""
    lead = len(gshape) - len(shape)
    return tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1
    )


def sum_to_np(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``ops.shape.sum_to`` on an array: sum over the dims along which ``shape`` was broadcast."""
    gshape = grad.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    dims = broadcast_dims(gshape, shape)
    if dims:
        grad = np.asarray(sum_np(grad, dims, True))
    if lead:
        grad = grad.reshape(shape)
    return grad
