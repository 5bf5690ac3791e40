"""torch.utils.data: ChainDataset, StackDataset, WeightedRandomSampler, get_worker_info; and
torch.autograd: is_tensor_like, set/is_multithreading_enabled, is_view_replay_enabled."""

from __future__ import annotations

import threading
from typing import Any

import ndgrad

from ..helpers import requires_torch, torch


def _data_program(lib: Any) -> list[Any]:
    data = lib.utils.data
    out: list[Any] = []
    lib.manual_seed(0)
    out.append(list(data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 10)))
    g = lib.Generator().manual_seed(3)
    sampler = data.WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, False, generator=g)
    out += [list(sampler), len(sampler)]
    for bad in (
        {"weights": [[1.0, 2.0]], "num_samples": 2},
        {"weights": [1.0, 2.0], "num_samples": 0},
        {"weights": [1.0, 2.0], "num_samples": True},
        {"weights": [1.0, 2.0], "num_samples": 2, "replacement": 1},
    ):
        try:
            data.WeightedRandomSampler(**bad)
        except ValueError as e:
            out.append(str(e))
    stacked = data.StackDataset(data.TensorDataset(lib.arange(3)), [10, 11, 12])
    out += [len(stacked), stacked[1][0][0].item(), stacked[1][1]]
    out.append(data.StackDataset(x=[1, 2], y=["a", "b"])[0])
    for args, kwargs in ((([1], [1, 2]), {}), (([1],), {"y": [1]}), ((), {})):
        try:
            data.StackDataset(*args, **kwargs)
        except ValueError as e:
            out.append(str(e))

    class Stream(data.IterableDataset):  # type: ignore[name-defined,misc]
        def __init__(self, n: int) -> None:
            self.n = n

        def __iter__(self) -> Any:
            return iter(range(self.n))

        def __len__(self) -> int:
            return self.n

    chain = data.ChainDataset([Stream(2), Stream(3)])
    out += [list(chain), len(chain), data.get_worker_info()]
    try:
        list(data.ChainDataset([Stream(1), [1]]))
    except AssertionError as e:
        out.append(str(e))
    for kwargs in (
        {"num_replicas": 3, "rank": 1},
        {"num_replicas": 3, "rank": 2, "shuffle": False},
        {"num_replicas": 4, "rank": 0, "drop_last": True, "seed": 5},
        {"num_replicas": 4, "rank": 3, "drop_last": True, "shuffle": False},
        {"num_replicas": 20, "rank": 19},
    ):
        sampler = data.DistributedSampler(list(range(10)), **kwargs)
        sampler.set_epoch(2)
        out += [len(sampler), list(sampler)]
    for bad in ({"num_replicas": 2, "rank": 2}, {"num_replicas": 2, "rank": -1}):
        try:
            data.DistributedSampler(list(range(10)), **bad)
        except ValueError as e:
            out.append(str(e))
    loader = data.DataLoader(data.StackDataset(lib.arange(4.0), lib.arange(4)), batch_size=2)
    out.append([[t.tolist() for t in batch] for batch in loader])
    return out


@requires_torch
def test_data_additions_match_pytorch() -> None:
    assert _data_program(ndgrad) == _data_program(torch)


def test_weighted_sampler_follows_the_weights() -> None:
    ndgrad.manual_seed(1)
    drawn = list(ndgrad.utils.data.WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 400))
    assert set(drawn) == {1, 3} and 0.65 < drawn.count(3) / 400 < 0.85
    assert len(set(ndgrad.utils.data.WeightedRandomSampler([1.0] * 5, 5, False))) == 5


def test_is_tensor_like() -> None:
    class Duck:
        def __torch_function__(self, *args: Any) -> None:
            pass

    assert ndgrad.autograd.is_tensor_like(ndgrad.ones(1))
    assert ndgrad.autograd.is_tensor_like(ndgrad.nn.Parameter(ndgrad.ones(1)))
    assert ndgrad.autograd.is_tensor_like(ndgrad.Tensor) and ndgrad.autograd.is_tensor_like(Duck())
    assert not ndgrad.autograd.is_tensor_like(3) and not ndgrad.autograd.is_tensor_like([1.0])


def test_multithreading_flag_is_per_thread_and_restored() -> None:
    ag = ndgrad.autograd
    assert ag.is_multithreading_enabled() and not ag.is_view_replay_enabled()
    with ag.set_multithreading_enabled(False):
        assert not ag.is_multithreading_enabled()
        seen: list[bool] = []
        t = threading.Thread(target=lambda: seen.append(ag.is_multithreading_enabled()))
        t.start()
        t.join()
        assert seen == [True]
    assert ag.is_multithreading_enabled()
    ag.set_multithreading_enabled(False)
    try:
        assert not ag.is_multithreading_enabled()
    finally:
        ag.set_multithreading_enabled(True)

    @ag.set_multithreading_enabled(False)
    def inside() -> bool:
        return ag.is_multithreading_enabled()

    assert ag.is_multithreading_enabled() and not inside() and ag.is_multithreading_enabled()
    x = ndgrad.ones(2, requires_grad=True)
    with ag.set_multithreading_enabled(False):
        (x * 3).sum().backward()  # changes nothing in the result
    assert x.grad.tolist() == [3.0, 3.0]


@requires_torch
def test_multithreading_flag_matches_pytorch() -> None:
    for lib in (torch, ndgrad):
        with lib.autograd.set_multithreading_enabled(False):
            assert not lib.autograd.is_multithreading_enabled()
        assert lib.autograd.is_multithreading_enabled()
    assert ndgrad.autograd.is_view_replay_enabled() == torch.autograd.is_view_replay_enabled()


def test_distributed_sampler_needs_an_explicit_world() -> None:
    import pytest

    with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
        ndgrad.utils.data.DistributedSampler(list(range(4)))
    shares = [
        list(ndgrad.utils.data.DistributedSampler(list(range(10)), 3, r, seed=1)) for r in range(3)
    ]
    assert {i for share in shares for i in share} == set(range(10))
    assert sum(len(share) for share in shares) == 12  # padded to a multiple of 3
