"""Indexing: ``x[key]``, ``x[key] = v``, gather/scatter, index_select, masked ops, take.

A PyTorch key is applied in two steps, as PyTorch applies it: first the basic part (ints,
slices, None, ...), which gives a view (select/slice/unsqueeze in ops/shape.py), then the
advanced part (integer and boolean index tensors) on that view, which gives a copy. The ints
being applied first is why ``x[0, :, [0, 1]]`` has shape (3, 2) here and in PyTorch but (2, 3)
in numpy.

The advanced ops share two Functions over a "composite key" ``(basic, advanced)``:
``Index`` reads ``x[basic][advanced]`` and its backward adds the gradient back at those positions
(``np.add.at``, so repeated indices accumulate); ``IndexPut`` writes values there. ``x[key]``
itself is ``GetItem``, an ``Index`` whose result is laid out in memory as PyTorch's is.

``x[key] = v`` writes into x's storage. When recorded, x takes over the write's node, whose
backward sends the gradient to x's old values (zero where overwritten) and to v (summed over
broadcasting). A write into a view of a graph tensor is recorded on the base instead
(``Tensor._inplace`` and autograd/_views.py), as PyTorch's CopySlices does.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _errors
from .._errors import py_type_name
from .._layout import iter_order
from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd._tangents import tangent_of, write_tangent
from ..autograd._views import fill_expanded, rebase_history
from ..autograd.grad_mode import _state
from ..dtypes import checked_scalar, python_number, rounded_to
from ._util import dtype_name, wrap_dim
from .arithmetic import NumpyFunction, _copy_like_torch, where
from .shape import (
    Alias,
    IndexUnsqueeze,
    Select,
    Slice,
    _as_view,
    _diagonal_view,
    _selects_all,
    _view_key,
    cat,
    expand,
    expanded_strides,
    index_view,
)

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "diagonal_scatter",
    "gather",
    "index_add",
    "index_copy",
    "index_fill",
    "index_put",
    "index_reduce",
    "index_select",
    "masked_fill",
    "masked_scatter",
    "masked_select",
    "put",
    "repeat_interleave",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "select_scatter",
    "slice_scatter",
    "take",
    "take_along_dim",
]
__dir__ = public_dir(__name__)

# (basic numpy key ending in Ellipsis, advanced numpy key or None)
Key = tuple[tuple[Any, ...], tuple[Any, ...] | None]
_ALL: tuple[Any, ...] = (Ellipsis,)

_INT_INDEX = (np.dtype(np.int64), np.dtype(np.int32))
_BAD_INDEX_DTYPE = "tensors used as indices must be long, int, byte or bool tensors"


def _get(a: np.ndarray, key: Key) -> np.ndarray:
    basic, adv = key
    view = a[basic]
    return view if adv is None else view[adv]


def _shape_of(shape: tuple[int, ...], key: Key) -> tuple[int, ...]:
    """The shape of ``x[key]`` for x of ``shape``, computed on a zero-stride stand-in."""
    return _get(np.broadcast_to(np.empty((), np.bool_), shape), key).shape


# --- the shared Functions --------------------------------------------------------------------


def _save_indices(ctx: Any, key: Key) -> None:
    """Save a key's index arrays, as PyTorch saves index tensors: a second backward through the
    node without retain_graph then raises, as PyTorch's does (``_indices_alive``)."""
    ctx.key = key
    if key[1] is not None:
        ctx.save_for_backward(*(a for a in key[1] if isinstance(a, np.ndarray)))


def _indices_alive(ctx: Any) -> None:
    if ctx.key[1] is not None:
        ctx.saved_tensors  # noqa: B018  (raises once backward has freed them)


def _view_strides(
    shape: tuple[int, ...], strides: tuple[int, ...], new: tuple[int, ...]
) -> list[int]:
    """The strides PyTorch gives ``view(new)`` of a tensor (only size-1 dims are added here)."""
    if not shape:
        return [1] * len(new)
    out = [0] * len(new)
    view_d = len(new) - 1
    base = strides[-1]
    tensor_numel = view_numel = 1
    for d in range(len(shape) - 1, -1, -1):
        tensor_numel *= shape[d]
        if d == 0 or (shape[d - 1] != 1 and strides[d - 1] != tensor_numel * base):
            while view_d >= 0 and (view_numel < tensor_numel or new[view_d] == 1):
                out[view_d] = view_numel * base
                view_numel *= new[view_d]
                view_d -= 1
            if d > 0:
                base = strides[d - 1]
                tensor_numel = view_numel = 1
    return out


def _c_strided(a: np.ndarray) -> bool:
    """C-contiguous with C strides on size-1 dims too (which the sort below reads)."""
    if not a.flags.c_contiguous:
        return False
    expected = a.itemsize
    for n, st in zip(reversed(a.shape), reversed(a.strides), strict=True):
        if st != expected:
            return False
        expected *= n
    return True


def _index_order(x: np.ndarray, adv: tuple[Any, ...]) -> list[int] | None:
    """The dims of ``x[adv]`` from the slowest in memory to the fastest, as PyTorch lays out
    an advanced-indexing result; None for C order.

    PyTorch (TensorIterator) allocates the result following the strides of its inputs: x with
    the indexed dims replaced by the index shape at stride 0 (indexed dims that are not adjacent
    first moved to the front), and the index tensors broadcast to that shape. Dims are sorted by
    stride, input by input, a dim that is repeated (stride 0) in an input deferring to the next
    input, by an insertion sort that keeps the C order where nothing decides.
    """
    ndim = x.ndim
    entries = list(adv) + [slice(None)] * (ndim - len(adv))
    indexed = [i for i, e in enumerate(entries) if isinstance(e, np.ndarray)]
    if indexed == list(range(indexed[0], indexed[-1] + 1)):
        order = list(range(ndim))
        if _c_strided(x) and all(_c_strided(entries[i]) for i in indexed):
            return None  # every input is in C order
    else:  # PyTorch moves the indexed dims to the front
        order = indexed + [i for i in range(ndim) if i not in indexed]
    shape = [x.shape[i] for i in order]
    strides = [x.strides[i] // x.itemsize for i in order]
    arrays = [entries[i] for i in order if isinstance(entries[i], np.ndarray)]
    picked = np.broadcast_shapes(*(a.shape for a in arrays))
    before = next(j for j, i in enumerate(order) if isinstance(entries[i], np.ndarray))
    after = ndim - before - len(arrays)
    sizes = [*shape[:before], *picked, *shape[before + len(arrays) :]]
    full = tuple([1] * before + list(picked) + [1] * after)
    operands = [[*strides[:before], *[0] * len(picked), *strides[before + len(arrays) :]]]
    for a in arrays:
        st = a.strides if a.shape == picked else expanded_strides(a, picked)
        operands.append(_view_strides(picked, tuple(s // a.itemsize for s in st), full))
    # A size-1 operand dim is repeated where the result's is not.
    operand_sizes = [sizes, *([full] * len(arrays))]
    for op, sz in zip(operands, operand_sizes, strict=True):
        for d, n in enumerate(sz):
            if n == 1 and sizes[d] != 1:
                op[d] = 0

    # PyTorch's TensorIterator order over the result and the index arrays
    slowest_first = iter_order(sizes, operands)
    return None if slowest_first == list(range(len(sizes))) else slowest_first


def _laid_out(x: np.ndarray, key: Key) -> np.ndarray:
    """``x[key]`` in the memory order PyTorch gives it (``key``'s basic part selects all)."""
    result = _get(x, key)
    order = _index_order(x, key[1]) if result.size > 1 else None  # type: ignore[arg-type]
    if order is None:
        return np.asarray(result, order="C")
    out = np.empty([result.shape[d] for d in order], result.dtype)
    view = out.transpose(np.argsort(order))
    view[...] = result
    return view


class Index(NumpyFunction):
    """y = x[key]; dx = zeros with the gradient added at key (repeated indices accumulate)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, key: Key) -> np.ndarray:
        ctx.in_shape = x.shape
        _save_indices(ctx, key)
        return np.asarray(_get(x, key), order="C")  # x[key] itself is GetItem (its layout)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        _indices_alive(ctx)
        accumulate = _ACCUMULATE.get(type(ctx)._forward_cls, IndexAccumulate)
        return accumulate.apply(grad, ctx.key, ctx.in_shape), None


class GetItem(Index):
    """``x[key]`` with index tensors: Index, its result laid out in memory as PyTorch's is
    (``is_contiguous()`` and ``view()`` legality depend on it; numpy's own layout differs)."""

    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, key: Key) -> np.ndarray:
        ctx.in_shape = x.shape
        _save_indices(ctx, key)
        return _laid_out(x, key)


class IndexAccumulate(NumpyFunction):
    """y = zeros(shape) with g added at key; dy/dg = indexing at key (the backward of an index
    with tensors: PyTorch's _index_put_impl_ with accumulate)"""

    node_name = "IndexPutImplBackward0"
    # PyTorch's node lists the zeros it writes into (needing no gradient: None), then g; the
    # shape argument stands for them (a non-tensor, listed as None).
    _listed_inputs = (2, 0)

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, key: Key, shape: tuple[int, ...]) -> np.ndarray:
        ctx.key = key
        out = np.zeros(shape, g.dtype)
        basic, adv = key
        if adv is None:
            out[basic] = g
        else:
            np.add.at(out[basic], adv, g)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Index.apply(grad, ctx.key), None, None


class IndexPut(NumpyFunction):
    """y = x with y[key] = v (v broadcast); dx = the gradient zeroed at key, dv = grad[key]"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, key: Key, v: Any) -> np.ndarray:
        _save_indices(ctx, key)
        out = x.copy()
        basic, adv = key
        if adv is None:
            out[basic] = v
        elif out.size:  # (an empty x takes no write, whatever the index: index_copy, ...)
            out[basic][adv] = v
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        _indices_alive(ctx)
        need_x, _, need_v = ctx.needs_input_grad
        grad_x = IndexPut.apply(grad, ctx.key, 0.0) if need_x else None
        grad_v = Index.apply(grad, ctx.key) if need_v else None
        return grad_x, None, grad_v


class SetIndex(IndexPut):
    """IndexPut that writes into x's own storage (``x[key] = v``); the caller makes x the output.

    Nothing is saved, so the old values need no copy; saved uses of x see its version change.
    """

    node_name = "IndexPutBackward0"
    _listed_inputs: tuple[int, ...] | None = (0, 2)  # a number value too (PyTorch wraps it)

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, key: Key, v: Any) -> np.ndarray:
        _save_indices(ctx, key)
        basic, adv = key
        if adv is None:
            x[basic] = v
        elif x.size:  # (as IndexPut)
            x[basic][adv] = v
        return x


class CopySlices(SetIndex):
    """A write through a view of the tensor (what PyTorch records for ``x[0] = v``)."""

    node_name = "CopySlices"


class WholeCopy(SetIndex):
    """A write of the whole tensor (``x[...] = v``): PyTorch's copy_.

    No gradient reaches the old x: it is zeros, made outside any graph (as PyTorch's
    zeros_like), so under create_graph it does not require grad.
    """

    node_name = "CopyBackwards"

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_x, _, need_v = ctx.needs_input_grad
        grad_x = Tensor._make(np.zeros_like(grad._data)) if need_x else None
        return grad_x, None, (Index.apply(grad, ctx.key) if need_v else None)


class WholeFill(WholeCopy):
    """A write of one value into the whole tensor: PyTorch's fill_."""

    node_name = "FillBackward3"


class IndexAdd(NumpyFunction):
    """y = x with v added at key (repeated indices accumulate); dx = grad, dv = grad[key]"""

    keep_layout = False  # y in x's layout (a clone's, as index_put's) or contiguous

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, key: Key, v: np.ndarray) -> np.ndarray:
        ctx.key = key
        out = _copy_np(x) if cls.keep_layout else x.copy()
        basic, adv = key
        assert adv is not None
        target = out[basic]
        # v broadcast by hand: numpy 2.4's ufunc.at misreads a value it has to broadcast
        # along the leading dims of a multi-dim index (it reads past v's memory)
        np.add.at(target, adv, np.broadcast_to(v, _shape_of(target.shape, (_ALL, adv))))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_x, _, need_v = ctx.needs_input_grad
        return (grad if need_x else None), None, (Index.apply(grad, ctx.key) if need_v else None)


class IndexAddSource(NumpyFunction):
    """index_add: y = x with alpha * v added at key; dv = alpha * grad[key]. When v needs a
    gradient it saves v and the index, as PyTorch's IndexAddBackward0 does: a write into v
    before backward is reported (and none is, when v needs no gradient)."""

    node_name = "IndexAddBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, key: Key, v: np.ndarray, alpha: Any) -> np.ndarray:
        ctx.key, ctx.alpha = key, alpha
        out = x.copy()
        basic, adv = key
        if out.size:  # (into an empty x PyTorch adds nothing, whatever the index)
            np.add.at(out[basic], adv, v if alpha == 1 else v * alpha)  # type: ignore[arg-type]
        if ctx.needs_input_grad[2]:  # only v's gradient reads them, as PyTorch saves them
            ctx.save_for_backward(v, *(a for a in adv or () if isinstance(a, np.ndarray)))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        ctx.saved_tensors  # noqa: B018  (checks v's version; raises once backward freed them)
        need_x, _, need_v, _ = ctx.needs_input_grad
        grad_v = None
        if need_v:
            grad_v = Index.apply(grad, ctx.key)
            if ctx.alpha != 1:
                grad_v = grad_v * ctx.alpha
        return (grad if need_x else None), None, grad_v, None


# --- parsing a key ---------------------------------------------------------------------------


class _Parsed:
    """A PyTorch key resolved against a shape: the basic key, its node class, the advanced key."""

    __slots__ = ("adv", "basic", "mask_only", "one_mask", "trivial", "view_cls")

    def __init__(
        self,
        basic: tuple[Any, ...],
        view_cls: Any,
        adv: tuple[Any, ...] | None,
        trivial: bool,
        mask_only: np.dtype | None = None,
        one_mask: np.dtype | None = None,
    ):
        self.basic = basic
        self.view_cls = view_cls
        self.adv = adv
        self.trivial = trivial  # the basic part selects everything (x[...], x[:], x[()])
        self.mask_only = mask_only  # when every index tensor is a mask: bool, or uint8 if any is
        # The dtype of the key's one mask when it has no other index tensor: PyTorch's
        # index_put_ is then a masked_fill_ for a one-element value (its canDispatchToMaskedFill).
        # Python's indexing reads a 0-d mask (or a bool) as an index tensor [0] or [], no mask.
        self.one_mask = one_mask


def _check_step(s: slice) -> None:
    if s.step is not None:
        step = int(s.step)
        if step == 0:
            raise ValueError("slice step cannot be zero")
        if step < 0:
            raise ValueError("step must be greater than zero")


def _is_int(x: Any) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool | np.bool_)


def _sequence_as_tuple(seq: list[Any]) -> bool:
    # PyTorch (like old numpy) reads x[[a, b]] as x[a, b] when an entry is a sequence, slice,
    # Ellipsis, None or tensor; a list of plain numbers is an index tensor.
    T = Tensor
    return any(
        (isinstance(e, Sequence | slice | T | np.ndarray) and not isinstance(e, str))
        or e is None
        or e is Ellipsis
        for e in seq
    )


def _index_array(entry: Any) -> np.ndarray | None:
    """An index tensor/list/array as a numpy array; None if ``entry`` is not one. (Its dtype
    is checked by the caller, after the basic part of the key, as PyTorch does.)"""
    T = Tensor
    if isinstance(entry, T):
        a = entry._data
    elif isinstance(entry, np.ndarray):
        a = entry
    elif isinstance(entry, list | tuple | range):
        # PyTorch builds an int64 tensor from a Python sequence (floats are truncated).
        a = np.asarray(entry)
        if a.dtype.kind in "US":
            raise TypeError("new(): invalid data type 'str'")
        if a.dtype.kind not in "biuf":
            raise TypeError(f"new(): invalid data type '{type(a.flat[0]).__name__}'")
        if a.dtype.kind == "f" or a.size == 0:
            a = a.astype(np.int64)
    else:
        return None
    return a


def _bad_type(entry: Any) -> Exception:
    if isinstance(entry, str):  # PyTorch tries to build an index tensor from it
        return TypeError("new(): invalid data type 'str'")
    return IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
        f"indices (got {_errors.py_type_name(entry)})"
    )


