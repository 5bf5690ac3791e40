"""addcmul/addcdiv's dtypes and errors; the aliases (greater, multiply...), rsub, fill, and the
torch-level in-place functions (torch.relu_...), against PyTorch."""

from __future__ import annotations

import pytest

import ndgrad

from ..helpers import requires_torch
from .parity import check

PARITY = [
    "torch.addcmul(torch.ones(2, 1), torch.ones(1, 3), torch.ones(3), value=2)",
    "torch.addcdiv(torch.ones(2, dtype=torch.long), torch.ones(2, dtype=torch.long), "
    "torch.ones(2, dtype=torch.long))",
    "torch.addcmul(torch.ones(2, dtype=torch.long), torch.ones(2, dtype=torch.long), "
    "torch.ones(2, dtype=torch.long), value=3)",
    "torch.addcmul(torch.ones(2), torch.ones(2, dtype=torch.long), torch.ones(2))",
    "torch.addcmul(torch.ones(2, dtype=torch.long), torch.ones(2), torch.ones(2))",
    "torch.addcmul(torch.ones(2, dtype=torch.long), torch.ones(2, dtype=torch.long), "
    "torch.ones(2, dtype=torch.long), value=1.5)",
    "torch.ones(2).addcdiv_(torch.ones(2), torch.full((2,), 4.), value=2)",
    "torch.ones(2).addcmul_(torch.ones(2), torch.full((2,), 4.), value=2)",
    "torch.addcmul(torch.ones(2), torch.ones(3), torch.ones(2))",
    "torch.addcmul(torch.ones(2), 2, torch.ones(2))",
    "torch.addcmul(torch.ones(2, requires_grad=True), torch.ones(2), torch.ones(2)).grad_fn.name()",
    "torch.addcdiv(torch.ones(2, requires_grad=True), torch.ones(2), torch.ones(2)).grad_fn.name()",
    "torch.greater(torch.tensor([1, 2]), 1)",
    "torch.greater_equal(torch.tensor([1, 2]), 2)",
    "torch.less(torch.tensor([1, 2]), 2)",
    "torch.less_equal(torch.tensor([1, 2]), 1)",
    "torch.not_equal(torch.tensor([1, 2]), 1)",
    "torch.tensor([1., 2]).gt_(1)",
    "torch.tensor([1, 2]).eq_(torch.tensor([1, 3]))",
    "torch.tensor([1., 2]).less_equal_(1.5)",
    "torch.tensor([1., 2]).ne_(2)",
    "torch.tensor([1., 2]).multiply(3)",
    "torch.tensor([1., 2]).multiply_(3)",
    "torch.tensor([1., 2]).divide_(2)",
    "torch.tensor([1., 2]).true_divide_(2)",
    "torch.tensor([1., 2]).divide(2, rounding_mode='floor')",
    "torch.tensor([1., 2]).subtract(2, alpha=3)",
    "torch.tensor([1., 2]).subtract_(2)",
    "torch.tensor([-1., 2]).absolute()",
    "torch.tensor([-1.]).absolute_()",
    "torch.tensor([-1.]).negative_()",
    "torch.rsub(torch.tensor([1., 2]), 5, alpha=2)",
    "torch.rsub(torch.tensor([1., 2]), torch.tensor([1., 2]))",
    "torch.relu_(torch.tensor([-1., 2]))",
    "torch.abs_(torch.tensor([-1., 2]))",
    "torch.sigmoid_(torch.tensor([0.]))",
    "torch.clamp_(torch.tensor([-1., 2]), 0, 1)",
    "torch.clamp_min_(torch.tensor([-1., 2]), 0)",
    "torch.zero_(torch.tensor([-1., 2]))",
    "torch.fill(torch.tensor([-1., 2]), 3)",
    "torch.fill(torch.tensor([-1, 2]), 3.5)",
    "torch.fill_(torch.tensor([-1., 2]), 3)",
    "torch.row_stack([torch.ones(2), torch.zeros(2)])",
    "torch.exp_([1.])",
    "torch.sqrt_(torch.tensor([4.]))",
    "torch.xlogy_(torch.tensor([2.]), 3.)",
    "torch.detach_(torch.ones(2, requires_grad=True) * 2)",
]


