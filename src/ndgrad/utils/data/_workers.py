"""DataLoader workers, run in the main process one batch at a time.

PyTorch's ``num_workers > 0`` starts processes that each seed their own random streams: with
``base_seed`` drawn by the loader's iterator, worker ``i`` runs ``torch.manual_seed(base_seed +
i)``, ``random.seed(base_seed + i)`` and seeds numpy's global state from
``SeedSequence([i, base_seed & 0xFFFFFFFF, base_seed >> 32, 0])``; then ``worker_init_fn(i)``.
Batch ``b`` is loaded by worker ``b % num_workers``. So a ``__getitem__`` that draws random
numbers draws them from its worker's streams, not the main one.

ndgrad loads in the main process, but keeps one set of those three streams per worker and swaps
it in around each batch its worker would load (and around ``worker_init_fn``), with
``get_worker_info()`` describing that worker meanwhile: the samples, and the main stream after,
are PyTorch's. The dataset is the main process's object itself, not a copy per worker.
"""

from __future__ import annotations

import os
import random
import warnings
from typing import Any

import numpy as np

from ... import _random

__all__ = ["WorkerInfo", "get_worker_info"]

_MASK32 = 0xFFFFFFFF


class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: its ``id``, ``num_workers``,
    ``seed`` and ``dataset``."""

    _keys = ("id", "num_workers", "seed", "dataset")
    id: int
    num_workers: int
    seed: int
    dataset: Any

    def __init__(self, **kwargs: Any) -> None:
        for k, v in kwargs.items():
            object.__setattr__(self, k, v)

    def __setattr__(self, key: str, val: Any) -> None:
        raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")

    def __repr__(self) -> str:
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self._keys)
        return f"{self.__class__.__name__}({items})"


_current: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The worker loading the current batch (``id``, ``num_workers``, ``seed``, ``dataset``),
    or None outside a DataLoader worker."""
    return _current


def _save() -> tuple[Any, ...]:
    return (_random.default_generator.get_state(), random.getstate(), np.random.get_state())


def _restore(states: tuple[Any, ...]) -> None:
    _random.default_generator.set_state(states[0])
    random.setstate(states[1])
    np.random.set_state(states[2])


class Worker:
    """One worker's random streams and info; ``with worker:`` runs code as that worker."""

    def __init__(self, wid: int, num_workers: int, base_seed: int, dataset: Any) -> None:
        self.info = WorkerInfo(
            id=wid, num_workers=num_workers, seed=base_seed + wid, dataset=dataset
        )
        main = _save()
        _random.default_generator.manual_seed(base_seed + wid)
        random.seed(base_seed + wid)
        entropy = [wid, base_seed & _MASK32, base_seed >> 32, 0]
        np.random.seed(np.random.SeedSequence(entropy).generate_state(4))
        self.states = _save()
        _restore(main)
        self._main: tuple[Any, ...] | None = None

    def __enter__(self) -> Worker:
        global _current
        self._main = _save()
        _restore(self.states)
        _current = self.info
        return self

    def __exit__(self, *exc: object) -> None:
        global _current
        self.states = _save()
        assert self._main is not None
        _restore(self._main)
        _current = None


def check_worker_number(num_workers: int) -> None:
    """PyTorch's warning when a loader asks for more workers than the CPUs this process may
    use (given when the loader is made, and when it starts workers)."""
    if not num_workers:
        return
    affinity = hasattr(os, "sched_getaffinity")
    suggest = len(os.sched_getaffinity(0)) if affinity else os.cpu_count()
    if suggest is not None and num_workers <= suggest:
        return
    if suggest is None:
        why = (
            "DataLoader is not able to compute a suggested max number of worker in current system."
        )
    else:
        why = (
            f"Our suggested max number of worker in current system is {suggest}"
            f"{'' if affinity else ' (`cpuset` is not taken into account)'}, which is smaller "
            "than what this DataLoader is going to create."
        )
    warnings.warn(
        f"This DataLoader will create {num_workers} worker processes in total. {why} Please be "
        "aware that excessive worker creation might get DataLoader running slow or even freeze, "
        "lower the worker number to avoid potential slowness/freeze if necessary.",
        stacklevel=3,
    )


def start_workers(loader: Any, base_seed: int) -> list[Worker]:
    """The loader's workers, seeded from ``base_seed``, each having run ``worker_init_fn``."""
    n = loader.num_workers
    workers = [Worker(i, n, base_seed, loader.dataset) for i in range(n)]
    if loader.worker_init_fn is not None:
        for w in workers:
            with w:
                loader.worker_init_fn(w.info.id)
    return workers
