"""PyTorch's other names for ops defined elsewhere, and the torch-level in-place functions.

``torch.greater`` is ``torch.gt``, ``Tensor.multiply`` is ``Tensor.mul``: PyTorch keeps these
aliases for NumPy users, and programs call them. ``torch.relu_(x)`` and the other torch-level
in-place functions are ``x.relu_()``. Each alias is written out here, so it can be found by
name; the op itself lives in its family module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import arithmetic as _ar
from . import shape as _sh
from ._util import require_tensor

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "abs_",
    "acos_",
    "acosh_",
    "arccos_",
    "arccosh_",
    "arcsin_",
    "arcsinh_",
    "arctan_",
    "arctanh_",
    "asin_",
    "asinh_",
    "atan_",
    "atanh_",
    "ceil_",
    "clamp_",
    "clamp_max_",
    "clamp_min_",
    "clip_",
    "cos_",
    "cosh_",
    "deg2rad_",
    "detach_",
    "erf_",
    "erfc_",
    "exp2_",
    "exp_",
    "expm1_",
    "fill",
    "fill_",
    "fix_",
    "floor_",
    "frac_",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "log1p_",
    "log2_",
    "log10_",
    "log_",
    "nan_to_num_",
    "neg_",
    "negative_",
    "not_equal",
    "rad2deg_",
    "reciprocal_",
    "relu_",
    "round_",
    "row_stack",
    "rsqrt_",
    "rsub",
    "sigmoid_",
    "sin_",
    "sinh_",
    "sqrt_",
    "square_",
    "tan_",
    "tanh_",
    "trunc_",
    "xlogy_",
    "zero_",
]

greater = _ar.gt
greater_equal = _ar.ge
less = _ar.lt
less_equal = _ar.le
not_equal = _ar.ne
row_stack = _sh.vstack


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    """other - alpha * input."""
    require_tensor(input, "rsub")
    return _ar.sub(other, _ar.mul(input, alpha) if alpha != 1 else input)


def fill(input: Tensor, value: Any) -> Tensor:
    """A tensor like ``input`` filled with ``value`` (differentiable in a tensor ``value``)."""
    require_tensor(input, "fill")
    return _ar.add(_ar.mul(input.detach(), 0), value).to(input.dtype)


def _inplace(name: str) -> Callable[..., Tensor]:
    """``torch.<name>(x, ...)``: ``x.<name>(...)``, with PyTorch's error for a non-tensor."""

    def call(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        require_tensor(input, name)
        return getattr(input, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"In place: ``input.{name}(...)``."
    return call


abs_ = _inplace("abs_")
acos_ = _inplace("acos_")
acosh_ = _inplace("acosh_")
arccos_ = _inplace("arccos_")
arccosh_ = _inplace("arccosh_")
arcsin_ = _inplace("arcsin_")
arcsinh_ = _inplace("arcsinh_")
arctan_ = _inplace("arctan_")
arctanh_ = _inplace("arctanh_")
asin_ = _inplace("asin_")
asinh_ = _inplace("asinh_")
atan_ = _inplace("atan_")
atanh_ = _inplace("atanh_")
ceil_ = _inplace("ceil_")
clamp_ = _inplace("clamp_")
clamp_max_ = _inplace("clamp_max_")
clamp_min_ = _inplace("clamp_min_")
clip_ = _inplace("clip_")
cos_ = _inplace("cos_")
cosh_ = _inplace("cosh_")
deg2rad_ = _inplace("deg2rad_")
detach_ = _inplace("detach_")
erf_ = _inplace("erf_")
erfc_ = _inplace("erfc_")
exp2_ = _inplace("exp2_")
exp_ = _inplace("exp_")
expm1_ = _inplace("expm1_")
fill_ = _inplace("fill_")
fix_ = _inplace("fix_")
floor_ = _inplace("floor_")
frac_ = _inplace("frac_")
log10_ = _inplace("log10_")
log1p_ = _inplace("log1p_")
log2_ = _inplace("log2_")
log_ = _inplace("log_")
nan_to_num_ = _inplace("nan_to_num_")
neg_ = _inplace("neg_")
negative_ = _inplace("negative_")
rad2deg_ = _inplace("rad2deg_")
reciprocal_ = _inplace("reciprocal_")
relu_ = _inplace("relu_")
round_ = _inplace("round_")
rsqrt_ = _inplace("rsqrt_")
sigmoid_ = _inplace("sigmoid_")
sin_ = _inplace("sin_")
sinh_ = _inplace("sinh_")
sqrt_ = _inplace("sqrt_")
square_ = _inplace("square_")
tan_ = _inplace("tan_")
tanh_ = _inplace("tanh_")
trunc_ = _inplace("trunc_")
xlogy_ = _inplace("xlogy_")
zero_ = _inplace("zero_")


class AliasMethods:
    """Tensor's alias methods and the in-place comparisons."""

    def greater(self, other: Any) -> Tensor:
        return _ar.gt(self, other)

    def greater_equal(self, other: Any) -> Tensor:
        return _ar.ge(self, other)

    def less(self, other: Any) -> Tensor:
        return _ar.lt(self, other)

    def less_equal(self, other: Any) -> Tensor:
        return _ar.le(self, other)

    def not_equal(self, other: Any) -> Tensor:
        return _ar.ne(self, other)

    def multiply(self, other: Any) -> Tensor:
        return _ar.mul(self, other)

    def divide(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return _ar.div(self, other, rounding_mode=rounding_mode)

    def subtract(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return _ar.sub(self, other, alpha=alpha)

    def absolute(self) -> Tensor:
        return self.abs()  # type: ignore[attr-defined,no-any-return]

    # In place: the result is written back in this tensor's dtype (a comparison gives 0 or 1).
    def eq_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.eq(s, other))  # type: ignore[attr-defined,no-any-return]

    def ne_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.ne(s, other))  # type: ignore[attr-defined,no-any-return]

    def lt_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.lt(s, other))  # type: ignore[attr-defined,no-any-return]

    def le_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.le(s, other))  # type: ignore[attr-defined,no-any-return]

    def gt_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.gt(s, other))  # type: ignore[attr-defined,no-any-return]

    def ge_(self, other: Any) -> Tensor:
        return self._inplace(lambda s: _ar.ge(s, other))  # type: ignore[attr-defined,no-any-return]

    greater_ = gt_
    greater_equal_ = ge_
    less_ = lt_
    less_equal_ = le_
    not_equal_ = ne_

    def multiply_(self, other: Any) -> Tensor:
        return self.mul_(other)  # type: ignore[attr-defined,no-any-return]

    def divide_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        return self.div_(other, rounding_mode=rounding_mode)  # type: ignore[attr-defined,no-any-return]

    true_divide_ = divide_

    def subtract_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        return self.sub_(other, alpha=alpha)  # type: ignore[attr-defined,no-any-return]

    def absolute_(self) -> Tensor:
        return self.abs_()  # type: ignore[attr-defined,no-any-return]

    def negative_(self) -> Tensor:
        return self.neg_()  # type: ignore[attr-defined,no-any-return]
