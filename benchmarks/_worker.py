"""Runs one workload for one library in this (fresh) process and prints its metrics as JSON.

Started by run.py with the thread environment already set; not meant to be run by hand, though
``python benchmarks/_worker.py op_overhead ndgrad --repeats 5`` works for a quick look.
"""

from __future__ import annotations

import argparse
import json
import os

from _common import Config, Skip, process_peak_mb, set_torch_threads
from workloads import WORKLOADS

MARKER = "@@RESULT@@ "


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workload")
    parser.add_argument("lib")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    module = next(w for w in WORKLOADS if args.workload == w.NAME)
    if args.lib == "torch":
        set_torch_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    # Python's recursion limit stays at its default: a library that recurses over a deep graph
    # fails here as it would for its users, and that failure is the result.
    cfg = Config(quick=args.quick, repeats=args.repeats)
    try:
        metrics = module.run(args.lib, cfg)
    except Skip as e:
        metrics = {c.key: f"skipped: {e}" for c in module.COLUMNS}
    out = {"metrics": metrics, "process_peak_mb": process_peak_mb()}
    print(MARKER + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
