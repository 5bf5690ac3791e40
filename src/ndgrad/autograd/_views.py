"""In-place writes into tensors that are part of a graph: rewriting history, as PyTorch does.

When an in-place op writes ``result`` into a tensor that records history, the tensor object stays
and its ``grad_fn`` becomes ``result``'s. A view shares its storage with its base, so writing into
a view changes the base too: the base's new history is ``CopySlices(old base, result)`` (the old
base everywhere except the view's elements, which come from ``result``), and every live view of
that base is re-derived from it (``AsStridedBackward0``). Which base elements a view covers is
read off the numpy memory layout, so any view op (view, transpose, expand, ...) is handled alike.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _errors
from .._tensor import Tensor, _StaleMultiOutputView
from ..ops._util import NumpyFunction
from .grad_mode import _state

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["AsStrided", "CopySlices", "Embed", "flat_index", "rebase_history", "register_view"]


def _addresses(a: np.ndarray) -> np.ndarray:
    """The memory address of every element of ``a`` (same shape as ``a``)."""
    start = a.__array_interface__["data"][0]
    out = np.full(a.shape, start, dtype=np.int64)
    for d, (n, stride) in enumerate(zip(a.shape, a.strides, strict=True)):
        shape = [1] * a.ndim
        shape[d] = n
        out = out + (np.arange(n, dtype=np.int64) * stride).reshape(shape)
    return out


OUTSIDE_BASE = "in-place operation on a view whose memory is not part of its base"
UNREACHABLE_VIEW = (
    "the history of this view cannot be re-derived: its memory is no longer part of its "
    "base's elements (the base was given other memory by as_strided_ and then written in "
    "place; ndgrad re-derives a view from its base's elements, PyTorch from the storage). Use "
    "view.detach(), or take the view again from the base"
)


class OutsideBase(RuntimeError):
    """A view's memory reaches past its base's elements (after the base's as_strided_)."""


def flat_index(base: np.ndarray, view: np.ndarray, written: bool = True) -> np.ndarray:
    """For each element of ``view``, the C-order flat index of the ``base`` element it aliases.

    A view that is ``written`` to must not alias one base element twice (PyTorch refuses such a
    write); a view that is only re-derived after a write elsewhere may (an expanded view).
    """
    v = _addresses(view)
    if base.flags.c_contiguous and base.size:
        # The usual case: a base's address is a linear function of its flat index.
        offset = v - base.__array_interface__["data"][0]
        idx, rest = np.divmod(offset, base.itemsize)
        if (rest != 0).any() or (idx < 0).any() or (idx >= base.size).any():
            raise OutsideBase(OUTSIDE_BASE)
        if written:
            _check_unique(idx)
        # An array even for a 0-d view (numpy gives a scalar there): indexing with a scalar
        # would make AsStrided return a view of the base instead of a copy.
        return np.asarray(idx)
    b = _addresses(base).ravel()
    order = np.argsort(b, kind="stable")
    sorted_b = b[order]
    pos = np.searchsorted(sorted_b, v.ravel())
    pos = np.minimum(pos, max(len(sorted_b) - 1, 0))
    if sorted_b.size == 0 or not np.array_equal(sorted_b[pos], v.ravel()):
        if v.size == 0:
            return np.zeros(view.shape, dtype=np.int64)
        raise OutsideBase(OUTSIDE_BASE)
    idx = order[pos].reshape(view.shape)
    if written:
        _check_unique(idx)
    return idx


def _check_unique(idx: np.ndarray) -> None:
    if np.unique(idx).size != idx.size:
        raise RuntimeError(_errors.INTERNAL_OVERLAP)


class AsStrided(NumpyFunction):
    """y = the elements of x at flat indices ``idx`` (x's trailing dims have ``base_shape``).

    Leading dims beyond ``base_shape`` are carried along, so a batched gradient passes through.
    """

    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, idx: np.ndarray, base_shape: tuple[int, ...]) -> Any:
        ctx.idx, ctx.base_shape = idx, base_shape
        lead = x.shape[: x.ndim - len(base_shape)]
        return x.reshape((*lead, -1))[..., idx]

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        if ctx.idx.size == 0 or 0 in ctx.base_shape:
            # PyTorch's as_strided_backward returns plain zeros when the view or the base is
            # empty: no graph, so under create_graph the result does not require grad.

            g = grad._data
            lead = g.shape[: g.ndim - ctx.idx.ndim]
            return Tensor._make(np.zeros((*lead, *ctx.base_shape), g.dtype)), None, None
        return Embed.apply(grad, ctx.idx, ctx.base_shape), None, None


class Embed(NumpyFunction):
    """y = zeros of ``base_shape`` with x placed at flat indices ``idx`` (AsStrided's adjoint)."""

    node_name = "AsStridedScatterBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, idx: np.ndarray, base_shape: tuple[int, ...]) -> Any:
        ctx.idx, ctx.base_shape = idx, base_shape
        lead = x.shape[: x.ndim - idx.ndim]
        out = np.zeros((*lead, int(np.prod(base_shape))), dtype=x.dtype)
        if np.unique(idx).size == idx.size:
            out[..., idx] = x
        else:  # an expanded view: elements that alias one base element add up
            np.add.at(out, (..., idx), x)  # type: ignore[arg-type]
        return out.reshape((*lead, *base_shape))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return AsStrided.apply(grad, ctx.idx, ctx.base_shape), None, None


