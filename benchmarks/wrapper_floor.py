"""How fast can a Python tensor class run workload 1's no_grad chain at all?

    python benchmarks/wrapper_floor.py

The "no_grad forward <= 2x the bare numpy call" target of benchmark 1 asks a Python-level
tensor to add at most one numpy call's worth of time per op on shape-(4,) arrays, where the
numpy call itself takes about 0.3 us. This script times, in one process and one run, the same
chain (workloads/op_overhead.py:_chain) three ways:

- numpy on bare arrays (the reference of the target);
- ``_Bare``: the least a tensor class can do, an operator method that calls numpy and wraps the
  result in a new object, with no dtype, grad-mode or type check at all (so it is not a usable
  tensor: it shows the cost of the method call and the wrapping alone);
- ndgrad under ``no_grad``.

Each is the median of 9 repeats of back-to-back chains (1 thread, thread CPU time).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from workloads.op_overhead import N_OPS, _chain

_new = object.__new__


class _Bare:
    """Operators that only call numpy and wrap the result."""

    __array_ufunc__ = None
    _data: np.ndarray

    def __add__(self, other: _Bare) -> _Bare:
        t = _new(_Bare)
        t._data = self._data + other._data
        return t

    def __mul__(self, other: _Bare) -> _Bare:
        t = _new(_Bare)
        t._data = self._data * other._data
        return t


def _bare_tanh(x: _Bare, *, out: Any = None) -> _Bare:
    t = _new(_Bare)
    t._data = np.tanh(x._data)
    return t


def _wrap(a: np.ndarray) -> _Bare:
    t = _new(_Bare)
    t._data = a
    return t


def _us_per_op(chain: Callable[[], Any], calls: int = 200) -> float:
    times = []
    for _ in range(9):
        t0 = time.thread_time()
        for _ in range(calls):
            chain()
        times.append((time.thread_time() - t0) / calls / N_OPS * 1e6)
    return sorted(times)[4]


def main() -> None:
    import ndgrad

    x0 = np.random.default_rng(0).standard_normal(4)
    a0, b0 = np.full(4, 0.9), np.full(4, 0.1)
    a, b = _wrap(a0), _wrap(b0)
    ta, tb = ndgrad.tensor(a0), ndgrad.tensor(b0)

    def ndgrad_chain() -> None:
        with ndgrad.no_grad():
            _chain(ndgrad.tensor(x0), ta, tb, ndgrad.tanh)

    numpy_us = _us_per_op(lambda: _chain(x0, a0, b0, np.tanh))
    rows = [
        ("numpy on arrays", numpy_us),
        ("bare wrapper (no checks)", _us_per_op(lambda: _chain(_wrap(x0), a, b, _bare_tanh))),
        ("ndgrad, no_grad", _us_per_op(ndgrad_chain)),
    ]
    print("| chain of 1,000 ops on (4,) float64 | us/op | x numpy |")
    print("|---|---|---|")
    for name, us in rows:
        print(f"| {name} | {us:.3f} | {us / numpy_us:.2f} |")


if __name__ == "__main__":
    main()
