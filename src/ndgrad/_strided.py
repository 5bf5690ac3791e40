"""``torch.as_strided`` (a view of a tensor's storage by explicit sizes, strides and a storage
offset), ``torch.as_strided_copy`` and ``torch.as_strided_scatter``.

An ndgrad tensor's storage is the numpy array at the root of its ``_data``'s chain of bases: its
memory, counted in elements from its start, is what ``storage_offset`` and ``as_strided``'s
positions count in. ``as_strided`` is a numpy view of that memory, so it shares storage and the
version counter with its input as PyTorch's does.

``as_strided_copy`` and ``as_strided_scatter`` take a tensor whose elements are its whole storage
in order: a contiguous tensor that is not a view into a larger one (``.clone()`` makes one). Both
are differentiable: a gather and a scatter of the same positions, each the other's adjoint.
"""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Any

import numpy as np

from ._tensor import Tensor, storage_root
from .autograd._views import AsStrided, Embed
from .ops._util import require_tensor
from .ops.arithmetic import NumpyFunction
from .ops.shape import _as_view

if TYPE_CHECKING:
    from ._tensor import Tensor, storage_root

__all__ = ["as_strided", "as_strided_", "as_strided_copy", "as_strided_scatter"]


class StridedGather(NumpyFunction):
    """y = x.flat[positions]; dx = the gradient added back at those positions"""

    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, positions: np.ndarray) -> np.ndarray:
        ctx.positions, ctx.shape = positions, x.shape
        return x.reshape(-1)[positions]

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return StridedAdd.apply(grad, ctx.positions, ctx.shape), None


class AsStridedCopy(StridedGather):
    node_name = "AsStridedBackward0_copy"


