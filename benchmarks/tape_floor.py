"""How close can any Python autograd get to numpy on the large MLP step (benchmark 3)?

    python benchmarks/tape_floor.py            # 1 BLAS thread, as run.py --blas-threads 1

Benchmark 3's target asks for at most 1.1x the hand-written numpy step. This script times, in
one process, the same step (workloads/_mlp.py) three ways:

- the hand-written numpy forward and backward (the reference of the target);
- ``_Tape``: the least a reverse-mode library can do, a global list of (output, inputs,
  vector-Jacobian product) entries, walked backwards once. No dtype, shape, version or grad-mode
  check, no hooks, no graph objects beyond one tuple per op, no ``.grad`` bookkeeping beyond one
  attribute: not a usable library, the floor of the approach;
- ndgrad.

Each is timed as a training loop runs (workloads/_common.py:loop_time), alternating the three
for several rounds; the median per library is printed with its ratio to numpy.
"""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Callable
from typing import Any

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402  (after the thread count is set)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import loop_time  # noqa: E402
from workloads import _mlp  # noqa: E402

_TAPE: list[tuple[Any, tuple[Any, ...], Callable[[np.ndarray], tuple[Any, ...]]]] = []


class _Tape:
    """A value on the tape: ``data``, and ``grad`` once backward has reached it."""

    def __init__(self, data: np.ndarray, leaf: bool = False) -> None:
        self.data = data
        self.grad: np.ndarray | None = None
        self.leaf = leaf


def _op(data: np.ndarray, inputs: tuple[Any, ...], vjp: Callable[..., tuple[Any, ...]]) -> Any:
    out = _Tape(data)
    _TAPE.append((out, inputs, vjp))
    return out


def _sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1
    )
    return g.sum(axis=axes, keepdims=True).reshape(shape)


def _matmul(a: _Tape, b: _Tape) -> _Tape:
    x, w = a.data, b.data
    need_a, need_b = a.leaf is not None, b.leaf is not None  # leaf None: a constant
    return _op(x @ w, (a, b), lambda g: (g @ w.T if need_a else None, x.T @ g if need_b else None))


def _add(a: _Tape, b: _Tape) -> _Tape:
    sa, sb = a.data.shape, b.data.shape
    return _op(a.data + b.data, (a, b), lambda g: (_sum_to(g, sa), _sum_to(g, sb)))


def _sub(a: _Tape, b: _Tape) -> _Tape:
    sa, sb = a.data.shape, b.data.shape
    return _op(a.data - b.data, (a, b), lambda g: (_sum_to(g, sa), -_sum_to(g, sb)))


def _mul(a: _Tape, b: _Tape) -> _Tape:
    x, y = a.data, b.data
    need_b = b.leaf is not None
    return _op(
        x * y,
        (a, b),
        lambda g: (_sum_to(g * y, x.shape), _sum_to(g * x, y.shape) if need_b else None),
    )


def _relu(a: _Tape) -> _Tape:
    y = np.maximum(a.data, 0)
    return _op(y, (a,), lambda g: (g * (y > 0),))


def _exp(a: _Tape) -> _Tape:
    y = np.exp(a.data)
    return _op(y, (a,), lambda g: (g * y,))


def _log(a: _Tape) -> _Tape:
    x = a.data
    return _op(np.log(x), (a,), lambda g: (g / x,))


def _sum(a: _Tape, dim: int, keepdim: bool) -> _Tape:
    x = a.data
    y = x.sum(axis=dim, keepdims=keepdim)

    def vjp(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.broadcast_to(g if keepdim else np.expand_dims(g, dim), x.shape),)

    return _op(y, (a,), vjp)


def _mean(a: _Tape) -> _Tape:
    x = a.data
    return _op(x.mean(), (a,), lambda g: (np.broadcast_to(g / x.size, x.shape),))


def _neg(a: _Tape) -> _Tape:
    return _op(-a.data, (a,), lambda g: (-g,))


def _backward(loss: _Tape) -> None:
    loss.grad = np.ones_like(loss.data)
    for out, inputs, vjp in reversed(_TAPE):
        g = out.grad
        if g is None:
            continue
        for inp, gi in zip(inputs, vjp(g), strict=True):
            if inp.leaf is None:  # a constant
                continue
            inp.grad = gi if inp.grad is None else inp.grad + gi
    _TAPE.clear()


def tape_step(sizes: tuple[int, int, int], batch: int) -> Callable[[], float]:
    """The step of workloads/_mlp.py on the tape."""
    p0, x0, oh0 = _mlp._data(*sizes, batch)
    params = [_Tape(a.copy(), leaf=True) for a in p0]
    x, onehot = _Tape(x0), _Tape(oh0)
    x.leaf = onehot.leaf = None  # type: ignore[assignment]  # constants: no gradient

    def step() -> float:
        w1, b1, w2, b2 = params
        z = _add(_matmul(_relu(_add(_matmul(x, w1), b1)), w2), b2)
        rowmax = _Tape(z.data.max(axis=1, keepdims=True))
        rowmax.leaf = None  # type: ignore[assignment]
        s = _sub(z, rowmax)
        logp = _sub(s, _log(_sum(_exp(s), 1, True)))
        loss = _neg(_mean(_sum(_mul(logp, onehot), 1, False)))
        _backward(loss)
        for p in params:
            p.data -= _mlp.LR * p.grad
            p.grad = None
        return float(loss.data)

    return step


def main() -> None:
    sizes, batch = (784, 256, 10), 128
    steps = {
        "numpy (hand-written)": _mlp.make_step("numpy", sizes, batch),
        "minimal tape": tape_step(sizes, batch),
        "ndgrad": _mlp.make_step("ndgrad", sizes, batch),
    }
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(5):  # alternate, so that drift in the machine's speed hits all three
        for name, step in steps.items():
            times[name].append(loop_time(step, 3)[0])
    base = statistics.median(times["numpy (hand-written)"])
    threads = os.environ["OPENBLAS_NUM_THREADS"]
    print(f"large MLP step {sizes}, batch {batch}, {threads} BLAS thread(s)")
    print("| library | step (ms) | x numpy |")
    print("|---|---|---|")
    for name, ts in times.items():
        t = statistics.median(ts)
        print(f"| {name} | {t * 1e3:.3f} | {t / base:.2f} |")


if __name__ == "__main__":
    main()
