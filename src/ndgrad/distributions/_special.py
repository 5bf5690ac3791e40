"""Numerics in numpy for the gamma family: the regularised incomplete gamma P(a, x) and its
complement Q(a, x), and the implicit reparameterisation derivative of a Gamma(a, 1) draw.

P is summed by its power series where x < a + 1 and Q by its continued fraction (modified
Lentz) elsewhere, each where it converges fast and keeps full relative precision (Numerical
Recipes §6.2). Everything is computed in float64.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["gammainc", "gammaincc", "standard_gamma_grad"]

_EPS = 2e-16
_TINY = 1e-300
_MAX_ITER = 5000
_lgamma = np.vectorize(lambda v: math.lgamma(v) if v > 0 else math.inf, otypes=[np.float64])


def _log_prefactor(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log(xᵃ e⁻ˣ / Γ(a))"""
    with np.errstate(divide="ignore", invalid="ignore"):
        return a * np.log(x) - x - _lgamma(a)


def _series_p(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x) = xᵃ e⁻ˣ / Γ(a) · Σₙ xⁿ / (a (a+1) … (a+n))"""
    term = 1.0 / a
    total = term.copy()
    ap = a.copy()
    active = np.arange(a.size)  # the elements still summing (flat indices)
    a_f, x_f, ap_f, term_f = a.ravel(), x.ravel(), ap.ravel(), term.ravel()
    total_f = total.ravel()
    for _ in range(_MAX_ITER):
        ap_f[active] += 1
        term_f[active] *= x_f[active] / ap_f[active]
        total_f[active] += term_f[active]
        active = active[np.abs(term_f[active]) > np.abs(total_f[active]) * _EPS]
        if not active.size:
            break
    return total_f.reshape(a.shape) * np.exp(_log_prefactor(a_f, x_f).reshape(a.shape))


def _fraction_q(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) = xᵃ e⁻ˣ / Γ(a) · 1/(x+1-a- 1·(1-a)/(x+3-a- 2·(2-a)/(x+5-a- …)))"""
    a_f, x_f = a.ravel(), x.ravel()
    b = x_f + 1 - a_f
    c = np.full_like(x_f, 1 / _TINY)
    d = 1 / np.where(np.abs(b) < _TINY, _TINY, b)
    h = d.copy()
    active = np.arange(a_f.size)
    for i in range(1, _MAX_ITER):
        an = -i * (i - a_f[active])
        b[active] += 2
        dd = an * d[active] + b[active]
        dd = np.where(np.abs(dd) < _TINY, _TINY, dd)
        cc = b[active] + an / c[active]
        cc = np.where(np.abs(cc) < _TINY, _TINY, cc)
        d[active] = 1 / dd
        c[active] = cc
        delta = d[active] * cc
        h[active] *= delta
        active = active[np.abs(delta - 1) > _EPS]
        if not active.size:
            break
    return (h * np.exp(_log_prefactor(a_f, x_f))).reshape(a.shape)


def _p_or_minus_q(a: np.ndarray, x: np.ndarray, use_series: np.ndarray) -> np.ndarray:
    """P(a, x) where use_series, else -Q(a, x) = P(a, x) - 1: the same derivatives in a."""
    out = np.zeros(np.broadcast_shapes(a.shape, x.shape))
    a, x = np.broadcast_to(a, out.shape), np.broadcast_to(x, out.shape)
    if use_series.any():
        out[use_series] = _series_p(a[use_series], x[use_series])
    rest = ~use_series
    if rest.any():
        out[rest] = -_fraction_q(a[rest], x[rest])
    return out


def gammainc(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The regularised lower incomplete gamma P(a, x) = γ(a, x) / Γ(a)."""
    a64, x64 = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    xpos = np.where(x64 > 0, x64, 1.0)
    series = xpos < a64 + 1
    value = _p_or_minus_q(a64, xpos, series)
    value = np.where(series, value, 1 + value)
    value = np.where(x64 <= 0, 0.0, value)
    return np.where(np.isposinf(x64), 1.0, value)


def gammaincc(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) = 1 - P(a, x), accurate in the upper tail."""
    a64, x64 = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    xpos = np.where(x64 > 0, x64, 1.0)
    series = xpos < a64 + 1
    value = _p_or_minus_q(a64, xpos, series)
    value = np.where(series, 1 - value, -value)
    value = np.where(x64 <= 0, 1.0, value)
    return np.where(np.isposinf(x64), 0.0, value)


def standard_gamma_grad(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dx/da for x ~ Gamma(a, 1) held at a fixed quantile u = P(a, x):
    dx/da = -(∂P/∂a)(a, x) / p(x; a), with p the density xᵃ⁻¹ e⁻ˣ / Γ(a).

    ∂P/∂a is a central difference on whichever of P or -Q is accurate at (a, x), refined by one
    Richardson step (error O(h⁴) with h = 10⁻³ a, about 1e-10 relative)."""
    a64, x64 = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    series = x64 < a64 + 1

    def central(h: np.ndarray) -> np.ndarray:
        return (_p_or_minus_q(a64 + h, x64, series) - _p_or_minus_q(a64 - h, x64, series)) / (2 * h)

    h = 1e-3 * a64
    dp_da = (4 * central(h / 2) - central(h)) / 3
    log_density = _log_prefactor(a64, x64) - np.log(x64)
    return -dp_da * np.exp(-log_density)
