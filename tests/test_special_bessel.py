"""The Bessel family of torch.special, airy_ai and zeta (ndgrad.special, from ndgrad.ops._bessel):
identities and series values that hold without torch, then parity with PyTorch over wide ranges,
at the special points, in float32, with integer inputs and out=, and PyTorch's gradient rules."""

from __future__ import annotations

import math
import warnings
import zlib
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad import special
from ndgrad.ops import _bessel

from .helpers import requires_torch, to_numpy, torch
from .optables.special_bessel import (
    ai_exact,
    i1_series,
    j0_series,
    j_exact,
    y_exact,
    zeta_reference,
)

INF, NAN = math.inf, math.nan
UNARY = [name for name in _bessel.__all__ if name != "zeta"]
DIFFERENTIABLE = ["i0e", "i1", "i1e"]


def _t(values: Any, dtype: Any = ndgrad.float64, requires_grad: bool = False) -> ndgrad.Tensor:
    return ndgrad.tensor(values, dtype=dtype, requires_grad=requires_grad)


def _np(name: str, x: Any) -> np.ndarray:
    return to_numpy(getattr(special, name)(ndgrad.from_numpy(np.asarray(x, np.float64))))


# --- values without torch -----------------------------------------------------------------------


def test_all_lists_torch_special_names() -> None:
    assert sorted(_bessel.__all__) == sorted([*UNARY, "zeta"])
    assert len(_bessel.__all__) == 16
    assert set(_bessel.__all__) <= set(special.__all__)
    assert all(getattr(special, n) is getattr(_bessel, n) for n in _bessel.__all__)


def test_wronskian_of_j_and_y() -> None:
    """J1 Y0 - J0 Y1 = 2/(πx), across the switch from the rational functions to Hankel's form
    at 5 (where PyTorch's values are off by up to 1e-6: ops/_bessel.py)."""
    x = np.linspace(0.1, 60, 2000)
    w = _np("bessel_j1", x) * _np("bessel_y0", x) - _np("bessel_j0", x) * _np("bessel_y1", x)
    np.testing.assert_allclose(w, 2 / (np.pi * x), rtol=1e-13, atol=1e-15)


def test_wronskian_of_i_and_k() -> None:
    """I0 K1 + I1 K0 = 1/x, and the scaled ones: i0e k1e + i1e k0e = 1/x."""
    x = np.geomspace(1e-3, 600, 500)
    w = _np("modified_bessel_i0", x) * _np("modified_bessel_k1", x)
    w = w + _np("modified_bessel_i1", x) * _np("modified_bessel_k0", x)
    np.testing.assert_allclose(w, 1 / x, rtol=1e-13)
    x = np.geomspace(1e-3, 1e12, 500)
    w = _np("i0e", x) * _np("scaled_modified_bessel_k1", x)
    w = w + _np("i1e", x) * _np("scaled_modified_bessel_k0", x)
    np.testing.assert_allclose(w, 1 / x, rtol=1e-13)


def test_scaled_and_plain_functions_agree() -> None:
    x = np.linspace(-40, 40, 801)
    np.testing.assert_allclose(_np("i0e", x), np.exp(-np.abs(x)) * np.i0(x), rtol=1e-14)
    np.testing.assert_allclose(_np("modified_bessel_i0", x), np.i0(x), rtol=1e-14)
    np.testing.assert_allclose(_np("i1", x), _np("modified_bessel_i1", x), rtol=1e-14)
    np.testing.assert_allclose(_np("i1e", x), np.exp(-np.abs(x)) * i1_series(x), rtol=1e-13)
    np.testing.assert_allclose(_np("i1", x), i1_series(x), rtol=1e-13)
    x = np.linspace(0.01, 40, 400)
    for n in ("0", "1"):
        scaled = _np(f"scaled_modified_bessel_k{n}", x)
        np.testing.assert_allclose(scaled, np.exp(x) * _np(f"modified_bessel_k{n}", x), rtol=1e-13)


