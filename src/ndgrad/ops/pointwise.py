"""Elementwise math beyond the foundation's: trigonometric, rounding, clamping, comparisons...

Float-valued functions of integer or bool tensors compute in the default float dtype, as in
PyTorch. Where a function is not differentiable (rounding, clamp bounds, maximum ties) the
gradient follows PyTorch's convention; docs/conventions.md lists them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _errors
from .._errors import py_type_name
from .._kernels import keep_first
from .._namespace import public_dir
from .._tensor import Tensor
from ..dtypes import can_cast, checked_scalar, python_number, result_type, rounded_to
from . import unary as _unary
from ._util import (
    as_operand,
    default_float,
    dtype_name,
    promote,
    promote_all,
    promote_float,
    zero_grad,
)
from .arithmetic import (
    NumpyFunction,
    _bitwise,
    div,
    floor_divide,
    iter_layout,
    pow,
    to_dtype_op,
    where,
)
from .unary import _floating, exp

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "acos",
    "acosh",
    "addcdiv",
    "addcmul",
    "angle",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctan2",
    "arctanh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "ceil",
    "clamp",
    "clamp_max",
    "clamp_min",
    "clip",
    "copysign",
    "cos",
    "cosh",
    "deg2rad",
    "erf",
    "erfc",
    "exp2",
    "expm1",
    "fix",
    "float_power",
    "floor",
    "fmax",
    "fmin",
    "fmod",
    "frac",
    "frexp",
    "gcd",
    "heaviside",
    "hypot",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "isneginf",
    "isposinf",
    "isreal",
    "lcm",
    "ldexp",
    "lerp",
    "log1p",
    "log2",
    "log10",
    "logaddexp",
    "logaddexp2",
    "logical_and",
    "logical_not",
    "logical_or",
    "logical_xor",
    "maximum",
    "minimum",
    "nan_to_num",
    "nextafter",
    "positive",
    "rad2deg",
    "reciprocal",
    "remainder",
    "round",
    "rsqrt",
    "sgn",
    "signbit",
    "sin",
    "sinh",
    "square",
    "tan",
    "trunc",
    "xlogy",
]
__dir__ = public_dir(__name__)

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
# numpy has no erf; math.erf per element is exact to double precision.
_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


_not_implemented = _errors.not_implemented


def _require_tensor(x: Any, op: str, arg: str, position: int) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{op}(): argument '{arg}' (position {position}) must be Tensor, not {py_type_name(x)}"
        )
    return x


def _broadcast_error(*shapes: tuple[int, ...]) -> RuntimeError:
    """PyTorch's message for the first pair of shapes (left to right) that do not broadcast."""
    acc = shapes[0]
    for s in shapes[1:]:
        try:
            acc = np.broadcast_shapes(acc, s)
        except ValueError:
            return _errors.broadcast_mismatch(acc, s)
    return RuntimeError(f"shapes {[list(s) for s in shapes]} cannot be broadcast together")


def _apply(fn: type[NumpyFunction], *args: Any) -> Tensor:
    """``fn.apply(*args)``, with PyTorch's message when tensor arguments do not broadcast, and
    its result laid out as PyTorch lays out an elementwise op's (see iter_layout)."""
    try:
        out = fn.apply(*args)
    except ValueError:
        T = Tensor
        shapes = [a._data.shape for a in args if isinstance(a, T)]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise _broadcast_error(*shapes) from None
        raise
    arrays = [a._data for a in args if type(a) is Tensor or isinstance(a, Tensor)]
    if any(a.ndim > 1 and not a.flags.c_contiguous for a in arrays):
        out._data = iter_layout(out._data, *arrays)  # the same values, in another order
    return out


# --- exponentials and logarithms ---------------------------------------------------------------


class Exp2(NumpyFunction):
    """y = 2^x; dy/dx = y ln 2"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            y = np.exp2(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * (y * _LN2)


def exp2(input: Tensor) -> Tensor:
    return Exp2.apply(_floating(input))


class Expm1(NumpyFunction):
    """y = exp(x) - 1; dy/dx = y + 1"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            y = np.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * (y + 1)


def expm1(input: Tensor) -> Tensor:
    return Expm1.apply(_floating(input))


