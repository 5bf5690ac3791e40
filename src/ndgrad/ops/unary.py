"""Elementwise functions of one tensor: exp, log, sqrt, tanh, sigmoid, relu, abs, sign."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._kernels import keep_first, one, pass_where
from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd.function import _NO_GRAPH_CTX, Function, record_unary
from ..autograd.grad_mode import _state, _Used
from ._util import call_with_out, default_float, require_tensor, zero_grad
from .arithmetic import FAST_FLOATS, NumpyFunction, mul_scalar, to_dtype_op, where

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["abs", "exp", "log", "relu", "sigmoid", "sign", "sqrt", "tanh"]
__dir__ = public_dir(__name__)


def _floating(x: Tensor) -> Tensor:
    """Integer and bool inputs of float-valued functions compute in the default float dtype."""
    try:
        kind = x._data.dtype.kind
    except AttributeError:
        # Not a tensor: PyTorch's message names the function, which is our caller.
        require_tensor(x, sys._getframe(1).f_code.co_name)
        raise
    return x if kind == "f" else to_dtype_op(x, default_float())


def _elementwise(
    fn: type[Function],
    name: str,
    floating: bool = True,
    array_fn: Callable[[np.ndarray], Any] | None = None,
    bool_error: Exception | None = None,
) -> Callable[..., Any]:
    """``torch.<name>(input, *, out=None)``, also the Tensor method, of a one-tensor op ``fn``.

    The common case comes first: a float64 or float32 tensor and no ``out``. When nothing is
    recorded (no grad needed, or under no_grad) the result is forward's array as a new tensor,
    without a Function call; when the input requires grad, ``record_unary`` records the node as
    ``fn.apply`` would. Everything else (an integer or half input, which a ``floating`` op
    computes in the default float dtype or its own, a non-tensor, ``out=``, forward-mode AD, a
    0-d result that numpy returns as a scalar) takes the general path. ``array_fn``, where
    given, is forward's arithmetic alone (``np.tanh``), called directly then. ``bool_error``,
    where given, is raised for a bool input (PyTorch's abs and relu refuse them).
    """
    if array_fn is None:
        ctx_cls = _NO_GRAPH_CTX[1]
        forward = fn.forward

        def array_fn(x: np.ndarray) -> Any:
            return forward(ctx_cls(), x)

    state, used = _state, _Used
    new = object.__new__
    ndarray = np.ndarray
    f64, f32 = FAST_FLOATS

    def general(input: Any) -> Tensor:
        try:
            kind = input._data.dtype.kind
        except AttributeError:
            require_tensor(input, name)  # PyTorch's TypeError for a non-tensor
            raise
        if floating and kind != "f":
            input = to_dtype_op(input, default_float())
        elif kind == "b" and bool_error is not None:
            raise bool_error
        return fn.apply(input)

    def op(input: Any, *, out: Any = None) -> Any:
        if out is not None:
            return call_with_out(name, general, (input,), out)
        try:
            data = input._data
        except AttributeError:
            return general(input)
        dt = data.dtype
        if dt is not f64 and dt is not f32:
            return general(input)
        if used.special and (state.recording or state.forward_ad):
            return fn.apply(input)  # (record_inputs() replaces Function.apply: go through it)
        if input._requires_grad and state.grad_enabled:
            return record_unary(fn, input)
        y = array_fn(data)
        if type(y) is not ndarray:
            return fn.apply(input)
        t = new(Tensor)
        t._data = y
        return t

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"{fn.__doc__}\n\n(``torch.{name}``; ``out=`` writes the result into a tensor.)"
    return op


class Exp(NumpyFunction):
    """y = exp(x); dy/dx = y"""

    _saved_fields = (("result", 0),)

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * y

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (y,) = ctx.saved_arrays
        return grad * y


exp = _elementwise(Exp, "exp", array_fn=np.exp)


class Log(NumpyFunction):
    """y = log(x); dy/dx = 1/x"""

    _saved_fields = (("self", 0),)

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / x

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_arrays
        return grad / x


log = _elementwise(Log, "log")


class Sqrt(NumpyFunction):
    """y = sqrt(x); dy/dx = 1/(2y)"""

    _saved_fields = (("result", 0),)

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad / mul_scalar(y, 2)  # (PyTorch's 2 * result: MulBackward1)

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (y,) = ctx.saved_arrays
        return grad / (2 * y)


sqrt = _elementwise(Sqrt, "sqrt")


class Tanh(NumpyFunction):
    """y = tanh(x); dy/dx = 1 - y²"""

    _saved_fields = (("result", 0),)

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return TanhBackward.apply(grad, y)

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (y,) = ctx.saved_arrays
        return _tanh_grad(grad, y)


def _tanh_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g (1 - y²): tanh's backward on arrays (TanhBackward's forward)."""
    return g * (one(y.dtype) - y * y)


class TanhBackward(NumpyFunction):
    """gx = g (1 - y²), tanh's backward as one op (one numpy pass instead of three tensor ops);
    d/dg = 1 - y², d/dy = -2 g y"""

    node_name = "TanhBackwardBackward0"

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, y: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(g if ctx.needs_input_grad[1] else None, y)
        return _tanh_grad(g, y)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple[Any, ...]:
        g, y = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad
        # d/dg is tanh's backward again (a TanhBackwardBackward0 node), as PyTorch's
        grad_g = TanhBackward.apply(gg, y) if need_g else None
        return grad_g, (gg * g * y * -2 if need_y else None)


tanh = _elementwise(Tanh, "tanh", array_fn=np.tanh)


class Sigmoid(NumpyFunction):
    """y = 1 / (1 + exp(-x)); dy/dx = y (1 - y)"""

    _saved_fields = (("result", 0),)

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        # exp of -|x| never overflows; for x < 0, e / (1 + e) keeps the tiny values (sigmoid(-700)
        # is 1e-304, not 0) that 1 - 1/(1 + e) or the tanh form would round away.
        e = np.exp(-np.abs(x))
        d = 1 + e
        y = np.where(x >= 0, 1 / d, e / d)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return SigmoidBackward.apply(grad, y)

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (y,) = ctx.saved_arrays
        return _sigmoid_grad(grad, y)


def _sigmoid_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g y (1 - y): sigmoid's backward on arrays (SigmoidBackward's forward)."""
    return g * (y * (one(y.dtype) - y))


class SigmoidBackward(NumpyFunction):
    """gx = g y (1 - y), sigmoid's backward as one op; d/dg = y (1 - y), d/dy = g (1 - 2y)"""

    node_name = "SigmoidBackwardBackward0"

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, y: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(g if ctx.needs_input_grad[1] else None, y)
        return _sigmoid_grad(g, y)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple[Any, ...]:
        g, y = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad
        # d/dg is sigmoid's backward again (a SigmoidBackwardBackward0 node), as PyTorch's
        grad_g = SigmoidBackward.apply(gg, y) if need_g else None
        grad_y = gg * g * (1 - 2 * y) if need_y else None
        return grad_g, grad_y


