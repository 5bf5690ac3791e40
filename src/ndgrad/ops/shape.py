"""Shape ops: views and reshapes, joins and splits, repeats, flips, triangles and diagonals.

Views share storage and the version counter with their base, as in PyTorch.
"""

from __future__ import annotations

import itertools
import math
import operator
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _errors
from .._args import no_other_keywords, size_args
from .._creation import empty
from .._kernels import broadcast_dims, sum_to_np
from .._layout import suggests_channels_last
from .._namespace import public_dir
from .._tensor import Tensor, _NoGradView, _View
from ..autograd._views import Copy, fill_expanded, register_view
from ..autograd.function import _type_string
from ..autograd.grad_mode import _state
from ..dtypes import dtype_name, result_type
from ._util import cast, check_dims, normalize_dims, parse_shape, promote_all, wrap_dim
from .arithmetic import CloneContiguous, NumpyFunction, _copy_like_torch

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "block_diag",
    "broadcast_tensors",
    "broadcast_to",
    "cartesian_prod",
    "cat",
    "chunk",
    "column_stack",
    "combinations",
    "concat",
    "concatenate",
    "diag",
    "diag_embed",
    "diagflat",
    "diagonal",
    "diff",
    "dsplit",
    "dstack",
    "flatten",
    "flip",
    "fliplr",
    "flipud",
    "hsplit",
    "hstack",
    "meshgrid",
    "moveaxis",
    "movedim",
    "narrow",
    "permute",
    "ravel",
    "reshape",
    "roll",
    "rot90",
    "select",
    "split",
    "split_with_sizes",
    "squeeze",
    "stack",
    "swapaxes",
    "swapdims",
    "t",
    "tensor_split",
    "tile",
    "trace",
    "transpose",
    "tril",
    "tril_indices",
    "triu",
    "triu_indices",
    "unbind",
    "unflatten",
    "unsqueeze",
    "vsplit",
    "vstack",
]
__dir__ = public_dir(__name__)


def _as_view(out: Tensor, base: Tensor) -> Tensor:
    """Mark ``out`` as a view of ``base``: same storage, same version counter."""
    root = base._base if base._base is not None else base
    out._base = root
    counter = out._version_counter = base._counter()
    if _state.grad_enabled and type(out) is Tensor:
        # A view re-derives its history from the root when their memory was written since
        # (_tensor._View): this is the version its history is current for. Views made with
        # grad off (a first-order backward's formulas, inference) never need it, and skip the
        # cost of the lazy check on every read of their history.
        out.__class__ = _View
        out.__dict__["_attr_version"] = counter.value
    if out.grad_fn is not None and root.grad_fn is not None:
        # An in-place write into the root or another of its views re-derives this one at once.

        register_view(root, out)
    elif root._requires_grad and not _state.grad_enabled:
        out.__dict__["_no_grad_view"] = True  # in-place on it with grad enabled is refused
        if type(out) is Tensor:
            out.__class__ = _NoGradView  # it requires grad through its root, as in PyTorch
    if "_past_input" in base.__dict__:
        out.__dict__["_past_input"] = True  # see _strided.as_strided
    if "_multi_output_view" in base.__dict__:
        out.__dict__["_multi_output_view"] = True  # so is a view of such a view
        if "_plain_multi_output_view" in base.__dict__ and out.grad_fn is None:
            out.__dict__["_plain_multi_output_view"] = True
    return out


def _multi_output_views(outs: tuple[Tensor, ...], base: Tensor) -> tuple[Tensor, ...]:
    """The views returned by unbind/split/chunk: writing into one in place while recording is
    refused, as PyTorch refuses it (the node that made them cannot take a rewritten history)."""
    views = tuple(_as_view(out, base) for out in outs)
    for v in views:
        v.__dict__["_multi_output_view"] = True
        if v.grad_fn is None:
            # Of a tensor that needs no grad: a recorded write into it later is refused with
            # PyTorch's no_grad-view message.
            v.__dict__["_plain_multi_output_view"] = True
    return views


def infer_shape(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    """Resolve one -1 in ``shape``; PyTorch's errors for bad shapes."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return tuple(numel // known if s == -1 else s for s in shape)
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _view_array(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray | None:
    """``x`` viewed with ``shape`` without copying, or None if its strides do not allow it."""
    v = x.view()
    try:
        v.shape = shape
    except AttributeError:
        return None
    return v


class View(NumpyFunction):
    """y = x with another shape, same storage; the gradient is reshaped back."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.in_shape = x.shape
        v = _view_array(x, shape)
        if v is None:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            )
        return v

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad.reshape(ctx.in_shape), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return grad.reshape(ctx.in_shape), None


class ReshapeAlias(View):
    """reshape() of a non-contiguous tensor whose strides allow a view"""


class ReshapeCopy(NumpyFunction):
    """y = a reshaped copy of x (when a view is impossible)"""

    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad.reshape(ctx.in_shape), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return grad.reshape(ctx.in_shape), None


def view(input: Tensor, *shape: Any) -> Tensor:
    """The same storage with a new shape (one size may be -1); errors if strides forbid it."""
    if len(shape) == 1 and hasattr(shape[0], "np"):  # view(dtype) reinterprets bits
        return view_dtype(input, shape[0])
    size = infer_shape(parse_shape(shape), input._data.size)
    return _as_view(View.apply(input, size), input)


