"""Activations and distances as functions, exported through ``ndgrad.nn.functional``.

relu, leaky_relu, elu, softplus, softmax and log_softmax are here rather than in ``functional``
because the modules ``functional`` re-exports (losses, attention, pooling) build on them; gelu,
silu, tanh and sigmoid are in ``functional``.

Each activation PyTorch computes as one kernel is one Function here (so the graph shows
PyTorch's node: HardtanhBackward0 for relu6 and hardtanh, EluBackward0 for selu, ...); the ones
PyTorch composes (tanhshrink, softsign, softmin, normalize, the distances) are composed the same
way. Backward formulas use ndgrad ops on the saved input, so they are differentiable again.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import _errors
from .._errors import broadcast_mismatch, floating_only, not_implemented
from .._random import rand
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..dtypes import checked_scalar, float64, result_type
from ..ops._util import dtype_name, wrap_dim
from ..ops.arithmetic import NumpyFunction, where
from ..ops.linalg import NormDim, vector_norm
from ..ops.reduction import log_softmax as _log_softmax
from ..ops.reduction import softmax as _softmax
from ..ops.shape import cat
from ..ops.unary import SlopeBackward

__all__ = [
    "celu",
    "celu_",
    "cosine_similarity",
    "elu",
    "elu_",
    "glu",
    "gumbel_softmax",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "leaky_relu",
    "leaky_relu_",
    "log_softmax",
    "logsigmoid",
    "mish",
    "normalize",
    "pairwise_distance",
    "pdist",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rrelu",
    "rrelu_",
    "selu",
    "selu_",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanhshrink",
    "threshold",
    "threshold_",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _const(array: Any) -> Tensor:
    return Tensor._make(np.asarray(array))


def _uniform(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """U[0, 1) draws from ndgrad's global generator (so manual_seed governs them)."""
    return rand((*shape,), dtype=float64)._data.astype(dtype)


def _run(cls: type[NumpyFunction], input: Tensor, inplace: bool, *args: Any) -> Tensor:
    """cls applied to input, or written into it (PyTorch's ``inplace=True``)."""
    if inplace:
        return input._inplace(lambda s: cls.apply(s, *args))
    return cls.apply(input, *args)


def _masked(grad: Tensor, keep: np.ndarray) -> Tensor:
    """grad where ``keep``, else +0, as PyTorch's masked backward kernels (not ``grad * mask``,
    which is -0 where grad is negative and NaN where it is infinite)."""
    return where(_const(keep), grad, 0.0)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu_() if inplace else input.relu()  # type: ignore[attr-defined]


class LeakyRelu(NumpyFunction):
    """y = x if x > 0 else slope·x; dy/dx = 1 or slope"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, slope: float) -> np.ndarray:
        pos = x > 0
        ctx.coef = np.where(pos, 1.0, slope).astype(x.dtype)
        ctx.save_for_backward(x)
        return np.where(pos, x, x * slope)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        return LeakyReluBackward.apply(grad, x, ctx.coef), None


class LeakyReluBackward(SlopeBackward):
    node_name = "LeakyReluBackwardBackward0"


class LeakyReluInplace(LeakyRelu):
    """leaky_relu_ (``inplace=True``), which PyTorch records as a node of its own"""

    node_name = "LeakyReluBackward1"


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    floating_only(input, "leaky_relu_cpu")
    if inplace:
        return input._inplace(lambda s: LeakyReluInplace.apply(s, negative_slope))
    return LeakyRelu.apply(input, negative_slope)


class Hardtanh(NumpyFunction):
    """y = clamp(x, lo, hi); dy/dx = 1 where lo < x < hi"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, lo: float, hi: float) -> np.ndarray:
        ctx.inside = (x > lo) & (x < hi)
        ctx.save_for_backward(x)
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        return HardtanhBackward.apply(grad, x, ctx.inside.astype(grad._data.dtype)), None, None


class HardtanhBackward(SlopeBackward):
    node_name = "HardtanhBackwardBackward0"
    _mask = True  # slope 0 or 1: hardtanh_backward selects


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    dt = getattr(getattr(input, "_data", None), "dtype", None)
    if dt == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if dt == np.uint8 and (min_val < 0 or max_val < 0):
        raise RuntimeError("cannot do hardtanh on an unsigned type with negative limits")
    return _run(Hardtanh, input, inplace, float(min_val), float(max_val))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """y = min(max(x, 0), 6)"""
    if getattr(getattr(input, "_data", None), "dtype", None) == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return _run(Hardtanh, input, inplace, 0.0, 6.0)


