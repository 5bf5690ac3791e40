"""Special functions: lgamma, digamma, polygamma, mvlgamma, erfinv, logit, sinc.

numpy has none of the gamma family or erfinv, and ndgrad depends on numpy alone, so they are
computed here: lgamma with ``math.lgamma`` element by element; digamma and polygamma by the
recurrence ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x+1) - (-1)ⁿ n!/x⁽ⁿ⁺¹⁾ up to x ≥ 12 and the asymptotic series there
(about 1e-14 relative error in float64); erfinv by Newton's method on ``math.erf``. Integer
inputs give the default float dtype, as in PyTorch.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._namespace import public_dir
from ._util import default_float, require_tensor
from .arithmetic import NumpyFunction, to_dtype_op

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "digamma",
    "erfinv",
    "i0",
    "i0_",
    "igamma",
    "igammac",
    "lgamma",
    "logit",
    "mvlgamma",
    "polygamma",
    "sinc",
]
__dir__ = public_dir(__name__)

# B_2k / (2k) for the asymptotic series of digamma, and B_2k for polygamma.
_BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6]
_SHIFT_TO = 12.0


def _floating(input: Tensor) -> Tensor:
    return input if input._data.dtype.kind == "f" else to_dtype_op(input, default_float())


def _lgamma_values(x: np.ndarray) -> np.ndarray:
    def one(v: float) -> float:
        try:
            return math.lgamma(v)
        except ValueError:  # the poles 0, -1, -2, ...
            return math.inf

    return np.vectorize(one, otypes=[np.float64])(x).astype(x.dtype)


def _polygamma_values(n: int, x: np.ndarray) -> np.ndarray:
    """ψ⁽ⁿ⁾(x) (n = 0: digamma): shift x up past _SHIFT_TO, then the asymptotic series."""
    with np.errstate(all="ignore"):
        v = x.astype(np.float64)
        poles = (v <= 0) & (v == np.floor(v)) & np.isfinite(v)  # -inf is no pole: NaN
        acc = np.zeros_like(v)
        z = np.where(poles | ~np.isfinite(v), _SHIFT_TO, v)
        sign = -1.0 if n == 0 else (-1.0) ** (n + 1) * math.factorial(n)
        while True:
            low = z < _SHIFT_TO
            if not low.any():
                break
            acc = np.where(low, acc + sign / z ** (n + 1), acc)
            z = np.where(low, z + 1, z)
        if n == 0:
            series = np.log(z) - 0.5 / z
            for k, b in enumerate(_BERNOULLI, start=1):
                series -= b / (2 * k) / z ** (2 * k)
            value = series + acc
        else:
            fact = math.factorial
            series = fact(n - 1) / z**n + fact(n) / (2 * z ** (n + 1))
            for k, b in enumerate(_BERNOULLI, start=1):
                series += b * fact(2 * k + n - 1) / fact(2 * k) / z ** (2 * k + n)
            value = (-1.0) ** (n + 1) * series + acc
        value = np.where(np.isposinf(v), 0.0 if n else np.inf, value)
        value = np.where(np.isnan(v) | np.isneginf(v), np.nan, value)
        if n == 0:
            # ψ(±0) = ∓inf (PyTorch: copysign(inf, -x)), NaN at the negative integers
            value = np.where(poles, np.where(v == 0, np.copysign(np.inf, -v), np.nan), value)
        else:
            value = np.where(poles, np.inf if n % 2 else -np.inf, value)
    return value.astype(x.dtype)


class Lgamma(NumpyFunction):
    """y = ln|Γ(x)|; dy/dx = ψ(x)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return _lgamma_values(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * Polygamma.apply(x, 0)


class Polygamma(NumpyFunction):
    """y = ψ⁽ⁿ⁾(x), the n-th derivative of digamma; dy/dx = ψ⁽ⁿ⁺¹⁾(x)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, n: int) -> np.ndarray:
        ctx.n = n
        ctx.save_for_backward(x)
        return _polygamma_values(n, x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        return grad * Polygamma.apply(x, ctx.n + 1), None


def lgamma(input: Tensor) -> Tensor:
    """ln|Γ(input)| (inf at the poles 0, -1, -2, ...)."""
    require_tensor(input, "lgamma")
    return Lgamma.apply(_floating(input))


def digamma(input: Tensor) -> Tensor:
    """ψ(input) = d/dx ln Γ(x) (-inf at 0, inf at -0, nan at the negative integers)."""
    require_tensor(input, "digamma")
    return Polygamma.apply(_floating(input), 0)


def polygamma(n: int, input: Tensor) -> Tensor:
    """ψ⁽ⁿ⁾(input), the n-th derivative of digamma (n ≥ 0)."""
    require_tensor(input, "polygamma", "input", 2)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(_floating(input), int(n))


def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The log of the multivariate gamma function of dimension p:
    p(p-1)/4 ln π + Σ_{j<p} lgamma(input - j/2)."""
    require_tensor(input, "mvlgamma")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = _floating(input)
    total = lgamma(x)
    for j in range(1, p):
        total = total + lgamma(x - j / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


def _erfinv_values(x: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf, otypes=[np.float64])
    with np.errstate(all="ignore"):
        v = x.astype(np.float64)
        # A starting point good to ~1e-3 (Giles' approximation), then Newton on erf.
        w = -np.log((1.0 - v) * (1.0 + v))
        y = np.where(
            w < 5,
            v * (1.50140941 + 0.246640727 * (w - 2.5)),
            v * (2.83297682 + 1.00167406 * (np.sqrt(w) - 3)),
        )
        inside = np.abs(v) < 1
        y = np.where(inside, y, 0.0)
        for _ in range(4):
            y = y - (erf(y) - v) / (2 / math.sqrt(math.pi) * np.exp(-y * y))
        y = np.where(v == 1, np.inf, np.where(v == -1, -np.inf, y))
        y = np.where(np.abs(v) > 1, np.nan, y)
    return y.astype(x.dtype)


class Erfinv(NumpyFunction):
    """y = erf⁻¹(x); dy/dx = √π/2 · exp(y²)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = _erfinv_values(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * (y * y).exp() * (math.sqrt(math.pi) / 2)


def erfinv(input: Tensor) -> Tensor:
    """The inverse of erf on (-1, 1) (±inf at ±1, nan outside)."""
    require_tensor(input, "erfinv")
    return Erfinv.apply(_floating(input))


class Logit(NumpyFunction):
    """y = ln(x / (1 - x)) of x clamped to [eps, 1 - eps]; dy/dx = 1 / (x (1 - x)) inside the
    clamp, 0 outside it (nan at eps = None outside [0, 1])"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, eps: float | None) -> np.ndarray:
        z = x if eps is None else np.clip(x, eps, 1 - eps)
        ctx.eps = eps
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(z / (1 - z)).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        g = grad / (x * (1 - x))
        eps = ctx.eps
        if eps is not None:
            inside = ((x >= eps) & (x <= 1 - eps)).detach()
            g = g * inside.to(g.dtype)
        return g, None


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """ln(p / (1 - p)), the inverse of sigmoid; with ``eps``, p is first clamped to
    [eps, 1 - eps]."""
    require_tensor(input, "logit")
    return Logit.apply(_floating(input), eps)


class Sinc(NumpyFunction):
    """y = sin(πx) / (πx), 1 at 0; dy/dx = (cos(πx) - y) / x, 0 at 0"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = np.sinc(x).astype(x.dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x, y = ctx.saved_tensors
        zero = (x == 0).detach()
        safe = x + zero.to(x.dtype)  # x, with 1 where x is 0 (the limit there is 0)
        slope = ((x * math.pi).cos() - y) / safe
        return grad * slope * (~zero).to(x.dtype)


def sinc(input: Tensor) -> Tensor:
    """The normalized sinc, sin(πx) / (πx), with sinc(0) = 1."""
    require_tensor(input, "sinc")
    return Sinc.apply(_floating(input))


# --- modified Bessel functions and the incomplete gamma function (issue 11) -------------------
# I0 comes from numpy (np.i0); I1, its derivative, is computed here: the power series
# Σ (x/2)^(2k+1) / (k! (k+1)!) for |x| <= 30 (positive terms, no cancellation) and the asymptotic
# expansion e^x / √(2πx) Σ (-1)^k a_k / x^k, a_k = Π_{j≤k} (4 - (2j-1)²) / (k! 8^k), beyond.


def _i1_values(x: np.ndarray) -> np.ndarray:
    v = np.abs(x.astype(np.float64))
    with np.errstate(all="ignore"):
        small = np.minimum(v, 30.0) / 2
        term = small.copy()
        series = term.copy()
        for k in range(120):
            term = term * small * small / ((k + 1) * (k + 2))
            series = series + term
        big = np.maximum(v, 30.0)
        coeff, total = 1.0, np.ones_like(big)
        for k in range(1, 26):
            coeff *= (4 - (2 * k - 1) ** 2) / (k * 8)
            total = total + (-1) ** k * coeff / big**k
        asymptotic = np.exp(big) / np.sqrt(2 * np.pi * big) * total
        value = np.where(v <= 30.0, series, asymptotic)
    return (np.sign(x) * value).astype(x.dtype)


class I0(NumpyFunction):
    """y = I₀(x), the modified Bessel function of the first kind of order 0; dy/dx = I₁(x)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):  # inf beyond |x| ≈ 713, silently, as in PyTorch
            return np.i0(x).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * I1.apply(x)


class I1(NumpyFunction):
    """y = I₁(x); dy/dx = I₀(x) - I₁(x)/x, 1/2 at 0"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return _i1_values(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        zero = (x == 0).detach()
        safe = x + zero.to(x.dtype)  # 1 where x is 0, where the slope's limit 1/2 is used
        slope = I0.apply(x) - I1.apply(x) / safe
        return grad * (slope * (~zero).to(x.dtype) + zero.to(x.dtype) * 0.5)


def i0(input: Tensor) -> Tensor:
    """I₀(input), the zeroth-order modified Bessel function of the first kind."""
    require_tensor(input, "i0")
    return I0.apply(_floating(input))


def i0_(input: Tensor) -> Tensor:
    """In place: ``input.i0_()``."""
    require_tensor(input, "i0_")
    return input.i0_()


def _gamma_series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The regularized lower incomplete gamma P(a, x) by its series (used for x < a + 1)."""
    term = np.ones_like(x) / a
    total = term.copy()
    n = a.copy()
    for _ in range(10000):
        n = n + 1
        term = term * x / n
        total = total + term
        if np.all(np.abs(term) <= np.abs(total) * 1e-17):
            break
    return total * np.exp(-x + a * np.log(x) - _lgamma_values(a))


def _gamma_fraction(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The regularized upper incomplete gamma Q(a, x) by its continued fraction (modified
    Lentz; used for x >= a + 1)."""
    tiny = 1e-300
    b = x + 1 - a
    c = np.full_like(x, 1 / tiny)
    d = 1 / np.where(b == 0, tiny, b)
    h = d.copy()
    for i in range(1, 10000):
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = 1 / np.where(d == 0, tiny, d)
        c = b + an / np.where(c == 0, tiny, c)
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1) <= 1e-16):
            break
    return np.exp(-x + a * np.log(x) - _lgamma_values(a)) * h


def _igamma_values(a: np.ndarray, x: np.ndarray, upper: bool) -> np.ndarray:
    """P(a, x) (or Q = 1 - P) for a, x > 0, with PyTorch's values at the edges."""
    a64, x64 = np.broadcast_arrays(a.astype(np.float64), x.astype(np.float64))
    with np.errstate(all="ignore"):
        inside = (a64 > 0) & (x64 > 0) & np.isfinite(a64) & np.isfinite(x64)
        aa, xx = np.where(inside, a64, 1.0), np.where(inside, x64, 1.0)
        use_series = xx < aa + 1
        lower = np.where(use_series, _gamma_series(aa, np.where(use_series, xx, 0.5)), 0.0)
        upper_q = np.where(use_series, 0.0, _gamma_fraction(aa, np.where(use_series, aa + 2, xx)))
        p = np.where(use_series, lower, 1 - upper_q)
        q = np.where(use_series, 1 - lower, upper_q)
        value = q if upper else p
        # the edges: P(a, 0) = 0, P(0, x > 0) = 1, P(a, inf) = 1, P(inf, x) = 0; else nan
        edge_p = np.full_like(value, np.nan)
        edge_p = np.where((x64 == 0) & (a64 > 0), 0.0, edge_p)
        edge_p = np.where((a64 == 0) & (x64 > 0), 1.0, edge_p)
        edge_p = np.where(np.isposinf(x64) & (a64 >= 0) & ~np.isposinf(a64), 1.0, edge_p)
        edge_p = np.where(np.isposinf(a64) & (x64 >= 0) & np.isfinite(x64), 0.0, edge_p)
        edge = 1 - edge_p if upper else edge_p
        value = np.where(inside, value, edge)
    return value.astype(np.result_type(a, x))


_IGAMMA_INPUT_GRAD = "the derivative for '{}: input' is not implemented."


class Igamma(NumpyFunction):
    """y = P(a, x) = γ(a, x) / Γ(a), the regularized lower incomplete gamma function (with
    upper: Q = 1 - P); dy/dx = ±x^(a-1) e^(-x) / Γ(a) (no derivative in a, as in PyTorch)"""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, x: np.ndarray, upper: bool) -> np.ndarray:
        ctx.save_for_backward(a, x)
        ctx.upper = upper
        return _igamma_values(a, x, upper)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(
                _IGAMMA_INPUT_GRAD.format("igammac" if ctx.upper else "igamma")
            )
        a = a.detach()
        density = (-x + (a - 1) * x.log() - Lgamma.apply(a)).exp()
        return None, grad * (-density if ctx.upper else density), None


class Igammac(Igamma):
    node_name = "IgammacBackward0"


def _igamma(name: str, fn: type[Igamma], input: Tensor, other: Tensor) -> Tensor:
    from ._util import tensor_cls

    require_tensor(input, name)
    if not isinstance(other, tensor_cls()):
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}"
        )
    dt = np.result_type(input._data.dtype, other._data.dtype)
    if dt.kind != "f":
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Long'")
    a = input if input._data.dtype == dt else to_dtype_op(input, dt)
    x = other if other._data.dtype == dt else to_dtype_op(other, dt)
    return fn.apply(a, x, fn is Igammac)


