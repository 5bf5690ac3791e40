"""``torch.as_strided_copy`` and ``torch.as_strided_scatter``: elements picked by explicit
sizes, strides and a storage offset.

PyTorch reads these positions in the tensor's storage. An ndgrad tensor owns a numpy array
rather than a storage, so these functions take a tensor whose elements are its whole storage in
order: a contiguous tensor that is not a view into a larger one (``.clone()`` makes one). Both
are differentiable: a gather and a scatter of the same positions, each the other's adjoint.
The view ``as_strided`` itself is not provided: ndgrad's views are made by named operations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ._tensor import Tensor
from .ops._util import require_tensor
from .ops.arithmetic import NumpyFunction

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["as_strided_copy", "as_strided_scatter"]


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


def _positions(input: Tensor, size: Any, stride: Any, storage_offset: Any) -> np.ndarray:
    size, stride = [int(s) for s in size], [int(s) for s in stride]
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"as_strided: Negative strides are not supported at the moment, got strides: {stride}"
        )
    offset = input.storage_offset() if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
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
    needed = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    if 0 in size:
        needed = 0
    if needed > data.size:
        item = data.itemsize
        raise RuntimeError(
            f"setStorage: sizes {size}, strides {stride}, storage offset {offset}, and itemsize "
            f"{item} requiring a storage size of {needed * item} are out of bounds for storage "
            f"of size {data.size * item}"
        )
    grids = np.indices(size, dtype=np.int64) if size else np.zeros((0,), np.int64)
    positions = np.full(size, offset, np.int64)
    for axis, s in enumerate(stride):
        positions = positions + grids[axis] * s
    return positions


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
