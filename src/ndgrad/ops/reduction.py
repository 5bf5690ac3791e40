"""Reductions: sum, mean, prod, max/min, amax/amin, argmax/argmin, var/std, logsumexp, norm,
cumsum/cumprod, all/any, count_nonzero, median, sort, argsort, topk.

``dim`` is an int, a tuple of ints or None (all dims) where PyTorch accepts a tuple, with
``keepdim``. Ops that pick elements (max/min/median with a dim, sort, topk) return a
``(values, indices)`` pair that prints as PyTorch's ``torch.return_types`` do. Conventions at
non-differentiable points (ties, zeros) follow PyTorch; see docs/conventions_reductions.md.
"""

from __future__ import annotations

import builtins
import functools
import math
import sys
import types
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _cxx_sort, _errors
from .._kernels import errors_off, errors_restore, expand_np, max_np, sum_np
from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd.grad_mode import _state
from . import pointwise
from ._util import (
    default_float,
    dtype_name,
    normalize_dims,
    reduced_shape,
    wrap_dim,
)
from .arithmetic import (
    DivScalar,
    MulScalar,
    NumpyFunction,
    _copy_like_torch,
    div_scalar_np,
    to_dtype_op,
    where,
)
from .indexing import scatter_add
from .shape import broadcast_tensors

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "all",
    "amax",
    "amin",
    "aminmax",
    "any",
    "argmax",
    "argmin",
    "argsort",
    "count_nonzero",
    "cummax",
    "cummin",
    "cumprod",
    "cumsum",
    "kthvalue",
    "log_softmax",
    "logcumsumexp",
    "logsumexp",
    "max",
    "mean",
    "median",
    "min",
    "mode",
    "msort",
    "nanmean",
    "nanmedian",
    "nanquantile",
    "nansum",
    "prod",
    "quantile",
    "return_types",
    "softmax",
    "sort",
    "std",
    "std_mean",
    "sum",
    "topk",
    "var",
    "var_mean",
]
__dir__ = public_dir(__name__)


# --- (values, indices) results --------------------------------------------------------------------
class _ValuesIndices(tuple):
    """A (values, indices) pair with field names, printed as PyTorch prints its return types."""

    __slots__ = ()
    n_fields = 2
    n_sequence_fields = 2
    n_unnamed_fields = 0

    def __new__(cls, sequence: Any) -> _ValuesIndices:
        items = tuple(sequence)
        if len(items) != 2:
            raise TypeError(
                f"torch.return_types.{cls.__name__}() takes a 2-sequence "
                f"({len(items)}-sequence given)"
            )
        return super().__new__(cls, items)

    @property
    def values(self) -> Any:
        return self[0]

    @property
    def indices(self) -> Any:
        return self[1]

    def __repr__(self) -> str:
        return (
            f"torch.return_types.{type(self).__name__}(\nvalues={self[0]!r},\nindices={self[1]!r})"
        )

    def __reduce__(self) -> Any:
        return (type(self), (tuple(self),))


# `ndgrad.return_types.max` and friends, as `torch.return_types`.
return_types = types.ModuleType("ndgrad.return_types", "(values, indices) result types.")
for _name in (
    "max",
    "min",
    "median",
    "sort",
    "topk",
    "cummax",
    "cummin",
    "kthvalue",
    "mode",
    "nanmedian",
):
    setattr(
        return_types,
        _name,
        type(_name, (_ValuesIndices,), {"__slots__": (), "__module__": "ndgrad.return_types"}),
    )
sys.modules["ndgrad.return_types"] = return_types


def _pair(kind: str, out: tuple[Tensor, Tensor]) -> Any:
    return getattr(return_types, kind)(out)


# --- argument checks ------------------------------------------------------------------------------
def _axes(input: Tensor, dim: Any) -> tuple[int, ...] | None:
    """``dim`` as sorted axes; None, and ``()`` on a tensor with dims, mean every axis."""
    ndim = input._data.ndim
    axes = normalize_dims(dim, ndim)
    if axes is None or ndim == 0:  # a 0-d tensor accepts dim 0 and -1, and reduces nothing
        return axes and ()
    return axes or None  # PyTorch: dim=() reduces all dims


def _int_dim(dim: Any, ndim: int, op: str) -> int:
    """A single dim for the ops that take no tuple; 0-d tensors accept 0 and -1."""
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    axes = normalize_dims(int(dim), ndim)
    return axes[0] if axes else 0


def _check_nonempty(
    input: Tensor, axes: tuple[int, ...] | None, op: str, error: type, prefix: str | None = None
) -> None:
    """max/min/amax/amin/argmax/argmin have no identity: refuse to reduce an empty dim (named
    wrapped: the ops that take one dim report it so; ``prefix`` replaces ``op + "()"``)."""
    shape = input._data.shape
    if axes is None:
        if input._data.size == 0:
            extra = (
                ""
                if error is IndexError
                else (" Specify the reduction dim with the 'dim' argument.")
            )
            raise error(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0.{extra}"
            )
        return
    for a in axes:
        if shape and shape[a] == 0:
            where = f"{op}()" if prefix is None else prefix
            raise IndexError(f"{where}: Expected reduction dim {a} to have non-zero size.")


def _nonempty_axes(input: Tensor, dim: Any, op: str) -> tuple[int, ...] | None:
    """amax/amin's dims: each is wrapped and checked for size 0 in the order given, the error
    naming it as given (-1, not 1), before duplicates are looked for (as PyTorch)."""
    ndim = input._data.ndim
    shape = input._data.shape
    given = dim if isinstance(dim, tuple | list) else (dim,)
    for d in given:
        if ndim and isinstance(d, int | np.integer) and not isinstance(d, bool):
            axes = normalize_dims(int(d), ndim)
            if axes and shape[axes[0]] == 0:
                raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    axes = _axes(input, dim)
    _check_nonempty(input, axes, op, RuntimeError)
    return axes


def _output_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None, keepdim: bool) -> Any:
    if keepdim:
        return reduced_shape(shape, axes)
    if axes is None:
        return ()
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def _expand_grad(grad: Tensor, ctx: Any) -> Tensor:
    """Spread a reduced gradient back over the input's shape (the backward of every reduction)."""
    return grad.reshape(ctx.kept_shape).expand((*ctx.in_shape,))


def _sum_backward(grad: Tensor, ctx: Any) -> Tensor:
    """sum's and mean's backward as PyTorch's sum_backward builds it: the reduced dims put back
    by unsqueeze (none for a full reduction or keepdim), then expand; so that a graph through
    it differentiates back as PyTorch's does (SumBackward0 for a full reduction, SqueezeBackward1
    per dropped dim, SumBackward1 under keepdim)."""
    return unsqueeze_reduced(grad, ctx.axes, ctx.kept_shape).expand((*ctx.in_shape,))


def _kept(t: Tensor, ctx: Any) -> Tensor:
    """A saved reduction output shaped to broadcast against the input, as PyTorch's backward
    formulas unsqueeze it: the tensor itself where no dim was dropped (keepdim) or all were (it
    broadcasts as it is), so that an error about it names the op that made it, not a view."""
    return unsqueeze_reduced(t, ctx.axes, ctx.kept_shape)


def unsqueeze_reduced(t: Tensor, axes: Any, kept_shape: tuple[int, ...]) -> Tensor:
    """``t`` with the dims a reduction over ``axes`` dropped back as 1s (PyTorch's
    unsqueeze_multiple: one UnsqueezeBackward0 per dim, in increasing order); ``t`` itself where
    none was dropped (its shape is ``kept_shape``) or all were (``axes`` None)."""
    if axes is None or t.shape == kept_shape:
        return t
    for d in sorted(axes):
        t = t.unsqueeze(d)
    return t


def _expand_grad_np(grad: np.ndarray, ctx: Any) -> np.ndarray:
    """``_expand_grad`` on an array (a read-only broadcast view, as expand's is a view)."""
    return expand_np(grad.reshape(ctx.kept_shape), ctx.in_shape)


# keepdim shapes by (input shape, axes): a dict look-up costs a sixth of building the tuple, and a
# training loop reduces the same few shapes every step.
_KEPT: dict[tuple[tuple[int, ...], tuple[int, ...] | None], tuple[int, ...]] = {}


def _remember_shapes(ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None) -> None:
    shape = x.shape
    ctx.in_shape = shape
    kept = _KEPT.get((shape, axes))
    if kept is None:
        if len(_KEPT) >= 4096:  # a program of ever-new shapes: start again rather than grow
            _KEPT.clear()
        kept = _KEPT[(shape, axes)] = reduced_shape(shape, axes)
    ctx.kept_shape = kept
    ctx.axes = axes


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    """How many elements each output of a reduction over ``axes`` combines."""
    return math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)


def _c_order(r: Any) -> Any:
    """A result laid out C-contiguous, as PyTorch allocates a reduction's output (numpy keeps
    the memory order of a permuted input: x.permute(2, 1, 0).sum(0) would not be contiguous).
    Applied before the forward saves its output: a copy is a new array."""
    if type(r) is np.ndarray and r.ndim > 1 and not r.flags.c_contiguous:
        return np.ascontiguousarray(r)
    return r


def _quiet(forward: Any) -> Any:
    """Run a forward without numpy's overflow warnings: PyTorch gives inf and nan silently."""

    @functools.wraps(forward)
    def run(*args: Any) -> Any:
        token = errors_off()
        try:
            return forward(*args)
        finally:
            errors_restore(token)

    return run