def test_k0_and_y0_small_argument_series() -> None:
    """K0 = -(ln(x/2) + γ) I0 + Σ (x²/4)^k H_k / (k!)², Y0 = (2/π)((ln(x/2) + γ) J0 + Σ (-1)^(k+1)
    H_k (x²/4)^k / (k!)²), H_k the harmonic numbers."""
    gamma = 0.57721566490153286061
    x = np.linspace(0.05, 2.0, 40)

    def tail(sign: int) -> np.ndarray:
        def one(v: float) -> float:
            h, terms = 0.0, []
            for k in range(1, 40):
                h += 1 / k
                terms.append(sign ** (k + 1) * h * (v * v / 4) ** k / math.factorial(k) ** 2)
            return math.fsum(terms)

        return np.vectorize(one)(x)

    k0 = -(np.log(x / 2) + gamma) * np.i0(x) + tail(1)
    np.testing.assert_allclose(_np("modified_bessel_k0", x), k0, rtol=1e-13)
    y0 = 2 / np.pi * ((np.log(x / 2) + gamma) * j0_series(x) + tail(-1))
    np.testing.assert_allclose(_np("bessel_y0", x), y0, rtol=1e-12, atol=1e-14)


def test_j_and_y_against_their_exact_series() -> None:
    """J0, J1 on [-12, 12] and Y0, Y1 on (0, 12] against their power series summed exactly
    (tests/optables/special_bessel.py), both sides of the branch point 5; J0' = -J1."""
    x = np.concatenate([np.linspace(-12, 12, 241), [4.9, 5.0, 5.01, -5.01, 7.0]])
    for order in (0, 1):
        np.testing.assert_allclose(_np(f"bessel_j{order}", x), j_exact(x, order), atol=2e-16)
    # Y's rational functions below 5 are not factored at Y's zeros as J's are: near a zero the
    # error is ~10 ulps of the amplitude (6e-16 at Y1's zero 3.68), hence atol 1e-15 for Y
    x = np.concatenate([np.linspace(0.05, 12, 120), [4.9, 5.0, 5.01, 7.0]])
    for order in (0, 1):
        np.testing.assert_allclose(
            _np(f"bessel_y{order}", x), y_exact(x, order), rtol=1e-14, atol=1e-15
        )
    x = np.linspace(0.5, 30, 200)
    h = 1e-5
    slope = (_np("bessel_j0", x + h) - _np("bessel_j0", x - h)) / (2 * h)
    np.testing.assert_allclose(slope, -_np("bessel_j1", x), atol=1e-9)


@requires_torch
def test_pytorch_j_y_ai_are_the_less_accurate() -> None:
    """The documented difference (ops/_bessel.py): PyTorch 2.13 evaluates five of Cephes'
    denominators without their leading 1, so its J0(5.01) is 4e-7 off; ndgrad's is exact."""
    cases = [("bessel_j0", 5.01, j_exact([5.01], 0)), ("bessel_y1", 5.01, y_exact([5.01], 1))]
    cases.append(("airy_ai", -2.1, ai_exact([-2.1])))
    for name, x, (exact,) in cases:
        (ours,) = _np(name, [x])
        theirs = getattr(torch.special, name)(torch.tensor([x], dtype=torch.float64)).item()
        assert abs(ours - exact) < 1e-15
        assert abs(theirs - exact) > 1e-7


def test_spherical_bessel_j0_is_sinc() -> None:
    x = np.concatenate([np.linspace(-50, 50, 1001), [1e-300, 1e300, -7e200, 0.3, -0.49]])
    with np.errstate(invalid="ignore"):
        expected = np.where(x == 0, 1.0, np.sin(x) / x)
    np.testing.assert_allclose(_np("spherical_bessel_j0", x), expected, rtol=1e-15)
    # the series below 0.5 against numpy's sinc
    x = np.linspace(-0.5, 0.5, 101)
    np.testing.assert_allclose(_np("spherical_bessel_j0", x), np.sinc(x / np.pi), rtol=1e-15)


def test_airy_ai_values() -> None:
    """Ai(0) = 1/(3^(2/3) Γ(2/3)); Ai against its series summed exactly on [-20, 4] (the
    asymptotic forms below -2.09 included); Ai'' = x Ai by second differences; Ai > 0 and
    decreasing for x > 0."""
    (at0,) = _np("airy_ai", [0.0])
    assert at0 == pytest.approx(1 / (3 ** (2 / 3) * math.gamma(2 / 3)), rel=1e-15)
    x = np.concatenate([np.linspace(-2.0899, 4, 61), [-2.0899]])
    np.testing.assert_allclose(_np("airy_ai", x), ai_exact(x), rtol=1e-14, atol=1e-16)
    # below -2.09 the oscillating form's phase (2/3)|x|^(3/2) (59 at -20) rounds by half an ulp
    # of itself: an absolute error of up to ~ulp(phase) times the amplitude (about 2e-15 at -20)
    x = np.concatenate([np.linspace(-20, -2.09, 180), [-2.1, -2.2, -2.09]])
    np.testing.assert_allclose(_np("airy_ai", x), ai_exact(x), rtol=1e-14, atol=4e-15)
    x = np.linspace(-10, 8, 361)
    h = 1e-3
    second = (_np("airy_ai", x + h) - 2 * _np("airy_ai", x) + _np("airy_ai", x - h)) / h**2
    np.testing.assert_allclose(second, x * _np("airy_ai", x), atol=2e-5)
    right = _np("airy_ai", np.linspace(0, 100, 300))
    assert np.all(right > 0) and np.all(np.diff(right) < 0)