class Hardshrink(NumpyFunction):
    """y = x where |x| > λ, else 0; dy/dx = 1 there"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, lambd: float) -> np.ndarray:
        # PyTorch's test, -λ <= x <= λ gives 0, keeps a nan (|nan| > λ is false)
        ctx.keep = ~((x >= -lambd) & (x <= lambd))
        return np.where(ctx.keep, x, 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return _masked(grad, ctx.keep), None


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    floating_only(input, "hardshrink_cpu")
    return Hardshrink.apply(input, float(lambd))


class Softshrink(NumpyFunction):
    """y = x - λ sign(x) where |x| > λ, else 0; dy/dx = 1 there"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, lambd: float) -> np.ndarray:
        ctx.keep = np.abs(x) > lambd
        return np.where(ctx.keep, x - lambd * np.sign(x), 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return _masked(grad, ctx.keep), None


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    floating_only(input, "softshrink_check")
    top = float(np.finfo(input._data.dtype).max)
    if not 0 <= lambd <= top:  # PyTorch's range check, which a nan fails too
        raise RuntimeError(
            f"lambda must be in range [0, {top:g}] for input dtype "
            f"{dtype_name(input._data.dtype)}, but found {lambd:g}"
        )
    return Softshrink.apply(input, float(lambd))


class Threshold(NumpyFunction):
    """y = x where x > threshold, else value; dy/dx = 1 where x > threshold"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, threshold: Any, value: Any) -> np.ndarray:
        # PyTorch's test, x <= threshold gives value, keeps a nan (nan > threshold is false)
        ctx.keep = ~(x <= threshold)
        return np.where(ctx.keep, x, value).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return _masked(grad, ctx.keep), None, None


class ThresholdInplace(Threshold):
    node_name = "ThresholdBackward1"


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    cls = ThresholdInplace if inplace else Threshold
    dt = getattr(getattr(input, "_data", None), "dtype", None)
    if dt is None or dt.kind == "f":
        return _run(cls, input, inplace, float(threshold), float(value))
    if dt.kind == "b":
        raise not_implemented("threshold_cpu", dt)
    # an integer tensor: both numbers converted into its dtype as PyTorch checks them
    return _run(cls, input, inplace, checked_scalar(threshold, dt), checked_scalar(value, dt))


class EluBackward(NumpyFunction):
    """gx = g·scale where x > 0, else g·c·e^(s·x) with c = α·scale·s (s: input_scale): the
    backward of elu, celu and selu as one op of the gradient and the input, as PyTorch's
    elu_backward takes them (it saves both, so writing into x afterwards makes the next
    backward through it refuse, as PyTorch's does). d/dg = the same factor; d/dx = g·c·s·e^(s·x)
    where x < 0, else 0 (at x = 0 too: PyTorch's elu_double_backward masks with x < 0 where
    elu_backward takes the x <= 0 branch)."""

    node_name = "EluBackwardBackward0"

    @staticmethod
    def forward(
        ctx: Any, g: np.ndarray, x: np.ndarray, alpha: float, scale: float, input_scale: float
    ) -> np.ndarray:
        ctx.save_for_backward(g, x)
        ctx.coefs = (scale, alpha * scale * input_scale, input_scale)
        neg = g * (alpha * scale * input_scale) * np.exp(x * input_scale)
        # the x <= 0 branch as PyTorch's kernel picks it: a nan input takes the other one
        return np.where(x <= 0, neg, g * scale).astype(g.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, gg: Tensor) -> tuple[Any, ...]:
        g, x = ctx.saved_tensors
        scale, c, s = ctx.coefs
        need_g, need_x = ctx.needs_input_grad[:2]
        e = (x * s).exp()
        grad_g = where(x <= 0, gg * c * e, gg * scale) if need_g else None
        grad_x = where(x < 0, gg * g * (c * s) * e, 0.0) if need_x else None
        return grad_g, grad_x, None, None, None


class Elu(NumpyFunction):
    """y = x if x > 0 else α(eˣ - 1); dy/dx = 1 or α eˣ

    Saves its input, as PyTorch's out-of-place elu does, so an in-place op on the output later
    does not invalidate this node.
    """

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, alpha: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        return EluBackward.apply(grad, x, ctx.alpha, 1.0, 1.0), None


class EluInplace(Elu):
    """elu_ (``inplace=True``), which PyTorch records as a node of its own"""

    node_name = "EluBackward1"


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    floating_only(input, "elu_cpu")
    if inplace:
        return input._inplace(lambda s: EluInplace.apply(s, alpha))
    return Elu.apply(input, alpha)


class Celu(NumpyFunction):
    """y = max(0, x) + min(0, α(e^(x/α) - 1)); dy/dx = 1 where x > 0, else e^(x/α)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, alpha: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0) / alpha)).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        # PyTorch's backward takes 1/α from α rounded to float32 (its derivatives.yaml calls
        # alpha.toFloat()): (1/α₃₂) α e^(x/α₃₂), which differs from e^(x/α) in the 8th digit
        inv = 1.0 / float(np.float32(ctx.alpha))
        return EluBackward.apply(grad, x, ctx.alpha, 1.0, inv), None