def _accumulate(x: np.ndarray) -> np.ndarray:
    """float16 values are summed in float32, as PyTorch does."""
    return x.astype(np.float32) if x.dtype.char == "e" else x


def mean_np(
    x: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool, count: int | None = None
) -> Any:
    """Mean's arithmetic on an array (numpy formulas of other ops' backward reuse it)."""
    if count is None:
        count = _count(x.shape, axes)
    token = errors_off()  # overflow is inf and the mean of nothing nan, silently
    try:
        total = sum_np(_accumulate(x), axes, keepdim)
        mean = np.true_divide(total, count)
        # float16 was summed in float32 and comes back (astype on a full mean's scalar costs)
        return mean if mean.dtype == x.dtype else mean.astype(x.dtype)
    finally:
        errors_restore(token)


def _wide(x: np.ndarray) -> Any:
    """PyTorch accumulates integers and bools as int64."""
    return np.int64 if x.dtype.kind in "iub" else None


def _in_dtype(input: Tensor, dtype: Any) -> tuple[Tensor, Any]:
    """``input`` cast to a reduction's ``dtype`` argument, and what ``_checked`` needs to
    finish the reduction's result: PyTorch's error for when that result would be an integer
    that needs a gradient, or the node of the cast, which PyTorch does not record (the
    reduction's node takes the input as it is: see _checked)."""
    if dtype is None:
        return input, None
    if not dtype.is_floating_point and input.requires_grad and _state.grad_enabled:
        return input.to(dtype), f"Autograd not support dtype: {dtype_name(dtype.np)}"
    cast = input.to(dtype)
    return cast, (cast.grad_fn if cast is not input else None)


def _checked(result: Any, cast: Any) -> Any:
    """A reduction's ``result`` on an input cast by ``_in_dtype``: PyTorch's error, or the
    result's node pointed past the cast's (the engine casts the input's gradient back)."""
    if type(cast) is str:
        raise RuntimeError(cast)
    node = result.grad_fn
    if cast is not None and node is not None:
        first = node._edges[0]
        if first is not None and first[0] is cast:
            node._edges = (cast._edges[0], *node._edges[1:])
    return result


# PyTorch's CPU cumulative kernels (cumsum, cumprod, logcumsumexp) accumulate floats in
# acc_type<scalar_t, is_cuda=false>: float for half, double for float. Each output is the
# running value rounded once, where numpy's float16/float32 loops round every partial result
# (a float16 cumsum of 3,000 values in [0, 1) ended 446 below PyTorch's).
_FLOAT_ACC: dict[np.dtype[Any], np.dtype[Any]] = {
    np.dtype(np.float16): np.dtype(np.float32),
    np.dtype(np.float32): np.dtype(np.float64),
}


def _cumulative_np(ufunc: np.ufunc, x: np.ndarray, dim: int) -> np.ndarray:
    """``ufunc.accumulate`` of ``x`` along ``dim`` in PyTorch's accumulation type, then in its
    result dtype (int64 for integers and bools, else x's); C-ordered, as PyTorch's."""
    acc = _FLOAT_ACC.get(x.dtype)
    if acc is None:
        return _c_order(ufunc.accumulate(x, axis=dim, dtype=_wide(x)))
    return ufunc.accumulate(x, axis=dim, dtype=acc).astype(x.dtype, order="C")


def _floating(input: Tensor) -> Tensor:
    return input if input._data.dtype.kind == "f" else to_dtype_op(input, default_float())


def _const(array: np.ndarray) -> Tensor:
    # (np.asarray: a ufunc of a 0-d array hands back a numpy scalar, which no tensor holds)
    return Tensor._make(np.asarray(array))


# --- sum, mean, prod -----------------------------------------------------------------------------
class Sum(NumpyFunction):
    """y = Σ x over the axes; dy/dx = 1 everywhere"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> Any:
        _remember_shapes(ctx, x, axes)
        token = errors_off()  # a sum that overflows is inf, silently (the hot path of losses)
        try:
            return _c_order(sum_np(x, axes, keepdim))
        finally:
            errors_restore(token)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return _sum_backward(grad, ctx), None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return _expand_grad_np(grad, ctx), None, None


class SumDim(Sum):
    node_name = "SumBackward1"


class Mean(NumpyFunction):
    """y = Σ x / n over the axes; dy/dx = 1/n"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> Any:
        _remember_shapes(ctx, x, axes)
        ctx.count = _count(x.shape, axes)
        return _c_order(mean_np(x, axes, keepdim, ctx.count))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        # divided by the count, not multiplied by its reciprocal: PyTorch's formula and rounding
        return DivScalar.apply(_sum_backward(grad, ctx), float(ctx.count)), None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return div_scalar_np(_expand_grad_np(grad, ctx), float(ctx.count)), None, None


class MeanDim(Mean):
    node_name = "MeanBackward1"


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum of all elements, or over ``dim`` (int or tuple); integers and bools sum as int64
    (with ``dtype=bool``, a bool: whether any is nonzero, as PyTorch's)."""
    input, cast = _in_dtype(input, dtype)
    axes = _axes(input, dim)
    if dim is None and not keepdim:
        out = _checked(Sum.apply(input, None, False), cast)
    else:
        out = _checked(SumDim.apply(input, axes, keepdim), cast)
    return _as_bool_if(out, dtype)


def _as_bool_if(out: Tensor, dtype: Any) -> Tensor:
    """A sum's or product's int64 result in the dtype asked for: the bool PyTorch gives for
    ``dtype=bool``, the narrower integer (wrapped: sums and products modulo 2**bits are the
    same whatever the accumulator's width) for ``dtype=int8`` and the like."""
    if dtype is None or out._data.dtype == dtype.np:
        return out
    if dtype.np == np.bool_:
        return _const(np.asarray(out._data != 0))
    return _const(out._data.astype(dtype.np))


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean of all elements, or over ``dim``; the input (or ``dtype``) must be floating point."""
    if dtype is not None and not dtype.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Optional dtype must be either a floating "
            f"point or complex dtype. Got: {dtype_name(dtype.np)}"
        )
    input, cast = _in_dtype(input, dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {dtype_name(input._data.dtype)}"
        )
    axes = _axes(input, dim)
    if dim is None and not keepdim:
        return _checked(Mean.apply(input, None, False), cast)
    return _checked(MeanDim.apply(input, axes, keepdim), cast)


def _exclusive_cumprod(x: np.ndarray, axis: int) -> np.ndarray:
    """out_i = Π_{k<i} x_k along ``axis`` (1 for the first element)."""
    out = np.ones_like(x)
    if x.shape[axis] > 1:
        head = [slice(None)] * x.ndim
        tail = [slice(None)] * x.ndim
        head[axis], tail[axis] = slice(1, None), slice(None, -1)
        np.cumprod(x[tuple(tail)], axis=axis, out=out[tuple(head)])
    return out


class ProdOthers(NumpyFunction):
    """y_i = Π_{k≠i} x_k along an axis, without division (exact with zeros).

    dy_i/dx_j = Π_{k≠i,j} x_k for j ≠ i, which is y_j / x_i without zeros; with zeros it is
    this op on rows of x with x_i replaced by 1 (n² elements: second derivatives only).
    """

    @staticmethod
    @_quiet
    def forward(ctx: Any, x: np.ndarray, axis: int) -> np.ndarray:
        ctx.axis = axis
        ctx.save_for_backward(x)
        before = _exclusive_cumprod(x, axis)
        after = np.flip(_exclusive_cumprod(np.flip(x, axis), axis), axis)
        return before * after

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        axis = ctx.axis
        if not (x._data == 0).any():  # Σ_{i≠j} g_i y_j / x_i
            q = grad / x
            return ProdOthers.apply(x, axis) * (q.sum(axis, keepdim=True) - q), None
        n = x._data.shape[axis]
        eye = np.eye(n, dtype=bool)
        # rows[..., i, k] = x_k, with x_i replaced by 1; others[..., i, j] = Π_{k≠i,j} x_k
        rows = where(_const(eye), 1.0, x.transpose(axis, -1).unsqueeze(-2))
        others = ProdOthers.apply(rows, rows.ndim - 1) * _const(~eye)
        g = grad.transpose(axis, -1).unsqueeze(-1)
        return (others * g).sum(-2).transpose(axis, -1), None


class Prod(NumpyFunction):
    """y = Π x; dy/dx_i = y / x_i without zeros (PyTorch's formula, which reads y: under
    create_graph a hook on y or y's retained gradient sees the second backward pass through
    it), else Π_{k≠i} x_k (exact where some x are 0)"""

    @staticmethod
    @_quiet
    def forward(ctx: Any, x: np.ndarray, axis: int | None, keepdim: bool) -> Any:
        _remember_shapes(ctx, x, None if axis is None else (axis,))
        if x.ndim == 0:
            out = x.astype(_wide(x) or x.dtype)
        else:
            out = _c_order(x.prod(axis=axis, dtype=_wide(x), keepdims=keepdim))
        # The output too, as PyTorch's ProdBackward saves it: a write into it is reported.
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, out = ctx.saved_tensors
        if x.ndim == 0:  # the product of one number is that number: PyTorch returns grad
            return grad, None, None
        if not (x._data == 0).any():  # as PyTorch's: the kept dim unsqueezed, then broadcast
            if ctx.axes is not None:
                grad, out = _kept(grad, ctx), _kept(out, ctx)
            return grad * (out / x), None, None
        reduced = x._data.size if ctx.axes is None else x._data.shape[ctx.axes[0]]
        if reduced == 1:  # PyTorch's prod_safe_zeros_backward returns grad as it is
            return grad.reshape(ctx.in_shape if ctx.axes is None else ctx.kept_shape), None, None
        if ctx.axes is None:
            others = ProdOthers.apply(x.reshape(-1), 0).reshape(ctx.in_shape)
        else:
            others = ProdOthers.apply(x, ctx.axes[0])
        gx = _expand_grad(grad, ctx) * others
        if ctx.axes is None and np.count_nonzero(x._data == 0) > 1:
            # Every first derivative is 0 here. PyTorch returns zeros_like(input): +0 where
            # the product above is -0; + 0.0 gives that sign and keeps the exact second
            # derivative (PyTorch's zeros have none).
            gx = gx + 0.0
        return gx, None, None


class ProdDim(Prod):
    node_name = "ProdBackward1"


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Product of all elements, or along one ``dim``; integers and bools multiply as int64."""
    input, cast = _in_dtype(input, dtype)
    if dim is None:
        return _as_bool_if(_checked(Prod.apply(input, None, False), cast), dtype)
    axis = _int_dim(dim, input._data.ndim, "prod")
    out = _checked(ProdDim.apply(input, axis if input._data.ndim else None, keepdim), cast)
    return _as_bool_if(out, dtype)


# --- max, min, amax, amin, argmax, argmin --------------------------------------------------------
def _even_weights(
    x: np.ndarray, picked: np.ndarray, axes: tuple[int, ...] | None, nan_picks_nan: bool
) -> np.ndarray:
    """1/count on the elements equal to the picked value, 0 elsewhere (ties share the gradient).

    With ``nan_picks_nan`` a nan result sends the gradient to the nan inputs (max(), min(),
    median()); without, no element equals nan and the weights are nan (amax, amin), as PyTorch.
    """
    mask = x == picked
    if nan_picks_nan and x.dtype.kind == "f":
        mask |= np.isnan(x) & np.isnan(picked)
    count = mask.sum(axis=axes, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        if nan_picks_nan:  # evenly_distribute_backward: masked_fill_ of zeros, never nan
            return np.where(mask, 1 / count.astype(x.dtype), x.dtype.type(0))
        return mask / count.astype(x.dtype)  # scale_grad_by_count: nan where none is equal


def _saved_weights(ctx: Any, nan_picks_nan: bool) -> Tensor:
    """The weights from the saved input and output as they are now: PyTorch computes the mask
    in backward, so a write through ``.data`` (which no version counter sees) shows in it."""
    x, out = ctx.saved_tensors[:2]
    picked = out._data.reshape(ctx.kept_shape)
    return _const(_even_weights(x._data, picked, ctx.axes, nan_picks_nan))


class _Extreme(NumpyFunction):
    """y = the largest (smallest) x over the axes; the gradient is split evenly among ties"""

    largest = True
    nan_picks_nan = False

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> Any:
        picked = (np.max if cls.largest else np.min)(x, axis=axes, keepdims=True)
        out = _c_order(picked.reshape(_output_shape(x.shape, axes, keepdim)))
        if ctx.needs_input_grad[0]:
            _remember_shapes(ctx, x, axes)
            # x and the output too, as PyTorch's node saves them: a write into either before
            # backward is reported.
            ctx.save_for_backward(x, out)
            ctx.nan_picks_nan = cls.nan_picks_nan
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return _expand_grad(grad, ctx) * _saved_weights(ctx, ctx.nan_picks_nan), None, None


class Amax(_Extreme):
    pass


class Amin(_Extreme):
    largest = False


class MaxAll(_Extreme):
    node_name = "MaxBackward1"
    nan_picks_nan = True


class MinAll(_Extreme):
    node_name = "MinBackward1"
    largest = False
    nan_picks_nan = True


class _Gather(NumpyFunction):
    """y = x at ``index`` along an axis; the gradient is scattered back (see _Scatter)"""

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, index: np.ndarray, axis: int) -> np.ndarray:
        ctx.index, ctx.axis, ctx.shape = index, axis, x.shape
        return np.take_along_axis(x, index, axis)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return _Scatter.apply(grad, ctx.index, ctx.axis, ctx.shape), None, None


class _Scatter(NumpyFunction):
    """y = zeros with x written at ``index`` along an axis (indices distinct); dy/dx gathers"""

    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, index: np.ndarray, axis: int, shape: Any) -> np.ndarray:
        ctx.index, ctx.axis = index, axis
        out = np.zeros(shape, x.dtype)
        np.put_along_axis(out, index, x, axis)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return _Gather.apply(grad, ctx.index, ctx.axis), None, None, None


