"""torch.special (ndgrad.special): the functions only it has (entr, erfcx, log_ndtr, ndtr, ndtri,
xlog1py, multigammaln), the top-level ops under their special names, and the orthogonal
polynomials (values only: PyTorch gives them no gradient).

The references are numpy with ``math.erf``/``math.erfc`` and independent formulas: erfcx as
exp(x²) erfc(x) on moderate x, ndtri by bisection on Φ, the polynomials by numpy.polynomial
(T, H, He, L, P) and the trigonometric closed forms (U, V, W)."""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import chebyshev, hermite, hermite_e, laguerre, legendre

from . import OpInfo, Sample

_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])
_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])


def _np_ndtr(x):
    return 0.5 * _erfc(-x / math.sqrt(2))


def _np_ndtri(p):
    """Bisection on Φ: 200 halvings of [-40, 40] pin every float64 down. Above 1/2, -Φ⁻¹(1 - p)
    (1 - p is exact there, and Φ near 1 would be too coarse to bisect on)."""
    if np.any(p > 0.5):
        return np.where(
            p > 0.5, -_np_ndtri(np.where(p > 0.5, 1 - p, 0.5)), _np_ndtri(np.minimum(p, 0.5))
        )
    lo, hi = np.full_like(p, -40.0), np.full_like(p, 40.0)
    for _ in range(200):
        mid = (lo + hi) / 2
        below = _np_ndtr(mid) < p
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return (lo + hi) / 2


def _np_xlog1py(a, b):
    return np.where(a == 0, 0.0, a * np.log1p(b))


def _np_softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _theta(x):
    return np.arccos(np.clip(x, -1, 1))


def _unit(n):
    return [0] * n + [1]


# Polynomial references at x in (-1, 1) (shifted: x in (0, 1)); n a number.
def _ref_t(x, n):
    return chebyshev.chebval(x, _unit(n))


def _ref_u(x, n):
    t = _theta(x)
    return np.sin((n + 1) * t) / np.sin(t)


def _ref_v(x, n):
    t = _theta(x)
    return np.cos((n + 0.5) * t) / np.cos(t / 2)


def _ref_w(x, n):
    t = _theta(x)
    return np.sin((n + 0.5) * t) / np.sin(t / 2)


_POLYNOMIALS = {
    "chebyshev_polynomial_t": _ref_t,
    "chebyshev_polynomial_u": _ref_u,
    "chebyshev_polynomial_v": _ref_v,
    "chebyshev_polynomial_w": _ref_w,
    "hermite_polynomial_h": lambda x, n: hermite.hermval(x, _unit(n)),
    "hermite_polynomial_he": lambda x, n: hermite_e.hermeval(x, _unit(n)),
    "laguerre_polynomial_l": lambda x, n: laguerre.lagval(x, _unit(n)),
    "legendre_polynomial_p": lambda x, n: legendre.legval(x, _unit(n)),
}


def _shifted(ref):
    return lambda x, n: ref(2 * x - 1, n)


def _degrees(rng, shape):
    return rng.integers(0, 12, size=shape)


def _polynomial_ops() -> list[OpInfo]:
    ops = []
    for name, ref in _POLYNOMIALS.items():
        for shifted in (False, True) if name.startswith("chebyshev") else (False,):
            full = f"shifted_{name}" if shifted else name
            r = _shifted(ref) if shifted else ref
            domain = (0.02, 0.98) if shifted else (-0.98, 0.98)

            def op(lib, x, n, full=full):
                return getattr(lib.special, full)(x, n)

            def ref_tensor_n(x, n, r=r):
                return np.vectorize(lambda v, d: float(r(np.float64(v), int(d))))(x, n)

            ops += [
                OpInfo(
                    full,
                    op,
                    r,
                    [Sample(((2, 3),), {"n": k}) for k in (0, 1, 3, 7, 10, 12)]
                    + [Sample(((),), {"n": 4}), Sample(((3, 2),), {"n": 5}, non_contiguous=True)],
                    domain=domain,
                    gradcheck=False,
                    rtol=1e-11,
                    atol=1e-9,
                ),
                OpInfo(
                    f"{full}_n_tensor",
                    op,
                    ref_tensor_n,
                    [
                        Sample(((2, 3), (2, 3)), makers=(None, _degrees)),
                        Sample(((3, 1), (4,)), makers=(None, _degrees)),
                    ],
                    domain=domain,
                    gradcheck=False,
                    rtol=1e-11,
                    atol=1e-9,
                ),
            ]
    return ops


