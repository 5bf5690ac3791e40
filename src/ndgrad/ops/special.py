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

from .. import _errors
from .._errors import py_type_name
from .._kernels import errors_off, errors_restore, fma_np, libm, quiet, veltkamp_split
from .._namespace import public_dir
from .._tensor import Tensor
from ..dtypes import result_type
from ._bessel import I0
from ._util import dtype_name, require_tensor
from .arithmetic import NumpyFunction, to_dtype_op, where
from .pointwise import apply_by_operands
from .unary import _floating

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


def _lgamma_values(x: np.ndarray) -> np.ndarray:
    def one(v: float) -> float:
        try:
            return math.lgamma(v)
        except ValueError:  # the poles 0, -1, -2, ...
            return math.inf

    return np.vectorize(one, otypes=[np.float64])(x).astype(x.dtype)


def _trigamma_values(x: np.ndarray) -> np.ndarray:
    """ψ⁽¹⁾(x) by PyTorch's steps, so its values agree to the last bit (the general series
    below is more exact, by up to 5e-10 relative): the reflection ψ⁽¹⁾(x) = π²/sin²(πx) -
    ψ⁽¹⁾(1 - x) below 1/2, six steps of ψ⁽¹⁾(x) = 1/x² + ψ⁽¹⁾(x + 1), then the asymptotic
    series to 1/x⁷; in float64 for float64, else in float32."""
    dt = np.float64 if x.dtype == np.float64 else np.float32
    v = x.astype(dt)
    one = dt(1)
    with np.errstate(all="ignore"):
        low = v < dt(0.5)
        sin_pi_x = np.sin(dt(math.pi) * v)
        acc = np.where(low, -(dt(math.pi) * dt(math.pi)) / (sin_pi_x * sin_pi_x), dt(0))
        v = np.where(low, one - v, v)
        for _ in range(6):
            acc = acc + one / (v * v)
            v = v + one
        ixx = one / (v * v)
        tail = ixx * (dt(1 / 6) - ixx * (dt(1 / 30) - ixx * dt(1 / 42)))
        acc = acc + (one + one / (dt(2) * v) + tail) / v
        return np.where(low, -acc, acc).astype(x.dtype)


def _polygamma_values(n: int, x: np.ndarray) -> np.ndarray:
    """ψ⁽ⁿ⁾(x) (n = 0: digamma): shift x up past _SHIFT_TO, then the asymptotic series."""
    if n == 1:
        return _trigamma_values(x)
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


class Digamma(Polygamma):
    """y = ψ(x) (Polygamma with n = 0, under PyTorch's node name); dy/dx = ψ⁽¹⁾(x)"""

    node_name = "DigammaBackward0"