class StridedAdd(NumpyFunction):
    """y = zeros(shape) with g added at positions; dg = y's gradient gathered there"""

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, positions: np.ndarray, shape: Any) -> np.ndarray:
        ctx.positions = positions
        out = np.zeros(int(np.prod(shape)), g.dtype)
        np.add.at(out, positions.reshape(-1), g.reshape(-1))
        return out.reshape(shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return StridedGather.apply(grad, ctx.positions), None, None


class StridedScatter(NumpyFunction):
    """y = x with src written at positions (the last write wins where positions repeat);
    dx = the gradient with those positions zeroed, dsrc = the gradient gathered there"""

    node_name = "AsStridedScatterBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, src: np.ndarray, positions: np.ndarray) -> np.ndarray:
        ctx.positions = positions
        out = x.copy()
        out.reshape(-1)[positions.reshape(-1)] = src.reshape(-1)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_x, need_src, _ = ctx.needs_input_grad
        positions = ctx.positions
        gx = gsrc = None
        if need_x:
            zeros = Tensor._make(np.zeros(positions.shape, grad._data.dtype))
            gx = StridedScatter.apply(grad, zeros, positions)
        if need_src:
            gsrc = StridedGather.apply(grad, positions)
        return gx, gsrc, None


def _int_list(value: Any, op: str, arg: str, position: int) -> list[int]:
    """A size or stride argument as a list of ints, or PyTorch's TypeError naming it."""
    where = f"{op}(): argument '{arg}' (position {position})"
    if not isinstance(value, list | tuple):
        raise TypeError(f"{where} must be tuple of ints, not {type(value).__name__}")
    out = []
    for i, v in enumerate(value):
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError(
                f"{where} must be tuple of ints, but found element of type "
                f"{type(v).__name__} at pos {i}"
            )
        out.append(operator.index(v))
    return out


def _offset_arg(value: Any, op: str, position: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(
            f"{op}(): argument 'storage_offset' (position {position}) must be int, not "
            f"{type(value).__name__}"
        )
    return operator.index(value)


def _check_arguments(size: list[int], stride: list[int], offset: int) -> None:
    """PyTorch's errors, in its order, for sizes, strides and an offset that fit no storage."""
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"as_strided: Negative strides are not supported at the moment, got strides: {stride}"
        )
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")


def _check_bounds(
    size: list[int], stride: list[int], offset: int, storage_size: int, itemsize: int
) -> None:
    """PyTorch's error for a geometry that reaches past a storage of ``storage_size`` elements."""
    if any(n < 0 for n in size):
        raise RuntimeError(
            f"Storage size calculation overflowed with sizes={size} and strides={stride}"
        )
    reach = sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    needed = 0 if 0 in size else offset + 1 + reach
    if needed > storage_size:
        raise RuntimeError(
            f"setStorage: sizes {size}, strides {stride}, storage offset {offset}, and itemsize "
            f"{itemsize} requiring a storage size of {needed * itemsize} are out of bounds for "
            f"storage of size {storage_size * itemsize}"
        )


def _grid(size: list[int], stride: list[int], offset: int) -> np.ndarray:
    """The storage position of every element of the geometry (an int64 array of ``size``)."""
    positions = np.full(size, offset, np.int64)
    for axis, (n, s) in enumerate(zip(size, stride, strict=True)):
        shape = [1] * len(size)
        shape[axis] = n
        positions = positions + (np.arange(n, dtype=np.int64) * s).reshape(shape)
    return positions


def _positions(input: Tensor, size: Any, stride: Any, storage_offset: Any) -> np.ndarray:
    size, stride = [int(s) for s in size], [int(s) for s in stride]
    offset = input.storage_offset() if storage_offset is None else int(storage_offset)
    _check_arguments(size, stride, offset)
    data = input._data
    base = data
    while isinstance(base.base, np.ndarray):
        base = base.base
    if not data.flags.c_contiguous or base.size != data.size or input.storage_offset() != 0:
        raise NotImplementedError(
            "ndgrad's as_strided_copy and as_strided_scatter read a tensor's own elements as its "
            "storage: pass a contiguous tensor that is not a view into a larger one (.clone() "
            "makes one)"
        )
    _check_bounds(size, stride, offset, data.size, data.itemsize)
    return _grid(size, stride, offset)


def _storage(x: np.ndarray) -> np.ndarray:
    """The memory of ``x``'s storage (the root of its bases) as a 1-d array of ``x``'s dtype."""
    root = storage_root(x)
    if not root.flags.c_contiguous:
        # a dense array in another order of its axes (numpy's K-order result of an op on a
        # permuted or unfolded tensor): its axes by decreasing stride are C-contiguous
        order = sorted(range(root.ndim), key=lambda axis: -root.strides[axis])
        root = root.transpose(order)
    if root.flags.c_contiguous:
        flat = root.reshape(-1)
    else:
        raise NotImplementedError(
            "as_strided: the tensor's memory is a strided numpy array, not a storage"
        )
    if flat.dtype != x.dtype:
        flat = flat.view(np.uint8)[: flat.nbytes - flat.nbytes % x.itemsize].view(x.dtype)
    return flat


def _storage_positions(x: np.ndarray, storage: np.ndarray) -> np.ndarray:
    """The storage position of every element of ``x`` (an int64 array of ``x``'s shape)."""
    start = x.__array_interface__["data"][0] - storage.__array_interface__["data"][0]
    size = list(x.shape)
    stride = [s // x.itemsize for s in x.strides]
    return _grid(size, stride, start // x.itemsize)


class AsStridedView(NumpyFunction):
    """y = the storage elements at ``offset + i·stride[0] + j·stride[1] + ...``, a view of x's
    storage. The gradient is PyTorch's ``as_strided_backward``: the view's gradient added into a
    storage-shaped buffer (elements the view repeats add up), read back at x's positions, and
    divided where x itself repeats a storage element (an expanded x)."""

    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(
        ctx: Any, x: np.ndarray, size: tuple[int, ...], stride: tuple[int, ...], offset: int
    ) -> np.ndarray:
        storage = _storage(x)
        ctx.input_positions = _storage_positions(x, storage)
        ctx.output_positions = _grid(list(size), list(stride), offset)
        item = x.itemsize
        return np.lib.stride_tricks.as_strided(
            storage[offset:],
            size,
            tuple(s * item for s in stride),
            writeable=storage.flags.writeable,
        )

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        inp, out = ctx.input_positions, ctx.output_positions
        g = grad._data
        if inp.size == 0 or out.size == 0:
            # PyTorch returns plain zeros here: no graph, as in AsStrided's backward.
            lead = g.shape[: g.ndim - out.ndim]
            return Tensor._make(np.zeros((*lead, *inp.shape), g.dtype)), None, None, None
        length = int(max(inp.max(), out.max())) + 1
        storage_grad = Embed.apply(grad, out, (length,))
        count = np.bincount(inp.reshape(-1), minlength=length)
        if (count > 1).any():  # x repeats storage elements: each gets its share
            share = np.where(count > 0, 1.0 / np.maximum(count, 1), 0.0).astype(g.dtype)
            storage_grad = storage_grad * Tensor._make(share)
        return AsStrided.apply(storage_grad, inp, (length,)), None, None, None


def as_strided(
    input: Tensor,
    size: Any,
    stride: Any,
    storage_offset: int | None = None,
    *,
    _op: str = "as_strided",
    _first: int = 2,
) -> Tensor:
    """A view of ``input``'s storage whose element (i, j, ...) is the storage element
    ``storage_offset + i·stride[0] + j·stride[1] + ...`` (``storage_offset`` defaults to
    ``input``'s own). ``_op`` and ``_first`` name the function and the position of ``size`` in
    PyTorch's errors for bad arguments (``Tensor.as_strided`` counts from 1)."""
    require_tensor(input, _op)
    size_ = _int_list(size, _op, "size", _first)
    stride_ = _int_list(stride, _op, "stride", _first + 1)
    offset = _offset_arg(storage_offset, _op, _first + 2)
    if offset is None:
        offset = input.storage_offset()
    data = input._data
    _check_arguments(size_, stride_, offset)
    _check_bounds(size_, stride_, offset, _storage(data).size, data.itemsize)
    out = AsStridedView.apply(input, tuple(size_), tuple(stride_), offset)
    view = _as_view(out, input)
    node = out.grad_fn
    if node is not None and not np.isin(node.output_positions, node.input_positions).all():
        # Elements outside the input's: its gradient drops theirs, as PyTorch's does. An
        # in-place write into this view must not route through that history: PyTorch's
        # CopySlices hands the written view's gradient to the base directly (_inplace).
        view.__dict__["_past_input"] = True
    return view


def as_strided_(
    input: Tensor, size: Any, stride: Any, storage_offset: int | None = None, *, _first: int = 2
) -> Tensor:
    """``input`` becomes ``as_strided(input, size, stride, storage_offset)``, in place
    (recorded as AsStridedBackward1)."""
    require_tensor(input, "as_strided_")
    return input._restride(
        lambda s: as_strided(s, size, stride, storage_offset, _op="as_strided_", _first=_first),
        "AsStridedBackward1",
    )


def as_strided_copy(
    input: Tensor, size: Any, stride: Any, storage_offset: int | None = None
) -> Tensor:
    """A new tensor of ``size`` whose element (i, j, ...) is the input's storage element
    ``storage_offset + i·stride[0] + j·stride[1] + ...``."""
    require_tensor(input, "as_strided_copy")
    return AsStridedCopy.apply(input, _positions(input, size, stride, storage_offset))


def as_strided_scatter(
    input: Tensor, src: Tensor, size: Any, stride: Any, storage_offset: int | None = None
) -> Tensor:
    """A copy of ``input`` with ``src`` written at the positions ``as_strided_copy`` reads."""
    require_tensor(input, "as_strided_scatter")
    positions = _positions(input, size, stride, storage_offset)
    if tuple(src._data.shape) != positions.shape:
        raise RuntimeError(
            "expected src to have a size equal to the slice of self. src size = "
            f"{list(src._data.shape)}, slice size = {list(positions.shape)}"
        )
    if src._data.dtype != input._data.dtype:
        src = src.to(input.dtype)
    return StridedScatter.apply(input, src, positions)
