"""jacobian(vectorize=True) against the row loop, for f(x) = tanh(W @ x) with 100 inputs/outputs.

Run from the repository root: ``PYTHONPATH=src python3 benchmarks/bench_jacobian.py``.
Prints the median time of each mode over several repeats and their ratio.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import ndgrad
from ndgrad.autograd.functional import jacobian

N = 100
REPEATS = 7


def median_time(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rng = np.random.default_rng(0)
    W = ndgrad.tensor(rng.standard_normal((N, N)) / np.sqrt(N))
    x = ndgrad.tensor(rng.standard_normal(N))

    def f(v: ndgrad.Tensor) -> ndgrad.Tensor:
        return (W @ v).tanh()

    loop = jacobian(f, x)
    batched = jacobian(f, x, vectorize=True)
    np.testing.assert_allclose(loop.numpy(), batched.numpy(), rtol=1e-12, atol=1e-12)

    t_loop = median_time(lambda: jacobian(f, x))
    t_vec = median_time(lambda: jacobian(f, x, vectorize=True))
    print(f"jacobian of tanh(W @ x), {N} inputs -> {N} outputs, median of {REPEATS} runs")
    print(f"  row loop        : {t_loop * 1e3:8.2f} ms")
    print(f"  vectorize=True  : {t_vec * 1e3:8.2f} ms")
    print(f"  speed-up        : {t_loop / t_vec:8.1f}x")


if __name__ == "__main__":
    main()
