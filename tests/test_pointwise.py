"""Behaviour of the pointwise ops beyond the op table: float32 and integer inputs, special values
(nan, inf, signed zero), graph node names, aliases and the in-place forms."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.ops import pointwise

from .helpers import assert_close, requires_torch, torch

SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -3.5, 1e-8, 30.0, -30.0, math.inf, -math.inf]
SPECIAL += [math.nan]

UNARY = [
    *("exp2", "expm1", "log2", "log10", "log1p", "rsqrt", "square", "reciprocal", "sin", "cos"),
    *("tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "erf", "floor"),
    *("ceil", "round", "trunc", "frac", "sign", "sgn", "nan_to_num", "erfc", "deg2rad"),
    *("rad2deg", "signbit", "isposinf", "isneginf"),
]


def _run(lib: Any, name: str, x: Any) -> Any:
    return getattr(lib, name)(x)


@requires_torch
@pytest.mark.parametrize("name", UNARY)
def test_float32_special_values_match_torch(name: str) -> None:
    values = np.array(SPECIAL, dtype=np.float32)
    out = _run(ndgrad, name, ndgrad.tensor(values))
    expected = _run(torch, name, torch.tensor(values))
    assert repr(out.dtype) == str(expected.dtype)
    assert_close(out, expected, rtol=2e-6, atol=1e-30)
    # signed zeros too (rounding -0.5 gives -0.0)
    nd, th = out.numpy(), expected.numpy()
    zeros = th == 0
    assert np.array_equal(np.signbit(nd[zeros]), np.signbit(th[zeros]))


@requires_torch
@pytest.mark.parametrize("name", [n for n in UNARY if n != "frac"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_integer_inputs_match_torch(name: str, dtype: str) -> None:
    values = [0, 1, 2, 7] if dtype != "bool" else [True, False]
    x = np.array(values, dtype=getattr(np, dtype if dtype != "bool" else "bool_"))
    try:
        expected = _run(torch, name, torch.from_numpy(x))
    except NotImplementedError as e:
        with pytest.raises(NotImplementedError, match=str(e).replace('"', ".")):
            _run(ndgrad, name, ndgrad.from_numpy(x))
        return
    out = _run(ndgrad, name, ndgrad.from_numpy(x))
    assert repr(out.dtype) == str(expected.dtype)
    assert_close(out, expected, rtol=2e-6, atol=0)


BINARY_F32 = {
    "atan2": lambda L, a, b: L.atan2(a, b),
    "hypot": lambda L, a, b: L.hypot(a, b),
    "logaddexp": lambda L, a, b: L.logaddexp(a, b),
    "logaddexp2": lambda L, a, b: L.logaddexp2(a, b),
    "fmod": lambda L, a, b: L.fmod(a, b),
    "remainder": lambda L, a, b: L.remainder(a, b),
    "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b),
    "lerp": lambda L, a, b: L.lerp(a, b, 0.7),
    "lerp_tensor": lambda L, a, b: L.lerp(a, b, b),
    "clamp": lambda L, a, b: L.clamp(a, min=b),
    "xlogy": lambda L, a, b: L.xlogy(a, b),
    "copysign": lambda L, a, b: L.copysign(a, b),
    "fmax": lambda L, a, b: L.fmax(a, b),
    "fmin": lambda L, a, b: L.fmin(a, b),
}


@requires_torch
@pytest.mark.parametrize("name", list(BINARY_F32))
def test_float32_binary_values_and_gradients_match_torch(name: str) -> None:
    rng = np.random.default_rng(7)
    a = rng.uniform(-3, 3, (4, 5)).astype(np.float32)
    b = rng.uniform(0.5, 2, (5,)).astype(np.float32)
    results = []
    for lib in (ndgrad, torch):
        ta = lib.tensor(a, requires_grad=True)
        tb = lib.tensor(b, requires_grad=True)
        out = BINARY_F32[name](lib, ta, tb)
        out.sum().backward()
        assert repr(out.dtype) == "torch.float32"
        results.append([out.detach().numpy(), ta.grad.numpy(), tb.grad.numpy()])
    for x, y in zip(*results, strict=True):
        assert x.dtype == y.dtype == np.float32
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-6)


@requires_torch
@pytest.mark.parametrize("decimals", [-2, -1, 0, 1, 2, 3])
def test_round_decimals_float32_matches_torch(decimals: int) -> None:
    values = np.random.default_rng(decimals + 5).uniform(-500, 500, 200).astype(np.float32)
    values[:4] = [0.125, 2.5, -0.25, 1234.5678]
    out = ndgrad.round(ndgrad.tensor(values), decimals=decimals)
    expected = torch.round(torch.tensor(values), decimals=decimals)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_erf_values() -> None:
    x = ndgrad.tensor([0.0, 0.5, -1.0, 3.0, math.inf, -math.inf, math.nan], dtype=ndgrad.float64)
    expected = [math.erf(v) for v in x.tolist()]
    assert_close(ndgrad.erf(x), np.array(expected), rtol=1e-15, atol=0)


@requires_torch
@pytest.mark.parametrize("rounding", [None, "trunc", "floor"])
@pytest.mark.parametrize("dtype", ["int64", "int8", "float32", "float64"])
def test_division_values_match_torch(rounding: str | None, dtype: str) -> None:
    a = np.array([7, -7, 7, -7, 0, 6, -6, 1, 5], dtype=dtype)
    b = np.array([2, 2, -2, -2, 3, 3, 3, 3, -5], dtype=dtype)
    if dtype.startswith("float"):
        a = np.concatenate([a, np.array([1.0, -1.0, 1.0, -1.0, 0.0, -7.5], dtype=dtype)])
        b = np.concatenate([b, np.array([0.1, 0.1, 0.0, 0.0, 0.0, 2.0], dtype=dtype)])
    out = ndgrad.div(ndgrad.from_numpy(a), ndgrad.from_numpy(b), rounding_mode=rounding)
    expected = torch.div(torch.from_numpy(a), torch.from_numpy(b), rounding_mode=rounding)
    assert repr(out.dtype) == str(expected.dtype)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    if rounding == "floor":
        np.testing.assert_array_equal(
            ndgrad.floor_divide(ndgrad.from_numpy(a), ndgrad.from_numpy(b)).numpy(),
            expected.numpy(),
        )


@requires_torch
@pytest.mark.parametrize("name", ["fmod", "remainder"])
@pytest.mark.parametrize("dtype", ["int64", "int16", "float32", "float64"])
def test_modulo_values_match_torch(name: str, dtype: str) -> None:
    a = np.array([5, -5, 5, -5, 0, 6, -6], dtype=dtype)
    b = np.array([3, 3, -3, -3, 3, 3, 3], dtype=dtype)
    if dtype.startswith("float"):
        a = np.concatenate([a, np.array([1.0, 5.5, -5.5, math.inf], dtype=dtype)])
        b = np.concatenate([b, np.array([0.0, 2.0, 2.0, 2.0], dtype=dtype)])
    out = getattr(ndgrad, name)(ndgrad.from_numpy(a), ndgrad.from_numpy(b))
    expected = getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b))
    assert repr(out.dtype) == str(expected.dtype)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    scalar = getattr(ndgrad, name)(ndgrad.from_numpy(a), -2)
    np.testing.assert_array_equal(scalar.numpy(), getattr(torch, name)(torch.from_numpy(a), -2))


def test_operators_mod_and_floordiv() -> None:
    x = ndgrad.tensor([5.0, -5.0])
    assert (x % 3).tolist() == [2.0, 1.0]
    assert (7 % ndgrad.tensor([3, -3])).tolist() == [1, -2]
    assert (x // 2).tolist() == [2.0, -3.0]
    assert (7 // ndgrad.tensor([2, -2])).tolist() == [3, -4]
    y = ndgrad.tensor([7, -7])
    y //= 2
    assert y.tolist() == [3, -4]
    y %= 3
    assert y.tolist() == [0, 2]


def test_nan_propagation() -> None:
    nan = math.nan
    a = ndgrad.tensor([nan, 1.0, 2.0])
    b = ndgrad.tensor([1.0, nan, 1.0])
    assert np.isnan(ndgrad.maximum(a, b).numpy()[:2]).all()
    assert np.isnan(ndgrad.minimum(a, b).numpy()[:2]).all()
    assert np.isnan(a.clamp(0, 1).numpy()[0])
    assert np.isnan(ndgrad.tensor([0.5]).clamp(min=nan).numpy()).all()
    assert ndgrad.sign(a).tolist() == [0.0, 1.0, 1.0]


@requires_torch
def test_nan_to_num_defaults_match_torch() -> None:
    for dtype in ("float16", "float32", "float64"):
        x = np.array([math.nan, math.inf, -math.inf, 1.5], dtype=dtype)
        out = ndgrad.nan_to_num(ndgrad.from_numpy(x))
        np.testing.assert_array_equal(out.numpy(), torch.nan_to_num(torch.from_numpy(x)).numpy())
        out = ndgrad.from_numpy(x).nan_to_num(nan=-1.0, posinf=9.0)
        expected = torch.from_numpy(x).nan_to_num(nan=-1.0, posinf=9.0)
        np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_predicates_and_logical_ops() -> None:
    x = ndgrad.tensor([0.0, math.nan, math.inf, -math.inf, -2.0])
    assert x.isnan().tolist() == [False, True, False, False, False]
    assert ndgrad.isinf(x).tolist() == [False, False, True, True, False]
    assert ndgrad.isfinite(x).tolist() == [True, False, False, False, True]
    assert ndgrad.isnan(ndgrad.tensor([1, 2])).tolist() == [False, False]
    i = ndgrad.tensor([0, 3, 0, -1])
    f = ndgrad.tensor([0.0, 0.0, 2.0, math.nan])
    assert ndgrad.logical_and(i, f).tolist() == [False, False, False, True]
    assert ndgrad.logical_or(i, f).tolist() == [False, True, True, True]
    assert i.logical_xor(f).tolist() == [False, True, True, False]
    assert ndgrad.logical_not(f).tolist() == [True, True, False, False]
    assert ndgrad.logical_and(i, f).dtype is ndgrad.bool
    assert not ndgrad.logical_and(f.requires_grad_(), f).requires_grad


NODE_NAMES = [
    ("exp2", lambda L, x, y: L.exp2(x), "Exp2Backward0"),
    ("log1p", lambda L, x, y: L.log1p(x), "Log1PBackward0"),
    ("square", lambda L, x, y: L.square(x), "PowBackward0"),
    ("round", lambda L, x, y: L.round(x), "RoundBackward0"),
    ("round decimals", lambda L, x, y: L.round(x, decimals=0), "RoundBackward1"),
    ("clamp numbers", lambda L, x, y: L.clamp(x, 0, 1), "ClampBackward1"),
    ("clamp tensors", lambda L, x, y: L.clamp(x, y), "ClampBackward0"),
    ("clip", lambda L, x, y: L.clip(x, max=y), "ClampBackward0"),
    ("clamp_min number", lambda L, x, y: L.clamp_min(x, 0.5), "ClampMinBackward0"),
    ("clamp_min tensor", lambda L, x, y: L.clamp_min(x, y), "ClampMinBackward1"),
    ("clamp_max number", lambda L, x, y: x.clamp_max(0.5), "ClampMaxBackward0"),
    ("clamp_max tensor", lambda L, x, y: x.clamp_max(y), "ClampMaxBackward1"),
    ("fmod number", lambda L, x, y: L.fmod(x, 2), "FmodBackward0"),
    ("fmod tensor", lambda L, x, y: L.fmod(x, y), "FmodBackward1"),
    ("remainder number", lambda L, x, y: x % 2, "RemainderBackward0"),
    ("remainder tensor", lambda L, x, y: x % y, "RemainderBackward1"),
    ("number % tensor", lambda L, x, y: 2 % x, "NotImplemented"),
    ("floor_divide", lambda L, x, y: x // y, "NotImplemented"),
    ("div floor", lambda L, x, y: L.div(x, y, rounding_mode="floor"), "DivBackward2"),
    ("div trunc number", lambda L, x, y: x.div(2, rounding_mode="trunc"), "DivBackward2"),
    ("lerp number", lambda L, x, y: L.lerp(x, y, 0.5), "LerpBackward0"),
    ("lerp tensor", lambda L, x, y: L.lerp(x, y, y), "LerpBackward1"),
    ("maximum", lambda L, x, y: L.maximum(x, y), "MaximumBackward0"),
    ("logaddexp2", lambda L, x, y: L.logaddexp2(x, y), "Logaddexp2Backward0"),
    ("nan_to_num", lambda L, x, y: L.nan_to_num(x), "NanToNumBackward0"),
    ("arcsinh", lambda L, x, y: L.arcsinh(x), "AsinhBackward0"),
    ("erfc", lambda L, x, y: L.erfc(x), "ErfcBackward0"),
    ("deg2rad", lambda L, x, y: x.deg2rad(), "Deg2RadBackward0"),
    ("xlogy tensors", lambda L, x, y: L.xlogy(x, y), "XlogyBackward0"),
    ("xlogy number input", lambda L, x, y: L.xlogy(2.0, y), "XlogyBackward1"),
    ("xlogy number other", lambda L, x, y: x.xlogy(2.0), "XlogyBackward2"),
    ("copysign tensor", lambda L, x, y: L.copysign(x, y), "CopysignBackward0"),
    ("copysign number", lambda L, x, y: x.copysign(-1), "CopysignBackward1"),
    ("fmax", lambda L, x, y: L.fmax(x, y), "FmaxBackward0"),
    ("fmin", lambda L, x, y: x.fmin(y), "FminBackward0"),
    ("sgn", lambda L, x, y: x.sgn(), "SgnBackward0"),
]


def _node_name(lib: Any, fn: Any) -> str:
    x = lib.tensor([0.5, 1.5], requires_grad=True)
    y = lib.tensor([0.7, 0.9], requires_grad=True)
    return type(fn(lib, x, y).grad_fn).__name__


@pytest.mark.parametrize(
    ("fn", "name"), [pytest.param(fn, name, id=op) for op, fn, name in NODE_NAMES]
)
def test_node_names(fn: Any, name: str) -> None:
    assert _node_name(ndgrad, fn) == name


@requires_torch
@pytest.mark.parametrize(
    ("fn", "name"), [pytest.param(fn, name, id=op) for op, fn, name in NODE_NAMES]
)
def test_node_names_match_torch(fn: Any, name: str) -> None:
    assert _node_name(torch, fn) == name


def test_aliases() -> None:
    x = ndgrad.tensor([0.25, -0.5])
    for alias, name in [("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan")]:
        assert_close(getattr(ndgrad, alias)(x), getattr(ndgrad, name)(x))
        assert_close(getattr(x, alias)(), getattr(x, name)())
    assert_close(ndgrad.fix(x * 7), ndgrad.trunc(x * 7))
    assert_close(ndgrad.arctan2(x, x + 1), ndgrad.atan2(x, x + 1))
    assert_close(x.clip(0, 0.1), ndgrad.clamp(x, 0, 0.1))


# (name, arguments after the tensor, keyword arguments, input values)
_VALUES = [0.25, -0.5, 0.75]
_ONES = np.ones(3)
INPLACE: list[tuple[str, tuple[Any, ...], dict[str, Any], list[float]]] = [
    (name, (), {}, _VALUES)
    for name in [
        *("exp2", "expm1", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "asinh"),
        *("atanh", "erf", "floor", "ceil", "round", "trunc", "frac", "reciprocal", "square"),
        *("sgn", "nan_to_num", "arcsin", "fix", "abs", "tanh", "sigmoid", "relu", "sign"),
        *("erfc", "deg2rad", "rad2deg"),
    ]
]
INPLACE += [
    ("log2", (), {}, [0.25, 2.0]),
    ("log", (), {}, [0.25, 2.0]),
    ("sqrt", (), {}, [0.25, 2.0]),
    ("logical_not", (), {}, [0.0, 2.0]),
    ("rsqrt", (), {}, [0.25, 2.0]),
    ("acosh", (), {}, [1.25, 2.0]),
    ("round", (), {"decimals": 1}, [1.26, -0.44]),
    ("clamp", (-0.25, 0.5), {}, _VALUES),
    ("clamp", (), {"min": _ONES * 0.3}, _VALUES),
    ("clamp_min", (0.0,), {}, _VALUES),
    ("clamp_max", (_ONES * 0.3,), {}, _VALUES),
    ("clip", (), {"max": 0.0}, _VALUES),
    ("fmod", (0.3,), {}, _VALUES),
    ("remainder", (_ONES * 0.3,), {}, _VALUES),
    ("lerp", (_ONES, 0.25), {}, _VALUES),
    ("lerp", (_ONES, _ONES * 0.25), {}, _VALUES),
    ("hypot", (_ONES,), {}, _VALUES),
    ("atan2", (_ONES,), {}, _VALUES),
    ("xlogy", (_ONES * 2,), {}, _VALUES),
    ("copysign", (-_ONES,), {}, _VALUES),
]


def _tensors(values: Any) -> Any:
    if isinstance(values, np.ndarray):
        return ndgrad.tensor(values, dtype=ndgrad.float64)
    return values


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "values"),
    INPLACE,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(INPLACE)],
)
def test_inplace_forms(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], values: list[float]
) -> None:
    args = tuple(_tensors(a) for a in args)
    kwargs = {k: _tensors(v) for k, v in kwargs.items()}
    x = ndgrad.tensor(values, dtype=ndgrad.float64)
    expected = getattr(x, name)(*args, **kwargs)
    y = x.clone()
    version = y._version
    out = getattr(y, name + "_")(*args, **kwargs)
    assert out is y
    assert y._version > version
    assert_close(y, expected)

    # through autograd: the in-place op on a non-leaf records the same gradient
    leaf = ndgrad.tensor(values, dtype=ndgrad.float64, requires_grad=True)
    z = leaf * 1
    getattr(z, name + "_")(*args, **kwargs)
    if not z.requires_grad:  # bool-valued ops (logical_not_) leave nothing to differentiate
        return
    (g,) = ndgrad.autograd.grad(z.sum(), leaf)
    ref_leaf = ndgrad.tensor(values, dtype=ndgrad.float64, requires_grad=True)
    (ref,) = ndgrad.autograd.grad(getattr(ref_leaf, name)(*args, **kwargs).sum(), ref_leaf)
    assert_close(g, ref)


def test_inplace_keyword_arguments_and_leaf_check() -> None:
    x = ndgrad.tensor([0.25, -0.5, 0.75])
    x.clip_(max=0.0)
    assert x.tolist() == [0.0, -0.5, 0.0]
    x = ndgrad.tensor([1.26, -0.5])
    x.round_(decimals=1)
    assert_close(x, np.array([1.3, -0.5], dtype=np.float32))
    leaf = ndgrad.tensor([0.5], requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=re.escape(
            "a leaf Variable that requires grad is being used in an in-place operation."
        ),
    ):
        leaf.clamp_(0, 1)


def test_inplace_methods_exist_for_every_listed_op() -> None:
    for name in pointwise._INPLACE.split():
        assert callable(getattr(ndgrad.Tensor, name + "_")), name
    assert not hasattr(ndgrad.Tensor, "logaddexp_")  # PyTorch has none


@requires_torch
def test_clamp_bound_gradients_with_broadcasting_match_torch() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, (4, 3))
    lo = rng.uniform(-1.5, 0.0, (3,))
    hi = rng.uniform(0.0, 1.5, (4, 1))
    hi[0, 0] = -2.0  # a row where hi < lo: hi wins
    res = []
    for lib in (ndgrad, torch):
        ts = [lib.tensor(a, requires_grad=True) for a in (x, lo, hi)]
        lib.clamp(*ts).sum().backward()
        res.append([t.grad.numpy() for t in ts])
    for a, b in zip(*res, strict=True):
        np.testing.assert_array_equal(a, b)


@requires_torch
def test_maximum_ties_with_broadcasting_match_torch() -> None:
    a = np.array([[1.0], [2.0]])
    b = np.array([1.0, 2.0, 0.0])
    res = []
    for lib in (ndgrad, torch):
        ta, tb = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        (lib.maximum(ta, tb) * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        res.append((ta.grad.numpy(), tb.grad.numpy()))
    for x, y in zip(*res, strict=True):
        np.testing.assert_array_equal(x, y)


def test_more_predicates_and_bitwise_functions() -> None:
    x = ndgrad.tensor([-0.0, 0.0, -math.inf, math.inf, math.nan, -1.0])
    assert x.signbit().tolist() == [True, False, True, False, False, True]
    assert ndgrad.isposinf(x).tolist() == [False, False, False, True, False, False]
    assert x.isneginf().tolist() == [False, False, True, False, False, False]
    i = ndgrad.tensor([6, 3, -1])
    assert ndgrad.bitwise_and(i, 5).tolist() == [4, 1, 5]
    assert i.bitwise_or(ndgrad.tensor([1, 0, 0])).tolist() == [7, 3, -1]
    assert ndgrad.bitwise_xor(i, i).tolist() == [0, 0, 0]
    assert ndgrad.bitwise_not(i).tolist() == [-7, -4, 0]
    assert ndgrad.bitwise_not(ndgrad.tensor([True, False])).tolist() == [False, True]
    y = ndgrad.tensor([1.0])
    assert ndgrad.positive(y) is y


def test_isclose() -> None:
    a = ndgrad.tensor([1.0, math.nan, 1e-9, math.inf, -math.inf, 2.0])
    b = ndgrad.tensor([1.0 + 1e-6, math.nan, 0.0, math.inf, math.inf, 2.1])
    assert ndgrad.isclose(a, b).tolist() == [True, False, True, True, False, False]
    assert a.isclose(b, equal_nan=True, rtol=0.1).tolist() == [True, True, True, True, False, True]
    ints = ndgrad.tensor([1, 2, 5])
    assert ndgrad.isclose(ints, ndgrad.tensor([1, 3, 7]), atol=1).tolist() == [True, True, False]


def test_inplace_on_leaf_under_no_grad() -> None:
    # The optimizer pattern: parameters clipped in place outside the graph.
    w = ndgrad.tensor([-2.0, 0.5, 3.0], requires_grad=True)
    with ndgrad.no_grad():
        w.clamp_(-1, 1)
        w.nan_to_num_()
    assert w.tolist() == [-1.0, 0.5, 1.0]
    assert w.requires_grad and w.is_leaf
    (w * 2).sum().backward()
    assert w.grad.tolist() == [2.0, 2.0, 2.0]