def view_dtype(input: Tensor, dtype: Any) -> Tensor:
    """``x.view(dtype)``: the same memory read as another dtype, as PyTorch's. A dtype of
    another element size scales the last dim (which must be contiguous, and divisible when
    the new elements are larger). PyTorch's result is an alias outside autograd (no grad_fn,
    not requiring grad, no ``_base``) that shares the tensor's version counter."""
    src = input._data
    dt = np.dtype(dtype.np)
    if dt.itemsize != src.itemsize:
        what = f"view {dtype_name(src.dtype)} as {dtype_name(dt)} (different element sizes)"
        if src.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to {what}")
        step = src.strides[-1] // src.itemsize
        if step != 1 and src.shape[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 to {what}, but got {step}")
        if dt.itemsize > src.itemsize:
            ratio = dt.itemsize // src.itemsize
            if src.shape[-1] % ratio:
                raise RuntimeError(
                    f"self.size(-1) must be divisible by {ratio} to {what}, but got {src.shape[-1]}"
                )
            offset = input.storage_offset()
            if offset % ratio:
                raise RuntimeError(
                    f"self.storage_offset() must be divisible by {ratio} to {what}, but got "
                    f"{offset}"
                )
            # every other stride must hold whole new elements too
            for d, st in enumerate(src.strides[:-1]):
                if (st // src.itemsize) % ratio:
                    raise RuntimeError(
                        f"self.stride({d}) must be divisible by {ratio} to {what}, but got "
                        f"{st // src.itemsize}"
                    )
        if src.shape[-1] == 1 and src.strides[-1] != src.itemsize:
            src = np.lib.stride_tricks.as_strided(src, strides=(*src.strides[:-1], src.itemsize))
    out = Tensor._make(src.view(dt))
    out._version_counter = input._counter()
    return out


def reshape(input: Tensor, *shape: Any) -> Tensor:
    """A tensor with the new shape: a view when the strides allow it, else a copy."""
    size = infer_shape(parse_shape(shape), input._data.size)
    if _view_array(input._data, size) is not None:
        # PyTorch's reshape of a viewable tensor: view() when contiguous, else _reshape_alias.
        cls = View if input._data.flags.c_contiguous else ReshapeAlias
        return _as_view(cls.apply(input, size), input)
    return ReshapeCopy.apply(input, size)


def expanded_strides(x: np.ndarray, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The strides (in bytes) PyTorch gives ``x.expand(shape)``: 0 where a dim repeats; a dim
    of size 1 that stays 1 keeps its stride, and a new one gets the next dim's extent (numpy's
    broadcast_to gives both 0; only the order of advanced-indexing results depends on it)."""
    out = [0] * len(shape)
    lead = len(shape) - x.ndim
    for i in range(len(shape) - 1, -1, -1):
        d = i - lead
        if d >= 0:
            out[i] = x.strides[d] if x.shape[d] == shape[i] else 0
        elif shape[i] == 1:
            out[i] = shape[i + 1] * out[i + 1] if i + 1 < len(shape) else x.itemsize
    return tuple(out)


class Expand(NumpyFunction):
    """y = x broadcast to a larger shape (a view); the gradient is summed back.

    The view is writable, as PyTorch's is: an in-place op on the whole of it is refused because
    it repeats elements (``_errors.has_internal_overlap``), a write into a part of it that
    repeats nothing (``x.expand(2, 3)[0] = v``) goes through to x.
    """

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.in_shape = x.shape
        return np.lib.stride_tricks.as_strided(
            x, shape, expanded_strides(x, shape), writeable=x.flags.writeable
        )

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return sum_to(grad, ctx.in_shape), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return sum_to_np(grad, ctx.in_shape), None


def sum_to(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``grad`` over the dims along which ``shape`` was broadcast to grad's shape."""
    if not shape:  # a 0-d target is a full sum (SumBackward0 in a graph), as PyTorch's sum_to
        return grad.sum()
    gshape = grad._data.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    dims = broadcast_dims(gshape, shape)
    if dims:
        grad = grad.sum(dim=dims, keepdim=True)
    if lead:
        grad = grad.reshape(shape)
    return grad


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to ``sizes`` (-1 keeps a size); new dims are added on the left."""
    target = parse_shape(sizes)
    shape = input._data.shape
    if len(target) < len(shape):
        raise RuntimeError(
            f"expand({_type_name(input)}{{{list(shape)}}}, size={list(target)}): the number of "
            f"sizes provided ({len(target)}) must be greater or equal to the number of dimensions "
            f"in the tensor ({len(shape)})"
        )
    lead = len(target) - len(shape)
    resolved = list(target)
    for i in reversed(range(len(target))):  # from the last dim, as PyTorch checks (its error)
        t = target[i]
        if i < lead:
            if t < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({t}) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            continue
        s = shape[i - lead]
        if t == -1:
            t = resolved[i] = s
        if s != t and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({t}) must match the existing size ({s}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(target)}.  Tensor sizes: "
                f"{list(shape)}"
            )
    return _as_view(Expand.apply(input, tuple(resolved)), input)


def _type_name(t: Tensor) -> str:
    return _type_string(t).split(" ")[0]


def unsqueezed(x: np.ndarray, dim: int) -> np.ndarray:
    """``x`` with a new size-1 dim at ``dim``, strided as PyTorch strides it (the extent of the
    dim after it; numpy's expand_dims may differ, and only the order of advanced-indexing
    results depends on it)."""
    stride = x.strides[dim] * x.shape[dim] if dim < x.ndim else x.itemsize
    shape = (*x.shape[:dim], 1, *x.shape[dim:])
    y = x.reshape(shape)  # a view: a size-1 dim is always inserted without a copy
    if y.strides[dim] == stride:  # (a C-contiguous x, the usual case)
        return y
    strides = (*x.strides[:dim], stride, *x.strides[dim:])
    return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=x.flags.writeable)


class Unsqueeze(NumpyFunction):
    """y = x with a new size-1 dim"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        ctx.dim = dim
        return unsqueezed(x, dim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad.squeeze(ctx.dim), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return np.squeeze(grad, ctx.dim), None


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return _as_view(Unsqueeze.apply(input, wrap_dim(dim, input._data.ndim + 1)), input)


class Squeeze(NumpyFunction):
    """y = x without size-1 dims (all, or those in ``dims``)"""

    node_name = "SqueezeBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        ctx.in_shape = x.shape
        return np.squeeze(x, axis=dims) if dims else x.view()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad.reshape(ctx.in_shape), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return grad.reshape(ctx.in_shape), None


class SqueezeDim(Squeeze):
    node_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    node_name = "SqueezeBackward2"


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Remove size-1 dims: all of them, or ``dim`` (int or tuple) where its size is 1."""
    shape = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
        return _as_view(Squeeze.apply(input, dims), input)
    single = isinstance(dim, int | np.integer)
    axes = normalize_dims(dim, len(shape)) or ()
    dims = tuple(a for a in axes if len(shape) and shape[a] == 1)
    return _as_view((SqueezeDim if single else SqueezeDims).apply(input, dims), input)


class Transpose(NumpyFunction):
    """y = x with two dims swapped"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, d0: int, d1: int) -> np.ndarray:
        ctx.dims = (d0, d1)
        return np.swapaxes(x, d0, d1) if x.ndim else x.view()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad.transpose(*ctx.dims), None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return (np.swapaxes(grad, *ctx.dims) if grad.ndim else grad.view()), None, None


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    n = input._data.ndim
    return _as_view(Transpose.apply(input, wrap_dim(dim0, n), wrap_dim(dim1, n)), input)


class Permute(NumpyFunction):
    """y = x with its dims reordered; the gradient is permuted back"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        ctx.inverse = tuple(int(i) for i in np.argsort(dims))
        return np.transpose(x, dims)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad.permute((*ctx.inverse,)), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return np.transpose(grad, ctx.inverse), None


def permute(input: Tensor, *dims: Any) -> Tensor:
    order = parse_shape(dims)
    n = input._data.ndim
    if len(order) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
            f"to len(dims) = {len(order)}"
        )
    axes: list[int] = []
    for d in order:  # wrapped one by one: a repeat is refused before a later dim is read
        axis = wrap_dim(d, n)
        if axis in axes:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        axes.append(axis)
    return _as_view(Permute.apply(input, tuple(axes)), input)


class Unbind(NumpyFunction):
    """(y_0, ..., y_n) = the slices of x along dim; the gradient stacks them back"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
        ctx.dim = dim
        lead: tuple[Any, ...] = (slice(None),) * dim
        keys = [(*lead, i, Ellipsis) for i in range(x.shape[dim])]
        return tuple(x[k] for k in keys)

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> tuple[Any, ...]:
        return stack(grads, ctx.dim), None


class Stack(NumpyFunction):
    """y = the inputs stacked along a new dim; each gets its slice of the gradient"""

    @staticmethod
    def forward(ctx: Any, dim: int, *xs: np.ndarray) -> np.ndarray:
        ctx.dim = dim
        # numpy keeps the inputs' memory order; PyTorch's result is contiguous
        return np.ascontiguousarray(np.stack(xs, axis=dim))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return (None, *grad.unbind(ctx.dim))


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dim."""
    items = promote_all(list(tensors), "stack")
    if not items:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = items[0]._data.shape
    d = wrap_dim(dim, len(shape) + 1)  # (PyTorch checks the dim before the sizes)
    for i, t in enumerate(items):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    return Stack.apply(d, *items)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    if input._data.ndim == 0:
        wrap_dim(dim, 0)  # out of [-1, 0]: PyTorch's range error first
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return _multi_output_views(Unbind.apply(input, wrap_dim(dim, input._data.ndim)), input)


# --- basic indexing views: select, slice, unsqueeze (getitem, narrow, select) -----------------


def _view_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    # A trailing Ellipsis makes numpy return a 0-d view rather than a scalar copy for x[0].
    return key if Ellipsis in key else (*key, Ellipsis)


def _unsqueeze_strides(x: np.ndarray, key: tuple[Any, ...], out: np.ndarray) -> np.ndarray:
    """``out = x[key]`` with the dims that ``None`` added strided as PyTorch's unsqueeze
    strides them (the extent of the next dim of x; numpy gives 0, and only the order of
    advanced-indexing results depends on it)."""
    strides = list(out.strides)
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis)
    d = 0  # the next dim of x
    o = 0  # the next dim of out
    for k in key:
        if k is None:
            strides[o] = x.shape[d] * x.strides[d] if d < x.ndim else x.itemsize
            o += 1
        elif k is Ellipsis:
            d += x.ndim - consumed
            o += x.ndim - consumed
        else:
            d += 1
            o += not isinstance(k, int | np.integer)  # a slice keeps its dim, an int drops it
    # Inserting size-1 dims by reshape never copies, and strides them so for a C-contiguous x.
    y = x[tuple(k for k in key if k is not None)].reshape(out.shape)
    if y.strides == tuple(strides):
        return y
    return np.lib.stride_tricks.as_strided(out, out.shape, strides, writeable=out.flags.writeable)


class IndexView(NumpyFunction):
    """y = x[key] for a basic key (ints, slices, None, ...): a view; the gradient is embedded back
    into zeros of x's shape. Subclasses carry PyTorch's node name for the last step of the key."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, key: tuple[Any, ...]) -> np.ndarray:
        ctx.in_shape = x.shape
        ctx.key = key
        out = x[key]
        if any(k is None for k in key):
            out = _unsqueeze_strides(x, key, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        embed = _embed_cls(ctx.key, ctx.in_shape)
        return embed.apply(grad, ctx.key, ctx.in_shape, type(ctx)._forward_cls), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return _embed_indexed(grad, ctx.key, ctx.in_shape), None


class Select(IndexView):
    pass


class Slice(IndexView):
    pass


class Alias(IndexView):
    """``x[...]``, ``x[()]``, ``x[:, :]``: the whole tensor, whose gradient passes unchanged
    (PyTorch's alias backward hands it on: no new tensor, no node under create_graph)."""

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return grad, None


class IndexUnsqueeze(IndexView):
    node_name = "UnsqueezeBackward0"


class EmbedIndexed(NumpyFunction):
    """y = zeros(shape) with y[key] = g (the backward of a basic index); dy/dg = indexing again."""

    node_name = "SliceBackwardBackward0"

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, key: tuple[Any, ...], shape: tuple[int, ...], view_cls: Any
    ) -> np.ndarray:
        ctx.key = key
        ctx.view_cls = view_cls
        return _embed_indexed(g, key, shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return ctx.view_cls.apply(grad, ctx.key), None, None, None


class EmbedSelected(EmbedIndexed):
    """EmbedIndexed for a key whose first step selects (PyTorch's select_backward)"""

    node_name = "SelectBackwardBackward0"


class EmbedUnsqueezed(EmbedIndexed):
    """EmbedIndexed for a key whose first step adds a dim (PyTorch's squeeze of it)"""

    node_name = "SqueezeBackward1"


def _selects_all(s: slice, size: int) -> bool:
    # PyTorch skips such a slice in a multi-part key (x[0, :] records only the select). It
    # compares the slice as written: x[-2:] on a dim of size 2 is still recorded as a slice.
    start = 0 if s.start is None else operator.index(s.start)
    step = 1 if s.step is None else operator.index(s.step)
    return start == 0 and step == 1 and (s.stop is None or operator.index(s.stop) >= size)


def _embed_cls(key: tuple[Any, ...], shape: tuple[int, ...]) -> type[EmbedIndexed]:
    """The op that embeds the gradient of basic index ``key`` into ``shape``, named as PyTorch
    names the last step of its backward: the backward of the key's first step (``x[1:, 0]``
    slices, then selects; its backward selects back, then slices: SliceBackwardBackward0). A
    slice that takes its whole dim is no step (PyTorch skips it), an Ellipsis neither."""
    for d, k in enumerate(key):  # (until the first step, every entry is a slice: dim d)
        if k is Ellipsis:
            break  # (only at the end of a view's key)
        if k is None:
            return EmbedUnsqueezed
        if not isinstance(k, slice):
            return EmbedSelected
        if not _selects_all(k, shape[d]):
            return EmbedIndexed
    return EmbedIndexed


def _embed_indexed(g: np.ndarray, key: tuple[Any, ...], shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape, g.dtype)
    out[key] = g
    return out


def index_view(input: Tensor, key: tuple[Any, ...], cls: type[IndexView]) -> Tensor:
    """``input[key]`` for a basic numpy key, recorded as ``cls`` and sharing input's storage."""
    return _as_view(cls.apply(input, _view_key(key)), input)


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """The slice [start, start + length) of ``dim``, as a view."""
    n = input._data.ndim
    if n == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = wrap_dim(dim, n)
    size = input._data.shape[d]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return index_view(input, key, Slice)


def select(input: Tensor, dim: int, index: Any) -> Tensor:
    """The sub-tensor at ``index`` along ``dim`` (that dim removed), as a view."""
    n = input._data.ndim
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, n)
    index = int(index)
    if not -input._data.shape[d] <= index < input._data.shape[d]:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(input._data.shape)} at dimension {d}"
        )
    return index_view(input, (slice(None),) * d + (index,), Select)


# --- flatten, unflatten, movedim, swapaxes, broadcast_to ------------------------------------


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim into one (a view when the strides allow it)."""
    shape = input._data.shape
    n = len(shape)
    start, end = wrap_dim(start_dim, n), wrap_dim(end_dim, n)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if n == 0:
        return reshape(input, 1)
    if start == end:
        return input
    merged = int(np.prod(shape[start : end + 1]))
    return reshape(input, (*shape[:start], merged, *shape[end + 1 :]))


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one may be -1)."""
    shape = input._data.shape
    sizes = parse_shape((sizes,))
    if not sizes:  # (checked before the dim, as PyTorch does)
        raise RuntimeError("unflatten: sizes must be non-empty")
    if not shape:
        wrap_dim(dim, 0)  # out of [-1, 0]: PyTorch's range error first
        raise RuntimeError(
            "unflatten got an unexpected error:\nDimension specified as 0 but tensor has no "
            "dimensions"
        )
    d = wrap_dim(dim, len(shape))
    try:
        inner = infer_shape(sizes, shape[d] if shape else 1)
    except RuntimeError:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
            f"({shape[d]}) in the input tensor"
        ) from None
    return view(input, shape[:d] + inner + shape[d + 1 :])


