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

from ._util import default_float, require_tensor
from .arithmetic import NumpyFunction, to_dtype_op

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["digamma", "erfinv", "lgamma", "logit", "mvlgamma", "polygamma", "sinc"]

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
        poles = (v <= 0) & (v == np.floor(v))
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
            value = np.where(poles, np.where(v == 0, -np.inf, np.nan), value)
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
    """ψ(input) = d/dx ln Γ(x) (-inf at 0, nan at the negative integers)."""
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


class SpecialMethods:
    """Tensor methods of the special functions."""

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