class Log2(NumpyFunction):
    """y = log2(x); dy/dx = 1 / (x ln 2)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.log2(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / (x * _LN2)


def log2(input: Tensor) -> Tensor:
    return Log2.apply(_floating(input))


class Log10(NumpyFunction):
    """y = log10(x); dy/dx = 1 / (x ln 10)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.log10(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / (x * _LN10)


def log10(input: Tensor) -> Tensor:
    return Log10.apply(_floating(input))


class Log1P(NumpyFunction):
    """y = log(1 + x); dy/dx = 1 / (1 + x)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.log1p(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / (x + 1)


def log1p(input: Tensor) -> Tensor:
    return Log1P.apply(_floating(input))


class Rsqrt(NumpyFunction):
    """y = 1/sqrt(x); dy/dx = -y³/2"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            y = 1 / np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * (y * y * y * -0.5)


def rsqrt(input: Tensor) -> Tensor:
    return Rsqrt.apply(_floating(input))


class Reciprocal(NumpyFunction):
    """y = 1/x; dy/dx = -y²"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            y = 1 / x
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * -(y * y)


def reciprocal(input: Tensor) -> Tensor:
    return Reciprocal.apply(_floating(input))


def square(input: Tensor) -> Tensor:
    """input ** 2 (integers stay integers, bool becomes int64; PyTorch records PowBackward0)."""
    _require_tensor(input, "square", "input", 1)
    return pow(input, 2)


# --- trigonometric and hyperbolic --------------------------------------------------------------


class Sin(NumpyFunction):
    """y = sin(x); dy/dx = cos(x)"""

    _saved_fields = (("self", 0),)

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.sin(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * cos(x)


def sin(input: Tensor) -> Tensor:
    return Sin.apply(_floating(input))


class Cos(NumpyFunction):
    """y = cos(x); dy/dx = -sin(x)"""

    _saved_fields = (("self", 0),)

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.cos(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * -sin(x)


def cos(input: Tensor) -> Tensor:
    return Cos.apply(_floating(input))


class Tan(NumpyFunction):
    """y = tan(x); dy/dx = 1 + y²"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            y = np.tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * (y * y + 1)


def tan(input: Tensor) -> Tensor:
    return Tan.apply(_floating(input))


class Asin(NumpyFunction):
    """y = asin(x); dy/dx = 1/sqrt(1 - x²)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.arcsin(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * rsqrt(1 - x * x)


def asin(input: Tensor) -> Tensor:
    return Asin.apply(_floating(input))


class Acos(NumpyFunction):
    """y = acos(x); dy/dx = -1/sqrt(1 - x²)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.arccos(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * -rsqrt(1 - x * x)


def acos(input: Tensor) -> Tensor:
    return Acos.apply(_floating(input))


class Atan(NumpyFunction):
    """y = atan(x); dy/dx = 1/(1 + x²)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / (x * x + 1)


def atan(input: Tensor) -> Tensor:
    return Atan.apply(_floating(input))


class Sinh(NumpyFunction):
    """y = sinh(x); dy/dx = cosh(x)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.sinh(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * cosh(x)


def sinh(input: Tensor) -> Tensor:
    return Sinh.apply(_floating(input))


class Cosh(NumpyFunction):
    """y = cosh(x); dy/dx = sinh(x)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.cosh(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * sinh(x)


def cosh(input: Tensor) -> Tensor:
    return Cosh.apply(_floating(input))


class Asinh(NumpyFunction):
    """y = asinh(x); dy/dx = 1/sqrt(x² + 1)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * rsqrt(x * x + 1)


def asinh(input: Tensor) -> Tensor:
    return Asinh.apply(_floating(input))


class Acosh(NumpyFunction):
    """y = acosh(x); dy/dx = 1/sqrt(x² - 1)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.arccosh(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * rsqrt(x * x - 1)


def acosh(input: Tensor) -> Tensor:
    return Acosh.apply(_floating(input))


class Atanh(NumpyFunction):
    """y = atanh(x); dy/dx = 1/(1 - x²)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(all="ignore"):
            return np.arctanh(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)


def atanh(input: Tensor) -> Tensor:
    return Atanh.apply(_floating(input))


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


class Erf(NumpyFunction):
    """y = erf(x); dy/dx = 2/sqrt(π) exp(-x²)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.asarray(_erf(x)).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * (exp(-(x * x)) * _TWO_OVER_SQRT_PI)


def erf(input: Tensor) -> Tensor:
    return Erf.apply(_floating(input))


# --- rounding ----------------------------------------------------------------------------------


class _Rounding(NumpyFunction):
    """Piecewise constant: dy/dx = 0 everywhere (PyTorch's convention at the jumps too)."""

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Any:
        return zero_grad(grad)


class Floor(_Rounding):
    """y = ⌊x⌋; dy/dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.floor(x)


class Ceil(_Rounding):
    """y = ⌈x⌉; dy/dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.ceil(x)


class Trunc(_Rounding):
    """y = x rounded toward zero; dy/dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.trunc(x)


class Round(_Rounding):
    """y = x rounded to the nearest integer, halves to even; dy/dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.rint(x)


class RoundDecimals(NumpyFunction):
    """y = x rounded to ``decimals`` decimal places, halves to even; dy/dx = 0"""

    node_name = "RoundBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, decimals: int) -> np.ndarray:
        # Scaled as PyTorch scales it (multiply for positive decimals, divide for negative),
        # in the tensor's dtype, so that float32 results agree to the last bit.
        # float16 computes in float32, as PyTorch's kernel (999.5 * 100 overflows float16)
        v = x.astype(np.float32) if x.dtype == np.float16 else x
        scale = v.dtype.type(10.0 ** (decimals if decimals >= 0 else -decimals))
        with np.errstate(all="ignore"):
            if decimals >= 0:
                return (np.rint(v * scale) / scale).astype(x.dtype, copy=False)
            return (np.rint(v / scale) * scale).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return zero_grad(grad), None


def _rounding(fn: type[NumpyFunction], name: str, input: Tensor) -> Tensor:
    _require_tensor(input, name, "input", 1)
    dt = input._data.dtype
    if dt.kind == "b":
        raise _not_implemented(f"{name}_vml_cpu", dt)
    if dt.kind != "f":  # integers are already whole
        return Tensor._make(input._data.copy())
    return fn.apply(input)


def floor(input: Tensor) -> Tensor:
    return _rounding(Floor, "floor", input)


def ceil(input: Tensor) -> Tensor:
    return _rounding(Ceil, "ceil", input)


def trunc(input: Tensor) -> Tensor:
    return _rounding(Trunc, "trunc", input)


fix = trunc


def round(input: Tensor, *, decimals: int | None = None) -> Tensor:
    """Round half to even; with ``decimals``, to that many decimal places (negative: tens...)."""
    if decimals is None:
        return _rounding(Round, "round", input)
    _require_tensor(input, "round", "input", 1)
    if not isinstance(decimals, int):  # 1.5 places would be silently truncated to 1
        raise TypeError(f"round(): argument 'decimals' must be int, not {type(decimals).__name__}")
    dt = input._data.dtype
    if dt.kind != "f":
        # decimals=0 is PyTorch's plain round kernel, which refuses integers there
        raise _not_implemented("round_cpu" if decimals else "round_vml_cpu", dt)
    return RoundDecimals.apply(input, int(decimals))


class Frac(NumpyFunction):
    """y = x - trunc(x); dy/dx = 1"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):  # frac(±inf) is nan
            return x - np.trunc(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return grad


def frac(input: Tensor) -> Tensor:
    _require_tensor(input, "frac", "input", 1)
    dt = input._data.dtype
    if dt.kind != "f":
        raise _not_implemented("frac_cpu", dt)
    return Frac.apply(input)


def sgn(input: Tensor) -> Tensor:
    """sign(input) (the same for real tensors), recorded as PyTorch's SgnBackward0."""
    _require_tensor(input, "sgn", "input", 1)
    return _unary.Sgn.apply(input)


# --- clamping ----------------------------------------------------------------------------------


class ClampScalar(NumpyFunction):
    """y = min(max(x, lo), hi) for numbers lo, hi (either may be None);
    dy/dx = 1 where lo <= x <= hi, else 0 (so 1 at the bounds, as PyTorch)"""

    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        y = x
        # x where it equals a bound, as PyTorch keeps it (clamp(-0.0, min=0) is -0.0)
        if lo is not None:
            y = keep_first(np.maximum, y, lo, x.dtype)
        if hi is not None:
            y = keep_first(np.minimum, y, hi, x.dtype)
        return y if y is not x else x.copy()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        lo, hi = ctx.lo, ctx.hi
        if lo is not None and hi is not None:
            keep = (x >= lo) & (x <= hi)
        else:
            keep = x >= lo if lo is not None else x <= hi
        return where(keep, grad, 0.0), None, None


class ClampMinScalar(ClampScalar):
    node_name = "ClampMinBackward0"


class ClampMaxScalar(ClampScalar):
    node_name = "ClampMaxBackward0"


class Clamp(NumpyFunction):
    """y = min(max(x, lo), hi) for tensors lo, hi (either may be None; hi wins if lo > hi).
    The gradient goes to whichever of x, lo, hi the output is: x where lo <= x <= hi."""

    _listed_inputs: tuple[int, ...] = (0, 1, 2)  # a missing bound too

    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
        ctx.save_for_backward(x, lo, hi)
        y = x
        # (where x equals a tensor bound, PyTorch's vectorised loop gives the bound, its short
        # rows x: -0.0 against 0.0; numpy's maximum gives its second operand, the bound)
        if lo is not None:
            y = np.maximum(y, lo)
        if hi is not None:
            y = np.minimum(y, hi)
        return y if y is not x else x.copy()

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, lo, hi = ctx.saved_tensors
        need_x, need_lo, need_hi = ctx.needs_input_grad
        gx = glo = ghi = None
        if lo is not None and hi is not None:
            if need_x:
                gx = where((x >= lo) & (x <= hi), grad, 0.0)
            if need_lo:
                glo = where((x < lo) & (lo < hi), grad, 0.0)
            if need_hi:
                ghi = where((x > hi) | (hi < lo), grad, 0.0)
        elif lo is not None:
            gx = where(x >= lo, grad, 0.0) if need_x else None
            glo = where(x < lo, grad, 0.0) if need_lo else None
        else:
            gx = where(x <= hi, grad, 0.0) if need_x else None
            ghi = where(x > hi, grad, 0.0) if need_hi else None
        return gx, glo, ghi


class ClampMin(Clamp):
    node_name = "ClampMinBackward1"
    _listed_inputs = (0, 1)


class ClampMax(Clamp):
    node_name = "ClampMaxBackward1"
    _listed_inputs = (0, 2)


def clamp_bounds(min: Any, max: Any, name: str = "clamp", form: str = "function") -> Any:
    """(min, max) as PyTorch's argument parser picks clamp's overload: tensors (or None) take
    clamp.Tensor, numbers (or None) clamp.Scalar; a tensor beside a number is a number if it
    is 0-d and does not require grad (its value, as the parser's Scalar), else a TypeError
    whose words depend on the form called: ``form`` "function" (torch.clamp, torch.clip),
    "method" (x.clamp, x.clamp_) or "inplace_function" (torch.clamp_)."""
    T = Tensor
    if not (isinstance(min, T) ^ isinstance(max, T)) or min is None or max is None:
        return min, max
    if all(
        not isinstance(b, T) or (b._data.ndim == 0 and not b._requires_grad) for b in (min, max)
    ):
        return tuple(b.item() if isinstance(b, T) else b for b in (min, max))
    got = ", ".join("Tensor" if isinstance(b, T) else type(b).__name__ for b in (min, max))
    marked = ", ".join(f"!{g}!" for g in got.split(", "))
    if form == "function":
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got (Tensor, {got})"
            ", but expected one of:\n"
            " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
            " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n"
        )
    # (the method's parser does not list self; torch.clamp_'s lists it, unmarked)
    self_arg, self_got = ("", "") if form == "method" else ("Tensor input, ", "Tensor, ")
    why = "      didn't match because some of the arguments have invalid types: "
    raise TypeError(
        f"{name}() received an invalid combination of arguments - got ({self_got}{got})"
        ", but expected one of:\n"
        f" * ({self_arg}Tensor min = None, Tensor max = None)\n{why}({self_got}{marked})\n"
        f" * ({self_arg}Number min = None, Number max = None)\n{why}({self_got}{marked})\n"
    )


def _clamp(
    input: Tensor, min: Any, max: Any, scalar_fn: type[ClampScalar], tensor_fn: type[Clamp]
) -> Tensor:
    T = Tensor
    _require_tensor(input, "clamp", "input", 1)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    bounds = [b for b in (min, max) if b is not None]
    n_tensors = sum(isinstance(b, T) for b in bounds)
    for b in bounds:
        if not isinstance(b, T | int | float | np.generic):
            raise TypeError(f"clamp(): min and max must be numbers or Tensors, not {type(b)}")
    min, max = python_number(min), python_number(max)
    rt = result_type(input._data, *[b._data if isinstance(b, T) else b for b in bounds])
    if rt.kind == "b" and not (n_tensors and len(bounds) == 1):
        # (one tensor bound is PyTorch's maximum or minimum, which take bools)
        kernel = "clamp" if len(bounds) == 2 else "clamp_min" if max is None else "clamp_max"
        raise _not_implemented(f"{kernel}_cpu" if n_tensors else f"{kernel}_scalar_cpu", rt)
    x = input if input._data.dtype == rt else to_dtype_op(input, rt)
    if n_tensors == 0:
        # the numbers in the computation's dtype, checked as PyTorch converts them (uint8:
        # clamp(300) overflows, clamp(max=-1) is clamp(max=255))
        min = None if min is None else checked_scalar(min, rt)
        max = None if max is None else checked_scalar(max, rt)
        return scalar_fn.apply(x, min, max)
    lo = min if min is None or min._data.dtype == rt else to_dtype_op(min, rt)
    hi = max if max is None or max._data.dtype == rt else to_dtype_op(max, rt)
    return _apply(tensor_fn, x, lo, hi)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """input limited to [min, max]; min and max are numbers or tensors, either may be None."""
    min, max = clamp_bounds(min, max)
    return _clamp(input, min, max, ClampScalar, Clamp)


def clip(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """``clamp``."""
    min, max = clamp_bounds(min, max, "clip")
    return _clamp(input, min, max, ClampScalar, Clamp)


def clamp_min(input: Tensor, min: Any) -> Tensor:
    return _clamp(input, min, None, ClampMinScalar, ClampMin)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    return _clamp(input, None, max, ClampMaxScalar, ClampMax)


# --- binary functions --------------------------------------------------------------------------


def _float_pair(op: str, input: Any, other: Any, int_ok: bool) -> tuple[Tensor, Tensor]:
    """Two tensors promoted to a float dtype: integers give the default float when
    ``int_ok``, else PyTorch's "not implemented for 'Long'"."""
    _require_tensor(input, op, "input", 1)
    _require_tensor(other, op, "other", 2)
    a, b, dt = promote(input, other)
    if dt.kind != "f":
        if not int_ok:
            raise _not_implemented(f"{op}_cpu", dt)
        a, b, _ = promote_float(input, other)
    return a, b


class Atan2(NumpyFunction):
    """y = atan2(a, b); dy/da = b/(a² + b²), dy/db = -a/(a² + b²) (both 0 at a = b = 0)"""

    _other_first = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        r2 = a * a + b * b
        # At the origin the numerators are 0 too: dividing by 1 there gives PyTorch's 0.
        r2 = where(r2 == 0, 1.0, r2)
        return (grad * b / r2 if need_a else None), (grad * -a / r2 if need_b else None)


def atan2(input: Tensor, other: Tensor, *, _name: str = "atan2") -> Tensor:
    a, b = _float_pair(_name, input, other, int_ok=True)
    return _apply(Atan2, a, b)


def arctan2(input: Tensor, other: Tensor) -> Tensor:
    """atan2 under numpy's name (its messages say arctan2, as PyTorch's)."""
    return atan2(input, other, _name="arctan2")


class Hypot(NumpyFunction):
    """y = sqrt(a² + b²); dy/da = a/y, dy/db = b/y (nan at a = b = 0, as PyTorch)"""

    _other_first = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        y = np.hypot(a, b)
        # As PyTorch's node: a only for a's gradient, b only for b's, y always.
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_a else None, b if need_b else None, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b, y = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad * a / y if need_a else None), (grad * b / y if need_b else None)


def hypot(input: Tensor, other: Tensor) -> Tensor:
    a, b = _float_pair("hypot", input, other, int_ok=False)
    return _apply(Hypot, a, b)


class Logaddexp(NumpyFunction):
    """y = log(exp(a) + exp(b)); dy/da = 1/(1 + exp(b - a)), dy/db = 1/(1 + exp(a - b))"""

    _other_first = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        with np.errstate(all="ignore"):
            return np.logaddexp(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        with np.errstate(invalid="ignore"):  # a = b = ±inf: inf - inf, nan as in PyTorch
            grad_a = grad / (exp(b - a) + 1) if need_a else None
            grad_b = grad / (exp(a - b) + 1) if need_b else None
        return grad_a, grad_b


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    a, b = _float_pair("logaddexp", input, other, int_ok=False)
    return _apply(Logaddexp, a, b)


class Logaddexp2(NumpyFunction):
    """y = log2(2^a + 2^b); dy/da = 1/(1 + 2^(b - a)), dy/db = 1/(1 + 2^(a - b))"""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        with np.errstate(all="ignore"):
            return np.logaddexp2(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        with np.errstate(invalid="ignore"):  # a = b = ±inf: inf - inf, nan as in PyTorch
            grad_a = grad / (exp2(b - a) + 1) if need_a else None
            grad_b = grad / (exp2(a - b) + 1) if need_b else None
        return grad_a, grad_b


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    a, b = _float_pair("logaddexp2", input, other, int_ok=False)
    return _apply(Logaddexp2, a, b)


class Maximum(NumpyFunction):
    """y = max(a, b), nan if either is; the gradient goes to the larger, half to each on ties"""

    _other_first = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        # (-0.0 against 0.0: PyTorch's vectorised loop gives b, as numpy's does for float32 and
        # float64; its scalar loop, on short rows, gives a)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        # PyTorch's masks: a nan compares false both ways, so both inputs get the gradient.
        shared = where(a == b, grad * 0.5, grad)
        grad_a = where(a < b, 0.0, shared) if need_a else None
        grad_b = where(a > b, 0.0, shared) if need_b else None
        return grad_a, grad_b


class Minimum(NumpyFunction):
    """y = min(a, b), nan if either is; the gradient goes to the smaller, half to each on ties"""

    _other_first = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)  # (ties: see Maximum)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        shared = where(a == b, grad * 0.5, grad)
        grad_a = where(a > b, 0.0, shared) if need_a else None
        grad_b = where(a < b, 0.0, shared) if need_b else None
        return grad_a, grad_b


def maximum(input: Tensor, other: Tensor) -> Tensor:
    _require_tensor(input, "maximum", "input", 1)
    _require_tensor(other, "maximum", "other", 2)
    a, b, _ = promote(input, other)
    return _apply(Maximum, a, b)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    _require_tensor(input, "minimum", "input", 1)
    _require_tensor(other, "minimum", "other", 2)
    a, b, _ = promote(input, other)
    return _apply(Minimum, a, b)


# --- fmod and remainder ------------------------------------------------------------------------


def _modulo_operands(op: str, input: Any, other: Any) -> tuple[Any, Any, np.dtype]:
    for value in (input, other):
        if not isinstance(value, Tensor | int | float | np.integer | np.floating):
            raise TypeError(
                f"{op}(): expected a Tensor or a number, but got {type(value).__name__}"
            )
    a, b, dt = promote(input, other)
    T = Tensor
    if dt.kind == "b":
        raise _not_implemented(f"{op}_cpu", dt)
    divisor = np.asarray(b._data if isinstance(b, T) else b)
    # (PyTorch's kernel raises per element it computes: none for an empty result)
    if dt.kind in "iu" and np.any(divisor == 0) and not _errors.empty_result(a, b):
        raise RuntimeError("ZeroDivisionError")
    return a, b, dt


class FmodScalar(NumpyFunction):
    """y = a - trunc(a/c) c for a number c (sign of a); dy/da = 1"""

    node_name = "FmodBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, c: Any) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.fmod(a, c)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad, None


class Fmod(NumpyFunction):
    """y = a - trunc(a/b) b; dy/da = 1, dy/db = -trunc(a/b)"""

    _other_first = True

    node_name = "FmodBackward1"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if ctx.needs_input_grad[1]:  # only b's gradient reads them, as PyTorch saves them
            ctx.save_for_backward(a, b)
        with np.errstate(all="ignore"):
            return np.fmod(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_a, need_b = ctx.needs_input_grad
        grad_b = None
        if need_b:
            a, b = ctx.saved_tensors
            grad_b = -grad * div(a, b, rounding_mode="trunc")
        return (grad if need_a else None), grad_b


def fmod(input: Tensor, other: Any) -> Tensor:
    """The remainder of input / other with the sign of input (C's fmod)."""
    _require_tensor(input, "fmod", "input", 1)
    a, b, _ = _modulo_operands("fmod", input, other)
    if not isinstance(b, Tensor):
        return FmodScalar.apply(a, b)
    return _apply(Fmod, a, b)


def _remainder_np(a: Any, b: Any) -> np.ndarray:
    """PyTorch's remainder: C's fmod moved by b where the signs differ. numpy's agrees except
    for a zero result, which takes b's sign in numpy and a's (fmod's) in PyTorch:
    remainder(-2., 2) is -0."""
    with np.errstate(all="ignore"):
        r = np.remainder(a, b)
        if r.dtype.kind == "f":
            r = np.where(r == 0, np.copysign(r, a), r)
    return r


class RemainderScalar(NumpyFunction):
    """y = a - floor(a/c) c for a number c (sign of c); dy/da = 1"""

    node_name = "RemainderBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, c: Any) -> np.ndarray:
        return _remainder_np(a, c)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return grad, None


class Remainder(NumpyFunction):
    """y = a - floor(a/b) b; dy/da = 1, dy/db = -floor(a/b)"""

    _other_first = True

    node_name = "RemainderBackward1"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if ctx.needs_input_grad[1]:  # only b's gradient reads them, as PyTorch saves them
            ctx.save_for_backward(a, b)
        return _remainder_np(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        need_a, need_b = ctx.needs_input_grad
        grad_b = None
        if need_b:
            a, b = ctx.saved_tensors
            grad_b = -grad * div(a, b, rounding_mode="floor")
        return (grad if need_a else None), grad_b


class RemainderNumberTensor(NumpyFunction):
    """y = c mod b for a number c: PyTorch has no derivative for this form."""

    forward_ad_refusal = _errors.no_forward_ad("aten::remainder")

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx: Any, c: Any, b: np.ndarray) -> np.ndarray:
        return _remainder_np(c, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        raise RuntimeError("derivative for aten::remainder is not implemented")


def remainder(input: Any, other: Any) -> Tensor:
    """The remainder of input / other with the sign of other (Python's %)."""
    T = Tensor
    if not isinstance(input, T):
        _require_tensor(other, "remainder", "other", 2)
        input = python_number(input)
        if not isinstance(input, int | float):
            raise TypeError(f"remainder(): expected a number, got {type(input).__name__}")
        c, b, _ = _modulo_operands("remainder", input, other)
        return RemainderNumberTensor.apply(c, b)
    a, b, _ = _modulo_operands("remainder", input, other)
    if not isinstance(b, T):
        return RemainderScalar.apply(a, b)
    return _apply(Remainder, a, b)


# --- lerp --------------------------------------------------------------------------------------


def _lerp_values(s: np.ndarray, e: np.ndarray, w: Any) -> np.ndarray:
    # PyTorch's two-sided formula: exact at both ends (w = 0 gives s, w = 1 gives e).
    d = e - s
    return np.where(np.abs(w) < 0.5, s + w * d, e - d * (1 - w))


class LerpScalar(NumpyFunction):
    """y = s + w (e - s) for a number w; dy/ds = 1 - w, dy/de = w"""

    node_name = "LerpBackward0"

    @staticmethod
    def forward(ctx: Any, s: np.ndarray, e: np.ndarray, w: Any) -> np.ndarray:
        ctx.w = w
        return _lerp_values(s, e, w).astype(np.result_type(s, e), copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        w = ctx.w
        need_s, need_e, _ = ctx.needs_input_grad
        return (grad * (1 - w) if need_s else None), (grad * w if need_e else None), None


class Lerp(NumpyFunction):
    """y = s + w (e - s); dy/ds = 1 - w, dy/de = w, dy/dw = e - s"""

    node_name = "LerpBackward1"

    @staticmethod
    def forward(ctx: Any, s: np.ndarray, e: np.ndarray, w: np.ndarray) -> np.ndarray:
        # As PyTorch's node: s and e only for w's gradient; w (in two formulas) always.
        need_w = ctx.needs_input_grad[2]
        ctx.save_for_backward(s if need_w else None, e if need_w else None, w)
        if w.dtype != s.dtype:  # a 0-d weight of another dtype counts in input's (see lerp)
            w = w.astype(s.dtype)
        return _lerp_values(s, e, w)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        s, e, w = ctx.saved_tensors
        need_s, need_e, need_w = ctx.needs_input_grad
        grad_s = grad * (1 - w) if need_s else None
        grad_e = grad * w if need_e else None
        grad_w = grad * (e - s) if need_w else None
        return grad_s, grad_e, grad_w


def _lerp_dtype_name(dt: np.dtype) -> str:
    return _errors.c_type_name(dt)  # the C++ type: "unsigned char", "short int", "c10::Half"


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """input + weight * (end - input); weight is a number or a tensor of input's dtype."""
    T = Tensor
    if (
        not isinstance(input, T)
        or not isinstance(end, T)
        or not isinstance(weight, T | int | float | np.integer | np.floating)
    ):
        got = ", ".join(
            "Tensor" if isinstance(a, T) else py_type_name(a) for a in (input, end, weight)
        )
        raise TypeError(
            f"lerp() received an invalid combination of arguments - got ({got}), but expected "
            "one of:\n * (Tensor input, Tensor end, Tensor weight, *, Tensor out = None)\n"
            " * (Tensor input, Tensor end, Number weight, *, Tensor out = None)\n"
        )
    dt = input._data.dtype
    for name, t in (("end", end), ("weight", weight)):
        # (a 0-d weight may have another dtype: PyTorch's kernel takes it as a number)
        if isinstance(t, T) and t._data.dtype != dt and (name == "end" or t._data.ndim):
            raise RuntimeError(
                f"expected dtype {_lerp_dtype_name(dt)} for `{name}` but got dtype "
                f"{_lerp_dtype_name(t._data.dtype)}"
            )
    if isinstance(weight, T):
        if dt.kind != "f":  # (named by the three's dtype: a 0-d weight's may differ)
            common = result_type(input._data, end._data, weight._data)
            raise _not_implemented("lerp_kernel_tensor", common)
        return _apply(Lerp, input, end, weight)
    if isinstance(weight, np.generic):
        weight = weight.item()
    if not isinstance(weight, int | float):
        raise TypeError(
            f"lerp(): argument 'weight' must be Number or Tensor, not {type(weight).__name__}"
        )
    if dt.kind != "f":
        raise _not_implemented("lerp_kernel_scalar", dt)
    return _apply(LerpScalar, input, end, weight)


# --- more of PyTorch's elementwise functions ---------------------------------------------------


class Erfc(NumpyFunction):
    """y = 1 - erf(x); dy/dx = -2/sqrt(π) exp(-x²)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.asarray(_erfc(x)).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * (exp(-(x * x)) * -_TWO_OVER_SQRT_PI)


def erfc(input: Tensor) -> Tensor:
    return Erfc.apply(_floating(input))


class Deg2Rad(NumpyFunction):
    """y = x π/180"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return x * x.dtype.type(math.pi / 180)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return grad * (math.pi / 180)


def deg2rad(input: Tensor) -> Tensor:
    return Deg2Rad.apply(_floating(input))


class Rad2Deg(NumpyFunction):
    """y = x 180/π"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return x * x.dtype.type(180 / math.pi)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return grad * (180 / math.pi)


def rad2deg(input: Tensor) -> Tensor:
    return Rad2Deg.apply(_floating(input))


def positive(input: Tensor) -> Tensor:
    """input itself (PyTorch returns the same tensor; bool is refused)."""
    _require_tensor(input, "positive", "input", 1)
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


class _XlogyBase(NumpyFunction):
    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a, b)
        with np.errstate(all="ignore"):
            y = np.where(np.asarray(a) == 0, 0, a * np.log(b))
            # nan in b wins over a = 0
            return np.where(np.isnan(b), np.nan, y).astype(np.result_type(a, b), copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad_b = None
        if need_a:  # log(b), but 0 where a = 0 and b <= 0 (PyTorch's mask)
            grad_a = where((a == 0) & (b <= 0), 0.0, xlogy(grad, b))
        if need_b:
            grad_b = grad * a / b
        return grad_a, grad_b


class Xlogy(_XlogyBase):
    """y = a log(b), 0 where a = 0 (unless b is nan); dy/da = log(b), dy/db = a/b"""

    _other_first = True


class XlogyNumberInput(_XlogyBase):
    node_name = "XlogyBackward1"


class XlogyNumberOther(_XlogyBase):
    node_name = "XlogyBackward2"


def xlogy(input: Any, other: Any) -> Tensor:
    """input * log(other), taken as 0 where input = 0: the x log x terms of entropies."""
    T = Tensor
    if not isinstance(input, T) and not isinstance(other, T):
        raise TypeError("xlogy(): expected at least one Tensor argument")
    return apply_by_operands((Xlogy, XlogyNumberInput, XlogyNumberOther), input, other)


def apply_by_operands(
    fns: tuple[type[NumpyFunction], type[NumpyFunction], type[NumpyFunction]],
    input: Any,
    other: Any,
) -> Tensor:
    """An op of (input, other), one of them perhaps a number, whose node PyTorch names by its
    operands (xlogy, special.xlog1py): ``fns`` record two tensors, a number and a tensor, a
    tensor and a number. Integer and bool operands become floats of the default dtype; a
    number is first rounded to the result's dtype, as PyTorch wraps it (1e10 is inf beside a
    float16 tensor)."""
    T = Tensor
    a, b, dt = promote_float(input, other)
    tensors, number_input, number_other = fns
    if not isinstance(a, T):
        return number_input.apply(rounded_to(a, dt), b)
    if not isinstance(b, T):
        return number_other.apply(a, rounded_to(b, dt))
    return _apply(tensors, a, b)


class Copysign(NumpyFunction):
    """y = |a| with the sign of b; dy/da = y/a (0 at a = 0), dy/db = 0"""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: Any) -> np.ndarray:
        y = np.copysign(a, b)
        # As PyTorch's node: a only for a's gradient; the output always.
        ctx.save_for_backward(a if ctx.needs_input_grad[0] else None, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, y = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = None
        if need_a:  # ±1; 0 at a = 0, as PyTorch
            grad_a = grad * where(a == 0, 0.0, y / where(a == 0, 1.0, a))
        return grad_a, (zero_grad(grad) if need_b else None)


class CopysignNumber(Copysign):
    node_name = "CopysignBackward1"


def copysign(input: Tensor, other: Any) -> Tensor:
    """|input| with the sign of other (a tensor or a number); -0.0 counts as negative."""
    _require_tensor(input, "copysign", "input", 1)
    a, b, _ = promote_float(input, as_operand(other, "copysign"))
    if not isinstance(b, Tensor):
        return CopysignNumber.apply(a, b)
    return _apply(Copysign, a, b)


class Fmax(NumpyFunction):
    """y = max(a, b) ignoring a nan; the gradient goes to a where a >= b or b is nan, else to b"""

    _other_first = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.where((a < b) | np.isnan(a), b, a)  # a on a tie, as PyTorch's (numpy's fmax
        # gives -0.0 for both orders of -0.0 and 0.0)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        to_a = (a >= b) | isnan(b)
        return (where(to_a, grad, 0.0) if need_a else None), (
            where(to_a, 0.0, grad) if need_b else None
        )


class Fmin(NumpyFunction):
    """y = min(a, b) ignoring a nan; the gradient goes to a where a <= b or b is nan, else to b"""

    _other_first = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return np.where((a > b) | np.isnan(a), b, a)  # a on a tie (see Fmax)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        to_a = (a <= b) | isnan(b)
        return (where(to_a, grad, 0.0) if need_a else None), (
            where(to_a, 0.0, grad) if need_b else None
        )


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum where a nan loses to a number (nan only if both are nan)."""
    _require_tensor(input, "fmax", "input", 1)
    _require_tensor(other, "fmax", "other", 2)
    a, b, _ = promote(input, other)
    return _apply(Fmax, a, b)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum where a nan loses to a number (nan only if both are nan)."""
    _require_tensor(input, "fmin", "input", 1)
    _require_tensor(other, "fmin", "other", 2)
    a, b, _ = promote(input, other)
    return _apply(Fmin, a, b)


# --- non-finite values -------------------------------------------------------------------------


class NanToNum(NumpyFunction):
    """y = x with nan, +inf, -inf replaced; dy/dx = 1 where x is finite, else 0"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, nan: float, posinf: Any, neginf: Any) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        return grad * isfinite(x), None, None, None


def nan_to_num(
    input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """nan -> ``nan``, ±inf -> ``posinf``/``neginf`` (default: the dtype's extreme values)."""
    _require_tensor(input, "nan_to_num", "input", 1)
    for position, (name, value) in enumerate(
        (("nan", nan), ("posinf", posinf), ("neginf", neginf)), start=2
    ):
        if value is not None and not isinstance(value, int | float | np.integer | np.floating):
            raise TypeError(
                f"nan_to_num(): argument '{name}' (position {position}) must be float, not "
                f"{type(value).__name__}"
            )
    if nan is None:  # as PyTorch: None means the default, 0
        nan = 0.0
    if input._data.dtype.kind != "f":  # integers and bools are always finite
        return Tensor._make(input._data.copy())
    return NanToNum.apply(input, nan, posinf, neginf)


def isnan(input: Tensor) -> Tensor:
    _require_tensor(input, "isnan", "input", 1)
    return Tensor._make(np.asarray(np.isnan(input._data)))


def isinf(input: Tensor) -> Tensor:
    _require_tensor(input, "isinf", "input", 1)
    return Tensor._make(np.asarray(np.isinf(input._data)))


def isfinite(input: Tensor) -> Tensor:
    _require_tensor(input, "isfinite", "input", 1)
    return Tensor._make(np.asarray(np.isfinite(input._data)))


def isposinf(input: Tensor) -> Tensor:
    _require_tensor(input, "isposinf", "input", 1)
    return Tensor._make(np.asarray(np.isposinf(input._data)))


def isneginf(input: Tensor) -> Tensor:
    _require_tensor(input, "isneginf", "input", 1)
    return Tensor._make(np.asarray(np.isneginf(input._data)))


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set (so for -0.0 too)."""
    _require_tensor(input, "signbit", "input", 1)
    return Tensor._make(np.asarray(np.signbit(input._data)))


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """|input - other| <= atol + rtol |other| elementwise (equal infinities count as close)."""
    a = _require_tensor(input, "isclose", "input", 1)._data
    b = _require_tensor(other, "isclose", "other", 2)._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{dtype_name(a.dtype)} did not match {dtype_name(b.dtype)}")
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {tol}")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise _errors.broadcast_mismatch(a.shape, b.shape) from None
    with np.errstate(all="ignore"):
        close = a == b
        if equal_nan:
            close |= np.isnan(a) & np.isnan(b)
        if a.dtype.kind == "f":
            err = np.abs(a - b)
            close |= np.isfinite(err) & (err <= atol + np.abs(rtol * b))
        elif a.dtype.kind in "iu":
            err = np.abs(a.astype(np.float64) - b)
            close |= err <= atol + np.abs(rtol * b.astype(np.float64))
    return Tensor._make(np.asarray(close))


# --- bitwise (the functions behind & | ^ ~) ----------------------------------------------------


def bitwise_and(input: Tensor, other: Any) -> Tensor:
    return _bitwise(np.bitwise_and, "bitwise_and", input, other)


def bitwise_or(input: Tensor, other: Any) -> Tensor:
    return _bitwise(np.bitwise_or, "bitwise_or", input, other)


def bitwise_xor(input: Tensor, other: Any) -> Tensor:
    return _bitwise(np.bitwise_xor, "bitwise_xor", input, other)


def bitwise_not(input: Tensor) -> Tensor:
    dt = _require_tensor(input, "bitwise_not", "input", 1)._data.dtype
    if dt.kind not in "biu":
        raise _not_implemented("bitwise_not_cpu", dt)
    return Tensor._make(np.asarray(np.invert(input._data)))  # (0-d: not a numpy scalar)


# --- logical -----------------------------------------------------------------------------------


def _logical(ufunc: Any, op: str, input: Any, other: Any) -> Tensor:
    a = _require_tensor(input, op, "input", 1)._data
    b = _require_tensor(other, op, "other", 2)._data
    try:
        return Tensor._make(np.asarray(ufunc(a, b)))
    except ValueError:
        raise _errors.broadcast_mismatch(a.shape, b.shape) from None


def logical_and(input: Tensor, other: Tensor) -> Tensor:
    """True where both are nonzero (any dtype; the result is bool)."""
    return _logical(np.logical_and, "logical_and", input, other)


def logical_or(input: Tensor, other: Tensor) -> Tensor:
    return _logical(np.logical_or, "logical_or", input, other)


def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    return _logical(np.logical_xor, "logical_xor", input, other)


def logical_not(input: Tensor) -> Tensor:
    _require_tensor(input, "logical_not", "input", 1)
    return Tensor._make(np.asarray(np.logical_not(input._data)))


# --- fused multiply-add (issue 11) -------------------------------------------------------------


class Addcmul(NumpyFunction):
    """y = s + v a b; dy/ds = 1, dy/da = v b, dy/db = v a"""

    @staticmethod
    def forward(ctx: Any, s: np.ndarray, a: np.ndarray, b: np.ndarray, v: Any) -> np.ndarray:
        ctx.value = v
        # As PyTorch's node: each factor only for the other's gradient.
        _, need_a, need_b, _ = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        return s + v * (a * b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_s, need_a, need_b, _ = ctx.needs_input_grad
        v = ctx.value
        return (
            grad if need_s else None,
            grad * b * v if need_a else None,
            grad * a * v if need_b else None,
            None,
        )


class Addcdiv(NumpyFunction):
    """y = s + v a / b; dy/ds = 1, dy/da = v / b, dy/db = -v a / b²"""

    @staticmethod
    def forward(ctx: Any, s: np.ndarray, a: np.ndarray, b: np.ndarray, v: Any) -> np.ndarray:
        ctx.value = v
        # As PyTorch's node: a only for b's gradient; b (in two formulas) always.
        ctx.save_for_backward(a if ctx.needs_input_grad[2] else None, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return s + v * (a / b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_s, need_a, need_b, _ = ctx.needs_input_grad
        v = ctx.value
        return (
            grad if need_s else None,
            grad * v / b if need_a else None,
            -grad * v * a / (b * b) if need_b else None,
            None,
        )


def _addc_operands(op: str, input: Any, tensor1: Any, tensor2: Any) -> list[Tensor]:
    for i, (name, t) in enumerate((("input", input), ("tensor1", tensor1), ("tensor2", tensor2))):
        _require_tensor(t, op, name, i + 1)
    return promote_all([input, tensor1, tensor2], op)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 * tensor2, broadcast."""
    s, a, b = _addc_operands("addcmul", input, tensor1, tensor2)
    if s._data.dtype.kind == "b":
        raise _not_implemented("addcmul_cpu_out", s._data.dtype)
    if s._data.dtype.kind in "iub":
        value = int(value)  # PyTorch casts value to the integer dtype
    return _apply(Addcmul, s, a, b, value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 / tensor2, broadcast; integer tensor1 and tensor2 are refused."""
    s, a, b = _addc_operands("addcdiv", input, tensor1, tensor2)
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
            "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes."
        )
    return _apply(Addcdiv, s, a, b, value)


# --- more elementwise functions (issue 11) ------------------------------------------------------


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent computed in float64 (PyTorch's float_power)."""
    T = Tensor
    if not isinstance(input, T) and not isinstance(exponent, T):
        raise TypeError("float_power(): expected at least one Tensor argument")
    f64 = np.dtype(np.float64)

    def double(t: Tensor) -> Tensor:
        return t if t._data.dtype == f64 else to_dtype_op(t, f64)

    a = double(input) if isinstance(input, T) else float(input)
    b = double(exponent) if isinstance(exponent, T) else exponent
    return pow(a, b)


def _int_exp2(e: np.ndarray) -> np.ndarray:
    """2**e in e's integer dtype, as PyTorch's integer pow: 0 for a negative e, wrapping past
    the dtype's bits."""
    if e.dtype == np.bool_:
        e = e.astype(np.int64)
    bits = 8 * e.itemsize
    shift = np.clip(e, 0, bits - 1).astype(e.dtype)
    power = np.left_shift(np.ones_like(e), shift)
    return np.where((e < 0) | (e >= bits), np.zeros_like(e), power)


class Ldexp(NumpyFunction):
    """y = x · 2**other (x already in the result's dtype); dy/dx = 2**other, computed as
    PyTorch's pow(2, other) (in integers for an integer other, so 0 where it is negative),
    dy/dother = y · ln 2. As PyTorch's LdexpBackward0 it saves the result, and other when x
    needs a gradient (other is checked first)."""

    node_name = "LdexpBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, other: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):  # inf and nan, as PyTorch's
            if other.dtype.kind in "biu":  # exact, and 0 · 2**big is 0, as PyTorch's
                info = np.iinfo(np.int32)
                out = np.ldexp(x, np.clip(other, info.min, info.max).astype(np.int32))
            elif other.ndim:  # PyTorch's pow(2, other): in other's dtype, then the product
                out = x * np.exp2(other).astype(x.dtype, copy=False)
            else:  # a 0-d exponent is a number to PyTorch's kernel: in the result's dtype
                out = x * np.exp2(other.astype(x.dtype))
        out = np.asarray(out, dtype=x.dtype)
        ctx.save_for_backward(other if ctx.needs_input_grad[0] else None, out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        other, result = ctx.saved_tensors
        need_x, need_other = ctx.needs_input_grad
        grad_x = grad_other = None
        if need_x:
            if other._data.dtype.kind in "biu":
                grad_x = grad * Tensor._make(_int_exp2(other._data))
            else:
                grad_x = grad * pow(2, other)
        if need_other:
            grad_other = grad * result * math.log(2.0)
        return grad_x, grad_other


def _ldexp_dtype(input: Tensor, other: Tensor) -> np.dtype:
    dt = result_type(input._data, other._data)
    return dt if dt.kind == "f" else np.dtype(default_float())


def check_ldexp_cast(input: Tensor, other: Tensor, out: np.dtype) -> None:
    """PyTorch's error for an ldexp result written into (in place, or ``out=``) a tensor of a
    lower kind: its message names ldexp, not the result dtype."""
    if not can_cast(_ldexp_dtype(input, other), out):
        raise RuntimeError(f"ldexp can't be cast to the desired output type {dtype_name(out)}")


def ldexp(input: Tensor, other: Tensor, *, _position: int = 2) -> Tensor:
    """input · 2**other, in the dtype of input and other promoted (floating)."""
    _require_tensor(input, "ldexp", "input", 1)
    _require_tensor(other, "ldexp", "other", _position)
    _errors.check_broadcast(input._data.shape, other._data.shape)
    if other._data.dtype.kind == "b" and input._data.dtype.kind == "f":
        raise _not_implemented("ldexp_cpu_exp", other._data.dtype)
    dt = _ldexp_dtype(input, other)
    x = input if input._data.dtype == dt else to_dtype_op(input, dt)
    return Ldexp.apply(x, other)


class Angle(NumpyFunction):
    """y = the argument of x: π for negative x, else 0; dy/dx = 0"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        return np.where(x < 0, np.pi, np.where(np.isnan(x), np.nan, 0.0)).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        return zero_grad(grad)


def angle(input: Tensor) -> Tensor:
    """The argument of each (real) element: π where it is negative, 0 elsewhere."""
    _require_tensor(input, "angle", "input", 1)
    x = _floating(input)
    return Angle.apply(x)


def _integers(op: str, kernel: str, *tensors: Tensor) -> list[np.ndarray]:
    _require_tensor(tensors[0], op, "input", 1)
    _require_tensor(tensors[1], op, "other", 2)
    # the promoted dtype decides: a bool tensor beside an integer one is fine
    _, _, dt = promote(tensors[0], tensors[1])
    _errors.check_broadcast(*(t._data.shape for t in tensors))
    if dt.kind not in "iu":
        raise _not_implemented(kernel, dt)
    return [t._data.astype(dt, copy=False) for t in tensors]


def gcd(input: Tensor, other: Tensor) -> Tensor:
    """The greatest common divisor, elementwise (integers)."""
    a, b = _integers("gcd", "gcd_cpu", input, other)
    return Tensor._make(np.asarray(np.gcd(a, b)))  # (0-d: not a numpy scalar)


def lcm(input: Tensor, other: Tensor) -> Tensor:
    """The least common multiple, elementwise (integers)."""
    a, b = _integers("lcm", "lcm_cpu", input, other)
    return Tensor._make(np.asarray(np.lcm(a, b)))


class Heaviside(NumpyFunction):
    """y = 0 where a < 0, 1 where a > 0, b where a = 0: PyTorch records the op with no
    derivative (its backward raises), as for floor_divide."""

    _broadcasting = True
    forward_ad_refusal = _errors.no_forward_ad("aten::heaviside")

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.heaviside(a, b).astype(a.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        raise RuntimeError("derivative for aten::heaviside is not implemented")


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """0 where input < 0, 1 where input > 0, ``values`` where it is 0."""
    _require_tensor(input, "heaviside", "input", 1)
    _require_tensor(values, "heaviside", "values", 2)
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return Heaviside.apply(input, values)


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next floating-point value after input towards other."""
    _require_tensor(input, "nextafter", "input", 1)
    _require_tensor(other, "nextafter", "other", 2)
    a, b, dt = promote(input, other)
    _errors.check_broadcast(a._data.shape, b._data.shape)
    if dt.kind != "f":
        raise _not_implemented("nextafter_cpu", dt)
    return Tensor._make(np.nextafter(a._data, b._data))


def isreal(input: Tensor) -> Tensor:
    """True everywhere: ndgrad tensors are real."""
    _require_tensor(input, "isreal", "input", 1)
    return Tensor._make(np.ones(input._data.shape, np.bool_))


class _FrexpResult(tuple):
    """(mantissa, exponent), printed as PyTorch's ``torch.return_types.frexp``."""

    __slots__ = ()
    n_fields = 2

    @property
    def mantissa(self) -> Any:
        return self[0]

    @property
    def exponent(self) -> Any:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.frexp(\nmantissa={self[0]!r},\nexponent={self[1]!r})"


class Frexp(NumpyFunction):
    """mantissa = x / 2**exponent; d mantissa/dx = 2**-exponent (the exponent, an integer, is
    not differentiable)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, exponent: np.ndarray) -> np.ndarray:
        ctx.exponent = exponent
        return np.frexp(x)[0]

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        # PyTorch's grad / exponent.exp2(): 2**-e, exact, in float32 at least (float16 has no
        # 2**24 and more)
        dt = np.promote_types(grad._data.dtype, np.float32)
        scale = Tensor._make(np.exp2(-ctx.exponent.astype(dt)))
        return (grad * scale).to(grad.dtype), None


def frexp(input: Tensor) -> Any:
    """(mantissa, exponent) with input = mantissa · 2**exponent and 0.5 ≤ |mantissa| < 1."""
    _require_tensor(input, "frexp", "input", 1)
    if input._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    e = np.frexp(input._data)[1].astype(np.int32)
    return _FrexpResult((Frexp.apply(input, e), Tensor._make(e)))


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    """input << other (integers)."""
    return _bitwise(np.left_shift, "lshift", input, other)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """input >> other (integers; arithmetic shift for signed)."""
    return _bitwise(np.right_shift, "rshift", input, other)


class PointwiseMethods:
    """Tensor methods of the pointwise ops."""

    def exp2(self) -> Tensor:
        return exp2(self)  # type: ignore[arg-type]

    def float_power(self, exponent: Any) -> Tensor:
        return float_power(self, exponent)

    def ldexp(self, other: Tensor) -> Tensor:
        return ldexp(self, other, _position=1)  # type: ignore[arg-type]

    def angle(self) -> Tensor:
        return angle(self)  # type: ignore[arg-type]

    def gcd(self, other: Tensor) -> Tensor:
        return gcd(self, other)  # type: ignore[arg-type]

    def lcm(self, other: Tensor) -> Tensor:
        return lcm(self, other)  # type: ignore[arg-type]

    def heaviside(self, values: Tensor) -> Tensor:
        return heaviside(self, values)  # type: ignore[arg-type]

    def nextafter(self, other: Tensor) -> Tensor:
        return nextafter(self, other)  # type: ignore[arg-type]

    def isreal(self) -> Tensor:
        return isreal(self)  # type: ignore[arg-type]

    def frexp(self) -> Any:
        return frexp(self)  # type: ignore[arg-type]

    def bitwise_left_shift(self, other: Any) -> Tensor:
        return bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        return bitwise_right_shift(self, other)

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return addcmul(self, tensor1, tensor2, value=value)  # type: ignore[arg-type]

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        return addcdiv(self, tensor1, tensor2, value=value)  # type: ignore[arg-type]

    def expm1(self) -> Tensor:
        return expm1(self)  # type: ignore[arg-type]

    def log2(self) -> Tensor:
        return log2(self)  # type: ignore[arg-type]

    def log10(self) -> Tensor:
        return log10(self)  # type: ignore[arg-type]

    def log1p(self) -> Tensor:
        return log1p(self)  # type: ignore[arg-type]

    def rsqrt(self) -> Tensor:
        return rsqrt(self)  # type: ignore[arg-type]

    def square(self) -> Tensor:
        return square(self)  # type: ignore[arg-type]

    def reciprocal(self) -> Tensor:
        return reciprocal(self)  # type: ignore[arg-type]

    def sin(self) -> Tensor:
        return sin(self)  # type: ignore[arg-type]

    def cos(self) -> Tensor:
        return cos(self)  # type: ignore[arg-type]

    def tan(self) -> Tensor:
        return tan(self)  # type: ignore[arg-type]

    def asin(self) -> Tensor:
        return asin(self)  # type: ignore[arg-type]

    def acos(self) -> Tensor:
        return acos(self)  # type: ignore[arg-type]

    def atan(self) -> Tensor:
        return atan(self)  # type: ignore[arg-type]

    def sinh(self) -> Tensor:
        return sinh(self)  # type: ignore[arg-type]

    def cosh(self) -> Tensor:
        return cosh(self)  # type: ignore[arg-type]

    def asinh(self) -> Tensor:
        return asinh(self)  # type: ignore[arg-type]

    def acosh(self) -> Tensor:
        return acosh(self)  # type: ignore[arg-type]

    def atanh(self) -> Tensor:
        return atanh(self)  # type: ignore[arg-type]

    arcsin, arccos, arctan = asin, acos, atan
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    def atan2(self, other: Tensor) -> Tensor:
        return atan2(self, other)  # type: ignore[arg-type]

    arctan2 = atan2

    def erf(self) -> Tensor:
        return erf(self)  # type: ignore[arg-type]

    def floor(self) -> Tensor:
        return floor(self)  # type: ignore[arg-type]

    def ceil(self) -> Tensor:
        return ceil(self)  # type: ignore[arg-type]

    def round(self, *, decimals: int | None = None) -> Tensor:
        return round(self, decimals=decimals)  # type: ignore[arg-type]

    def trunc(self) -> Tensor:
        return trunc(self)  # type: ignore[arg-type]

    fix = trunc

    def frac(self) -> Tensor:
        return frac(self)  # type: ignore[arg-type]

    def sgn(self) -> Tensor:
        return sgn(self)  # type: ignore[arg-type]

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        min, max = clamp_bounds(min, max, "clamp", "method")
        return clamp(self, min, max)  # type: ignore[arg-type]

    def clip(self, min: Any = None, max: Any = None) -> Tensor:
        min, max = clamp_bounds(min, max, "clip", "method")
        return clamp(self, min, max)  # type: ignore[arg-type]

    def clamp_min(self, min: Any) -> Tensor:
        return clamp_min(self, min)  # type: ignore[arg-type]

    def clamp_max(self, max: Any) -> Tensor:
        return clamp_max(self, max)  # type: ignore[arg-type]

    def maximum(self, other: Tensor) -> Tensor:
        return maximum(self, other)  # type: ignore[arg-type]

    def minimum(self, other: Tensor) -> Tensor:
        return minimum(self, other)  # type: ignore[arg-type]

    def fmod(self, other: Any) -> Tensor:
        return fmod(self, other)  # type: ignore[arg-type]

    def remainder(self, other: Any) -> Tensor:
        return remainder(self, other)

    def __mod__(self, other: Any) -> Tensor:
        if not isinstance(other, Tensor | int | float | np.generic):
            return NotImplemented
        return remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        if not isinstance(other, Tensor | int | float | np.generic):
            return NotImplemented
        return remainder(other, self)

    def floor_divide(self, other: Any) -> Tensor:
        return floor_divide(self, other)

    def __imod__(self, other: Any) -> Tensor:
        return self.remainder_(other)  # type: ignore[attr-defined]

    def __ifloordiv__(self, other: Any) -> Tensor:
        return self.floor_divide_(other)  # type: ignore[attr-defined]

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        return lerp(self, end, weight)  # type: ignore[arg-type]

    def hypot(self, other: Tensor) -> Tensor:
        return hypot(self, other)  # type: ignore[arg-type]

    def logaddexp(self, other: Tensor) -> Tensor:
        return logaddexp(self, other)  # type: ignore[arg-type]

    def logaddexp2(self, other: Tensor) -> Tensor:
        return logaddexp2(self, other)  # type: ignore[arg-type]

    def nan_to_num(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        return nan_to_num(self, nan, posinf, neginf)  # type: ignore[arg-type]

    def isnan(self) -> Tensor:
        return isnan(self)  # type: ignore[arg-type]

    def isinf(self) -> Tensor:
        return isinf(self)  # type: ignore[arg-type]

    def isfinite(self) -> Tensor:
        return isfinite(self)  # type: ignore[arg-type]

    def logical_and(self, other: Tensor) -> Tensor:
        return logical_and(self, other)  # type: ignore[arg-type]

    def logical_or(self, other: Tensor) -> Tensor:
        return logical_or(self, other)  # type: ignore[arg-type]

    def logical_xor(self, other: Tensor) -> Tensor:
        return logical_xor(self, other)  # type: ignore[arg-type]

    def logical_not(self) -> Tensor:
        return logical_not(self)  # type: ignore[arg-type]

    def erfc(self) -> Tensor:
        return erfc(self)  # type: ignore[arg-type]

    def deg2rad(self) -> Tensor:
        return deg2rad(self)  # type: ignore[arg-type]

    def rad2deg(self) -> Tensor:
        return rad2deg(self)  # type: ignore[arg-type]

    def positive(self) -> Tensor:
        return positive(self)  # type: ignore[arg-type]

    def xlogy(self, other: Any) -> Tensor:
        return xlogy(self, other)

    def copysign(self, other: Any) -> Tensor:
        return copysign(self, other)  # type: ignore[arg-type]

    def fmax(self, other: Tensor) -> Tensor:
        return fmax(self, other)  # type: ignore[arg-type]

    def fmin(self, other: Tensor) -> Tensor:
        return fmin(self, other)  # type: ignore[arg-type]

    def isposinf(self) -> Tensor:
        return isposinf(self)  # type: ignore[arg-type]

    def isneginf(self) -> Tensor:
        return isneginf(self)  # type: ignore[arg-type]

    def signbit(self) -> Tensor:
        return signbit(self)  # type: ignore[arg-type]

    def isclose(
        self, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
    ) -> Tensor:
        return isclose(self, other, rtol, atol, equal_nan)  # type: ignore[arg-type]

    def bitwise_and(self, other: Any) -> Tensor:
        return bitwise_and(self, other)  # type: ignore[arg-type]

    def bitwise_or(self, other: Any) -> Tensor:
        return bitwise_or(self, other)  # type: ignore[arg-type]

    def bitwise_xor(self, other: Any) -> Tensor:
        return bitwise_xor(self, other)  # type: ignore[arg-type]

    def bitwise_not(self) -> Tensor:
        return bitwise_not(self)  # type: ignore[arg-type]


def _inplace_method(name: str) -> Any:
    fn = globals()[name] if name in globals() else getattr(_unary, name)

    integer_kernel = name in _CAST_CHECKED_FIRST
    clamp = name in ("clamp", "clip", "clamp_min", "clamp_max")
    float64_only = name == "float_power"

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if float64_only and self._data.dtype != np.float64:
            raise RuntimeError(
                f"the base given to float_power_ has dtype {dtype_name(self._data.dtype)} but "
                "the operation's result requires dtype Double"
            )
        for a in args:
            if isinstance(a, Tensor):
                self._check_inplace(*args)  # PyTorch's leaf and view rules come first
                _errors.check_no_partial_overlap(self._data, a._data)
                # then TensorIterator's checks, before the kernel's own errors: the operands
                # broadcast to this tensor's shape, ...
                _errors.check_inplace_shape(self._data.shape, a._data.shape)
        if name == "ldexp" and args and isinstance(args[0], Tensor):
            check_ldexp_cast(self, args[0], self._data.dtype)
        if integer_kernel and args:
            # ... and the result dtype casts to this tensor's ("result type Float can't be
            # cast to the desired output type Byte" for uint8 ^= 1.5, not the kernel's "not
            # implemented for 'Float'")
            other = args[0]._data if isinstance(args[0], Tensor) else args[0]
            rt = result_type(self._data, other)
            if not can_cast(rt, self._data.dtype):
                raise _errors.cannot_cast(rt, self._data.dtype)
        if clamp:
            if name in ("clamp", "clip") and len(args) + len(kwargs) == 2:
                # (the overload picked, or PyTorch's TypeError, before anything is written)
                lo = kwargs.get("min", args[0] if args else None)
                hi = kwargs.get("max", args[1] if len(args) > 1 else None)
                args, kwargs = clamp_bounds(lo, hi, name + "_", "method"), {}
            bounds = [b for b in (*args, *kwargs.values()) if b is not None]
            if bounds and not any(isinstance(b, Tensor) for b in bounds):
                # clamp_ with numbers: PyTorch's message names the tensor's C type
                rt = result_type(self._data, *bounds)
                if not can_cast(rt, self._data.dtype):
                    raise RuntimeError(
                        f"result type {dtype_name(rt)} can't be cast to the desired output type "
                        f"{_errors.c_type_name(self._data.dtype)}"
                    )
        return self._inplace(lambda s: fn(s, *args, **kwargs))

    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place {name}: writes the result into this tensor."
    return method


# In-place forms whose kernels raise for some dtypes (integer-only ones, division by an integer
# zero): PyTorch checks that the result dtype casts to the tensor's before the kernel runs.
_CAST_CHECKED_FIRST = frozenset(
    [
        "bitwise_and",
        "bitwise_or",
        "bitwise_xor",
        "bitwise_left_shift",
        "bitwise_right_shift",
        "gcd",
        "lcm",
        "fmod",
        "remainder",
        "floor_divide",
    ]
)

# The in-place forms write the out-of-place result back (Tensor._inplace): a result dtype that
# cannot be cast to the tensor's (sin_ on an int tensor) raises PyTorch's error there.
_INPLACE = (
    "exp2 expm1 log2 log10 log1p rsqrt square reciprocal sin cos tan asin acos atan sinh cosh "
    "asinh acosh atanh arcsin arccos arctan arcsinh arccosh arctanh atan2 arctan2 erf floor ceil "
    "round trunc fix frac sgn clamp clip clamp_min clamp_max fmod remainder floor_divide lerp "
    "hypot nan_to_num logical_and logical_or logical_xor logical_not erfc deg2rad rad2deg xlogy "
    "copysign bitwise_and bitwise_or bitwise_xor bitwise_not addcmul addcdiv float_power ldexp "
    "gcd lcm heaviside nextafter bitwise_left_shift bitwise_right_shift "
    # the foundation's elementwise functions (ops/unary.py)
    "abs sqrt log tanh sigmoid relu sign"
)
for _name in _INPLACE.split():
    setattr(PointwiseMethods, _name + "_", _inplace_method(_name))

del _name