def _dim_list(dims: Any) -> list[int]:
    return [int(dims)] if isinstance(dims, int | np.integer) else [int(d) for d in dims]


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims ``source`` to positions ``destination``; the others keep their order."""
    n = input._data.ndim
    src, dst = _dim_list(source), _dim_list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
            f"same number of dims as destination ({dst} dims)"
        )
    src_w = [wrap_dim(d, n) for d in src]
    dst_w = [wrap_dim(d, n) for d in dst]
    if len(set(src_w)) != len(src_w):
        raise RuntimeError(f"movedim: repeated dim in `source` ({src})")
    if len(set(dst_w)) != len(dst_w):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({dst})")
    if n == 0:
        return index_view(input, (), Alias)
    order = [-1] * n
    for s, d in zip(src_w, dst_w, strict=True):
        order[d] = s
    rest = iter(i for i in range(n) if i not in src_w)
    order = [o if o >= 0 else next(rest) for o in order]
    return permute(input, order)


moveaxis = movedim


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    return transpose(input, axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    return transpose(input, dim0, dim1)


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    return expand(input, size)


class T(Transpose):
    """y = xᵀ for a matrix (x itself for fewer dims)"""

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad.t(), None, None  # TBackward0 under create_graph, as PyTorch's

    backward_np = staticmethod(Transpose.backward_np)


def t(input: Tensor) -> Tensor:
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return _as_view(T.apply(input, 0, min(1, max(n - 1, 0))), input)


# --- repeat, tile, flip, roll -----------------------------------------------------------------


class Repeat(NumpyFunction):
    """y = x tiled r_i times along each dim; dx = the gradient summed over the copies"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, repeats: tuple[int, ...]) -> np.ndarray:
        ctx.in_shape = x.shape
        ctx.repeats = repeats
        padded = (1,) * (len(repeats) - x.ndim) + x.shape
        return np.asarray(np.tile(x.reshape(padded), repeats), order="C")  # as PyTorch's

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        repeats = ctx.repeats
        padded = (1,) * (len(repeats) - len(ctx.in_shape)) + ctx.in_shape
        # Each dim of size r*s splits into (r, s); summing the r axes adds up the copies.
        split = tuple(v for r, s in zip(repeats, padded, strict=True) for v in (r, s))
        summed = grad.reshape(split).sum(dim=tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.in_shape), None


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    repeats = parse_shape(sizes)
    if len(repeats) < input._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    padded = (1,) * (len(repeats) - input._data.ndim) + input._data.shape
    result = [r * s for r, s in zip(repeats, padded, strict=True)]
    check_dims(tuple(result))
    return Repeat.apply(input, repeats)


