"""nansum, nanmean, nanmedian, quantile, nanquantile, cummax/cummin, logcumsumexp, kthvalue,
mode, aminmax, msort: ties, nans, dtypes and errors as PyTorch has them (values, gradcheck and
gradgradcheck are in tests/optables/breadth.py)."""

from __future__ import annotations

import pytest

from ..helpers import requires_torch
from .parity import check

PARITY = [
    "torch.mode(torch.tensor([3., 1, 3, 1, 2]))",
    "torch.mode(torch.tensor([[1., 2, 2], [3, 3, 1]]), 1)",
    "torch.mode(torch.tensor(3.))",
    "torch.mode(torch.tensor([2., 2, 1, 1, 1, 2]))",
    "torch.mode(torch.tensor([[2, 2], [1, 2]]), 0, keepdim=True)",
    "torch.kthvalue(torch.tensor([3., 1, 2, 1]), 2)",
    "torch.kthvalue(torch.tensor([3., nan, 2]), 3)",
    "torch.kthvalue(torch.tensor([1., 2]), 3)",
    "torch.kthvalue(torch.tensor([[1, 5], [4, 2]]), 1, 0)",
    "torch.nanmedian(torch.tensor([1., nan, 3, 2]))",
    "torch.nanmedian(torch.tensor([nan]))",
    "torch.nanmedian(torch.tensor([[1., nan], [nan, nan]]), 1)",
    "torch.tensor([[1., 2, 4, 3]]).nanmedian(1, keepdim=True)",
    "torch.cummax(torch.tensor([1., 1, 0, 2, nan, 3, nan, 1]), 0)",
    "torch.cummin(torch.tensor([1., 1, 0, 2, 0]), 0)",
    "torch.cummax(torch.tensor([[1, 3], [2, 0]]), 0)",
    "torch.cummin(torch.tensor(2.), 0)",
    "torch.aminmax(torch.tensor([[1., 2], [3, 0]]), dim=0)",
    "torch.aminmax(torch.tensor([1., 5]))",
    "torch.aminmax(torch.tensor([[1., 5]]), keepdim=True)",
    "torch.aminmax(torch.tensor([]))",
    "torch.quantile(torch.tensor([[0., 1, 2, 3]]), torch.tensor([0.25, 0.5]), dim=1, keepdim=True)",
    "torch.quantile(torch.tensor([0., 1, 2, 3]), 0.4, interpolation='nearest')",
    "torch.quantile(torch.tensor([0., 1, 2, 3]), 0.5, interpolation='nearest')",
    "torch.quantile(torch.tensor([0., 1, 2, 3]), 0.5, interpolation='midpoint')",
    "torch.quantile(torch.tensor([[0., 1, 2, 3], [4, 5, 6, 9]]), 0.3, interpolation='lower')",
    "torch.quantile(torch.tensor([[0., 1, 2, 3], [4, 5, 6, 9]]), 0.3, dim=0, "
    "interpolation='higher')",
    "torch.quantile(torch.tensor([[0., 1, 2, 3], [4, 5, 6, 9]]), torch.tensor([0.3, 1.]), dim=1)",
    "torch.quantile(torch.tensor([[0., 1, 2, 3], [4, 5, 6, 9]]), torch.tensor([0.3, 1.]), "
    "keepdim=True)",
    "torch.nanquantile(torch.tensor([0., nan, 2, 3]), 0.5)",
    "torch.quantile(torch.tensor([0., nan, 2, 3]), 0.5)",
    "torch.nanquantile(torch.tensor([[0., nan], [nan, nan]]), 0.5, dim=1)",
    "torch.quantile(torch.tensor([1.]), 1.5)",
    "torch.quantile(torch.tensor([1.]), -0.5)",
    "torch.quantile(torch.tensor([1]), 0.5)",
    "torch.quantile(torch.tensor([1.]), 0.5, interpolation='x')",
    "torch.quantile(torch.tensor([]), 0.5)",
    "torch.quantile(torch.tensor([1.]), torch.tensor([[0.5]]))",
    "torch.quantile(torch.tensor(3.), 0.5)",
    "torch.quantile(torch.tensor(3.), 0.5, dim=0, keepdim=True)",
    "torch.nansum(torch.tensor([1, 2]))",
    "torch.nansum(torch.tensor([[1., nan], [2, 3]]), 1)",
    "torch.nansum(torch.tensor([[1, 2]]), dtype=torch.float64)",
    "torch.nanmean(torch.tensor([1, 2]))",
    "torch.nanmean(torch.tensor([[1., nan], [nan, nan]]), 1)",
    "torch.logcumsumexp(torch.tensor([1, 2]), 0)",
    "torch.logcumsumexp(torch.tensor([[1., 2], [3, 4]]), 1)",
    "torch.logcumsumexp(torch.tensor([1000., 1000.]), 0)",
    "torch.logcumsumexp(torch.tensor([-inf, 0.]), 0)",
    "torch.msort(torch.tensor([[3., 1], [2, 4]]))",
    "torch.tensor([1., 2, 3]).cumsum_(0)",
    "torch.tensor([1., 2, 3]).cumprod_(0)",
    "torch.nansum(torch.tensor([1., nan], requires_grad=True)).grad_fn.name()",
    "torch.cummax(torch.tensor([1., 2], requires_grad=True), 0)[0].grad_fn.name()",
    "torch.kthvalue(torch.tensor([1., 2], requires_grad=True), 1)[0].grad_fn.name()",
]


@requires_torch
@pytest.mark.parametrize("expr", PARITY)
def test_matches_torch(expr: str) -> None:
    check(expr)