def parse_key(
    shape: tuple[int, ...], index: Any, bounds: bool = True, tensors: bool = False
) -> _Parsed:
    """Resolve ``index`` for a tensor of ``shape`` with PyTorch's rules and error messages.

    With ``bounds=False`` the index tensors' values are not checked yet (see ``_bounded``).
    With ``tensors`` (index_put's tuple of tensors) a 0-d integer tensor stays an index
    tensor: only Python's indexing reads it as an int (a select).
    """
    single_slice = isinstance(index, slice)
    if isinstance(index, list) and _sequence_as_tuple(index):
        index = tuple(index)
    entries = index if isinstance(index, tuple) else (index,)
    T = Tensor
    items: list[tuple[str, Any]] = []
    masks_dtypes: list[np.dtype] = []
    real_masks: list[np.dtype] = []  # (not the 0-d ones of Python's indexing)
    bad_dtype = False  # an index tensor neither integer nor mask: refused after the slicing
    consumed = 0
    for e in entries:
        if e is None:
            items.append(("none", None))
        elif e is Ellipsis:  # (PyTorch takes several: see below)
            items.append(("ellipsis", None))
        elif isinstance(e, bool):  # (numpy's bool is no valid index in PyTorch)
            items.append(("bool", e))
        elif _is_int(e):
            items.append(("int", int(e)))
            consumed += 1
        elif isinstance(e, slice):
            items.append(("slice", e))
            consumed += 1
        elif (
            isinstance(e, T)
            and e._data.ndim == 0
            and e._data.dtype.kind in "iu"
            and e._data.dtype != np.uint8
            and not tensors
        ):
            # a 0-d integer tensor (of any integer dtype but uint8, a mask) acts as an int
            items.append(("int", int(e._data)))
            consumed += 1
        else:
            a = _index_array(e)
            if a is None:
                raise _bad_type(e)
            if a.dtype == np.uint8 or a.dtype == np.bool_:  # uint8: PyTorch's legacy masks
                masks_dtypes.append(a.dtype)
                if a.ndim or tensors:
                    real_masks.append(a.dtype)
                a = a.astype(np.bool_)
            elif a.dtype not in _INT_INDEX:
                bad_dtype = True
            items.append(("array", a))
            consumed += a.ndim if a.dtype == np.bool_ else 1
    ndim = len(shape)
    if consumed > ndim:
        if ndim == 0 and _is_int(index):
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            )
        if ndim == 0 and single_slice:
            _check_step(index)  # (PyTorch unpacks the slice first)
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")

    basic: list[Any] = []
    adv: list[Any] = []  # one entry per dim of the basic result (until the last array)
    has_adv = False
    view_cls: Any = None
    trivial = True
    d = 0
    masks: list[tuple[int, np.ndarray]] = []  # (dim in the basic result, mask)
    # PyTorch lets every Ellipsis skip the dims the key does not name: a second one may skip
    # past the dims left ("beyond" them), and an entry with no dim left is out of range: its
    # error names the dim PyTorch's pointer reached and its result's dims so far.
    several = sum(kind == "ellipsis" for kind, _ in items) > 1
    beyond = 0
    result_dims = ndim  # the dims of PyTorch's sliced result so far
    recorded = 0  # one past the last position PyTorch records an index tensor at (if beyond)
    for position, (kind, e) in enumerate(items):
        if several and kind != "ellipsis":
            at = result_dims - (ndim - d) + beyond  # PyTorch's pointer, in result dims
            unsqueeze = kind in ("none", "bool") or (kind == "array" and e.ndim == 0)
            need = 0 if unsqueeze else e.ndim if kind == "array" and e.dtype == np.bool_ else 1
            if kind == "array" and not unsqueeze and (beyond or d + need > ndim):
                if e.dtype == np.bool_ and at < result_dims:  # (its shape is checked first)
                    view_shape = _shape_of(shape, (_view_key(tuple(basic)), None))
                    for j, n in enumerate(e.shape[: result_dims - at]):
                        if n != view_shape[at + j]:
                            raise IndexError(
                                f"The shape of the mask {list(e.shape)} at index {j} does not "
                                f"match the shape of the indexed tensor {list(view_shape)} at "
                                f"index {at + j}"
                            )
                recorded, beyond = at + 1, beyond + 1  # (index() refuses it after the slicing)
                continue
            whole = (
                kind == "slice" and e.stop is None and e.start in (None, 0) and e.step in (None, 1)
            )
            if whole and at >= result_dims:
                beyond += 1  # (PyTorch skips a whole ':' without looking at the dim)
                continue
            if at > result_dims or (not unsqueeze and at >= result_dims):
                low, high = (
                    (result_dims + 1, result_dims) if unsqueeze else (result_dims, result_dims - 1)
                )
                raise IndexError(
                    f"Dimension out of range (expected to be in range of [{-low}, {high}], "
                    f"but got {at})"
                )
        if kind == "none":
            result_dims += 1
            basic.append(None)
            adv.append(slice(None))
            view_cls = IndexUnsqueeze
            trivial = False
        elif kind == "ellipsis":
            skip = ndim - consumed
            take = min(skip, ndim - d)
            basic.extend([slice(None)] * take)
            adv.extend([slice(None)] * take)
            d += take
            beyond += skip - take
        elif kind == "int":
            size = shape[d]
            if not -size <= e < size:
                raise IndexError(
                    # (PyTorch names the entry's position in the key, not a dim)
                    f"index {e} is out of bounds for dimension {position} with size {size}"
                )
            basic.append(e)
            view_cls = Select
            trivial = False
            d += 1
            result_dims -= 1
        elif kind == "slice":
            _check_step(e)
            basic.append(e)
            adv.append(slice(None))
            full = _selects_all(e, shape[d])
            if single_slice or not full:
                view_cls = Slice
            trivial = trivial and full
            d += 1
        elif kind == "bool":  # x[True] adds a dim of size 1, x[False] one of size 0
            result_dims += 1
            basic.append(None)
            adv.append(np.zeros(int(e), np.int64))
            has_adv = True
            view_cls = IndexUnsqueeze
            trivial = False
        elif e.dtype == np.bool_:
            k = e.ndim
            masks.append((len(adv), e))
            basic.extend([slice(None)] * k)
            if k == 0:  # a 0-d mask, like a Python bool
                result_dims += 1
                basic.append(None)
                adv.append(np.zeros(int(bool(e)), np.int64))
                view_cls = IndexUnsqueeze
                trivial = False
            else:
                adv.extend(np.nonzero(e))
            has_adv = True
            d += k
        else:
            basic.append(slice(None))
            adv.append(e)
            has_adv = True
            d += 1
    if recorded:
        raise IndexError(f"too many indices for tensor of dimension {result_dims} (got {recorded})")
    if view_cls is None and not has_adv:
        view_cls = Alias
    basic_key = _view_key(tuple(basic))
    if not has_adv:
        return _Parsed(basic_key, view_cls, None, trivial)
    if bad_dtype:
        raise IndexError(_BAD_INDEX_DTYPE)
    adv_key = _check_advanced(basic_key, view_cls, shape, adv, masks, bounds)
    arrays = [e for kind, e in items if kind in ("array", "bool")]
    mask_only = None
    if masks_dtypes and len(arrays) == len(masks_dtypes):
        mask_only = np.dtype(np.uint8) if np.uint8 in masks_dtypes else np.dtype(np.bool_)
    one_mask = real_masks[0] if len(arrays) == len(real_masks) == 1 else None
    return _Parsed(basic_key, view_cls, adv_key, trivial, mask_only, one_mask)


def _check_advanced(
    basic_key: tuple[Any, ...],
    view_cls: Any,
    shape: tuple[int, ...],
    adv: list[Any],
    masks: list[tuple[int, np.ndarray]],
    bounds: bool,
) -> tuple[Any, ...]:
    """Masks, broadcasting and (with ``bounds``) bounds of the index arrays, checked against
    the basic result."""
    view_shape = _shape_of(shape, (basic_key, None)) if view_cls else shape
    for pos, m in masks:
        for j, size in enumerate(m.shape):
            if size != view_shape[pos + j]:
                raise IndexError(
                    f"The shape of the mask {list(m.shape)} at index {j} does not match the "
                    f"shape of the indexed tensor {list(view_shape)} at index {pos + j}"
                )
    arrays = [(i, a) for i, a in enumerate(adv) if isinstance(a, np.ndarray)]
    try:
        np.broadcast_shapes(*(a.shape for _, a in arrays))
    except ValueError:
        shapes = ", ".join(str(list(a.shape)) for _, a in arrays)
        raise IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        ) from None
    if not bounds:
        return tuple(adv[: arrays[-1][0] + 1])
    return _bounded(view_shape, adv)


