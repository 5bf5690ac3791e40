"""6. Memory: 50 elementwise ops on a (1000, 1000) float64 tensor, forward + backward.

The chain is 16 x (mul by a constant, add a constant, tanh) + mul + add; the constants are
(1000, 1000) arrays that exist before the baseline is taken. Each array is 7.6 MiB, so every
intermediate a library keeps alive shows. Measured twice in the worker:

- RSS (every library): baseline after a warm-up pass; peak = VmHWM over forward+backward
  (Linux peak-RSS reset) minus the baseline; "left" = RSS after ``del`` of the output (and the
  leaf's .grad) minus the baseline, with the garbage collector disabled, so only reference
  counting frees (a graph kept alive by a reference cycle shows up); "left, no bwd" does the same
  for a forward whose graph is dropped without running backward.
- tracemalloc (numpy-backed libraries only; PyTorch's buffers bypass it): the same peak and
  "left" counted in bytes numpy allocated, exact and free of allocator noise.

The runner sets MALLOC_MMAP_THRESHOLD_=65536 for this workload so that glibc returns every freed
array to the OS at once and RSS falls back when memory is really freed.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import LIBS, Config, peak_rss_mb, reset_peak_rss, rss_mb

from ._spec import Column, Results, Target

NAME = "memory"
TITLE = "6. memory: 50 elementwise ops on (1000,1000) float64, fwd+bwd (MiB above baseline)"
THREADS = 1
LIBS = LIBS
ENV = {"MALLOC_MMAP_THRESHOLD_": "65536"}
SHAPE = (1000, 1000)
COLUMNS = [
    Column("peak_mb", "peak RSS", "MiB", ratio_to="numpy", digits=1),
    Column("left_mb", "left after del", "MiB", digits=1),
    Column("left_nobwd_mb", "left, no bwd", "MiB", digits=1),
    Column("np_peak_mb", "peak numpy", "MiB", ratio_to="numpy", digits=1),
    Column("np_left_mb", "left numpy", "MiB", digits=2),
]
NOTES = [
    "RSS columns: VmHWM/VmRSS of the worker; 'numpy' columns: tracemalloc (numpy allocations).",
    "One array is 7.6 MiB; the hand-written reference keeps the 16 tanh outputs for backward.",
]
# Half an array: more than allocator noise, less than any leaked intermediate.
LEAK_MB = 3.8


def _nothing_left(results: Results) -> tuple[bool | None, str]:
    row = results.get("ndgrad", {})
    values = [row.get(k) for k in ("left_mb", "left_nobwd_mb", "np_left_mb")]
    if not all(isinstance(v, float | int) for v in values):
        return None, f"ndgrad: {values}"
    shown = "/".join(f"{v:.1f}" for v in values) + " MiB"
    return all(v < LEAK_MB for v in values), shown


TARGETS = [
    Target("memory peak (RSS) <= 1.1x the numpy reference", "peak_mb", "numpy", limit=1.1),
    Target(
        "memory peak (numpy bytes) <= 1.1x the numpy reference", "np_peak_mb", "numpy", limit=1.1
    ),
    Target("nothing left after del (RSS, RSS without backward, numpy bytes)", check=_nothing_left),
]

_TRIPLES = 16  # 16 * 3 + 2 = 50 ops


def _chain(y: Any, a: Any, b: Any, tanh: Any) -> Any:
    for _ in range(_TRIPLES):
        y = y * a
        y = y + b
        y = tanh(y)
    return (y * a) + b


def _phases(lib: str) -> tuple[Callable[[], Any], Callable[[Any], None], Callable[[], None]]:
    """(forward, backward(out), clear_grad) for one library."""
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(SHAPE)
    a0 = np.full(SHAPE, 0.9)
    b0 = np.full(SHAPE, 0.1)

    if lib == "numpy":
        store: dict[str, Any] = {}

        def forward() -> Any:
            saved = []
            y = x0
            for _ in range(_TRIPLES):
                y = y * a0
                y = y + b0
                y = np.tanh(y)
                saved.append(y)
            return (y * a0) + b0, saved

        def backward(out: Any) -> None:
            y, saved = out
            y.sum()
            g = np.ones_like(y) * a0
            while saved:
                t = saved.pop()
                g = g * (1.0 - t * t)
                del t
                g = g * a0
            store["grad"] = g

        return forward, backward, store.clear

    if lib in ("ndgrad", "torch"):
        if lib == "ndgrad":
            import ndgrad as T
        else:
            import torch as T
        x = T.tensor(x0, requires_grad=True)
        a, b = T.tensor(a0), T.tensor(b0)

        def backward(out: Any) -> None:
            out.sum().backward()

        def clear() -> None:
            x.grad = None

        return (lambda: _chain(x, a, b, T.tanh)), backward, clear

    if lib == "autograd":
        import autograd
        import autograd.numpy as anp

        g = autograd.grad(lambda x: anp.sum(_chain(x, a0, b0, anp.tanh)))
        holder: dict[str, Any] = {}

        def ag_forward() -> Any:
            # Forward and backward are one call in HIPS autograd; without grad it is plain numpy.
            return None

        def ag_backward(out: Any) -> None:
            holder["grad"] = g(x0)

        return ag_forward, ag_backward, holder.clear

    if lib == "mygrad":
        import mygrad as mg

        xm = mg.tensor(x0)

        def mg_backward(out: Any) -> None:
            out.sum().backward()

        return (lambda: _chain(xm, a0, b0, mg.tanh)), mg_backward, xm.null_grad

    raise ValueError(lib)


def run(lib: str, cfg: Config) -> dict[str, Any]:
    forward, backward, clear = _phases(lib)
    # Warm-up: lazily created caches, pools and code paths belong to the baseline.
    out = forward()
    backward(out)
    del out
    clear()
    gc.collect()
    gc.disable()
    try:
        base = rss_mb()
        reset_peak_rss()
        out = forward()
        backward(out)
        peak = peak_rss_mb() - base
        del out
        clear()
        left = rss_mb() - base
        out = forward()
        del out
        left_nobwd = rss_mb() - base
    finally:
        gc.enable()
    gc.collect()

    result: dict[str, Any] = {"peak_mb": peak, "left_mb": left, "left_nobwd_mb": left_nobwd}
    if lib == "torch":
        result["np_peak_mb"] = result["np_left_mb"] = "n/a"
        return result
    tracemalloc.start()
    try:
        out = forward()
        backward(out)
        np_peak = tracemalloc.get_traced_memory()[1]
        del out
        clear()
        np_left = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    result["np_peak_mb"] = np_peak / 2**20
    result["np_left_mb"] = np_left / 2**20
    return result