SHAPES = [Sample(((2, 3),)), Sample(((),)), Sample(((3, 2),), non_contiguous=True)]
BROADCAST = [
    Sample(((2, 3), (2, 3))),
    Sample(((2, 1), (1, 3))),
    Sample(((4, 3), (3,))),
    Sample(((), (2,))),
]

OPS = [
    OpInfo(
        "special.entr",
        lambda lib, a: lib.special.entr(a),
        lambda a: -a * np.log(a),
        SHAPES,
        domain=(0.05, 3.0),
    ),
    OpInfo(
        "special.erfcx",
        lambda lib, a: lib.special.erfcx(a),
        lambda a: np.exp(a * a) * _erfc(a),
        [*SHAPES, Sample(((6,),), makers=(lambda rng, s: rng.uniform(-4, 8, s),))],
        rtol=1e-13,
    ),
    OpInfo(
        "special.log_ndtr",
        lambda lib, a: lib.special.log_ndtr(a),
        lambda a: np.log(_np_ndtr(a)),
        [*SHAPES, Sample(((6,),), makers=(lambda rng, s: rng.uniform(-20, 6, s),))],
        domain=(-4.0, 4.0),
        rtol=1e-13,
    ),
    OpInfo("special.ndtr", lambda lib, a: lib.special.ndtr(a), _np_ndtr, SHAPES, domain=(-3, 3)),
    OpInfo(
        "special.ndtri",
        lambda lib, a: lib.special.ndtri(a),
        _np_ndtri,
        SHAPES,
        domain=(0.02, 0.98),
        rtol=1e-13,
    ),
    OpInfo(  # the tails: values only (finite differences cannot follow ndtri to 1e-600)
        "special.ndtri_tails",
        lambda lib, a: lib.special.ndtri(a),
        _np_ndtri,
        [
            Sample(((5,),), makers=(lambda rng, s: np.exp(rng.uniform(-700, -1, s)),)),
            Sample(((5,),), makers=(lambda rng, s: 1 - np.exp(rng.uniform(-30, -1, s)),)),
        ],
        gradcheck=False,
        rtol=1e-13,
    ),
    OpInfo(
        "special.xlog1py",
        lambda lib, a, b: lib.special.xlog1py(a, b),
        _np_xlog1py,
        BROADCAST,
        domain=(-0.5, 2.0),
    ),
    OpInfo(
        "special.xlog1py_number_input",
        lambda lib, b: lib.special.xlog1py(2.5, b),
        lambda b: _np_xlog1py(2.5, b),
        [Sample(((2, 3),))],
        domain=(-0.5, 2.0),
    ),
    OpInfo(
        "special.xlog1py_number_other",
        lambda lib, a: lib.special.xlog1py(a, 0.75),
        lambda a: _np_xlog1py(a, 0.75),
        [Sample(((2, 3),))],
    ),
    OpInfo(
        "special.xlogy",
        lambda lib, a, b: lib.special.xlogy(a, b),
        lambda a, b: a * np.log(b),
        BROADCAST[:2],
        domain=(0.2, 2.0),
    ),
    OpInfo(
        "special.multigammaln",
        lambda lib, a, p: lib.special.multigammaln(a, p),
        lambda a, p: sum(_lgamma(a - j / 2) for j in range(p)) + p * (p - 1) / 4 * np.log(np.pi),
        [Sample(((2, 3),), {"p": 1}), Sample(((4,),), {"p": 3}), Sample(((),), {"p": 2})],
        domain=(1.6, 4.0),
    ),
    OpInfo(
        "special.expit", lambda lib, a: lib.special.expit(a), lambda a: 1 / (1 + np.exp(-a)), SHAPES
    ),
    OpInfo(
        "special.gammaln", lambda lib, a: lib.special.gammaln(a), _lgamma, SHAPES, domain=(0.3, 4.0)
    ),
    OpInfo("special.psi", lambda lib, a: lib.special.psi(a), None, SHAPES, domain=(0.3, 4.0)),
    OpInfo(
        "special.digamma",
        lambda lib, a: lib.special.digamma(a),
        None,
        SHAPES[:1],
        domain=(0.3, 4.0),
    ),
    OpInfo(
        "special.polygamma",
        lambda lib, a: lib.special.polygamma(2, a),
        None,
        SHAPES[:1],
        domain=(0.3, 4.0),
    ),
    OpInfo("special.erf", lambda lib, a: lib.special.erf(a), _erf, SHAPES[:1]),
    OpInfo("special.erfc", lambda lib, a: lib.special.erfc(a), _erfc, SHAPES[:1]),
    OpInfo(
        "special.erfinv", lambda lib, a: lib.special.erfinv(a), None, SHAPES[:1], domain=(-0.9, 0.9)
    ),
    OpInfo("special.exp2", lambda lib, a: lib.special.exp2(a), np.exp2, SHAPES[:1]),
    OpInfo("special.expm1", lambda lib, a: lib.special.expm1(a), np.expm1, SHAPES[:1]),
    OpInfo(
        "special.log1p",
        lambda lib, a: lib.special.log1p(a),
        np.log1p,
        SHAPES[:1],
        domain=(-0.5, 2.0),
    ),
    OpInfo(
        "special.logit",
        lambda lib, a: lib.special.logit(a),
        lambda a: np.log(a / (1 - a)),
        SHAPES[:1],
        domain=(0.1, 0.9),
    ),
    OpInfo("special.sinc", lambda lib, a: lib.special.sinc(a), np.sinc, SHAPES[:1]),
    OpInfo("special.i0", lambda lib, a: lib.special.i0(a), np.i0, SHAPES[:1]),
    OpInfo(
        "special.round",
        lambda lib, a, **kw: lib.special.round(a, **kw),
        lambda a, decimals=0: np.round(a, decimals),
        [Sample(((2, 3),)), Sample(((2, 3),), {"decimals": 1})],
        avoid=(-1.5, -0.5, 0.5, 1.5),
    ),
    OpInfo(
        "special.gammainc",
        lambda lib, a, x: lib.special.gammainc(a, x),
        None,
        [Sample(((2, 3), (2, 3)))],
        domain=(0.5, 3.0),
        differentiable=(1,),
        rtol=1e-9,
    ),
    OpInfo(
        "special.gammaincc",
        lambda lib, a, x: lib.special.gammaincc(a, x),
        None,
        [Sample(((2, 1), (3,)))],
        domain=(0.5, 3.0),
        differentiable=(1,),
        rtol=1e-9,
    ),
    OpInfo(
        "special.softmax",
        lambda lib, a, dim: lib.special.softmax(a, dim),
        _np_softmax,
        [Sample(((2, 3),), {"dim": 1}), Sample(((2, 3),), {"dim": 0})],
    ),
    OpInfo(
        "special.log_softmax",
        lambda lib, a, dim: lib.special.log_softmax(a, dim),
        lambda a, dim: np.log(_np_softmax(a, dim)),
        [Sample(((2, 3),), {"dim": -1})],
    ),
    OpInfo(
        "special.logsumexp",
        lambda lib, a, dim, **kw: lib.special.logsumexp(a, dim, **kw),
        lambda a, dim, keepdim=False: np.log(np.exp(a).sum(axis=dim, keepdims=keepdim)),
        [Sample(((2, 3),), {"dim": 1}), Sample(((2, 3),), {"dim": (0, 1), "keepdim": True})],
    ),
    *_polynomial_ops(),
]