def tile(input: Tensor, dims: Any) -> Tensor:
    """repeat, with ``dims`` padded by leading 1s up to the tensor's ndim."""
    reps = parse_shape((dims,))
    reps = (1,) * (input._data.ndim - len(reps)) + reps
    return repeat(input, reps)


class Flip(NumpyFunction):
    """y = x reversed along dims (a copy); the gradient is flipped back"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        ctx.dims = dims
        # laid out as the input (PyTorch's kernel writes into empty_like(x))
        return _copy_like_torch(x, np.flip(x, dims) if dims else x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Flip.apply(grad, ctx.dims), None


def fliplr(input: Tensor) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


def flipud(input: Tensor) -> Tensor:
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


def ravel(input: Tensor) -> Tensor:
    """The elements as a 1-d tensor (a view of a contiguous input, else of a contiguous copy)."""
    if not input._data.flags.c_contiguous:
        input = CloneContiguous.apply(input)
    return view(input, -1)


def flip(input: Tensor, dims: Any) -> Tensor:
    """input with the order of its entries reversed along ``dims``."""
    axes = normalize_dims(parse_shape((dims,)), input._data.ndim) or ()
    return Flip.apply(input, axes)


class Roll(NumpyFunction):
    """y = x shifted cyclically along dims (all elements, flattened, without dims)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shifts: tuple[int, ...], dims: Any) -> np.ndarray:
        ctx.shifts, ctx.dims = shifts, dims
        # C-contiguous, as PyTorch's roll writes it
        return np.asarray(
            np.roll(x, shifts if dims is not None else shifts[0], axis=dims), order="C"
        )

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        back = tuple(-s for s in ctx.shifts)
        return Roll.apply(grad, back, ctx.dims), None, None


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    shift = _dim_list(shifts)
    if dims is None:
        if len(shift) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shift)}, dims:0")
        return Roll.apply(input, tuple(shift), None)
    axes = _dim_list(dims)
    if not shift:
        raise RuntimeError("`shifts` required")
    if len(shift) != len(axes):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shift)}, dims:{len(axes)}"
        )
    n = input._data.ndim
    if n == 0:
        raise IndexError(f"Dimension specified as {axes[0]} but tensor has no dimensions")
    if input._data.size == 0:  # PyTorch returns before looking at dims
        return Roll.apply(input, (0,), None)
    return Roll.apply(input, tuple(shift), tuple(wrap_dim(d, n) for d in axes))


# --- cat, split and friends ---------------------------------------------------------------------


class Cat(NumpyFunction):
    """y = the inputs joined along dim; each gets its slice of the gradient"""

    @staticmethod
    def forward(ctx: Any, dim: int, *xs: np.ndarray) -> np.ndarray:
        ctx.dim = dim
        ctx.shapes = [x.shape for x in xs]
        kept = [x for x in xs if not _skipped_in_cat(x.shape)] or list(xs)
        out = np.concatenate(kept, axis=dim)
        # numpy keeps the inputs' memory order; PyTorch's result is contiguous unless every
        # input (a skipped empty one too) is channels-last (only 4-d and 5-d tensors can be)
        if all(suggests_channels_last(x) for x in xs):
            return np.moveaxis(np.ascontiguousarray(np.moveaxis(out, 1, -1)), -1, 1)
        return np.ascontiguousarray(out)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        grads: list[Any] = [None]
        offset = 0
        for shape, need in zip(ctx.shapes, ctx.needs_input_grad[1:], strict=True):
            if _skipped_in_cat(shape):
                grads.append(grad.new_zeros(shape) if need else None)
                continue
            size = shape[ctx.dim]
            grads.append(narrow(grad, ctx.dim, offset, size) if need else None)
            offset += size
        return tuple(grads)

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        grads: list[Any] = [None]
        offset = 0
        for shape, need in zip(ctx.shapes, ctx.needs_input_grad[1:], strict=True):
            if _skipped_in_cat(shape):
                grads.append(np.zeros(shape, grad.dtype) if need else None)
                continue
            size = shape[ctx.dim]
            if need:
                key = (slice(None),) * ctx.dim + (slice(offset, offset + size),)
                grads.append(grad[key])
            else:
                grads.append(None)
            offset += size
        return tuple(grads)