def test_zeta_identities() -> None:
    z = to_numpy(special.zeta(_t([2.0, 4.0, 2.0, 3.0]), _t([1.0, 1.0, 0.5, 1.0])))
    expected = [np.pi**2 / 6, np.pi**4 / 90, np.pi**2 / 2, 1.2020569031595942]
    np.testing.assert_allclose(z, expected, rtol=1e-15)
    rng = np.random.default_rng(0)
    s, q = rng.uniform(1.2, 20, 200), np.exp(rng.uniform(-5, 5, 200))
    diff = to_numpy(special.zeta(_t(s), _t(q))) - to_numpy(special.zeta(_t(s), _t(q + 1)))
    np.testing.assert_allclose(diff, q**-s, rtol=1e-11)
    np.testing.assert_allclose(
        to_numpy(special.zeta(_t(s), _t(q))), zeta_reference(s, q), rtol=1e-13
    )


def test_zeta_edges() -> None:
    """inf at x = 1, nan for x < 1, inf at q = 0, -1, ..., nan for q < 0 with x not an integer,
    the sum for q < 0 with an integer x."""
    x = _t([1.0, 0.5, 2.0, 2.0, 2.5, 3.0, 1.0, NAN, 2.0, 2.0])
    q = _t([1.0, 1.0, 0.0, -2.0, -1.5, -1.5, NAN, 1.0, NAN, -INF])
    z = to_numpy(special.zeta(x, q))
    assert np.isposinf(z[[0, 2, 3, 6, 9]]).all()
    assert np.isnan(z[[1, 4, 7, 8]]).all()
    # ζ(3, -1.5) = (-1.5)^-3 + (-0.5)^-3 + ζ(3, 0.5) = -8/27 - 8 + 7 ζ(3)
    assert z[5] == pytest.approx(-8 / 27 - 8 + 7 * 1.2020569031595942, rel=1e-14)


# --- the torch-level behaviour without torch ----------------------------------------------------


@pytest.mark.parametrize("name", UNARY)
def test_dtypes(name: str) -> None:
    fn = getattr(special, name)
    assert fn(_t([1, 2], ndgrad.int64)).dtype == ndgrad.float32
    assert fn(_t([True, False], ndgrad.bool)).dtype == ndgrad.float32
    assert fn(_t([1.5], ndgrad.float32)).dtype == ndgrad.float32
    assert fn(_t([1.5])).dtype == ndgrad.float64
    assert fn(_t(1.5)).shape == ()
    ndgrad.set_default_dtype(ndgrad.float64)
    try:
        assert fn(_t([1, 2], ndgrad.int64)).dtype == ndgrad.float64
    finally:
        ndgrad.set_default_dtype(ndgrad.float32)


@pytest.mark.parametrize("name", UNARY)
def test_float32_is_close_to_float64(name: str) -> None:
    x = np.linspace(0.3, 30, 100)
    x = np.concatenate([x, -x]).astype(np.float32)
    low = to_numpy(getattr(special, name)(ndgrad.from_numpy(x)))
    high = _np(name, x.astype(np.float64))
    np.testing.assert_allclose(low, high, rtol=2e-5, atol=2e-6, equal_nan=True)


@pytest.mark.parametrize("name", UNARY)
def test_half_and_non_tensors(name: str) -> None:
    fn = getattr(special, name)
    arg = "x" if name in ("airy_ai", "spherical_bessel_j0") or "scaled" in name else "input"
    with pytest.raises(TypeError, match=rf"^special_{name}\(\): argument '{arg}' \(position 1\)"):
        fn(1.0)
    half = _t([1.0], ndgrad.float16)
    if name in DIFFERENTIABLE:
        assert fn(half).dtype == ndgrad.float16
    else:
        with pytest.raises(
            NotImplementedError, match=f"^\"{name}_cpu\" not implemented for 'Half'$"
        ):
            fn(half)


