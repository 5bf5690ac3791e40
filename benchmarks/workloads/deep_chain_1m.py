"""5b. Deep chain of 1,000,000 steps (2,000,000 nodes): does it work at all, and how long."""

from __future__ import annotations

from typing import Any

from _common import LIBS, Config

from ._spec import Column, Results, Target
from .deep_chain import run_chain

NAME = "deep_chain_1m"
TITLE = "5b. deep chain: the same, 1,000,000 steps (one run each; skipped by --quick)"
THREADS = 1
LIBS = LIBS
# HIPS autograd and MyGrad take minutes and GiBs here (they pass 200,000 steps); run.py runs them
# at 1,000,000 only with --peers-1m, to keep the full suite near ten minutes.
OPT_IN_LIBS = ("autograd", "mygrad")
STEPS = 1_000_000
FULL_ONLY = True
COLUMNS = [Column("time_s", "fwd+bwd", "s", ratio_to="torch", digits=2)]
NOTES = [
    "One timed run per library (after a 1,000-step warm-up).",
    "HIPS autograd and MyGrad run here only with --peers-1m (minutes each).",
]


def _works(results: Results) -> tuple[bool | None, str]:
    value = results.get("ndgrad", {}).get("time_s")
    if value is None:
        return None, "not run"
    if isinstance(value, str):
        return False, value
    return True, f"{value:.1f} s"


TARGETS = [Target("deep chain 1,000,000 steps works", check=_works)]


def run(lib: str, cfg: Config) -> dict[str, Any]:
    return run_chain(lib, STEPS, 1)
