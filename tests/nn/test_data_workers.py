"""DataLoader workers: with ``num_workers > 0`` each batch is loaded as PyTorch's worker process
would load it, from that worker's own seeded random streams (torch, Python's random, numpy),
with ``get_worker_info()``; the main stream is left as PyTorch leaves it. A training script
whose ``__getitem__`` augments at random (flips, crops, noise) drew other augmentations and
then other dropout masks under ndgrad."""

from __future__ import annotations

import os
import random
import warnings
from typing import Any

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad
from ndgrad.utils.data import DataLoader, Dataset, IterableDataset, get_worker_info


def _programs(lib: Any) -> Any:
    data = lib.utils.data

    class Augmented(data.Dataset):
        def __len__(self) -> int:
            return 10

        def __getitem__(self, i: int) -> Any:
            info = data.get_worker_info()
            wid = -1 if info is None else info.id
            flip = float(lib.rand(1).item() < 0.5)
            return lib.tensor([float(i), float(wid), flip]), lib.randn(2), np.random.randint(100)

    class Stream(data.IterableDataset):
        def __iter__(self) -> Any:
            info = data.get_worker_info()
            lo, step = (0, 1) if info is None else (info.id, info.num_workers)
            for i in range(lo, 7, step):
                yield lib.tensor([float(i), lib.rand(1).item()])

    def seed_worker(worker_id: int) -> None:
        worker_seed = lib.initial_seed() % 2**32
        np.random.seed(worker_seed)
        random.seed(worker_seed)

    return data, Augmented, Stream, seed_worker


def _run(lib: Any, **loader_kwargs: Any) -> list[Any]:
    data, Augmented, Stream, seed_worker = _programs(lib)
    lib.manual_seed(0)
    np.random.seed(0)
    out: list[Any] = []
    g = lib.Generator().manual_seed(0)
    loader = data.DataLoader(
        Augmented(), batch_size=3, shuffle=True, generator=g, worker_init_fn=seed_worker,
        **loader_kwargs,
    )  # fmt: skip
    for _ in range(2):
        for meta, noise, shift in loader:
            out.append((meta.tolist(), noise.tolist(), shift.tolist()))
        out.append(lib.rand(2).tolist())  # the main stream
    for batch in data.DataLoader(Stream(), batch_size=2, **loader_kwargs):
        out.append(batch.tolist())
    return out


def test_workers_load_from_their_own_streams() -> None:
    ndgrad.manual_seed(0)
    base = int(
        ndgrad.empty((), dtype=ndgrad.int64)
        .random_(generator=ndgrad.Generator().manual_seed(0))
        .item()
    )
    out = _run(ndgrad, num_workers=2)
    first = out[0][0]
    assert [row[1] for row in first] == [0.0, 0.0, 0.0]  # batch 0: worker 0
    assert [row[1] for row in out[1][0]] == [1.0, 1.0, 1.0]  # batch 1: worker 1
    # worker 0's first draw is the first of torch.manual_seed(base + 0)
    g0 = ndgrad.Generator().manual_seed(base)
    assert first[0][2] == float(ndgrad.rand(1, generator=g0).item() < 0.5)
    # the main stream is untouched by the loading (the loader draws from its generator)
    ndgrad.manual_seed(0)
    assert out[4] == ndgrad.rand(2).tolist()


def test_worker_info_and_iterable_sharding() -> None:
    infos: list[Any] = []

    class Probe(Dataset):
        def __len__(self) -> int:
            return 4

        def __getitem__(self, i: int) -> Any:
            infos.append(get_worker_info())
            return i

    assert get_worker_info() is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (more workers than this machine's CPUs warns)
        batches = [b.tolist() for b in DataLoader(Probe(), batch_size=1, num_workers=3)]
    assert batches == [[0], [1], [2], [3]]
    assert [i.id for i in infos] == [0, 1, 2, 0] and infos[0].num_workers == 3
    assert repr(infos[0]).startswith("WorkerInfo(id=0, num_workers=3, seed=")
    with pytest.raises(RuntimeError, match="Cannot assign attributes to WorkerInfo objects"):
        infos[0].id = 5
    assert get_worker_info() is None

    class Shards(IterableDataset):
        def __iter__(self) -> Any:
            info = get_worker_info()
            return iter(range(info.id, 5, info.num_workers))

    got = [b.tolist() for b in DataLoader(Shards(), batch_size=2, num_workers=2)]
    assert got == [[0, 2], [1, 3], [4]]


def test_persistent_workers_keep_their_streams() -> None:
    _, Augmented, _, _ = _programs(ndgrad)
    ndgrad.manual_seed(0)
    loader = DataLoader(Augmented(), batch_size=5, num_workers=2, persistent_workers=True)
    first = [m.tolist() for m, _, _ in loader]
    second = [m.tolist() for m, _, _ in loader]
    assert first != second  # the workers' streams went on
    with pytest.raises(ValueError, match="^persistent_workers option needs num_workers > 0$"):
        DataLoader(Augmented(), persistent_workers=True)
    with pytest.raises(ValueError, match="^prefetch_factor option could only be specified"):
        DataLoader(Augmented(), prefetch_factor=2)


@requires_torch
@pytest.mark.parametrize(
    "kwargs",
    [{"num_workers": 2}, {"num_workers": 2, "persistent_workers": True}, {"num_workers": 0}],
)
def test_workers_match_torch(kwargs: dict[str, Any]) -> None:
    assert _run(ndgrad, **kwargs) == _run(torch, **kwargs)


def test_more_workers_than_cpus_warns_as_torch() -> None:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert cpus is not None
    n = cpus + 1
    message = (
        f"This DataLoader will create {n} worker processes in total. Our suggested max number of "
        f"worker in current system is {cpus}"
    )
    with pytest.warns(UserWarning, match="^" + message):
        loader = DataLoader(list(range(3)), num_workers=n)
    with pytest.warns(UserWarning, match="^" + message):
        iter(loader)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DataLoader(list(range(3)), num_workers=cpus)
