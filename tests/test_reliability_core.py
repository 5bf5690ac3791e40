"""Reliability of the core: memory stays flat over many steps, failed ops change nothing,
NaN/inf propagate as in PyTorch, half and single precision are kept through backward."""

from __future__ import annotations

import gc
import resource

import numpy as np
import pytest

import ndgrad

from .helpers import assert_close, requires_torch, torch


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


@pytest.mark.slow
def test_training_steps_leave_memory_flat() -> None:
    rng = np.random.default_rng(0)
    x = ndgrad.tensor(rng.standard_normal((32, 16)))
    y = ndgrad.tensor(rng.standard_normal((32, 1)))
    w1 = ndgrad.tensor(rng.standard_normal((16, 32)) * 0.1, requires_grad=True)
    w2 = ndgrad.tensor(rng.standard_normal((32, 1)) * 0.1, requires_grad=True)

    def step() -> float:
        loss = (((x @ w1).tanh() @ w2 - y) ** 2).mean()
        loss.backward()
        with ndgrad.no_grad():
            for w in (w1, w2):
                w -= 0.01 * w.grad
                w.grad = None
        return loss.item()

    for _ in range(1000):  # warm up allocator and caches
        step()
    gc.collect()
    before = _rss_mb()
    first = step()
    for _ in range(10_000):
        last = step()
    gc.collect()
    after = _rss_mb()
    assert last < first
    assert after - before < 5.0, f"resident memory grew by {after - before:.1f} MiB"


def test_failed_op_leaves_inputs_and_grads_untouched() -> None:
    a = ndgrad.ones(2, 3, requires_grad=True)
    b = ndgrad.ones(4, requires_grad=True)
    (a.sum() * 2).backward()
    grad_before = a.grad.numpy().copy()
    version = a._version
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        a + b
    with pytest.raises(RuntimeError, match="mat1 and mat2 shapes cannot be multiplied"):
        a @ ndgrad.ones(2, 3)
    with pytest.raises(RuntimeError, match="is invalid for input of size"):
        a.view(4)
    assert a._version == version and a.tolist() == [[1.0] * 3] * 2
    np.testing.assert_array_equal(a.grad.numpy(), grad_before)
    assert b.grad is None


def test_in_place_failure_changes_nothing() -> None:
    a = ndgrad.ones(2, 3)
    with pytest.raises(RuntimeError):
        a.add_(ndgrad.ones(4))
    assert a.tolist() == [[1.0] * 3] * 2 and a._version == 0


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nan_and_inf_propagate() -> None:
    x = ndgrad.tensor([np.nan, np.inf, -np.inf, 1.0], requires_grad=True)
    y = (x * 2).exp().sum()
    y.backward()
    assert np.isnan(y.item())
    g = x.grad.numpy()
    assert np.isnan(g[0]) and g[1] == np.inf and g[2] == 0.0


@requires_torch
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_non_finite_gradients_match_torch() -> None:
    values = [0.0, -1.0, np.inf, np.nan, 1e-40, 4.0]
    for name in ("sqrt", "log", "exp", "tanh", "sigmoid", "relu", "abs"):
        x = ndgrad.tensor(values, dtype=ndgrad.float64, requires_grad=True)
        xt = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        getattr(x, name)().sum().backward()
        getattr(xt, name)().sum().backward()
        assert_close(x.grad, xt.grad, rtol=1e-12, atol=0)


@pytest.mark.parametrize("dtype", [ndgrad.float16, ndgrad.float32])
def test_low_precision_dtypes_are_kept(dtype) -> None:
    x = ndgrad.tensor([0.5, 1.5], dtype=dtype, requires_grad=True)
    w = ndgrad.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=dtype, requires_grad=True)
    y = ((x @ w).tanh() * 2 + 1).sigmoid().mean()
    assert y.dtype is dtype
    y.backward()
    assert x.grad.dtype is dtype and w.grad.dtype is dtype


def test_stable_sigmoid_at_large_magnitudes() -> None:
    x = ndgrad.tensor([-1000.0, 1000.0], dtype=ndgrad.float64, requires_grad=True)
    y = x.sigmoid()
    assert y.tolist() == [0.0, 1.0]
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
