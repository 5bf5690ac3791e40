"""Arithmetic: + - * / ** and negation, casts, where, and comparisons.

Binary ops take tensors or Python numbers in either position. Gradients come back in the output's
(broadcast) shape; the engine reduces them to each input's shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _errors
from .._kernels import power_np, quiet
from .._layout import (
    channels_last,
    channels_last_3d,
    contiguous_format,
    empty_strided_like,
    iter_order,
    legacy_contiguous_format,
    preserve_format,
)
from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd.function import Function, record_binary
from ..autograd.grad_mode import _state, _Used
from ..dtypes import checked_scalar, python_number
from ._util import (
    NumpyFunction,
    as_operand,
    binary_operands,
    channels_last_copy,
    dtype_name,
    promote,
    promote_float,
    require_tensor,
    zero_grad,
)
from ._util import to_dtype_op as to_dtype_op  # (other op modules take it from here)

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "add",
    "clone",
    "div",
    "eq",
    "floor_divide",
    "ge",
    "gt",
    "le",
    "lt",
    "mul",
    "ne",
    "neg",
    "pow",
    "rsub",
    "sub",
    "true_divide",
    "where",
]
__dir__ = public_dir(__name__)


class Clone(NumpyFunction):
    """y = a copy of x; dy/dx = 1."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        if _errors.is_dense(x):
            return x.copy(order="K")  # the same layout, as PyTorch's preserve_format
        return _copy_like_torch(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return grad

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> np.ndarray:
        return grad


def binary_layout(out: Any, a: Any, b: Any) -> Any:
    """iter_layout for two operands, with the common cases (a result of fewer than 2 dims,
    operands C-contiguous or numbers) answered first: the check every binary op's forward
    makes."""
    if type(out) is not _ND or out.ndim < 2:
        return out
    if (type(a) is _ND and not a.flags.c_contiguous) or (
        type(b) is _ND and not b.flags.c_contiguous
    ):
        return iter_layout(out, a, b)
    return out


_ND = np.ndarray


def _broadcast_strides(x: np.ndarray, shape: tuple[int, ...]) -> tuple[int, ...]:
    """x's strides in the broadcast ``shape``: 0 for a dim it is expanded along (and for the
    dims it lacks), its own for the others, a dim of size 1 in both included (numpy's
    broadcast_to would give that one 0 too)."""
    lead = len(shape) - x.ndim
    own = x.strides
    return tuple(
        0 if d < lead or (x.shape[d - lead] == 1 and n != 1) else own[d - lead]
        for d, n in enumerate(shape)
    )


def iter_layout(out: Any, *operands: Any) -> Any:
    """An elementwise op's result ``out`` laid out as PyTorch lays out its output: in the dim
    order of the operands (the first that has an order decides, see _layout.iter_order), so that
    ``lstm_out + x`` keeps a batch_first LSTM output's layout, as its dropout mask then does.

    numpy picks C order when its operands disagree; C-contiguous operands give C order in both.
    """
    if type(out) is not np.ndarray or out.ndim < 2 or not out.size:
        return out
    for x in operands:
        if type(x) is np.ndarray and x.ndim > 1 and not x.flags.c_contiguous:
            break
    else:
        return out
    shape = out.shape
    strides = [_broadcast_strides(x, shape) for x in operands if type(x) is _ND and x.size]
    order = iter_order(shape, strides)
    if out.transpose(order).flags.c_contiguous:
        return out
    laid = np.empty([shape[d] for d in order], out.dtype).transpose(np.argsort(order))
    np.copyto(laid, out)
    return laid


def _copy_like_torch(x: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """A dense copy of a strided ``x`` laid out as PyTorch's clone (preserve_format) lays it;
    with ``values`` (of x's shape), a copy of those laid out as ``empty_like(x)``."""
    src = x if values is None else values
    out = empty_strided_like(x, src.dtype)
    out[...] = src
    return out


class CloneContiguous(Clone):
    """y = a C-contiguous copy of x (``clone(memory_format=torch.contiguous_format)``)"""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.array(x, order="C", copy=True)


class CloneChannelsLast(Clone):
    """y = a copy of x laid out channels-last (``clone(memory_format=torch.channels_last)``:
    channels vary fastest, then the spatial dims, the batch slowest)"""

    node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return channels_last_copy(x)


def memory_layout(input: Tensor, memory_format: Any, op: str) -> str | None:
    """The layout ``memory_format`` asks of ``input``: None to keep its own
    (``preserve_format``), "C" row-major (``contiguous_format``), "channels_last" channels
    fastest (``channels_last`` for a 4-d tensor, ``channels_last_3d`` for a 5-d one)."""
    if memory_format is None or memory_format is preserve_format:
        return None
    if memory_format is contiguous_format or memory_format is legacy_contiguous_format:
        return "C"
    rank = {channels_last: 4, channels_last_3d: 5}.get(memory_format)
    if rank is None:
        raise TypeError(
            f"{op}(): argument 'memory_format' must be torch.memory_format, not "
            f"{type(memory_format).__name__}"
        )
    if input._data.ndim != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {memory_format._name} format")
    return "channels_last"


def in_layout(data: np.ndarray, layout: str | None) -> bool:
    """Whether ``data``'s strides are those a copy into ``layout`` would have (None: any)."""
    if layout is None:
        return True
    model = np.empty(data.shape, np.bool_)  # one byte an element: strides count elements
    if layout == "channels_last":
        model = channels_last_copy(model)
    return data.strides == tuple(s * data.itemsize for s in model.strides)


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy of input: laid out as input (``preserve_format``, the default), C-contiguous
    (``contiguous_format``), or channels-last (``channels_last`` for 4-d, ``channels_last_3d``
    for 5-d tensors)."""
    require_tensor(input, "clone")
    layout = memory_layout(input, memory_format, "clone")
    if layout is None:
        return Clone.apply(input)
    if layout == "C":
        return CloneContiguous.apply(input)
    return CloneChannelsLast.apply(input)


class Add(NumpyFunction):
    """y = a + b"""

    _listed_inputs = (0, 1)  # a number is listed too (PyTorch wraps it as a tensor)

    _broadcasting = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        return binary_layout(a + b, a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_a, need_b = ctx.needs_input_grad
        return (grad if need_a else None), (grad if need_b else None)

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        need_a, need_b = ctx.needs_input_grad
        return (grad if need_a else None), (grad if need_b else None)


class Sub(NumpyFunction):
    """y = a - b"""

    _listed_inputs = (0, 1)

    _broadcasting = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        return binary_layout(a - b, a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_a, need_b = ctx.needs_input_grad
        return (grad if need_a else None), (-grad if need_b else None)

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        need_a, need_b = ctx.needs_input_grad
        return (grad if need_a else None), (-grad if need_b else None)


class AddScaled(NumpyFunction):
    """y = a + alpha * b (``add(a, b, alpha=...)``): one node, as PyTorch records it"""

    _listed_inputs = (0, 1)

    _broadcasting = True

    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, alpha: Any, dt: np.dtype) -> np.ndarray:
        ctx.alpha = alpha
        if dt.kind in "iub":
            return binary_layout(_scaled(np.add, a, b, alpha, dt), a, b)
        with np.errstate(over="ignore", invalid="ignore"):  # inf and nan, silently
            return binary_layout(a + alpha * b, a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_a, need_b = ctx.needs_input_grad[:2]
        return (grad if need_a else None), (grad * ctx.alpha if need_b else None), None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        need_a, need_b = ctx.needs_input_grad[:2]
        return (grad if need_a else None), (grad * ctx.alpha if need_b else None), None, None


def _scaled(ufunc: np.ufunc, a: Any, b: Any, alpha: Any, dt: np.dtype) -> np.ndarray:
    """``ufunc(a, alpha * b)`` of integers or bools computed in the result dtype ``dt``, as
    PyTorch's kernels do: alpha and a number operand are converted to it and the product
    wraps (int8: 1 + 30 * 5 is -105; numpy refused the Python int 150), and bools stay bools
    (True + 2 * True is True, where numpy's bool * int made an int64 3)."""
    a, b = np.asarray(a), np.asarray(b)
    scaled = np.multiply(b.astype(dt, copy=False), np.asarray(alpha).astype(dt), dtype=dt)
    return ufunc(a.astype(dt, copy=False), scaled, dtype=dt)


class SubScaled(NumpyFunction):
    """y = a - alpha * b (``sub(a, b, alpha=...)``)"""

    _listed_inputs = (0, 1)

    _broadcasting = True

    node_name = "SubBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, alpha: Any, dt: np.dtype) -> np.ndarray:
        ctx.alpha = alpha
        if dt.kind in "iu":
            return binary_layout(_scaled(np.subtract, a, b, alpha, dt), a, b)
        with np.errstate(over="ignore", invalid="ignore"):  # inf and nan, silently
            return binary_layout(a - alpha * b, a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_a, need_b = ctx.needs_input_grad[:2]
        return (grad if need_a else None), (grad * -ctx.alpha if need_b else None), None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        need_a, need_b = ctx.needs_input_grad[:2]
        return (grad if need_a else None), (grad * -ctx.alpha if need_b else None), None, None


class RSub(NumpyFunction):
    """y = c - alpha * x for a number c (``c - x``, ``rsub(x, c)``); dy/dx = -alpha"""

    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, c: Any, alpha: Any) -> np.ndarray:
        ctx.alpha = alpha
        return c - x if alpha == 1 else c - alpha * x

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return (-grad if ctx.alpha == 1 else grad * -ctx.alpha), None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return (-grad if ctx.alpha == 1 else grad * -ctx.alpha), None, None


class RSubTensor(NumpyFunction):
    """y = b - alpha * a for tensors (``rsub(a, b)``); dy/da = -alpha, dy/db = 1"""

    _listed_inputs = (0, 1)

    _broadcasting = True

    node_name = "RsubBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, alpha: Any) -> np.ndarray:
        ctx.alpha = alpha
        return binary_layout(b - a if alpha == 1 else b - alpha * a, a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_a, need_b, _ = ctx.needs_input_grad
        grad_a = (-grad if ctx.alpha == 1 else grad * -ctx.alpha) if need_a else None
        return grad_a, (grad if need_b else None), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        need_a, need_b, _ = ctx.needs_input_grad
        grad_a = (-grad if ctx.alpha == 1 else grad * -ctx.alpha) if need_a else None
        return grad_a, (grad if need_b else None), None


class Mul(NumpyFunction):
    """y = a * b; dy/da = b, dy/db = a"""

    _saved_fields = (("self", 0), ("other", 1))

    _other_first = True

    _listed_inputs = (0, 1)

    _broadcasting = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return binary_layout(a * b, a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        a, b = ctx.saved_arrays
        need_a, need_b = ctx.needs_input_grad
        return (grad * b if need_a else None), (grad * a if need_b else None)


class AddScalar(NumpyFunction):
    """y = x + s for a number s (PyTorch's add.Scalar, which its C++ compositions call:
    margin_ranking_loss's margin; Python's ``x + 2`` wraps the number as a tensor instead,
    AddBackward0); dy/dx = 1"""

    node_name = "AddBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, s: Any) -> np.ndarray:
        return x + s

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return grad, None


class MulScalar(NumpyFunction):
    """y = x * s for a number s (PyTorch's mul.Scalar, which its C++ compositions call:
    trapezoid's weights); dy/dx = s"""

    node_name = "MulBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, s: Any) -> np.ndarray:
        ctx.s = s
        return x * s

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return MulScalar.apply(grad, ctx.s), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        return grad * ctx.s, None


def _scalar_op(fn: type[Function], x: Tensor, s: Any) -> Tensor | None:
    """``fn`` (a PyTorch Scalar overload: AddScalar, MulScalar, DivScalar) of a floating
    tensor ``x`` and a number ``s``, or None where the tensor operator must run instead (a
    tensor that is not floating point, which records nothing, or another operand type)."""
    if isinstance(s, np.generic):  # a numpy scalar would not be a weak (Python) number
        s = s.item()
    if x._data.dtype.kind == "f" and isinstance(s, int | float) and not isinstance(s, bool):
        return fn.apply(x, s)
    return None


def add_scalar(x: Tensor, s: Any) -> Tensor:
    """x + s recorded as PyTorch's add.Scalar (for C++ compositions that call it)."""
    out = _scalar_op(AddScalar, x, s)
    return x + s if out is None else out


def mul_scalar(x: Tensor, s: Any) -> Tensor:
    """x * s recorded as PyTorch's mul.Scalar."""
    out = _scalar_op(MulScalar, x, s)
    return x * s if out is None else out


def div_scalar(x: Tensor, s: Any) -> Tensor:
    """x / s recorded as PyTorch's div.Scalar."""
    out = _scalar_op(DivScalar, x, s)
    return x / s if out is None else out


def div_scalar_np(x: np.ndarray, s: float) -> np.ndarray:
    """x / s for a number s, in x's dtype (DivScalar's forward; array formulas reuse it)."""
    return quiet(np.true_divide, x, np.asarray(s, dtype=x.dtype)).astype(x.dtype, copy=False)


class DivScalar(NumpyFunction):
    """y = x / s for a number s (PyTorch's div.Scalar, which its own formulas call: mean's
    backward, a loss's mean); dy/dx = 1/s"""

    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, s: float) -> np.ndarray:
        ctx.s = s
        return div_scalar_np(x, s)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return DivScalar.apply(grad, ctx.s), None


class Div(NumpyFunction):
    """y = a / b; dy/da = 1/b, dy/db = -a/b² (computed as -(a/b)/b: b² underflows first)"""

    _saved_fields = (("self", 0), ("other", 1))

    _other_first = True

    _listed_inputs = (0, 1)

    _broadcasting = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        need_b = ctx.needs_input_grad[1]
        ctx.save_for_backward(a if need_b else None, b)
        return binary_layout(quiet(np.true_divide, a, b), a, b)  # x/0: ±inf or nan, silently

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad / b if need_a else None
        grad_b = -grad * ((a / b) / b) if need_b else None
        return grad_a, grad_b

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        a, b = ctx.saved_arrays
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad / b if need_a else None
        grad_b = -grad * ((a / b) / b) if need_b else None
        return grad_a, grad_b


class DivRounded(NumpyFunction):
    """y = a / b rounded ('trunc' or 'floor'): piecewise constant, so the gradient is zero."""

    _listed_inputs = (0, 1)

    _broadcasting = True

    node_name = "DivBackward2"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, mode: str) -> np.ndarray:
        return binary_layout(_rounded_quotient(a, b, mode), a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_a, need_b = ctx.needs_input_grad[:2]
        zero = zero_grad(grad)
        return (zero if need_a else None), (zero if need_b else None), None


def _rounded_quotient(a: Any, b: Any, mode: str) -> np.ndarray:
    with np.errstate(all="ignore"):  # x/0 and integer overflow (-128 // -1) wrap as PyTorch's
        if np.result_type(a, b).kind in "iub":
            q = np.floor_divide(a, b)
            if mode == "floor":
                return q
            # floor and trunc differ where the exact quotient is negative and inexact
            fix = (np.remainder(a, b) != 0) & ((np.asarray(a) < 0) != (np.asarray(b) < 0))
            return q + fix
        if mode == "floor":
            # Python's float floor division (1.0 // 0.1 == 9.0), as PyTorch computes it
            return np.floor_divide(a, b)
        return np.trunc(np.true_divide(a, b))


class FloorDivide(NumpyFunction):
    """y = floor(a / b): PyTorch records no derivative (backward raises)."""

    _broadcasting = True
    forward_ad_refusal = _errors.no_forward_ad("aten::floor_divide")

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        return binary_layout(_rounded_quotient(a, b, "floor"), a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class PowScalar(NumpyFunction):
    """y = x ** p for a number p; dy/dx = p * x ** (p - 1)"""

    _saved_fields = (("self", 0), ("exponent", "p"))

    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, p: Any) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.p = p
        if isinstance(p, int) and p < 0 and x.dtype.kind in "iub":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return x**p

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        p = ctx.p
        if p == 0:  # PyTorch's zeros_like: no -0, no NaN from an infinite grad
            return zero_grad(grad), None
        # grouped as PyTorch's pow_backward, grad * (p * x^(p-1)) (float16 overflows otherwise),
        # p * x^(p-1) its Scalar * Tensor (MulBackward1 under create_graph)
        return grad * mul_scalar(x ** (p - 1), p), None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        (x,) = ctx.saved_arrays
        p = ctx.p
        if p == 0:
            return np.zeros(grad.shape, grad.dtype), None
        return grad * (p * x ** (p - 1)), None


class PowTensor(NumpyFunction):
    """y = a ** b; dy/da = b * a ** (b - 1), dy/db = y * log(a) (taken as 0 where a = 0, b >= 0)"""

    _other_first = True

    _broadcasting = True

    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        y = binary_layout(power_np(a, b), a, b)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b, y = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = None
        if need_a:  # 0 where b = 0, as PyTorch (b a^(b-1) would be 0 * inf at a = 0)
            grad_a = where(b == 0, 0.0, grad * b * a ** (b - 1))
        grad_b = None
        if need_b:
            undefined = (a == 0) & (b >= 0)
            grad_b = grad * where(undefined, 0.0, y * a.log())
        return grad_a, grad_b


class RPow(NumpyFunction):
    """y = c ** x for a number c; dy/dx = y * log(c) (0 where c = 0 and x >= 0)"""

    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx: Any, c: Any, x: np.ndarray) -> np.ndarray:
        y = power_np(np.asarray(c, dtype=x.dtype), x)
        ctx.save_for_backward(x, y)
        ctx.c = c
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        c = ctx.c
        log_c = math.log(c) if c > 0 else (-math.inf if c == 0 else math.nan)
        if c == 0:
            return None, grad * where(x >= 0, 0.0, y * log_c)
        return None, grad * (y * log_c)


class Neg(NumpyFunction):
    """y = -x"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                "to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return -x

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return -grad

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> np.ndarray:
        return -grad


class Where(NumpyFunction):
    """y = a where cond else b; the gradient goes to whichever was picked."""

    _listed_inputs = (1, 2)  # not the condition; a number is listed

    @staticmethod
    def forward(ctx: Any, cond: np.ndarray, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(cond)
        return iter_layout(np.where(cond, a, b), cond, a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (cond,) = ctx.saved_tensors
        _, need_a, need_b = ctx.needs_input_grad
        # where(cond, grad, 0), as PyTorch's: a positive zero (grad * 0 would be -0 where grad
        # is negative, NaN where it is infinite)
        grad_a = where(cond, grad, 0.0) if need_a else None
        grad_b = where(cond, 0.0, grad) if need_b else None
        return None, grad_a, grad_b


# --- public functions --------------------------------------------------------------------------


def _checked_alpha(dt: np.dtype, alpha: Any, a: Any, b: Any) -> Any:
    """``alpha`` as a Python number (a numpy scalar counts as one: it must not promote the
    result), after PyTorch's checks of it, which come after its check of the shapes."""
    alpha = python_number(alpha)
    bad = None
    if isinstance(alpha, bool):
        if dt.kind != "b":
            bad = "Boolean alpha only supported for Boolean results."
    elif dt.kind in "iub" and isinstance(alpha, float):
        bad = "For integral input tensors, argument alpha must not be a floating point number."
    if bad is not None:
        _errors.check_broadcast(*(np.shape(getattr(x, "_data", x)) for x in (a, b)))
        raise RuntimeError(bad)
    return alpha


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """input + alpha * other, with broadcasting and PyTorch's type promotion."""
    a, b, dt = binary_operands(input, other, "add")
    if type(alpha) is not int:
        alpha = _checked_alpha(dt, alpha, a, b)
    if alpha != 1:
        return AddScaled.apply(a, b, checked_scalar(alpha, dt), dt)
    return Add.apply(a, b)


def _is_bool(x: Any) -> bool:
    return isinstance(x, bool | np.bool_) or (isinstance(x, Tensor) and x._data.dtype.kind == "b")


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """input - alpha * other"""
    a, b, dt = binary_operands(input, other, "sub")
    if dt.kind == "b":
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    if type(alpha) is not int:
        alpha = _checked_alpha(dt, alpha, a, b)
    if alpha != 1:
        return SubScaled.apply(a, b, checked_scalar(alpha, dt), dt)
    return Sub.apply(a, b)


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """other - alpha * input (RsubBackward1 for a number ``other``, RsubBackward0 for a tensor)"""
    T = Tensor
    a, b, dt = binary_operands(input, other, "rsub")
    if dt.kind == "b" or _is_bool(input) or _is_bool(other):
        return sub(other, input)  # PyTorch's bool error
    if type(alpha) is not int:
        alpha = _checked_alpha(dt, alpha, b, a)
    if isinstance(input, T) and not isinstance(other, T):
        return RSub.apply(a, b, alpha)
    try:
        return RSubTensor.apply(a, b, alpha)
    except RuntimeError:  # shapes that do not broadcast: PyTorch names other first
        if isinstance(a, T) and isinstance(b, T):
            _errors.check_broadcast(b._data.shape, a._data.shape)
        raise


def mul(input: Any, other: Any) -> Tensor:
    """input * other"""
    a, b, _ = binary_operands(input, other, "mul")
    return Mul.apply(a, b)


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """input / other: true division (integers give the default float dtype), or rounded."""
    a, b, dt = binary_operands(input, other, "div")
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{rounding_mode}'"
            )
        _check_rounded_division(f"div_{rounding_mode}_cpu", a, b, dt)
        return DivRounded.apply(a, b, rounding_mode)
    if dt.kind != "f":
        a, b, _ = promote_float(as_operand(input, "div"), as_operand(other, "div"))
    return Div.apply(a, b)


true_divide = div


def _check_rounded_division(kernel: str, a: Any, b: Any, dt: np.dtype) -> None:
    if dt.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    T = Tensor
    divisor = np.asarray(b._data if isinstance(b, T) else b)
    # (PyTorch's kernel raises per element it computes: none for an empty result)
    if dt.kind in "iu" and np.any(divisor == 0) and not _errors.empty_result(a, b):
        raise RuntimeError("ZeroDivisionError")


def floor_divide(input: Any, other: Any) -> Tensor:
    """floor(input / other), like div(..., rounding_mode='floor'); not differentiable in PyTorch."""
    a, b, dt = promote(as_operand(input, "floor_divide"), as_operand(other, "floor_divide"))
    _check_rounded_division("div_floor_cpu", a, b, dt)
    return FloorDivide.apply(a, b)


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent; either may be a number."""
    T = Tensor
    exponent = python_number(exponent)  # (a numpy integer is checked as an int)
    if isinstance(input, T) and type(exponent) is int and input._data.dtype.kind in "iu":
        # An int exponent of an integer tensor is checked, not wrapped as binary ops wrap
        # numbers: uint8 ** -1 is refused, uint8 ** 258 overflows.
        if -(1 << 63) <= exponent < 0:  # (below, no 64-bit int: checked_scalar's OverflowError)
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        exponent = checked_scalar(exponent, input._data.dtype)
    elif (
        isinstance(input, T) and input._data.dtype == np.float16 and type(exponent) in (int, float)
    ):
        checked_scalar(exponent, input._data.dtype)  # PyTorch's Half kernel converts it, checked
    a, b, dt = binary_operands(input, exponent, "pow")
    if dt.kind == "b":
        if isinstance(a, T) and not isinstance(b, T):  # x ** True is x, x ** False is True
            return T._make(np.logical_or(a._data, not b))
        raise NotImplementedError("\"pow\" not implemented for 'Bool'")
    if not isinstance(b, T):
        return PowScalar.apply(a, b)
    if not isinstance(a, T):
        return RPow.apply(a, b)
    return PowTensor.apply(a, b)


def neg(input: Tensor) -> Tensor:
    require_tensor(input, "neg")
    return Neg.apply(input)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """Elements of ``input`` where ``condition`` is true, else of ``other``."""
    T = Tensor
    cond = as_operand(condition, "where")
    if not isinstance(cond, T) or cond._data.dtype.kind != "b":
        shown = dtype_name(cond._data.dtype) if isinstance(cond, T) else type(cond).__name__
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype {shown}"
        )
    a, b, dt = promote(as_operand(input, "where"), as_operand(other, "where"))
    if dt != np.float16:  # (PyTorch checks a number's conversion, except into float16)
        for x in (input, other):
            if isinstance(x, int | float):
                checked_scalar(x, dt)
    try:
        return Where.apply(cond, a, b)
    except ValueError:
        _errors.check_broadcast(*(x._data.shape for x in (cond, a, b) if isinstance(x, T)))
        raise


_WHERE_FORMS = (
    " * (Tensor condition)\n"
    " * (Tensor condition, Tensor input, Tensor other, *, Tensor out = None)\n"
    " * (Tensor condition, Number self, Tensor other)\n"
    " * (Tensor condition, Tensor input, Number other)\n"
    " * (Tensor condition, Number self, Number other)\n"
)


def where_combination_error(args: tuple[Any, ...], kwargs: dict[str, Any]) -> TypeError:
    """PyTorch's TypeError for a call of torch.where that matches none of its forms (one of
    input and other without the other, or out= with the condition alone)."""
    got = [_py_type(a) for a in args] + [f"{k}={_py_type(v)}" for k, v in kwargs.items()]
    return TypeError(
        f"where() received an invalid combination of arguments - got ({', '.join(got)}), but "
        f"expected one of:\n{_WHERE_FORMS}"
    )


def _py_type(x: Any) -> str:
    """An argument's type as PyTorch's argument parser names it."""
    if isinstance(x, Tensor):
        return "Tensor"
    t = type(x)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def _compare(ufunc: Any, name: str, input: Any, other: Any) -> Tensor:
    T = Tensor
    if not isinstance(input, T):  # torch.eq(2, t): no signature takes a number first
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got ({_py_type(input)}, "
            f"{_py_type(other)}), but expected one of:\n"
            " * (Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Tensor input, Number other, *, Tensor out = None)\n"
        )
    a, b, _ = promote(as_operand(input, name), as_operand(other, name))
    x = a._data if isinstance(a, T) else a
    y = b._data if isinstance(b, T) else b
    try:
        return T._make(binary_layout(np.asarray(ufunc(x, y)), x, y))
    except ValueError:
        raise _errors.broadcast_mismatch(np.shape(x), np.shape(y)) from None


def eq(input: Any, other: Any) -> Tensor:
    return _compare(np.equal, "eq", input, other)


def ne(input: Any, other: Any) -> Tensor:
    return _compare(np.not_equal, "ne", input, other)


def lt(input: Any, other: Any) -> Tensor:
    return _compare(np.less, "lt", input, other)


def le(input: Any, other: Any) -> Tensor:
    return _compare(np.less_equal, "le", input, other)


def gt(input: Any, other: Any) -> Tensor:
    return _compare(np.greater, "gt", input, other)


def ge(input: Any, other: Any) -> Tensor:
    return _compare(np.greater_equal, "ge", input, other)


def _bitwise(ufunc: Any, name: str, input: Any, other: Any) -> Tensor:
    T = Tensor
    a, b, dt = promote(as_operand(input, name), as_operand(other, name))
    _errors.check_broadcast(np.shape(getattr(a, "_data", a)), np.shape(getattr(b, "_data", b)))
    if dt.kind not in "biu" or (dt.kind == "b" and name in ("lshift", "rshift")):
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dtype_name(dt)}'")
    x = a._data if isinstance(a, T) else a
    y = b._data if isinstance(b, T) else b
    try:
        return T._make(binary_layout(np.asarray(ufunc(x, y)), x, y))
    except ValueError:
        raise _errors.broadcast_mismatch(np.shape(x), np.shape(y)) from None


_OPERAND_TYPES = (int, float, np.generic, np.ndarray)


def _is_operand(x: Any) -> bool:
    """What a binary operator accepts; anything else returns NotImplemented (Python's TypeError)."""
    return isinstance(x, (_OPERAND_TYPES, Tensor))


def _operator(op: Callable[[Any, Any], Tensor]) -> Callable[[Any, Any], Any]:
    """A binary operator method from an op function: NotImplemented for foreign operand types."""

    def method(self: Any, other: Any) -> Any:
        try:
            return op(self, other)
        except TypeError:
            if not _is_operand(other):
                return NotImplemented
            raise

    method.__name__ = getattr(op, "__name__", "operator")
    return method


def _rtruediv(self: Tensor, other: Any) -> Tensor:
    # other / x is reciprocal(x) * other, as PyTorch's Tensor.__rtruediv__ computes it, for a
    # tensor too: its dtype (an int32 x under a float16 0-d tensor gives float32), its graph
    # (MulBackward0 of ReciprocalBackward0) and its broadcast message (x is tensor a)
    return mul(self.reciprocal(), other)  # (the method: ops/pointwise.py builds on this module)


# The dtypes the operators' and elementwise functions' fast paths take: the same float dtype on
# both sides gives the same result dtype in numpy and PyTorch. Identity tests (a dtype's ``kind``
# is a property that builds a string); any other dtype object takes the general path.
FAST_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


def _fast_operator(
    fn: type[Function], op: Callable[[Any, Any], Tensor], array_op: Callable[[Any, Any], Any]
) -> Callable[[Any, Any], Any]:
    """The operator method of a binary op, with the common case handled first.

    The common case: two tensors of one dtype, float64 or float32, or such a tensor and a
    Python number (no promotion to do: the result has the tensor's dtype). It records ``fn``
    (record_binary), or, when nothing needs a gradient, returns ``array_op`` of the arrays as a
    new tensor without a Function call at all. Everything else, errors included, goes through
    ``op`` as before.
    """
    slow = _operator(op)
    state, used = _state, _Used
    new = object.__new__
    ndarray, asarray = np.ndarray, np.asarray
    f64, f32 = FAST_FLOATS

    def method(self: Any, other: Any) -> Any:
        T = Tensor
        a = self._data
        dt = a.dtype
        b: Any
        if type(other) is T or isinstance(other, T):
            b = other._data
            if dt is not b.dtype or (dt is not f64 and dt is not f32):
                return slow(self, other)
            if (self._requires_grad or other._requires_grad) and state.grad_enabled:
                if used.special and state.recording:  # record_inputs() replaces apply
                    return fn.apply(self, other)
                return record_binary(fn, self, other)
        elif (type(other) is float or type(other) is int) and (dt is f64 or dt is f32):
            b = other
            if self._requires_grad and state.grad_enabled:
                if used.special and state.recording:
                    return fn.apply(self, other)
                return record_binary(fn, self, other)
        else:
            return slow(self, other)
        if used.special and (state.forward_ad or state.recording):
            return fn.apply(self, other)
        try:
            out = array_op(a, b)
        except ValueError:  # shapes that do not broadcast: the slow path raises PyTorch's error
            return slow(self, other)
        t = new(T)
        if type(out) is ndarray:
            # binary_layout's check, inline (the hot path); a 1-d result has one layout
            if out.ndim > 1 and (
                not a.flags.c_contiguous or (type(b) is ndarray and not b.flags.c_contiguous)
            ):
                out = iter_layout(out, a, b)
            t._data = out
        else:
            t._data = asarray(out)
        return t

    method.__name__ = getattr(op, "__name__", "operator")
    return method


class ArithmeticMethods:
    """Tensor's arithmetic operators and methods."""

    # Operators. A foreign operand type returns NotImplemented, so Python raises its usual
    # "unsupported operand type(s)" TypeError, as it does for PyTorch. They come first in the
    # class body so that `add`, `mul`... name the module's functions, not the methods below (one
    # call less on every operator).
    __add__ = __radd__ = _fast_operator(Add, add, np.add)
    __sub__ = _fast_operator(Sub, sub, np.subtract)
    __rsub__ = _operator(rsub)
    __mul__ = __rmul__ = _fast_operator(Mul, mul, np.multiply)
    __truediv__ = _fast_operator(Div, div, lambda a, b: quiet(np.true_divide, a, b))
    __rtruediv__ = _operator(_rtruediv)
    __floordiv__ = _operator(lambda self, other: floor_divide(self, other))
    __rfloordiv__ = _operator(lambda self, other: floor_divide(other, self))
    __pow__ = _operator(pow)
    __rpow__ = _operator(lambda self, base: pow(base, self))
    __eq__ = _operator(eq)
    __ne__ = _operator(ne)
    __lt__ = _operator(lt)
    __le__ = _operator(le)
    __gt__ = _operator(gt)
    __ge__ = _operator(ge)
    # Bitwise operators: logical on bool tensors (masks), bitwise on integers.
    __and__ = __rand__ = _operator(
        lambda self, other: _bitwise(np.bitwise_and, "bitwise_and", self, other)
    )
    __or__ = __ror__ = _operator(
        lambda self, other: _bitwise(np.bitwise_or, "bitwise_or", self, other)
    )
    __xor__ = __rxor__ = _operator(
        lambda self, other: _bitwise(np.bitwise_xor, "bitwise_xor", self, other)
    )
    __lshift__ = _operator(lambda self, other: _bitwise(np.left_shift, "lshift", self, other))
    __rlshift__ = _operator(lambda self, other: _bitwise(np.left_shift, "lshift", other, self))
    __rshift__ = _operator(lambda self, other: _bitwise(np.right_shift, "rshift", self, other))
    __rrshift__ = _operator(lambda self, other: _bitwise(np.right_shift, "rshift", other, self))

    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> Tensor:
        return mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return div(self, other, rounding_mode=rounding_mode)

    true_divide = div

    def pow(self, exponent: Any) -> Tensor:
        return pow(self, exponent)

    def neg(self) -> Tensor:
        return Neg.apply(self)

    negative = neg

    def clone(self, *, memory_format: Any = None) -> Tensor:
        if memory_format is None:
            return Clone.apply(self)
        return clone(self, memory_format=memory_format)  # type: ignore[arg-type]

    def where(self, condition: Any, other: Any) -> Tensor:
        return where(condition, self, other)

    def __neg__(self) -> Tensor:
        return Neg.apply(self)

    def __pos__(self) -> Any:
        if self._data.dtype.kind == "b":  # type: ignore[attr-defined]
            raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
        return self

    def eq(self, other: Any) -> Tensor:
        return eq(self, other)

    def ne(self, other: Any) -> Tensor:
        return ne(self, other)

    def lt(self, other: Any) -> Tensor:
        return lt(self, other)

    def le(self, other: Any) -> Tensor:
        return le(self, other)

    def gt(self, other: Any) -> Tensor:
        return gt(self, other)

    def ge(self, other: Any) -> Tensor:
        return ge(self, other)

    def __invert__(self) -> Tensor:
        data = self._data  # type: ignore[attr-defined]
        if data.dtype.kind not in "biu":
            raise TypeError(
                "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
            )
        return Tensor._make(np.asarray(np.invert(data)))  # (0-d: not a numpy scalar)
