"""Helpers the op modules share: operand conversion, type promotion, dim normalisation."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _errors
from .._args import check_dims as check_dims
from .._args import parse_shape as parse_shape
from .._creation import as_tensor
from .._errors import py_type_name
from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import _state
from ..dtypes import INT_RANGES, get_default_dtype, python_number, result_type, wrap_int
from ..dtypes import dtype_name as dtype_name

if TYPE_CHECKING:
    from .._tensor import Tensor

_NUMBER_TYPES = (int, float, bool)


class NumpyFunction(Function):
    """Base of the built-in ops: forward gets and returns numpy arrays."""

    _numpy_forward = True


def channels_last_copy(x: np.ndarray, dt: Any = None) -> np.ndarray:
    """A copy of the 4-d or 5-d ``x`` (cast to ``dt``) whose channels (dim 1) vary fastest, then
    the spatial dims from the last, the batch slowest: PyTorch's channels_last(_3d) strides.
    Always a new array (``ascontiguousarray`` would hand back an ``x`` already laid out so), with
    the strides numpy gives a new one, dims of size 1 included."""
    moved = np.moveaxis(x, 1, -1)
    out = np.empty(moved.shape, x.dtype if dt is None else dt)
    out[...] = moved
    return np.moveaxis(out, -1, 1)


class ToCopy(NumpyFunction):
    """y = x cast to another dtype, laid out as x (``layout`` None), row-major ("C") or
    channels-last ("channels_last"); the gradient is cast back."""

    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dt: np.dtype, layout: str | None = None) -> np.ndarray:
        ctx.src_dtype = x.dtype
        if dt == np.float16 and x.dtype == np.float64:  # through float32, as PyTorch
            x = x.astype(np.float32)
        if layout == "C":
            return np.array(x, dtype=dt, order="C", copy=True)
        if layout == "channels_last":
            return channels_last_copy(x, dt)
        return x.astype(dt)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad.to(ctx.src_dtype), None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return grad.astype(ctx.src_dtype), None, None


def to_dtype_op(x: Tensor, dt: np.dtype, layout: str | None = None) -> Tensor:
    return ToCopy.apply(x, np.dtype(dt), layout)


def zero_grad(grad: Tensor) -> Tensor:
    """The gradient through a piecewise-constant op (floor, sign, a rounded division...): zeros
    shaped as ``grad``, outside the graph, as PyTorch's ``zeros_like(grad)``. Not ``grad * 0``:
    that is -0 where ``grad`` is negative (printed ``-0.``), NaN where it is infinite, and would
    record a node under create_graph, where PyTorch's zero does not require grad."""
    return Tensor._make(np.zeros(grad._data.shape, grad._data.dtype))


