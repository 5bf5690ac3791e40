"""Shape ops: view, reshape, expand, unsqueeze, squeeze, transpose, permute, unbind.

Views share storage and the version counter with their base, as in PyTorch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd.grad_mode import _state
from ._util import parse_shape, wrap_dim
from .arithmetic import NumpyFunction

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "expand",
    "permute",
    "reshape",
    "squeeze",
    "stack",
    "transpose",
    "unbind",
    "unsqueeze",
    "view",
]


def _as_view(out: Tensor, base: Tensor) -> Tensor:
    """Mark ``out`` as a view of ``base``: same storage, same version counter."""
    root = base._base if base._base is not None else base
    out._base = root
    out._version_counter = base._counter()
    if out.grad_fn is not None and root.grad_fn is not None:
        # An in-place write into the root or another of its views must re-derive this one.
        from ..autograd._views import register_view

        register_view(root, out)
    elif root._requires_grad and not _state.grad_enabled:
        out.__dict__["_no_grad_view"] = True  # in-place on it with grad enabled is refused
    return out


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


def view(input: Tensor, *shape: Any) -> Tensor:
    """The same storage with a new shape (one size may be -1); errors if strides forbid it."""
    if len(shape) == 1 and hasattr(shape[0], "np"):  # view(dtype) reinterprets bits
        raise NotImplementedError("view(dtype) is not supported by ndgrad")
    size = infer_shape(parse_shape(shape), input._data.size)
    return _as_view(View.apply(input, size), input)


def reshape(input: Tensor, *shape: Any) -> Tensor:
    """A tensor with the new shape: a view when the strides allow it, else a copy."""
    size = infer_shape(parse_shape(shape), input._data.size)
    if _view_array(input._data, size) is not None:
        return _as_view(View.apply(input, size), input)
    return ReshapeCopy.apply(input, size)


class Expand(NumpyFunction):
    """y = x broadcast to a larger shape (a read-only view); the gradient is summed back"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.in_shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return sum_to(grad, ctx.in_shape), None


def sum_to(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``grad`` over the dims along which ``shape`` was broadcast to grad's shape."""
    gshape = grad._data.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1
    )
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
    resolved = []
    for i, t in enumerate(target):
        if i < lead:
            if t < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({t}) isn't allowed in a leading, "
                    "non-existing dimension 0"
                )
            resolved.append(t)
            continue
        s = shape[i - lead]
        if t == -1:
            t = s
        if s != t and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({t}) must match the existing size ({s}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(target)}.  Tensor sizes: "
                f"{list(shape)}"
            )
        resolved.append(t)
    return _as_view(Expand.apply(input, tuple(resolved)), input)


def _type_name(t: Tensor) -> str:
    from ..autograd.function import _type_string

    return _type_string(t).split(" ")[0]


class Unsqueeze(NumpyFunction):
    """y = x with a new size-1 dim"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        ctx.dim = dim
        return np.expand_dims(x, dim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad.squeeze(ctx.dim), None


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


class SqueezeDim(Squeeze):
    node_name = "SqueezeBackward1"


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Remove size-1 dims: all of them, or ``dim`` (int or tuple) where its size is 1."""
    shape = input._data.shape
    if dim is None:
        dims = tuple(i for i, s in enumerate(shape) if s == 1)
        return _as_view(Squeeze.apply(input, dims), input)
    wanted = (dim,) if isinstance(dim, int | np.integer) else tuple(dim)
    axes = [wrap_dim(d, len(shape)) for d in wanted]
    dims = tuple(sorted(a for a in set(axes) if len(shape) and shape[a] == 1))
    return _as_view(SqueezeDim.apply(input, dims), input)


class Transpose(NumpyFunction):
    """y = x with two dims swapped"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, d0: int, d1: int) -> np.ndarray:
        ctx.dims = (d0, d1)
        return np.swapaxes(x, d0, d1)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad.transpose(*ctx.dims), None, None


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
        return grad.permute(*ctx.inverse), None


def permute(input: Tensor, *dims: Any) -> Tensor:
    order = parse_shape(dims)
    n = input._data.ndim
    if len(order) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
            f"to len(dims) = {len(order)}"
        )
    axes = tuple(wrap_dim(d, n) for d in order)
    if len(set(axes)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _as_view(Permute.apply(input, axes), input)


class Unbind(NumpyFunction):
    """(y_0, ..., y_n) = the slices of x along dim; the gradient stacks them back"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
        ctx.dim = dim
        return tuple(np.take(x, i, axis=dim) for i in range(x.shape[dim]))

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> tuple[Any, ...]:
        return stack(grads, ctx.dim), None


class Stack(NumpyFunction):
    """y = the inputs stacked along a new dim; each gets its slice of the gradient"""

    @staticmethod
    def forward(ctx: Any, dim: int, *xs: np.ndarray) -> np.ndarray:
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return (None, *grad.unbind(ctx.dim))


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dim."""
    from ._util import promote_all

    items = promote_all(list(tensors), "stack")
    if not items:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = items[0]._data.shape
    for i, t in enumerate(items):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    return Stack.apply(wrap_dim(dim, len(shape) + 1), *items)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return Unbind.apply(input, wrap_dim(dim, input._data.ndim))


class ShapeMethods:
    """Tensor methods of the shape ops."""

    def view(self, *shape: Any) -> Tensor:
        return view(self, *shape)  # type: ignore[arg-type]

    def reshape(self, *shape: Any) -> Tensor:
        return reshape(self, *shape)  # type: ignore[arg-type]

    def view_as(self, other: Tensor) -> Tensor:
        return view(self, other._data.shape)  # type: ignore[arg-type]

    def reshape_as(self, other: Tensor) -> Tensor:
        return reshape(self, other._data.shape)  # type: ignore[arg-type]

    def expand(self, *sizes: Any) -> Tensor:
        return expand(self, *sizes)  # type: ignore[arg-type]

    def expand_as(self, other: Tensor) -> Tensor:
        return expand(self, other._data.shape)  # type: ignore[arg-type]

    def unsqueeze(self, dim: int) -> Tensor:
        return unsqueeze(self, dim)  # type: ignore[arg-type]

    def squeeze(self, dim: Any = None) -> Tensor:
        return squeeze(self, dim)  # type: ignore[arg-type]

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return transpose(self, dim0, dim1)  # type: ignore[arg-type]

    def permute(self, *dims: Any) -> Tensor:
        return permute(self, *dims)  # type: ignore[arg-type]

    def t(self) -> Tensor:
        n = self._data.ndim  # type: ignore[attr-defined]
        if n > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
        return transpose(self, 0, 1) if n == 2 else self  # type: ignore[arg-type,return-value]

    @property
    def T(self) -> Tensor:
        n = self._data.ndim  # type: ignore[attr-defined]
        return permute(self, *range(n - 1, -1, -1))  # type: ignore[arg-type]

    @property
    def mT(self) -> Tensor:
        if self._data.ndim < 2:  # type: ignore[attr-defined]
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
            )
        return transpose(self, -2, -1)  # type: ignore[arg-type]

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return unbind(self, dim)  # type: ignore[arg-type]