class _Select(NumpyFunction):
    """(values, indices) = elements of x picked along ``dim``; the gradient goes to them only.

    Subclasses give ``pick(x, dim, *args)``: the indices, shaped as x with ``dim`` resized. A 0-d
    x is handled as a 1-element vector.
    """

    squeeze_dim = False  # max/min/median drop the reduced dim unless keepdim
    like_input = False  # sort: both outputs laid out as empty_like(x) (else C-contiguous)

    @classmethod
    def pick(cls, x: np.ndarray, dim: int, *args: Any) -> np.ndarray:
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, dim: int, *args: Any) -> Any:
        work = x.reshape(1) if x.ndim == 0 else x
        index = cls.pick(work, dim, *args)
        values = np.take_along_axis(work, index, dim)
        if x.ndim == 0:
            shape: tuple[int, ...] = ()
        elif cls.squeeze_dim and not args[-1]:  # args[-1] is keepdim
            shape = index.shape[:dim] + index.shape[dim + 1 :]
        else:
            shape = index.shape
        indices = index.reshape(shape)
        values = values.reshape(shape)
        if cls.like_input and x.ndim > 1:
            indices, values = _copy_like_torch(x, indices), _copy_like_torch(x, values)
        ctx.dim, ctx.in_shape, ctx.work_shape = dim, x.shape, work.shape
        ctx.index_shape = index.shape
        ctx.n_options = len(args)
        # The indices output itself, as PyTorch's node saves it: freed by backward (a second
        # backward raises), and a write into it before backward is reported.
        ctx.save_for_backward(indices)
        return values, indices

    @staticmethod
    def backward(ctx: Any, grad: Tensor, *_: Any) -> tuple[Any, ...]:
        (indices,) = ctx.saved_arrays
        index = indices.reshape(ctx.index_shape)
        g = _Scatter.apply(grad.reshape(ctx.index_shape), index, ctx.dim, ctx.work_shape)
        if ctx.work_shape != ctx.in_shape:
            g = g.reshape(ctx.in_shape)
        return (g, None) + (None,) * ctx.n_options