sigmoid = _elementwise(Sigmoid, "sigmoid")


class Relu(NumpyFunction):
    """y = max(x, 0); dy/dx = 1 where y > 0, else 0 (0 at x = 0, as PyTorch)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        # against an array of zeros: numpy's vectorised loop; a scalar 0 takes a slower one.
        # Only for a C-contiguous x: otherwise the zeros' C order would decide the result's
        # layout, where PyTorch's follows x's (a transposed x gives a transposed result).
        # x where it equals 0, as PyTorch's: relu(-0.0) is -0.0 (keep_first)
        if x.ndim and x.flags.c_contiguous:
            y = keep_first(np.maximum, x, np.zeros(x.shape, x.dtype), x.dtype)
        else:
            y = keep_first(np.maximum, x, x.dtype.type(0), x.dtype)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return ThresholdBackward.apply(grad, y)

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (y,) = ctx.saved_arrays
        return _pass_where_positive(grad, y)  # ThresholdBackward's forward


def _pass_where_positive(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g where not y <= 0, else +0 (PyTorch's threshold_backward)."""
    return pass_where(g, ~(y <= 0))


class ThresholdBackward(NumpyFunction):
    """gx = 0 where y <= 0 else g, relu's backward as one op; d/dg = the same mask, d/dy = 0
    (zeros, as PyTorch's: a second derivative of relu is zeros, not a missing gradient).

    Written as "not y <= 0" so that a NaN input passes its gradient on, as PyTorch's does."""

    node_name = "ThresholdBackwardBackward0"

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, y: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(y)
        return _pass_where_positive(g, y)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple[Any, ...]:
        (y,) = ctx.saved_tensors
        need_g, need_y = ctx.needs_input_grad
        zeros = Tensor._make(np.zeros_like(y._data)) if need_y else None
        return (ThresholdBackward.apply(gg, y) if need_g else None), zeros


