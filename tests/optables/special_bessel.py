"""torch.special's Bessel functions, airy_ai and zeta (ndgrad.special, from ndgrad.ops._bessel).

i0e, i1, i1e and zeta (in its second argument) are differentiable; the others give results
outside the graph in PyTorch, so their entries compare values only. The references are power
series: summed with ``math.fsum`` where no term cancels much, else summed exactly in rational
arithmetic (``fractions``) and finished in 60-digit decimals (J, Y, Ai: the series of J0(12)
cancels terms of 4e3 to a value of 0.05). tests/test_special_bessel.py has the identities and the
wide ranges.

PyTorch's J0, J1, Y0, Y1 and Ai are off by up to 1e-6 (ops/_bessel.py); their entries compare
with PyTorch to that absolute tolerance (``torch_atol``) and with the exact series to 1e-14.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import numpy as np

from . import OpInfo, Sample


def _series(x: float, term: Any, n: int = 80) -> float:
    return math.fsum(term(k, x) for k in range(n))


def i1_series(a: np.ndarray) -> np.ndarray:
    """I₁(x) = Σ (x/2)^(2k+1) / (k! (k+1)!)."""

    def one(x: float) -> float:
        return _series(
            x, lambda k, x: (x / 2) ** (2 * k + 1) / math.factorial(k) / math.factorial(k + 1)
        )

    return np.vectorize(one, otypes=[np.float64])(a)


def j0_series(a: np.ndarray) -> np.ndarray:
    """J₀(x) = Σ (-1)^k (x/2)^(2k) / (k!)²."""

    def one(x: float) -> float:
        return _series(x, lambda k, x: (-1) ** k * (x / 2) ** (2 * k) / math.factorial(k) ** 2)

    return np.vectorize(one, otypes=[np.float64])(a)


# Digits of π, Euler's γ, Ai(0) and -Ai'(0) (= 1/(3^(2/3) Γ(2/3)) and 1/(3^(1/3) Γ(1/3))).
_PI = Decimal("3.14159265358979323846264338327950288419716939937510582097494")
_EULER_GAMMA = Decimal("0.577215664901532860606512090082402431042159335939923598805767")
_AI0 = Decimal("0.355028053887817239260063186004183176397979174199177")
_AIP0 = Decimal("0.258819403792806798405183560189203963479091138354934")
_TINY = Fraction(1, 10**45)  # a term this small no longer matters at 60 digits


def _decimal(q: Fraction) -> Decimal:
    return Decimal(q.numerator) / Decimal(q.denominator)


def _bessel_sums(x: float, order: int) -> tuple[Fraction, Fraction]:
    """Σ t_k and Σ t_k (H_k + H_(k+order)), exactly, for t_k = (-1)^k (x/2)^(2k+order) /
    (k! (k+order)!) (H the harmonic numbers): J_order is the first sum, Y_order takes both."""
    h = Fraction(x) / 2
    term = h**order / math.factorial(order)
    plain = harmonic = Fraction(0)
    hk, hko = Fraction(0), sum((Fraction(1, j) for j in range(1, order + 1)), Fraction(0))
    k = 0
    while k < 8 or abs(term) >= _TINY:
        plain += term
        harmonic += term * (hk + hko)
        k += 1
        term = -term * h * h / (k * (k + order))
        hk += Fraction(1, k)
        hko += Fraction(1, k + order)
    return plain, harmonic


def j_exact(a: np.ndarray, order: int) -> np.ndarray:
    """J_order (0 or 1) from its power series summed exactly."""

    def one(x: float) -> float:
        with localcontext() as ctx:
            ctx.prec = 60
            return float(_decimal(_bessel_sums(x, order)[0]))

    return np.vectorize(one, otypes=[np.float64])(a)


def y_exact(a: np.ndarray, order: int) -> np.ndarray:
    """Y_order (0 or 1) for x > 0: (2/π)(ln(x/2) + γ) J_order - (1/π) Σ t_k (H_k + H_(k+order)),
    minus 2/(πx) for Y1 (DLMF 10.8.1)."""

    def one(x: float) -> float:
        with localcontext() as ctx:
            ctx.prec = 60
            plain, harmonic = _bessel_sums(x, order)
            log_term = (Decimal(x) / 2).ln() + _EULER_GAMMA
            value = 2 / _PI * log_term * _decimal(plain) - _decimal(harmonic) / _PI
            if order == 1:
                value -= 2 / (_PI * Decimal(x))
            return float(value)

    return np.vectorize(one, otypes=[np.float64])(a)


def ai_exact(a: np.ndarray) -> np.ndarray:
    """Ai(x) = Ai(0) f(x) + Ai'(0) g(x), f = Σ 1·4·…·(3k-2) x^(3k)/(3k)!, g = Σ 2·5·…·(3k-1)
    x^(3k+1)/(3k+1)! (DLMF 9.4.1), summed exactly; for x below about 4 (above, Ai is so small
    that the 51 digits of the constants do not cover the cancellation)."""

    def one(x: float) -> float:
        q = Fraction(x)
        f = g = Fraction(0)
        tf, tg = Fraction(1), q
        k = 0
        while k < 8 or abs(tf) + abs(tg) >= _TINY:
            f += tf
            g += tg
            k += 1
            tf = tf * q**3 / ((3 * k) * (3 * k - 1))
            tg = tg * q**3 / ((3 * k + 1) * (3 * k))
        with localcontext() as ctx:
            ctx.prec = 60
            return float(_AI0 * _decimal(f) - _AIP0 * _decimal(g))

    return np.vectorize(one, otypes=[np.float64])(a)


def zeta_reference(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """ζ(s, q) for s > 1, q > 0: 30 terms summed, then Euler-Maclaurin with five Bernoulli terms
    (PyTorch sums 9 or more terms and uses twelve)."""
    bernoulli = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66]

    def one(s: float, q: float) -> float:
        n = 30
        head = math.fsum((q + k) ** -s for k in range(n))
        a = q + n
        tail = [a ** (1 - s) / (s - 1), 0.5 * a**-s]
        rising = s
        for j, b in enumerate(bernoulli, start=1):
            tail.append(b / math.factorial(2 * j) * rising * a ** (-s - 2 * j + 1))
            rising *= (s + 2 * j - 1) * (s + 2 * j)
        return head + math.fsum(tail)

    return np.vectorize(one, otypes=[np.float64])(s, q)


def _uniform(lo: float, hi: float) -> Any:
    return lambda rng, shape: rng.uniform(lo, hi, shape)


_VALUES = [
    Sample(((2, 3),)),
    Sample(((),)),
    Sample(((4, 3),), non_contiguous=True),
    Sample(((6,),), makers=(_uniform(-30, 30),)),
]


def _values_entry(
    name: str, ref: Any, maker: Any = None, torch_atol: float | None = None
) -> OpInfo:
    """A function PyTorch does not differentiate: values against ``ref`` and against torch."""
    samples = list(_VALUES)
    if maker is not None:
        samples = [Sample(s.shapes, s.kwargs, s.non_contiguous, (maker,)) for s in samples]
    return OpInfo(
        name,
        lambda lib, a: getattr(lib.special, name)(a),
        ref,
        samples,
        gradcheck=False,
        rtol=1e-12,
        atol=1e-14,
        torch_atol=torch_atol,
    )


_TORCH_J_Y_AI = 1e-6  # PyTorch's J, Y and Ai are off by up to 9e-7 (ops/_bessel.py)


_POSITIVE = _uniform(0.05, 30)

OPS = [
    OpInfo(
        "special.i0e",
        lambda lib, a: lib.special.i0e(a),
        lambda a: np.exp(-np.abs(a)) * np.i0(a),
        _VALUES,
        avoid=(0.0,),  # |x|: a kink at 0
        rtol=1e-13,
    ),
    OpInfo(
        "special.i1",
        lambda lib, a: lib.special.i1(a),
        i1_series,
        _VALUES,
        rtol=1e-13,
    ),
    OpInfo(
        "special.i1e",
        lambda lib, a: lib.special.i1e(a),
        lambda a: np.exp(-np.abs(a)) * i1_series(a),
        _VALUES,
        avoid=(0.0,),
        rtol=1e-13,
    ),
    OpInfo(
        "special.zeta",
        lambda lib, x, q: lib.special.zeta(x, q),
        zeta_reference,
        [
            Sample(((2, 3), (2, 3))),
            Sample(((3,), (2, 3))),
            Sample(((2, 1), (1, 3))),
            Sample(((), (4,))),
            Sample(((5,), (5,)), makers=(_uniform(1.1, 40), _uniform(0.01, 50))),
        ],
        domain=(1.5, 4.0),
        differentiable=(1,),  # PyTorch has no derivative in the first argument
        rtol=1e-13,
    ),
    OpInfo(
        "special.zeta_number_input",
        lambda lib, q: lib.special.zeta(2.5, q),
        lambda q: zeta_reference(np.full_like(q, 2.5), q),
        [Sample(((2, 3),)), Sample(((),))],
        domain=(0.5, 4.0),
        rtol=1e-13,
    ),
    OpInfo(
        "special.zeta_number_other",
        lambda lib, x: lib.special.zeta(x, 1.5),
        lambda x: zeta_reference(x, np.full_like(x, 1.5)),
        [Sample(((2, 3),))],
        domain=(1.5, 6.0),
        gradcheck=False,  # the derivative in x is PyTorch's NotImplementedError
        rtol=1e-13,
    ),
    _values_entry("bessel_j0", lambda a: j_exact(a, 0), _uniform(-12, 12), _TORCH_J_Y_AI),
    _values_entry("bessel_j1", lambda a: j_exact(a, 1), _uniform(-12, 12), _TORCH_J_Y_AI),
    _values_entry("bessel_y0", lambda a: y_exact(a, 0), _uniform(0.05, 12), _TORCH_J_Y_AI),
    _values_entry("bessel_y1", lambda a: y_exact(a, 1), _uniform(0.05, 12), _TORCH_J_Y_AI),
    _values_entry("modified_bessel_i0", np.i0),
    _values_entry("modified_bessel_i1", i1_series),
    _values_entry("modified_bessel_k0", None, _POSITIVE),
    _values_entry("modified_bessel_k1", None, _POSITIVE),
    _values_entry("scaled_modified_bessel_k0", None, _POSITIVE),
    _values_entry("scaled_modified_bessel_k1", None, _POSITIVE),
    _values_entry("spherical_bessel_j0", lambda a: np.sin(a) / a),
    _values_entry("airy_ai", ai_exact, _uniform(-20, 4), _TORCH_J_Y_AI),
]
