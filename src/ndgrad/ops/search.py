"""Searching, counting and comparing whole tensors: nonzero/argwhere, unique,
unique_consecutive, searchsorted/bucketize, bincount, histc, isin, allclose, equal.

None of these is differentiable (their results are indices, counts, booleans or, for histc,
a histogram that is piecewise constant in the input), so each is plain numpy on the data; a
result never requires grad, as in PyTorch.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _errors
from .._creation import _linspace_values, as_tensor
from .._namespace import public_dir
from .._tensor import Tensor
from ..dtypes import INT_RANGES, checked_type_name, wrap_int
from ._util import as_operand, dtype_name, require_tensor, wrap_dim
from .arithmetic import NumpyFunction

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "allclose",
    "argwhere",
    "bincount",
    "bucketize",
    "equal",
    "histc",
    "histogram",
    "histogramdd",
    "isin",
    "nonzero",
    "searchsorted",
    "unique",
    "unique_consecutive",
]
__dir__ = public_dir(__name__)


def _const(array: Any) -> Tensor:
    return Tensor._make(np.asarray(array))


def _operand_tensor(x: Any, op: str) -> Tensor:
    """A tensor, or a Python number as a 0-d tensor (where PyTorch takes a Scalar too)."""
    x = as_operand(x, op)
    return x if isinstance(x, Tensor) else as_tensor(x)


# --- nonzero ---------------------------------------------------------------------------------
def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, or one 1-D tensor per
    dim with ``as_tuple=True`` (a 0-d input counts as 1-D there, as in PyTorch)."""
    require_tensor(input, "nonzero")
    x = input._data
    if as_tuple:
        return tuple(_const(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(x)))
    if x.ndim == 0:
        return _const(np.zeros((int(x != 0), 0), np.int64))
    # (n, ndim), laid out as PyTorch's: one index per dim after another (strides (1, n))
    return _const(np.array(np.nonzero(x), dtype=np.int64).T)


def argwhere(input: Tensor) -> Tensor:
    """``nonzero(input)``: an (n, ndim) tensor of the indices of the nonzero elements."""
    require_tensor(input, "argwhere")
    return nonzero(input)


# --- unique ----------------------------------------------------------------------------------
class _Unique(NumpyFunction):
    """The distinct values: PyTorch records the op (so the values require grad when the input
    does) and has no derivative for it; backward raises PyTorch's error."""

    kernel = "_unique2"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, values: np.ndarray) -> np.ndarray:
        return values

    @classmethod
    def backward(cls, ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        raise NotImplementedError(f"the derivative for '{cls.kernel}' is not implemented.")


class Unique2(_Unique):
    forward_ad_refusal = _errors.no_forward_ad_yet("_unique2")
    node_name = "Unique2Backward0"


class UniqueDim(_Unique):
    forward_ad_refusal = _errors.no_forward_ad_yet("unique_dim")
    node_name = "UniqueDimBackward0"
    kernel = "unique_dim"


class UniqueConsecutive(_Unique):
    forward_ad_refusal = _errors.no_forward_ad_yet("unique_consecutive")
    node_name = "UniqueConsecutiveBackward0"
    kernel = "unique_consecutive"


def _unique_dim(x: np.ndarray, dim: int) -> int:
    """``dim`` wrapped, with PyTorch's checks: a 0-d input has no dim at all, and no dim may
    be empty but the selected one."""
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, x.ndim)
    if x.shape[d] and 0 in x.shape:
        raise RuntimeError(
            "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied"
        )
    if x.shape.count(0) > 1:  # (PyTorch's message ends with a space)
        raise RuntimeError(
            "Number of zero sized dimensions is more than one, so unique cannot be applied "
        )
    return d


def _dim_first(values: np.ndarray, d: int) -> np.ndarray:
    """``values`` in a new array laid out as PyTorch's unique along ``d`` leaves it: the slices
    along d one after another (dim d outermost in memory), so not contiguous for d > 0."""
    return np.moveaxis(np.moveaxis(values, d, 0).copy(), 0, d)  # (copy: canonical strides)


