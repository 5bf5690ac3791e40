"""Differences found by running PyTorch's own docstring examples under ndgrad (a driver outside
the repository reads them from the installed torch); each test uses its own inputs."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad

from .helpers import nd, requires_torch, th, to_numpy, torch

# --- remainder: a zero result keeps the dividend's sign (C's fmod), not the divisor's ----------


def test_remainder_zero_takes_the_sign_of_input() -> None:
    a = nd(np.array([-6.0, 6.0, -0.0, 0.0, -5.0, 5.0], np.float32))
    for out in (ndgrad.remainder(a, 3), a % 3, a.remainder(3)):
        np.testing.assert_array_equal(out.numpy(), [0.0, 0.0, 0.0, 0.0, 1.0, 2.0])
        assert np.signbit(out.numpy()).tolist() == [True, False, True, False, False, False]
    out = ndgrad.remainder(a, -3.0)
    np.testing.assert_array_equal(out.numpy(), [0.0, 0.0, 0.0, 0.0, -2.0, -1.0])
    assert np.signbit(out.numpy()).tolist() == [True, False, True, False, True, True]
    b = nd(np.array([3.0, -3.0, 3.0, -3.0, -3.0, 3.0]))
    assert np.signbit((nd(np.array([-6.0, 6.0, -0.0, 0.0, 6.0, -6.0])) % b).numpy()).tolist() == [
        True,
        False,
        True,
        False,
        False,
        True,
    ]
    assert np.signbit(ndgrad.remainder(-6.0, b[:2]).numpy()).tolist() == [True, True]
    c = nd(np.array([-4.0, 4.0]))
    c.remainder_(2)
    assert np.signbit(c.numpy()).tolist() == [True, False]
    assert repr(ndgrad.remainder(ndgrad.tensor([-4.0, -1.0, 4.0]), 2)) == "tensor([-0., 1., 0.])"


def test_remainder_gradients_unchanged() -> None:
    a = nd(np.array([-2.5, 1.25, 3.5]), requires_grad=True)
    b = nd(np.array([2.0, -1.5, 1.5]), requires_grad=True)
    assert ndgrad.autograd.gradcheck(ndgrad.remainder, (a, b))
    assert ndgrad.autograd.gradgradcheck(ndgrad.remainder, (a, b))


@requires_torch
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_remainder_parity(dtype: str) -> None:
    rng = np.random.default_rng(3)
    a = (rng.integers(-6, 7, size=(4, 5)) * rng.choice([1.0, -1.0], size=(4, 5))).astype(dtype)
    if dtype != "int64":
        a[0] = -0.0
    b = rng.choice([2.0, -2.0, 3.0, -3.0], size=(5,)).astype(dtype)
    pairs = [
        (ndgrad.remainder(nd(a), nd(b)), torch.remainder(th(a), th(b))),
        (nd(a) % 2, th(a) % 2),
        (nd(a) % -3, th(a) % -3),
        (ndgrad.remainder(-6, nd(b)), torch.remainder(-6, th(b))),
    ]
    for ours, theirs in pairs:
        assert ours.dtype.__repr__() == repr(theirs.dtype)
        np.testing.assert_array_equal(to_numpy(ours), to_numpy(theirs))
        assert np.array_equal(np.signbit(to_numpy(ours)), np.signbit(to_numpy(theirs)))
        assert repr(ours) == repr(theirs)