def _bounded(view_shape: tuple[int, ...], adv: list[Any]) -> tuple[Any, ...]:
    """The advanced key after PyTorch's bounds checks (no index is checked if none is read)."""
    arrays = [(i, a) for i, a in enumerate(adv) if isinstance(a, np.ndarray)]
    picked = np.broadcast_shapes(*(a.shape for _, a in arrays))
    if 0 in picked:  # no position is read at all
        return tuple(np.zeros(a.shape, np.int64) if isinstance(a, np.ndarray) else a for a in adv)
    for dim, a in arrays:
        if a.size and view_shape[dim] == 0:
            raise IndexError("index is out of bounds for dimension with size 0")
    indexed = {dim for dim, _ in arrays}
    if any(n == 0 for i, n in enumerate(view_shape) if i not in indexed):
        # The result is empty: PyTorch reads no index, so none is out of bounds.
        return tuple(np.zeros_like(a) if isinstance(a, np.ndarray) else a for a in adv)
    sizes = [view_shape[dim] for dim, _ in arrays]
    wrong = [(a >= n) | (a < -n) for (_, a), n in zip(arrays, sizes, strict=True)]
    if any(w.any() for w in wrong):
        # PyTorch reports the first bad index in the order it reads them: position by position
        # of the broadcast result, index tensor by index tensor.
        flags = np.stack(np.broadcast_arrays(*wrong), axis=-1).reshape(-1, len(arrays))
        position, ordinal = divmod(int(np.flatnonzero(flags)[0]), len(arrays))
        bad = np.broadcast_to(arrays[ordinal][1], picked).flat[position]
        raise IndexError(
            f"index {bad} is out of bounds for dimension {ordinal} with size {sizes[ordinal]}"
        )
    last = arrays[-1][0]
    return tuple(adv[: last + 1])


# --- x[key] and x[key] = v -------------------------------------------------------------------


def _fast_basic(shape: tuple[int, ...], index: Any) -> _Parsed | None:
    """``parse_key`` for the common keys (ints and slices only); None for the rest."""
    entries = index if type(index) is tuple else (index,)
    if len(entries) > len(shape):
        return None
    cls: Any = None
    trivial = True
    for size, e in zip(shape, entries, strict=False):
        kind = type(e)
        if kind is int:
            if not -size <= e < size:
                return None
            cls = Select
            trivial = False
        elif kind is slice:
            step = e.step
            if step is not None and (type(step) is not int or step <= 0):
                return None
            full = _selects_all(e, size)
            if kind is type(index) or not full:
                cls = Slice
            trivial = trivial and full
        else:
            return None
    return _Parsed((*entries, Ellipsis), cls or Alias, None, trivial)


def getitem(input: Tensor, index: Any) -> Tensor:
    """``input[index]``: a view for basic keys; a copy (IndexBackward0) with index tensors."""
    p = _fast_basic(input._data.shape, index) or parse_key(input._data.shape, index)
    out = input
    if p.view_cls is not None:
        steps = None
        if input._requires_grad and _state.grad_enabled and p.view_cls is not Alias:
            steps = _view_steps(input._data.shape, p.basic)
        if steps is None:
            out = _as_view(p.view_cls.apply(input, p.basic), input)
        else:
            for cls, key in steps:
                out = _as_view(cls.apply(out, key), out)
    if p.adv is None:
        return out
    return GetItem.apply(out, (_ALL, p.adv))


def _view_steps(shape: tuple[int, ...], key: tuple[Any, ...]) -> list[Any] | None:
    """PyTorch's steps for a basic key of two steps or more, each ``(view class, key)``: a
    select per int, an unsqueeze per None, a slice per slice that does not take the whole dim
    (a ``:`` is no step), in the key's order: ``x[0, 1:]`` records SelectBackward0, then
    SliceBackward0 on it. (The same view as the one-step ``x[key]``; only the graph differs.)
    None for a key of one step (recorded as one node, of that step's class)."""
    steps: list[Any] = []
    d = 0  # the next dim of the input
    o = 0  # the next dim of the result so far
    for k in key:
        if k is Ellipsis:  # (only at the end: parse_key has expanded the user's)
            break
        lead = (slice(None),) * o
        if k is None:
            steps.append((IndexUnsqueeze, (*lead, None, Ellipsis)))
            o += 1
            continue
        if isinstance(k, slice):
            if not _selects_all(k, shape[d]):
                steps.append((Slice, (*lead, k, Ellipsis)))
            o += 1
        else:
            steps.append((Select, (*lead, k, Ellipsis)))
        d += 1
    return steps if len(steps) > 1 else None


def _leading_ones(shape: tuple[int, ...]) -> int:
    k = 0
    while k < len(shape) and shape[k] == 1:
        k += 1
    return k


def _strip_leading_ones(v: Tensor) -> Tensor:
    # PyTorch drops a value's leading size-1 dims before broadcasting it into the target.
    shape = v._data.shape
    k = _leading_ones(shape)
    return v.reshape(shape[k:]) if k else v


def _as_copy_to(given: Tensor, target: tuple[int, ...]) -> Tensor:
    """The value PyTorch's copy_to writes into a basic-indexed ``target``: ``given`` itself
    when the shapes match or it is 0-d (a fill), else a view of it without its leading 1s,
    expanded to the target when that differs (the ViewBackward0 and ExpandBackward0 in
    PyTorch's graph)."""
    shape = given._data.shape
    if shape == target or not shape:
        return given
    v = given.view(shape[_leading_ones(shape) :])
    return v if v._data.shape == target else v.expand(target)


def _multi_output_view_refusal(view_cls: Any) -> str:
    return _errors.MULTI_OUTPUT_VIEW_INPLACE.format(
        nr=0, fn=_errors.op_name(view_cls._backward_cls.__name__)
    )


def setitem(input: Tensor, index: Any, value: Any, tensors: bool = False) -> None:
    """``input[index] = value``: in place; recorded (CopySlices / IndexPutBackward0) when needed.
    With ``tensors``, ``index`` is index_put's tuple of index tensors (see ``parse_key``)."""
    # PyTorch takes a tensor or a Python number (numpy's integers, float64 and complex128
    # included: not float32 or numpy's bool) before it reads the index; and a bare False
    # index writes nothing, checks nothing.
    if not isinstance(value, Tensor | int | float | complex | np.integer):
        raise TypeError(f"can't assign a {_errors.py_type_name(value)} to a {input.type()}")
    if index is False:
        return
    if index is True:  # PyTorch copies into input.unsqueeze(0), as for None
        index = None
    shape = input._data.shape
    # PyTorch checks the value's shape before the index values: bounds are checked after it.
    p = _fast_basic(shape, index) or parse_key(shape, index, bounds=False, tensors=tensors)
    if p.adv is not None:
        view_shape = _shape_of(shape, (p.basic, None))
        zeroed = tuple(
            np.zeros(a.shape, np.int64) if isinstance(a, np.ndarray) else a for a in p.adv
        )
        try:
            target = _shape_of(shape, (p.basic, zeroed))
        except IndexError:  # an index into an empty dim: the bounds check says so
            target = _shape_of(shape, (p.basic, _bounded(view_shape, list(p.adv))))
    else:
        target = _shape_of(shape, (p.basic, None))
    one_value = not isinstance(value, Tensor) or value._data.ndim == 0  # a fill, not a copy
    # Through boolean masks only, PyTorch fills with a one-element value of any dtype.
    mask_fill = p.one_mask is not None and (not isinstance(value, Tensor) or value._data.size == 1)
    if mask_fill and p.one_mask == np.uint8:
        raise RuntimeError(
            "masked_fill_ only supports boolean masks, but got mask with dtype unsigned char"
        )
    given = None  # the value tensor as given (before _checked_value drops its leading 1s)
    if isinstance(value, Tensor):
        given = value
        value = _checked_value(input, p, target, value, mask_fill, strip=mask_fill or not tensors)
    else:
        value = _stored_number(python_number(value), input._data.dtype)
    if p.adv is not None:
        p.adv = _bounded(view_shape, list(p.adv))
    key: Key = (p.basic, p.adv)
    recording = _state.grad_enabled and (
        input._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
    )
    if not recording:
        if isinstance(value, Tensor):
            _check_overlap(input, p, value, mask_fill)
        data = value._data if isinstance(value, Tensor) else value
        if p.adv is None:
            dst = input._data[p.basic]
            if isinstance(data, np.ndarray) and _errors.same_memory(
                dst, _expanded_to(data, dst.shape)
            ):
                input._bump_version()  # the very same memory: nothing to copy (PyTorch)
                return
            if _errors.has_internal_overlap(dst):
                raise RuntimeError(_errors.INTERNAL_OVERLAP)
            input._data[p.basic] = data
        else:
            input._data[p.basic][p.adv] = data
        input._bump_version()
        if _state.forward_ad:  # the written elements take the value's tangent
            write_tangent(input, tangent_of(value) if isinstance(value, Tensor) else None, key)
        return
    through_view = p.adv is None or (p.mask_only is not None and p.view_cls is IndexUnsqueeze)
    # PyTorch first takes the view input[key] (a 0-d mask unsqueezes), which inherits the
    # unbind/split rule, and names that view in its refusal when the view has a node.
    named_view = through_view and not p.trivial
    if "_plain_multi_output_view" in input.__dict__:
        # (an output of unbind/split of a tensor that needed no grad; given requires_grad_()
        # since, its view input[key] is recorded)
        if named_view and input._requires_grad:
            raise RuntimeError(_multi_output_view_refusal(p.view_cls))
        raise RuntimeError(_errors.NO_GRAD_MULTI_OUTPUT_VIEW_INPLACE)
    if input.grad_fn is None and input._requires_grad:
        leaf = p.trivial and input._base is None
        raise RuntimeError(_errors.LEAF_INPLACE if leaf else _errors.VIEW_OF_LEAF_INPLACE)
    if "_multi_output_view" in input.__dict__ and named_view and input.grad_fn:
        raise RuntimeError(_multi_output_view_refusal(p.view_cls))
    input._check_inplace()
    if isinstance(value, Tensor):
        _check_overlap(input, p, value, mask_fill)
        if p.adv is None and value._requires_grad and given is not None:
            value = _as_copy_to(given, target)
        # The write casts the value (PyTorch's copy_, fill_ and index_put_ of a one-element
        # value record no cast) where a gradient can flow back: into a floating tensor.
        if value._data.dtype != input._data.dtype and input._data.dtype.kind != "f":
            value = value.to(input.dtype)
    # PyTorch's node: whole-tensor fill_/copy_, index_put_, or a write through a view.
    cls: type[SetIndex] = CopySlices
    if (p.trivial or tensors) and p.adv is not None:  # (index_put takes no view, a 0-d mask too)
        cls = SetIndex
    elif p.trivial:
        # PyTorch copies when the value has the target's shape (a 0-d target and a number
        # included), and fills the target with a 0-d value otherwise.
        cls = WholeFill if one_value and target != () else WholeCopy
    if input._base is not None:  # recorded on the base (Tensor._inplace, autograd/_views.py)
        if p.adv is not None and _errors.has_internal_overlap(input._data):
            # Through an index into an expanded tensor: PyTorch writes (index_put_ on an
            # expanded tensor is deprecated, not refused) and records CopySlices, whose backward
            # raises if the base needs a gradient (it cannot tell the repeated elements apart).
            write = lambda: setitem(input.detach(), index, value)  # noqa: E731
            value_grad = None
            base = input._base
            if (
                isinstance(value, Tensor)
                and value._requires_grad
                and not base._requires_grad
                and base._data.flags.c_contiguous
            ):
                # only the value needs a gradient: the base's, read through the view, at key
                positions = _positions_in(input._data, base._data)

                def value_grad(grad: Tensor) -> Tensor:
                    return Index.apply(take(grad, Tensor._make(positions)), key)

            fill_expanded(input, value, write, value_grad)
            return
        if p.adv is None and isinstance(value, Tensor):
            dst = input._data[p.basic]
            if _errors.has_internal_overlap(dst) and _errors.same_memory(
                dst, _expanded_to(value._data, dst.shape)
            ):
                # The very same memory into an expanded view: PyTorch's copy_ copies nothing,
                # and records the write; a backward through it raises.

                fill_expanded(input, None, input._bump_version)
                return
        if p.adv is None and not p.trivial and _errors.may_overlap_itself(input._data):
            # Part of an expanded tensor or of overlapping unfold windows: PyTorch writes
            # through the view input[key], which may repeat nothing even though input does
            # (the whole view's write could not be mapped onto its base).
            sub = getitem(input, index)
            whole = WholeFill if one_value and target != () else WholeCopy
            sub._inplace(lambda s: whole.apply(s, ((Ellipsis,), None), value))
            return
        input._inplace(lambda s: cls.apply(s, key, value))
        return
    if p.adv is None and _errors.has_internal_overlap(input._data[p.basic]):
        # (an expanded tensor detach()ed: no base to record the write on) PyTorch's copy or
        # fill checks the written memory
        dst = input._data[p.basic]
        if not (
            isinstance(value, Tensor)
            and _errors.same_memory(dst, _expanded_to(value._data, dst.shape))
        ):
            raise RuntimeError(_errors.INTERNAL_OVERLAP)
    out = cls.apply(input, key, value)  # writes into input's storage
    input._bump_version()
    if _state.forward_ad:
        write_tangent(input, tangent_of(out))
    # The new history, for input and for every live view of it (they see the write too).
    rebase_history(input, out)