class Mvlgamma(NumpyFunction):
    """y = p(p-1)/4 ln π + Σ_{j<p} ln Γ(x - j/2); dy/dx = Σ_{j<p} ψ(x - j/2)"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, p: int) -> np.ndarray:
        ctx.p = p
        ctx.save_for_backward(x)
        # PyTorch's order: lgamma of x - (p-1)/2, ..., x - 1/2, x summed, then the constant.
        total = np.zeros_like(x)
        for k in range(p):
            total = total + _lgamma_values(x + x.dtype.type(-p / 2 + 0.5 + 0.5 * k))
        return total + x.dtype.type(p * (p - 1) * math.log(math.pi) / 4)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        slope = Polygamma.apply(x, 0)
        for j in range(1, ctx.p):
            slope = slope + Polygamma.apply(x - j / 2, 0)
        return grad * slope, None


def lgamma(input: Tensor) -> Tensor:
    """ln|Γ(input)| (inf at the poles 0, -1, -2, ...)."""
    require_tensor(input, "lgamma")
    return Lgamma.apply(_floating(input))


def digamma(input: Tensor) -> Tensor:
    """ψ(input) = d/dx ln Γ(x) (-inf at 0, inf at -0, nan at the negative integers)."""
    require_tensor(input, "digamma")
    return Digamma.apply(_floating(input), 0)


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
    if input._data.dtype == np.bool_:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return Mvlgamma.apply(_floating(input), int(p))


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
        # PyTorch's clamp: x < lo ? lo : (x > hi ? hi : x), so that an eps above 0.5 (lo > hi)
        # gives lo below lo and hi elsewhere (np.clip gives hi everywhere)
        # A negative eps is no eps.
        eps = None if eps is None or eps < 0 else eps
        z = x if eps is None else np.where(x < eps, eps, np.where(x > 1 - eps, 1 - eps, x))
        ctx.eps = eps
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(z / (1 - z)).astype(x.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        eps = ctx.eps
        lo, hi = (0.0, 1.0) if eps is None else (eps, 1 - eps)
        outside = ((x < lo) | (x > hi)).detach()
        # At 0 and 1, ±inf with grad's sign, as PyTorch's kernel computes it (x (1 - x) is -0
        # at x = -0: divided by +0 instead; a selected grad * inf would make the double
        # backward nan everywhere). Outside the clamp, selected as PyTorch's kernel does, not
        # multiplied by a mask (inf * 0 is nan at 0 or 1 outside [eps, 1 - eps]); without eps,
        # outside [0, 1] is outside the domain.
        edge = ((x == 0) | (x == 1)).detach()
        g = grad / where(edge, 0.0, x * (1 - x))
        return where(outside, math.nan if eps is None else 0.0, g), None


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """ln(p / (1 - p)), the inverse of sigmoid; with ``eps``, p is first clamped to
    [eps, 1 - eps]."""
    require_tensor(input, "logit")
    return Logit.apply(_floating(input), eps)


class Sinc(NumpyFunction):
    """y = sin(πx) / (πx), 1 at 0; dy/dx = (cos(πx) - y) / x, 0 at 0"""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        # float16 computes in float32, as PyTorch's kernel (π·x rounded to float16 is off)
        v = x.astype(np.float32) if x.dtype == np.float16 else x
        y = np.sinc(v).astype(x.dtype)
        ctx.save_for_backward(x)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        # PyTorch's formula, to its rounding: grad (πx cos(πx) - sin(πx)) / (x² π), and 0 where
        # x² π is 0 (at x = 0, and where x² underflows)
        (x,) = ctx.saved_tensors
        px = x * math.pi
        squared = x * x * math.pi
        out = grad * (px * px.cos() - px.sin()) / squared
        return where((squared == 0).detach(), 0.0, out)


def sinc(input: Tensor) -> Tensor:
    """The normalized sinc, sin(πx) / (πx), with sinc(0) = 1."""
    require_tensor(input, "sinc")
    return Sinc.apply(_floating(input))


# --- I0 (its Function and I1, its derivative, live with the Bessel family in ops/_bessel.py) and
# the incomplete gamma function (issue 11) ----------------------------------------------------


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

    forward_ad_refusal = _errors.no_forward_ad_yet("igamma")

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
    forward_ad_refusal = _errors.no_forward_ad_yet("igammac")
    node_name = "IgammacBackward0"


def _igamma(name: str, fn: type[Igamma], input: Tensor, other: Tensor) -> Tensor:
    require_tensor(input, name)
    if not isinstance(other, Tensor):
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {py_type_name(other)}"
        )
    try:
        np.broadcast_shapes(input._data.shape, other._data.shape)
    except ValueError:
        raise _errors.broadcast_mismatch(input._data.shape, other._data.shape) from None
    dt = result_type(input._data, other._data)
    if dt.kind != "f":
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dtype_name(dt)}'")
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


# --- torch.special: the functions that have no top-level torch name ---------------------------
# (ndgrad.special gives them their public names; they stay out of this module's __all__, since
# torch has no torch.entr or torch.ndtri.)
_SQRT_PI = math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)
_SQRT_HALF = math.sqrt(0.5)
_SQRT_HALF_ERR = -4.833646656726457e-17  # 1/√2 - _SQRT_HALF
_ERFCX_SERIES_FROM = 12.0  # erfcx by its asymptotic series from here (exp(x²) overflows at 26.6)

# erf and erfc by the rational approximations of Sun's fdlibm (s_erf.c, 1993, the C library's
# erf and erfc on Linux; each under 1 ulp), evaluated on whole arrays. Coefficients from the
# constant term up. |x| < 0.84375: erf(x) = x + x P(x²)/Q(x²).
_ERF_P = (
    1.28379167095512558561e-01,
    -3.25042107247001499370e-01,
    -2.84817495755985104766e-02,
    -5.77027029648944159157e-03,
    -2.37630166566501626084e-05,
)
_ERF_Q = (
    1.0,
    3.97917223959155352819e-01,
    6.50222499887672944485e-02,
    5.08130628187576562776e-03,
    1.32494738004321644526e-04,
    -3.96022827877536812320e-06,
)
# 0.84375 <= |x| < 1.25: erf(|x|) = c + P(s)/Q(s), s = |x| - 1, c = erf(1) rounded to 24 bits.
_ERF_C = 8.45062911510467529297e-01
_ERF_PA = (
    -2.36211856075265944077e-03,
    4.14856118683748331666e-01,
    -3.72207876035701323847e-01,
    3.18346619901161753674e-01,
    -1.10894694282396677476e-01,
    3.54783043256182359371e-02,
    -2.16637559486879084300e-03,
)
_ERF_QA = (
    1.0,
    1.06420880400844228286e-01,
    5.40397917702171048937e-01,
    7.18286544141962662868e-02,
    1.26171219808761642112e-01,
    1.36370839120290507362e-02,
    1.19844998467991074170e-02,
)
# 1.25 <= x < 1/0.35 (A) and 1/0.35 <= x < 28 (B): erfc(x) = exp(-x² - 0.5625 + R(s)/S(s)) / x,
# s = 1/x², so that erfcx(x) = exp(R(s)/S(s) - 0.5625) / x with no x² at all.
_ERFC_RA = (
    -9.86494403484714822705e-03,
    -6.93858572707181764372e-01,
    -1.05586262253232909814e01,
    -6.23753324503260060396e01,
    -1.62396669462573470355e02,
    -1.84605092906711035994e02,
    -8.12874355063065934246e01,
    -9.81432934416914548592e00,
)
_ERFC_SA = (
    1.0,
    1.96512716674392571292e01,
    1.37657754143519042600e02,
    4.34565877475229228821e02,
    6.45387271733267880336e02,
    4.29008140027567833386e02,
    1.08635005541779435134e02,
    6.57024977031928170135e00,
    -6.04244152148580987438e-02,
)
_ERFC_RB = (
    -9.86494292470009928597e-03,
    -7.99283237680523006574e-01,
    -1.77579549177547519889e01,
    -1.60636384855821916062e02,
    -6.37566443368389627722e02,
    -1.02509513161107724954e03,
    -4.83519191608651397019e02,
)
_ERFC_SB = (
    1.0,
    3.03380607434824582924e01,
    3.25792512996573918826e02,
    1.53672958608443695994e03,
    3.19985821950859553908e03,
    2.55305040643316442583e03,
    4.74528541206955367215e02,
    -2.24409524465858183362e01,
)


def _in_float64(fn: Any, x: np.ndarray) -> np.ndarray:
    """``fn`` of ``x`` computed in float64 on a flat copy and returned in x's shape and dtype,
    with numpy's warnings off (inf and nan come back silently, as in PyTorch)."""
    token = errors_off()
    try:
        flat = x.astype(np.float64).reshape(-1)
        return fn(flat).reshape(x.shape).astype(x.dtype, copy=False)
    finally:
        errors_restore(token)