class CeluInplace(Celu):
    node_name = "CeluBackward1"


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    floating_only(input, "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _run(CeluInplace if inplace else Celu, input, inplace, float(alpha))


class Selu(NumpyFunction):
    """y = s·x where x > 0, else s·α(eˣ - 1) (PyTorch computes it as a scaled elu);
    dy/dx = s or s·α·eˣ"""

    node_name = "EluBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        neg = _SELU_SCALE * _SELU_ALPHA * np.expm1(np.minimum(x, 0))
        return np.where(x > 0, _SELU_SCALE * x, neg).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return EluBackward.apply(grad, x, _SELU_ALPHA, _SELU_SCALE, 1.0)


class SeluInplace(Selu):
    node_name = "EluBackward1"


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    floating_only(input, "elu_cpu")
    return _run(SeluInplace if inplace else Selu, input, inplace)


class Glu(NumpyFunction):
    """y = a σ(b) with (a, b) the halves of x along dim; da = g σ(b), db = g a σ(b)(1 - σ(b))"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, dim: int) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.dim = dim
        a, b = np.split(x, 2, axis=dim)
        return (a / (1 + np.exp(-b))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        a, b = x.chunk(2, ctx.dim)
        s = b.sigmoid()
        return cat([grad * s, grad * a * s * (1 - s)], ctx.dim), None


def glu(input: Tensor, dim: int = -1) -> Tensor:
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}"
        )
    return Glu.apply(input, d)


class Softplus(NumpyFunction):
    """y = log(1 + e^(βx)) / β (x where βx > threshold); dy/dx = σ(βx) (or 1)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        bx = x * beta
        return np.where(bx > threshold, x, np.logaddexp(0, bx) / beta).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        bx = x * ctx.beta
        return where(bx > ctx.threshold, grad, grad * bx.sigmoid()), None, None


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    floating_only(input, "softplus_cpu")
    return Softplus.apply(input, beta, threshold)


class Mish(NumpyFunction):
    """y = x tanh(softplus(x)); dy/dx = t + x σ(x)(1 - t²), t = tanh(softplus(x))"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return (x * np.tanh(np.logaddexp(0, x))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        t = softplus(x, 1.0, math.inf).tanh()
        return grad * (t + x * x.sigmoid() * (1 - t * t))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    floating_only(input, "mish_cpu")
    return _run(Mish, input, inplace)


class Hardswish(NumpyFunction):
    """y = x·relu6(x + 3)/6; dy/dx = 0 for x < -3, x/3 + 1/2 for x ≤ 3, else 1"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return (x * np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        middle = where(x <= 3, grad * (x * (1 / 3) + 0.5), grad)
        return where(x < -3, 0.0, middle)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    floating_only(input, "hardswish_cpu")
    return _run(Hardswish, input, inplace)


class Hardsigmoid(NumpyFunction):
    """y = relu6(x + 3)/6; dy/dx = 1/6 where -3 < x < 3"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.inside = (x > -3) & (x < 3)
        return (np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        # PyTorch's kernel multiplies by 1.0f / 6.0f, a float32 constant, in every dtype
        sixth = float(np.float32(1.0) / np.float32(6.0))
        return _masked(grad * sixth, ctx.inside)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    floating_only(input, "hardsigmoid_cpu")
    return _run(Hardsigmoid, input, inplace)


class LogSigmoid(NumpyFunction):
    """y = log σ(x) = -softplus(-x); dy/dx = σ(-x)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return (-np.logaddexp(0, -x)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * (-x).sigmoid()


def logsigmoid(input: Tensor) -> Tensor:
    floating_only(input, "log_sigmoid_cpu")
    return LogSigmoid.apply(input)


def tanhshrink(input: Tensor) -> Tensor:
    """y = x - tanh(x)"""
    return input - input.tanh()


def softsign(input: Tensor) -> Tensor:
    """y = x / (1 + |x|)"""
    return input / (input.abs() + 1)


def _softmax_dim(ndim: int, name: str) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return _log_softmax(input, dim, dtype=dtype)


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    return _softmax(input, dim, dtype=dtype)


def softmin(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """softmax(-x) over dim"""
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmin")
    x = input if dtype is None else input.to(dtype)
    return softmax(-x, dim)


class PreluKernel(NumpyFunction):
    """y = x where x > 0, else w·x (w per channel); dx = g or g·w, dw = g·x where x ≤ 0"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, w: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x, w)
        return np.where(x > 0, x, w * x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, w = ctx.saved_tensors
        pos = x > 0
        gx = where(pos, grad, grad * w) if ctx.needs_input_grad[0] else None
        gw = where(pos, 0.0, grad * x) if ctx.needs_input_grad[1] else None
        return gx, gw


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """y = x if x > 0 else weight·x, weight of one value or one per channel (dim 1)"""
    n = weight._data.size
    if input.ndim >= 2:
        channels = input.shape[1]
        if n != 1 and n != channels:
            raise RuntimeError(
                f"Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {n} and channel size = {channels}."
            )
        w = weight.reshape(-1, *([1] * (input.ndim - 2)))
    else:
        w = weight.reshape(-1) if n != 1 else weight.reshape(())
    return PreluKernel.apply(input, w)


class RreluWithNoise(NumpyFunction):
    """y = x where x ≥ 0, else a·x with a drawn from U(lower, upper) per element (training) or
    (lower + upper)/2; dy/dx = 1 or a"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, slope: np.ndarray) -> np.ndarray:
        ctx.slope = slope
        return (x * slope).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad * _const(ctx.slope), None


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    x = input._data
    floating_only(input, "leaky_relu_cpu")
    if training:
        # PyTorch's kernel draws one slope per element <= 0 (only those), in row-major order:
        # u·(upper - lower) + lower in double, the bounds first rounded to the op's math type
        # (float below float64), the slope rounded to it, then to the input's dtype
        low = x <= 0
        math_t = np.float64 if x.dtype == np.float64 else np.float32
        lo, hi = float(math_t(lower)), float(math_t(upper))
        u = _uniform((int(low.sum()),), np.dtype(np.float64))
        slope = np.ones(x.shape, x.dtype)
        slope[low] = (u * (hi - lo) + lo).astype(math_t).astype(x.dtype)
    else:
        slope = np.where(x > 0, 1.0, (lower + upper) / 2).astype(x.dtype)
    return _run(RreluWithNoiseInplace if inplace else RreluWithNoise, input, inplace, slope)


class RreluWithNoiseInplace(RreluWithNoise):
    node_name = "RreluWithNoiseBackward1"


# --- the in-place forms ------------------------------------------------------------------------
def relu_(input: Tensor) -> Tensor:
    return relu(input, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return globals()["threshold"](input, threshold, value, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)


# --- distances ---------------------------------------------------------------------------------
def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None
) -> Tensor:
    """x / max(‖x‖_p, eps) along dim"""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ (x1/max(‖x1‖, eps)) (x2/max(‖x2‖, eps)) along dim (inputs broadcast)

    Composed as PyTorch 2.x composes it: inputs of different shapes are both expanded; each
    norm is cloned and the clone clamped to eps in place without grad, so the graph has
    CloneBackward0 where a clamp would be, and the gradient flows through the norm as if
    unclamped (it differs from a clamp's only where a norm is below eps)."""
    common = result_type(x1._data, x2._data)
    if common.kind != "f":
        raise RuntimeError(
            f"expected common dtype to be floating point, yet common dtype is {dtype_name(common)}"
        )
    # vector_norm takes no integers: those are cast (they need no gradient)
    if x1._data.dtype.kind != "f":
        x1 = x1.to(common)
    if x2._data.dtype.kind != "f":
        x2 = x2.to(common)
    if x1.shape != x2.shape:
        try:
            shape = np.broadcast_shapes(x1._data.shape, x2._data.shape)
        except ValueError:
            raise broadcast_mismatch(x1._data.shape, x2._data.shape) from None
        x1, x2 = x1.expand((*shape,)), x2.expand((*shape,))
    n1 = vector_norm(x1, 2, dim, keepdim=True).clone()
    n2 = vector_norm(x2, 2, dim, keepdim=True).clone()
    with no_grad():
        n1._inplace(lambda s: s.clamp_min(eps))  # clamp_min_
        n2._inplace(lambda s: s.clamp_min(eps))
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """‖x1 - x2 + eps‖_p over the last dim"""
    diff = x1 - x2 + eps
    return NormDim.apply(diff, float(p), (diff.ndim - 1,) if diff.ndim else None, keepdim)


def _pdist_coef(diff: np.ndarray, dist: np.ndarray, p: float) -> np.ndarray:
    """∂‖d‖_p/∂d per component (PyTorch's cases; 0 where the distance is 0)"""
    dist = dist[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if p == 0:
            return np.zeros_like(diff)
        if p == 1:
            return np.sign(diff)
        if p == 2:
            return np.where(dist == 0, 0.0, diff / dist)
        if p == np.inf:
            return np.sign(diff) * (np.abs(diff) == dist)
        coef = np.sign(diff) * np.abs(diff) ** (p - 1) / dist ** (p - 1)
        zero = (dist == 0) | ((diff == 0) & (p < 1))
        return np.where(zero, 0.0, coef)


class Pdist(NumpyFunction):
    """y = ‖xᵢ - xⱼ‖_p for the row pairs i < j; dy/dxᵢ = ∂‖d‖/∂d = -dy/dxⱼ"""

    forward_ad_refusal = _errors.no_forward_ad_yet("_pdist_forward")

    node_name = "PdistBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, p: float) -> np.ndarray:
        i, j = np.triu_indices(x.shape[0], 1)
        diff = x[i] - x[j]
        ad = np.abs(diff)
        if p == 0:
            dist = (ad != 0).sum(axis=1).astype(x.dtype)
        elif p == np.inf:
            dist = ad.max(axis=1, initial=0.0)
        else:
            dist = (ad**p).sum(axis=1) ** (1.0 / p)
        ctx.pairs, ctx.n = (i, j), x.shape[0]
        ctx.coef = _pdist_coef(diff, dist, p).astype(x.dtype, copy=False)
        ctx.save_for_backward(x)
        return dist.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        return PdistGrad.apply(grad, x, ctx.coef, ctx.pairs), None


class PdistGrad(NumpyFunction):
    """Each pair's gradient to its two rows; PyTorch has no derivative for it"""

    @staticmethod
    def forward(ctx: Any, grad: np.ndarray, x: np.ndarray, coef: np.ndarray, pairs: Any) -> Any:
        g = grad[:, None] * coef
        out = np.zeros_like(x)
        np.add.at(out, pairs[0], g)
        np.subtract.at(out, pairs[1], g)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        raise RuntimeError("the derivative for '_pdist_backward' is not implemented.")


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """‖xᵢ - xⱼ‖_p for every pair of rows i < j, in row-major order"""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return Pdist.apply(input, float(p))


def gumbel_softmax(
    logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """softmax((logits + g)/tau) with g ~ Gumbel(0, 1); with hard=True a one-hot sample whose
    gradient is the soft sample's (straight-through)"""
    e = -np.log1p(-_uniform(tuple(logits.shape), logits._data.dtype))  # Exp(1) draws
    gumbels = _const(-np.log(e))
    soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return soft
    idx = soft._data.argmax(axis=dim)
    onehot = np.zeros_like(soft._data)
    np.put_along_axis(onehot, np.expand_dims(idx, dim), 1.0, axis=dim)
    return _const(onehot) - soft.detach() + soft