def _positions_in(view: np.ndarray, base: np.ndarray) -> np.ndarray:
    """For each element of ``view`` (a view of the C-contiguous ``base``), the position in
    base's row-major order of the element it shares (repeated where view repeats them)."""
    itemsize = base.itemsize
    start = (view.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // itemsize
    steps = np.array(view.strides, np.int64) // itemsize
    grids = np.indices(view.shape, np.int64) if view.ndim else np.zeros((0,), np.int64)
    return start + np.tensordot(steps, grids, axes=1) if view.ndim else np.array(start)


def _expanded_to(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``a`` expanded to ``shape`` as PyTorch expands it (numpy's broadcast_to zeroes the
    strides of size-1 dims, which the same-memory checks compare)."""
    if a.shape == shape:
        return a
    return np.lib.stride_tricks.as_strided(a, shape, expanded_strides(a, shape), writeable=False)


def _check_overlap(input: Tensor, p: _Parsed, value: Tensor, mask_fill: bool) -> None:
    """PyTorch's refusal of a write whose value overlaps the written memory."""
    if p.adv is None:
        # PyTorch expands the value to the destination first, then copies.
        dst = input._data[p.basic]
        _errors.check_no_partial_overlap(dst, _expanded_to(value._data, dst.shape))
    elif not (mask_fill and p.view_cls is not IndexUnsqueeze):
        # index_put_ refuses any overlap; a one-element value through a mask is a masked_fill_,
        # which reads it once and has no such check.
        _errors.check_no_overlap(input._data, value._data)


def _checked_value(
    input: Tensor, p: _Parsed, target: tuple[int, ...], value: Tensor, cast: bool, strip: bool
) -> Tensor:
    """The value to write, its leading 1s dropped with ``strip`` (Python's indexing drops
    them, index_put does not); PyTorch's errors for shape, then dtype."""
    if strip and value._data.shape != target:  # (a value of the target's shape is kept as it is)
        value = _strip_leading_ones(value)
    vshape = value._data.shape
    if not _broadcasts(vshape, target) or np.broadcast_shapes(vshape, target) != target:
        if p.adv is None:
            expand(value, target)  # raises PyTorch's message
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to "
            f"indexing result of shape {list(target)}"
        )
    if p.adv is not None and not cast and value._data.dtype != input._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{dtype_name(input._data.dtype)} for the destination and "
            f"{dtype_name(value._data.dtype)} for the source."
        )
    return value


def _broadcasts(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(shape, target)
    except ValueError:
        return False
    return True


# --- gather, scatter, index_select, take ------------------------------------------------------


def _long_index(index: Any, allow_int32: bool = True) -> np.ndarray | None:
    """The index array if its dtype is acceptable (int64, or int32 where allowed), else None."""
    a = index._data
    if a.dtype == np.int64 or (allow_int32 and a.dtype == np.int32):
        return a
    return None


# PyTorch treats a 0-d tensor as having one dim of size 1 in gather/scatter/index_select.
def _index_of_dtype(index: Tensor, op: str) -> np.ndarray:
    """gather's and scatter's index array: int64 or int32, unless empty (PyTorch checks the
    dtype only of an index that reads something)."""
    idx = _long_index(index)
    if idx is None:
        if index._data.size:
            raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
        return index._data
    return idx


def _basic_for(ndim: int) -> tuple[Any, ...]:
    return (None, Ellipsis) if ndim == 0 else _ALL


def _sizes(shape: tuple[int, ...]) -> tuple[int, ...]:
    return shape or (1,)


def _along_dim_key(index: np.ndarray, dim: int, ndim: int) -> Key:
    """The key picking x[i0, .., index[i], .., in] for every position i of index (x has ndim)."""
    n = index.ndim
    if index.size == 0:  # nothing is read: any key of index's shape will do
        return (_basic_for(ndim), (np.zeros(index.shape, np.int64),) * max(ndim, 1))
    if n == 0:
        return (_basic_for(ndim), (index,))
    arrays = tuple(
        index if k == dim else np.arange(index.shape[k]).reshape((-1,) + (1,) * (n - 1 - k))
        for k in range(n)
    )
    return (_basic_for(ndim), arrays)


def _leading_block(src: Tensor, shape: tuple[int, ...]) -> Tensor:
    """src[:s0, :s1, ...] for an index of ``shape`` (scatter uses only that part of src)."""
    if src._data.shape == shape:
        return src
    n = len(shape)
    grid = tuple(np.arange(s).reshape((-1,) + (1,) * (n - 1 - k)) for k, s in enumerate(shape))
    return Index.apply(src, (_basic_for(src._data.ndim), grid or (np.zeros((), np.int64),)))


def _check_source_overlap(written: Tensor | None, source: Any) -> None:
    """An in-place write of ``source`` into ``written`` at index positions (index_add_,
    index_copy_, scatter_...) refuses a source that shares memory with the destination, as
    PyTorch's assert_no_overlap does: the very same tensor, or dense blocks whose memory ranges
    meet (it does not try to tell for other tensors with gaps). ``written`` None: not in
    place."""
    if written is None or not isinstance(source, Tensor):
        return
    dst, src = written._data, source._data
    if _errors.has_internal_overlap(dst):  # PyTorch checks the destination first
        raise RuntimeError(_errors.INTERNAL_OVERLAP)
    if not dst.size or not src.size:
        return
    if source is written or (
        np.may_share_memory(dst, src) and _errors.is_dense(dst) and _errors.is_dense(src)
    ):
        raise RuntimeError(_errors.PARTIAL_OVERLAP)


def _check_along_dim(
    what: str,
    input: Tensor,
    d: int,
    idx: np.ndarray,
    src: Tensor | None = None,
    dst: Tensor | None = None,
    reduce: str | None = None,
) -> None:
    """gather's and scatter's shape and bounds checks, with PyTorch's messages (scatter's
    ``reduce`` argument, then an in-place scatter's overlap of src with its destination
    ``dst``, are checked between the two, as in PyTorch)."""
    shape = input._data.shape
    if max(idx.ndim, 1) != max(len(shape), 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} tensor")
    isz, xsz = _sizes(idx.shape), _sizes(shape)
    too_big = [k for k in range(len(isz)) if k != d and isz[k] > xsz[k]]
    if what == "input" and too_big:
        raise RuntimeError(
            f"Size does not match at dimension {too_big[0]} expected index {list(idx.shape)} to "
            f"be no larger than self {list(shape)} apart from dimension {d}"
        )
    if what == "self":
        ssz = _sizes(src._data.shape) if src is not None else None
        if too_big or (ssz is not None and any(a > b for a, b in zip(isz, ssz, strict=False))):
            msg = (
                f"Expected index {list(idx.shape)} to be no larger than self {list(shape)} apart "
                f"from dimension {d}"
            )
            if src is not None:
                msg += f" and to be no larger size than src {list(src._data.shape)}"
            raise RuntimeError(msg)
    _check_scatter_reduce(reduce)
    _check_source_overlap(dst, src)
    size = xsz[d]
    if idx.max() >= size or idx.min() < 0:
        operands = [idx, input._data] + ([src._data] if src is not None else [])
        walked = np.transpose(idx.reshape(isz), _kernel_order(isz, d, operands))
        bad = walked[(walked >= size) | (walked < 0)].flat[0]  # the first PyTorch reads
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {size}")


def _kernel_order(shape: tuple[int, ...], d: int, operands: list[np.ndarray]) -> list[int]:
    """The order in which PyTorch's gather/scatter kernel reads an index of ``shape`` (row-major
    operands assumed): along ``d`` innermost when d is the last dim; otherwise along d just
    outside the kernel's inner loop, which runs over the last dim and the dims before it that
    coalesce with it in every operand (as TensorIterator merges them)."""
    n = len(shape)
    others = [k for k in range(n) if k != d]
    if d == n - 1:
        return [*others, d]
    strides = [[st // a.itemsize for st in a.strides] if a.ndim == n else None for a in operands]
    inner = [n - 1]
    size = shape[n - 1]  # the merged inner dims' size
    for k in range(n - 2, -1, -1):
        if k == d:  # (of size 1 in the kernel's iterator: merges with anything)
            continue
        if shape[k] != 1 and not all(st is None or st[k] == size * st[inner[-1]] for st in strides):
            break
        inner.insert(0, k)
        size *= shape[k]
    return [k for k in others if k not in inner] + [d] + inner


class Gather(NumpyFunction):
    """gather: Index along one dim. Its node saves the input and the index tensor, as PyTorch's
    GatherBackward0 does, and unpacks them in that order: a write into either before backward
    is reported, the input's first. The index tensor comes in ``held`` (a 1-tuple) so that it
    is not an argument with an edge of its own (PyTorch's node lists only the input)."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, key: Key, held: tuple[Tensor]) -> np.ndarray:
        ctx.in_shape = x.shape
        ctx.key = key
        ctx.save_for_backward(x, held[0])
        return np.asarray(_get(x, key), order="C")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        ctx.saved_arrays  # noqa: B018  (checks the versions; raises once backward freed them)
        return _ScatterAdd.apply(grad, ctx.key, ctx.in_shape), None, None


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """``out[i][j][k] = input[index[i][j][k]][j][k]`` (dim=0): values picked along ``dim``."""
    d = wrap_dim(dim, input._data.ndim)
    idx = _index_of_dtype(index, "gather")
    if idx.size:  # PyTorch checks nothing more when there is nothing to gather
        _check_along_dim("input", input, d, idx)
    return Gather.apply(input, _along_dim_key(idx, d, input._data.ndim), (index,))


def _fit_empty(key: Key, src: Any) -> Any:
    """The part of src a scatter writes: for an empty index, nothing (an empty block of the
    index's shape stands for src); otherwise src's leading block of the index's shape
    (src[:s0, :s1, ...]). src stays the node's input whole, so backward gives it a gradient of
    the index's shape, which the engine checks against src's shape as PyTorch does ("invalid
    gradient at index 1" where src is larger than the index)."""
    adv = key[1]
    if type(src) is not np.ndarray or not adv:
        return src
    shape = np.broadcast_shapes(*(a.shape for a in adv))
    if src.shape == shape:
        return src
    if adv[0].size == 0:
        return np.zeros(shape, src.dtype)
    if not shape:  # a 0-d index writes src's first element
        return src[(0,) * src.ndim]
    return src[tuple(slice(0, n) for n in shape)]


# scatter and scatter_add take (x, src, key): src is argument 1, as in PyTorch's nodes, which
# the engine's "invalid gradient at index 1" names (an empty index gives src its shape).
class Scatter(NumpyFunction):
    @staticmethod
    def forward(ctx: Any, x: np.ndarray, v: np.ndarray, key: Key) -> np.ndarray:
        return IndexPut.forward(ctx, x, key, _fit_empty(key, v))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        _indices_alive(ctx)
        need_x, need_v, _ = ctx.needs_input_grad
        grad_x = IndexPut.apply(grad, ctx.key, 0.0) if need_x else None
        return grad_x, (Index.apply(grad, ctx.key) if need_v else None), None


class ScatterCombine(NumpyFunction):
    """scatter with reduce: y = x with every src element (or the value) added to, or
    multiplied into, the position the key names. PyTorch records no derivative."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, v: Any, key: Key, add: bool, op: str) -> np.ndarray:
        ctx.op = op
        out = x.copy()
        basic, adv = key
        assert adv is not None  # an along-dim key always has its index arrays
        target = out[basic]
        shape = _shape_of(target.shape, (_ALL, adv))
        # (broadcast by hand: see IndexAdd)
        (np.add if add else np.multiply).at(target, adv, np.broadcast_to(_fit_empty(key, v), shape))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        raise RuntimeError(f"derivative for aten::{ctx.op} is not implemented")


def _warn_scatter_reduce() -> None:
    """PyTorch's deprecation warning (once per process) for scatter's reduce with a src."""
    _errors.warn_once(
        "scatter_reduce_src",
        "The reduce argument of torch.scatter with Tensor src is deprecated and will be "
        "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
        "reduction options.",
    )


class ScatterValue(IndexPut):
    node_name = "ScatterBackward1"


class ScatterAdd(NumpyFunction):
    @staticmethod
    def forward(ctx: Any, x: np.ndarray, v: np.ndarray, key: Key) -> np.ndarray:
        return IndexAdd.forward(ctx, x, key, _fit_empty(key, v))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_x, need_v, _ = ctx.needs_input_grad
        return (grad if need_x else None), (Index.apply(grad, ctx.key) if need_v else None), None


def _check_scatter_reduce(reduce: str | None) -> None:
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")


def _scatter_args(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Any,
    dst: Tensor | None = None,
    reduce: str | None = None,
) -> tuple[Key, Any]:
    d = wrap_dim(dim, input._data.ndim)
    idx = _index_of_dtype(index, "scatter")
    T = Tensor
    if isinstance(src, T) and src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if idx.size:
        _check_along_dim("self", input, d, idx, src if isinstance(src, T) else None, dst, reduce)
    else:
        _check_scatter_reduce(reduce)
        _check_source_overlap(dst, src)
    # src goes to the node whole: its forward takes the part it writes (see _fit_empty)
    return _along_dim_key(idx, d, input._data.ndim), src


def scatter(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Any = None,
    value: Any = None,
    *,
    reduce: str | None = None,
    _dst: Tensor | None = None,
) -> Tensor:
    """A copy of input with ``out[index[i][j]][j] = src[i][j]`` (for dim=0), or ``= value``;
    ``reduce`` ('add' or 'multiply') combines them into it instead, with no derivative
    (``_dst``: the memory scatter_ writes, which src must not overlap)."""
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    key, src = _scatter_args(input, dim, index, src, _dst, reduce)
    if reduce is not None:
        if isinstance(src, Tensor):
            _warn_scatter_reduce()
        op = "scatter" if _dst is None else "scatter_"
        value = python_number(src)
        return ScatterCombine.apply(input, value, key, reduce == "add", op)
    if isinstance(src, Tensor):
        return Scatter.apply(input, src, key)
    return ScatterValue.apply(input, key, checked_scalar(python_number(src), input._data.dtype))


def scatter_add(
    input: Tensor, dim: int, index: Tensor, src: Tensor, *, _dst: Tensor | None = None
) -> Tensor:
    """A copy of input with ``out[index[i][j]][j] += src[i][j]`` (dim=0); repeats accumulate."""
    if not isinstance(src, Tensor):
        raise TypeError(
            f"scatter_add(): argument 'src' (position 3) must be Tensor, not {py_type_name(src)}"
        )
    key, src = _scatter_args(input, dim, index, src, _dst)
    return ScatterAdd.apply(input, src, key)


class IndexSelect(Index):
    pass


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries ``index`` (a vector) along ``dim``."""
    # PyTorch's order: the dim, the index's dims, a 0-d input's one value, the index's dtype
    ndim = input._data.ndim
    d = wrap_dim(dim, ndim)
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if ndim == 0 and index._data.size != 1:
        raise RuntimeError(
            "index_select(): Index to scalar can have only 1 value, got "
            f"{index._data.size} value(s)"
        )
    idx = _long_index(index)
    if idx is None:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if ndim == 0:
        idx = idx.reshape(())  # the result stays 0-d
    else:
        idx = idx.reshape(-1)
        if idx.size and ndim > 1 and input._data.shape[d] == 0:
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
    size = _sizes(input._data.shape)[d]
    if idx.size and (idx.max() >= size or idx.min() < 0):  # no negative indices here
        # PyTorch's CPU kernels word this differently depending on the layout they take.
        if ndim > 1 and (d == 1 or input._data.size == 0):
            bad = idx[(idx >= size) | (idx < 0)].flat[0]
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
        raise IndexError("index out of range in self")
    return IndexSelect.apply(input, (_basic_for(ndim), (slice(None),) * d + (idx,)))


def _dim_key(ndim: int, d: int, idx: np.ndarray) -> Key:
    """The key of positions ``idx`` along dim ``d`` (all of the other dims)."""
    return (_basic_for(ndim), (slice(None),) * d + (idx,))


def _slices_match(input: Tensor, d: int, source: Tensor) -> bool:
    shape, src = list(input._data.shape), list(source._data.shape)
    return len(shape) == len(src) and all(
        a == b for k, (a, b) in enumerate(zip(shape, src, strict=True)) if k != d
    )


def index_add(
    input: Tensor,
    dim: int,
    index: Tensor,
    source: Tensor,
    *,
    alpha: Any = 1,
    _dst: Tensor | None = None,
) -> Tensor:
    """A copy of input with alpha * source[i] added at index[i] along dim (repeats accumulate;
    ``_dst``: the memory index_add_ writes, which source must not overlap)."""
    d = wrap_dim(dim, input._data.ndim)
    idx = _long_index(index)
    if idx is None:
        raise RuntimeError(
            "index_add_(): Expected dtype int32/int64 for index but got: "
            f"{dtype_name(index._data.dtype)}"
        )
    if idx.ndim > 1:
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
            f"{dtype_name(idx.dtype)} and size: {list(idx.shape)}"
        )
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"index_add_(): self ({dtype_name(input._data.dtype)}) and source "
            f"({dtype_name(source._data.dtype)}) must have the same scalar type"
        )
    idx = idx.reshape(-1)
    if idx.size != (source._data.shape[d] if source._data.ndim else 1):
        if not source._data.ndim:  # (PyTorch's message asks a 0-d source its size)
            raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
        raise RuntimeError(
            f"index_add_(): Number of indices ({idx.size}) should be equal to "
            f"source.size(dim): ({source._data.shape[d]}), for dim: {d}"
        )
    # A 0-d self or source is compared whole (PyTorch drops dim only when neither is 0-d).
    if input._data.ndim and source._data.ndim:
        shapes_match = _slices_match(input, d, source)
    else:
        shapes_match = input._data.shape == source._data.shape
    if not shapes_match:
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(input._data.shape)} source.shape = "
            f"{list(source._data.shape)}"
        )
    _check_source_overlap(_dst, source)
    ndim = input._data.ndim
    size = _sizes(input._data.shape)[d]
    if ndim > 1 and input._data.size == 0:
        pass  # PyTorch's kernel returns at once: no index is checked
    elif ndim > 1 and d in (0, ndim - 1) and alpha == 1 and idx.dtype == np.int64:
        # PyTorch scatter_adds there (its message)
        _check_along(idx, size, d, negative=False, error=RuntimeError)
    elif idx.size and (idx.max() >= size or idx.min() < 0):
        raise IndexError("index out of range in self")
    key = _dim_key(input._data.ndim, d, idx)
    alpha = python_number(alpha)
    if isinstance(alpha, int | float) and not isinstance(alpha, bool):
        alpha = checked_scalar(alpha, input._data.dtype)  # (PyTorch's overflow check)
        return IndexAddSource.apply(input, key, source, alpha)
    if alpha != 1:
        source = source * alpha
    return IndexAdd.apply(input, key, source)


def _check_along(
    idx: np.ndarray, size: int, d: int, *, negative: bool, error: type[Exception], prefix: str = ""
) -> None:
    low = -size if negative else 0
    if idx.size and (idx.max() >= size or idx.min() < low):
        bad = idx[(idx >= size) | (idx < low)].flat[0]
        raise error(f"{prefix}index {bad} is out of bounds for dimension {d} with size {size}")


class IndexFill(IndexPut):
    """index_fill: IndexPut into a copy laid out as x (PyTorch clones with preserve_format)."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, key: Key, v: Any) -> np.ndarray:
        return SetIndex.forward(ctx, _copy_np(x), key, v)  # (writes into the copy it is given)


class IndexFillTensor(IndexFill):
    node_name = "IndexFillBackward1"


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """A copy of input with ``value`` (a number or 0-d tensor) at positions ``index`` of dim."""
    idx = _long_index(index, allow_int32=False)
    if idx is None:  # (checked before dim, as in PyTorch)
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    d = wrap_dim(dim, input._data.ndim)
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    size = _sizes(input._data.shape)[d]
    if input._data.size:  # (PyTorch's kernel checks nothing when it writes nothing)
        _check_along(idx, size, d, negative=True, error=IndexError)
    # Each position is filled once, however often it is listed (so the value's gradient is too).
    idx = np.unique(np.where(idx < 0, idx + size, idx))
    key = _dim_key(input._data.ndim, d, idx)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        return IndexFillTensor.apply(input, key, value)
    return IndexFill.apply(input, key, checked_scalar(python_number(value), input._data.dtype))


class IndexCopy(IndexPut):
    """y = x with source's slices written at ``index`` along dim ``d``; dx = the gradient with
    those slices zeroed, dsource = its slices at ``index``. As PyTorch's IndexCopyBackward0 it
    saves the index, and the source when that needs a gradient: a later write into them is
    reported at backward, the index's first."""

    _listed_inputs = (0, 3)  # not the index

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: Any, x: np.ndarray, d: int, index: np.ndarray, source: np.ndarray
    ) -> np.ndarray:
        out = IndexPut.forward(ctx, x, _dim_key(x.ndim, d, index.reshape(-1)), source)
        ctx.save_for_backward(index, *((source,) if ctx.needs_input_grad[3] else ()))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        ctx.saved_tensors  # noqa: B018  (checks their versions; raises once backward freed them)
        need_x, _, _, need_v = ctx.needs_input_grad
        grad_x = IndexPut.apply(grad, ctx.key, 0.0) if need_x else None
        grad_v = Index.apply(grad, ctx.key) if need_v else None
        return grad_x, None, None, grad_v


