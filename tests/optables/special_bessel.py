"""torch.special's Bessel functions, airy_ai and zeta (ndgrad.ops._bessel).

i0e, i1, i1e and zeta (in its second argument) are differentiable; the others give results
outside the graph in PyTorch, so their entries compare values only. The numpy references are
power series summed with ``math.fsum`` (tests/test_special_bessel.py has the identities and the
wide ranges).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import ndgrad
import ndgrad.ops._bessel

from . import OpInfo, Sample


def _sp(lib: Any) -> Any:
    """torch.special, or the ndgrad module that holds these functions."""
    return lib.special if lib.__name__ == "torch" else ndgrad.ops._bessel


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


def _values_entry(name: str, ref: Any, maker: Any = None) -> OpInfo:
    """A function PyTorch does not differentiate: values against ``ref`` and against torch."""
    samples = list(_VALUES)
    if maker is not None:
        samples = [Sample(s.shapes, s.kwargs, s.non_contiguous, (maker,)) for s in samples]
    return OpInfo(
        name,
        lambda lib, a: getattr(_sp(lib), name)(a),
        ref,
        samples,
        gradcheck=False,
        rtol=1e-12,
        atol=1e-14,
    )


_POSITIVE = _uniform(0.05, 30)

OPS = [
    OpInfo(
        "special.i0e",
        lambda lib, a: _sp(lib).i0e(a),
        lambda a: np.exp(-np.abs(a)) * np.i0(a),
        _VALUES,
        avoid=(0.0,),  # |x|: a kink at 0
        rtol=1e-13,
    ),
    OpInfo(
        "special.i1",
        lambda lib, a: _sp(lib).i1(a),
        i1_series,
        _VALUES,
        rtol=1e-13,
    ),
    OpInfo(
        "special.i1e",
        lambda lib, a: _sp(lib).i1e(a),
        lambda a: np.exp(-np.abs(a)) * i1_series(a),
        _VALUES,
        avoid=(0.0,),
        rtol=1e-13,
    ),
    OpInfo(
        "special.zeta",
        lambda lib, x, q: _sp(lib).zeta(x, q),
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
        lambda lib, q: _sp(lib).zeta(2.5, q),
        lambda q: zeta_reference(np.full_like(q, 2.5), q),
        [Sample(((2, 3),)), Sample(((),))],
        domain=(0.5, 4.0),
        rtol=1e-13,
    ),
    OpInfo(
        "special.zeta_number_other",
        lambda lib, x: _sp(lib).zeta(x, 1.5),
        lambda x: zeta_reference(x, np.full_like(x, 1.5)),
        [Sample(((2, 3),))],
        domain=(1.5, 6.0),
        gradcheck=False,  # the derivative in x is PyTorch's NotImplementedError
        rtol=1e-13,
    ),
    # PyTorch's J0 is within 1e-14 of the series only below about 2: its rational function
    # drops the leading 1 of Cephes' denominator (1e-8 off at 5; test_special_bessel.py)
    _values_entry("bessel_j0", j0_series, _uniform(-2, 2)),
    _values_entry("bessel_j1", None),
    _values_entry("bessel_y0", None, _POSITIVE),
    _values_entry("bessel_y1", None, _POSITIVE),
    _values_entry("modified_bessel_i0", np.i0),
    _values_entry("modified_bessel_i1", i1_series),
    _values_entry("modified_bessel_k0", None, _POSITIVE),
    _values_entry("modified_bessel_k1", None, _POSITIVE),
    _values_entry("scaled_modified_bessel_k0", None, _POSITIVE),
    _values_entry("scaled_modified_bessel_k1", None, _POSITIVE),
    _values_entry("spherical_bessel_j0", lambda a: np.sin(a) / a),
    _values_entry("airy_ai", None, _uniform(-20, 20)),
]