def require_tensor(x: Any, op: str, arg: str = "input", position: int = 1) -> None:
    """PyTorch's TypeError for a non-tensor where an op takes only tensors."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{op}(): argument '{arg}' (position {position}) must be Tensor, not {py_type_name(x)}"
        )


def as_operand(x: Any, op: str, other: Any = None) -> Any:
    """A Tensor or a Python number, as PyTorch's binary ops accept them.

    numpy scalars count as Python numbers; a numpy array becomes a tensor. Anything else is a
    TypeError naming the op and the type.
    """
    T = Tensor
    if isinstance(x, T) or type(x) in _NUMBER_TYPES:
        return x
    if isinstance(x, np.generic) and x.dtype.kind in "biuf":
        return python_number(x)
    if isinstance(x, np.ndarray):
        return as_tensor(x)
    if isinstance(x, int | float):  # bool/int/float subclasses
        return x
    raise TypeError(f"{op}(): expected a Tensor or a number, but got {type(x).__name__}")


def binary_operands(a: Any, b: Any, op: str) -> tuple[Any, Any, np.dtype]:
    """``as_operand`` and ``promote`` for a binary op, the common cases first (a hot path)."""
    T = Tensor
    if type(a) is T:
        tb = type(b)
        if tb is T:
            dt = a._data.dtype
            if dt is b._data.dtype or dt == b._data.dtype:  # identity first: no rich compare
                return a, b, dt
        elif (tb is float or tb is int) and a._data.dtype.kind == "f":
            return a, b, a._data.dtype
    return promote(as_operand(a, op), as_operand(b, op))


def promote(a: Any, b: Any) -> tuple[Any, Any, np.dtype]:
    """Cast tensor operands to PyTorch's result dtype; Python numbers stay numbers.

    numpy, given the cast tensors, computes in that dtype too: a Python number never upcasts an
    array (NEP 50). Returns the operands and the result dtype.
    """
    T = Tensor
    if not isinstance(a, T):
        if not isinstance(b, T):
            # Two numbers (ndgrad.add(3, 2)): as PyTorch, the first becomes a 0-d tensor.
            return promote(as_tensor(a), b)
        b, a, rt = promote(b, a)
        return a, b, rt
    if isinstance(b, T):
        if a._data.dtype == b._data.dtype:
            return a, b, a._data.dtype
        rt = result_type(a._data, b._data)
    else:
        if isinstance(b, np.generic):
            b = python_number(b)
        kind = a._data.dtype.kind
        # The common cases need no cast: a number of the tensor's category or a lower one.
        if kind == "f" or isinstance(b, bool):
            return a, b, a._data.dtype
        if kind != "b" and not isinstance(b, float):
            dt = a._data.dtype
            if not INT_RANGES[dt.char][0] <= b <= INT_RANGES[dt.char][1]:
                b = wrap_int(b, dt)
            return a, b, dt
        rt = result_type(a._data, b)
    if a._data.dtype != rt:
        a = cast(a, rt)
    if isinstance(b, T) and b._data.dtype != rt:
        b = cast(b, rt)
    return a, b, rt


def promote_float(a: Any, b: Any) -> tuple[Any, Any, np.dtype]:
    """``promote`` for the ops that compute in floats (true division, atan2, xlogy...). A float
    result dtype is promote's. An integer or bool one becomes the default float dtype, and each
    operand goes there from its own dtype, as PyTorch's TensorIterator casts them: not through
    the operands' common integer dtype, which wraps (a uint8 tensor with tensor(-6) divides by
    -6.0, not by 250.0, and ``2**31`` stays 2147483648.0 beside an int16 tensor). Numbers become
    Python floats. At least one operand is a tensor."""
    T = Tensor
    a, b = python_number(a), python_number(b)
    rt = result_type(*(x._data if isinstance(x, T) else x for x in (a, b)))
    if rt.kind == "f":
        return promote(a, b)
    fdt = default_float()
    a, b = (
        (x if x._data.dtype == fdt else cast(x, fdt)) if isinstance(x, T) else float(x)
        for x in (a, b)
    )
    return a, b, fdt


def cast(t: Tensor, dt: np.dtype) -> Tensor:
    return to_dtype_op(t, dt)


def default_float() -> np.dtype:
    return get_default_dtype().np


# A tuple, not ``int | np.integer``: that expression builds a new union object at every call.
_INTEGERS = (int, np.integer)


def wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not isinstance(dim, _INTEGERS) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not -n <= dim < n:
        raise _errors.dim_out_of_range(int(dim), ndim)
    return int(dim) % n


def normalize_dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """``dim`` as a sorted tuple of non-negative axes; None means all axes."""
    if dim is None:
        return None
    if isinstance(dim, _INTEGERS) and not isinstance(dim, bool):
        return (wrap_dim(int(dim), ndim),)
    if type(dim) is not tuple and (not isinstance(dim, Sequence) or isinstance(dim, str)):
        raise TypeError(f"dim must be an int, a tuple of ints or None, got {type(dim).__name__}")
    for d in dim:
        if not isinstance(d, _INTEGERS):  # int() would silently truncate 1.5 to 1
            raise TypeError(
                f"dim must be an int, a tuple of ints or None, got a {type(dim).__name__} "
                f"containing {type(d).__name__}"
            )
    axes = [wrap_dim(int(d), ndim) for d in dim]
    seen: set[int] = set()
    for d in axes:
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    if ndim == 0:
        return ()
    return tuple(sorted(axes))


def reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """The keepdim=True shape of reducing ``shape`` over ``axes``."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def promote_all(items: list[Any], op: str) -> list[Tensor]:
    """Tensors cast to their common result dtype (for ops over lists, like stack and cat)."""
    T = Tensor
    for x in items:
        if not isinstance(x, T):
            raise TypeError(
                f"{op}(): argument 'tensors' must be a sequence of Tensors, "
                f"but found element of type {type(x).__name__}"
            )
    if not items:
        return items
    rt = result_type(*[x._data for x in items])
    return [x if x._data.dtype == rt else cast(x, rt) for x in items]


# --- out= ----------------------------------------------------------------------------------
_NO_AUTOGRAD = (
    "{}(): functions with out=... arguments don't support automatic differentiation, "
    "but one of the arguments requires grad."
)


def write_out(name: str, result: Any, out: Any) -> Any:
    """Write ``result`` (a tensor, or a tuple of them) into ``out`` and return ``out``."""
    T = Tensor
    if isinstance(result, tuple):
        if not isinstance(out, tuple | list):
            raise TypeError(
                f"{name}(): argument 'out' must be tuple of Tensors, not {type(out).__name__}"
            )
        if len(out) != len(result):
            raise TypeError(f"expected tuple of {len(result)} elements but got {len(out)}")
        written = tuple(write_out(name, r, o) for r, o in zip(result, out, strict=True))
        return type(result)(written) if hasattr(result, "n_fields") else written
    if not isinstance(out, T):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {py_type_name(out)}")
    if _state.grad_enabled and (result._requires_grad or out._requires_grad):
        raise RuntimeError(_NO_AUTOGRAD.format(name))
    values = result._data
    if values.shape != out._data.shape:
        if out._data.size != 0:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out._data.shape)}, which does not match the required output shape "
                f"{list(values.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
                "t.resize_(0).",
                UserWarning,
                stacklevel=3,
            )
        out._set_data(np.empty(values.shape, out._data.dtype))
    out._write(values)
    return out


def call_with_out(
    op: str, fn: Callable[..., Any], args: tuple[Any, ...], out: Any, **kwargs: Any
) -> Any:
    """``fn(*args, **kwargs)`` written into ``out`` (the ``out=`` of the function named op)."""
    if _state.grad_enabled and isinstance(out, Tensor) and out._requires_grad:
        raise RuntimeError(_NO_AUTOGRAD.format(op))
    return write_out(op, fn(*args, **kwargs), out)