def index_copy(
    input: Tensor, dim: int, index: Tensor, source: Tensor, *, _dst: Tensor | None = None
) -> Tensor:
    """A copy of input with source[i] written at index[i] along dim (``_dst``: the memory
    index_copy_ writes, which source must not overlap; checked before the shapes)."""
    d = wrap_dim(dim, input._data.ndim)
    idx = _long_index(index, allow_int32=False)
    if idx is None:
        raise RuntimeError(
            "index_copy_(): Expected a long tensor for index, but got "
            f"{dtype_name(index._data.dtype)}"
        )
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{dtype_name(input._data.dtype)} and (source) {dtype_name(source._data.dtype)}"
        )
    _check_source_overlap(_dst, source)
    idx = idx.reshape(-1)
    if input._data.ndim and source._data.ndim:
        if source._data.shape[d] != idx.size:
            raise IndexError(
                f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                f"source.size(dim) ({source._data.shape[d]})"
            )
        dst = [str(n) for k, n in enumerate(input._data.shape) if k != d]
        src = [str(n) for k, n in enumerate(source._data.shape) if k != d]
        if dst != src:
            raise RuntimeError(
                "index_copy_(): Source/destination tensor must have same slice shapes. "
                f"Destination slice shape: {' '.join(dst)} at dimension {d} and source slice "
                f"shape: {' '.join(src)} at dimension 0."  # (PyTorch's words: always 0)
            )
    if input._data.size:  # (PyTorch's kernel checks nothing when it writes nothing)
        _check_along(
            idx,
            _sizes(input._data.shape)[d],
            d,
            negative=False,
            error=IndexError,
            prefix="index_copy_(): ",
        )
    return IndexCopy.apply(input, d, index, source)


class Take(Index):
    pass


def take(input: Tensor, index: Tensor) -> Tensor:
    """input viewed as 1-d, read at ``index``; the result has index's shape."""
    idx = _long_index(index, allow_int32=False)
    if idx is None:
        raise RuntimeError(
            f"take(): Expected a long tensor for index, but got {dtype_name(index._data.dtype)}"
        )
    n = input._data.size
    if idx.size and n == 0:
        raise IndexError("take(): tried to take from an empty tensor")
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx[(idx >= n) | (idx < -n)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    shape = input._data.shape
    # input[unravel(index)] reads the same elements as input.reshape(-1)[index], without a copy
    key = np.unravel_index(np.where(idx < 0, idx + n, idx), shape) if shape else (idx * 0,)
    return Take.apply(input, (_basic_for(len(shape)), key))


# --- masked ops -------------------------------------------------------------------------------


def _bool_mask(mask: Any, message: str) -> np.ndarray:
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError(message)
    return mask._data


class MaskedFill(NumpyFunction):
    """y = value where mask else x; dx = grad where not mask, dvalue = Σ grad where mask"""

    _listed_inputs: tuple[int, ...] = (0,)  # not the mask, nor a number value

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, mask: np.ndarray, value: Any) -> np.ndarray:
        ctx.save_for_backward(mask)
        # C-contiguous whatever x's layout: PyTorch's masked_fill fills a contiguous clone
        return np.asarray(np.where(mask, np.asarray(value).astype(x.dtype), x), order="C")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        # PyTorch's formulas: grad.masked_fill(mask, 0), and Σ grad.masked_select(mask)
        (mask,) = ctx.saved_tensors
        need_x, _, need_v = ctx.needs_input_grad
        grad_x = grad.masked_fill(mask, 0) if need_x else None
        grad_v = grad.masked_select(mask).sum() if need_v else None
        return grad_x, None, grad_v

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        (mask,) = ctx.saved_arrays
        need_x, _, need_v = ctx.needs_input_grad
        grad_x = np.where(mask, 0.0, grad) if need_x else None
        grad_v = grad[np.broadcast_to(mask, grad.shape)].sum() if need_v else None
        return grad_x, None, grad_v


