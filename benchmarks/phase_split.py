"""Forward and backward time per op of the op-overhead chain, ndgrad and PyTorch side by side.

    python benchmarks/phase_split.py            # both libraries, 1 thread, thread CPU time
    python benchmarks/phase_split.py --no-gc    # the same with the cyclic collector paused

The chain is workload 1's (333 x add, mul, tanh on shape (4,)). Each repeat times 20 forward
passes and their backward passes separately; the median of 7 repeats is printed, per op. Each
library runs in its own process: the collector's cost grows with everything the process has
imported (with torch imported too, ndgrad's forward measured about 2x slower).
"""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
import time
from typing import Any

import numpy as np


def measure(lib: Any) -> tuple[float, float]:
    x0 = np.random.default_rng(0).standard_normal(4)
    a, b = lib.tensor(np.full(4, 0.9)), lib.tensor(np.full(4, 0.1))

    def forward() -> Any:
        y = lib.tensor(x0, requires_grad=True)
        for _ in range(333):
            y = lib.tanh((y + b) * a)
        return (y + b).sum()

    for _ in range(3):
        forward().backward()
    fwd, bwd = [], []
    for _ in range(7):
        f = g = 0.0
        for _ in range(20):
            t0 = time.thread_time()
            loss = forward()
            t1 = time.thread_time()
            loss.backward()
            t2 = time.thread_time()
            f, g = f + t1 - t0, g + t2 - t1
        fwd.append(f / 20 / 1000 * 1e6)
        bwd.append(g / 20 / 1000 * 1e6)
    return sorted(fwd)[3], sorted(bwd)[3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-gc", action="store_true", help="pause the cyclic collector")
    parser.add_argument("--lib", choices=("ndgrad", "torch"), help="one library, this process")
    args = parser.parse_args()
    if args.lib is None:  # each library in a fresh process
        for name in ("ndgrad", "torch"):
            cmd = [sys.executable, __file__, "--lib", name] + (["--no-gc"] if args.no_gc else [])
            subprocess.run(cmd, check=False)
        return
    if args.lib == "torch":
        try:
            import torch
        except ImportError:
            print("torch      not installed")
            return
        torch.set_num_threads(1)
        lib: Any = torch
    else:
        import ndgrad

        lib = ndgrad
    if args.no_gc:
        gc.disable()
    f, b = measure(lib)
    print(f"{args.lib:7s} forward {f:5.2f} us/op   backward {b:5.2f} us/op")


if __name__ == "__main__":
    main()
