"""``_kernels.libm``: the C library's transcendental functions over arrays, value for value.

PyTorch's scalar CPU kernels call the C library's log, exp, tan ...; ndgrad's random samplers
and special functions must round as they do. ``libm`` has numpy call the C library (numpy's
generic loop, taken on arrays walked backwards) after checking that this gives ``math``'s
values; else it maps the ``math`` function. Both ways are checked here against ``math`` itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ndgrad import _kernels

RNG = np.random.default_rng(7)
U = RNG.random(200_000)
DOMAINS = {
    math.log: np.ldexp(U + 1e-300, RNG.integers(-60, 60, U.size)),
    math.log1p: np.concatenate([-U, U * 1e6]),
    math.exp: (U - 0.5) * 1400,
    math.tan: (U - 0.5) * 2.0 ** RNG.integers(-3, 30, U.size),
    math.cos: (U - 0.5) * 1e5,
    math.sin: (U - 0.5) * 1e5,
    math.acos: 2 * U - 1,
}


def _mapped(fn, x):
    return np.array([fn(v) for v in x.ravel().tolist()]).reshape(x.shape)


@pytest.mark.parametrize("fn", list(DOMAINS), ids=lambda f: f.__name__)
def test_libm_equals_math_elementwise(fn):
    x = DOMAINS[fn]
    got = _kernels.libm(fn, x)
    assert got.dtype == np.float64 and got.shape == x.shape
    np.testing.assert_array_equal(got, _mapped(fn, x))


@pytest.mark.parametrize("fn", list(DOMAINS), ids=lambda f: f.__name__)
def test_numpy_calls_the_c_library_on_this_machine(fn):
    """The fast way is taken (the test above would pass through the slow one as well)."""
    assert _kernels._libm_ufunc(fn) is not None


def test_shapes_dtypes_and_views():
    x = (RNG.random((3, 4, 5)) + 0.1).astype(np.float32)[:, ::2].transpose(2, 0, 1)
    got = _kernels.libm(math.log, x)
    assert got.shape == x.shape and got.dtype == np.float64
    np.testing.assert_array_equal(got, _mapped(math.log, x.astype(np.float64)))
    assert _kernels.libm(math.exp, np.float64(2.0)) == math.exp(2.0)
    assert _kernels.libm(math.log, np.zeros(0)).shape == (0,)


def test_outside_the_domain_gives_what_the_c_library_returns():
    """-inf, nan and inf as PyTorch's kernels give them, without numpy's warnings."""
    with np.errstate(all="raise"):
        got = _kernels.libm(math.log, np.array([0.0, -1.0, np.inf]))
        assert got[0] == -np.inf and np.isnan(got[1]) and got[2] == np.inf
        assert _kernels.libm(math.exp, np.array([1000.0]))[0] == np.inf


def test_a_ufunc_whose_values_differ_is_refused(monkeypatch):
    """If numpy's loop rounded differently (another numpy, another C library), the probe sees
    it and ``libm`` maps ``math``'s function: here a ufunc off by an ulp stands in for it."""
    monkeypatch.setitem(_kernels._UFUNC_OF, math.log, lambda x: np.nextafter(np.log(x), np.inf))
    monkeypatch.setattr(_kernels, "_LIBM_UFUNC", {})
    assert _kernels._libm_ufunc(math.log) is None
    x = DOMAINS[math.log][:1000]
    np.testing.assert_array_equal(_kernels.libm(math.log, x), _mapped(math.log, x))


def test_the_probe_sees_numpys_simd_loops(monkeypatch):
    """Were numpy to walk the backwards array with its SIMD loop, the probe would refuse it:
    run forwards (numpy's SIMD log here), the probe's values tell the two apart."""
    x, want = _kernels._probe_values(math.log)
    if np.array_equal(np.log(x), want):
        pytest.skip("numpy's forward loop calls the C library's log on this machine")
    monkeypatch.setattr(_kernels, "_backwards", lambda ufunc, v: ufunc(v))
    monkeypatch.setattr(_kernels, "_LIBM_UFUNC", {})
    assert _kernels._libm_ufunc(math.log) is None


def test_the_result_is_c_contiguous_in_order():
    x = np.linspace(0.1, 5.0, 1000)
    got = _kernels.libm(math.log, x)
    assert got.flags.c_contiguous and got.strides == (8,)
    assert got[0] == math.log(0.1) and got[-1] == math.log(5.0)