class MaskedFillTensor(MaskedFill):
    node_name = "MaskedFillBackward1"
    _listed_inputs = (0, 2)


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``input`` with ``value`` (a number or a 0-d tensor) where ``mask`` is True."""
    return _masked_fill(input, mask, value, inplace=False)


def _masked_fill(input: Tensor, mask: Tensor, value: Any, inplace: bool) -> Tensor:
    """masked_fill, with PyTorch's order of checks: out of place, mask and input are broadcast
    first (mask named "a"); in place, after the mask's dtype (input named "a")."""
    T = Tensor
    if not inplace and isinstance(mask, T):
        _check_broadcast(mask._data.shape, input._data.shape)
    if not isinstance(mask, T) or mask._data.dtype != np.bool_:
        got = _errors.c_type_name(mask._data.dtype) if isinstance(mask, T) else "?"
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {got}"
        )
    if inplace:
        _check_broadcast(input._data.shape, mask._data.shape)
    if isinstance(value, T):
        if value._data.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        checked_scalar(value.item(), input._data.dtype)  # (PyTorch reads it as a number)
        return MaskedFillTensor.apply(input, mask, value)
    return MaskedFill.apply(input, mask, checked_scalar(python_number(value), input._data.dtype))


def _masked_fill_overlapping(self: Tensor, mask: Tensor, value: Any, compute: Any) -> Tensor:
    """``self.masked_fill_(mask, value)`` where elements of ``self`` share memory (expanded):
    PyTorch writes the value at each masked element, so a memory location takes it if any of
    its elements is masked, and warns that this is deprecated. A gradient through it cannot be
    told, as for fill_ (``fill_expanded``)."""
    if isinstance(value, Tensor) and value._requires_grad and _state.grad_enabled:
        return self._inplace(compute)  # (refuses the write)
    _errors.check_inplace_shape(self._data.shape, compute(self.detach())._data.shape)
    warnings.warn(
        "Use of masked_fill_ on expanded tensors is deprecated. Please clone() the tensor before "
        "performing this operation. This also applies to advanced indexing e.g. tensor[mask] = "
        "scalar",
        UserWarning,
        stacklevel=3,
    )
    fill = value._data if isinstance(value, Tensor) else value

    def write() -> None:
        np.copyto(self._data, fill, casting="unsafe", where=mask._data)

    if _state.grad_enabled and self._requires_grad and self._base is not None:

        def write_counted() -> None:  # fill_expanded leaves the version to its writer
            write()
            self._bump_version()

        return fill_expanded(self, fill, write_counted)
    return self._inplace(compute, write)


def _check_broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise _errors.broadcast_mismatch(a, b) from None


class MaskedSelect(Index):
    pass


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The 1-d tensor of input's entries where ``mask`` (broadcast with input) is True."""
    m = _bool_mask(mask, "masked_select: expected BoolTensor for mask")
    shape = _check_broadcast(m.shape, input._data.shape)
    if shape == ():
        return masked_select(input.reshape(1), mask.reshape(1))
    x = input if input._data.shape == shape else expand(input, shape)
    return MaskedSelect.apply(x, (_ALL, np.nonzero(np.broadcast_to(m, shape))))


# --- gather along dims, repeats, scatter into slices, put (issue 11) ----------------------------
def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """``gather`` with broadcasting: the values of ``input`` at ``indices`` along ``dim``
    (both flattened when dim is None). Along a dim, as PyTorch, the indices must be int64 and
    are taken modulo the dim's size (-1 is the last, and so is size - 1 + size)."""
    T = Tensor
    if not isinstance(indices, T):
        raise TypeError(
            "take_along_dim(): argument 'indices' (position 2) must be Tensor, not "
            f"{py_type_name(indices)}"
        )
    if dim is None:  # (gather's checks: int32 indices are fine, nothing wraps)
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    n = input._data.ndim
    if indices._data.ndim != n:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {n} dimensions for input, and {indices._data.ndim} dimensions "
            "for indices"
        )
    if indices._data.dtype != np.int64:
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            f"{dtype_name(indices._data.dtype)}"
        )
    d = wrap_dim(dim, n)
    if n == 0:  # (PyTorch asks the sizes of a 0-d tensor)
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    x_shape, i_shape = list(input._data.shape), list(indices._data.shape)
    x_shape[d] = i_shape[d]  # each broadcast against the other, except along dim
    i_shape = _broadcast_pair(x_shape, i_shape)
    x_shape, x_shape[d] = list(indices._data.shape), input._data.shape[d]
    x_shape = _broadcast_pair(x_shape, list(input._data.shape))
    size = input._data.shape[d]
    wrapped = indices._data % size if size else indices._data  # (PyTorch divides by 0)
    return gather(input.expand(tuple(x_shape)), d, T._make(wrapped).expand(tuple(i_shape)))


def _broadcast_pair(a: list[int], b: list[int]) -> list[int]:
    """The broadcast shape of ``a`` and ``b``, with PyTorch's message (infer_size) if none."""
    try:
        return list(np.broadcast_shapes(tuple(a), tuple(b)))
    except ValueError:
        raise _errors.broadcast_mismatch(a, b) from None


def repeat_interleave(
    input: Tensor, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Each element (slice along ``dim``) repeated ``repeats`` times in place; ``repeats`` is a
    number or one count per element. With only a tensor of counts, the indices repeated."""
    T = Tensor
    if repeats is None:  # repeat_interleave(counts): index i repeated counts[i] times
        counts = input._data
        if counts.ndim != 1 or counts.dtype.kind not in "iu":
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if counts.size and counts.min() < 0:
            raise RuntimeError("repeats can not be negative")
        return T._make(np.repeat(np.arange(counts.shape[0]), counts).astype(counts.dtype))
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else wrap_dim(dim, x._data.ndim)
    if x._data.ndim == 0:
        x = x.reshape(1)
    n = x._data.shape[d]
    r = repeats._data if isinstance(repeats, T) else np.asarray(repeats)
    if r.ndim > 1 or (r.ndim == 1 and r.shape[0] not in (1, n)):
        raise RuntimeError(
            "repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{r.shape[0] if r.ndim else 1} and input.size(0) = {n}"
        )
    if r.size and r.min() < 0:
        raise RuntimeError(
            "Repeats must be non-negative" if r.ndim == 0 else "repeats can not be negative"
        )
    index = np.repeat(np.arange(n), np.broadcast_to(r.reshape(-1) if r.ndim else r, (n,)))
    return index_select(x, d, T._make(index.astype(np.int64)))


class IndexPutAccumulate(IndexAdd):
    """index_put with accumulate=True: IndexAdd, recorded under PyTorch's node name, saving the
    index arrays as its IndexPutBackward0 does (a second backward without retain_graph raises)"""

    node_name = "IndexPutBackward0"
    keep_layout = True  # (PyTorch's index_put writes into a clone of x)

    @classmethod
    def forward(cls, ctx: Any, x: np.ndarray, key: Key, v: np.ndarray) -> np.ndarray:
        out = super().forward(ctx, x, key, v)
        _save_indices(ctx, key)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        _indices_alive(ctx)
        return IndexAdd.backward(ctx, grad)


def _masked_fill_dispatch(indices: Any, values: Tensor, accumulate: bool) -> bool:
    """True when PyTorch's index_put_ is a masked_fill_ (its canDispatchToMaskedFill): not
    accumulating, a one-element value, and one bool (or uint8) index among Nones."""
    if accumulate or values._data.size != 1 or not isinstance(indices, tuple | list):
        return False
    given = [i for i in indices if i is not None]
    return (
        len(given) == 1
        and isinstance(given[0], Tensor)
        and given[0]._data.dtype in (np.bool_, np.uint8)
    )


def index_put(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` written (added, with ``accumulate``) at the positions
    the tuple of index tensors ``indices`` selects, as ``input[indices] = values`` (but a 0-d
    index tensor is no int here, and the value's leading 1s are not dropped)."""
    return _index_put(input, indices, values, accumulate, 1)


def _index_put(
    input: Tensor, indices: Any, values: Tensor, accumulate: bool, position: int
) -> Tensor:
    """index_put; ``position``: the argument number of ``indices`` in PyTorch's messages (0 for
    the method, whose self is not counted)."""
    T = Tensor
    if not isinstance(indices, tuple | list):
        raise TypeError(
            "index_put(): argument 'indices' must be tuple of Tensors, not "
            f"{type(indices).__name__}"
        )
    if not isinstance(values, T):
        raise TypeError(
            "index_put(): argument 'values' (position 3) must be Tensor, not "
            f"{py_type_name(values)}"
        )
    for i, entry in enumerate(indices):
        if not isinstance(entry, T):
            raise TypeError(
                f"expected Tensor as element {i} in argument {position}, but got "
                f"{_errors.py_type_name(entry)}"
            )
    key = tuple(indices)
    if not accumulate:
        out = input.clone()
        clone_node = out.grad_fn
        setitem(out, key, values, tensors=True)
        _splice_out(out, clone_node)
        return out
    parsed = parse_key(input._data.shape, key, tensors=True)
    target = _shape_of(input._data.shape, (parsed.basic, parsed.adv))
    values = _checked_value(input, parsed, target, values, cast=False, strip=False)
    return IndexPutAccumulate.apply(input, (parsed.basic, parsed.adv), values)


def _splice_out(out: Tensor, clone_node: Any) -> None:
    """PyTorch records index_put as one IndexPutBackward0 on ``input``; ndgrad writes into a
    clone (setitem parses, checks and casts), so the write's node points to the clone's node:
    point it past that one (a clone's gradient is its output's, same shape and dtype)."""
    node = out.grad_fn
    if clone_node is None or node is None or node is clone_node:
        return
    first = node._edges[0]
    if first is not None and first[0] is clone_node:
        node._edges = (clone_node._edges[0], *node._edges[1:])


class Put(NumpyFunction):
    """y = x with source written (added, with ``accumulate``) at positions ``index`` of x's
    elements in row-major order; dx = the gradient (with those positions zeroed unless
    accumulating), dsource = the gradient taken at ``index``. As PyTorch's PutBackward0 it
    saves the index, and the source when that needs a gradient (the index is checked first)."""

    node_name = "PutBackward0"
    _listed_inputs = (0, 2)  # not the index

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, index: np.ndarray, source: np.ndarray, accumulate: bool
    ) -> np.ndarray:
        ctx.accumulate, ctx.source_shape = accumulate, source.shape
        ctx.save_for_backward(index, *((source,) if ctx.needs_input_grad[2] else ()))
        out = _copy_np(x)  # in x's layout, as PyTorch's clone
        flat = index.reshape(-1)
        key = np.unravel_index(np.where(flat < 0, flat + x.size, flat), x.shape or (1,))
        target = out if x.ndim else out.reshape(1)  # (a view of the 0-d copy)
        if accumulate:
            np.add.at(target, key, source.reshape(-1))
        else:
            target[key] = source.reshape(-1)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        index = ctx.saved_tensors[0]
        need_x, _, need_v, _ = ctx.needs_input_grad
        grad_x = grad_v = None
        if need_x:
            grad_x = grad
            if not ctx.accumulate:
                zeros = Tensor._make(np.zeros(ctx.source_shape, grad._data.dtype))
                grad_x = Put.apply(grad, index, zeros, False)
        if need_v:
            grad_v = take(grad, index).reshape(ctx.source_shape)
        return grad_x, None, grad_v, None


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``source`` written (added) at ``index`` of its flattened view."""
    if _long_index(index, allow_int32=False) is None:
        raise RuntimeError(
            f"put_(): Expected a long tensor for index, but got {dtype_name(index._data.dtype)}"
        )
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{dtype_name(input._data.dtype)} and source.dtype = {dtype_name(source._data.dtype)}"
        )
    if index._data.size != source._data.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {index._data.size}"
        )
    n, idx = input._data.size, index._data
    if n == 0 and idx.size:
        raise IndexError("put_(): Tried to put elements into an empty tensor")
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = idx[(idx >= n) | (idx < -n)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return Put.apply(input, index, source, bool(accumulate))


def _copy_np(x: np.ndarray) -> np.ndarray:
    """A copy of ``x`` laid out as PyTorch's clone lays it (the scatter ops write into one)."""
    return x.copy(order="K") if _errors.is_dense(x) else _copy_like_torch(x)