def _on(mask: np.ndarray, out: np.ndarray, fn: Any, *args: np.ndarray) -> None:
    """out[mask] = fn(*(a[mask] for a in args)) for flat arrays: a branch computed on its own
    elements only (through indices: numpy gathers faster from them than from a random mask)."""
    idx = np.flatnonzero(mask)
    if idx.size == mask.size:  # all of them: no gathering
        out[...] = fn(*args)
    elif idx.size:
        out[idx] = fn(*(a[idx] for a in args))


def _poly(x: np.ndarray, coeffs: tuple[float, ...]) -> np.ndarray:
    """Σ coeffs[k] xᵏ by Horner's rule, in one buffer."""
    acc = x * coeffs[-1]
    for c in coeffs[-2:0:-1]:
        acc += c
        acc *= x
    acc += coeffs[0]
    return acc


def _square_split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x² as hi + lo with hi = fl(x²) and lo its rounding error, exactly (Veltkamp's split of x
    into two 26-bit halves; no fma in numpy). For |x| < 1e150."""
    xh, xl = veltkamp_split(x)
    hi = x * x
    lo = ((xh * xh - hi) + 2 * xh * xl) + xl * xl
    return hi, lo


def _exp_square(x: np.ndarray) -> np.ndarray:
    """exp(x²) as exp(hi)(1 + lo) for x² = hi + lo exactly: exp of the rounded x² would be off
    by x² ulps (100 at x = 10). inf from |x| ≈ 26.6."""
    hi, lo = _square_split(x)
    e = np.exp(hi)
    return np.where(np.isinf(e), e, e + e * lo)


def _erfc_near0(x: np.ndarray) -> np.ndarray:
    """erfc(x) for |x| < 0.84375 (fdlibm: 1/2 - (x - 1/2 + x R) from 1/4 on, where 1 - erf
    would lose bits)."""
    z = x * x
    xr = x * (_poly(z, _ERF_P) / _poly(z, _ERF_Q))
    return np.where(x < 0.25, 1 - (x + xr), 0.5 - (xr + (x - 0.5)))


def _erfc_near1(x: np.ndarray) -> np.ndarray:
    """erfc(x) for 0.84375 <= |x| < 1.25."""
    s = np.abs(x) - 1
    r = _poly(s, _ERF_PA) / _poly(s, _ERF_QA)
    return np.where(x > 0, (1 - _ERF_C) - r, 1 + (_ERF_C + r))


def _erfcx_rational(a: np.ndarray, r: tuple[float, ...], s: tuple[float, ...]) -> np.ndarray:
    z = 1 / (a * a)
    return np.exp(_poly(z, r) / _poly(z, s) - 0.5625) / a


def _erfcx_series(a: np.ndarray) -> np.ndarray:
    """erfcx(a) = 1/(a√π) Σ (-1)^k (2k-1)!! / (2a²)^k for a >= _ERFCX_SERIES_FROM (there the
    16th term is below 1e-17); 0 at inf."""
    u = 1 / (2 * a * a)
    term, total = np.ones_like(a), np.ones_like(a)
    for k in range(1, 17):
        term *= -(2 * k - 1) * u
        total += term
    return total * (1 / _SQRT_PI) / a  # 1/√π first: a√π would overflow for a near 1e308


def _erfcx_far(a: np.ndarray) -> np.ndarray:
    """erfcx(a) for a >= 1.25."""
    out = np.empty_like(a)
    _on(a < 1 / 0.35, out, lambda v: _erfcx_rational(v, _ERFC_RA, _ERFC_SA), a)
    band = (a >= 1 / 0.35) & (a < _ERFCX_SERIES_FROM)
    _on(band, out, lambda v: _erfcx_rational(v, _ERFC_RB, _ERFC_SB), a)
    _on(a >= _ERFCX_SERIES_FROM, out, _erfcx_series, a)
    return out


def _erfcx64(x: np.ndarray) -> np.ndarray:
    """erfcx(x) = exp(x²) erfc(x) for flat float64 x.

    |x| < 1.25: fdlibm's erfc times exp(x²) (x² split exactly). From 1.25: fdlibm's rational
    approximation of log(x erfc(x)) + x², which gives erfcx with no exp(x²) at all, and the
    asymptotic series from _ERFCX_SERIES_FROM. Below -1.25: 2 exp(x²) - erfcx(-x), inf below
    x ≈ -26.6, as exp(x²) overflows."""
    out = x.copy()  # nan stays nan
    a = np.abs(x)
    _on(a < 0.84375, out, lambda v: _erfc_near0(v) * _exp_square(v), x)
    _on((a >= 0.84375) & (a < 1.25), out, lambda v: _erfc_near1(v) * _exp_square(v), x)
    _on(x >= 1.25, out, _erfcx_far, x)
    _on(x <= -1.25, out, lambda v: 2 * _exp_square(v) - _erfcx_far(-v), x)
    return out


class Erfcx(NumpyFunction):
    """y = exp(x²) erfc(x), the scaled complementary error function; dy/dx = 2xy - 2/√π"""

    node_name = "SpecialErfcxBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = _in_float64(_erfcx64, x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x, y = ctx.saved_tensors
        return grad * (2 * x * y - 2 / _SQRT_PI)


def _log_ndtr_low(x: np.ndarray) -> np.ndarray:
    """log Φ(x) for x < -1: log(erfcx(-t)/2) - x²/2 (t = x/√2; Φ itself would underflow), with
    x² split exactly: erfc of the rounded t would be off by 2t² ulps (90 at x = 8, as PyTorch's
    is), erfcx of it by about one."""
    hi, lo = _square_split(np.maximum(x, -1e150))
    half_sq = np.where(x >= -1e150, hi / 2 + lo / 2, x * x / 2)
    return np.log(_erfcx64(x * -_SQRT_HALF) / 2) - half_sq


def _log_ndtr_high(x: np.ndarray) -> np.ndarray:
    """log Φ(x) for x > 1: log1p(-erfc(t)/2), erfc(t) = erfcx(t) exp(-x²/2), x² split exactly."""
    hi, lo = _square_split(np.minimum(x, 1e150))  # beyond ~38.5 the result is -0 anyway
    e = np.exp(-hi / 2)
    return np.log1p(-_erfcx64(x * _SQRT_HALF) * (e - e * lo / 2) / 2)


def _log_ndtr64(x: np.ndarray) -> np.ndarray:
    """log Φ(x), with Φ(x) = erfc(-t)/2 for t = x/√2, for flat float64 x: the tails as
    _log_ndtr_low and _log_ndtr_high; between -1 and 1, log(erfc(-t)/2) or log1p(-erfc(t)/2)."""
    out = -x  # nan stays nan, its sign flipped as by PyTorch's kernel
    _on(x < -1, out, _log_ndtr_low, x)
    _on((x >= -1) & (x < 0), out, lambda v: np.log(_erfc_near0(v * -_SQRT_HALF) / 2), x)
    _on((x >= 0) & (x <= 1), out, lambda v: np.log1p(-_erfc_near0(v * _SQRT_HALF) / 2), x)
    _on(x > 1, out, _log_ndtr_high, x)
    return out


class LogNdtr(NumpyFunction):
    """y = log Φ(x), Φ the standard normal CDF; dy/dx = φ(x)/Φ(x) = exp(-x²/2 - y)/√(2π)"""

    node_name = "SpecialLogNdtrBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = _in_float64(_log_ndtr64, x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        x, y = ctx.saved_tensors
        return grad / _SQRT_2PI * (-(y + x * x / 2)).exp()


# Wichura's AS241 (PPND16; Applied Statistics 37, 1988): Φ⁻¹ to about 1e-16 relative, as the
# start of one Newton step. Coefficients from the constant term up. Central region
# |q - 1/2| <= 0.425: x = v A(r)/B(r), v = q - 1/2, r = 0.180625 - v².
_AS241_A = (
    3.3871328727963666080,
    1.3314166789178437745e2,
    1.9715909503065514427e3,
    1.3731693765509461125e4,
    4.5921953931549871457e4,
    6.7265770927008700853e4,
    3.3430575583588128105e4,
    2.5090809287301226727e3,
)
_AS241_B = (
    1.0,
    4.2313330701600911252e1,
    6.8718700749205790830e2,
    5.3941960214247511077e3,
    2.1213794301586595867e4,
    3.9307895800092710610e4,
    2.8729085735721942674e4,
    5.2264952788528545610e3,
)
# Tails, r = √(-log q): r <= 5, -C(r - 1.6)/D(r - 1.6); beyond, -E(r - 5)/F(r - 5).
_AS241_C = (
    1.42343711074968357734,
    4.63033784615654529590,
    5.76949722146069140550,
    3.64784832476320460504,
    1.27045825245236838258,
    2.41780725177450611770e-1,
    2.27238449892691845833e-2,
    7.74545014278341407640e-4,
)
_AS241_D = (
    1.0,
    2.05319162663775882187,
    1.67638483018380384940,
    6.89767334985100004550e-1,
    1.48103976427480074590e-1,
    1.51986665636164571966e-2,
    5.47593808499534494600e-4,
    1.05075007164441684324e-9,
)
_AS241_E = (
    6.65790464350110377720,
    5.46378491116411436990,
    1.78482653991729133580,
    2.96560571828504891230e-1,
    2.65321895265761230930e-2,
    1.24266094738807843860e-3,
    2.71155556874348757815e-5,
    2.01033439929228813265e-7,
)
_AS241_F = (
    1.0,
    5.99832206555887937690e-1,
    1.36929880922735805310e-1,
    1.48753612908506148525e-2,
    7.86869131145613259100e-4,
    1.84631831751005468180e-5,
    1.42151175831644588870e-7,
    2.04426310338993978564e-15,
)


def _as241_central(q: np.ndarray) -> np.ndarray:
    v = q - 0.5
    r = 0.180625 - v * v
    return v * (_poly(r, _AS241_A) / _poly(r, _AS241_B))


def _as241_tail(q: np.ndarray) -> np.ndarray:
    r = np.sqrt(-np.log(q))
    x = np.empty_like(q)
    _on(r <= 5, x, lambda s: -(_poly(s, _AS241_C) / _poly(s, _AS241_D)), r - 1.6)
    _on(r > 5, x, lambda s: -(_poly(s, _AS241_E) / _poly(s, _AS241_F)), r - 5)
    return x


def _half_root2_times(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x/√2 as the rounded t = fl(x·fl(1/√2)) and its error x/√2 - t (the product's, exact
    from a fused multiply-add, and the constant's own): the Newton steps below correct for it,
    worth an ulp of x."""
    t = x * _SQRT_HALF
    return t, fma_np(x, _SQRT_HALF, -t) + x * _SQRT_HALF_ERR


