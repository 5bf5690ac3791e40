"""linspace, arange and logspace to the bit, as PyTorch's CPU kernels compute them (found by a
physics-informed program whose ``linspace(0, 1, 32)`` grid differed from PyTorch's in the last
bit of four points): the value formulas, checked in numpy without PyTorch, and against it."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ndgrad


def _fma32(a: float, b: float, c: float) -> np.float32:
    """a * b + c rounded once to float32 (the float64 sum of an exact product, then float32)."""
    return np.float32(np.float64(np.float32(a)) * np.float64(b) + np.float64(np.float32(c)))


def test_linspace_float32_is_the_fused_two_sided_formula() -> None:
    # step = (end - start) / (steps - 1) in float; the first half start + step * i, the rest
    # end - step * (steps - i - 1), each one fused multiply-add
    out = ndgrad.linspace(0, 1, 32).numpy()
    step = np.float32(1) / np.float32(31)
    expected = [_fma32(step, i, 0) if i < 16 else _fma32(-step, 31 - i, 1) for i in range(32)]
    np.testing.assert_array_equal(out, np.array(expected, dtype=np.float32))
    # numpy's linspace rounds differently in the second half
    assert out[18] == np.float32(0.5806452) != np.linspace(0, 1, 32).astype(np.float32)[18]


def test_linspace_ends_and_small_cases() -> None:
    assert ndgrad.linspace(-2.5, 7, 11)[3].item() == pytest.approx(0.35, abs=1e-6)
    assert ndgrad.linspace(-2.5, 7, 11)[-1].item() == 7.0
    assert ndgrad.linspace(2, 3, 1).tolist() == [2.0]
    assert ndgrad.linspace(0, 1, 0).shape == (0,)
    assert ndgrad.linspace(0, 10, 4, dtype=ndgrad.int64).tolist() == [0, 3, 6, 10]
    assert ndgrad.linspace(-3, 10, 7, dtype=ndgrad.int32).tolist() == [-3, 0, 1, 3, 5, 7, 10]
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        ndgrad.linspace(0, 1, -1)


def test_arange_float32_vector_blocks() -> None:
    # 8 floats to a vector, two vectors a pass: element 8 + k is base + k * step from the
    # float32-rounded base 0.1 * 8 (both fused in double); the last 4 go one by one
    out = ndgrad.arange(0, 2.0, 0.1).numpy()
    assert out.shape == (20,) and out.dtype == np.float32
    base = np.float64(np.float32(0.1 * 8))
    assert out[9] == np.float32(base + 0.1) != np.float32(0.9)
    assert out[19] == np.float32(0.1 * 19)


def test_logspace_is_pow_of_the_two_sided_exponents() -> None:
    out = ndgrad.logspace(-1, 2, 7, dtype=ndgrad.float64).numpy()
    step = 3 / 6
    expected = [
        math.pow(10, -1 + step * i) if i < 3 else math.pow(10, 2 - step * (6 - i)) for i in range(7)
    ]
    np.testing.assert_array_equal(out, expected)
    assert ndgrad.logspace(0, 400, 2, dtype=ndgrad.float64).tolist() == [1.0, math.inf]


def _cases(seed: int, n: int) -> list[tuple[float, float, int]]:
    rng = np.random.default_rng(seed)
    return [
        (float(rng.uniform(-10, 10)), float(rng.uniform(-10, 10)), int(rng.integers(1, 300)))
        for _ in range(n)
    ]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64"])
def test_linspace_matches_torch(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    for start, end, steps in _cases(0, 150):
        theirs = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
        ours = ndgrad.linspace(start, end, steps, dtype=getattr(ndgrad, dtype)).numpy()
        np.testing.assert_array_equal(ours, theirs, err_msg=str((start, end, steps)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_arange_matches_torch(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    for _ in range(150):
        start = round(float(rng.uniform(-5, 5)), int(rng.integers(0, 3)))
        step = round(float(rng.uniform(0.05, 1)), int(rng.integers(1, 4)))
        end = start + step * float(rng.integers(1, 120)) + float(rng.uniform(0, step))
        theirs = torch.arange(start, end, step, dtype=getattr(torch, dtype)).numpy()
        ours = ndgrad.arange(start, end, step, dtype=getattr(ndgrad, dtype)).numpy()
        np.testing.assert_array_equal(ours, theirs, err_msg=str((start, end, step)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_logspace_matches_torch(dtype: str) -> None:
    torch = pytest.importorskip("torch")
    for start, end, steps in _cases(2, 100):
        start, end = start / 4, end / 4
        for base in (10.0, 2.0):
            theirs = torch.logspace(start, end, steps, base=base, dtype=getattr(torch, dtype))
            ours = ndgrad.logspace(start, end, steps, base=base, dtype=getattr(ndgrad, dtype))
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