class CopySlices(NumpyFunction):
    """new base = old base with the elements at ``idx`` replaced by ``src``.

    The values are already in the base's storage when this is recorded (the in-place op wrote
    them), so forward only returns the storage; the node routes the gradient: the old base gets
    it outside ``idx``, ``src`` gets the part at ``idx``.
    """

    node_name = "CopySlices"
    _wrapped_input = 2  # src's node is the op that wrote (see function.py:_CopySlicesNode)

    @staticmethod
    def forward(ctx: Any, base: np.ndarray, idx: np.ndarray, src: np.ndarray) -> np.ndarray:
        ctx.idx, ctx.base_shape = idx, base.shape
        return base

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_base, _, need_src = ctx.needs_input_grad
        grad_base = grad_src = None
        if need_base:  # zeros where the write was: set, not multiplied (an inf or nan
            # gradient there would give nan; PyTorch's CopySlices zeroes that slice)
            written = np.zeros(ctx.base_shape, dtype=bool)
            written.reshape(-1)[ctx.idx.ravel()] = True
            grad_base = grad.masked_fill(Tensor._make(written), 0)
        if need_src:
            grad_src = AsStrided.apply(grad, ctx.idx, ctx.base_shape)
        return grad_base, None, grad_src


class Fill(NumpyFunction):
    """y = a constant (``fill_``, ``zero_``); no gradient reaches x."""

    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, value: Any) -> np.ndarray:
        return np.full_like(x, value)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Tensor._make(np.zeros_like(grad._data)), None


class OverlappingWrite(NumpyFunction):
    """The base after fill_/zero_ wrote through an expanded view of it (one value into every
    element, which PyTorch allows). Its backward cannot tell the repeated elements apart and
    raises PyTorch's error, as PyTorch's CopySlices does there."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx: Any, base: np.ndarray) -> np.ndarray:
        return base

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Any:
        raise RuntimeError(_errors.INTERNAL_OVERLAP)


class ExpandedWrite(NumpyFunction):
    """The base after a value that needs a gradient was written through an expanded view of a
    base that needs none (``x[mask] = v``): PyTorch's CopySlices never asks the base's own
    gradient (which it could not tell apart); the value's is ``value_grad(grad)``."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx: Any, base: np.ndarray, value: Any, value_grad: Any) -> np.ndarray:
        ctx.value_grad = value_grad
        return base

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Any:
        return None, ctx.value_grad(grad), None


def fill_expanded(view: Tensor, value: Any, write: Any = None, value_grad: Any = None) -> Tensor:
    """``view.fill_(value)`` while recording, ``view`` expanded: write (or call ``write()``),
    then give the base a history whose backward raises (see OverlappingWrite), or, with
    ``value_grad`` for a value that alone needs a gradient, one that gives it that (see
    ExpandedWrite); the view re-derives from it lazily."""
    view._check_inplace()
    base = view._base
    assert base is not None
    if write is None:
        view._data[...] = value
        view._bump_version()
    else:
        write()
    old = Tensor._make(base._data, base.grad_fn, base._output_nr)
    old._requires_grad = base._requires_grad
    if value_grad is not None:
        _set_history(base, ExpandedWrite.apply(old, value, value_grad))
    else:
        _set_history(base, OverlappingWrite.apply(old))
    return view


class Zero(Fill):
    node_name = "ZeroBackward0"


def register_view(root: Tensor, view: Tensor) -> None:
    """Remember a live view of a non-leaf ``root``, so an in-place write can re-derive it."""
    views = root.__dict__.get("_views")
    if views is None:
        views = root.__dict__["_views"] = weakref.WeakValueDictionary()
    views[id(view)] = view


def _rederive(view: Tensor, root: Tensor) -> None:
    """Make ``view``'s history "these elements of ``root``'s current value"."""
    if "_multi_output_view" in view.__dict__:
        if "_stale_message" not in view.__dict__:
            _make_stale(view)
        return

    had_history = view.__dict__.get("grad_fn") is not None
    previous = _state.grad_enabled
    _state.grad_enabled = True
    try:
        idx = flat_index(root._data, view._data, written=False)
        fresh = AsStrided.apply(root, idx, root._data.shape)
        if fresh.grad_fn is None and had_history:
            # The root stopped requiring grad (detach_()) after the view was made: PyTorch still
            # gives the view an AsStridedBackward0, whose gradient goes nowhere.
            stand_in = Tensor._make(root._data)
            stand_in._requires_grad = True
            fresh = AsStrided.apply(stand_in, idx, root._data.shape)
            node = fresh.grad_fn
            assert node is not None
            node._edges = tuple(  # each edge (node, input_nr, shape, dtype) to no node
                e if e is None else (None, 0, *e[2:]) for e in node._edges
            )
    finally:
        _state.grad_enabled = previous
    _set_history(view, fresh)