@requires_torch
@pytest.mark.parametrize("expr", PARITY)
def test_matches_torch(expr: str) -> None:
    check(expr)


def test_torch_level_in_place_writes_into_the_argument() -> None:
    x = ndgrad.tensor([-1.0, 4.0])
    assert ndgrad.relu_(x) is x
    assert x.tolist() == [0.0, 4.0]
    assert ndgrad.sqrt_(x) is x and x.tolist() == [0.0, 2.0]


ALPHA_PARITY = [
    "torch.tensor([1., 2]).add(2, alpha=3)",
    "torch.tensor([1., 2]).sub(2, alpha=3)",
    "torch.add(torch.tensor([1, 2]), 2, alpha=3)",
    "torch.sub(torch.tensor([1., 2]), 2.5, alpha=2)",
]


@requires_torch
@pytest.mark.parametrize("expr", ALPHA_PARITY)
def test_alpha_with_a_number_keeps_the_dtype(expr: str) -> None:
    check(expr)


COPY_AND_NN_PARITY = [
    "torch.arange(7.).unfold(0, 2, 2)",
    "torch.arange(12.).reshape(3, 4).unfold(1, 2, 1)",
    "torch.arange(12.).reshape(3, 4).unfold(0, 2, 1)",
    "torch.tensor(3.).unfold(0, 1, 1)",
    "torch.arange(7.).unfold(0, 8, 1)",
    "torch.arange(7.).unfold(0, 2, 0)",
    "torch.embedding(torch.arange(6.).reshape(3, 2), torch.tensor([2, 0]))",
    "torch.unsafe_split(torch.arange(5), 2)",
    "torch.arange(5).unsafe_chunk(2)",
    "torch.view_copy(torch.arange(6), (2, 3))",
    "torch.permute_copy(torch.arange(6).reshape(2, 3), (1, 0))",
    "torch.transpose_copy(torch.arange(6).reshape(2, 3), 0, 1)",
    "torch.t_copy(torch.arange(6).reshape(2, 3))",
    "torch.squeeze_copy(torch.ones(2, 1))",
    "torch.unsqueeze_copy(torch.ones(2), 0)",
    "torch.select_copy(torch.arange(6).reshape(2, 3), 1, 2)",
    "torch.slice_copy(torch.arange(6), 0, 1, 5, 2)",
    "torch.diagonal_copy(torch.arange(9).reshape(3, 3), 1)",
    "torch.unbind_copy(torch.arange(6).reshape(2, 3), 1)",
    "torch.narrow_copy(torch.arange(6), 0, 2, 3)",
    "torch.unfold_copy(torch.arange(6.), 0, 3, 3)",
    "torch.expand_copy(torch.arange(3), (2, 3))",
    "torch.split_copy(torch.arange(5), 2)",
    "torch.split_with_sizes_copy(torch.arange(5), [1, 4])",
    "torch.alias_copy(torch.ones(2))",
    "torch.layer_norm(torch.arange(6.).reshape(2, 3), [3])",
    "torch.dropout(torch.ones(3), 0.5, False)",
    "torch.group_norm(torch.arange(8.).reshape(1, 4, 2), 2)",
    "torch.batch_norm(torch.arange(8.).reshape(4, 2), torch.ones(2), torch.zeros(2), "
    "torch.zeros(2), torch.ones(2), False, 0.1, 1e-5, False)",
    "torch.conv1d(torch.ones(1, 1, 5), torch.ones(1, 1, 3))",
    "torch.max_pool2d(torch.arange(16.).reshape(1, 1, 4, 4), 2)",
    "torch.index_put_(torch.arange(6.).reshape(2, 3), (torch.tensor([0]),), torch.tensor(9.))",
]


@requires_torch
@pytest.mark.parametrize("expr", COPY_AND_NN_PARITY)
def test_copies_and_nn_ops_match_torch(expr: str) -> None:
    check(expr)
