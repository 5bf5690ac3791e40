"""take_along_dim, repeat_interleave, masked_scatter, put, index_put (accumulate), and
select/slice/diagonal_scatter: values and errors against PyTorch (gradients are in
tests/optables/breadth.py)."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad

from ..helpers import requires_torch
from .parity import check

X = "torch.arange(6.).reshape(2, 3)"
PARITY = [
    f"torch.take_along_dim({X}, torch.tensor([[0], [2]]), 1)",
    f"torch.take_along_dim({X}, torch.tensor([5, 0]))",
    f"torch.take_along_dim({X}, torch.tensor([[1, 0, 0]]), 0)",
    f"torch.take_along_dim({X}, torch.tensor([[0]]), 1)",
    f"torch.take_along_dim({X}, torch.tensor([0]), 1)",
    f"torch.take_along_dim({X}, torch.tensor([[0.]]), 1)",
    f"{X}.take_along_dim(torch.tensor([[2, 1]]), dim=-1)",
    "torch.repeat_interleave(torch.tensor([1, 2]), 2)",
    f"torch.repeat_interleave({X}, torch.tensor([1, 2]), dim=0)",
    "torch.repeat_interleave(torch.tensor([2, 1]))",
    f"torch.repeat_interleave({X}, 2, dim=1)",
    "torch.repeat_interleave(torch.tensor(3), 2)",
    f"{X}.repeat_interleave(2)",
    f"{X}.repeat_interleave(torch.tensor([2]), dim=1)",
    f"torch.repeat_interleave({X}, torch.tensor([1, 2, 3]), dim=0)",
    f"torch.repeat_interleave({X}, -1)",
    f"{X}.masked_scatter(torch.tensor([[True, False, True], [False, False, True]]), "
    "torch.tensor([10., 11, 12, 13]))",
    f"{X}.masked_scatter(torch.tensor([True, False, True]), torch.tensor([10., 11, 12, 13]))",
    f"{X}.masked_scatter(torch.ones(2, 3, dtype=torch.bool), torch.tensor([10., 11]))",
    f"{X}.masked_scatter_(torch.tensor([[True, False, True], [False, False, True]]), "
    "torch.tensor([10., 11, 12, 13]))",
    f"{X}.put_(torch.tensor([0, 5]), torch.tensor([9., 8]))",
    f"{X}.put_(torch.tensor([0, 0]), torch.tensor([9., 8]), accumulate=True)",
    f"torch.put({X}, torch.tensor([1]), torch.tensor([7.]))",
    f"torch.put({X}, torch.tensor([1, 2]), torch.tensor([7.]))",
    f"torch.index_put({X}, (torch.tensor([0, 1]), torch.tensor([2, 0])), torch.tensor([9., 8]))",
    f"{X}.index_put_((torch.tensor([0, 0]),), torch.tensor(1.), accumulate=True)",
    f"{X}.index_put((torch.tensor([0, 0]), torch.tensor([1, 1])), torch.tensor([1., 2]), "
    "accumulate=True)",
    f"{X}.index_put((torch.tensor([True, False]),), torch.tensor(5.))",
    f"torch.select_scatter({X}, torch.tensor([7., 8]), 1, 0)",
    f"torch.slice_scatter({X}, torch.zeros(2, 2), 1, 1)",
    f"torch.slice_scatter({X}, torch.zeros(1, 3), start=1)",
    "torch.slice_scatter(torch.zeros(8), torch.ones(2), start=2, step=3)",
    "torch.diagonal_scatter(torch.zeros(3, 3), torch.ones(2), 1)",
    "torch.diagonal_scatter(torch.zeros(2, 3, 3), torch.ones(3, 2), 0, 1, 2)",
    f"torch.select_scatter({X}, torch.tensor([7., 8, 9]), 1, 0)",
    f"torch.slice_scatter({X}, torch.zeros(2, 3), 1, 1)",
    "torch.diagonal_scatter(torch.zeros(3, 3), torch.ones(3), 1)",
]


@requires_torch
@pytest.mark.parametrize("expr", PARITY)
def test_matches_torch(expr: str) -> None:
    check(expr)


def test_values_match_numpy() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    idx = rng.integers(0, 4, size=(3, 2))
    got = ndgrad.take_along_dim(ndgrad.from_numpy(x), ndgrad.from_numpy(idx), 1)
    np.testing.assert_array_equal(got.numpy(), np.take_along_axis(x, idx, 1))
    got = ndgrad.repeat_interleave(ndgrad.from_numpy(x), ndgrad.tensor([1, 0, 2]), dim=0)
    np.testing.assert_array_equal(got.numpy(), np.repeat(x, [1, 0, 2], axis=0))
    flat = x.reshape(-1).copy()
    np.add.at(flat, [0, 0, 3], [1.0, 2.0, 3.0])
    got = ndgrad.put(
        ndgrad.from_numpy(x),
        ndgrad.tensor([0, 0, 3]),
        ndgrad.tensor([1.0, 2, 3], dtype=ndgrad.float64),
        True,
    )
    np.testing.assert_allclose(got.numpy(), flat.reshape(3, 4))


SCATTER_REDUCE = [
    "torch.scatter_reduce(torch.zeros(3), 0, torch.tensor([0, 0, 2]), torch.tensor([1., 2, 3]), "
    "'sum')",
    "torch.scatter_reduce(torch.ones(3), 0, torch.tensor([0, 0, 2]), torch.tensor([1., 2, 3]), "
    "'amax', include_self=False)",
    "torch.scatter_reduce(torch.ones(3), 0, torch.tensor([0, 0, 2]), torch.tensor([1., 2, 3]), "
    "'mean')",
    "torch.scatter_reduce(torch.ones(3), 0, torch.tensor([0, 0, 2]), torch.tensor([1., 2, 3]), "
    "'mean', include_self=False)",
    "torch.scatter_reduce(torch.ones(3), 0, torch.tensor([0, 0, 2]), torch.tensor([1., 2, 3]), "
    "'prod', include_self=False)",
    "torch.scatter_reduce(torch.ones(3), 0, torch.tensor([0]), torch.tensor([1.]), 'x')",
    "torch.scatter_reduce(torch.tensor([5, 1, 2]), 0, torch.tensor([0, 0, 2]), "
    "torch.tensor([1, 2, 3]), 'mean')",
    "torch.scatter_reduce(torch.tensor([5, 1, 2]), 0, torch.tensor([0, 0, 2]), "
    "torch.tensor([1, 2, 3]), 'amax', include_self=False)",
    f"{X}.scatter_reduce(1, torch.tensor([[0, 0], [2, 1]]), torch.tensor([[9., 8], [7, 6]]), "
    "'amax')",
    f"{X}.scatter_reduce_(0, torch.tensor([[1, 0, 1]]), torch.tensor([[9., -8, 7]]), 'sum', "
    "include_self=False)",
    "torch.scatter_reduce(torch.tensor([1., nan]), 0, torch.tensor([1]), torch.tensor([2.]), "
    "'amax')",
    # ties share the gradient evenly; zeros in a product
    "(lambda x, s: (torch.scatter_reduce(x, 0, torch.tensor([0, 0, 1]), s, 'amax').sum()"
    ".backward(), x.grad, s.grad)[1:])(torch.tensor([2., 1.], requires_grad=True), "
    "torch.tensor([2., 2., 0.], requires_grad=True))",
    "(lambda x, s: (torch.scatter_reduce(x, 0, torch.tensor([0, 0, 1, 1]), s, 'prod').sum()"
    ".backward(), x.grad, s.grad)[1:])(torch.tensor([2., 3.], requires_grad=True), "
    "torch.tensor([0., 5., 0., 0.], requires_grad=True))",
    "(lambda x, s: (torch.scatter_reduce(x, 0, torch.tensor([0, 0]), s, 'prod', "
    "include_self=False).sum().backward(), x.grad, s.grad)[1:])"
    "(torch.tensor([2., 3.], requires_grad=True), torch.tensor([0., 5.], requires_grad=True))",
]


@requires_torch
@pytest.mark.parametrize("expr", SCATTER_REDUCE)
def test_scatter_reduce_matches_torch(expr: str) -> None:
    check(expr)
