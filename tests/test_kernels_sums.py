"""_kernels.sum_np's matrix-vector routes: many short last-axis rows, and sums over leading
axes (column sums, as a bias's gradient). They must give numpy's shapes and dtypes, values as
accurate as numpy's own loop, and propagate inf and nan; other layouts take numpy's loop."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad._kernels import _leading_rows, _short_rows, sum_np

_CASES = [
    ((512, 64), (0,)),
    ((512, 64), 0),
    ((16, 32, 64), (0, 1)),
    ((16, 32, 64), (1, 0)),
    ((16, 32, 64), (-3, -2)),
    ((16, 32, 64), (0,)),
    ((64, 3, 8, 8), (0,)),
    ((100, 1000), (0,)),
    ((16, 32, 64), (2,)),
    ((16, 32, 64), -1),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("shape", "axes"), _CASES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_sums_match_numpy(shape: tuple[int, ...], axes: Any, dtype: Any, keepdims: bool) -> None:
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    got = sum_np(x, axes, keepdims)
    want = x.sum(axis=axes, keepdims=keepdims)
    assert got.shape == want.shape and got.dtype == want.dtype
    exact = x.astype(np.float64).sum(axis=axes, keepdims=keepdims)
    # no less accurate than numpy's own float32 loop (float64: both near exact)
    tol = 4 * max(float(np.abs(want - exact).max()), float(np.finfo(dtype).eps) * 64)
    assert np.abs(got - exact).max() <= tol


def test_the_fast_routes_are_taken_where_meant() -> None:
    x = np.ones((512, 64), np.float32)
    assert _leading_rows(x, (0,)) == 512
    assert _leading_rows(np.ones((16, 32, 64)), (1, 0)) == 512
    assert _short_rows(np.ones((16, 32, 64)), (2,))
    # not leading, not contiguous, too small, integer, or half: numpy's loop
    assert not _leading_rows(np.ones((16, 32, 64)), (1,))
    assert not _leading_rows(np.ones((64, 512)).T, (0,))
    assert not _leading_rows(np.ones((128, 10)), (0,))
    assert not _leading_rows(np.ones((512, 64), np.int64), (0,))
    assert not _leading_rows(np.ones((512, 64), np.float16), (0,))
    assert not _leading_rows(np.ones((512, 64)), None)


@pytest.mark.parametrize("special", [np.inf, -np.inf, np.nan])
def test_inf_and_nan_propagate(special: float) -> None:
    x = np.ones((512, 64), np.float32)
    x[100, 3] = special
    with np.errstate(invalid="ignore"):
        got, want = sum_np(x, (0,), False), x.sum(axis=0)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(got[np.isfinite(want)], want[np.isfinite(want)])
    assert got[3] == want[3] or (np.isnan(got[3]) and np.isnan(want[3]))
    x[200, 3] = -special if special == special else special  # inf - inf: nan
    with np.errstate(invalid="ignore"):
        assert np.isnan(sum_np(x, (0,), False)[3])


def test_tensor_sum_and_broadcast_gradient_use_it() -> None:
    """A bias's gradient (a broadcast add's backward) and Tensor.sum over dim 0."""
    rng = np.random.default_rng(1)
    x = ndgrad.tensor(rng.standard_normal((512, 64)).astype(np.float32))
    b = ndgrad.zeros(64, requires_grad=True)
    g = rng.standard_normal((512, 64)).astype(np.float32)
    (x + b).backward(ndgrad.tensor(g))
    assert b.grad is not None
    np.testing.assert_allclose(b.grad.numpy(), g.astype(np.float64).sum(0), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(
        x.sum(0).numpy(), x.numpy().astype(np.float64).sum(0), rtol=1e-5, atol=1e-4
    )
