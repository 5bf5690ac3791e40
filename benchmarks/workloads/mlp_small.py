"""2. Small MLP step: 64-32-10, batch 32 (dominated by per-op overhead)."""

from __future__ import annotations

from typing import Any

from _common import LIBS, Config

from ._mlp import run_mlp
from ._spec import Column, Target, ahead_of_peers

NAME = "mlp_small"
TITLE = "2. small MLP step: 64-32-10, batch 32, ReLU, cross-entropy, SGD (float32)"
THREADS = 1
LIBS = LIBS
COLUMNS = [Column("step_ms", "step", "ms", ratio_to="torch", digits=3)]
NOTES = ["Same model and loss formula in every library (see workloads/_mlp.py)."]
TARGETS = [
    Target("small MLP step <= 1.0x PyTorch", "step_ms", "torch", limit=1.0),
    *ahead_of_peers("small MLP step", "step_ms"),
]


def run(lib: str, cfg: Config) -> dict[str, Any]:
    return run_mlp(lib, cfg, (64, 32, 10), 32)