def rederive_stale_view(view: Tensor) -> None:
    """``view``'s memory was written since its history was set: re-derive it from the base now
    (``_tensor._View`` calls this when it notices). An unbind/split/chunk output cannot be
    re-derived, and from now on refuses to be used, as in PyTorch."""
    d = view.__dict__
    if "_no_grad_view" in d:
        return
    if "_multi_output_view" in d:
        _make_stale(view)
        return
    assert view._base is not None
    _rederive(view, view._base)


def _make_stale(view: Tensor) -> None:
    """An unbind/split/chunk output whose base changed: every later use that needs its history
    raises, as in PyTorch (see ``_tensor._StaleMultiOutputView``)."""

    fn = view.__dict__.get("grad_fn")
    name = "" if fn is None else _errors.op_name(fn.name())
    d = view.__dict__
    if fn is None:  # an output of a tensor that needed no grad then
        d["_stale_message"] = _errors.STALE_NO_GRAD_MULTI_OUTPUT_VIEW
    else:
        d["_stale_message"] = _errors.STALE_MULTI_OUTPUT_VIEW.format(
            nr=d.get("_output_nr", 0), fn=name
        )
    # It requires grad while it has history or its base has some (_StaleMultiOutputView).
    view.__class__ = _StaleMultiOutputView


def _refresh_views(root: Tensor, skip: Tensor | None = None) -> None:
    views = root.__dict__.get("_views")
    if not views:
        return
    for view in list(views.values()):
        if view is not skip:
            try:
                _rederive(view, root)
            except OutsideBase:  # PyTorch writes and re-derives the view only if it is used
                _make_unreachable(view)


def _make_unreachable(view: Tensor) -> None:
    """A live view left outside its root's elements by the root's as_strided_: the write goes
    ahead, as PyTorch's, and any later use of the view's history raises (its values and
    detach() still work)."""
    view.__dict__["_stale_message"] = UNREACHABLE_VIEW
    view.__dict__["_multi_output_view"] = True  # stays stale: never re-derived again
    view.__class__ = _StaleMultiOutputView


def view_alias(view: Tensor) -> Tensor:
    """A copy of ``view``'s current values whose history is "these elements of its base"."""
    base = view._base
    assert base is not None
    previous = _state.grad_enabled
    _state.grad_enabled = True
    try:
        return AsStrided.apply(base, flat_index(base._data, view._data), base._data.shape)
    finally:
        _state.grad_enabled = previous


def _set_history(tensor: Tensor, result: Tensor) -> None:
    """Give ``tensor`` ``result``'s history. A retained gradient follows the tensor to its new
    version (PyTorch moves ``retain_grad``'s hook); other tensor hooks stay with the old one."""
    old_fn, old_nr = tensor.grad_fn, tensor._output_nr
    if old_fn is None and result.grad_fn is not None:
        # It gains a history only now: nodes that saved it before saved it without one, and its
        # detach_() later is no error for them (function.py:_check_not_detached).
        tensor.__dict__["_history_since"] = result.grad_fn._sequence_nr
    tensor.grad_fn = result.grad_fn
    tensor._output_nr = result._output_nr
    tensor._requires_grad = result._requires_grad
    if tensor._retains_grad and old_fn is not None and old_fn._retained:
        old_fn._retained.pop(old_nr, None)
        tensor._retains_grad = False
        if tensor.grad_fn is not None:
            tensor.retain_grad()


def rebase_history(tensor: Tensor, result: Tensor) -> None:
    """``tensor``'s storage now holds ``result``'s values: make its graph (and base's) say so."""
    base = tensor._base
    if base is None:
        _set_history(tensor, result)
        _refresh_views(tensor)
        return
    idx = flat_index(base._data, tensor._data)
    # Only the old base's history and shape matter to CopySlices (its values are overwritten).
    old = Tensor._make(base._data, base.grad_fn, base._output_nr)
    old._requires_grad = base._requires_grad
    new = CopySlices.apply(old, idx, result)
    if result.grad_fn is not None and new.grad_fn is not None:
        result.grad_fn._checked_as = new.grad_fn.name()  # PyTorch runs it inside CopySlices
    _set_history(base, new)
    if base.grad_fn is not None:
        _rederive(tensor, base)
        register_view(base, tensor)
        _refresh_views(base, skip=tensor)


class Copy(NumpyFunction):
    """y = src broadcast to dst's shape and cast to its dtype (``copy_``); dst gets no gradient."""

    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx: Any, dst: np.ndarray, src: np.ndarray) -> np.ndarray:
        out = np.empty_like(dst)  # dst's dtype and layout
        np.copyto(out, np.broadcast_to(src, dst.shape), casting="unsafe")
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_dst, need_src = ctx.needs_input_grad
        zero = Tensor._make(np.zeros_like(grad._data)) if need_dst else None
        return zero, (grad if need_src else None)
