"""5. Deep chain: ``y = y * 1.0001 + 0.0001`` on shape (8,) for 200,000 steps, then backward.

400,000 graph nodes in a line: a recursive backward walk (or a recursive graph destructor) fails
here, and per-node memory shows. A failure is a result and is printed in the table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import LIBS, Config, clock

from ._spec import Column, Target, ahead_of_peers

NAME = "deep_chain"
TITLE = "5a. deep chain: y = y*1.0001 + 0.0001 on (8,) float64, 200,000 steps, then backward"
THREADS = 1
LIBS = LIBS
STEPS = 200_000
QUICK_STEPS = 50_000
COLUMNS = [Column("time_s", "fwd+bwd", "s", ratio_to="torch", digits=2)]
NOTES = ["Timed once per repeat including freeing the graph; a warm-up run of 1,000 steps first."]
QUICK_NOTES = ["--quick runs 50,000 steps, not 200,000: the ratio is indicative only."]
TARGETS = [
    Target("deep chain 200,000 steps <= PyTorch's time", "time_s", "torch", limit=1.0),
    *ahead_of_peers("deep chain 200,000 steps", "time_s"),
]


def chain_fn(lib: str) -> Any:
    """A function ``f(steps)`` that builds the chain, runs backward and drops the graph."""
    x0 = np.linspace(0.0, 1.0, 8)

    if lib == "numpy":

        def f(steps: int) -> None:
            y = x0
            for _ in range(steps):
                y = y * 1.0001 + 0.0001
            g = np.ones_like(y)
            for _ in range(steps):
                g = g * 1.0001

        return f

    if lib in ("ndgrad", "torch"):
        if lib == "ndgrad":
            import ndgrad as T
        else:
            import torch as T

        def f(steps: int) -> None:
            x = T.tensor(x0, requires_grad=True)
            y = x
            for _ in range(steps):
                y = y * 1.0001 + 0.0001
            y.sum().backward()
            del y

        return f

    if lib == "autograd":
        import autograd
        import autograd.numpy as anp

        def body(x: Any, steps: int) -> Any:
            y = x
            for _ in range(steps):
                y = y * 1.0001 + 0.0001
            return anp.sum(y)

        g = autograd.grad(body)
        return lambda steps: g(x0, steps)

    if lib == "mygrad":
        import mygrad as mg

        def f(steps: int) -> None:
            x = mg.tensor(x0)
            y = x
            for _ in range(steps):
                y = y * 1.0001 + 0.0001
            y.sum().backward()
            del y

        return f

    raise ValueError(lib)


def run_chain(lib: str, steps: int, repeats: int) -> dict[str, Any]:
    import statistics

    f = chain_fn(lib)
    now = clock()
    try:
        f(1000)
        times = []
        for _ in range(repeats):
            t0 = now()
            f(steps)
            times.append(now() - t0)
    except RecursionError:
        return {"time_s": "RecursionError"}
    except MemoryError:
        return {"time_s": "MemoryError"}
    return {"time_s": statistics.median(times)}


def run(lib: str, cfg: Config) -> dict[str, Any]:
    return run_chain(lib, QUICK_STEPS if cfg.quick else STEPS, cfg.repeats)
