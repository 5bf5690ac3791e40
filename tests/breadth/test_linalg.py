"""cross, dist, cdist, addr, addbmm, chain_matmul, trapezoid/trapz, cumulative_trapezoid and the
in-place addmm_/addmv_/baddbmm_: values, warnings and errors against PyTorch (gradients are in
tests/optables/breadth.py)."""

from __future__ import annotations

import warnings

import pytest

from ..helpers import requires_torch
from .parity import check

PARITY = [
    "torch.cross(torch.tensor([[1., 0, 0], [0, 1, 0]]), torch.tensor([[0., 1, 0], [0, 0, 1]]), "
    "dim=1)",
    "torch.cross(torch.ones(2, 4), torch.ones(2, 4))",
    "torch.cross(torch.ones(3, 2), torch.ones(3, 2), dim=1)",
    "torch.cross(torch.tensor([[1., 0, 0], [0, 1, 0], [0, 0, 1]]), "
    "torch.tensor([[0., 1, 0], [0, 0, 1], [1, 1, 1]]))",
    "torch.tensor([1., 0, 0]).cross(torch.tensor([0., 1, 0]), dim=0)",
    "torch.dist(torch.tensor([1., 2]), torch.tensor([3., 4]), p=1)",
    "torch.dist(torch.tensor([1., 2]), torch.tensor([3., 5]), p=inf)",
    "torch.dist(torch.tensor([1., 2]), torch.tensor([3., 5]), p=0)",
    "torch.tensor([1., 2]).dist(torch.tensor([[3.], [5]]))",
    "torch.cdist(torch.tensor([[0., 0], [1, 1]]), torch.tensor([[3., 4.]]))",
    "torch.cdist(torch.tensor([[0., 0], [1, 1]]), torch.tensor([[3., 4.]]), p=1)",
    "torch.cdist(torch.tensor([[0., 0], [1, 1]]), torch.tensor([[3., 4.]]), p=inf)",
    "torch.cdist(torch.ones(3), torch.ones(3))",
    "torch.cdist(torch.ones(3, 2), torch.ones(3, 3))",
    "torch.cdist(torch.ones(3, 2), torch.ones(3, 2), p=-1)",
    "torch.cdist(torch.ones(2, 3, 4), torch.ones(2, 5, 4)).shape",
    "torch.addr(torch.zeros(2, 3), torch.ones(2), torch.ones(3), beta=0.5, alpha=2)",
    "torch.addr(torch.full((2, 3), nan), torch.ones(2), torch.ones(3), beta=0)",
    "torch.zeros(2, 3).addr_(torch.ones(2), torch.arange(3.))",
    "torch.addbmm(torch.zeros(2, 3), torch.ones(4, 2, 5), torch.ones(4, 5, 3))",
    "torch.ones(2, 3).addbmm(torch.ones(4, 2, 5), torch.ones(4, 5, 3), beta=2, alpha=0.5)",
    "torch.chain_matmul(torch.ones(2, 3), torch.ones(3, 4), torch.ones(4, 1))",
    "torch.chain_matmul(torch.ones(2, 3))",
    "torch.trapezoid(torch.tensor([1., 2, 3]))",
    "torch.trapezoid(torch.tensor([1., 2, 3]), dx=2)",
    "torch.trapezoid(torch.tensor([1., 2, 3]), torch.tensor([0., 1, 3]))",
    "torch.trapz(torch.tensor([1., 2, 3]), dx=0.5)",
    "torch.trapezoid(torch.tensor([1., 2, 3]), 0.5)",
    "torch.cumulative_trapezoid(torch.tensor([1., 2, 3]))",
    "torch.cumulative_trapezoid(torch.tensor([[1., 2, 3]]), torch.tensor([0., 1, 3]))",
    "torch.trapezoid(torch.tensor([[1., 2, 3], [4, 5, 6]]), torch.tensor([[0., 1, 3], [0, 2, 4]]))",
    "torch.trapezoid(torch.ones(2, 3), dim=0)",
    "torch.trapezoid(torch.tensor([1, 2, 3]))",
    "torch.trapezoid(torch.tensor([1., 2, 3]), torch.tensor([0., 1]))",
    "torch.trapezoid(torch.tensor([]))",
    "torch.zeros(2, 3).addmm_(torch.ones(2, 2), torch.ones(2, 3))",
    "torch.zeros(2).addmv_(torch.ones(2, 2), torch.ones(2))",
    "torch.zeros(1, 2, 3).baddbmm_(torch.ones(1, 2, 2), torch.ones(1, 2, 3), alpha=2)",
]


@requires_torch
@pytest.mark.parametrize("expr", PARITY)
def test_matches_torch(expr: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(expr)


def test_deprecations_warn_as_pytorch() -> None:
    import ndgrad

    with pytest.warns(UserWarning, match="without specifying the dim arg is deprecated"):
        ndgrad.cross(ndgrad.ones(3), ndgrad.ones(3))
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        ndgrad.chain_matmul(ndgrad.ones(2, 2), ndgrad.ones(2, 2))