@pytest.mark.parametrize("name", [n for n in UNARY if n not in DIFFERENTIABLE])
def test_not_differentiable_like_pytorch(name: str) -> None:
    x = _t([0.7, 1.3], requires_grad=True)
    y = getattr(special, name)(x)
    assert not y.requires_grad and y.grad_fn is None
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        y.sum().backward()
    out = ndgrad.empty(2, dtype=ndgrad.float64)
    assert getattr(special, name)(x, out=out) is out  # no grad to lose: out= is allowed
    np.testing.assert_array_equal(to_numpy(out), to_numpy(y))


@pytest.mark.parametrize(
    ("name", "node"),
    [("i0e", "SpecialI0EBackward0"), ("i1", "SpecialI1Backward0"), ("i1e", "SpecialI1EBackward0")],
)
def test_differentiable_nodes_and_out(name: str, node: str) -> None:
    x = _t([0.7, -1.3], requires_grad=True)
    assert type(getattr(special, name)(x).grad_fn).__name__ == node
    message = f"special_{name}\\(\\): functions with out=... arguments don't support automatic"
    with pytest.raises(RuntimeError, match=message):
        getattr(special, name)(x, out=ndgrad.empty(2, dtype=ndgrad.float64))
    out = ndgrad.empty(0, dtype=ndgrad.float64)
    getattr(special, name)(x.detach(), out=out)
    np.testing.assert_array_equal(to_numpy(out), to_numpy(getattr(special, name)(x.detach())))
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        getattr(special, name)(_t([1.0], ndgrad.float32), out=ndgrad.empty(1, dtype=ndgrad.int64))


def test_gradients_at_special_points() -> None:
    """PyTorch's limits: i1' = i1e' = 1/2 where |x| <= eps (and at nan), i0e'(0) = 0; the
    second derivatives through the backward graph."""
    x = _t([0.0, -0.0, 1e-300, NAN], requires_grad=True)
    for name, first, second in [
        ("i1", [0.5, 0.5, 0.5, 0.5], [0.0, 0.0, 0.0, 0.0]),
        ("i1e", [0.5, 0.5, 0.5, 0.5], [0.0, 0.0, 0.0, 0.0]),
        ("i0e", [0.0, 0.0, -1.0, NAN], [0.5, 0.5, 1.5, NAN]),
    ]:
        (g,) = ndgrad.autograd.grad(getattr(special, name)(x).sum(), [x], create_graph=True)
        (gg,) = ndgrad.autograd.grad(g.sum(), [x])
        np.testing.assert_allclose(to_numpy(g), first, rtol=1e-15)
        np.testing.assert_allclose(to_numpy(gg), second, rtol=1e-15)


def test_zeta_gradient_rules() -> None:
    x = _t([2.0, 3.5], requires_grad=True)
    q = _t([0.5, 1.7], requires_grad=True)
    z = special.zeta(x, q)
    assert type(z.grad_fn).__name__ == "SpecialZetaBackward0"
    with pytest.raises(
        NotImplementedError, match=r"^the derivative for 'zeta' is not implemented\.$"
    ):
        z.sum().backward()
    z = special.zeta(x.detach(), q)
    (g,) = ndgrad.autograd.grad(z.sum(), [q])
    expected = -x.detach() * special.zeta(x.detach() + 1, q.detach())
    np.testing.assert_allclose(to_numpy(g), to_numpy(expected), rtol=1e-15)
    number_input = special.zeta(2.0, q)
    assert type(number_input.grad_fn).__name__ == "SpecialZetaBackward1"
    assert len(number_input.grad_fn.next_functions) == 1
    number_other = special.zeta(x, 2.0)
    assert type(number_other.grad_fn).__name__ == "SpecialZetaBackward2"
    with pytest.raises(NotImplementedError, match="the derivative for 'zeta' is not implemented"):
        number_other.sum().backward()


