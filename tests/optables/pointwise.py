"""The pointwise ops (ndgrad/ops/pointwise.py, plus div's rounding modes and sign).

Domains keep inputs off singular points; ``avoid`` and the makers below keep them off kinks and
jumps (rounding steps, fmod/remainder wrap-arounds), where finite differences mean nothing.
"""

from __future__ import annotations

import math

import numpy as np

from . import OpInfo, Sample
from .foundation import _binary, _unary

EMPTY_UNARY = [Sample(((0,),)), Sample(((2, 0),))]


def _unary_all():
    return _unary() + EMPTY_UNARY


def _binary_all():
    return [*_binary(), Sample(((0, 3), (3,))), Sample(((2, 0), (2, 1)))]


def _dividend(rng, shape):
    """±(k + u), k in {0, 1, 2}, u in (0.2, 0.8): a/b stays inside one step for b near 1."""
    k = rng.integers(0, 3, size=shape)
    u = rng.uniform(0.2, 0.8, size=shape)
    return np.where(rng.random(size=shape) < 0.5, -1.0, 1.0) * (k + u)


def _divisor(rng, shape):
    """Near 1, both signs: with _dividend, a/b never crosses an integer."""
    return np.where(rng.random(size=shape) < 0.5, -1.0, 1.0) * rng.uniform(0.95, 1.05, size=shape)


def _scaled_dividend(scale):
    return lambda rng, shape: _dividend(rng, shape) * scale


def _near_tenths(rng, shape):
    """Within 0.03 of a multiple of 0.1: away from round(decimals=1)'s halfway steps."""
    return (rng.integers(-20, 21, size=shape) + rng.uniform(-0.3, 0.3, size=shape)) / 10


def _near_hundreds(rng, shape):
    return (rng.integers(-5, 6, size=shape) + rng.uniform(-0.3, 0.3, size=shape)) * 100


def _low(rng, shape):
    return rng.uniform(-1.5, -0.2, size=shape)


def _high(rng, shape):
    return rng.uniform(0.2, 1.5, size=shape)


