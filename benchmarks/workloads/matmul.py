"""4. matmul: (1024x1024) @ (1024x1024), sum, backward (BLAS-bound; 2 threads).

Forward plus backward is three 1024³ products (a@b, g@bᵀ, aᵀ@g); the numpy reference does exactly
those three. float32.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import LIBS, Config, loop_time

from ._spec import Column, Target, ahead_of_peers

NAME = "matmul"
TITLE = "4. matmul: (1024x1024) @ (1024x1024), sum, backward (float32, BLAS-bound)"
THREADS = 2
LIBS = LIBS
N = 1024
COLUMNS = [Column("time_ms", "fwd+bwd", "ms", ratio_to="numpy", digits=1)]
NOTES: list[str] = []
TARGETS = [
    Target("matmul fwd+bwd <= 1.1x the numpy reference", "time_ms", "numpy", limit=1.1),
    *ahead_of_peers("matmul fwd+bwd", "time_ms"),
]


def run(lib: str, cfg: Config) -> dict[str, Any]:
    rng = np.random.default_rng(0)
    a0 = rng.standard_normal((N, N)).astype(np.float32)
    b0 = rng.standard_normal((N, N)).astype(np.float32)
    fn: Any

    if lib == "numpy":

        def fn() -> None:
            c = a0 @ b0
            c.sum()
            g = np.ones_like(c)
            g @ b0.T
            a0.T @ g

    elif lib in ("ndgrad", "torch"):
        if lib == "ndgrad":
            import ndgrad as T
        else:
            import torch as T
        a = T.tensor(a0, requires_grad=True)
        b = T.tensor(b0, requires_grad=True)

        def fn() -> None:
            (a @ b).sum().backward()
            a.grad = None
            b.grad = None

    elif lib == "autograd":
        import autograd
        import autograd.numpy as anp

        g = autograd.grad(lambda a, b: anp.sum(a @ b), argnum=[0, 1])

        def fn() -> None:
            g(a0, b0)

    elif lib == "mygrad":
        import mygrad as mg

        a, b = mg.tensor(a0), mg.tensor(b0)

        def fn() -> None:
            (a @ b).sum().backward()
            a.null_grad()
            b.null_grad()

    else:
        raise ValueError(lib)

    seconds, calls = loop_time(fn, cfg.repeats, warmup=1)
    return {"time_ms": seconds * 1e3, "loop_calls": str(calls)}