def test_zeta_arguments() -> None:
    assert special.zeta(_t([[2.0], [3.0]]), _t([1.0, 2.0, 3.0])).shape == (2, 3)
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        special.zeta(ndgrad.ones(2), ndgrad.ones(3))
    with pytest.raises(TypeError, match=r"got \(float, float\), but expected one of:"):
        special.zeta(2.0, 3.0)
    with pytest.raises(TypeError, match=r"got \(Tensor, str\)"):
        special.zeta(ndgrad.ones(2), "a")
    assert special.zeta(_t([2, 3], ndgrad.int64), 1.5).dtype == ndgrad.float32
    assert special.zeta(2, _t([1, 2], ndgrad.int64)).dtype == ndgrad.float32
    assert special.zeta(_t([2.0], ndgrad.float32), _t(2.0)).dtype == ndgrad.float32
    assert special.zeta(_t([2.0], ndgrad.float32), _t([2.0])).dtype == ndgrad.float64
    z = special.zeta(True, _t([2.0]))  # x = 1
    assert np.isposinf(to_numpy(z)).all()
    with pytest.raises(NotImplementedError, match="\"zeta_cpu\" not implemented for 'Half'"):
        special.zeta(_t([2.0], ndgrad.float16), 2.0)
    out = ndgrad.empty(2, dtype=ndgrad.float64)
    special.zeta(_t([2.0, 4.0]), 1.0, out=out)
    np.testing.assert_allclose(to_numpy(out), [np.pi**2 / 6, np.pi**4 / 90], rtol=1e-15)
    with pytest.raises(RuntimeError, match="special_zeta\\(\\): functions with out="):
        special.zeta(_t([2.0]), _t([1.0], requires_grad=True), out=out)


# --- parity with PyTorch -------------------------------------------------------------------------

# PyTorch's J0, J1, Y0, Y1 and Ai are off by up to 9e-7 (2.8e-6 for Ai in float32): ndgrad's are
# exact (ops/_bessel.py; test_pytorch_j_y_ai_are_the_less_accurate), so against PyTorch these
# compare to its error.
TORCH_ERROR = {"bessel_j0": 1e-6, "bessel_j1": 1e-6, "bessel_y0": 1e-6, "bessel_y1": 1e-6}
TORCH_ERROR["airy_ai"] = 4e-6

SPECIAL_POINTS = [0.0, -0.0, 1e-320, -1e-320, 1e-8, -2.09, 2.09, 5.0, -5.0, 8.0, -8.0, 2.0]
SPECIAL_POINTS += [103.892, 104.0, 709.0, 710.0, 1e300, -1e300, INF, -INF, NAN]


def _wide(rng: np.random.Generator, lo: float, hi: float, n: int = 3000) -> np.ndarray:
    a = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
    return np.concatenate([a, -a])


def _compare(name: str, x: np.ndarray, rtol: float, atol: float = 0.0) -> None:
    actual = to_numpy(getattr(special, name)(ndgrad.from_numpy(x.copy())))
    expected = getattr(torch.special, name)(torch.from_numpy(x.copy())).numpy()
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)


@requires_torch
@pytest.mark.parametrize("name", UNARY)
def test_special_points_match_torch(name: str) -> None:
    for dtype in (np.float64, np.float32):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # 1e300 -> float32 inf
            x = np.array(SPECIAL_POINTS).astype(dtype)
        actual = to_numpy(getattr(special, name)(ndgrad.from_numpy(x)))
        expected = getattr(torch.special, name)(torch.from_numpy(x)).numpy()
        # the same infinities, nans and signed zeros; finite values to a few ulps (y1 at 5, a
        # sum with cancellation, to ~30 in float64: PyTorch's compiled code fuses multiply-adds)
        np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
        np.testing.assert_array_equal(np.isinf(actual), np.isinf(expected))
        zero = expected == 0
        np.testing.assert_array_equal(np.signbit(actual[zero]), np.signbit(expected[zero]))
        rtol = 1e-14 if dtype == np.float64 else 1e-5
        atol = TORCH_ERROR.get(name, 0.0)
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)


# Where PyTorch's values are all finite or nan and no relative error blows up at a zero crossing:
# (range, rtol, atol). The J and Y functions oscillate: near their zeros the absolute error
# (a few ulps of the amplitude; PyTorch's compiled code fuses multiply-adds) is what can be
# compared, hence atol.
WIDE = {
    "airy_ai": ((1e-300, 110), 1e-14, 5e-16),
    "bessel_j0": ((1e-300, 1e300), 1e-14, 5e-16),
    "bessel_j1": ((1e-300, 1e300), 1e-14, 5e-16),
    "bessel_y0": ((1e-300, 1e300), 1e-14, 5e-16),
    "bessel_y1": ((1e-300, 1e300), 1e-14, 5e-16),
    "i0e": ((1e-300, 1e300), 1e-15, 0.0),
    "i1": ((1e-300, 720), 2e-15, 0.0),
    "i1e": ((1e-300, 1e300), 2e-15, 0.0),
    "modified_bessel_i0": ((1e-300, 720), 2e-15, 0.0),
    "modified_bessel_i1": ((1e-300, 720), 2e-15, 0.0),
    "modified_bessel_k0": ((1e-300, 800), 2e-15, 0.0),
    "modified_bessel_k1": ((1e-300, 800), 2e-15, 0.0),
    "scaled_modified_bessel_k0": ((1e-300, 1e300), 2e-15, 0.0),
    "scaled_modified_bessel_k1": ((1e-300, 1e300), 2e-15, 0.0),
    "spherical_bessel_j0": ((1e-300, 1e300), 1e-15, 0.0),
}


