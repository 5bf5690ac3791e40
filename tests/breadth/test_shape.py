"""meshgrid, broadcast_tensors, block_diag, cartesian_prod, combinations, diff, tril/triu_indices,
rot90, tensor_split/hsplit/vsplit/dsplit, split_with_sizes, diag_embed, diagflat, narrow_copy:
values and errors against PyTorch (gradients are in tests/optables/breadth.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ndgrad

from ..helpers import requires_torch
from .parity import check

PARITY = [
    "torch.meshgrid(torch.tensor([1, 2, 3]), torch.tensor([4, 5]))",
    "torch.meshgrid(torch.tensor([1, 2, 3]), torch.tensor([4, 5]), indexing='xy')",
    "torch.meshgrid([torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6, 7])], "
    "indexing='xy')",
    "torch.meshgrid((torch.tensor([1, 2, 3]), torch.tensor([4, 5])), indexing='ij')",
    "torch.meshgrid(torch.tensor([1, 2, 3]), torch.tensor([4, 5]), indexing='zz')",
    "torch.meshgrid(torch.ones(2), torch.tensor([4, 5]))",
    "torch.meshgrid(torch.tensor([1, 2, 3]), indexing='ij')",
    "torch.meshgrid(torch.tensor(3), torch.tensor([4, 5]), indexing='ij')",
    "torch.block_diag(torch.ones(2, 2), torch.tensor([3, 4]), torch.tensor(5.))",
    "torch.block_diag()",
    "torch.block_diag(torch.ones(2, 2, 2))",
    "torch.block_diag(torch.ones(2, 0), torch.ones(1, 1))",
    "torch.cartesian_prod(torch.tensor([1, 2, 3]), torch.tensor([4, 5]))",
    "torch.cartesian_prod(torch.tensor([1, 2, 3]))",
    "torch.combinations(torch.tensor([1, 2, 3]))",
    "torch.combinations(torch.tensor([1, 2, 3]), 3)",
    "torch.combinations(torch.tensor([1, 2, 3]), with_replacement=True)",
    "torch.combinations(torch.tensor([1, 2, 3]), r=0)",
    "torch.combinations(torch.tensor([1, 2, 3]), r=4)",
    "torch.diff(torch.tensor([1, 3, 6, 10]))",
    "torch.diff(torch.tensor([[1, 3], [6, 10]]), dim=0)",
    "torch.diff(torch.tensor([1, 3, 6]), n=2)",
    "torch.diff(torch.tensor([1, 3, 6]), n=5)",
    "torch.diff(torch.tensor([1., 3]), prepend=torch.tensor([0.]), append=torch.tensor([5.]))",
    "torch.diff(torch.tensor([True, False, False]))",
    "torch.diff(torch.tensor(3))",
    "torch.tensor([[1., 4], [2, 8]]).diff()",
    "torch.tril_indices(3, 3)",
    "torch.triu_indices(3, 4, 1)",
    "torch.tril_indices(2, 3, -1)",
    "torch.triu_indices(0, 0)",
    "torch.tril_indices(3, 3, dtype=torch.int32)",
    "torch.rot90(torch.arange(4).reshape(2, 2))",
    "torch.rot90(torch.arange(4).reshape(2, 2), 2)",
    "torch.rot90(torch.arange(4).reshape(2, 2), -1, [1, 0])",
    "torch.arange(6).reshape(1, 2, 3).rot90(3, [1, 2])",
    "torch.arange(6).reshape(2, 3).rot90(4)",
    "torch.rot90(torch.arange(4), 1)",
    "torch.tensor_split(torch.arange(7), 3)",
    "torch.tensor_split(torch.arange(7), [1, 5])",
    "torch.tensor_split(torch.arange(7), torch.tensor(3))",
    "torch.tensor_split(torch.arange(7), [5, 2, 9])",
    "torch.arange(12).reshape(3, 4).tensor_split(3, dim=1)",
    "torch.hsplit(torch.arange(12).reshape(3, 4), 2)",
    "torch.vsplit(torch.arange(12).reshape(4, 3), [1])",
    "torch.dsplit(torch.ones(2, 2, 4), 2)",
    "torch.hsplit(torch.arange(4), 2)",
    "torch.hsplit(torch.arange(12).reshape(3, 4), 3)",
    "torch.vsplit(torch.arange(4), 2)",
    "torch.broadcast_tensors(torch.ones(2, 1), torch.ones(3))",
    "torch.broadcast_tensors(torch.ones(2), torch.ones(3))",
    "torch.diag_embed(torch.tensor([[1, 2], [3, 4]]))",
    "torch.diag_embed(torch.tensor([1, 2]), offset=1)",
    "torch.diag_embed(torch.tensor([1, 2]), offset=-1)",
    "torch.diag_embed(torch.arange(6).reshape(2, 3), dim1=0, dim2=2)",
    "torch.diag_embed(torch.arange(6).reshape(2, 3), offset=1, dim1=-1, dim2=0)",
    "torch.diagflat(torch.tensor([[1, 2], [3, 4]]))",
    "torch.diagflat(torch.tensor([1, 2]), -1)",
    "torch.split_with_sizes(torch.arange(5), [2, 3])",
    "torch.arange(5).split_with_sizes([2, 3])",
    "torch.arange(5).narrow_copy(0, 1, 2)",
]


@requires_torch
@pytest.mark.parametrize("expr", PARITY)
def test_matches_torch(expr: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(expr)


def test_values_match_numpy() -> None:
    a, b = np.arange(3.0), np.arange(4.0) * 2
    for indexing in ("ij", "xy"):
        got = ndgrad.meshgrid(ndgrad.from_numpy(a), ndgrad.from_numpy(b), indexing=indexing)
        for g, w in zip(got, np.meshgrid(a, b, indexing=indexing), strict=True):
            np.testing.assert_array_equal(g.numpy(), w)
    x = np.random.default_rng(0).standard_normal((3, 5))
    np.testing.assert_allclose(ndgrad.diff(ndgrad.from_numpy(x), n=2).numpy(), np.diff(x, n=2))
    np.testing.assert_array_equal(ndgrad.rot90(ndgrad.from_numpy(x), 3).numpy(), np.rot90(x, 3))
    for got, want in zip(
        ndgrad.tensor_split(ndgrad.from_numpy(x), 2, 1), np.array_split(x, 2, 1), strict=True
    ):
        np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(ndgrad.tril_indices(4, 5, 1).numpy(), np.tril_indices(4, 1, 5))
    np.testing.assert_array_equal(ndgrad.triu_indices(4, 5, -1).numpy(), np.triu_indices(4, -1, 5))


def test_meshgrid_without_indexing_warns_as_pytorch() -> None:
    with pytest.warns(UserWarning, match="required to pass the indexing argument"):
        ndgrad.meshgrid(ndgrad.ones(2), ndgrad.ones(3))
