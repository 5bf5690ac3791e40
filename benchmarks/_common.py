"""Shared by the runner and the workers: the libraries, timing, and memory probes."""

from __future__ import annotations

import contextlib
import os
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Row order of every table. "numpy" is the hand-written forward+backward reference.
LIBS = ("numpy", "ndgrad", "torch", "autograd", "mygrad")
# The section of RESULTS.md that random_streams.py writes; run.py keeps it when it rewrites the
# rest of the file.
RANDOM_HEADER = "## Random streams: ndgrad (PyTorch's values) vs numpy's generators"
LABEL = {
    "numpy": "numpy (hand-written)",
    "ndgrad": "ndgrad",
    "torch": "PyTorch CPU",
    "autograd": "HIPS autograd",
    "mygrad": "MyGrad",
}


@dataclass
class Config:
    """What a worker is told: the mode and the repeat count for this workload."""

    quick: bool = False
    repeats: int = 5
    extra: dict[str, Any] = field(default_factory=dict)


class Skip(Exception):
    """Raised by a workload when a library cannot run it (the message goes into the table)."""


# The clock every timing uses, chosen by run.py (--clock) through the worker's environment.
# "cpu" (the default) is the process's CPU time, all threads summed: on a machine shared with other
# jobs, wall time mostly measures the neighbours (7x inflated and jumping between repeats when
# the load average is 5x the core count), while CPU time stays within a few percent. "wall" is
# the usual perf_counter, right on a quiet machine.
CLOCK_ENV = "NDGRAD_BENCH_CLOCK"


def clock() -> Callable[[], float]:
    """The timer selected for this run: ``time.process_time`` or ``time.perf_counter``."""
    return time.perf_counter if os.environ.get(CLOCK_ENV, "cpu") == "wall" else time.process_time


# Each repeat runs the workload back to back for at least this long (on the selected clock).
LOOP_SECONDS = 0.2


def loop_time(
    fn: Callable[[], Any], repeats: int, warmup: int = 3, min_seconds: float = LOOP_SECONDS
) -> tuple[float, int]:
    """Time ``fn()`` as a training loop runs it: ``(median seconds per call, calls per repeat)``.

    After ``warmup`` untimed calls, each of ``repeats`` repeats times N consecutive calls (N is
    chosen so that a repeat lasts about ``min_seconds``) and divides by N; the median over the
    repeats is returned. Nothing is forced between the calls: no ``gc.collect()`` (a full
    collection before each call leaves the caches cold and, measured on the small MLP, tripled
    PyTorch's step time but not ndgrad's), so each library pays for its own garbage as it would
    in a loop.
    """
    now = clock()
    for _ in range(max(warmup - 1, 0)):
        fn()
    t0 = now()
    fn()
    one = now() - t0
    calls = max(1, min(100_000, round(min_seconds / max(one, 1e-7))))
    times = []
    for _ in range(repeats):
        t0 = now()
        for _ in range(calls):
            fn()
        times.append((now() - t0) / calls)
    return statistics.median(times), calls


# --- memory -------------------------------------------------------------------------------------
# RSS is the only measure that sees every library's allocations (PyTorch's buffers bypass
# tracemalloc). Linux lets a process reset its own peak RSS (VmHWM) by writing "5" to
# /proc/self/clear_refs, so a peak can be taken over one phase instead of the process lifetime.


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """Current resident set size in MiB (0 where /proc is missing)."""
    kb = _status_kb("VmRSS")
    return (kb or 0) / 1024


def reset_peak_rss() -> bool:
    """Start a new peak-RSS window; False where the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """Peak RSS in MiB since the last reset (VmHWM), or of the whole process (ru_maxrss)."""
    kb = _status_kb("VmHWM")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024


def process_peak_mb() -> float:
    """Peak RSS of the whole process in MiB (ru_maxrss, kilobytes on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def thread_env(threads: int) -> dict[str, str]:
    """Environment that pins every BLAS/OpenMP pool to ``threads`` threads."""
    n = str(threads)
    return {
        "OMP_NUM_THREADS": n,
        "OPENBLAS_NUM_THREADS": n,
        "MKL_NUM_THREADS": n,
        "VECLIB_MAXIMUM_THREADS": n,
        "NUMEXPR_NUM_THREADS": n,
    }


def set_torch_threads(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)
    with contextlib.suppress(RuntimeError):  # already set once in this process
        torch.set_num_interop_threads(1)