def igamma(input: Tensor, other: Tensor) -> Tensor:
    """P(input, other), the regularized lower incomplete gamma function (``special.gammainc``)."""
    return _igamma("igamma", Igamma, input, other)


def igammac(input: Tensor, other: Tensor) -> Tensor:
    """Q(input, other) = 1 - P, the regularized upper incomplete gamma function."""
    return _igamma("igammac", Igammac, input, other)


class SpecialMethods:
    """Tensor methods of the special functions."""

    def i0(self) -> Tensor:
        return i0(self)  # type: ignore[arg-type]

    def i0_(self) -> Tensor:
        return self._inplace(i0)  # type: ignore[attr-defined]

    def igamma(self, other: Tensor) -> Tensor:
        return igamma(self, other)  # type: ignore[arg-type]

    def igamma_(self, other: Tensor) -> Tensor:
        return self._inplace(lambda s: igamma(s, other))  # type: ignore[attr-defined]

    def igammac(self, other: Tensor) -> Tensor:
        return igammac(self, other)  # type: ignore[arg-type]

    def igammac_(self, other: Tensor) -> Tensor:
        return self._inplace(lambda s: igammac(s, other))  # type: ignore[attr-defined]

    def lgamma(self) -> Tensor:
        return lgamma(self)  # type: ignore[arg-type]

    def digamma(self) -> Tensor:
        return digamma(self)  # type: ignore[arg-type]

    def polygamma(self, n: int) -> Tensor:
        return polygamma(n, self)  # type: ignore[arg-type]

    def mvlgamma(self, p: int) -> Tensor:
        return mvlgamma(self, p)  # type: ignore[arg-type]

    def erfinv(self) -> Tensor:
        return erfinv(self)  # type: ignore[arg-type]

    def logit(self, eps: float | None = None) -> Tensor:
        return logit(self, eps)  # type: ignore[arg-type]

    def sinc(self) -> Tensor:
        return sinc(self)  # type: ignore[arg-type]

    def lgamma_(self) -> Tensor:
        return self._inplace(lgamma)  # type: ignore[attr-defined]

    def digamma_(self) -> Tensor:
        return self._inplace(digamma)  # type: ignore[attr-defined]

    def polygamma_(self, n: int) -> Tensor:
        return self._inplace(lambda s: polygamma(n, s))  # type: ignore[attr-defined]

    def mvlgamma_(self, p: int) -> Tensor:
        return self._inplace(lambda s: mvlgamma(s, p))  # type: ignore[attr-defined]

    def erfinv_(self) -> Tensor:
        return self._inplace(erfinv)  # type: ignore[attr-defined]

    def logit_(self, eps: float | None = None) -> Tensor:
        return self._inplace(lambda s: logit(s, eps))  # type: ignore[attr-defined]

    def sinc_(self) -> Tensor:
        return self._inplace(sinc)  # type: ignore[attr-defined]
