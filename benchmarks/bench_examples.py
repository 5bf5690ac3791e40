"""Time per epoch of the digits examples under ndgrad and under real PyTorch.

Runs examples/mlp_digits.py and examples/cnn_digits.py once per backend in a fresh process, with
the same number of BLAS/OpenMP threads for both (default 1, so that the numbers are comparable
on a shared machine), and reports training wall-clock and CPU seconds per epoch and the final
test accuracy that each run printed.

    python benchmarks/bench_examples.py [--epochs N] [--threads T] [--backends ndgrad torch]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["mlp_digits", "cnn_digits"]
TIME = re.compile(r"train time per epoch: ([0-9.]+) s \(CPU ([0-9.]+) s\)")
ACC = re.compile(r"test accuracy: ([0-9.]+)")


def run(example: str, backend: str, epochs: int | None, threads: int) -> tuple[float, float, float]:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            str(ROOT / "examples" / f"{example}.py"),
            "--backend",
            backend,
            "--no-progress",
            "--plot",
            str(Path(tmp) / "plot.png"),
        ]
        if epochs is not None:
            cmd += ["--epochs", str(epochs)]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    t, acc = TIME.search(out), ACC.search(out.strip().splitlines()[-1])
    if t is None or acc is None:
        raise RuntimeError(f"unexpected output from {example} ({backend}):\n{out}")
    return float(t.group(1)), float(t.group(2)), float(acc.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=None, help="default: each example's own")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--backends", nargs="+", default=["ndgrad", "torch"])
    parser.add_argument("--examples", nargs="+", default=EXAMPLES)
    args = parser.parse_args()
    print(f"threads={args.threads}  epochs={args.epochs or 'example default'}")
    print(f"{'example':<12} {'backend':<8} {'s/epoch':>9} {'CPU s/epoch':>12} {'test acc':>9}")
    for example in args.examples:
        for backend in args.backends:
            wall, cpu, acc = run(example, backend, args.epochs, args.threads)
            print(f"{example:<12} {backend:<8} {wall:>9.3f} {cpu:>12.3f} {acc:>9.4f}", flush=True)


if __name__ == "__main__":
    main()