def _skipped_in_cat(shape: tuple[int, ...]) -> bool:
    # PyTorch's legacy rule: 1-d empty tensors are ignored whatever the other shapes are.
    return shape == (0,)


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors along an existing dim (PyTorch's type promotion over the inputs)."""
    T = Tensor
    if isinstance(tensors, T):
        raise TypeError(
            "cat(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
        )
    items = list(tensors)
    for i, x in enumerate(items):
        if not isinstance(x, T):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(x).__name__}"
            )
    if not items:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    items = promote_all(items, "cat")
    for i, x in enumerate(items):
        if x._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = [(i, x._data.shape) for i, x in enumerate(items) if not _skipped_in_cat(x._data.shape)]
    if not kept:
        return Cat.apply(0, *items)
    first = kept[0][1]
    d = wrap_dim(dim, len(first))
    for i, shape in kept[1:]:
        if len(shape) != len(first):
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {len(first)} and {len(shape)}"
            )
        for k, (a, b) in enumerate(zip(first, shape, strict=True)):
            if k != d and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {a} but "
                    f"got size {b} for tensor number {i} in the list."
                )
    return Cat.apply(d, *items)


concat = cat
concatenate = cat


def _at_least(t: Tensor, n: int) -> Tensor:
    """t with dims added as PyTorch's atleast_nd adds them (0-d by a view, 1-d in front,
    then 2-d at the back for 3-d)."""
    ndim = t._data.ndim
    if ndim >= n:
        return t
    if ndim == 0:
        return view(t, (1,) * n)
    t = unsqueeze(t, 0) if ndim == 1 else t
    return unsqueeze(t, -1) if n == 3 else t


def _at_least_all(n: int, tensors: tuple[Any, ...]) -> Any:
    """One tensor gives a tensor; several (or one list of them) give a tuple."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return _at_least(tensors[0], n)
    if len(tensors) == 1:
        tensors = tuple(tensors[0])
    return tuple(_at_least(x, n) for x in tensors)


def atleast_1d(*tensors: Any) -> Any:
    return _at_least_all(1, tensors)


def atleast_2d(*tensors: Any) -> Any:
    return _at_least_all(2, tensors)


def atleast_3d(*tensors: Any) -> Any:
    return _at_least_all(3, tensors)


def hstack(tensors: Any) -> Tensor:
    """cat along dim 1 (dim 0 for 1-d inputs); 0-d inputs count as 1-d."""
    items = [_at_least(x, 1) for x in tensors]
    if not items:
        raise RuntimeError("hstack expects a non-empty TensorList")
    return cat(items, 0 if items[0]._data.ndim == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    """cat along dim 0 after making every input at least 2-d (1-d becomes a row)."""
    items = [_at_least(x, 2) for x in tensors]
    if not items:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return cat(items, 0)


def dstack(tensors: Any) -> Tensor:
    """cat along dim 2 after making every input at least 3-d."""
    items = [_at_least(x, 3) for x in tensors]
    if not items:
        raise RuntimeError("dstack expects a non-empty TensorList")
    return cat(items, 2)


def column_stack(tensors: Any) -> Tensor:
    """hstack, with 0-d and 1-d inputs made into columns first."""
    items = [reshape(x, (x._data.size, 1)) if x._data.ndim <= 1 else x for x in tensors]
    if not items:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    return cat(items, 1)


class SplitWithSizes(NumpyFunction):
    """(y_0, ..., y_k) = consecutive slices of x along dim (views); the gradient concatenates"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int, sizes: tuple[int, ...]) -> tuple[Any, ...]:
        ctx.dim = dim
        lead: tuple[Any, ...] = (slice(None),) * dim
        offsets = np.cumsum((0, *sizes)).tolist()
        keys = [(*lead, slice(a, b), Ellipsis) for a, b in itertools.pairwise(offsets)]
        return tuple(x[k] for k in keys)

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> tuple[Any, ...]:
        return cat(grads, ctx.dim), None, None

    @staticmethod
    def backward_np(ctx: Any, *grads: np.ndarray) -> tuple[Any, ...]:
        return np.concatenate(grads, axis=ctx.dim), None, None


class Split(SplitWithSizes):
    pass


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of ``split_size`` along dim (the last may be smaller), or of the listed sizes."""
    if tensor._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int | np.integer):
        size = int(split_size_or_sections)
        if size < 0:
            raise RuntimeError(
                f"split expects split_size be non-negative, but got split_size={size}"
            )
        if size == 0 and n != 0:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        count = max(1, -(-n // size)) if size else 1
        sizes = tuple(min(size, n - i * size) for i in range(count))
        cls: type[SplitWithSizes] = Split
    else:
        sizes = parse_shape((split_size_or_sections,))
        if any(s < 0 for s in sizes):
            raise RuntimeError(
                "split_with_sizes expects split_sizes have only non-negative entries, but got "
                f"split_sizes={list(sizes)}"
            )
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {dim}), but got split_sizes={list(sizes)}"
            )
        cls = SplitWithSizes
    return _multi_output_views(cls.apply(tensor, d, sizes), tensor)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Up to ``chunks`` pieces of equal size ceil(n / chunks) along dim."""
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if n == 0:
        return split(input, [0] * chunks, d)
    return split(input, -(-n // chunks), d)


# --- triangles and diagonals ------------------------------------------------------------------


class Tril(NumpyFunction):
    """y = x with the entries above diagonal k zeroed (last two dims)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, k: int) -> np.ndarray:
        ctx.k = k
        return np.asarray(np.tril(x, k), order="C")  # C-contiguous, as PyTorch's kernel writes it

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Tril.apply(grad, ctx.k), None


class Triu(NumpyFunction):
    """y = x with the entries below diagonal k zeroed (last two dims)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, k: int) -> np.ndarray:
        ctx.k = k
        return np.asarray(np.triu(x, k), order="C")  # C-contiguous, as PyTorch's kernel writes it

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Triu.apply(grad, ctx.k), None


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, int(diagonal))


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, int(diagonal))


def _diagonal_view(a: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """The diagonal of dims d1, d2 moved to the end, as a writable view (np.diagonal's is not)."""
    start = [slice(None)] * a.ndim
    if offset >= 0:
        start[d2] = slice(offset, None)
    else:
        start[d1] = slice(-offset, None)
    a = a[tuple(start)]
    keep = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = (*(a.shape[i] for i in keep), min(a.shape[d1], a.shape[d2]))
    strides = (*(a.strides[i] for i in keep), a.strides[d1] + a.strides[d2])
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)


class Diagonal(NumpyFunction):
    """y = the diagonal of x over dims (d1, d2), as a view; the gradient goes back on it"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
        ctx.args = (x.shape, offset, d1, d2)
        return _diagonal_view(x, offset, d1, d2)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return DiagonalScatter.apply(grad, *ctx.args), None, None, None


class DiagonalCopy(Diagonal):
    """diag of a matrix: the diagonal as a new tensor"""

    node_name = "DiagonalBackward0_copy"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
        ctx.args = (x.shape, offset, d1, d2)
        return _diagonal_view(x, offset, d1, d2).copy()


class DiagonalScatter(NumpyFunction):
    """y = zeros(shape) with g on the diagonal (d1, d2, offset); dy/dg = that diagonal"""

    node_name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, shape: tuple[int, ...], offset: int, d1: int, d2: int
    ) -> np.ndarray:
        ctx.args = (offset, d1, d2)
        out = np.zeros(shape, g.dtype)
        _diagonal_view(out, offset, d1, d2)[...] = g
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Diagonal.apply(grad, *ctx.args), None, None, None, None


class DiagEmbed(DiagonalScatter):
    node_name = "DiagEmbedBackward0"


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal (offset > 0: above) of the dims dim1, dim2, appended as the last dim; a view."""
    n = input._data.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _as_view(Diagonal.apply(input, int(offset), d1, d2), input)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A vector's square diagonal matrix (on diagonal k), or a matrix's k-th diagonal."""
    n = input._data.ndim
    k = int(diagonal)
    if n == 1:
        m = input._data.shape[0] + abs(k)
        return DiagEmbed.apply(input, (m, m), k, 0, 1)
    if n == 2:
        return DiagonalCopy.apply(input, k, 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")


class Trace(NumpyFunction):
    """y = Σ_i x[i, i]; dy/dx = the identity matrix"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.shape = x.shape
        return np.asarray(np.trace(x, dtype=np.int64 if x.dtype.kind in "iub" else None))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        eye = Tensor._make(np.eye(*ctx.shape, dtype=grad._data.dtype))
        return grad * eye