def _mod_samples():
    shapes = [((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((2, 1), (1, 3)), ((4, 3), (3,))]
    shapes += [((2, 3, 4), (4,)), ((3,), ())]
    return [Sample(s, makers=(_dividend, _divisor)) for s in shapes]


def _mod_scalar_samples(scale):
    maker = _scaled_dividend(scale)
    return [Sample((s,), makers=(maker,)) for s in [(), (3,), (2, 3), (2, 3, 4)]]


TERNARY_SHAPES = [
    ((), (), ()),
    ((3,), (3,), (3,)),
    ((2, 3), (3,), (2, 1)),
    ((2, 1, 4), (3, 1), (4,)),
]


def _clamp_samples():
    # PyTorch's own clamp backward fails when the bounds broadcast the input to a larger shape,
    # so the input has the full shape here.
    shapes = [*TERNARY_SHAPES[:3], ((2, 3, 4), (3, 1), (4,)), ((0, 3), (3,), (3,))]
    return [Sample(s, makers=(None, _low, _high)) for s in shapes]


def _erf(a):
    return np.vectorize(math.erf, otypes=[np.float64])(a)


def _np_rounded_div(mode):
    def ref(a, b):
        q = a / b
        return np.floor(q) if mode == "floor" else np.trunc(q)

    return ref


def _np_lerp(s, e, w):
    return s + w * (e - s)


def _np_clamp(x, lo=None, hi=None):
    y = x if lo is None else np.maximum(x, lo)
    return y if hi is None else np.minimum(y, hi)


_ROUNDING_AVOID = (-2.0, -1.0, 0.0, 1.0, 2.0)
_HALVES = (-1.5, -0.5, 0.5, 1.5)

OPS = [
    OpInfo("exp2", lambda lib, a: lib.exp2(a), np.exp2, _unary_all()),
    OpInfo("expm1", lambda lib, a: a.expm1(), np.expm1, _unary_all()),
    OpInfo("log2", lambda lib, a: a.log2(), np.log2, _unary(), domain=(0.5, 2.0)),
    OpInfo("log10", lambda lib, a: lib.log10(a), np.log10, _unary(), domain=(0.5, 2.0)),
    OpInfo("log1p", lambda lib, a: lib.log1p(a), np.log1p, _unary(), domain=(-0.5, 2.0)),
    OpInfo("rsqrt", lambda lib, a: a.rsqrt(), lambda a: 1 / np.sqrt(a), _unary(), domain=(0.5, 2)),
    OpInfo("square", lambda lib, a: lib.square(a), np.square, _unary_all()),
    OpInfo(
        "reciprocal", lambda lib, a: a.reciprocal(), np.reciprocal, _unary(), avoid=(0,), gap=0.3
    ),
    OpInfo("sin", lambda lib, a: a.sin(), np.sin, _unary_all()),
    OpInfo("cos", lambda lib, a: lib.cos(a), np.cos, _unary_all()),
    OpInfo("tan", lambda lib, a: lib.tan(a), np.tan, _unary(), domain=(-1.2, 1.2)),
    OpInfo("asin", lambda lib, a: lib.asin(a), np.arcsin, _unary(), domain=(-0.9, 0.9)),
    OpInfo("acos", lambda lib, a: a.acos(), np.arccos, _unary(), domain=(-0.9, 0.9)),
    OpInfo("atan", lambda lib, a: lib.atan(a), np.arctan, _unary_all()),
    OpInfo("arctan", lambda lib, a: lib.arctan(a), np.arctan, _unary()[:2]),
    OpInfo("sinh", lambda lib, a: a.sinh(), np.sinh, _unary()),
    OpInfo("cosh", lambda lib, a: lib.cosh(a), np.cosh, _unary()),
    OpInfo("asinh", lambda lib, a: lib.asinh(a), np.arcsinh, _unary()),
    OpInfo("acosh", lambda lib, a: a.acosh(), np.arccosh, _unary(), domain=(1.1, 3.0)),
    OpInfo("atanh", lambda lib, a: lib.atanh(a), np.arctanh, _unary(), domain=(-0.9, 0.9)),
    OpInfo("erf", lambda lib, a: lib.erf(a), _erf, _unary_all()),
    OpInfo("floor", lambda lib, a: a.floor(), np.floor, _unary_all(), avoid=_ROUNDING_AVOID),
    OpInfo("ceil", lambda lib, a: lib.ceil(a), np.ceil, _unary(), avoid=_ROUNDING_AVOID),
    OpInfo("trunc", lambda lib, a: lib.trunc(a), np.trunc, _unary(), avoid=_ROUNDING_AVOID),
    OpInfo("round", lambda lib, a: lib.round(a), np.round, _unary(), avoid=_HALVES),
    OpInfo(
        "round_decimals",
        lambda lib, a: lib.round(a, decimals=1),
        lambda a: np.round(a, 1),
        [Sample((s,), makers=(_near_tenths,)) for s in [(), (3,), (2, 3)]],
    ),
    OpInfo(
        "round_negative_decimals",
        lambda lib, a: a.round(decimals=-2),
        lambda a: np.round(a, -2),
        [Sample(((2, 3),), makers=(_near_hundreds,))],
    ),
    OpInfo("frac", lambda lib, a: a.frac(), lambda a: a - np.trunc(a), _unary(), avoid=(-1, 0, 1)),
    OpInfo("sign", lambda lib, a: lib.sign(a), np.sign, _unary_all(), avoid=(0,)),
    OpInfo(
        "clamp_numbers",
        lambda lib, a: a.clamp(-0.5, 0.75),
        lambda a: np.clip(a, -0.5, 0.75),
        _unary_all(),
        avoid=(-0.5, 0.75),
    ),
    OpInfo(
        "clamp_min_number",
        lambda lib, a: lib.clamp(a, min=0.25),
        lambda a: np.maximum(a, 0.25),
        _unary(),
        avoid=(0.25,),
    ),
    OpInfo(
        "clip_max_number",
        lambda lib, a: a.clip(max=-0.25),
        lambda a: np.minimum(a, -0.25),
        _unary(),
        avoid=(-0.25,),
    ),
    OpInfo(
        "clamp_tensors",
        lambda lib, a, lo, hi: lib.clamp(a, lo, hi),
        _np_clamp,
        _clamp_samples(),
        avoid=(-1.5, -0.2, 0.2, 1.5),
    ),
    OpInfo(
        "clamp_min_tensor",
        lambda lib, a, lo: a.clamp(min=lo),
        lambda a, lo: np.maximum(a, lo),
        _binary(),
    ),
    OpInfo(
        "clamp_max_tensor",
        lambda lib, a, hi: lib.clamp(a, max=hi),
        lambda a, hi: np.minimum(a, hi),
        _binary(),
    ),
    OpInfo(
        "clamp_min_fn",
        lambda lib, a, lo: lib.clamp_min(a, lo),
        lambda a, lo: np.maximum(a, lo),
        _binary()[:4],
    ),
    OpInfo(
        "clamp_max_fn_number",
        lambda lib, a: a.clamp_max(0.5),
        lambda a: np.minimum(a, 0.5),
        _unary(),
        avoid=(0.5,),
    ),
    OpInfo("maximum", lambda lib, a, b: lib.maximum(a, b), np.maximum, _binary_all()),
    OpInfo("minimum", lambda lib, a, b: a.minimum(b), np.minimum, _binary_all()),
    OpInfo("atan2", lambda lib, a, b: lib.atan2(a, b), np.arctan2, _binary_all(), avoid=(0,)),
    OpInfo("hypot", lambda lib, a, b: lib.hypot(a, b), np.hypot, _binary_all(), avoid=(0,)),
    OpInfo("logaddexp", lambda lib, a, b: lib.logaddexp(a, b), np.logaddexp, _binary_all()),
    OpInfo("logaddexp2", lambda lib, a, b: a.logaddexp2(b), np.logaddexp2, _binary_all()),
    OpInfo("fmod", lambda lib, a, b: lib.fmod(a, b), np.fmod, _mod_samples()),
    OpInfo("remainder", lambda lib, a, b: lib.remainder(a, b), np.remainder, _mod_samples()),
    OpInfo("mod_operator", lambda lib, a, b: a % b, np.remainder, _mod_samples()[:3]),
    OpInfo(
        "fmod_number",
        lambda lib, a: a.fmod(0.7),
        lambda a: np.fmod(a, 0.7),
        _mod_scalar_samples(0.7),
    ),
    OpInfo(
        "remainder_number",
        lambda lib, a: a.remainder(-1.3),
        lambda a: np.remainder(a, -1.3),
        _mod_scalar_samples(1.3),
    ),
    OpInfo(
        "div_floor",
        lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
        _np_rounded_div("floor"),
        _mod_samples(),
    ),
    OpInfo(
        "div_trunc",
        lambda lib, a, b: a.div(b, rounding_mode="trunc"),
        _np_rounded_div("trunc"),
        _mod_samples(),
    ),
    OpInfo(
        "floor_divide",
        lambda lib, a, b: lib.floor_divide(a, b),
        np.floor_divide,
        _mod_samples(),
        gradcheck=False,
    ),
    OpInfo(
        "lerp_number",
        lambda lib, a, b: lib.lerp(a, b, 0.3),
        lambda a, b: _np_lerp(a, b, 0.3),
        _binary_all(),
    ),
    OpInfo(
        "lerp_number_high",
        lambda lib, a, b: a.lerp(b, 0.8),
        lambda a, b: _np_lerp(a, b, 0.8),
        _binary()[:3],
    ),
    OpInfo(
        "lerp_tensor",
        lambda lib, a, b, w: lib.lerp(a, b, w),
        _np_lerp,
        [Sample(s) for s in TERNARY_SHAPES],
    ),
    OpInfo(
        "nan_to_num",
        lambda lib, a: lib.nan_to_num(a, nan=1.0),
        lambda a: np.nan_to_num(a, nan=1.0),
        _unary_all(),
    ),
    OpInfo("erfc", lambda lib, a: a.erfc(), lambda a: 1 - _erf(a), _unary_all()),
    OpInfo("deg2rad", lambda lib, a: lib.deg2rad(a), np.deg2rad, _unary()),
    OpInfo("rad2deg", lambda lib, a: a.rad2deg(), np.rad2deg, _unary()),
    OpInfo(
        "xlogy",
        lambda lib, a, b: lib.xlogy(a, b),
        lambda a, b: a * np.log(b),
        _binary_all(),
        domain=(0.5, 2.0),
    ),
    OpInfo(
        "xlogy_number_other",
        lambda lib, a: a.xlogy(3.0),
        lambda a: a * np.log(3.0),
        _unary(),
    ),
    OpInfo(
        "xlogy_number_input",
        lambda lib, b: lib.xlogy(2.5, b),
        lambda b: 2.5 * np.log(b),
        _unary(),
        domain=(0.5, 2.0),
    ),
    OpInfo("copysign", lambda lib, a, b: lib.copysign(a, b), np.copysign, _binary(), avoid=(0,)),
    OpInfo(
        "copysign_number",
        lambda lib, a: a.copysign(-1.0),
        lambda a: np.copysign(a, -1.0),
        _unary(),
        avoid=(0,),
    ),
    OpInfo("fmax", lambda lib, a, b: lib.fmax(a, b), np.fmax, _binary_all()),
    OpInfo("fmin", lambda lib, a, b: a.fmin(b), np.fmin, _binary_all()),
    OpInfo(
        "isclose",
        lambda lib, a, b: lib.isclose(a, b, rtol=0.5, atol=0.1),
        lambda a, b: np.isclose(a, b, rtol=0.5, atol=0.1),
        _binary(),
        gradcheck=False,
    ),
    OpInfo("signbit", lambda lib, a: lib.signbit(a), np.signbit, _unary(), gradcheck=False),
    OpInfo("isnan", lambda lib, a: lib.isnan(a), np.isnan, _unary(), gradcheck=False),
    OpInfo("isinf", lambda lib, a: a.isinf(), np.isinf, _unary(), gradcheck=False),
    OpInfo("isfinite", lambda lib, a: a.isfinite(), np.isfinite, _unary(), gradcheck=False),
    OpInfo(
        "logical_and",
        lambda lib, a, b: lib.logical_and(a > 0, b),
        lambda a, b: np.logical_and(a > 0, b),
        _binary(),
        gradcheck=False,
    ),
    OpInfo(
        "logical_or",
        lambda lib, a, b: lib.logical_or(a > 0.5, b > 0.5),
        lambda a, b: np.logical_or(a > 0.5, b > 0.5),
        _binary(),
        gradcheck=False,
    ),
    OpInfo(
        "logical_xor",
        lambda lib, a, b: (a > 0).logical_xor(b > 0),
        lambda a, b: np.logical_xor(a > 0, b > 0),
        _binary(),
        gradcheck=False,
    ),
    OpInfo(
        "logical_not",
        lambda lib, a: lib.logical_not(a > 0),
        lambda a: np.logical_not(a > 0),
        _unary(),
        gradcheck=False,
    ),
]