class MaxDim(_Select):
    node_name = "MaxBackward0"
    squeeze_dim = True

    @classmethod
    def pick(cls, x: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
        return np.argmax(x, axis=dim, keepdims=True)  # first maximum; a nan wins


class MinDim(_Select):
    node_name = "MinBackward0"
    squeeze_dim = True

    @classmethod
    def pick(cls, x: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
        return np.argmin(x, axis=dim, keepdims=True)


def _extreme(input: Tensor, dim: Any, keepdim: bool, op: str, everything: Any, along: Any) -> Any:
    if isinstance(dim, Tensor):  # max(input, other): the elementwise maximum
        binary = getattr(pointwise, "maximum" if op == "max" else "minimum", None)
        if binary is None:
            raise NotImplementedError(f"{op}(input, other) needs ndgrad.{op}imum")
        return binary(input, dim)
    if dim is None:
        _check_nonempty(input, None, op, RuntimeError)
        return everything.apply(input, None, False)
    axis = _int_dim(dim, input._data.ndim, op)
    _check_nonempty(input, (axis,), op, IndexError)
    return _pair(op, along.apply(input, axis, keepdim))


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The largest element; with ``dim``, (values, indices) of the largest along it."""
    return _extreme(input, dim, keepdim, "max", MaxAll, MaxDim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The smallest element; with ``dim``, (values, indices) of the smallest along it."""
    return _extreme(input, dim, keepdim, "min", MinAll, MinDim)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The largest elements over ``dim`` (int or tuple; all dims by default)."""
    return Amax.apply(input, _nonempty_axes(input, dim, "amax"), keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """The smallest elements over ``dim`` (int or tuple; all dims by default)."""
    return Amin.apply(input, _nonempty_axes(input, dim, "amin"), keepdim)


def _arg_extreme(input: Tensor, dim: Any, keepdim: bool, op: str) -> Tensor:
    x = input._data
    if x.dtype.kind == "b":
        raise RuntimeError(f"{op}(): does not support bool input")
    find = np.argmax if op == "argmax" else np.argmin
    if dim is None:
        _check_nonempty(input, None, op, IndexError)
        flat = find(x.reshape(-1))
        shape = (1,) * x.ndim if keepdim else ()
        return _const(np.full(shape, flat, dtype=np.int64))
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer):
        raise TypeError(
            f"{op}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )
    axis = _int_dim(dim, x.ndim, op)
    _check_nonempty(input, (axis,), op, IndexError)
    if x.ndim == 0:
        return _const(np.zeros((), np.int64))
    return _const(find(x, axis=axis, keepdims=keepdim).astype(np.int64))


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Index of the (first) largest element, of the flattened input or along ``dim``."""
    return _arg_extreme(input, dim, keepdim, "argmax")


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Index of the (first) smallest element, of the flattened input or along ``dim``."""
    return _arg_extreme(input, dim, keepdim, "argmin")


# --- var, std ------------------------------------------------------------------------------------
class Var(NumpyFunction):
    """y = Σ (x - x̄)² / (n - correction); dy/dx = 2 (x - x̄) / (n - correction)"""

    @staticmethod
    @_quiet
    def forward(
        ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, correction: float, keepdim: bool
    ) -> Any:
        _remember_shapes(ctx, x, axes)
        ctx.save_for_backward(x)
        n = _count(x.shape, axes)
        ctx.dof = builtins.max(0, n - correction)
        ctx.correction, ctx.keepdim = correction, keepdim
        return _c_order(_var_wide(ctx, x, axes, n, keepdim).astype(x.dtype))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        return _var_grad(ctx, grad, x), None, None, None


def _in_double(x: np.ndarray) -> np.ndarray:
    """float16 and float32 values in double: PyTorch's var and std kernels (its Welford
    reduction) accumulate in double and round the result to the input's dtype once."""
    return x.astype(np.float64) if x.dtype.char in "ef" else x


def _var_wide(
    ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, n: int, keepdim: bool
) -> np.ndarray:
    """Σ (x - x̄)² / ctx.dof in double for a float16/float32 x (the dtype's own otherwise)."""
    xa = _in_double(x)
    dev = xa - xa.sum(axis=axes, keepdims=True) / n
    return (dev * dev).sum(axis=axes, keepdims=keepdim) / ctx.dof


def _mean_wide(x: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> Any:
    """var_mean's and std_mean's mean: from the same double accumulation, rounded once."""
    if x.dtype.char not in "ef":
        return _c_order(mean_np(x, axes, keepdim))
    return _c_order(np.asarray(mean_np(_in_double(x), axes, keepdim)).astype(x.dtype))


def _var_grad(ctx: Any, grad: Tensor, x: Tensor) -> Tensor:
    """PyTorch's var_backward, op for op (so that its graph under create_graph is PyTorch's):
    over all elements (no dim, or a 0-d input) with no degrees of freedom left, grad * (nan
    where x equals the mean, else inf), which does not depend on x differentiably; else
    (2 / (n - correction)) * grad * (x - mean), the reduced dims of grad restored first (inf
    for n = correction)."""
    if ctx.axes is None or not ctx.in_shape:
        dof = _count(ctx.in_shape, None) - ctx.correction
        if dof <= 0:
            return grad * where(x == x.mean(), math.nan, math.inf)
        return MulScalar.apply(grad, 2.0 / dof) * (x - x.mean())
    dof = _count(ctx.in_shape, ctx.axes) - ctx.correction
    grad = _unsqueeze_reduced(grad, ctx)
    return MulScalar.apply(grad, 2.0 / dof if dof else math.inf) * (x - x.mean(ctx.axes, True))


def _unsqueeze_reduced(grad: Tensor, ctx: Any) -> Tensor:
    """PyTorch's unsqueeze_multiple: the dims a reduction without keepdim dropped, back as 1s
    (one unsqueeze per dim, in increasing order)."""
    if not ctx.keepdim and len(ctx.in_shape) > 1:
        for d in ctx.axes:  # (sorted)
            grad = grad.unsqueeze(d)
    return grad


class Std(NumpyFunction):
    """y = √var(x); dy/dx = (x - x̄) / ((n - correction) y), taken as 0 where y = 0 (PyTorch)"""

    @staticmethod
    @_quiet
    def forward(
        ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, correction: float, keepdim: bool
    ) -> Any:
        _remember_shapes(ctx, x, axes)
        n = _count(x.shape, axes)
        ctx.dof = builtins.max(0, n - correction)
        ctx.correction, ctx.keepdim = correction, keepdim
        # the square root of the double variance, rounded once (PyTorch's kernel)
        y = _c_order(np.sqrt(_var_wide(ctx, x, axes, n, keepdim)).astype(x.dtype))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        return _std_grad(ctx, grad, x, y), None, None, None


def _std_grad(ctx: Any, grad: Tensor, x: Tensor, y: Tensor) -> Tensor:
    """PyTorch's std_backward: var's, of grad / (2 y) (0 where y = 0)."""
    return _var_grad(ctx, (grad / MulScalar.apply(y, 2)).masked_fill_(y == 0, 0), x)


def _mean_grad(ctx: Any, grad: Tensor) -> Tensor:
    """PyTorch's mean_backward (var_mean's and std_mean's mean): sum's backward, divided by
    the number of elements averaged."""
    if ctx.axes is not None:
        grad = _unsqueeze_reduced(grad, ctx)
    return DivScalar.apply(grad.expand((*ctx.in_shape,)), float(_count(ctx.in_shape, ctx.axes)))


def _sum_of(part: Tensor | None, other: Tensor | None) -> Tensor | None:
    return other if part is None else part if other is None else part + other


class VarMean(NumpyFunction):
    """(var(x), mean(x)) in one call; the gradient is the sum of theirs, of the outputs that
    got one (PyTorch's var_mean_backward skips an undefined one: var's term is no 0 · nan
    where x holds an inf)"""

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, correction: float, keepdim: bool
    ) -> Any:
        ctx.set_materialize_grads(False)
        return Var.forward(ctx, x, axes, correction, keepdim), _mean_wide(x, axes, keepdim)

    @staticmethod
    def backward(ctx: Any, grad_var: Tensor | None, grad_mean: Tensor | None) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        var_part = None if grad_var is None else _var_grad(ctx, grad_var, x)
        mean_part = None if grad_mean is None else _mean_grad(ctx, grad_mean)
        return _sum_of(var_part, mean_part), None, None, None


class StdMean(NumpyFunction):
    """(std(x), mean(x)) in one call; the gradient is the sum of theirs (as VarMean's)"""

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, correction: float, keepdim: bool
    ) -> Any:
        ctx.set_materialize_grads(False)
        return Std.forward(ctx, x, axes, correction, keepdim), _mean_wide(x, axes, keepdim)

    @staticmethod
    def backward(ctx: Any, grad_std: Tensor | None, grad_mean: Tensor | None) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        std_part = None if grad_std is None else _std_grad(ctx, grad_std, x, y)
        mean_part = None if grad_mean is None else _mean_grad(ctx, grad_mean)
        return _sum_of(std_part, mean_part), None, None, None


_VAR_FUNCTIONS: dict[str, type[NumpyFunction]] = {
    "var": Var,
    "std": Std,
    "var_mean": VarMean,
    "std_mean": StdMean,
}


def _var_std(
    input: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any, op: str
) -> Any:
    if isinstance(dim, bool):  # var(unbiased) overload
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(
            f"{op}() received an invalid combination of arguments: give either unbiased or "
            "correction, not both"
        )
    if input._data.dtype.kind != "f":
        what = "std and var" if op in ("std", "var") else op
        raise RuntimeError(f"{what} only support floating point and complex dtypes")
    if correction is None:
        correction = 0 if unbiased is False else 1
    axes = _axes(input, dim)
    if _count(input._data.shape, axes) - correction <= 0:
        warnings.warn(
            f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=_errors.user_stacklevel(),  # PyTorch's C++ warning names the caller
        )
    return _VAR_FUNCTIONS[op].apply(input, axes, correction, keepdim)