def trace(input: Tensor) -> Tensor:
    if input._data.dtype == np.bool_:  # (PyTorch's dtype dispatch comes first)
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return Trace.apply(input)


# --- grids, blocks, differences and splits (issue 11) --------------------------------------
def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D (or 0-d) tensors: each is expanded along the others' dims.

    ``indexing='ij'`` (the default) gives shape (len(t0), len(t1), ...); ``'xy'`` swaps the
    first two dims, as NumPy's default does.
    """
    items = (
        list(tensors[0])
        if len(tensors) == 1 and isinstance(tensors[0], list | tuple)
        else list(tensors)
    )
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
    mode = "ij" if indexing is None else indexing
    if mode not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {mode}'
        )
    if not items:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if len({t._data.dtype for t in items}) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    for t in items:
        if t._data.ndim > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t!r}"
            )
    flat = [t.reshape(-1) for t in items]
    swap = mode == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = [t._data.shape[0] for t in flat]
    grids = []
    for i, t in enumerate(flat):
        view = [1] * len(flat)
        view[i] = shape[i]
        grids.append(t.reshape(view).expand((*shape,)))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (views)."""
    items = list(tensors)
    shapes = [t._data.shape for t in items]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        raise _errors.broadcast_mismatch(shapes[0], shapes[1]) from None
    return tuple(t.expand((*shape,)) for t in items)


class BlockDiag(NumpyFunction):
    """y = the inputs as blocks on the diagonal of a zero matrix; dy/dx_i = the i-th block"""

    @staticmethod
    def forward(ctx: Any, *blocks: np.ndarray) -> np.ndarray:
        rows = sum(b.shape[0] for b in blocks)
        cols = sum(b.shape[1] for b in blocks)
        out = np.zeros((rows, cols), blocks[0].dtype if blocks else np.float32)
        corners = []
        r = c = 0
        for b in blocks:
            out[r : r + b.shape[0], c : c + b.shape[1]] = b
            corners.append((r, c, b.shape[0], b.shape[1]))
            r, c = r + b.shape[0], c + b.shape[1]
        ctx.corners = corners
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return tuple(grad[r : r + h, c : c + w] for r, c, h, w in ctx.corners)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix of the inputs (0-d is 1x1, 1-D is one row)."""
    items = []
    for i, t in enumerate(tensors):
        n = t._data.ndim
        if n > 2:
            raise RuntimeError(
                f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                f"{n} dimensions"
            )
        items.append(t.reshape(1, -1) if n < 2 else t)
    if not items:
        return empty(1, 0)
    # the dtype of the inputs as given: a 0-d one promotes as a 0-d tensor, not as the 1x1 block
    rt = result_type(*(t._data for t in tensors))
    return BlockDiag.apply(*(t if t._data.dtype == rt else cast(t, rt) for t in items))


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """Every combination of one element from each 1-D tensor, as rows."""
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-r combinations of a 1-D tensor's elements, as rows (itertools order)."""
    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_zeros(0)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(pick(range(input._data.shape[0]), r)), np.int64).reshape(-1, r)
    if index.shape[0] == 0:
        return input.new_zeros(0, r)
    cols = [
        input.index_select(0, Tensor._make(np.ascontiguousarray(index[:, k]))) for k in range(r)
    ]
    return stack(cols, 1)


def diff(
    input: Tensor,
    n: int = 1,
    dim: int = -1,
    prepend: Tensor | None = None,
    append: Tensor | None = None,
) -> Tensor:
    """The n-th forward difference along ``dim`` (after joining ``prepend`` and ``append``);
    for bools, whether neighbours differ."""
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    if n == 0 and prepend is None and append is None:  # PyTorch: a copy, no check of dim
        return Copy.apply(Tensor._make(np.empty_like(input._data)), input)
    d = wrap_dim(dim, input._data.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        size = x._data.shape[d]
        if size == 0:
            break
        hi, lo = narrow(x, d, 1, size - 1), narrow(x, d, 0, size - 1)
        x = hi != lo if x._data.dtype.kind == "b" else hi - lo
    return x


def _tri_indices(row: int, col: int, offset: int, lower: bool) -> Tensor:
    r, c = np.indices((row, col)) if row and col else (np.zeros((0, 0), np.int64),) * 2
    keep = (c - r <= offset) if lower else (c - r >= offset)
    return Tensor._make(np.stack([r[keep], c[keep]]).astype(np.int64).reshape(2, -1))


def _batch_writable(a: np.ndarray) -> bool:
    """Whether PyTorch's tril_/triu_ write into ``a`` itself (checkTrilTriuBatchContiguous with
    zero strides allowed): up to 3 dims always; else each batch dim must step over the matrices
    after it, where the first may also repeat (stride 0) or have size 1. Otherwise the kernel
    works on a copy and copies it back, which refuses a tensor whose elements share memory."""
    if a.ndim <= 3:
        return True
    strides = [st // a.itemsize for st in a.strides]
    expected = a.shape[-1] * a.shape[-2]
    for i in range(a.ndim - 3, -1, -1):
        if i == 0 and (strides[0] == 0 or a.shape[0] == 1):
            continue
        if strides[i] != expected:
            return False
        expected *= a.shape[i]
    return True


def _triangle_(self: Tensor, diagonal: int, lower: bool) -> Tensor:
    """tril_/triu_. Into elements that share memory (an expanded tensor) PyTorch's kernel
    writes without an overlap check where it writes in place (``_batch_writable``): every
    memory location that an element outside the triangle refers to becomes 0, as here (a
    gradient through an expanded view's write cannot be told, as for fill_: fill_expanded)."""
    op = tril if lower else triu
    compute = lambda s: op(s, diagonal)  # noqa: E731
    if not _errors.has_internal_overlap(self._data):
        return self._inplace(compute)
    self._check_inplace()  # PyTorch's leaf and view rules first,
    rows, cols = compute(self.detach())._data.shape[-2:]  # then the op's (2-d and more),
    if not _batch_writable(self._data):  # then its copy back of an out-of-place result
        raise RuntimeError(_errors.INTERNAL_OVERLAP)
    tri = np.tri(rows, cols, diagonal if lower else diagonal - 1, dtype=bool)
    outside = ~tri if lower else tri

    def write() -> None:
        np.copyto(self._data, 0, casting="unsafe", where=outside)

    if _state.grad_enabled and self._requires_grad and self._base is not None:

        def write_counted() -> None:  # fill_expanded leaves the version to its writer
            write()
            self._bump_version()

        return fill_expanded(self, None, write_counted)
    return self._inplace(compute, write)


def tril_indices(
    row: int,
    col: int,
    offset: int = 0,
    *,
    dtype: Any = None,
    device: Any = None,
    layout: Any = None,
) -> Tensor:
    """The (2, N) row and column indices of the lower triangle of a row x col matrix."""
    out = _tri_indices(row, col, offset, lower=True)
    return out if dtype is None else out.to(dtype)


def triu_indices(
    row: int,
    col: int,
    offset: int = 0,
    *,
    dtype: Any = None,
    device: Any = None,
    layout: Any = None,
) -> Tensor:
    """The (2, N) row and column indices of the upper triangle of a row x col matrix."""
    out = _tri_indices(row, col, offset, lower=False)
    return out if dtype is None else out.to(dtype)


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """Rotate by 90° k times in the plane of ``dims``, from the first dim towards the second."""
    dims = list(dims)
    n = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = wrap_dim(dims[0], n), wrap_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )
    return Rot90.apply(input, k % 4, d0, d1)


class Rot90(NumpyFunction):
    """y = x rotated k times by 90° in the plane (d0, d1); the gradient is rotated back. Laid out
    as PyTorch's: a flip (a copy laid out as x) transposed for k = 1 and 3, a contiguous copy
    for k = 0."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, k: int, d0: int, d1: int) -> np.ndarray:
        ctx.k, ctx.d0, ctx.d1 = k, d0, d1
        if k == 1:
            return _copy_like_torch(x, np.flip(x, d1)).swapaxes(d0, d1)
        if k == 2:
            return _copy_like_torch(x, np.flip(x, (d0, d1)))
        if k == 3:
            return _copy_like_torch(x, np.flip(x, d0)).swapaxes(d0, d1)
        return np.array(x, order="C")

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Rot90.apply(grad, (4 - ctx.k) % 4, ctx.d0, ctx.d1), None, None, None


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of ``input`` split along ``dim`` into n nearly equal parts (the first ones one
    larger), or at the listed indices."""
    if input._data.ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        spec = spec.tolist()
    if isinstance(spec, int):
        if spec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
        base, extra = divmod(size, spec)
        bounds = list(itertools.accumulate([base + 1] * extra + [base] * (spec - extra)))[:-1]
    else:
        bounds = [int(i) for i in spec]
    pieces = []
    start = 0
    for stop in [*bounds, size]:
        lo = min(max(start, 0), size)
        hi = min(max(stop, lo), size)
        pieces.append(narrow(input, d, lo, hi - lo))
        start = stop
    return tuple(pieces)


def _named_split(
    input: Tensor, sections: Any, dim: int, name: str, min_dims: int
) -> tuple[Tensor, ...]:
    n = input._data.ndim
    if n < min_dims:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor "
            f"with {n} dimensions!"
        )
    if isinstance(sections, int):
        size = input._data.shape[dim]
        if sections == 0 or size % sections:
            raise RuntimeError(
                f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {sections}!"
            )
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """``tensor_split`` along dim 1 (dim 0 for 1-D), sections dividing the size evenly."""
    dim = 0 if input._data.ndim == 1 else 1
    return _named_split(input, indices_or_sections, dim, "hsplit", 1)


def vsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """``tensor_split`` along dim 0, sections dividing the size evenly."""
    return _named_split(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
    """``tensor_split`` along dim 2, sections dividing the size evenly."""
    return _named_split(input, indices_or_sections, 2, "dsplit", 3)


def split_with_sizes(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of ``input`` of the listed sizes along ``dim`` (they must add up to its size)."""
    return split(input, list(split_sizes), dim)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices whose ``offset`` diagonal (in dims dim1, dim2 of the result) holds the last dim
    of ``input``."""
    n = input._data.ndim + 1
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    m = input._data.shape[-1] + abs(offset) if input._data.ndim else 1 + abs(offset)
    shape = list(input._data.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, m)
    return DiagEmbed.apply(
        input.reshape(1) if input._data.ndim == 0 else input, tuple(shape), offset, d1, d2
    )


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A matrix with the flattened ``input`` on its ``offset`` diagonal."""
    return diag_embed(input.reshape(-1), offset)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of ``size`` elements along ``dimension``, ``step`` apart: that dim becomes
    the number of windows and a new last dim holds each window (``Tensor.unfold``)."""
    x = input.reshape(1) if input._data.ndim == 0 else input
    d = wrap_dim(dimension, x._data.ndim)
    if input._data.ndim == 0 and size == 1 and step > 0:
        # a 0-d tensor is one window of one element
        return _as_view(Unfold.apply(input, 0, 1, 1), input)
    n = x._data.shape[d]
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return _as_view(Unfold.apply(x, d, int(size), int(step)), input)


def _unfold_view(x: np.ndarray, d: int, size: int, step: int) -> np.ndarray:
    """The windows of ``x`` along dim ``d`` as a strided view: dim d counts the windows (``step``
    elements apart), a new last dim of ``size`` walks each one (windows may overlap)."""
    count = (x.shape[d] - size) // step + 1
    shape = (*x.shape[:d], count, *x.shape[d + 1 :], size)
    strides = (*x.strides[:d], x.strides[d] * step, *x.strides[d + 1 :], x.strides[d])
    return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=x.flags.writeable)


class Unfold(NumpyFunction):
    """y = the windows of x along dim d, as a view; each window's gradient is added back"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, d: int, size: int, step: int) -> np.ndarray:
        ctx.args = (x.shape, d, size, step)
        if x.ndim == 0:  # one window of one element: shape (1,)
            return x.reshape(1)
        return _unfold_view(x, d, size, step)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        if not ctx.args[0]:
            return grad.reshape(()), None, None, None
        return UnfoldBackward.apply(grad, *ctx.args), None, None, None


class UnfoldBackward(NumpyFunction):
    """y = zeros(shape) with each window of g added at its place; dy/dg = y's windows"""

    node_name = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, shape: tuple[int, ...], d: int, size: int, step: int
    ) -> np.ndarray:
        ctx.args = (d, size, step)
        positions = _unfold_view(np.arange(math.prod(shape)).reshape(shape), d, size, step)
        out = np.zeros(math.prod(shape), g.dtype)
        np.add.at(out, positions.reshape(-1), g.reshape(-1))
        return out.reshape(shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return Unfold.apply(grad, *ctx.args), None, None, None, None


def _zero_dim_warning(name: str, advice: str) -> None:
    message = f"Tensor.{name} is deprecated on 0-D tensors. {advice}"
    warnings.warn(message, UserWarning, stacklevel=4)


def _matrix_transpose(t: Tensor, name: str) -> Tensor:
    """``t.mT`` (and, for real tensors, ``mH`` and ``H``): the last two dims swapped; a 0-d
    tensor is returned as it is, with PyTorch's deprecation warning."""
    n = t._data.ndim
    if n == 0:
        advice = "This function is the identity in these cases."
        _zero_dim_warning(name, advice if name == "mT" else "Consider using x.conj().")
        return t
    if n < 2:
        raise RuntimeError(
            f"tensor.{name} is only supported on matrices or batches of matrices. Got 1-D tensor."
        )
    return transpose(t, -2, -1)


class ShapeMethods:
    """Tensor methods of the shape ops."""

    def view(self, *shape: Any, **kw: Any) -> Tensor:
        if "dtype" in kw and not shape:
            shape = (kw.pop("dtype"),)
        shape = size_args("view", shape, kw)
        no_other_keywords("view", kw)
        return view(self, *shape)  # type: ignore[arg-type]

    def reshape(self, *shape: Any, **kw: Any) -> Tensor:
        shape = size_args("reshape", shape, kw, "shape")
        no_other_keywords("reshape", kw)
        return reshape(self, *shape)  # type: ignore[arg-type]

    def view_as(self, other: Tensor) -> Tensor:
        return view(self, other._data.shape)  # type: ignore[arg-type]

    def reshape_as(self, other: Tensor) -> Tensor:
        return reshape(self, other._data.shape)  # type: ignore[arg-type]

    def expand(self, *sizes: Any, **kw: Any) -> Tensor:
        implicit = kw.pop("implicit", False)  # (PyTorch's flag for broadcasting: no effect)
        sizes = size_args("expand", sizes, kw)
        no_other_keywords("expand", kw)
        del implicit
        return expand(self, *sizes)  # type: ignore[arg-type]

    def expand_as(self, other: Tensor) -> Tensor:
        return expand(self, other._data.shape)  # type: ignore[arg-type]

    def unsqueeze(self, dim: int) -> Tensor:
        return unsqueeze(self, dim)  # type: ignore[arg-type]

    def squeeze(self, dim: Any = None) -> Tensor:
        return squeeze(self, dim)  # type: ignore[arg-type]

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return transpose(self, dim0, dim1)  # type: ignore[arg-type]

    def permute(self, *dims: Any, **kw: Any) -> Tensor:
        dims = size_args("permute", dims, kw, "dims")
        no_other_keywords("permute", kw)
        return permute(self, *dims)  # type: ignore[arg-type]

    def t(self) -> Tensor:
        return t(self)  # type: ignore[arg-type]

    @property
    def T(self) -> Tensor:
        n = self._data.ndim  # type: ignore[attr-defined]
        if n == 0:
            _zero_dim_warning("T", "This function is the identity in these cases.")
        elif n != 2:
            warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.",
                UserWarning,
                stacklevel=2,
            )
        return permute(self, *range(n - 1, -1, -1))  # type: ignore[arg-type]

    @property
    def mT(self) -> Tensor:
        return _matrix_transpose(self, "mT")  # type: ignore[arg-type]

    @property
    def mH(self) -> Tensor:  # (real tensors: the conjugate is the tensor)
        return _matrix_transpose(self, "mH")  # type: ignore[arg-type]

    @property
    def H(self) -> Tensor:
        n = self._data.ndim  # type: ignore[attr-defined]
        if n not in (0, 2):
            raise RuntimeError(
                f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor."
                + (" For batches of matrices, consider using tensor.mH" if n > 2 else "")
            )
        return _matrix_transpose(self, "H")  # type: ignore[arg-type]

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return unbind(self, dim)  # type: ignore[arg-type]

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return flatten(self, start_dim, end_dim)  # type: ignore[arg-type]

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        return unflatten(self, dim, sizes)  # type: ignore[arg-type]

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return movedim(self, source, destination)  # type: ignore[arg-type]

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return transpose(self, axis0, axis1)  # type: ignore[arg-type]

    def swapdims(self, dim0: int, dim1: int) -> Tensor:
        return transpose(self, dim0, dim1)  # type: ignore[arg-type]

    def broadcast_to(self, size: Any) -> Tensor:
        return expand(self, size)  # type: ignore[arg-type]

    def repeat(self, *sizes: Any, **kw: Any) -> Tensor:
        sizes = size_args("repeat", sizes, kw, "repeats")
        no_other_keywords("repeat", kw)
        return repeat(self, *sizes)  # type: ignore[arg-type]

    def tile(self, *dims: Any, **kw: Any) -> Tensor:
        dims = size_args("tile", dims, kw, "dims")
        no_other_keywords("tile", kw)
        return tile(self, dims[0] if len(dims) == 1 else dims)  # type: ignore[arg-type]

    def fliplr(self) -> Tensor:
        return fliplr(self)  # type: ignore[arg-type]

    def flipud(self) -> Tensor:
        return flipud(self)  # type: ignore[arg-type]

    def ravel(self) -> Tensor:
        return ravel(self)  # type: ignore[arg-type]

    def flip(self, *dims: Any, **kw: Any) -> Tensor:
        dims = size_args("flip", dims, kw, "dims")
        no_other_keywords("flip", kw)
        return flip(self, dims[0] if len(dims) == 1 else dims)  # type: ignore[arg-type]

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return roll(self, shifts, dims)  # type: ignore[arg-type]

    def split(self, split_size: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return split(self, split_size, dim)  # type: ignore[arg-type]

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return chunk(self, chunks, dim)  # type: ignore[arg-type]

    def narrow(self, dim: int, start: Any, length: int) -> Tensor:
        return narrow(self, dim, start, length)  # type: ignore[arg-type]

    def select(self, dim: int, index: Any) -> Tensor:
        return select(self, dim, index)  # type: ignore[arg-type]

    def tril(self, diagonal: int = 0) -> Tensor:
        return tril(self, diagonal)  # type: ignore[arg-type]

    def triu(self, diagonal: int = 0) -> Tensor:
        return triu(self, diagonal)  # type: ignore[arg-type]

    def tril_(self, diagonal: int = 0) -> Tensor:
        return _triangle_(self, diagonal, lower=True)  # type: ignore[arg-type]

    def triu_(self, diagonal: int = 0) -> Tensor:
        return _triangle_(self, diagonal, lower=False)  # type: ignore[arg-type]

    def diag(self, diagonal: int = 0) -> Tensor:
        return diag(self, diagonal)  # type: ignore[arg-type]

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return diagonal(self, offset, dim1, dim2)  # type: ignore[arg-type]

    def trace(self) -> Tensor:
        return trace(self)  # type: ignore[arg-type]

    # --- grids, blocks, differences and splits ---
    def diff(
        self, n: int = 1, dim: int = -1, prepend: Tensor | None = None, append: Tensor | None = None
    ) -> Tensor:
        return diff(self, n, dim, prepend, append)  # type: ignore[arg-type]

    def rot90(self, k: int = 1, dims: Any = (0, 1)) -> Tensor:
        return rot90(self, k, dims)  # type: ignore[arg-type]

    def tensor_split(self, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return tensor_split(self, indices_or_sections, dim)  # type: ignore[arg-type]

    def hsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return hsplit(self, indices_or_sections)  # type: ignore[arg-type]

    def vsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return vsplit(self, indices_or_sections)  # type: ignore[arg-type]

    def dsplit(self, indices_or_sections: Any) -> tuple[Tensor, ...]:
        return dsplit(self, indices_or_sections)  # type: ignore[arg-type]

    def split_with_sizes(self, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
        return split_with_sizes(self, split_sizes, dim)  # type: ignore[arg-type]

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        return diag_embed(self, offset, dim1, dim2)  # type: ignore[arg-type]

    def diagflat(self, offset: int = 0) -> Tensor:
        return diagflat(self, offset)  # type: ignore[arg-type]

    def narrow_copy(self, dim: int, start: Any, length: int) -> Tensor:
        return narrow(self, dim, start, length).clone()  # type: ignore[arg-type]

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        return unfold(self, dimension, size, step)  # type: ignore[arg-type]
