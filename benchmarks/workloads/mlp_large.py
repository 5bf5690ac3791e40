"""3. Large MLP step: 784-256-10, batch 128 (BLAS-bound; 2 threads)."""

from __future__ import annotations

from typing import Any

from _common import LIBS, Config

from ._mlp import run_mlp
from ._spec import Column, Target, ahead_of_peers

NAME = "mlp_large"
TITLE = "3. large MLP step: 784-256-10, batch 128, ReLU, cross-entropy, SGD (float32, BLAS-bound)"
THREADS = 2
LIBS = LIBS
COLUMNS = [Column("step_ms", "step", "ms", ratio_to="numpy", digits=3)]
NOTES = ["Same model and loss formula in every library (see workloads/_mlp.py)."]
TARGETS = [
    Target("large MLP step <= 1.1x the numpy reference", "step_ms", "numpy", limit=1.1),
    *ahead_of_peers("large MLP step", "step_ms"),
]


def run(lib: str, cfg: Config) -> dict[str, Any]:
    return run_mlp(lib, cfg, (784, 256, 10), 128)
