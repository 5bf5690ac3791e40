"""nonzero/argwhere, unique, unique_consecutive, searchsorted/bucketize, bincount, histc, isin,
allclose, equal: values against numpy and PyTorch, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad

from ..helpers import requires_torch
from .parity import check

PARITY = [
    "torch.bincount(torch.tensor([0, 2, 2]), weights=torch.tensor([1., 2, 3]))",
    "torch.bincount(torch.tensor([0, 2, 2]), weights=torch.tensor([1, 2, 3]))",
    "torch.bincount(torch.tensor([0, 2, 2]), weights=torch.tensor([1., 2, 3]).double())",
    "torch.bincount(torch.tensor([-1]))",
    "torch.bincount(torch.tensor([[1]]))",
    "torch.bincount(torch.tensor([1.]))",
    "torch.bincount(torch.tensor([1]), minlength=-1)",
    "torch.bincount(torch.tensor([1, 2]), weights=torch.ones(3))",
    "torch.bincount(torch.tensor([], dtype=torch.long))",
    "torch.tensor([4, 1, 1]).bincount(minlength=7)",
    "torch.nonzero(torch.tensor(3.))",
    "torch.nonzero(torch.tensor(0.))",
    "torch.nonzero(torch.tensor(3.), as_tuple=True)",
    "torch.nonzero(torch.tensor(0.), as_tuple=True)",
    "torch.nonzero(torch.tensor([[0, 1], [1, 1]]))",
    "torch.tensor([[0, 1], [1, 1]]).nonzero(as_tuple=True)",
    "torch.tensor([[True, False]]).nonzero()",
    "torch.nonzero(torch.zeros(2, 0))",
    "torch.argwhere(torch.tensor([[0, 1], [1, 1]]))",
    "torch.tensor(0.).argwhere()",
    "torch.unique(torch.tensor([3, 1, 2, 1]), return_inverse=True, return_counts=True)",
    "torch.unique(torch.tensor([[3, 1], [2, 1]]), return_inverse=True)",
    "torch.unique(torch.tensor([3, 1, 2, 1]), sorted=False)",
    "torch.unique(torch.tensor([[1, 2], [1, 2], [0, 5]]), dim=0, return_inverse=True, "
    "return_counts=True)",
    "torch.unique(torch.tensor([[1, 2], [1, 2], [0, 5]]), dim=1, return_inverse=True)",
    "torch.unique(torch.tensor([[1, 2], [1, 2], [0, 5]]), dim=-2)",
    "torch.unique(torch.tensor([[1., nan], [nan, 2]]))",
    "torch.tensor([2., 1., 2.]).unique()",
    "torch.unique(torch.tensor([], dtype=torch.long), return_counts=True)",
    "torch.unique(torch.tensor(5))",
    "torch.unique(torch.tensor([[1, 2]]), dim=2)",
    "torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 3, 1, 1, 2]), return_inverse=True, "
    "return_counts=True)",
    "torch.unique_consecutive(torch.tensor([[1, 2], [1, 2], [0, 5], [1, 2]]), dim=0, "
    "return_counts=True)",
    "torch.tensor([[1, 1], [2, 2]]).unique_consecutive(return_inverse=True)",
    "torch.unique_consecutive(torch.tensor([[1, 1], [2, 2]]), dim=1, return_inverse=True)",
    "torch.histc(torch.tensor([1., 2, 1]), bins=4, min=0, max=3)",
    "torch.histc(torch.tensor([1., 2, 1, 5]), bins=4)",
    "torch.histc(torch.tensor([1., 1]), bins=4)",
    "torch.histc(torch.tensor([1, 2]))",
    "torch.histc(torch.tensor([1.]), bins=0)",
    "torch.histc(torch.tensor([1.]), min=3, max=2)",
    "torch.tensor([0.1, 0.5, 0.9, 1.0, 2.0, -1.0]).histc(bins=5, min=0, max=1)",
    "torch.histc(torch.rand(100, dtype=torch.float64) * 0 + 0.25, bins=3, min=0, max=1)",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7, 9]), torch.tensor([[3, 6, 9], [3, 6, 9]]))",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7, 9]), torch.tensor([[3, 6, 9]]), right=True)",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7, 9]), 5)",
    "torch.searchsorted(torch.tensor([1, 3, 5, 7, 9]), torch.tensor([3]), side='right', "
    "out_int32=True)",
    "torch.searchsorted(torch.tensor([[1, 3, 5], [2, 4, 6]]), torch.tensor([[3, 6], [1, 5]]))",
    "torch.searchsorted(torch.tensor([5, 1, 3]), torch.tensor([2, 4]), "
    "sorter=torch.tensor([1, 2, 0]))",
    "torch.searchsorted(torch.tensor([0.5, 1.5]), torch.tensor([[0., 1.], [2., 1.5]]))",
    "torch.searchsorted(torch.tensor([[1, 3, 5], [2, 4, 6]]), torch.tensor([[3, 6]]))",
    "torch.searchsorted(torch.tensor([1, 3, 5]), torch.tensor([1]), side='x')",
    "torch.searchsorted(torch.tensor([1, 3, 5]), torch.tensor([1]), side='left', right=True)",
    "torch.bucketize(torch.tensor([1]), torch.tensor([[1, 3, 5], [2, 4, 6]]))",
    "torch.bucketize(torch.tensor([[3, 6, 9], [3, 6, 9]]), torch.tensor([1, 3, 5, 7, 9]))",
    "torch.bucketize(torch.tensor([3, 6, 9]), torch.tensor([1, 3, 5, 7, 9]), right=True)",
    "torch.bucketize(3, torch.tensor([1, 3, 5, 7, 9]))",
    "torch.bucketize(torch.tensor([0.2, 3.0]), torch.tensor([1., 2.]), out_int32=True)",
    "torch.isin(torch.tensor([[1, 2], [3, 4]]), torch.tensor([2, 3]))",
    "torch.isin(torch.tensor([1, 2]), 2, invert=True)",
    "torch.isin(2, torch.tensor([1, 2]))",
    "torch.allclose(torch.tensor([1., 2]), torch.tensor([1., 2 + 1e-9]))",
    "torch.allclose(torch.tensor([1., 2]), torch.tensor([1., 2.1]))",
    "torch.allclose(torch.tensor([1., 2]), torch.tensor([1., 2.1]), atol=0.2)",
    "torch.allclose(torch.tensor([nan]), torch.tensor([nan]))",
    "torch.allclose(torch.tensor([nan]), torch.tensor([nan]), equal_nan=True)",
    "torch.allclose(torch.tensor([1., 2]), torch.tensor([1, 2]))",
    "torch.allclose(torch.tensor([1., 2]), torch.tensor([1., 2, 3]))",
    "torch.tensor([1., 2]).allclose(torch.tensor([[1., 2]]))",
    "torch.equal(torch.tensor([1., 2]), torch.tensor([1., 2]))",
    "torch.equal(torch.tensor([1., 2]), torch.tensor([1, 2]))",
    "torch.equal(torch.tensor([1., 2]), torch.tensor([1., 3]))",
    "torch.tensor([1., 2]).equal(torch.tensor([[1., 2]]))",
    "torch.equal(torch.tensor([nan]), torch.tensor([nan]))",
]


@requires_torch
@pytest.mark.parametrize("expr", PARITY)
def test_matches_torch(expr: str) -> None:
    check(expr)


def test_values_match_numpy() -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, size=(3, 5))
    t = ndgrad.from_numpy(x)
    np.testing.assert_array_equal(ndgrad.nonzero(t).numpy(), np.argwhere(x))
    for got, want in zip(t.nonzero(as_tuple=True), np.nonzero(x), strict=True):
        np.testing.assert_array_equal(got.numpy(), want)
    values, inverse, counts = ndgrad.unique(t, return_inverse=True, return_counts=True)
    v, i, c = np.unique(x, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(values.numpy(), v)
    np.testing.assert_array_equal(inverse.numpy(), i.reshape(x.shape))
    np.testing.assert_array_equal(counts.numpy(), c)
    rows = ndgrad.unique(t, dim=0)
    np.testing.assert_array_equal(rows.numpy(), np.unique(x, axis=0))
    np.testing.assert_array_equal(ndgrad.bincount(t.flatten()).numpy(), np.bincount(x.reshape(-1)))
    s = np.sort(rng.standard_normal(7))
    q = rng.standard_normal((2, 3))
    for side in ("left", "right"):
        got = ndgrad.searchsorted(ndgrad.from_numpy(s), ndgrad.from_numpy(q), side=side)
        np.testing.assert_array_equal(got.numpy(), np.searchsorted(s, q, side=side))
    data = rng.standard_normal(50)
    hist = ndgrad.histc(ndgrad.from_numpy(data), bins=6, min=-1, max=1).numpy()
    np.testing.assert_array_equal(hist, np.histogram(data, bins=6, range=(-1, 1))[0])
    assert ndgrad.allclose(ndgrad.from_numpy(s), ndgrad.from_numpy(s + 1e-10))
    assert not ndgrad.equal(ndgrad.from_numpy(s), ndgrad.from_numpy(s + 1e-10))


def test_results_never_require_grad() -> None:
    x = ndgrad.tensor([1.0, 0.0, 2.0], requires_grad=True)
    for out in (x.nonzero(), ndgrad.histc(x, bins=3), ndgrad.bucketize(x, x.detach())):
        assert not out.requires_grad
    # unique's values do, as PyTorch's (Unique2Backward0, whose backward raises)
    assert x.unique().requires_grad
