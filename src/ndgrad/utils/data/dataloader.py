"""DataLoader and default_collate: batches of samples, stacked into tensors."""

from __future__ import annotations

import collections
import collections.abc
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ... import _random
from ..._creation import tensor
from ..._namespace import public_dir
from ..._random import Generator
from ..._tensor import Tensor
from ...ops.shape import stack
from ._workers import Worker, check_worker_number, start_workers
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert"]
__dir__ = public_dir(__name__)

_DONE = object()


def default_convert(data: Any) -> Any:
    """numpy arrays become tensors, inside containers too; everything else is unchanged."""
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        return Tensor._make(data)
    if isinstance(data, collections.abc.Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, list | tuple):
        return type(data)(default_convert(d) for d in data)
    return data


def default_collate(batch: Any) -> Any:
    """Stack a list of samples: tensors and arrays along a new dim 0, numbers into a tensor,
    and dicts, tuples and lists field by field."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        if any(t.requires_grad for t in batch):
            return stack(batch, 0)
        return Tensor._make(np.stack([t._data for t in batch]))
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind not in "biuf":
            raise TypeError(
                "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                f"lists; found {elem.dtype}"
            )
        return Tensor._make(np.stack(batch))
    if isinstance(elem, np.generic):
        return Tensor._make(np.array(batch))
    if isinstance(elem, float):
        return tensor(batch, dtype=np.float64)
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, str | bytes):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(s) for s in zip(*batch, strict=True)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(s) != len(elem) for s in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(s) for s in zip(*batch, strict=True)]
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem)}"
    )


class DataLoader:
    """Iterates over a dataset in (optionally shuffled) batches.

    Loading runs in the main process. With ``num_workers > 0`` each batch is loaded as
    PyTorch's worker process for it would load it: with that worker's own seeded random
    streams and ``get_worker_info()`` (see ``_workers``).
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Any = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.num_workers, self.generator = num_workers, generator
        self.worker_init_fn, self.persistent_workers = worker_init_fn, persistent_workers
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing.let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.prefetch_factor = prefetch_factor
        self._workers: list[Worker] | None = None
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified shuffle option, but "
                    f"got shuffle={shuffle}"
                )
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None and not self._iterable:
            sampler = (
                RandomSampler(dataset, generator=generator)
                if shuffle
                else (SequentialSampler(dataset))
            )
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.batch_size, self.drop_last = batch_size, drop_last
        auto = batch_sampler is not None or (self._iterable and batch_size is not None)
        self.collate_fn = collate_fn or (default_collate if auto else default_convert)
        check_worker_number(num_workers)

    def __iter__(self) -> Iterator[Any]:
        if self._workers is not None:  # persistent workers: PyTorch reuses its iterator
            return self._iter_workers(self._workers)
        # PyTorch's iterator draws its workers' base seed first, so the shuffles that follow
        # come out of the same place in the stream.
        seed = _random.random_(Tensor._make(np.empty((), np.int64)), generator=self.generator)
        if self.num_workers == 0:
            return self._iter_batches()
        check_worker_number(self.num_workers)
        workers = start_workers(self, int(seed.item()))
        if self.persistent_workers:
            self._workers = workers
        return self._iter_workers(workers)

    def _iter_workers(self, workers: list[Worker]) -> Iterator[Any]:
        """Batch b loaded by worker b % num_workers, the indices drawn in the main process
        ``prefetch_factor * num_workers`` batches ahead, as PyTorch's loader sends them."""
        if self._iterable:
            yield from self._iter_worker_streams(workers)
            return
        indices: Any = iter(self.batch_sampler if self.batch_sampler is not None else self.sampler)
        ahead: collections.deque[Any] = collections.deque()

        def fetch_index() -> None:
            nxt = next(indices, _DONE)
            if nxt is not _DONE:
                ahead.append(nxt)

        for _ in range((self.prefetch_factor or 0) * len(workers)):
            fetch_index()
        b = 0
        while ahead:
            index = ahead.popleft()
            with workers[b % len(workers)]:
                if self.batch_sampler is not None:
                    batch = self.collate_fn([self.dataset[i] for i in index])
                else:
                    batch = self.collate_fn(self.dataset[index])
            b += 1
            fetch_index()
            yield batch

    def _iter_worker_streams(self, workers: list[Worker]) -> Iterator[Any]:
        """An IterableDataset with workers: each worker iterates the dataset itself (it can
        shard by ``get_worker_info()``); their batches come in turn until each is done."""
        streams = []
        for w in workers:
            with w:
                streams.append(self._iter_stream())
        active = list(range(len(workers)))
        while active:
            for k in list(active):
                with workers[k]:
                    batch = next(streams[k], _DONE)
                if batch is _DONE:
                    active.remove(k)
                else:
                    yield batch

    def _iter_batches(self) -> Iterator[Any]:
        if self._iterable:
            yield from self._iter_stream()
            return
        if self.batch_sampler is not None:
            for indices in self.batch_sampler:
                yield self.collate_fn([self.dataset[i] for i in indices])
        else:
            for i in self.sampler:
                yield self.collate_fn(self.dataset[i])

    def _iter_stream(self) -> Iterator[Any]:
        if self.batch_size is None:
            for item in self.dataset:
                yield self.collate_fn(item)
            return
        batch: list[Any] = []
        for item in self.dataset:
            batch.append(item)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)