def _zeros(like: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Zeros of ``shape`` in like's dtype, outside any graph (PyTorch's zeros_like(src))."""
    return Tensor._make(np.zeros(shape, like._data.dtype))


class MaskedScatter(NumpyFunction):
    """y = x (broadcast to the mask's shape) with source's first elements, in order, written
    where the mask is True; dL/dx = the gradient where the mask is False, dL/dsource = the
    gradient's masked elements in order, then zeros (PyTorch's masked_scatter_backward)"""

    _listed_inputs = (0, 2)  # not the mask

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, mask: np.ndarray, source: np.ndarray) -> np.ndarray:
        shape = np.broadcast_shapes(mask.shape, x.shape)
        full = np.broadcast_to(mask, shape)
        ctx.save_for_backward(mask)
        ctx.source_shape = source.shape
        if x.shape != shape:
            x = np.lib.stride_tricks.as_strided(x, shape, expanded_strides(x, shape))
        out = np.array(x, order="C")  # PyTorch writes into a contiguous clone
        out[full] = source.reshape(-1)[: int(full.sum())]
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (mask,) = ctx.saved_tensors
        need_x, _, need_source = ctx.needs_input_grad
        grad_x = where(mask, 0.0, grad) if need_x else None
        grad_source = None
        if need_source:
            picked = masked_select(grad, mask)
            shape = ctx.source_shape
            missing = int(np.prod(shape, dtype=np.int64)) - picked._data.size
            if missing > 0:
                picked = cat([picked, _zeros(grad, (missing,))])
            grad_source = picked.reshape(shape)
        return grad_x, None, grad_source


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with the first elements of ``source``, in order, written where the
    (broadcast) ``mask`` is True: one node, MaskedScatterBackward0."""
    _check_masked_scatter(input, mask, source, inplace=False)
    return MaskedScatter.apply(input, mask, source)


def _check_masked_scatter(input: Tensor, mask: Any, source: Tensor, inplace: bool) -> None:
    """PyTorch's checks of masked_scatter(_), in its order: out of place, input and mask
    broadcast first; then (in place: into input's own shape) source's dtype, the mask expanded
    to the input, the mask's dtype, and the count of masked elements."""
    T = Tensor
    if not isinstance(mask, T):
        raise RuntimeError(
            "masked_scatter_ only supports boolean masks, but got mask with dtype "
            f"{type(mask).__name__}"
        )
    shape = input._data.shape
    if not inplace:
        try:
            shape = np.broadcast_shapes(mask._data.shape, shape)
        except ValueError:
            raise _errors.broadcast_mismatch(mask._data.shape, shape) from None
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(  # (PyTorch's message has no space after "got")
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{dtype_name(input._data.dtype)} and {dtype_name(source._data.dtype)}"
        )
    if mask._data.ndim > len(shape) and mask._data.dtype == np.bool_:
        # (a bool mask is expanded in PyTorch's kernel, whose message names the type as C++
        # does; another mask's error comes from its Python-facing expand, below)
        raise RuntimeError(
            f"expand(CPU{dtype_name(mask._data.dtype)}Type{{{list(mask._data.shape)}}}, "
            f"size={list(shape)}): the number of sizes provided ({len(shape)}) must be greater "
            f"or equal to the number of dimensions in the tensor ({mask._data.ndim})"
        )
    mask.expand(tuple(shape))  # PyTorch's expand_inplace: its error for a mask that does not fit
    if mask._data.dtype != np.bool_:
        raise RuntimeError(
            "masked_scatter_ only supports boolean masks, but got mask with dtype "
            f"{dtype_name(mask._data.dtype)}"
        )
    if int(np.broadcast_to(mask._data, shape).sum()) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")


def _check_slice_shape(src: Tensor, slice_shape: tuple[int, ...]) -> None:
    if tuple(src._data.shape) != tuple(slice_shape):
        raise RuntimeError(
            f"expected src to have a size equal to the slice of self. src size = "
            f"{list(src._data.shape)}, slice size = {list(slice_shape)}"
        )


class _WriteOver(NumpyFunction):
    """y = a copy of x with src written over the part of ``dim`` that ``arg`` picks (an index
    or a slice: the subclasses); dL/dx = the gradient with zeros written there (the same op),
    dL/dsrc = that part of the gradient (``_part_of``, recorded as PyTorch records it)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, src: np.ndarray, dim: int, arg: Any) -> np.ndarray:
        ctx.args, ctx.src_shape = (dim, arg), src.shape
        out = _copy_np(x)
        out[(slice(None),) * dim + (arg,)] = src
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_x, need_src, _, _ = ctx.needs_input_grad
        dim, arg = ctx.args
        op = ctx._forward_cls
        grad_x = op.apply(grad, _zeros(grad, ctx.src_shape), dim, arg) if need_x else None
        return grad_x, (op._part_of(grad, dim, arg) if need_src else None), None, None


class SelectScatter(_WriteOver):
    """select_scatter: src written over x.select(dim, index)"""

    @staticmethod
    def _part_of(grad: Tensor, dim: int, index: int) -> Tensor:
        return grad.select(dim, index)


class SliceScatter(_WriteOver):
    """slice_scatter: src written over the slice start:end:step of ``dim``"""

    @staticmethod
    def _part_of(grad: Tensor, dim: int, part: slice) -> Tensor:
        return index_view(grad, (slice(None),) * dim + (part,), Slice)


class DiagonalScatterInto(NumpyFunction):
    """y = a copy of x with src written over x.diagonal(offset, d1, d2); dL/dx = the gradient
    with zeros written there, dL/dsrc = the gradient's diagonal"""

    node_name = "DiagonalScatterBackward0"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, src: np.ndarray, offset: int, d1: int, d2: int
    ) -> np.ndarray:
        ctx.args, ctx.src_shape = (offset, d1, d2), src.shape
        out = _copy_np(x)
        _diagonal_view(out, offset, d1, d2)[...] = src
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_x, need_src = ctx.needs_input_grad[:2]
        offset, d1, d2 = ctx.args
        zeros = _zeros(grad, ctx.src_shape)
        grad_x = DiagonalScatterInto.apply(grad, zeros, offset, d1, d2) if need_x else None
        grad_src = grad.diagonal(offset, d1, d2) if need_src else None
        return grad_x, grad_src, None, None, None


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``src`` written over ``input.select(dim, index)``: one node,
    SelectScatterBackward0."""
    d = wrap_dim(dim, input._data.ndim)
    _check_slice_shape(src, input._data[(slice(None),) * d + (index,)].shape)
    size = input._data.shape[d]
    return SelectScatter.apply(input, src, d, index + size if index < 0 else index)


def slice_scatter(
    input: Tensor,
    src: Tensor,
    dim: int = 0,
    start: int | None = None,
    end: int | None = None,
    step: int = 1,
) -> Tensor:
    """A copy of ``input`` with ``src`` written over the slice start:end:step of ``dim``: one
    node, SliceScatterBackward0."""
    d = wrap_dim(dim, input._data.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    part = slice(start, end, step)
    _check_slice_shape(src, input._data[(slice(None),) * d + (part,)].shape)
    return SliceScatter.apply(input, src, d, part)


def diagonal_scatter(
    input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1
) -> Tensor:
    """A copy of ``input`` with ``src`` written over ``input.diagonal(offset, dim1, dim2)``: one
    node, DiagonalScatterBackward0."""
    _check_slice_shape(src, input.diagonal(offset, dim1, dim2)._data.shape)
    n = input._data.ndim
    return DiagonalScatterInto.apply(input, src, int(offset), wrap_dim(dim1, n), wrap_dim(dim2, n))


# --- scatter_reduce (issue 11) -------------------------------------------------------------------
_SCATTER_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _identity(reduce: str, dt: np.dtype) -> Any:
    if dt.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dt) if dt.kind in "iu" else None
    if info is None:
        return reduce == "amin"
    return info.min if reduce == "amax" else info.max


class ScatterProd(NumpyFunction):
    """y = x (where kept) times every src element scattered to each position;
    dy/dx and dy/dsrc = the product of the other factors of that position"""

    node_name = "ScatterReduceBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, block: np.ndarray, key: Key, keep: np.ndarray) -> Any:
        basic, adv = key
        assert adv is not None  # an along-dim key always has its index arrays
        block = _fit_empty(key, block)
        out = np.where(keep, x, 1).astype(x.dtype)
        np.multiply.at(out[basic], adv, block)
        # For the gradient where a factor is 0: how many zeros each product has, and the
        # product of its other factors.
        # (np.asarray: on 0-d arrays numpy's operators give scalars, which .at cannot update)
        zeros = np.asarray(keep & (x == 0)).astype(np.int64)
        np.add.at(zeros[basic], adv, (block == 0).astype(np.int64))
        nonzero = np.where(keep & (x != 0), x, 1).astype(x.dtype)
        np.multiply.at(nonzero[basic], adv, np.where(block == 0, 1, block))
        ctx.key, ctx.keep, ctx.zeros, ctx.nonzero = key, keep, zeros, nonzero
        ctx.save_for_backward(x, block, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, block, y = ctx.saved_tensors
        T = Tensor
        basic, adv = ctx.key
        zeros, nonzero = ctx.zeros, ctx.nonzero

        def others(
            values: Tensor, y_at: Tensor, zeros_at: np.ndarray, nonzero_at: np.ndarray
        ) -> Tensor:
            v = values._data
            divide = (v != 0) & (zeros_at == 0)
            safe = where(T._make(divide), values, T._make(np.ones_like(v)))
            fallback = np.where((v == 0) & (zeros_at == 1), nonzero_at, 0).astype(v.dtype)
            return where(T._make(divide), y_at / safe, T._make(fallback))

        need_x, need_src, _, _ = ctx.needs_input_grad
        grad_x = grad_src = None
        if need_x:
            grad_x = grad * others(x, y, zeros, nonzero)
            if not ctx.keep.all():  # include_self=False: +0 where src was scattered
                grad_x = where(T._make(ctx.keep), grad_x, 0.0)
        if need_src:
            at = Index.apply
            grad_src = at(grad, ctx.key) * others(
                block, at(y, ctx.key), zeros[basic][adv], nonzero[basic][adv]
            )
        return grad_x, grad_src, None, None


class ScatterReduce(NumpyFunction):
    """y = x with every src element combined into the position the key names, by sum, mean,
    amax or amin; ``keep`` says where x's own value takes part (include_self, or nothing was
    scattered there). dL/dx = the gradient where kept (over the count for a mean); dL/dsrc =
    the gradient at the key (the same). For amax and amin, each output's gradient is shared
    evenly among the elements equal to it (the ties), as in PyTorch."""

    node_name = "ScatterReduceBackward0"

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        block: np.ndarray,
        key: Key,
        reduce: str,
        keep: np.ndarray,
        counts: np.ndarray,
    ) -> np.ndarray:
        adv = key[1]
        assert adv is not None  # an along-dim key always has its index arrays
        # PyTorch's node saves self, the index, src and the result, whatever the reduction: a
        # second backward without retain_graph, or a write into one of them, raises
        out = ScatterReduce._reduce(ctx, x, _fit_empty(key, block), key, reduce, keep, counts)
        ctx.key, ctx.reduce, ctx.keep = key, reduce, keep
        ctx.save_for_backward(x, block, out, *(a for a in adv if isinstance(a, np.ndarray)))
        return out

    @staticmethod
    def _reduce(
        ctx: Any,
        x: np.ndarray,
        block: np.ndarray,
        key: Key,
        reduce: str,
        keep: np.ndarray,
        counts: np.ndarray,
    ) -> np.ndarray:
        basic, adv = key
        assert adv is not None  # (forward checked)
        if reduce in ("sum", "mean"):
            out = np.where(keep, x, 0).astype(x.dtype)
            np.add.at(out[basic], adv, block)
            if reduce == "sum":
                return out
            n = counts + keep
            ctx.n = n
            if x.dtype.kind != "f":
                return (out // n).astype(x.dtype)
            return out / n.astype(x.dtype)
        ufunc = np.maximum if reduce == "amax" else np.minimum
        out = np.where(keep, x, _identity(reduce, x.dtype)).astype(x.dtype)
        with np.errstate(invalid="ignore"):  # nan wins, silently, as in PyTorch
            ufunc.at(out[basic], adv, block)
            # PyTorch's formula counts x's own element among the ties even with
            # include_self=False (its share is then dropped: the src ties get less).
            ties_x = np.asarray(x == out)  # (an array even when 0-d: .at updates n below)
            ties_src = block == out[basic][adv]
        n = ties_x.astype(np.int64)
        np.add.at(n[basic], adv, ties_src.astype(np.int64))
        n = np.maximum(n, 1)
        ctx.shares = ((ties_x / n).astype(x.dtype), (ties_src / n[basic][adv]).astype(x.dtype))
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        ctx.saved_tensors  # noqa: B018  (raises once freed or written to, as PyTorch's)
        T = Tensor
        need_x, need_src = ctx.needs_input_grad[:2]
        dt = grad._data.dtype
        if ctx.reduce == "amax" or ctx.reduce == "amin":
            share_x, share_src = ctx.shares
            grad_x = grad * T._make(share_x) if need_x else None
            grad_src = Index.apply(grad, ctx.key) * T._make(share_src) if need_src else None
        else:
            if ctx.reduce == "mean":
                grad = grad / T._make(ctx.n.astype(dt))
            grad_x = grad if need_x else None
            grad_src = Index.apply(grad, ctx.key) if need_src else None
        if grad_x is not None and not ctx.keep.all():
            # include_self=False: +0 where src was scattered (PyTorch scatters 0 there)
            grad_x = where(T._make(ctx.keep), grad_x, 0.0)
        return grad_x, grad_src, None, None, None, None


class IndexReduce(ScatterReduce):
    """index_reduce's mean, amax and amin: ScatterReduce under PyTorch's node name"""

    node_name = "IndexReduceBackward0"


class IndexProd(ScatterProd):
    """index_reduce's prod: ScatterProd under PyTorch's node name"""

    node_name = "IndexReduceBackward0"


def scatter_reduce(
    input: Tensor,
    dim: int,
    index: Tensor,
    src: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
    _nodes: tuple[type[ScatterReduce], type[ScatterProd]] = (ScatterReduce, ScatterProd),
) -> Tensor:
    """A copy of ``input`` where every ``src`` element is combined, by ``reduce`` (sum, prod,
    mean, amax or amin), into the position ``index`` names along ``dim`` (as scatter does);
    ``include_self=False`` leaves the old values of those positions out. Gradients of amax and
    amin are shared evenly among tied elements, as in PyTorch. One node,
    ScatterReduceBackward0, for every reduction."""
    if reduce not in _SCATTER_REDUCES:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    key, block = _scatter_args(input, dim, index, src)
    basic, adv = key
    assert adv is not None  # an along-dim key always has its index arrays
    if reduce != "sum" and reduce != "mean" and adv[0].size:
        # PyTorch's amax/amin/prod formulas broadcast src against the index (an error or odd
        # gradients where src is larger); ndgrad differentiates src's leading block instead.
        block = _leading_block(block, np.broadcast_shapes(*(a.shape for a in adv)))
    x = input._data
    counts = np.zeros(x.shape, np.int64)
    np.add.at(counts[basic], adv, 1)
    keep = np.asarray(include_self) | (counts == 0)
    keep = np.broadcast_to(keep, x.shape)
    if reduce == "prod":
        return _nodes[1].apply(input, block, key, keep)
    return _nodes[0].apply(input, block, key, reduce, keep, counts)


def index_reduce(
    input: Tensor,
    dim: int,
    index: Tensor,
    source: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """A copy of ``input`` where slice ``j`` of ``source`` along ``dim`` is combined, by
    ``reduce`` (prod, mean, amax or amin), into slice ``index[j]``: scatter_reduce with the
    index repeated across the other dims."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(
            "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    d = wrap_dim(dim, input.ndim)
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(
            "index_reduce_(): Index is supposed to be a vector, but got dim: "
            f"{idx.ndim} with type: {dtype_name(idx.dtype)} and size: {list(idx.shape)}"
        )
    if idx.dtype not in (np.int32, np.int64):
        raise RuntimeError(
            "index_reduce_(): Expected dtype int32/int64 for index but got: "
            f"{dtype_name(idx.dtype)}"
        )
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(
            f"index_reduce_(): self ({dtype_name(input._data.dtype)}) and source "
            f"({dtype_name(source._data.dtype)}) must have the same scalar type"
        )
    shape, src_shape = input._data.shape, source._data.shape
    if len(src_shape) != len(shape) or any(
        a != b for i, (a, b) in enumerate(zip(shape, src_shape, strict=True)) if i != d
    ):
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(shape)} source.shape = {list(src_shape)}"
        )
    if idx.size != src_shape[d]:
        raise RuntimeError(
            f"index_reduce_(): Number of indices ({idx.size}) should be equal to "
            f"source.size(dim): ({src_shape[d]}), for dim: {dim}"
        )
    flat = idx.reshape(-1).astype(np.int64)
    _errors.warn_once(
        "index_reduce", "index_reduce() is in beta and the API may change at any time."
    )
    if np.any((flat < 0) | (flat >= shape[d])):
        raise IndexError("index out of range in self")
    along = [1] * len(src_shape)
    along[d] = flat.size
    full = np.broadcast_to(flat.reshape(along), src_shape).copy()
    T = Tensor
    return scatter_reduce(
        input,
        d,
        T._make(full),
        source,
        reduce,
        include_self=include_self,
        _nodes=(IndexReduce, IndexProd),
    )


