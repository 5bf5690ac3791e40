"""ndgrad.utils.data: datasets, samplers, DataLoader batching/shuffling, collate, random_split."""

from __future__ import annotations

import re
from collections import namedtuple

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
from ndgrad.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def _dataset(n: int = 10) -> TensorDataset:
    x = ndgrad.arange(n * 2, dtype=ndgrad.float32).reshape(n, 2)
    return TensorDataset(x, ndgrad.arange(n))


def test_tensor_dataset() -> None:
    ds = _dataset()
    assert len(ds) == 10
    x, y = ds[3]
    assert x.tolist() == [6.0, 7.0] and y.item() == 3 and y.dtype == ndgrad.int64
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(ndgrad.zeros(3), ndgrad.zeros(4))


def test_tensor_dataset_keeps_gradients() -> None:
    w = ndgrad.ones(4, 2, requires_grad=True)
    ds = TensorDataset(w)
    (ds[1][0] * 3).sum().backward()
    assert w.grad is not None and w.grad.tolist() == [[0, 0], [3, 3], [0, 0], [0, 0]]


def test_loader_sequential_batches() -> None:
    loader = DataLoader(_dataset(), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][0].shape == ndgrad.Size([4, 2])
    dropped = DataLoader(_dataset(), batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [b[1].tolist() for b in dropped] == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_loader_shuffle_generator_reproducible() -> None:
    def order(seed: int) -> list[int]:
        g = ndgrad.Generator().manual_seed(seed)
        loader = DataLoader(_dataset(), batch_size=3, shuffle=True, generator=g)
        return [i for _, y in loader for i in y.tolist()]

    a, b, c = order(1), order(1), order(2)
    assert a == b and a != c and sorted(a) == list(range(10))
    # without a generator, the global seed decides
    ndgrad.manual_seed(5)
    first = [i for _, y in DataLoader(_dataset(), batch_size=5, shuffle=True) for i in y.tolist()]
    ndgrad.manual_seed(5)
    again = [i for _, y in DataLoader(_dataset(), batch_size=5, shuffle=True) for i in y.tolist()]
    assert first == again
    # each epoch reshuffles
    loader = DataLoader(_dataset(), batch_size=10, shuffle=True)
    assert next(iter(loader))[1].tolist() != next(iter(loader))[1].tolist()


def test_default_collate() -> None:
    batch = default_collate(
        [(1, 2.0, "a", {"k": ndgrad.ones(2)}), (3, 4.0, "b", {"k": ndgrad.zeros(2)})]
    )
    assert batch[0].tolist() == [1, 3] and batch[0].dtype == ndgrad.int64
    assert batch[1].dtype == ndgrad.float64
    assert batch[2] == ("a", "b")
    assert batch[3]["k"].tolist() == [[1, 1], [0, 0]]
    arrays = default_collate([np.zeros(2, np.float32), np.ones(2, np.float32)])
    assert isinstance(arrays, ndgrad.Tensor) and arrays.dtype == ndgrad.float32
    Point = namedtuple("Point", "x y")
    p = default_collate([Point(1, 2.5), Point(2, 3.5)])
    assert isinstance(p, Point) and p.x.tolist() == [1, 2]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        default_collate([object()])


@requires_torch
def test_default_collate_matches_torch() -> None:
    samples = [(1, 2.0, "a", [True, 2]), (3, 4.0, "b", [False, 5])]
    ours = default_collate(samples)
    theirs = torch.utils.data.default_collate(samples)
    assert type(ours) is type(theirs) and len(ours) == len(theirs)
    for a, b in zip(ours[:2], theirs[:2], strict=True):
        assert a.tolist() == b.tolist() and a.dtype.name == str(b.dtype).replace("torch.", "")
    assert ours[2] == theirs[2]
    assert [t.tolist() for t in ours[3]] == [t.tolist() for t in theirs[3]]


def test_custom_dataset_and_collate() -> None:
    class Squares(Dataset):
        def __len__(self) -> int:
            return 5

        def __getitem__(self, i: int) -> dict[str, float]:
            return {"x": float(i), "y": float(i * i)}

    batches = list(DataLoader(Squares(), batch_size=2))
    assert batches[-1]["y"].tolist() == [16.0]
    sums = list(DataLoader(Squares(), batch_size=5, collate_fn=lambda b: sum(d["y"] for d in b)))
    assert sums == [30.0]
    unbatched = list(DataLoader(Squares(), batch_size=None))
    assert unbatched[2] == {"x": 2.0, "y": 4.0}


def test_iterable_dataset() -> None:
    class Stream(IterableDataset):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield from range(7)

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(), shuffle=True)


def test_random_split() -> None:
    ds = _dataset()
    a, b = random_split(ds, [7, 3], generator=ndgrad.Generator().manual_seed(0))
    assert isinstance(a, Subset) and len(a) == 7 and len(b) == 3
    seen = sorted([int(a[i][1]) for i in range(7)] + [int(b[i][1]) for i in range(3)])
    assert seen == list(range(10))
    assert [len(s) for s in random_split(ds, [0.3, 0.3, 0.4])] == [3, 3, 4]
    assert [len(s) for s in random_split(range(11), [0.5, 0.5])] == [6, 5]
    with pytest.raises(
        ValueError,
        match=re.escape("Sum of input lengths does not equal the length of the input dataset!"),
    ):
        random_split(ds, [3, 3])


def test_loader_argument_errors() -> None:
    with pytest.raises(ValueError, match="batch_size should be a positive integer value"):
        DataLoader(_dataset(), batch_size=0)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(_dataset(), sampler=[0, 1], shuffle=True)


def test_training_loop_end_to_end() -> None:
    ndgrad.manual_seed(0)
    x = ndgrad.randn(64, 3)
    y = (x @ ndgrad.tensor([[1.0], [-2.0], [0.5]])) + 0.3
    model = ndgrad.nn.Linear(3, 1)
    opt = ndgrad.optim.SGD(model.parameters(), lr=0.1)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    for _ in range(40):
        for xb, yb in loader:
            opt.zero_grad()
            ndgrad.nn.functional.mse_loss(model(xb), yb).backward()
            opt.step()
    assert_close(model.weight.detach(), ndgrad.tensor([[1.0, -2.0, 0.5]]), rtol=0, atol=1e-3)
    assert_close(model.bias.detach(), ndgrad.tensor([0.3]), rtol=0, atol=1e-3)