class SlopeBackward(NumpyFunction):
    """gx = g · slope, the backward of a piecewise-linear op (``slope``: its constant slope at
    each element) as one op of the gradient and the op's input x, as PyTorch's
    leaky_relu_backward and hardtanh_backward take them; d/dg = slope, d/dx = 0 (zeros: a
    second derivative is zeros, not missing). Subclasses name the node after the op; those whose
    slope is 0 or 1 (``_mask = True``: hardtanh) pass ``g`` where it is 1 and +0 elsewhere, as
    PyTorch's kernel selects (``g * 0`` would be -0 where g is negative)."""

    _mask = False

    @classmethod
    def forward(cls, ctx: Any, g: np.ndarray, x: np.ndarray, slope: np.ndarray) -> np.ndarray:
        ctx.slope, ctx.x_meta = slope, (x.shape, x.dtype)
        return pass_where(g, slope != 0) if cls._mask else g * slope

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple[Any, ...]:
        need_g, need_x, _ = ctx.needs_input_grad
        T = Tensor
        grad_g = None
        if need_g:
            slope = T._make(ctx.slope)
            grad_g = where(slope != 0, gg, 0.0) if ctx._forward_cls._mask else gg * slope
        return grad_g, (T._make(np.zeros(*ctx.x_meta)) if need_x else None), None


relu = _elementwise(
    Relu, "relu", floating=False, bool_error=RuntimeError("Boolean inputs not supported for relu")
)


class Abs(NumpyFunction):
    """y = |x|; dy/dx = sign(x) (0 at x = 0, as PyTorch)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * Sgn.apply(x)

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_arrays
        return grad * Sign.forward(None, x)


abs = _elementwise(
    Abs,
    "abs",
    floating=False,
    bool_error=NotImplementedError("\"abs_cpu\" not implemented for 'Bool'"),
)


class Sign(NumpyFunction):
    """y = sign(x): piecewise constant, dy/dx = 0. sign(NaN) is 0, as in PyTorch."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        if x.dtype.kind == "b":  # numpy has no bool sign; PyTorch returns the mask
            return x.copy()
        y = np.sign(x)
        if x.dtype.kind == "f":  # PyTorch's sign(nan) is 0
            y = np.where(np.isnan(x), np.zeros((), x.dtype), y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return zero_grad(grad)


def sign(input: Tensor) -> Tensor:
    require_tensor(input, "sign")
    return Sign.apply(input)


class Sgn(Sign):
    """y = sgn(x), sign(x) for a real x; dy/dx = 0. PyTorch's SgnBackward0 (its formula serves
    complex inputs) saves x and y, so a later write into either is reported at backward: the
    same here. ``abs``'s derivative is ``grad * sgn(x)``, as PyTorch's."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = Sign.forward(ctx, x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        ctx.saved_tensors  # noqa: B018  (the version check of what PyTorch's node reads)
        return zero_grad(grad)


class UnaryMethods:
    """Tensor methods of the elementwise functions (the functions themselves: ``x.exp()`` is
    ``exp(x)``, one call less on a hot path)."""

    exp = exp
    log = log
    sqrt = sqrt
    tanh = tanh
    sigmoid = sigmoid
    relu = relu
    abs = abs

    def __abs__(self) -> Tensor:
        return abs(self)

    def sign(self) -> Tensor:
        return sign(self)  # type: ignore[arg-type]
