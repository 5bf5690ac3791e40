"""Threads: independent passes agree with sequential ones; a shared leaf loses no update."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import ndgrad


def _loss(x: ndgrad.Tensor, w: ndgrad.Tensor) -> ndgrad.Tensor:
    h = (x @ w).tanh()
    for _ in range(20):
        h = (h * 1.01 + 0.1).sigmoid()
    return (h * h).mean()


def _run_threads(target, n: int = 8) -> None:
    errors: list[BaseException] = []

    def wrapped(i: int) -> None:
        try:
            target(i)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_independent_passes_in_threads_match_sequential() -> None:
    rng = np.random.default_rng(0)
    data = [(rng.standard_normal((16, 8)), rng.standard_normal((8, 4))) for _ in range(8)]

    def grads(i: int) -> tuple[np.ndarray, np.ndarray]:
        x = ndgrad.tensor(data[i][0], requires_grad=True)
        w = ndgrad.tensor(data[i][1], requires_grad=True)
        _loss(x, w).backward()
        return x.grad.numpy(), w.grad.numpy()

    expected = [grads(i) for i in range(8)]
    results: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    _run_threads(lambda i: results.__setitem__(i, grads(i)))
    for i in range(8):
        np.testing.assert_array_equal(results[i][0], expected[i][0])
        np.testing.assert_array_equal(results[i][1], expected[i][1])


@pytest.fixture
def frequent_switches():
    # Switch threads every microsecond instead of every 5 ms, so that a race shows up.
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


@pytest.mark.usefixtures("frequent_switches")
def test_shared_leaf_accumulates_exactly_eight_times() -> None:
    rng = np.random.default_rng(1)
    x_np, w_np = rng.standard_normal((16, 8)), rng.standard_normal((8, 4))
    w = ndgrad.tensor(w_np, requires_grad=True)
    _loss(ndgrad.tensor(x_np), w).backward()
    one_pass = w.grad.numpy().copy()
    w.grad = None
    for _ in range(5):  # repeat: a lost update is a race, so give it chances to show
        w.grad = None
        # Every thread waits in the leaf's hook, which runs just before accumulation: all eight
        # then add into .grad at the same moment.
        barrier = threading.Barrier(8)

        def wait_for_all(grad: ndgrad.Tensor, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()

        handle = w.register_hook(wait_for_all)

        def work(i: int) -> None:
            _loss(ndgrad.tensor(x_np), w).backward()

        _run_threads(work)
        handle.remove()
        np.testing.assert_allclose(w.grad.numpy(), 8 * one_pass, rtol=1e-12)