def var(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Variance over ``dim`` with Bessel's ``correction`` (default 1; unbiased=False means 0)."""
    return _var_std(input, dim, unbiased, keepdim, correction, "var")


def std(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> Tensor:
    """Standard deviation over ``dim``: the square root of var with the same arguments."""
    return _var_std(input, dim, unbiased, keepdim, correction, "std")


def var_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> tuple[Tensor, Tensor]:
    """(var, mean) over ``dim``, with var's arguments."""
    return _var_std(input, dim, unbiased, keepdim, correction, "var_mean")


def std_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> tuple[Tensor, Tensor]:
    """(std, mean) over ``dim``, with std's arguments."""
    return _var_std(input, dim, unbiased, keepdim, correction, "std_mean")


# --- logsumexp, norm -----------------------------------------------------------------------------
class Logsumexp(NumpyFunction):
    """y = log Σ exp(x), computed as m + log Σ exp(x - m) with m = max x; dy/dx = exp(x - y)"""

    @staticmethod
    @_quiet
    def forward(ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> Any:
        _remember_shapes(ctx, x, axes)
        if x.size == 0:
            y = np.full(ctx.kept_shape, -np.inf, x.dtype)
        else:
            m = np.max(x, axis=axes, keepdims=True)
            # Slices of all -inf (or holding inf) are not shifted: that would give nan.
            m = np.where(np.isfinite(m), m, 0)
            y = np.log(sum_np(np.exp(x - m), axes, True)) + m  # each step in x's dtype
        out = _c_order(y.reshape(_output_shape(x.shape, axes, keepdim)))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        return _kept(grad, ctx) * (x - _kept(y, ctx)).exp(), None, None


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log(Σ exp(input)) over ``dim`` (required), stable for large values."""
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
    return Logsumexp.apply(_floating(input), _axes(input, dim), keepdim)


# --- cumsum, cumprod -----------------------------------------------------------------------------
class Cumsum(NumpyFunction):
    """y_i = Σ_{k≤i} x_k; the gradient is the reversed cumulative sum"""

    @staticmethod
    @_quiet
    def forward(ctx: Any, x: np.ndarray, dim: int, dtype: Any = None) -> np.ndarray:
        # dtype: cumsum's argument, x cast here (PyTorch records no cast: the gradient is
        # taken back to x's dtype first, and summed in it)
        ctx.dim, ctx.in_dtype = dim, (None if dtype is None else x.dtype)
        if dtype is not None:
            x = x.astype(dtype)
        if x.ndim == 0:
            return x.astype(_wide(x) or x.dtype)
        return _cumulative_np(np.add, x, dim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        if ctx.in_dtype is not None:
            grad = to_dtype_op(grad, ctx.in_dtype)
        return _reversed_cumsum(grad, ctx.dim), None, None


def _reversed_cumsum(g: Tensor, dim: int) -> Tensor:
    """Σ_{k≥i} g_k along ``dim``: PyTorch's cumsum_backward (g itself for one element; else
    flip, cumsum, flip, the nodes its double backward shows)."""
    if g._data.size <= 1 or g._data.shape[dim] == 1:
        return g
    if not g.requires_grad:  # (a first-order backward: one numpy pass)
        return ReverseCumsum.apply(g, dim)
    return g.flip(dim).cumsum(dim).flip(dim)


class ReverseCumsum(NumpyFunction):
    """y_i = Σ_{k≥i} x_k; the gradient is the cumulative sum"""

    @staticmethod
    @_quiet
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        ctx.dim = dim
        if x.ndim == 0:
            return x.copy()
        return np.flip(_cumulative_np(np.add, np.flip(x, dim), dim), dim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Cumsum.apply(grad, ctx.dim), None


class Cumprod(NumpyFunction):
    """y_i = Π_{k≤i} x_k; dy_i/dx_j = Π_{k≤i, k≠j} x_k for j ≤ i

    Without zeros the gradient is Σ_{i≥j} g_i y_i / x_j; with zeros it is built from cumulative
    products of x with x_j replaced by 1, which stays exact (and differentiable) there.
    """

    @staticmethod
    @_quiet
    def forward(ctx: Any, x: np.ndarray, dim: int, dtype: Any = None) -> np.ndarray:
        # dtype: cumprod's argument (as Cumsum's; the formula takes x as it was given)
        ctx.dim, ctx.in_dtype = dim, (None if dtype is None else x.dtype)
        cast = x if dtype is None else x.astype(dtype)
        y = (
            cast.astype(_wide(cast) or cast.dtype)
            if x.ndim == 0
            else _cumulative_np(np.multiply, cast, dim)
        )
        # the output too, for a 0-d input as well: PyTorch's node saves both (a write into
        # either before backward is reported)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        dim = ctx.dim
        if ctx.in_dtype is not None:
            grad = to_dtype_op(grad, ctx.in_dtype)
        if x._data.size <= 1 or x._data.shape[dim] == 1:  # y = x: PyTorch returns grad as it is
            return grad, None, None
        if not (x._data == 0).any():
            return _reversed_cumsum(grad * y, dim) / x, None, None
        n = x._data.shape[dim]
        eye = np.eye(n, dtype=bool)
        # rows[..., j, k] = x_k with x_j replaced by 1; partial[..., j, i] = Π_{k≤i, k≠j} x_k
        rows = where(_const(eye), 1.0, x.transpose(dim, -1).unsqueeze(-2))
        partial = rows.cumprod(-1) * _const(np.triu(np.ones((n, n), x._data.dtype)))
        g = grad.transpose(dim, -1).unsqueeze(-2)
        return (partial * g).sum(-1).transpose(dim, -1), None, None


def _cumulative(fn: type[NumpyFunction], input: Tensor, dim: Any, dtype: Any, op: str) -> Tensor:
    if dtype is not None and not dtype.is_floating_point and input.requires_grad:
        input, refused = _in_dtype(input, dtype)  # (its error, after the op)
        dtype = None
    else:
        refused = None
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer):
        raise TypeError(
            f"{op}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )
    d = _int_dim(dim, input._data.ndim, op)
    if dtype is not None and dtype.np == np.bool_:
        raise NotImplementedError(f"\"{op}_out_cpu\" not implemented for 'Bool'")
    if dtype is None or dtype.np == input._data.dtype:
        out = _checked(fn.apply(input, d), refused)
    else:
        out = fn.apply(input, d, dtype.np)
    # an integer dtype asked for: the int64 running values wrapped to it (as PyTorch's)
    if dtype is None or out._data.dtype == dtype.np:
        return out
    return _const(out._data.astype(dtype.np))


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Cumulative sums along ``dim``; integers and bools accumulate as int64."""
    return _cumulative(Cumsum, input, dim, dtype, "cumsum")


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Cumulative products along ``dim``; integers and bools accumulate as int64."""
    return _cumulative(Cumprod, input, dim, dtype, "cumprod")


# --- all, any, count_nonzero ---------------------------------------------------------------------
def _logical(input: Tensor, dim: Any, keepdim: bool, fn: Any) -> Tensor:
    x = input._data
    # dim=() reduces nothing here (PyTorch): each element is tested on its own. A 0-d tensor
    # takes dim 0 and -1 (checked) and reduces nothing.
    axes = normalize_dims(dim, x.ndim)
    if not x.ndim:
        axes = None
    out = np.asarray(fn(x, axis=axes, keepdims=keepdim))
    return _const(out.astype(np.uint8) if x.dtype == np.uint8 else out)


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where every element over ``dim`` is nonzero (uint8 inputs give uint8)."""
    return _logical(input, dim, keepdim, np.all)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where some element over ``dim`` is nonzero (uint8 inputs give uint8)."""
    return _logical(input, dim, keepdim, np.any)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """The number of nonzero elements over ``dim`` (int64)."""
    axes = _axes(input, dim)
    return _const(np.asarray(np.count_nonzero(input._data, axis=axes), dtype=np.int64))


# --- median, sort, topk --------------------------------------------------------------------------
def _stable_order(x: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Indices that sort x along ``dim``, ties in their original order; nan counts as largest."""
    if not descending:
        return np.argsort(x, axis=dim, kind="stable")
    # Sorting the reversed input ascending and reversing back keeps ties in original order.
    order = np.argsort(np.flip(x, dim), axis=dim, kind="stable")
    return np.flip(x.shape[dim] - 1 - order, dim).copy()  # (a new array: positive strides)


class MedianAll(NumpyFunction):
    """y = the lower median of all elements (nan if any is nan); ties share the gradient evenly"""

    node_name = "MedianBackward0"
    skip_nan = False  # nanmedian: the median of the non-nan elements (nan if there are none)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray) -> np.ndarray:
        flat = x.reshape(-1)
        if cls.skip_nan and x.dtype.kind == "f":
            flat = flat[~np.isnan(flat)]
        if flat.size == 0:
            y = np.full((), np.nan, x.dtype)
        else:
            y = np.asarray(np.sort(flat)[(flat.size - 1) // 2])
            if x.dtype.kind == "f" and np.isnan(flat).any():
                y = np.asarray(np.nan, x.dtype)
        if ctx.needs_input_grad[0]:
            _remember_shapes(ctx, x, None)
            # x and the output too, as PyTorch's node saves them (evenly_distribute_backward).
            ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return _expand_grad(grad, ctx) * _saved_weights(ctx, True)


class NanmedianAll(MedianAll):
    node_name = "NanmedianBackward0"
    skip_nan = True


class MedianDim(_Select):
    node_name = "MedianBackward1"
    squeeze_dim = True

    @classmethod
    def pick(cls, x: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
        n = x.shape[dim]
        order = np.argsort(x, axis=dim, kind="stable")
        index = np.take(order, [(n - 1) // 2], axis=dim)
        if x.dtype.kind == "f":  # a slice holding nan has median nan, at its first nan
            nans = np.isnan(x)
            has_nan = nans.any(axis=dim, keepdims=True)
            index = np.where(has_nan, np.argmax(nans, axis=dim, keepdims=True), index)
        return index


def _refuse_bool(input: Tensor, dim: Any) -> None:
    """median and nanmedian have no bool kernel (PyTorch names the one it looked for)."""
    if input._data.dtype.kind == "b":
        kernel = "median_cpu" if dim is None else "median_out"
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def median(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """The lower median of all elements; with ``dim``, (values, indices) along it."""
    if dim is None:
        _refuse_bool(input, dim)
        return MedianAll.apply(input)
    axis = _int_dim(dim, input._data.ndim, "median")
    _check_nonempty(input, (axis,), "median", IndexError)
    _refuse_bool(input, dim)  # (after the dim's checks, as in PyTorch)
    return _pair("median", MedianDim.apply(input, axis, keepdim))


class Sort(_Select):
    like_input = True

    @classmethod
    def pick(cls, x: np.ndarray, dim: int, descending: bool, stable: bool) -> np.ndarray:
        order = _stable_order(x, dim, descending)
        if stable or x.ndim == 0 or not _cxx_sort.THRESHOLD < x.shape[dim] <= _REPLAYED_ROWS:
            return order
        # Unless asked to be stable, PyTorch sorts with std::sort, which is stable only below
        # its insertion-sort threshold: longer rows holding equal values (or several NaN)
        # follow its steps (_cxx_sort); in the others the stable order agrees.
        rows = np.moveaxis(x, dim, -1).reshape(-1, x.shape[dim])
        flat = np.moveaxis(order, dim, -1).reshape(rows.shape)
        ordered = np.take_along_axis(rows, flat, -1)
        redo = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        if x.dtype.kind == "f":
            redo |= np.isnan(ordered).sum(axis=1) > 1
        if not redo.any():
            return order
        out = flat.copy()
        for r in np.flatnonzero(redo):
            out[r] = _cxx_sort.sort_indices(rows[r].tolist(), descending)
        shape = np.moveaxis(order, dim, -1).shape
        return np.ascontiguousarray(np.moveaxis(out.reshape(shape), -1, dim))


# The longest row whose ties sort replays in Python (about 0.15 s with many ties); a longer
# one keeps the stable order (docs/conventions_reductions.md)
_REPLAYED_ROWS = 1 << 16


def sort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool | None = False
) -> Any:
    """(values, indices) sorted along ``dim``; equal values keep their order when ``stable``,
    and otherwise take the order PyTorch's CPU sort (std::sort) leaves them in."""
    axis = _int_dim(dim, input._data.ndim, "sort")
    return _pair("sort", Sort.apply(input, axis, bool(descending), bool(stable)))


def argsort(
    input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False
) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (as ``sort``'s)."""
    return sort(input, dim, descending, stable=stable).indices


class Topk(_Select):
    @classmethod
    def pick(cls, x: np.ndarray, dim: int, k: int, largest: bool, ordered: bool) -> np.ndarray:
        order = _stable_order(x, dim, largest)
        picked = np.take(order, np.arange(k), axis=dim)
        if x.ndim == 0 or k == 0:
            return picked
        # PyTorch selects with std::nth_element (or partial_sort), which is not stable: rows
        # where equal values (or NaN) meet at the top k, and every row when the result is not
        # sorted, follow its steps (_cxx_sort); in the others the stable order agrees.
        rows = np.moveaxis(x, dim, -1).reshape(-1, x.shape[dim])
        top = np.take_along_axis(rows, np.moveaxis(order, dim, -1).reshape(rows.shape), -1)
        top = top[:, : k + 1]
        redo = (top[:, 1:] == top[:, :-1]).any(axis=1)
        if x.dtype.kind == "f":
            redo |= np.isnan(rows).any(axis=1)
        if not ordered and k > 1:
            redo[:] = True
        if redo.any():
            out = np.moveaxis(picked, dim, -1).reshape(-1, k).copy()
            for r in np.flatnonzero(redo):
                out[r] = _cxx_sort.topk_indices(rows[r].tolist(), k, largest, ordered)
            shape = np.moveaxis(picked, dim, -1).shape
            picked = np.ascontiguousarray(np.moveaxis(out.reshape(shape), -1, dim))
        return picked

    @classmethod
    def forward(
        cls, ctx: Any, x: np.ndarray, dim: int, k: int, largest: bool, ordered: bool = True
    ) -> Any:
        if x.ndim == 0:  # PyTorch returns the element for k = 0 as for k = 1
            k = 1
        return super().forward(ctx, x, dim, k, largest, ordered)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    """The k largest (smallest) elements along ``dim`` and their indices: sorted, or (with
    ``sorted=False``) in the order PyTorch's selection leaves them."""
    axis = _int_dim(dim, input._data.ndim, "topk")
    size = input._data.shape[axis] if input._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if input._data.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    return _pair("topk", Topk.apply(input, axis, int(k), bool(largest), bool(sorted)))


class LogSoftmax(NumpyFunction):
    """y = x - log Σ eˣ over dim; dx = g - eʸ Σ g"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        x1 = x.reshape(1) if x.ndim == 0 else x  # a 0-d input is its own dim 0
        shifted = x1 - max_np(x1, dim, True)
        token = errors_off()  # an empty dim sums to 0 (log 0), silently
        try:
            e = np.exp(shifted)
            shifted -= np.log(sum_np(e, dim, True))  # (shifted is a new array: in place)
        finally:
            errors_restore(token)
        y = np.asarray(shifted, order="C").reshape(x.shape)  # contiguous, as PyTorch's kernel
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (y,) = ctx.saved_tensors
        return LogSoftmaxBackward.apply(grad, y, ctx.dim), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        (y,) = ctx.saved_arrays
        return _log_softmax_backward_np(grad, y, ctx.dim), None


def _log_softmax_backward_np(g: np.ndarray, y: np.ndarray, dim: int) -> np.ndarray:
    axis = dim if y.ndim else None  # a 0-d input is its own dim 0
    return g - np.exp(y) * sum_np(g, axis, True)


class LogSoftmaxBackward(NumpyFunction):
    """gx = g - eʸ Σ g over dim: log_softmax's backward as one op of the gradient and the
    output, as PyTorch's _log_softmax_backward_data (so a create_graph gradient has
    grad_fn=<LogSoftmaxBackwardDataBackward0>); d/dg = gg - Σ gg eʸ, d/dy = -gg eʸ Σ g."""

    node_name = "LogSoftmaxBackwardDataBackward0"

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, y: np.ndarray, dim: int) -> np.ndarray:
        ctx.save_for_backward(g, y)
        ctx.dim = dim
        return _log_softmax_backward_np(g, y, dim)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple[Any, ...]:
        g, y = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad[:2]
        e = y.exp()
        grad_g = gg - (gg * e).sum(ctx.dim, keepdim=True) if need_g else None
        grad_y = -gg * e * g.sum(ctx.dim, keepdim=True) if need_y else None
        return grad_g, grad_y, None


class Softmax(NumpyFunction):
    """y = eˣ / Σ eˣ over dim; dx = y (g - Σ g y)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        x1 = x.reshape(1) if x.ndim == 0 else x  # a 0-d input is its own dim 0
        e = x1 - max_np(x1, dim, True)
        np.exp(e, out=e)  # the exponentials and the quotients in the one new array
        e /= sum_np(e, dim, True)
        y = np.asarray(e, order="C").reshape(x.shape)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (y,) = ctx.saved_tensors
        return SoftmaxBackward.apply(grad, y, ctx.dim), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        (y,) = ctx.saved_arrays
        return _softmax_backward_np(grad, y, ctx.dim), None


def _softmax_backward_np(g: np.ndarray, y: np.ndarray, dim: int) -> np.ndarray:
    axis = dim if y.ndim else None  # a 0-d input is its own dim 0
    return y * (g - sum_np(g * y, axis, True))


class SoftmaxBackward(NumpyFunction):
    """gx = y (g - Σ g y) over dim: softmax's backward as one op of the gradient and the
    output, as PyTorch's _softmax_backward_data (so a create_graph gradient has
    grad_fn=<SoftmaxBackwardDataBackward0>); d/dg = the same op on gg, d/dy = gg (g - Σ g y)
    - g Σ gg y (PyTorch's softmax_double_backward)."""

    node_name = "SoftmaxBackwardDataBackward0"

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, y: np.ndarray, dim: int) -> np.ndarray:
        ctx.save_for_backward(g, y)
        ctx.dim = dim
        return _softmax_backward_np(g, y, dim)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple[Any, ...]:
        g, y = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad[:2]
        dim = ctx.dim
        grad_g = SoftmaxBackward.apply(gg, y, dim) if need_g else None
        grad_y = None
        if need_y:
            grad_y = gg * (g - (g * y).sum(dim, keepdim=True)) - g * (gg * y).sum(dim, keepdim=True)
        return grad_g, grad_y, None


def _softmax_input(input: Tensor, dim: int, dtype: Any, name: str) -> tuple[Tensor, int]:
    if dtype is not None:
        input = input.to(dtype)
    d = wrap_dim(dim, input.ndim)
    if input._data.dtype.kind != "f" and input._data.size:
        # (PyTorch's kernel for the last dim, or for another; an empty input runs neither)
        kernel = "lastdim_kernel_impl" if d >= input.ndim - 1 else "kernel_impl"
        raise NotImplementedError(
            f"\"{name}_{kernel}\" not implemented for '{dtype_name(input._data.dtype)}'"
        )
    return input, d


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """log softmax(x) over ``dim``, computed stably as x - logsumexp(x)"""
    x, d = _softmax_input(input, dim, dtype, "log_softmax")
    if x._data.dtype.kind != "f":
        return x.clone()  # (empty: see _softmax_input)
    return LogSoftmax.apply(x, d)


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """eˣ / Σ eˣ over ``dim``"""
    x, d = _softmax_input(input, dim, dtype, "softmax")
    if x._data.dtype.kind != "f":
        return x.clone()  # (empty: see _softmax_input)
    return Softmax.apply(x, d)


# --- nan-aware and order statistics (issue 11) ---------------------------------------------------
class Nansum(NumpyFunction):
    """y = Σ x over the axes, nan counted as 0; dy/dx = 1 where x is not nan, else 0"""

    node_name = "NansumBackward0"

    @staticmethod
    @_quiet
    def forward(ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> Any:
        _remember_shapes(ctx, x, axes)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(_const((~np.isnan(x)).astype(x.dtype)))
        if x.dtype.char == "e":  # in float32, rounded once (sum_np)
            y = np.nansum(x, axis=axes, dtype=np.float32, keepdims=keepdim).astype(x.dtype)
            return _c_order(y)
        return _c_order(np.nansum(x, axis=axes, dtype=_wide(x), keepdims=keepdim))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (kept,) = ctx.saved_tensors
        return _expand_grad(grad, ctx) * kept, None, None


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """``sum`` with every nan counted as zero."""
    input, cast = _in_dtype(input, dtype)
    if input._data.dtype.kind != "f":
        return _as_bool_if(_checked(sum(input, dim, keepdim), cast), dtype)
    return _checked(Nansum.apply(input, _axes(input, dim), keepdim), cast)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The mean of the elements that are not nan (nan where there are none)."""
    if input._data.dtype.kind != "f":  # (checked before dtype, as in PyTorch)
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{dtype_name(input._data.dtype)}"
        )
    if dtype is not None and not dtype.is_floating_point:
        raise RuntimeError(
            "nanmean(): could not infer output dtype. Optional dtype must be either a "
            f"floating point or complex dtype. Got: {dtype_name(dtype.np)}"
        )
    total = nansum(input, dim, keepdim, dtype=dtype)  # (PyTorch's nanmean: nansum / count)
    count = _const((~np.isnan(input._data)).astype(total._data.dtype))
    return total / sum(count, dim, keepdim)


class _Cumulative(NumpyFunction):
    """(values, indices) of the running max/min along ``dim``; ties take the later index, a nan
    stays once met. The gradient of each output goes to the element it came from (summed)."""

    ufunc: Any = None

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, dim: int) -> Any:
        if x.ndim == 0:
            values, index = x.copy(), np.zeros((), np.int64)
            dim = 0
        else:
            with np.errstate(invalid="ignore"):
                values = cls.ufunc.accumulate(x, axis=dim)
                new = (x == values) | np.isnan(x) if x.dtype.kind == "f" else x == values
            shape = [1] * x.ndim
            shape[dim] = x.shape[dim]
            positions = np.where(new, np.arange(x.shape[dim]).reshape(shape), 0)
            index = np.maximum.accumulate(positions, axis=dim).astype(np.int64)
        ctx.dim = dim
        # The input and the indices output, as PyTorch's node saves them (freed by backward;
        # a write into either before backward is reported).
        ctx.save_for_backward(x, index)
        return values, index

    @staticmethod
    def backward(ctx: Any, grad: Tensor, *_: Any) -> tuple[Any, ...]:
        _, index = ctx.saved_tensors
        if grad.ndim == 0:
            return grad, None
        return scatter_add(grad.new_zeros(grad.shape), ctx.dim, index, grad), None


class Cummax(_Cumulative):
    node_name = "CummaxBackward0"
    ufunc = np.maximum


class Cummin(_Cumulative):
    node_name = "CumminBackward0"
    ufunc = np.minimum


def _cum_axis(input: Tensor, dim: Any, op: str) -> int:
    """cummax/cummin's dim: PyTorch returns an empty input's result before it checks dim, and
    words a 0-d input's error its own way."""
    x = input._data
    if x.ndim == 0 and isinstance(dim, int | np.integer) and dim not in (0, -1):
        raise IndexError(f"{op}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
    if x.size == 0 and isinstance(dim, int | np.integer) and not -x.ndim <= dim < x.ndim:
        return 0  # any axis: the result is as empty as the input
    return _int_dim(dim, x.ndim, op)


def cummax(input: Tensor, dim: int) -> Any:
    """(values, indices): the running maximum along ``dim`` and where each was found."""
    axis = _cum_axis(input, dim, "cummax")
    return _pair("cummax", Cummax.apply(input, axis))


def cummin(input: Tensor, dim: int) -> Any:
    """(values, indices): the running minimum along ``dim`` and where each was found."""
    axis = _cum_axis(input, dim, "cummin")
    return _pair("cummin", Cummin.apply(input, axis))


class Logcumsumexp(NumpyFunction):
    """y_i = log Σ_{k≤i} exp(x_k); dy_i/dx_k = exp(x_k - y_i) for k ≤ i"""

    @staticmethod
    @_quiet
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        y = x.copy() if x.ndim == 0 else _cumulative_np(np.logaddexp, x, dim)
        ctx.dim = dim
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        if grad.ndim == 0 or grad._data.size == 0:  # (an empty x: an empty gradient)
            return grad, None
        # Σ_{i≥k} g_i exp(x_k - y_i) as PyTorch computes it (so where an inf makes terms nan,
        # the same ones are): in logs, for the positive and the negative g apart, the sum
        # from the end as a reversed logcumsumexp.
        dim = ctx.dim
        lowest = np.finfo(grad._data.dtype).min

        def from_end(t: Tensor) -> Tensor:
            return logcumsumexp(t.flip(dim), dim).flip(dim)

        log_abs = grad.abs().log()
        positive = where(grad > 0, log_abs, lowest)
        negative = where(grad < 0, log_abs, lowest)
        return (from_end(positive - y) + x).exp() - (from_end(negative - y) + x).exp(), None


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log(cumsum(exp(input))) along ``dim``, computed without overflow."""
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{dtype_name(input._data.dtype)}'"
        )
    return Logcumsumexp.apply(input, _int_dim(dim, input._data.ndim, "logcumsumexp"))


class Kthvalue(_Select):
    node_name = "KthvalueBackward0"
    squeeze_dim = True

    @classmethod
    def pick(cls, x: np.ndarray, dim: int, k: int, keepdim: bool) -> np.ndarray:
        order = np.argsort(x, axis=dim, kind="stable")  # nan sorts last, as the largest
        picked = np.take(order, [k - 1], axis=dim)
        if x.ndim == 0:
            return picked
        # Among equal values PyTorch's quickselect picks an index of its own: the slices whose
        # k-th value is tied take it from a run of that algorithm (the others agree).
        value = np.take_along_axis(x, picked, dim)
        same = x == value
        if x.dtype.kind == "f":
            same |= np.isnan(x) & np.isnan(value)
        tied = np.moveaxis(same.sum(axis=dim, keepdims=True) > 1, dim, -1)[..., 0]
        if tied.any():
            rows, picked = np.moveaxis(x, dim, -1), np.moveaxis(picked, dim, -1).copy()
            for at in np.ndindex(tied.shape):
                if tied[at]:
                    row = (*at, 0)
                    picked[row] = _quickselect_index(rows[at].tolist(), k - 1)
            picked = np.moveaxis(picked, -1, dim)
        return picked


def _quickselect_index(values: list[Any], k: int) -> int:
    """The index that PyTorch's CPU kthvalue reports for ``values``' (k+1)-th smallest: its
    quick_select_template (median-of-three pivot, Hoare partition; nan largest), replayed."""

    def greater(a: Any, b: Any) -> bool:  # (nan counts as greater than any number)
        return (a != a and b == b) or a > b

    idx = list(range(len(values)))

    def swap(i: int, j: int) -> None:
        values[i], values[j] = values[j], values[i]
        idx[i], idx[j] = idx[j], idx[i]

    low, high = 0, len(values) - 1
    while high > low:
        if high == low + 1:
            if greater(values[low], values[high]):
                swap(low, high)
            break
        swap(low + (high - low) // 2, low + 1)  # the median of three as the pivot, at low
        if greater(values[low + 1], values[high]):
            swap(low + 1, high)
        if greater(values[low], values[high]):
            swap(low, high)
        if greater(values[low + 1], values[low]):
            swap(low + 1, low)
        i, j, pivot = low + 1, high, values[low]
        while True:
            i += 1
            while greater(pivot, values[i]):
                i += 1
            j -= 1
            while greater(values[j], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(low, j)
        if j <= k:
            low = i
        if j >= k:
            high = j - 1
    return idx[k]


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """(values, indices) of the k-th smallest element along ``dim`` (k counts from 1)."""
    axis = _int_dim(dim, input._data.ndim, "kthvalue")
    _check_nonempty(input, (axis,), "kthvalue", IndexError)
    n = input._data.shape[axis] if input._data.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    if input._data.dtype.kind == "b" and input._data.ndim:  # (a 0-d one is copied)
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    return _pair("kthvalue", Kthvalue.apply(input, axis, k, keepdim))


class Mode(_Select):
    node_name = "ModeBackward0"
    squeeze_dim = True

    @classmethod
    def pick(cls, x: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
        # The most frequent value (the smallest among equally frequent), at the position
        # PyTorch's kernel reports: the last of its run after an unstable std::sort, which
        # _cxx_sort replays (on a row of distinct values the smallest wins, at its place).
        moved = np.moveaxis(x, dim, -1)
        rows = moved.reshape(-1, moved.shape[-1])
        picks = np.empty(rows.shape[0], np.int64)
        for r, row in enumerate(rows):
            picks[r] = _cxx_sort.mode_pick(row.tolist())[1]
        return np.moveaxis(picks.reshape((*moved.shape[:-1], 1)), -1, dim)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """(values, indices): the most frequent value along ``dim`` and its last position."""
    axis = _int_dim(dim, input._data.ndim, "mode")
    _check_nonempty(input, (axis,), "mode", IndexError)
    return _pair("mode", Mode.apply(input, axis, keepdim))


class NanmedianDim(_Select):
    node_name = "NanmedianBackward1"
    squeeze_dim = True

    @classmethod
    def pick(cls, x: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
        order = np.argsort(x, axis=dim, kind="stable")  # nans last
        valid = (~np.isnan(x)).sum(axis=dim, keepdims=True) if x.dtype.kind == "f" else None
        if valid is None:
            return np.take(order, [(x.shape[dim] - 1) // 2], axis=dim)
        position = np.maximum(valid - 1, 0) // 2  # an all-nan slice: its first element
        return np.take_along_axis(order, position, dim)


def nanmedian(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """``median`` ignoring nans (nan only where a slice holds nothing else)."""
    if dim is None:
        _refuse_bool(input, dim)
        return NanmedianAll.apply(input)
    axis = _int_dim(dim, input._data.ndim, "nanmedian")
    _check_nonempty(input, (axis,), "median", IndexError)  # PyTorch's wording
    _refuse_bool(input, dim)
    return _pair("nanmedian", NanmedianDim.apply(input, axis, keepdim))


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(
    input: Tensor, q: Any, dim: Any, keepdim: bool, interpolation: str, op: str, ignore_nan: bool
) -> Tensor:
    """PyTorch's quantile, step for step (so its values, rounding included, and its graph are
    PyTorch's): sort along the reduced dim moved last, ranks q (n - 1) in the input's dtype, the
    values at the ranks below and above gathered, lerp_ between them, then squeeze_."""
    T = Tensor
    op = "quantile"  # nanquantile's errors name quantile too (one kernel in PyTorch)
    if not isinstance(q, T) and not 0 <= q <= 1:
        raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {builtins.float(q)}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{op}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
            f"but got {interpolation}"
        )
    x = input._data
    if x.size == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    if isinstance(q, T) and q._data.ndim > 1:
        raise RuntimeError(f"{op}() q must be a scalar or 1D tensor")
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype")
    if isinstance(q, T) and q._data.dtype != x.dtype:
        raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor")
    qt = q if isinstance(q, T) else _const(np.asarray(q, x.dtype))
    if isinstance(q, T) and q._data.size and ((q._data < 0) | (q._data > 1)).any():
        raise RuntimeError(f"{op}() q values must be in the range [0, 1]")
    if dim is None:
        out_shape = [1] * x.ndim if keepdim else []
        ordered = input.flatten().sort().values
    else:
        axis = _int_dim(dim, x.ndim, op)
        out_shape = list(x.shape)
        if x.ndim:
            if keepdim:
                out_shape[axis] = 1
            else:
                del out_shape[axis]
        if axis == x.ndim - 1:  # (PyTorch sorts the last dim in place; others moved there)
            ordered = input.sort().values
        else:
            ordered = input.unsqueeze(-1).transpose(axis, -1).sort().values
    n = ordered._data.shape[-1]
    ordered = ordered.view((*out_shape, n))
    if ignore_nan:
        # a slice of nans only: rank 0 (a nan)
        ranks = qt * (ordered.isnan().logical_not_().sum(-1, True) - 1)
        ranks.masked_fill_(ranks < 0, 0)
    else:
        # a slice with a nan: the last rank (a nan, sorted last)
        scaled, has_nan = broadcast_tensors(qt * (n - 1), ordered.isnan().any(-1, True))
        ranks = scaled.masked_fill(has_nan, n - 1)
    if interpolation == "lower":
        ranks.floor_()
    elif interpolation == "higher":
        ranks.ceil_()
    elif interpolation == "nearest":
        ranks.round_()  # halves to even
    ranks_below = ranks.long()
    values = ordered.gather(-1, ranks_below)
    if interpolation in ("linear", "midpoint"):
        weights = _const(np.full_like(ranks._data, 0.5)) if interpolation == "midpoint" else None
        if weights is None:
            weights = ranks - ranks_below
        above = ordered.gather(-1, ranks.ceil_().long())
        values.lerp_(above, weights)
    if qt._data.ndim == 0:
        return values.squeeze_(-1)
    return values.unsqueeze_(0).transpose_(0, -1).squeeze_(-1)


def quantile(
    input: Tensor,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """The q-th quantiles of ``input`` (all of it, or along ``dim``); q is a number or a 1-D
    tensor in [0, 1], whose dim comes first in the result. nan if a slice holds a nan."""
    return _quantile(input, q, dim, keepdim, interpolation, "quantile", ignore_nan=False)


def nanquantile(
    input: Tensor,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """``quantile`` ignoring nans (nan only where a slice holds nothing else)."""
    return _quantile(input, q, dim, keepdim, interpolation, "nanquantile", ignore_nan=True)


class _MinMax(tuple):
    """``aminmax``'s (min, max) pair, printed as PyTorch's ``torch.return_types.aminmax``."""

    __slots__ = ()
    n_fields = 2

    @property
    def min(self) -> Any:
        return self[0]

    @property
    def max(self) -> Any:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.aminmax(\nmin={self[0]!r},\nmax={self[1]!r})"


class Aminmax(NumpyFunction):
    """(min, max) = amin(x) and amax(x) over the axes in one node; each output's gradient is
    split evenly among its ties (nan weights where the result is nan), and the two are summed"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> Any:
        low = np.min(x, axis=axes, keepdims=True)
        high = np.max(x, axis=axes, keepdims=True)
        shape = _output_shape(x.shape, axes, keepdim)
        mn = _c_order(low.reshape(shape))
        mx = _c_order(high.reshape(shape))
        if ctx.needs_input_grad[0]:
            _remember_shapes(ctx, x, axes)
            # x and both outputs, as PyTorch's AminmaxBackward0 saves self, min and max: a write
            # into any of them before backward is reported.
            ctx.save_for_backward(
                x,
                mn,
                mx,
                _even_weights(x, low, axes, False),
                _even_weights(x, high, axes, False),
            )
        return mn, mx

    @staticmethod
    def backward(ctx: Any, grad_min: Tensor, grad_max: Tensor) -> tuple[Any, ...]:
        _, _, _, low, high = ctx.saved_tensors
        grad = _expand_grad(grad_min, ctx) * low + _expand_grad(grad_max, ctx) * high
        return grad, None, None


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """(min, max) of all elements, or along ``dim``: ``amin`` and ``amax`` in one call."""
    if dim is None and input._data.size == 0:
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
            "identity."
        )
    if dim is not None:
        axis = _int_dim(dim, input._data.ndim, "aminmax")
        _check_nonempty(input, (axis,), "aminmax", IndexError, prefix="aminmax")
    axes = _axes(input, () if dim is None else dim)
    return _MinMax(Aminmax.apply(input, axes, keepdim))


def msort(input: Tensor) -> Tensor:
    """``input`` sorted along its first dim."""
    return sort(input, 0).values


class ReductionMethods:
    """Tensor methods of the reductions."""

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return softmax(self, dim, dtype)  # type: ignore[arg-type]

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        return log_softmax(self, dim, dtype)  # type: ignore[arg-type]

    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return sum(self, dim, keepdim, dtype=dtype)  # type: ignore[arg-type]

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return mean(self, dim, keepdim, dtype=dtype)  # type: ignore[arg-type]

    def prod(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return prod(self, dim, keepdim, dtype=dtype)  # type: ignore[arg-type]

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        return max(self, dim, keepdim)  # type: ignore[arg-type]

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        return min(self, dim, keepdim)  # type: ignore[arg-type]

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return amax(self, dim, keepdim)  # type: ignore[arg-type]

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return amin(self, dim, keepdim)  # type: ignore[arg-type]

    def argmax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return argmax(self, dim, keepdim)  # type: ignore[arg-type]

    def argmin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return argmin(self, dim, keepdim)  # type: ignore[arg-type]

    def var(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: float | None = None,
    ) -> Tensor:
        return var(self, dim, unbiased, keepdim, correction=correction)  # type: ignore[arg-type]

    def std(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: float | None = None,
    ) -> Tensor:
        return std(self, dim, unbiased, keepdim, correction=correction)  # type: ignore[arg-type]

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return logsumexp(self, dim, keepdim)  # type: ignore[arg-type]

    def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor:
        return cumsum(self, dim, dtype=dtype)  # type: ignore[arg-type]

    def cumprod(self, dim: int, *, dtype: Any = None) -> Tensor:
        return cumprod(self, dim, dtype=dtype)  # type: ignore[arg-type]

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return all(self, dim, keepdim)  # type: ignore[arg-type]

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return any(self, dim, keepdim)  # type: ignore[arg-type]

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return count_nonzero(self, dim)  # type: ignore[arg-type]

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        return median(self, dim, keepdim)  # type: ignore[arg-type]

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool | None = False) -> Any:
        return sort(self, dim, descending, stable=stable)  # type: ignore[arg-type]

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
        return argsort(self, dim, descending, stable=stable)  # type: ignore[arg-type]

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        return topk(self, k, dim, largest, sorted)  # type: ignore[arg-type]

    # --- nan-aware and order statistics ---
    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return nansum(self, dim, keepdim, dtype=dtype)  # type: ignore[arg-type]

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
        return nanmean(self, dim, keepdim, dtype=dtype)  # type: ignore[arg-type]

    def nanmedian(self, dim: Any = None, keepdim: bool = False) -> Any:
        return nanmedian(self, dim, keepdim)  # type: ignore[arg-type]

    def quantile(
        self,
        q: Any,
        dim: int | None = None,
        keepdim: bool = False,
        *,
        interpolation: str = "linear",
    ) -> Tensor:
        return quantile(self, q, dim, keepdim, interpolation=interpolation)  # type: ignore[arg-type]

    def nanquantile(
        self,
        q: Any,
        dim: int | None = None,
        keepdim: bool = False,
        *,
        interpolation: str = "linear",
    ) -> Tensor:
        return nanquantile(self, q, dim, keepdim, interpolation=interpolation)  # type: ignore[arg-type]

    def cummax(self, dim: int) -> Any:
        return cummax(self, dim)  # type: ignore[arg-type]

    def cummin(self, dim: int) -> Any:
        return cummin(self, dim)  # type: ignore[arg-type]

    def logcumsumexp(self, dim: int) -> Tensor:
        return logcumsumexp(self, dim)  # type: ignore[arg-type]

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return kthvalue(self, k, dim, keepdim)  # type: ignore[arg-type]

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        return mode(self, dim, keepdim)  # type: ignore[arg-type]

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:
        return aminmax(self, dim=dim, keepdim=keepdim)  # type: ignore[arg-type]

    def msort(self) -> Tensor:
        return msort(self)  # type: ignore[arg-type]

    def cumsum_(self, dim: int, *, dtype: Any = None) -> Tensor:
        return self._inplace(lambda s: cumsum(s, dim, dtype=dtype))  # type: ignore[attr-defined]

    def cumprod_(self, dim: int, *, dtype: Any = None) -> Tensor:
        return self._inplace(lambda s: cumprod(s, dim, dtype=dtype))  # type: ignore[attr-defined]
