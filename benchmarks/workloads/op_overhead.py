"""1. Op overhead: 1,000 elementwise ops on shape-(4,) tensors, then backward.

With 4 elements the arithmetic is negligible, so the time per op is what the library spends on
recording and walking the graph. The chain is 333 x (add, mul, tanh) plus one add, written with
each library's own operators; the constants are plain (non-grad) tensors of the same shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import LIBS, Config, loop_time

from ._spec import Column, Target, ahead_of_peers

NAME = "op_overhead"
TITLE = "1. op overhead: chain of 1,000 elementwise ops (add, mul, tanh) on (4,) float64"
THREADS = 1
LIBS = LIBS
N_OPS = 1000
COLUMNS = [
    Column("fwd_bwd_us", "fwd+bwd", "us/op", ratio_to="torch", digits=2),
    Column("fwd_us", "no_grad fwd", "us/op", ratio_to="numpy", digits=2),
]
NOTES = [
    "numpy row: fwd+bwd is a hand-written forward+backward; no_grad fwd is the bare numpy call.",
    "HIPS autograd has no no_grad mode: its forward column calls autograd.numpy on plain arrays.",
]
TARGETS = [
    Target("op overhead fwd+bwd <= 1.0x PyTorch per op", "fwd_bwd_us", "torch", limit=1.0),
    Target("no_grad forward <= 2x the bare numpy call", "fwd_us", "numpy", limit=2.0),
    *ahead_of_peers("op overhead fwd+bwd", "fwd_bwd_us"),
]

_TRIPLES, _REST = divmod(N_OPS, 3)  # 333 triples + 1 add
assert _REST == 1


def _chain(y: Any, a: Any, b: Any, tanh: Any) -> Any:
    for _ in range(_TRIPLES):
        y = y + b
        y = y * a
        y = tanh(y)
    return y + b


def _numpy_fwd_bwd(x: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # Forward keeps only what backward needs: the tanh outputs.
    tanh_out = []
    y = x
    for _ in range(_TRIPLES):
        y = y + b
        y = y * a
        y = np.tanh(y)
        tanh_out.append(y)
    y = y + b
    _ = y.sum()
    g = np.ones_like(y)
    for t in reversed(tanh_out):
        g = g * (1.0 - t * t)
        g = g * a
    return g


def run(lib: str, cfg: Config) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(4)
    a0 = np.full(4, 0.9)
    b0 = np.full(4, 0.1)
    reps = cfg.repeats
    fwd_bwd: Any
    fwd: Any

    if lib == "numpy":

        def fwd_bwd() -> None:
            _numpy_fwd_bwd(x0, a0, b0)

        def fwd() -> None:
            _chain(x0, a0, b0, np.tanh)

    elif lib in ("ndgrad", "torch"):
        if lib == "ndgrad":
            import ndgrad as T
        else:
            import torch as T
        a, b = T.tensor(a0), T.tensor(b0)

        def fwd_bwd() -> None:
            x = T.tensor(x0, requires_grad=True)
            _chain(x, a, b, T.tanh).sum().backward()

        def fwd() -> None:
            with T.no_grad():
                _chain(T.tensor(x0), a, b, T.tanh)

    elif lib == "autograd":
        import autograd
        import autograd.numpy as anp

        g = autograd.grad(lambda x: anp.sum(_chain(x, a0, b0, anp.tanh)))

        def fwd_bwd() -> None:
            g(x0)

        def fwd() -> None:
            _chain(x0, a0, b0, anp.tanh)

    elif lib == "mygrad":
        import mygrad as mg

        def fwd_bwd() -> None:
            x = mg.tensor(x0)
            _chain(x, a0, b0, mg.tanh).sum().backward()

        def fwd() -> None:
            with mg.no_autodiff:
                _chain(mg.tensor(x0), a0, b0, mg.tanh)

    else:
        raise ValueError(lib)

    t_fwd_bwd, n_fwd_bwd = loop_time(fwd_bwd, reps)
    t_fwd, n_fwd = loop_time(fwd, reps)
    return {
        "fwd_bwd_us": t_fwd_bwd / N_OPS * 1e6,
        "fwd_us": t_fwd / N_OPS * 1e6,
        "loop_calls": f"{n_fwd_bwd}/{n_fwd}",
    }