def _unique_result(
    fn: type[_Unique], input: Tensor, values: Any, inverse: Any, counts: Any, ri: bool, rc: bool
) -> Any:
    out = [fn.apply(input, values) if input._data.dtype.kind in "fc" else _const(values)]
    if ri:
        out.append(_const(inverse.astype(np.int64)))
    if rc:
        out.append(_const(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct elements (or, with ``dim``, the distinct slices along dim), sorted.

    PyTorch sorts on the CPU whatever ``sorted`` says, and so does this. NaNs are never equal, so
    each is its own element. ``return_inverse`` gives, for each element (slice), the index of its
    value in the result; ``return_counts`` how often each value occurs.
    """
    require_tensor(input, "unique")
    x = input._data
    if dim is None:
        values, inverse, counts = np.unique(
            x.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False
        )
        inverse = inverse.reshape(x.shape)
        return _unique_result(
            Unique2, input, values, inverse, counts, return_inverse, return_counts
        )
    d = _unique_dim(x, dim)
    moved = np.moveaxis(x, d, 0)
    if moved.shape[0] == 0:
        empty = np.zeros(0, np.int64)
        return _unique_result(
            UniqueDim, input, x.copy(), empty, empty, return_inverse, return_counts
        )
    rows = moved.reshape(moved.shape[0], -1)
    order = np.lexsort(rows.T[::-1]) if rows.shape[1] else np.arange(rows.shape[0])
    sorted_rows = rows[order]
    new = np.ones(len(order), bool)
    new[1:] = np.any(sorted_rows[1:] != sorted_rows[:-1], axis=1)
    group = np.cumsum(new) - 1
    inverse = np.empty(len(order), np.int64)
    inverse[order] = group
    counts = np.bincount(group)
    values = _dim_first(np.moveaxis(moved[order[new]], 0, d), d)
    return _unique_result(UniqueDim, input, values, inverse, counts, return_inverse, return_counts)


def unique_consecutive(
    input: Tensor,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """Drop each element (slice along ``dim``) equal to the one before it, as ``uniq`` does."""
    require_tensor(input, "unique_consecutive")
    x = input._data
    if dim is None:
        flat, d, shape = x.reshape(-1, 1), 0, x.shape
    else:
        d = _unique_dim(x, dim)
        moved = np.moveaxis(x, d, 0)
        flat, shape = moved.reshape(moved.shape[0], -1 if moved.size else 0), (moved.shape[0],)
    n = flat.shape[0]
    new = np.ones(n, bool)
    if n:
        new[1:] = np.any(flat[1:] != flat[:-1], axis=1)
    group = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, n))
    values = x.reshape(-1)[starts] if dim is None else _dim_first(np.take(x, starts, axis=d), d)
    inverse = group.reshape(shape)
    return _unique_result(
        UniqueConsecutive, input, values, inverse, counts, return_inverse, return_counts
    )


# --- searchsorted, bucketize -----------------------------------------------------------------
def _side(side: str | None, right: bool) -> str:
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise RuntimeError(
            f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
        )
    if right and side == "left":
        raise RuntimeError(
            "torch.searchsorted(): side and right can't be set to opposites, got side of left "
            "while right was True"
        )
    return side


def _search(boundaries: np.ndarray, values: np.ndarray, side: str, int32: bool) -> Tensor:
    dt = np.int32 if int32 else np.int64
    if boundaries.ndim == 1:
        found = np.searchsorted(boundaries, values, side=side)  # type: ignore[call-overload]
        return _const(np.asarray(found, dtype=dt))
    rows_b = boundaries.reshape(-1, boundaries.shape[-1])
    rows_v = values.reshape(-1, values.shape[-1])
    found = np.stack(
        [np.searchsorted(b, v, side=side) for b, v in zip(rows_b, rows_v, strict=True)]  # type: ignore[call-overload]
    )
    return _const(found.reshape(values.shape).astype(dt))


def searchsorted(
    sorted_sequence: Tensor,
    input: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """Where each value would be inserted into the sorted last dim of ``sorted_sequence``.

    ``sorted_sequence`` is 1-D, or has the same leading dims as ``input`` (one sorted row per
    row of values). ``right``/``side='right'`` gives the index after equal elements.
    """
    require_tensor(sorted_sequence, "searchsorted", "sorted_sequence")
    s = _side(side, right)
    values = _operand_tensor(input, "searchsorted")._data
    bounds = sorted_sequence._data
    _refuse_bool_search(values, bounds)
    if sorter is not None:
        bounds = np.take_along_axis(bounds, sorter._data.astype(np.int64), axis=-1)
    if bounds.ndim != 1 and (values.ndim == 0 or bounds.shape[:-1] != values.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(bounds.shape)} and input value tensor "
            f"{list(values.shape)}"
        )
    return _search(bounds, values, s, out_int32)


def bucketize(
    input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False
) -> Tensor:
    """The bucket of each value between the 1-D sorted ``boundaries``: i such that
    ``boundaries[i-1] < x <= boundaries[i]`` (``<=``, ``<`` with ``right=True``)."""
    require_tensor(boundaries, "bucketize", "boundaries", 2)
    if boundaries._data.ndim != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})"
        )
    values = _operand_tensor(input, "bucketize")._data
    _refuse_bool_search(values, boundaries._data)
    return _search(boundaries._data, values, "right" if right else "left", out_int32)


def _refuse_bool_search(values: np.ndarray, boundaries: np.ndarray) -> None:
    """PyTorch's searchsorted kernel has no bool version: it dispatches on the common dtype of
    values and boundaries (bool only when both are), when there are values to look up."""
    if values.dtype == np.bool_ and boundaries.dtype == np.bool_ and values.size:
        raise NotImplementedError("\"searchsorted_out_cpu\" not implemented for 'Bool'")


# --- counting --------------------------------------------------------------------------------
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ... occurs in the 1-D non-negative integer ``input``
    (the sum of ``weights`` at its positions, with weights)."""
    require_tensor(input, "bincount")
    x = input._data
    if x.dtype.kind not in "iu":  # (bool too)
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{dtype_name(x.dtype)}'")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None or not x.size:  # (PyTorch: an empty input gives int64 counts, weights
        # or not, whatever their length)
        return _const(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    dt = np.float32 if w.dtype == np.float32 else np.float64  # PyTorch: float stays, else double
    return _const(np.bincount(x, weights=w, minlength=minlength).astype(dt))


def histc(input: Tensor, bins: int = 100, min: Any = 0, max: Any = 0) -> Tensor:
    """A histogram of ``bins`` equal bins between min and max (the data's range if they are
    equal); elements outside are ignored, an element equal to max falls in the last bin."""
    require_tensor(input, "histc")
    x = input._data
    # PyTorch's order: the bins, the range as doubles (the data's if min == max; printed as
    # C++ prints them: 0, 1e+20), then the bin edges made by linspace in the input's dtype
    # (bool: not implemented; integers: an edge outside the dtype's range overflows, compared
    # as doubles), then the histogram's dtype
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    for bound in (min, max):
        if isinstance(bound, builtins.int) and not isinstance(bound, builtins.bool):
            wrap_int(bound, np.dtype(np.int64))  # (a Python int PyTorch cannot read)
    lo, hi = builtins.float(min), builtins.float(max)
    if lo == hi and x.size:
        lo, hi = builtins.float(x.min()), builtins.float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if x.dtype.kind == "b":
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    if x.dtype.kind != "f":
        low, high = INT_RANGES[x.dtype.char]
        if lo < builtins.float(low) or hi > builtins.float(high):
            raise RuntimeError(
                f"value cannot be converted to type {checked_type_name(x.dtype)} without overflow"
            )
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{dtype_name(x.dtype)}'")
    inside = x[(x >= lo) & (x <= hi)].astype(np.float64)
    index = np.minimum(((inside - lo) * bins / (hi - lo)).astype(np.int64), bins - 1)
    return _const(np.bincount(index, minlength=bins).astype(x.dtype))


class _Histogram(tuple):
    """(hist, bin_edges), printed as PyTorch's ``torch.return_types.histogram``."""

    __slots__ = ()
    n_fields = 2

    @property
    def hist(self) -> Any:
        return self[0]

    @property
    def bin_edges(self) -> Any:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.histogram(\nhist={self[0]!r},\nbin_edges={self[1]!r})"


def histogram(
    input: Tensor,
    bins: Any = 100,
    *,
    range: Any = None,
    weight: Tensor | None = None,
    density: bool = False,
) -> Any:
    """(hist, bin_edges): counts (or weights, or a density) of ``input`` in ``bins`` equal bins
    over ``range`` (the data's range by default), or in the bins a tensor of edges gives."""
    require_tensor(input, "histogram")
    x = input._data
    if isinstance(bins, Tensor) and bins._data.dtype != x.dtype:
        names = _errors.c_type_name(x.dtype), _errors.c_type_name(bins._data.dtype)
        raise RuntimeError(
            "torch.histogramdd: input tensor and bins tensors should have the same dtype, but "
            f"got input with dtype {names[0]} and bins for dimension 0 with dtype {names[1]}"
        )
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{dtype_name(x.dtype)}'")
    w = None if weight is None else weight._data
    if isinstance(bins, Tensor):
        hist, out_edges = np.histogram(
            x.reshape(-1),
            bins._data,
            weights=None if w is None else w.reshape(-1),
            density=density,
        )
        return _Histogram((_const(hist.astype(x.dtype)), _const(out_edges.astype(x.dtype))))
    return _Histogram(_equal_bins(x.reshape(-1), int(bins), range, w, density))


def _cpp(v: float) -> str:
    return f"{v:g}"  # (a double as C++'s << prints it)


def _equal_bins(x: np.ndarray, bins: int, range: Any, w: Any, density: bool) -> tuple[Any, ...]:
    """PyTorch's histogram of ``bins`` equal bins (its histogramdd kernel): the range (the data's
    by default, [0, 1] for no data, widened by 0.5 each way when empty), edges by its linspace,
    then each element's bin from its position, corrected by one against the edges."""
    if range is not None:
        lo, hi = (builtins.float(v) for v in range)
    elif x.size:
        lo, hi = builtins.float(np.min(x)), builtins.float(np.max(x))  # (nan if one is)
    else:
        lo, hi = 0.0, 1.0
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(
            f"torch.histogramdd: dimension 0's range [{_cpp(lo)}, {_cpp(hi)}] is not finite"
        )
    if lo > hi:
        raise RuntimeError(
            f"torch.histogramdd: min should not exceed max, but got min {_cpp(lo)} max "
            f"{_cpp(hi)} for dimension 0"
        )
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = _linspace_values(lo, hi, bins + 1, x.dtype)
    first, last = edges[0], edges[-1]
    inside = (x >= first) & (x <= last)
    v = x[inside]
    pos = ((v - first) * x.dtype.type(bins) / (last - first)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    pos -= edges[pos] > v  # one bin down or up where the computed edges disagree
    pos += (pos < bins - 1) & (edges[np.minimum(pos + 1, bins)] <= v)
    weights = None if w is None else w.reshape(-1)[inside]
    hist = np.bincount(pos, weights=weights, minlength=bins).astype(x.dtype)
    if density:
        hist = hist / (hist.sum() * np.diff(edges))
    return _const(hist.astype(x.dtype)), _const(edges)


class _Histogramdd(_Histogram):
    """(hist, bin_edges), printed as PyTorch's ``torch.return_types.histogramdd``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.return_types.histogramdd(\nhist={self[0]!r},\nbin_edges={self[1]!r})"


def histogramdd(
    input: Tensor,
    bins: Any = 10,
    *,
    range: Any = None,
    weight: Tensor | None = None,
    density: bool = False,
) -> Any:
    """(hist, bin_edges): the D-dimensional histogram of the points in ``input`` (..., D);
    ``bins`` is a count for every dimension, one count per dimension, or one tensor of edges
    per dimension; ``range`` is [min0, max0, min1, max1, ...]."""
    require_tensor(input, "histogramdd")
    x = input._data
    if x.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{dtype_name(x.dtype)}'")
    D = x.shape[-1]
    points = x.reshape(-1, D)
    if isinstance(bins, int | np.integer):
        spec: list[Any] = [int(bins)] * D
    else:
        spec = [b._data if isinstance(b, Tensor) else int(b) for b in bins]
        if len(spec) != D:
            raise RuntimeError(
                "histogramdd: The size of bins must be equal to the innermost dimension of the "
                "input."
            )
    ranges = None
    if range is not None:
        r = [float(v) for v in range]
        if len(r) != 2 * D:
            raise RuntimeError(
                f"torch.histogramdd: for a {D}-dimensional histogram range should have {2 * D} "
                f"elements, but got {len(r)}"
            )
        ranges = [(r[2 * i], r[2 * i + 1]) for i in builtins.range(D)]
    w = None
    if weight is not None:
        if weight._data.shape != x.shape[:-1]:
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided it should have the same shape "
                "as the input tensor excluding its innermost dimension, but got input with shape "
                f"{list(x.shape)} and weight with shape {list(weight._data.shape)}"
            )
        w = weight._data.reshape(-1)
    hist, edges = np.histogramdd(points, spec, range=ranges, weights=w, density=density)
    out_edges = tuple(_const(e.astype(x.dtype)) for e in edges)
    return _Histogramdd((_const(hist.astype(x.dtype)), out_edges))


def isin(
    elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False
) -> Tensor:
    """A bool tensor of ``elements``' shape: whether each element occurs in ``test_elements``."""
    e = _operand_tensor(elements, "isin")._data
    t = _operand_tensor(test_elements, "isin")._data
    if e.dtype == np.bool_ or t.dtype == np.bool_:
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    return _const(np.isin(e, t, assume_unique=assume_unique, invert=invert))


# --- whole-tensor comparisons ----------------------------------------------------------------
def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """``|input - other| <= atol + rtol * |other|`` everywhere (broadcast), as a Python bool.

    Both tensors must have the same dtype, as in PyTorch ("Float did not match Long").
    """
    require_tensor(input, "allclose")
    require_tensor(other, "allclose", "other", 2)
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{dtype_name(a.dtype)} did not match {dtype_name(b.dtype)}")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise _errors.broadcast_mismatch(a.shape, b.shape) from None
    return builtins.bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and the same values (NaN is not equal to NaN);
    the dtypes may differ, as in PyTorch."""
    require_tensor(input, "equal")
    require_tensor(other, "equal", "other", 2)
    a, b = input._data, other._data
    if a.shape != b.shape:
        return False
    return builtins.bool(np.array_equal(a, b))


class SearchMethods:
    """Tensor methods of the searching and counting ops."""

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        return nonzero(self, as_tuple=as_tuple)  # type: ignore[arg-type]

    def argwhere(self) -> Tensor:
        return argwhere(self)  # type: ignore[arg-type]

    def unique(
        self,
        sorted: bool = True,
        return_inverse: bool = False,
        return_counts: bool = False,
        dim: int | None = None,
    ) -> Any:
        return unique(self, sorted, return_inverse, return_counts, dim)  # type: ignore[arg-type]

    def unique_consecutive(
        self, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
    ) -> Any:
        return unique_consecutive(self, return_inverse, return_counts, dim)  # type: ignore[arg-type]

    def bincount(self, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
        return bincount(self, weights, minlength)  # type: ignore[arg-type]

    def histogram(
        self,
        bins: Any = 100,
        *,
        range: Any = None,
        weight: Tensor | None = None,
        density: bool = False,
    ) -> Any:
        return histogram(self, bins, range=range, weight=weight, density=density)  # type: ignore[arg-type]

    def histc(self, bins: int = 100, min: Any = 0, max: Any = 0) -> Tensor:
        return histc(self, bins, min, max)  # type: ignore[arg-type]

    def allclose(
        self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> bool:
        return allclose(self, other, rtol, atol, equal_nan)  # type: ignore[arg-type]

    def equal(self, other: Tensor) -> bool:
        return equal(self, other)  # type: ignore[arg-type]