class FillDiagonal(NumpyFunction):
    """y = x with ``value`` on the main diagonal (all dims equal, or 2-d with ``wrap`` for tall
    matrices); dy/dx = 1 off the diagonal, 0 on it"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, value: Any, wrap: bool) -> np.ndarray:
        ctx.wrap = wrap
        y = x.copy()
        np.fill_diagonal(y, value, wrap=wrap)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return FillDiagonal.apply(grad, 0, ctx.wrap), None, None


def _stored_number(value: Any, dt: np.dtype) -> Any:
    """A number written into a tensor of dtype ``dt`` by item assignment or fill_diagonal_:
    PyTorch checks it against an integer or bool dtype, and against float32 and float64, but
    lets it round to inf in float16 (``t[0] = 1e10``)."""
    if not isinstance(value, int | float):
        return value
    return rounded_to(value, dt) if dt == np.float16 else checked_scalar(value, dt)


def _fill_diagonal(input: Tensor, fill_value: Any, wrap: bool) -> Tensor:
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and any(n != shape[0] for n in shape):
        raise RuntimeError("all dimensions of input must be of equal length")
    fill_value = _stored_number(python_number(fill_value), input._data.dtype)
    return FillDiagonal.apply(input, fill_value, bool(wrap))


class IndexingMethods:
    """Tensor methods of the indexing ops."""

    def __getitem__(self, index: Any) -> Tensor:
        return getitem(self, index)  # type: ignore[arg-type]

    def __setitem__(self, index: Any, value: Any) -> None:
        setitem(self, index, value)  # type: ignore[arg-type]

    def gather(self, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
        return gather(self, dim, index)  # type: ignore[arg-type]

    def scatter(
        self, dim: int, index: Tensor, src: Any = None, value: Any = None, *, reduce: Any = None
    ) -> Tensor:
        return scatter(self, dim, index, src, value, reduce=reduce)  # type: ignore[arg-type]

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return scatter_add(self, dim, index, src)  # type: ignore[arg-type]

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return index_select(self, dim, index)  # type: ignore[arg-type]

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        return masked_fill(self, mask, value)  # type: ignore[arg-type]

    def masked_select(self, mask: Tensor) -> Tensor:
        return masked_select(self, mask)  # type: ignore[arg-type]

    def take(self, index: Tensor) -> Tensor:
        return take(self, index)  # type: ignore[arg-type]

    def index_add(self, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        return index_add(self, dim, index, source, alpha=alpha)  # type: ignore[arg-type]

    def index_fill(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return index_fill(self, dim, index, value)  # type: ignore[arg-type]

    def index_copy(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return index_copy(self, dim, index, source)  # type: ignore[arg-type]

    # In place: the out-of-place op's result written back (see Tensor._inplace).
    def index_add_(self, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
        return self._inplace(  # type: ignore[attr-defined]
            lambda s: index_add(s, dim, index, source, alpha=alpha, _dst=self)  # type: ignore[arg-type]
        )

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        return self._inplace(lambda s: index_fill(s, dim, index, value))  # type: ignore[attr-defined]

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        return self._inplace(  # type: ignore[attr-defined]
            lambda s: index_copy(s, dim, index, source, _dst=self)  # type: ignore[arg-type]
        )

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        compute = lambda s: _masked_fill(s, mask, value, inplace=True)  # noqa: E731
        if not _errors.has_internal_overlap(self._data):  # type: ignore[attr-defined]
            return self._inplace(compute)  # type: ignore[attr-defined]
        return _masked_fill_overlapping(self, mask, value, compute)  # type: ignore[arg-type]

    def scatter_(
        self, dim: int, index: Tensor, src: Any = None, value: Any = None, *, reduce: Any = None
    ) -> Tensor:
        return self._inplace(  # type: ignore[attr-defined]
            lambda s: scatter(s, dim, index, src, value, reduce=reduce, _dst=self)  # type: ignore[arg-type]
        )

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._inplace(  # type: ignore[attr-defined]
            lambda s: scatter_add(s, dim, index, src, _dst=self)  # type: ignore[arg-type]
        )

    # --- gather along dims, repeats, scatter into slices, put ---
    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        return take_along_dim(self, indices, dim)  # type: ignore[arg-type]

    def repeat_interleave(
        self, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
    ) -> Tensor:
        if repeats is None:
            raise TypeError("repeat_interleave() missing required argument 'repeats'")
        return repeat_interleave(self, repeats, dim)  # type: ignore[arg-type]

    def index_put(self, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
        return _index_put(self, indices, values, accumulate, 0)  # type: ignore[arg-type]

    def index_put_(self, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
        if isinstance(values, Tensor) and not _masked_fill_dispatch(indices, values, accumulate):
            # PyTorch's index_put_ refuses a value sharing memory with self (a one-element
            # value through one bool mask is its masked_fill_, which reads the value first),
            # after autograd's checks of self (a leaf that requires grad, ...)
            self._check_inplace(values)  # type: ignore[attr-defined]
            _errors.check_no_overlap(self._data, values._data)  # type: ignore[attr-defined]
        return self._inplace(lambda s: _index_put(s, indices, values, accumulate, 0))  # type: ignore[attr-defined]

    def put(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        return put(self, index, source, accumulate)  # type: ignore[arg-type]

    def put_(self, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
        return self._inplace(lambda s: put(s, index, source, accumulate))  # type: ignore[attr-defined]

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        return masked_scatter(self, mask, source)  # type: ignore[arg-type]

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        self._check_inplace()  # type: ignore[attr-defined]  # (a leaf's error comes first)
        _check_masked_scatter(self, mask, source, inplace=True)  # type: ignore[arg-type]
        return self._inplace(lambda s: masked_scatter(s, mask, source))  # type: ignore[attr-defined]

    def select_scatter(self, src: Tensor, dim: int, index: int) -> Tensor:
        return select_scatter(self, src, dim, index)  # type: ignore[arg-type]

    def slice_scatter(
        self,
        src: Tensor,
        dim: int = 0,
        start: int | None = None,
        end: int | None = None,
        step: int = 1,
    ) -> Tensor:
        return slice_scatter(self, src, dim, start, end, step)  # type: ignore[arg-type]

    def diagonal_scatter(
        self, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1
    ) -> Tensor:
        return diagonal_scatter(self, src, offset, dim1, dim2)  # type: ignore[arg-type]

    def scatter_reduce(
        self, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return scatter_reduce(self, dim, index, src, reduce, include_self=include_self)  # type: ignore[arg-type]

    def scatter_reduce_(
        self, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return self._inplace(  # type: ignore[attr-defined]
            lambda s: scatter_reduce(s, dim, index, src, reduce, include_self=include_self)
        )

    def index_reduce(
        self, dim: int, index: Tensor, source: Tensor, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return index_reduce(self, dim, index, source, reduce, include_self=include_self)  # type: ignore[arg-type]

    def index_reduce_(
        self, dim: int, index: Tensor, source: Tensor, reduce: str, *, include_self: bool = True
    ) -> Tensor:
        return self._inplace(  # type: ignore[attr-defined]
            lambda s: index_reduce(s, dim, index, source, reduce, include_self=include_self)
        )

    def fill_diagonal_(self, fill_value: Any, wrap: bool = False) -> Tensor:
        if self.is_leaf and self._requires_grad and _state.grad_enabled:  # type: ignore[attr-defined]
            # PyTorch writes through a view of the diagonal, and names that view
            raise RuntimeError(_errors.VIEW_OF_LEAF_INPLACE)
        return self._inplace(lambda s: _fill_diagonal(s, fill_value, wrap))  # type: ignore[attr-defined]


# The op each indexing function's backward records, named as PyTorch's formula names it (the
# arithmetic is IndexAccumulate's in every case: zeros with the gradient added at the key).
class _ScatterAdd(IndexAccumulate):
    node_name = "ScatterAddBackward0"


class _IndexAdd(IndexAccumulate):
    node_name = "IndexAddBackward0"


class _Put(IndexAccumulate):
    node_name = "PutBackward0"


class _MaskedScatter(IndexAccumulate):
    node_name = "MaskedScatterBackward0"


_ACCUMULATE: dict[type, type[IndexAccumulate]] = {
    Gather: _ScatterAdd,
    IndexSelect: _IndexAdd,
    Take: _Put,
    MaskedSelect: _MaskedScatter,
}
