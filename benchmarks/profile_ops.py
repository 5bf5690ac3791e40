"""Profile ndgrad on the per-op workloads: where does the time of one op go?

    python benchmarks/profile_ops.py                    # op overhead and deep chain, top 25
    python benchmarks/profile_ops.py op_overhead --top 40 --sort cumulative
    python benchmarks/profile_ops.py op_overhead --no-grad
    python benchmarks/profile_ops.py deep_chain --steps 50000 --dump /tmp/deep.prof

Runs the same code as workloads 1 (1,000 ops on (4,) tensors, repeated) and 5 (the deep chain) under
cProfile, with the working tree's ndgrad and one BLAS thread, and prints the forward and backward
CPU times per op (without the profiler) followed by the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from workloads.op_overhead import N_OPS, _chain  # noqa: E402

import ndgrad  # noqa: E402

# (forward, backward, number of ops): forward builds the graphs, backward walks them.
Workload = tuple[Callable[[], None], Callable[[], None], int]


def op_overhead(repeats: int, no_grad: bool) -> Workload:
    a, b = ndgrad.tensor(np.full(4, 0.9)), ndgrad.tensor(np.full(4, 0.1))
    x0 = np.random.default_rng(0).standard_normal(4)
    outs: list[ndgrad.Tensor] = []

    def forward() -> None:
        for _ in range(repeats):
            if no_grad:
                with ndgrad.no_grad():
                    outs.append(_chain(ndgrad.tensor(x0), a, b, ndgrad.tanh))
            else:
                x = ndgrad.tensor(x0, requires_grad=True)
                outs.append(_chain(x, a, b, ndgrad.tanh).sum())

    def backward() -> None:
        while outs:
            out = outs.pop()
            if not no_grad:
                out.backward()

    return forward, backward, repeats * N_OPS


def deep_chain(steps: int) -> Workload:
    holder: list[ndgrad.Tensor] = []

    def forward() -> None:
        y = ndgrad.tensor(np.linspace(0.0, 1.0, 8), requires_grad=True)
        for _ in range(steps):
            y = y * 1.0001 + 0.0001
        holder.append(y.sum())

    def backward() -> None:
        holder.pop().backward()

    return forward, backward, 2 * steps


def profile(name: str, make: Callable[[], Workload], top: int, sort: str, dump: str | None) -> None:
    # One plain run for the times (CPU time, as run.py: steady on a shared machine), then one
    # under the profiler.
    forward, backward, n_ops = make()
    t0 = time.process_time()
    forward()
    t1 = time.process_time()
    backward()
    t2 = time.process_time()
    print(
        f"== {name}: {n_ops} ops; forward {(t1 - t0) / n_ops * 1e6:.2f} us/op, "
        f"backward {(t2 - t1) / n_ops * 1e6:.2f} us/op (CPU time, without the profiler)"
    )
    forward, backward, _ = make()
    prof = cProfile.Profile()
    prof.enable()
    forward()
    backward()
    prof.disable()
    if dump:
        prof.dump_stats(dump)
        print(f"(profile written to {dump})")
    stats = pstats.Stats(prof)
    stats.strip_dirs().sort_stats(sort).print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "workload", nargs="?", choices=["op_overhead", "deep_chain", "both"], default="both"
    )
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime", help="pstats key: tottime, cumulative, ...")
    parser.add_argument("--repeats", type=int, default=20, help="op_overhead chains to run")
    parser.add_argument("--steps", type=int, default=100_000, help="deep chain steps")
    parser.add_argument("--no-grad", action="store_true", help="op_overhead forward under no_grad")
    parser.add_argument("--dump", default=None, help="also write the raw profile (for snakeviz)")
    args = parser.parse_args()
    if args.workload in ("op_overhead", "both"):
        label = "op overhead" + (" (no_grad forward)" if args.no_grad else " (fwd+bwd)")
        profile(
            label, lambda: op_overhead(args.repeats, args.no_grad), args.top, args.sort, args.dump
        )
    if args.workload in ("deep_chain", "both"):
        dump = args.dump and args.dump + ".deep" if args.workload == "both" else args.dump
        profile(
            f"deep chain ({args.steps} steps)",
            lambda: deep_chain(args.steps),
            args.top,
            args.sort,
            dump,
        )


if __name__ == "__main__":
    main()