@requires_torch
@pytest.mark.parametrize("name", UNARY)
def test_wide_range_matches_torch_float64(name: str) -> None:
    (lo, hi), rtol, atol = WIDE[name]
    atol = max(atol, TORCH_ERROR.get(name, 0.0))
    x = _wide(np.random.default_rng(zlib.crc32(name.encode())), lo, hi)
    _compare(name, x, rtol, atol)
    _compare(name, np.linspace(-12, 12, 2401), rtol, atol)  # the branch points 2, 2.09, 5, 8


@requires_torch
@pytest.mark.parametrize("name", UNARY)
def test_wide_range_matches_torch_float32(name: str) -> None:
    """float32 is computed in float32 as in PyTorch (its phase for J and Y at large x included);
    libm and numpy's float32 kernels round differently by an ulp or two."""
    (lo, hi), _, _ = WIDE[name]
    x = _wide(np.random.default_rng(1), max(lo, 1e-37), min(hi, 1e38)).astype(np.float32)
    _compare(name, x, 1e-5, max(TORCH_ERROR.get(name, 0.0), 1e-6 if "bessel" in name else 0.0))


@requires_torch
def test_zeta_matches_torch() -> None:
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.uniform(1, 40, 3000), [1.0, 0.5, 2.0, 2.0, 2.5, 3.0, 2.0, 2.0, 4.0]])
    q = np.exp(rng.uniform(-25, 25, 3000))
    q = np.concatenate([q, [1.0, 1.0, 0.0, -2.0, -1.5, -10.7, INF, -INF, -0.0]])
    for dtype in (np.float64, np.float32):
        a, b = x.astype(dtype), q.astype(dtype)
        actual = to_numpy(special.zeta(ndgrad.from_numpy(a), ndgrad.from_numpy(b)))
        expected = torch.special.zeta(torch.from_numpy(a), torch.from_numpy(b)).numpy()
        # float32: PyTorch sums in float64 too; a subnormal result may round one step apart
        rtol, atol = (1e-14, 1e-300) if dtype == np.float64 else (1e-6, 2e-45)
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)


@requires_torch
@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_gradients_match_torch(name: str) -> None:
    values = [0.0, -0.0, 1e-300, -1e-17, -2.0, 0.7, 9.0, -30.0, INF, -INF, NAN, 800.0, -800.0]
    x = _t(values, requires_grad=True)
    (g,) = ndgrad.autograd.grad(getattr(special, name)(x).sum(), [x], create_graph=True)
    (gg,) = ndgrad.autograd.grad(g.sum(), [x])
    t = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    (tg,) = torch.autograd.grad(getattr(torch.special, name)(t).sum(), [t], create_graph=True)
    (tgg,) = torch.autograd.grad(tg.sum(), [t])
    np.testing.assert_allclose(to_numpy(g), to_numpy(tg), rtol=1e-13, equal_nan=True)
    np.testing.assert_allclose(to_numpy(gg), to_numpy(tgg), rtol=1e-12, equal_nan=True)


@requires_torch
def test_torch_agrees_on_the_rules() -> None:
    """The behaviours asserted above without torch are PyTorch's."""
    x = torch.tensor([2.0, 3.5], dtype=torch.float64, requires_grad=True)
    assert type(torch.special.zeta(x, 2.0).grad_fn).__name__ == "SpecialZetaBackward2"
    with pytest.raises(
        NotImplementedError, match=r"^the derivative for 'zeta' is not implemented\.$"
    ):
        torch.special.zeta(x, 2.0).sum().backward()
    assert not torch.special.bessel_j0(x).requires_grad
    with pytest.raises(NotImplementedError, match="\"bessel_j0_cpu\" not implemented for 'Half'"):
        torch.special.bessel_j0(torch.ones(1, dtype=torch.float16))
    assert torch.special.bessel_j0(torch.tensor([5.0], dtype=torch.float64)).item() == (
        -0.17759678121123898
    )
