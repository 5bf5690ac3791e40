"""``Tensor.view(dtype)`` (the same memory read as another dtype) and float64 -> float16
conversions rounded through float32, as torch 2.13 does both."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad
from tests.helpers import requires_torch, torch


def test_view_dtype_of_the_same_size_reinterprets_bits():
    x = ndgrad.tensor([1.5, -2.0])
    y = x.view(ndgrad.int32)
    assert y.dtype == ndgrad.int32 and y.tolist() == [1069547520, -1073741824]
    assert x.view(dtype=ndgrad.int32).tolist() == y.tolist()
    assert ndgrad.ones(2, dtype=ndgrad.bool).view(ndgrad.uint8).tolist() == [1, 1]


def test_view_dtype_shares_memory_and_version_but_not_the_graph():
    x = ndgrad.zeros(2)
    y = x.view(ndgrad.int32)
    y.add_(1)
    assert x._version == 1 and y._version == 1
    assert x.tolist()[0] == np.float32(np.int32(1).view(np.float32))
    w = ndgrad.ones(2, requires_grad=True)
    for dt in (ndgrad.float32, ndgrad.int32):
        v = w.view(dt)
        assert not v.requires_grad and v.grad_fn is None and v.is_leaf and v._base is None


def test_view_dtype_of_another_size_scales_the_last_dim():
    assert ndgrad.ones(2, 4).view(ndgrad.int16).shape == (2, 8)
    assert ndgrad.ones(2, 4, dtype=ndgrad.int16).view(ndgrad.float32).shape == (2, 2)
    assert ndgrad.ones(4).view(ndgrad.float64).stride() == (1,)
    assert ndgrad.ones(3, 2)[:, :1].view(ndgrad.int16).shape == (3, 2)
    assert ndgrad.arange(6, dtype=ndgrad.int8).reshape(3, 2).view(ndgrad.int16).tolist() == [
        [256],
        [770],
        [1284],
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: ndgrad.ones(3).view(ndgrad.float64),
            "self.size(-1) must be divisible by 2 to view Float as Double (different element "
            "sizes), but got 3",
        ),
        (
            lambda: ndgrad.ones(2, 3).t().view(ndgrad.float64),
            "self.stride(-1) must be 1 to view Float as Double (different element sizes), but "
            "got 3",
        ),
        (
            lambda: ndgrad.ones(4)[1:3].view(ndgrad.float64),
            "self.storage_offset() must be divisible by 2 to view Float as Double (different "
            "element sizes), but got 1",
        ),
        (
            lambda: ndgrad.ones(()).view(ndgrad.int16),
            "self.dim() cannot be 0 to view Float as Short (different element sizes)",
        ),
        (
            lambda: ndgrad.arange(6, dtype=ndgrad.int8).reshape(2, 3)[:, :2].view(ndgrad.int16),
            "self.stride(0) must be divisible by 2 to view Char as Short (different element "
            "sizes), but got 3",
        ),
    ],
)
def test_view_dtype_errors(make, message):
    with pytest.raises(RuntimeError) as info:
        make()
    assert str(info.value) == message


def _half_bits(t: ndgrad.Tensor) -> list[int]:
    return t.numpy().view(np.int16).tolist()


def test_float64_into_float16_rounds_through_float32():
    v = 4.056096217598422e-05  # float32 rounding lands on a half-way point of float16
    assert _half_bits(ndgrad.tensor([v], dtype=ndgrad.float16)) == [680]
    assert _half_bits(ndgrad.tensor([v], dtype=ndgrad.float64).half()) == [680]
    assert _half_bits(ndgrad.tensor([v], dtype=ndgrad.float64).to(ndgrad.float16)) == [680]
    assert _half_bits(ndgrad.tensor(np.array([v]), dtype=ndgrad.float16)) == [680]
    assert np.float16(v).view(np.int16) == 681  # (one rounding)


@requires_torch
# (numpy's warning about 1e10 overflowing float16, which ndgrad's import-time filter hides and
# pytest's "error" filter replaces)
@pytest.mark.filterwarnings("ignore:overflow encountered in cast:RuntimeWarning")
def test_float16_conversions_match_pytorch():
    rng = np.random.default_rng(0)
    v = rng.standard_normal(20000) * np.exp(rng.uniform(-20, 10, 20000))
    v[:3] = [4.056096217598422e-05, 1e10, -7e-8]
    for convert in (
        lambda lib: lib.tensor(v.tolist(), dtype=lib.float16),
        lambda lib: lib.tensor(v).to(lib.float16),
        lambda lib: lib.tensor(v, dtype=lib.float16),
        lambda lib: lib.as_tensor(v, dtype=lib.float16),
    ):
        assert _half_bits(convert(ndgrad)) == convert(torch).numpy().view(np.int16).tolist()


@requires_torch
@pytest.mark.parametrize(
    "code",
    [
        "lib.tensor([1.5, -2.0, 3., 4.]).view(lib.float64)",
        "lib.ones(2, 3).t().view(lib.int32)",
        "lib.ones(4)[::2].view(lib.int32)",
        "lib.ones(4)[::2].view(lib.float64)",
        "lib.ones(2, dtype=lib.float16).view(lib.int16)",
        "lib.arange(8, dtype=lib.uint8).reshape(2, 4).view(lib.int32)",
    ],
)
def test_view_dtype_matches_pytorch(code):
    def run(lib):
        try:
            r = eval(code, {"lib": lib})
        except RuntimeError as e:
            return str(e)
        return str(r.dtype), tuple(r.shape), r.stride(), r.tolist()

    assert run(ndgrad) == run(torch)
