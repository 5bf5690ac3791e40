"""The workloads, in table order. Each module defines:

- ``NAME``, ``TITLE``, ``THREADS`` (the BLAS/OpenMP thread count for every library),
- ``LIBS``: the rows it runs, ``COLUMNS``: the metrics each row reports, with the library each
  metric's ratio is taken against,
- ``TARGETS``: the checks printed as PASS/MISS under the table,
- ``run(lib, cfg) -> dict``: runs in a fresh worker process and returns the metrics (seconds,
  microseconds or MiB as the column says; a string is a failure or skip note).
"""

from __future__ import annotations

from types import ModuleType

from . import (
    deep_chain,
    deep_chain_1m,
    matmul,
    memory,
    mlp_large,
    mlp_small,
    op_overhead,
    transformer,
)

WORKLOADS: list[ModuleType] = [
    op_overhead,
    mlp_small,
    mlp_large,
    transformer,
    matmul,
    deep_chain,
    deep_chain_1m,
    memory,
]