def _newton_erf(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """One Newton step on erf(x/√2) = 2q - 1 (exact for q >= 1/4, where |x/√2| < 0.48 and erf is
    fdlibm's x + x P/Q): relative accuracy near x = 0, which Φ(x) - q would lose. With t the
    rounded x/√2 and d its error, erf(x/√2) = erf(t) + d erf'(t): the step gains √2 d."""
    t, d = _half_root2_times(x)
    z = t * t
    residual = (t + t * (_poly(z, _ERF_P) / _poly(z, _ERF_Q))) - (2 * q - 1)
    return x - (residual / (math.sqrt(2 / math.pi) * np.exp(-x * x / 2)) + math.sqrt(2) * d)


_PHI_RESIDUAL_FROM = 0.05  # measured: the Φ residual is the more accurate above, log Φ below


def _newton_phi(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """One Newton step on Φ(x) = q for _PHI_RESIDUAL_FROM <= q < 1/4: Φ(x) = erfc(a)/2, a = -x/√2
    in (0.47, 1.17), from fdlibm's erfc and an exact subtraction (the log form's two logarithms
    cost up to 3 ulps of x near q = 1/4). The rounding d of a moves Φ by √2 d φ(x)."""
    t, d = _half_root2_times(x)
    erfc = np.empty_like(t)
    _on(t > -0.84375, erfc, _erfc_near0, -t)
    _on(t <= -0.84375, erfc, _erfc_near1, -t)
    phi = np.exp(-x * x / 2) / _SQRT_2PI  # only the step's size: no need of an exact x²
    return x - ((erfc / 2 - q) / phi + math.sqrt(2) * d)


def _newton_log_phi(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """One Newton step on log Φ(x) = log q for q < _PHI_RESIDUAL_FROM: log Φ(x) = log(erfcx(a)/2)
    - x²/2, a =
    -x/√2 (x² split exactly) stays finite down to the smallest subnormal q, and its slope φ/Φ
    is √(2/π)/erfcx(a). The rounding d of a moves log erfcx by d (2a - 2/(√π erfcx(a)))."""
    t, d = _half_root2_times(x)
    e = _erfcx64(-t)
    hi, lo = _square_split(x)
    residual = ((np.log(e / 2) - np.log(q)) - hi / 2) - lo / 2
    correction = d * (math.sqrt(2 * math.pi) * -t * e - math.sqrt(2))
    return x - (residual * e / math.sqrt(2 / math.pi) - correction)


def _ndtri_inside(p: np.ndarray) -> np.ndarray:
    """Φ⁻¹(p) for 0 < p < 1: on q = min(p, 1 - p) (1 - p is exact for p >= 1/2), Φ⁻¹(1 - q) =
    -Φ⁻¹(q); AS241's value, then one Newton step on an accurate residual. Measured against
    mpmath from the smallest subnormal p to 1: within 2 ulps, mostly 1 (a second step moves
    no value by more than that rounding)."""
    q = np.minimum(p, 1 - p)
    x = np.empty_like(q)
    _on(q >= 0.075, x, _as241_central, q)
    _on(q < 0.075, x, _as241_tail, q)
    _on(q >= 0.25, x, _newton_erf, x, q)
    _on((q < 0.25) & (q >= _PHI_RESIDUAL_FROM), x, _newton_phi, x, q)
    _on(q < _PHI_RESIDUAL_FROM, x, _newton_log_phi, x, q)
    return np.where(p > 0.5, -x, x)


def _ndtri64(p: np.ndarray) -> np.ndarray:
    """Φ⁻¹(p) for flat float64 p: -inf at 0, inf at 1, nan outside [0, 1] and for nan (its sign
    flipped, as by PyTorch's kernel)."""
    inside = (p > 0) & (p < 1)
    if inside.all():
        return _ndtri_inside(p)
    out = np.where(p == 1, np.inf, np.nan)
    out[p == 0] = -np.inf
    out[np.isnan(p)] = -p[np.isnan(p)]
    _on(inside, out, _ndtri_inside, p)
    return out


class Ndtri(NumpyFunction):
    """y = Φ⁻¹(x), the inverse of the standard normal CDF; dy/dx = √(2π) exp(y²/2)"""

    node_name = "SpecialNdtriBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        y = _in_float64(_ndtri64, x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (y,) = ctx.saved_tensors
        return grad * _SQRT_2PI * (y * y / 2).exp()


class Entr(NumpyFunction):
    """y = -x ln x for x > 0, 0 at x = 0, -inf for x < 0; dy/dx = -(1 + ln x)"""

    node_name = "SpecialEntrBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        token = errors_off()
        try:
            y = np.where(x > 0, -x * np.log(x), np.where(x == 0, 0, -np.inf))
            return np.where(np.isnan(x), x, y).astype(x.dtype, copy=False)
        finally:
            errors_restore(token)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad * -(x.log() + 1)


class _Xlog1pyBase(NumpyFunction):
    """y = a log(1 + b), 0 where a = 0 (unless b is nan); dy/da = log1p(b) (0 where a = 0 and
    b ≤ -1, as PyTorch masks it), dy/db = a / (1 + b)"""

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> np.ndarray:
        ctx.save_for_backward(a, b)
        token = errors_off()
        try:
            y = np.where(np.asarray(a) == 0, 0, a * np.log1p(b))
            return np.where(np.isnan(b), np.nan, y).astype(np.result_type(a, b), copy=False)
        finally:
            errors_restore(token)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad_b = None
        if need_a:
            masked = ((a == 0) & (b <= -1)).detach()
            grad_a = where(masked, 0.0, xlog1py(grad, b))
        if need_b:
            grad_b = grad * a / (b + 1)
        return grad_a, grad_b


class Xlog1py(_Xlog1pyBase):
    node_name = "SpecialXlog1PyBackward0"


class Xlog1pyNumberInput(_Xlog1pyBase):
    node_name = "SpecialXlog1PyBackward1"


class Xlog1pyNumberOther(_Xlog1pyBase):
    node_name = "SpecialXlog1PyBackward2"


def _invalid_combination(name: str, params: tuple[str, str], got: tuple[Any, Any]) -> TypeError:
    """PyTorch's TypeError for a binary special function given no tensor (or a non-number)."""
    a, b = params
    return TypeError(
        f"{name}() received an invalid combination of arguments - got "
        f"({type(got[0]).__name__}, {type(got[1]).__name__}), but expected one of:\n"
        f" * (Tensor {a}, Tensor {b}, *, Tensor out = None)\n"
        f" * (Number {'self' if a == 'input' else a}, Tensor {b}, *, Tensor out = None)\n"
        f" * (Tensor {a}, Number {b}, *, Tensor out = None)\n"
    )


def _number(x: Any) -> bool:
    return isinstance(x, int | float | np.generic) and not isinstance(x, complex)


def xlog1py(input: Any, other: Any) -> Tensor:
    """input · log1p(other), 0 where input = 0 (``torch.special.xlog1py``)."""
    T = Tensor
    if not (
        (isinstance(input, T) or _number(input))
        and (isinstance(other, T) or _number(other))
        and (isinstance(input, T) or isinstance(other, T))
    ):
        raise _invalid_combination("special_xlog1py", ("input", "other"), (input, other))
    return apply_by_operands((Xlog1py, Xlog1pyNumberInput, Xlog1pyNumberOther), input, other)


# --- orthogonal polynomials (torch.special.*_polynomial_*) -------------------------------------
# PyTorch evaluates them with no gradient (the results do not require grad). The degree n is
# truncated toward zero to an integer (nan and ±inf become a negative degree, as the C cast
# does on x86), and a negative degree gives 0. The three-term recurrences and, for the Chebyshev
# kinds at large degree inside (-1, 1), the trigonometric closed forms are the ones PyTorch
# evaluates, in the same order, so that values agree to the last bit where both are exact.


def _degrees(n: np.ndarray) -> np.ndarray:
    """n as int64, truncated toward 0; nan, ±inf and out-of-range values become -1."""
    if n.dtype.kind in "iub":
        return n.astype(np.int64)
    token = errors_off()
    try:
        ok = np.isfinite(n) & (np.abs(n) < 2.0**63)
        return np.where(ok, np.trunc(np.where(ok, n, 0)), -1).astype(np.int64)
    finally:
        errors_restore(token)


def _recurrence(n: np.ndarray, first: np.ndarray, step: Any) -> np.ndarray:
    """P_n from P_0 = 1, P_1 = ``first`` and P_{k+1} = step(k, P_{k-1}, P_k), element by
    element up to the largest degree in n (0 where n < 0)."""
    one = np.ones_like(first)
    out = np.where(n == 0, one, np.where(n == 1, first, np.zeros_like(first)))
    top = int(n.max(initial=0))
    prev, cur = one, first
    for k in range(1, top):
        prev, cur = cur, step(k, prev, cur)
        out = np.where(n == k + 1, cur, out)
    return out


def _in_libm(fn: Any) -> Any:
    """``fn`` of the math module over an array, in its dtype: the C library's cos, sin and acos,
    which PyTorch's kernels call (numpy's own may differ in the last bit)."""
    return lambda v: libm(fn, v).astype(v.dtype, copy=False)


_COS, _SIN, _ACOS = _in_libm(math.cos), _in_libm(math.sin), _in_libm(math.acos)


def _parity(n: np.ndarray, even: Any, odd: Any) -> Any:
    return np.where(n % 2 == 0, even, odd)


def _chebyshev(kind: str, y: np.ndarray, n: np.ndarray, trig_from: int) -> np.ndarray:
    """T, U, V or W of y at degree n: the recurrence P_{k+1} = 2y P_k - P_{k-1}, and the closed
    forms in θ = acos(y) for n > trig_from and |y| < 1."""
    two_y = y + y
    first = {"t": y, "u": two_y, "v": two_y - 1, "w": two_y + 1}[kind]
    value = _recurrence(n, first, lambda k, p, q: fma_np(two_y, q, -p))
    nf = n.astype(y.dtype)
    inside = (n > trig_from) & (np.abs(y) < 1)
    if inside.any():
        theta = _ACOS(np.where(inside, y, 0))
        if kind == "t":
            trig = _COS(nf * theta)
        elif kind == "u":
            s = _SIN(theta)
            trig = np.where(
                s != 0,
                _SIN((nf + 1) * theta) / np.where(s != 0, s, 1),
                (nf + 1) * _COS((nf + 1) * theta) / np.where(y != 0, y, 1),
            )
        elif kind == "v":
            half = theta / 2
            trig = np.where(
                _SIN(half) != 1,
                _COS((nf + 0.5) * theta) / _COS(half),
                _parity(n, nf + nf + 1, -(nf + nf + 1)),
            )
        else:
            half = theta / 2
            trig = np.where(
                _COS(half) != 1,
                _SIN((nf + 0.5) * theta) / _SIN(half),
                np.where(y > 0, nf + nf + 1, _parity(n, 1, -1)),
            )
        value = np.where(inside, trig, value)
    return value.astype(y.dtype, copy=False)


def _chebyshev_edges(kind: str, at_one: np.ndarray, at_minus: np.ndarray, n: np.ndarray) -> Any:
    """The values PyTorch returns at y = 1 and y = -1 (for the shifted kinds: x = 1 and 0)."""
    nf = n.astype(np.float64)
    if kind == "t":
        plus, minus = np.ones_like(nf), _parity(n, 1.0, -1.0)
    elif kind == "u":
        plus, minus = nf + 1, _parity(n, nf + 1, -(nf + 1))
    elif kind == "v":
        plus, minus = np.ones_like(nf), _parity(n, nf + nf + 1, -(nf + nf + 1))
    else:
        plus, minus = nf + nf + 1, _parity(n, 1.0, -1.0)
    return np.where(at_one, plus, np.where(at_minus, minus, np.nan))


def chebyshev_values(kind: str, x: np.ndarray, n: np.ndarray, shifted: bool) -> np.ndarray:
    """The Chebyshev polynomial of the first (t), second (u), third (v) or fourth (w) kind at
    x, or at 2x - 1 when ``shifted``, for integer degrees n (x, n broadcast, x floating)."""
    token = errors_off()
    try:
        y = (x + x - 1) if shifted else x
        if shifted:
            trig_from = {"t": 6, "u": 6, "v": 6, "w": 4}[kind]
            at_one, at_minus = x == 1, x == 0
        else:
            trig_from = {"t": 6, "u": 8, "v": 8, "w": 8}[kind]
            at_one, at_minus = x == 1, x == -1
        value = _chebyshev(kind, y, n, trig_from)
        edges = _chebyshev_edges(kind, at_one, at_minus, n)
        value = np.where(at_one | at_minus, edges.astype(x.dtype), value)
        return np.where(n < 0, 0, value).astype(x.dtype, copy=False)
    finally:
        errors_restore(token)


def hermite_h_values(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The physicists' Hermite polynomial: H_{k+1} = 2x H_k - 2k H_{k-1}."""
    two_x = x + x
    return quiet(_recurrence, n, two_x, lambda k, p, q: fma_np(two_x, q, -((k + k) * p)))


def hermite_he_values(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The probabilists' Hermite polynomial: He_{k+1} = x He_k - k He_{k-1}."""
    return quiet(_recurrence, n, x, lambda k, p, q: fma_np(x, q, -(k * p)))


def laguerre_values(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The Laguerre polynomial: L_{k+1} = ((2k + 1 - x) L_k - k L_{k-1}) / (k + 1); 1 at x = 0."""
    one_minus = 1 - x
    value = quiet(
        _recurrence,
        n,
        one_minus,
        lambda k, p, q: fma_np((k + k) + one_minus, q, -(k * p)) / (k + 1),
    )
    return np.where(n < 0, 0, np.where(x == 0, 1, value)).astype(x.dtype, copy=False)


def legendre_values(x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The Legendre polynomial: P_{k+1} = ((2k + 1) x P_k - k P_{k-1}) / (k + 1);
    P_n(1) = 1, P_n(-1) = (-1)^n."""
    value = quiet(_recurrence, n, x, lambda k, p, q: fma_np((k + k + 1) * x, q, -(k * p)) / (k + 1))
    edge = np.where(x == 1, 1, _parity(n, 1, -1))
    value = np.where(np.abs(x) == 1, edge, value)
    return np.where(n < 0, 0, value).astype(x.dtype, copy=False)
