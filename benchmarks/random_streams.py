"""ndgrad's PyTorch-identical random streams against numpy's own generators.

Run from the repository root: ``PYTHONPATH=src python benchmarks/random_streams.py``.
For each sampler and size (1,000 and 1,000,000 values) it loop-times ndgrad, numpy's
``Generator(MT19937)`` (the same bit generator ndgrad draws from), numpy's ``Generator(PCG64)``
(``default_rng``) and the legacy ``RandomState``: many calls back to back, the median per call
over the repeats, on the process CPU clock (see ``benchmarks/_common.py``; ``--clock wall`` for
wall time). The ratio is ndgrad / the faster of numpy's MT19937 Generator and RandomState.
Where torch is installed, PyTorch's own call (one thread) drawing the same values is timed too:
what PyTorch's algorithm costs in C++, beside what numpy's own algorithms cost.
``--write-results`` replaces the random-streams section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from _common import CLOCK_ENV, RANDOM_HEADER, loop_time  # noqa: E402

import ndgrad  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)  # as numpy's generators run: one thread
except ImportError:  # the PyTorch column is left out
    torch = None

SIZES = (1_000, 1_000_000)

Workload = dict[str, Callable[[], Any]]


def workloads(n: int) -> dict[str, Workload]:
    """name -> library -> a no-argument call drawing ``n`` values."""
    g = ndgrad.Generator().manual_seed(0)
    mt = np.random.Generator(np.random.MT19937(0))
    pcg = np.random.default_rng(0)
    rs = np.random.RandomState(0)
    f32 = ndgrad.empty(n, dtype=ndgrad.float32)
    f64 = ndgrad.empty(n, dtype=ndgrad.float64)
    rows = max(n // 1000, 1)
    probs = np.random.default_rng(1).random((rows, 1000))
    probs_t = ndgrad.tensor(probs)
    rates = np.linspace(0, 30, n)
    rates_t = ndgrad.tensor(rates)
    half = np.full(n, 0.5)
    m = min(n, 1000)

    def mn(gen: Any) -> Callable[[], Any]:  # n samples with replacement from rows of 1000
        return lambda: [gen.choice(1000, n // rows, p=p / p.sum()) for p in probs]

    samplers = {
        "rand float32": {
            "ndgrad": lambda: ndgrad.rand(n, generator=g),
            "Generator(MT19937)": lambda: mt.random(n, dtype=np.float32),
            "default_rng (PCG64)": lambda: pcg.random(n, dtype=np.float32),
            "RandomState": lambda: rs.random_sample(n),
        },
        "rand float64": {
            "ndgrad": lambda: ndgrad.rand(n, generator=g, dtype=ndgrad.float64),
            "Generator(MT19937)": lambda: mt.random(n),
            "default_rng (PCG64)": lambda: pcg.random(n),
            "RandomState": lambda: rs.random_sample(n),
        },
        "randn float32": {
            "ndgrad": lambda: ndgrad.randn(n, generator=g),
            "Generator(MT19937)": lambda: mt.standard_normal(n, dtype=np.float32),
            "default_rng (PCG64)": lambda: pcg.standard_normal(n, dtype=np.float32),
            "RandomState": lambda: rs.standard_normal(n),
        },
        "randn float64": {
            "ndgrad": lambda: ndgrad.randn(n, generator=g, dtype=ndgrad.float64),
            "Generator(MT19937)": lambda: mt.standard_normal(n),
            "default_rng (PCG64)": lambda: pcg.standard_normal(n),
            "RandomState": lambda: rs.standard_normal(n),
        },
        "normal_ float32": {
            "ndgrad": lambda: f32.normal_(1.0, 2.0, generator=g),
            "Generator(MT19937)": lambda: mt.normal(1.0, 2.0, n).astype(np.float32),
            "default_rng (PCG64)": lambda: pcg.normal(1.0, 2.0, n).astype(np.float32),
            "RandomState": lambda: rs.normal(1.0, 2.0, n).astype(np.float32),
        },
        "randint int64 [0, 10)": {
            "ndgrad": lambda: ndgrad.randint(0, 10, (n,), generator=g),
            "Generator(MT19937)": lambda: mt.integers(0, 10, n),
            "default_rng (PCG64)": lambda: pcg.integers(0, 10, n),
            "RandomState": lambda: rs.randint(0, 10, n),
        },
        "randperm": {
            "ndgrad": lambda: ndgrad.randperm(n, generator=g),
            "Generator(MT19937)": lambda: mt.permutation(n),
            "default_rng (PCG64)": lambda: pcg.permutation(n),
            "RandomState": lambda: rs.permutation(n),
        },
        "bernoulli_(0.5) float64": {
            "ndgrad": lambda: f64.bernoulli_(0.5, generator=g),
            "Generator(MT19937)": lambda: mt.random(n) < 0.5,
            "default_rng (PCG64)": lambda: pcg.random(n) < 0.5,
            "RandomState": lambda: rs.random_sample(n) < 0.5,
        },
        "bernoulli(p tensor) float64": {
            "ndgrad": lambda: ndgrad.bernoulli(ndgrad.tensor(half), generator=g),
            "Generator(MT19937)": lambda: mt.binomial(1, half),
            "default_rng (PCG64)": lambda: pcg.binomial(1, half),
            "RandomState": lambda: rs.binomial(1, half),
        },
        "exponential_ float64": {
            "ndgrad": lambda: f64.exponential_(1.0, generator=g),
            "Generator(MT19937)": lambda: mt.exponential(1.0, n),
            "default_rng (PCG64)": lambda: pcg.exponential(1.0, n),
            "RandomState": lambda: rs.exponential(1.0, n),
        },
        f"multinomial ({rows}x1000 probs, with replacement)": {
            "ndgrad": lambda: ndgrad.multinomial(probs_t, n // rows, True, generator=g),
            "Generator(MT19937)": mn(mt),
            "default_rng (PCG64)": mn(pcg),
            "RandomState": mn(rs),
        },
        f"multinomial ({rows}x1000 probs, {m // rows or 1} without replacement)": {
            "ndgrad": lambda: ndgrad.multinomial(probs_t, m // rows or 1, generator=g),
            "Generator(MT19937)": lambda: [
                mt.choice(1000, m // rows or 1, replace=False, p=p / p.sum()) for p in probs
            ],
            "default_rng (PCG64)": lambda: [
                pcg.choice(1000, m // rows or 1, replace=False, p=p / p.sum()) for p in probs
            ],
            "RandomState": lambda: [
                rs.choice(1000, m // rows or 1, replace=False, p=p / p.sum()) for p in probs
            ],
        },
        "poisson (rates 0..30)": {
            "ndgrad": lambda: ndgrad.poisson(rates_t, generator=g),
            "Generator(MT19937)": lambda: mt.poisson(rates),
            "default_rng (PCG64)": lambda: pcg.poisson(rates),
            "RandomState": lambda: rs.poisson(rates),
        },
    }
    if torch is not None:
        for name, fn in torch_samplers(n, probs, rates, half).items():
            samplers[name]["PyTorch"] = fn
    return samplers


def torch_samplers(
    n: int, probs: np.ndarray, rates: np.ndarray, half: np.ndarray
) -> dict[str, Callable[[], Any]]:
    """PyTorch's calls drawing the values ndgrad's rows draw (the same names)."""
    assert torch is not None
    g = torch.Generator().manual_seed(0)
    f32 = torch.empty(n)
    f64 = torch.empty(n, dtype=torch.float64)
    rows = max(n // 1000, 1)
    m = min(n, 1000)
    probs_t, rates_t, half_t = (torch.from_numpy(a) for a in (probs, rates, half))
    return {
        "rand float32": lambda: torch.rand(n, generator=g),
        "rand float64": lambda: torch.rand(n, generator=g, dtype=torch.float64),
        "randn float32": lambda: torch.randn(n, generator=g),
        "randn float64": lambda: torch.randn(n, generator=g, dtype=torch.float64),
        "normal_ float32": lambda: f32.normal_(1.0, 2.0, generator=g),
        "randint int64 [0, 10)": lambda: torch.randint(0, 10, (n,), generator=g),
        "randperm": lambda: torch.randperm(n, generator=g),
        "bernoulli_(0.5) float64": lambda: f64.bernoulli_(0.5, generator=g),
        "bernoulli(p tensor) float64": lambda: torch.bernoulli(half_t, generator=g),
        "exponential_ float64": lambda: f64.exponential_(1.0, generator=g),
        f"multinomial ({rows}x1000 probs, with replacement)": lambda: torch.multinomial(
            probs_t, n // rows, True, generator=g
        ),
        f"multinomial ({rows}x1000 probs, {m // rows or 1} without replacement)": lambda: (
            torch.multinomial(probs_t, m // rows or 1, generator=g)
        ),
        "poisson (rates 0..30)": lambda: torch.poisson(rates_t, generator=g),
    }


def fmt(s: float) -> str:
    return f"{s * 1e3:.3f} ms" if s < 1 else f"{s:.2f} s"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--min-seconds", type=float, default=0.2, help="length of one repeat")
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    ap.add_argument("--only", default="", help="comma-separated substrings of workload names")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--write-results", nargs="?", const=str(HERE / "RESULTS.md"), default=None)
    args = ap.parse_args()
    os.environ[CLOCK_ENV] = args.clock
    only = [s for s in args.only.split(",") if s]
    lines = [
        RANDOM_HEADER,
        "",
        f"`PYTHONPATH=src python benchmarks/random_streams.py` ({args.clock} clock, median of "
        f"{args.repeats} repeats of back-to-back calls). ratio = ndgrad / the faster of numpy's "
        "Generator(MT19937) and RandomState (the same Mersenne Twister ndgrad draws from); "
        "ndgrad's values are PyTorch's, numpy's are its own. PyTorch: its own call drawing the "
        "same values (one thread), where torch is installed.",
        "",
        "| workload | n | ndgrad | Generator(MT19937) | default_rng (PCG64) | RandomState "
        "| ratio | PyTorch |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in (int(s) for s in args.sizes.split(",")):
        for name, libs in workloads(n).items():
            if only and not any(s in name for s in only):
                continue
            for fn in libs.values():  # warm every library up first: the allocator's state
                for _ in range(3):  # after the first large frees favours whoever runs second
                    fn()
            t = {
                lib: loop_time(fn, args.repeats, min_seconds=args.min_seconds)[0]
                for lib, fn in libs.items()
            }
            ratio = t["ndgrad"] / min(t["Generator(MT19937)"], t["RandomState"])
            row = (
                f"| {name} | {n:,} | {fmt(t['ndgrad'])} | {fmt(t['Generator(MT19937)'])} | "
                f"{fmt(t['default_rng (PCG64)'])} | {fmt(t['RandomState'])} | {ratio:.2f}x | "
                f"{fmt(t['PyTorch']) if 'PyTorch' in t else '-'} |"
            )
            print(row, flush=True)
            lines.append(row)
    if args.write_results:
        path = Path(args.write_results)
        text = path.read_text() if path.exists() else ""
        section = "\n".join(lines) + "\n"
        pattern = re.compile(re.escape(RANDOM_HEADER) + r".*?(?=\n## |\Z)", re.S)
        if pattern.search(text):
            text = pattern.sub(lambda _: section.rstrip("\n") + "\n", text)
        else:
            text = text.rstrip("\n") + "\n\n" + section
        path.write_text(text)
        print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
