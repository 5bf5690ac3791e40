"""Run the benchmarks: ndgrad against PyTorch CPU, HIPS autograd, MyGrad and hand-written numpy.

    python benchmarks/run.py                   # everything (~10 minutes)
    python benchmarks/run.py --quick           # fewer repeats, smaller deep chain (~1-2 minutes)
    python benchmarks/run.py --only op_overhead,mlp_small --libs ndgrad,torch
    python benchmarks/run.py --write-results   # also write benchmarks/RESULTS.md

Every (workload, library) pair runs in a fresh subprocess with the same thread settings, so one
library's imports, caches and heap never affect another's numbers. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _common import CLOCK_ENV, LABEL, LIBS, RANDOM_HEADER, thread_env  # noqa: E402
from _worker import MARKER  # noqa: E402
from workloads import WORKLOADS  # noqa: E402

# Repeats per workload: (full run, --quick).
# A repeat of workloads 1-4 is N back-to-back calls lasting ~0.2 s (see _common.loop_time).
REPEATS = {
    "op_overhead": (7, 3),
    "mlp_small": (7, 3),
    "mlp_large": (7, 3),
    "transformer": (5, 3),
    "matmul": (5, 3),
    "deep_chain": (1, 1),  # one run is 10-60 s: long enough to be steady, too long to repeat
    "deep_chain_1m": (1, 1),
    "memory": (1, 1),
}
# Rounds per workload: (full run, --quick). Each round runs every library once, in turn, so a burst
# of load from other jobs on a shared machine hits all libraries alike; the table shows, per
# library, the median over rounds of each worker's median.
ROUNDS = {
    "op_overhead": (3, 1),
    "mlp_small": (3, 1),
    "mlp_large": (3, 1),
    "transformer": (3, 1),
    "matmul": (3, 1),
}
WORKER_TIMEOUT_S = 900
CLOCKS = {
    "auto": "process CPU time for 1-thread workloads, wall time for multi-threaded ones",
    "cpu": "process CPU time (all threads of the worker summed)",
    "wall": "wall time (perf_counter)",
}
PASSTHROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# --- running -------------------------------------------------------------------------------------
def installed(lib: str) -> bool:
    if lib == "numpy":
        return True
    if lib == "ndgrad":
        return (ROOT / "src" / "ndgrad").is_dir() or importlib.util.find_spec("ndgrad") is not None
    return importlib.util.find_spec(lib) is not None


# glibc's malloc thresholds, given to every library's worker: ndgrad raises them at import
# (ndgrad/_malloc.py: freed arrays are reused instead of page-faulted in again), so the same
# values for PyTorch, HIPS autograd, MyGrad and numpy keep the allocator out of the comparison.
# --glibc-defaults leaves the environment alone (ndgrad then tunes its own process only).
SAME_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(64 << 20)}
_malloc_env: dict[str, str] = dict(SAME_MALLOC)


def worker_env(threads: int, extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(thread_env(threads))
    env.update(_malloc_env)
    env.update(extra)
    # The working tree's ndgrad, not an installed copy.
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    env["PYTHONHASHSEED"] = "0"
    return env


def module_threads(module: ModuleType, blas_threads: int) -> int:
    """The workload's thread count; --blas-threads replaces it for the BLAS-bound ones."""
    return blas_threads if module.THREADS > 1 else module.THREADS


def module_clock(module: ModuleType, clock: str, blas_threads: int) -> str:
    """--clock auto: CPU time with one thread, wall time with more (CPU time counts spin-waits)."""
    if clock != "auto":
        return clock
    return "cpu" if module_threads(module, blas_threads) == 1 else "wall"


def run_worker(
    module: ModuleType, lib: str, repeats: int, quick: bool, clock: str, blas_threads: int
) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE / "_worker.py"), module.NAME, lib, "--repeats", str(repeats)]
    if quick:
        cmd.append("--quick")
    threads = module_threads(module, blas_threads)
    clock = module_clock(module, clock, blas_threads)
    env = worker_env(threads, {**getattr(module, "ENV", {}), CLOCK_ENV: clock})
    try:
        proc = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=WORKER_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return _failed(module, f"timeout after {WORKER_TIMEOUT_S} s")
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(MARKER):
            return dict(json.loads(line[len(MARKER) :]))
    if proc.returncode < 0:
        why = f"crashed (signal {-proc.returncode})"
    else:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        why = f"failed: {last[:80]}"
    return _failed(module, why)


def combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One row from several rounds: the median of each numeric metric, else the first note."""
    metrics: dict[str, Any] = {}
    for key in runs[0]["metrics"]:
        values = [r["metrics"].get(key) for r in runs]
        numbers = [v for v in values if isinstance(v, float | int)]
        metrics[key] = (
            statistics.median(numbers)
            if len(numbers) == len(values)
            else next(v for v in values if not isinstance(v, float | int))
        )
    peaks = [r["process_peak_mb"] for r in runs if r.get("process_peak_mb") is not None]
    return {"metrics": metrics, "process_peak_mb": max(peaks) if peaks else None}


def _failed(module: ModuleType, why: str) -> dict[str, Any]:
    return {"metrics": {c.key: why for c in module.COLUMNS}, "process_peak_mb": None}


# --- formatting ----------------------------------------------------------------------------------
def _fmt(value: Any, digits: int) -> str:
    if isinstance(value, float | int):
        return f"{value:.{digits}f}"
    return str(value) if value is not None else ""


def format_table(module: ModuleType, rows: dict[str, dict[str, Any]]) -> list[str]:
    headers = ["library"]
    for c in module.COLUMNS:
        headers.append(f"{c.header} ({c.unit})")
        if c.ratio_to:
            headers.append(f"x {LABEL[c.ratio_to].split()[0]}")
    headers.append("worker peak RSS (MiB)")
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for lib, row in rows.items():
        metrics = row.get("metrics", {})
        cells = [LABEL[lib]]
        for c in module.COLUMNS:
            value = metrics.get(c.key)
            cells.append(_fmt(value, c.digits))
            if c.ratio_to:
                ref = rows.get(c.ratio_to, {}).get("metrics", {}).get(c.key)
                ok = isinstance(value, float | int) and isinstance(ref, float | int) and ref > 0
                cells.append(f"{value / ref:.2f}" if ok else "")
        cells.append(_fmt(row.get("process_peak_mb"), 0))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def format_targets(module: ModuleType, rows: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """(status, line) for each target of the workload."""
    results = {lib: row.get("metrics", {}) for lib, row in rows.items()}
    out = []
    for target in module.TARGETS:
        passed, shown = target.evaluate(results)
        status = "PASS" if passed else ("MISS" if passed is False else "N/A")
        out.append((status, f"- **{status}** {target.text}: {shown}"))
    return out


# --- machine -------------------------------------------------------------------------------------
def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ndgrad_commit() -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return rev + (" (src modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load_line() -> str:
    try:
        load = os.getloadavg()[0]
    except OSError:
        return "load average unknown"
    cores = os.cpu_count() or 1
    busy = " (oversubscribed: wall times are unreliable)" if load > cores else ""
    return f"load average {load:.1f} on {cores} cores{busy}"


def machine_lines() -> list[str]:
    blas_env = ", ".join(f"{k}={os.environ.get(k, '(unset)')}" for k in PASSTHROUGH_ENV)
    return [
        f"- CPU: {_cpu_model()}, `nproc` = {os.cpu_count()} (shared with other jobs)",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, numpy {_version('numpy')}, "
        f"torch {_version('torch')}, autograd {_version('autograd')}, mygrad {_version('mygrad')}",
        f"- ndgrad: working tree at commit {_ndgrad_commit()}",
        f"- Environment left as found for every library: {blas_env}",
        "- glibc malloc thresholds, the same for every library's process: "
        + (
            ", ".join(f"{k}={v}" for k, v in _malloc_env.items())
            + " (the values ndgrad sets at import; see ndgrad/_malloc.py)"
            if _malloc_env
            else "glibc's defaults (--glibc-defaults: ndgrad raises them in its own process only)"
        ),
    ]


# --- extras (7) ----------------------------------------------------------------------------------
def run_script(
    cmd: list[str], threads: int, clock: str
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run a script; its time on the chosen clock (CPU time: the child's user + system time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        cmd,
        env=worker_env(threads, {}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=WORKER_TIMEOUT_S,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return (cpu if clock == "cpu" else wall), proc


# What examples/*_digits.py print about their training loop.
EPOCH_TIME = re.compile(r"train time per epoch: ([0-9.]+) s \(CPU ([0-9.]+) s\)")


def extras(quick: bool, libs: list[str], clock: str) -> list[str]:
    """7. Placeholders that run once their scripts exist."""
    lines = ["## 7. digits examples and jacobian (run when their scripts exist)", ""]
    py = sys.executable
    found = False
    for name in ("mlp_digits.py", "cnn_digits.py"):
        script = ROOT / "examples" / name
        if not script.exists():
            lines.append(f"- examples/{name}: not present yet, skipped")
            continue
        found = True
        for backend in ("ndgrad", "torch"):
            if backend not in libs or not installed(backend):
                continue
            # The example times its own training loop and prints it; start-up (imports, data
            # loading) is not in that figure. --quick runs one epoch, otherwise the default.
            cmd = [py, str(script), "--backend", backend, "--no-progress"]
            if quick:
                cmd += ["--epochs", "1"]
            with tempfile.TemporaryDirectory() as tmp:
                _, proc = run_script([*cmd, "--plot", str(Path(tmp) / "plot.png")], 1, clock)
            timing = EPOCH_TIME.search(proc.stdout)
            if proc.returncode or timing is None:
                lines.append(f"- {name} ({backend}): failed: {_tail(proc)}")
                continue
            lines.append(
                f"- {name} ({backend}): {float(timing.group(1)):.3f} s per epoch "
                f"(CPU {float(timing.group(2)):.3f} s); {_last(proc)}"
            )
    jac = HERE / "bench_jacobian.py"
    if jac.exists():
        found = True
        cmd = [py, str(jac)] + (["--quick"] if quick else [])
        _, proc = run_script(cmd, 1, clock)
        if proc.returncode and quick:  # the script may not know --quick
            _, proc = run_script([py, str(jac)], 1, clock)
        title = "jacobian(vectorize=True) vs the row loop (benchmarks/bench_jacobian.py):"
        lines += ["", title, "", "```", proc.stdout.rstrip() or _tail(proc), "```"]
    else:
        lines.append("- benchmarks/bench_jacobian.py: not present yet, skipped")
    if not found:
        lines.append("")
    return lines


def _last(proc: subprocess.CompletedProcess[str]) -> str:
    return (proc.stdout.strip().splitlines() or [""])[-1][:100]


def _tail(proc: subprocess.CompletedProcess[str]) -> str:
    return (proc.stderr.strip().splitlines() or ["no output"])[-1][:100]


# --- main ----------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, ~1-2 minutes")
    parser.add_argument("--only", default="", help="comma-separated workload names")
    parser.add_argument("--libs", default=",".join(LIBS), help="comma-separated libraries")
    parser.add_argument("--repeats", type=int, default=0, help="override every repeat count")
    parser.add_argument(
        "--clock",
        choices=["auto", "cpu", "wall"],
        default="auto",
        help="auto (default): CPU time with 1 thread (robust on a shared machine), wall time with "
        "more (CPU time would count the BLAS threads' spin-waits)",
    )
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=2,
        help="threads for the BLAS-bound workloads (large MLP, matmul); default 2",
    )
    parser.add_argument(
        "--peers-1m", action="store_true", help="also run autograd and MyGrad at 1,000,000 steps"
    )
    parser.add_argument("--no-extras", action="store_true", help="skip section 7")
    parser.add_argument(
        "--write-results",
        nargs="?",
        const=str(HERE / "RESULTS.md"),
        default=None,
        metavar="PATH",
        help="also write the report as Markdown (default benchmarks/RESULTS.md)",
    )
    parser.add_argument(
        "--glibc-defaults",
        action="store_true",
        help="leave glibc's malloc thresholds at their defaults for every library (ndgrad still "
        "raises them in its own process at import)",
    )
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = parser.parse_args(argv)
    if args.glibc_defaults:
        _malloc_env.clear()

    if args.list:
        for w in WORKLOADS:
            print(f"{w.NAME:15s} {w.TITLE}")
        return 0
    only = [s for s in args.only.split(",") if s]
    unknown = set(only) - {w.NAME for w in WORKLOADS} - {"extras"}
    if unknown:
        parser.error(f"unknown workload(s): {', '.join(sorted(unknown))} (see --list)")
    libs = [s for s in args.libs.split(",") if s]
    bad = set(libs) - set(LIBS)
    if bad:
        parser.error(f"unknown librar(y/ies): {', '.join(sorted(bad))}; known: {', '.join(LIBS)}")

    started = time.perf_counter()
    report: list[str] = []
    summary: list[tuple[str, str]] = []

    def emit(lines: list[str]) -> None:
        for line in lines:
            print(line, flush=True)
        report.extend(lines)

    emit(
        [
            "# ndgrad benchmarks",
            "",
            *machine_lines(),
            f"- Mode: {'--quick' if args.quick else 'full'}; clock: {CLOCKS[args.clock]}; "
            f"started {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
            f"{load_line()}",
            f"- Threads: 1, and {args.blas_threads} for the BLAS-bound workloads (3, 4)",
            "",
        ]
    )
    missing = [lib for lib in libs if not installed(lib)]
    if missing:
        emit(
            [
                f"Not installed, skipped: {', '.join(missing)} "
                "(pip install -e '.[bench]' installs the peers)",
                "",
            ]
        )

    for module in WORKLOADS:
        if only and module.NAME not in only:
            continue
        if args.quick and getattr(module, "FULL_ONLY", False):
            emit([f"## {module.TITLE}", "", "Skipped by --quick.", ""])
            continue
        full, quick = REPEATS.get(module.NAME, (5, 2))
        repeats = args.repeats or (quick if args.quick else full)
        title = f"## {module.TITLE}"
        print(title + f"  [{repeats} repeats]", flush=True)
        full_r, quick_r = ROUNDS.get(module.NAME, (1, 1))
        rounds = quick_r if args.quick else full_r
        runs: dict[str, list[dict[str, Any]]] = {}
        for r in range(rounds):
            for lib in module.LIBS:
                if lib not in libs or not installed(lib):
                    continue
                if lib in getattr(module, "OPT_IN_LIBS", ()) and not args.peers_1m:
                    runs.setdefault(lib, []).append(_failed(module, "not run (--peers-1m)"))
                    continue
                t0 = time.perf_counter()
                row = run_worker(module, lib, repeats, args.quick, args.clock, args.blas_threads)
                runs.setdefault(lib, []).append(row)
                print(
                    f"   round {r + 1}/{rounds} {lib}: {time.perf_counter() - t0:.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
        rows = {lib: combine(lib_runs) for lib, lib_runs in runs.items()}
        report += [title, ""]
        threads = module_threads(module, args.blas_threads)
        calls = {
            LABEL[lib]: row["metrics"]["loop_calls"]
            for lib, row in rows.items()
            if isinstance(row["metrics"].get("loop_calls"), str)
        }
        what = "repeat(s)"
        if calls:
            what += (
                " of back-to-back calls, no forced garbage collection (calls per repeat: "
                + ", ".join(f"{lib} {n}" for lib, n in calls.items())
                + ")"
            )
        notes = [
            f"{threads} thread(s); {module_clock(module, args.clock, args.blas_threads)} time; "
            f"median of {repeats} {what} after warm-up"
            + (f", median over {rounds} rounds of fresh workers." if rounds > 1 else ".")
        ]
        notes += getattr(module, "NOTES", [])
        if args.quick:
            notes += getattr(module, "QUICK_NOTES", [])
        emit(format_table(module, rows) + [""] + [f"_{n}_" for n in notes] + [""])
        targets = format_targets(module, rows)
        summary += targets
        if targets:
            emit([line for _, line in targets] + [""])

    if not args.no_extras and (not only or "extras" in only):
        emit(extras(args.quick, libs, args.clock))

    counts = {s: sum(1 for status, _ in summary if status == s) for s in ("PASS", "MISS", "N/A")}
    emit(
        [
            "",
            "## Targets",
            "",
            *(line for _, line in summary),
            "",
            f"{counts['PASS']} PASS, {counts['MISS']} MISS, {counts['N/A']} N/A; "
            f"suite took {time.perf_counter() - started:.0f} s; at the end: {load_line()}.",
            "",
            f"Command: `python {shlex.join(['benchmarks/run.py', *(argv or sys.argv[1:])])}`",
        ]
    )
    if args.write_results:
        path = Path(args.write_results)
        kept = _random_section(path)
        path.write_text("\n".join(report) + "\n" + (f"\n{kept}\n" if kept else ""))
        print(f"\nwrote {args.write_results}", file=sys.stderr)
    return 0


def _random_section(path: Path) -> str:
    """The random-streams section that random_streams.py wrote into ``path``, kept as it is."""
    if not path.exists():
        return ""
    found = re.search(re.escape(RANDOM_HEADER) + r".*?(?=\n## |\Z)", path.read_text(), re.S)
    return found.group(0).rstrip("\n") if found else ""


if __name__ == "__main__":
    sys.exit(main())
