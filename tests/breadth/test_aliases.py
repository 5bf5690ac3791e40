"""addcmul/addcdiv's dtypes and errors; the aliases (greater, multiply...), rsub, fill, and the
torch-level in-place functions (torch.relu_...), against PyTorch."""

from __future__ import annotations

from typing import Any

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


# The *_copy functions record one node on the input, the view op's own under its "_copy" name
# (ndgrad recorded CloneBackward0 on the view's node); the result is a new contiguous tensor.
_COPY_GRAPHS = {
    "squeeze_copy": (lambda t, y: t.squeeze_copy(y, 1), "SqueezeBackward1_copy"),
    "unsqueeze_copy": (lambda t, y: t.unsqueeze_copy(y, 0), "UnsqueezeBackward0_copy"),
    "t_copy": (lambda t, y: t.t_copy(y[:, 0]), "TBackward0_copy"),
    "transpose_copy": (lambda t, y: t.transpose_copy(y, 0, 2), "TransposeBackward0_copy"),
    "permute_copy": (lambda t, y: t.permute_copy(y, (2, 0, 1)), "PermuteBackward0_copy"),
    "view_copy": (lambda t, y: t.view_copy(y, (6,)), "ViewBackward0_copy"),
    "expand_copy": (lambda t, y: t.expand_copy(y, (2, 4, 3)), "ExpandBackward0_copy"),
    "select_copy": (lambda t, y: t.select_copy(y, 0, 1), "SelectBackward0_copy"),
    "slice_copy": (lambda t, y: t.slice_copy(y, 2, 0, 2), "SliceBackward0_copy"),
    "diagonal_copy": (lambda t, y: t.diagonal_copy(y, 0, 0, 2), "DiagonalBackward0_copy"),
    "alias_copy": (lambda t, y: t.alias_copy(y), "AliasBackward0_copy"),
    "unbind_copy": (lambda t, y: t.unbind_copy(y, 0)[1], "UnbindBackward0_copy"),
    "split_copy": (lambda t, y: t.split_copy(y, 1, 0)[1], "SplitBackward0_copy"),
    "split_with_sizes_copy": (
        lambda t, y: t.split_with_sizes_copy(y, [1, 1], 0)[1],
        "SplitWithSizesBackward0_copy",
    ),
    "unfold_copy": (lambda t, y: t.unfold_copy(y, 2, 2, 1), "UnfoldBackward0_copy"),
    "narrow_copy": (lambda t, y: t.narrow_copy(y, 2, 1, 2), "NarrowCopyBackward0"),
}


def _copy_graph(name: str, lib: Any) -> Any:
    x = lib.arange(6.0, dtype=lib.float64).reshape(2, 1, 3).requires_grad_()
    y = x * 1
    r = _COPY_GRAPHS[name][0](lib, y)
    w = lib.arange(float(r.numel()), dtype=lib.float64).reshape(r.shape)
    (g,) = lib.autograd.grad((r * w).sum(), x)
    nxt = r.grad_fn.next_functions[0][0].name()
    return r.grad_fn.name(), nxt, r._base is None, r.is_contiguous(), r.stride(), g.tolist()


@pytest.mark.parametrize("name", list(_COPY_GRAPHS))
def test_copy_variants_record_the_view_node(name: str) -> None:
    node, nxt, own, contiguous, _, _ = _copy_graph(name, ndgrad)
    on = "SelectBackward0" if name == "t_copy" else "MulBackward0"  # (t_copy of y[:, 0])
    assert (node, nxt, own, contiguous) == (_COPY_GRAPHS[name][1], on, True, True)
    x = ndgrad.arange(6.0, dtype=ndgrad.float64).reshape(2, 1, 3).requires_grad_()
    fn = _COPY_GRAPHS[name][0]
    assert ndgrad.autograd.gradcheck(lambda v: fn(ndgrad, v), (x,))
    assert ndgrad.autograd.gradgradcheck(lambda v: fn(ndgrad, v), (x,))


@requires_torch
@pytest.mark.parametrize("name", list(_COPY_GRAPHS))
def test_copy_variants_match_torch(name: str) -> None:
    import torch

    assert _copy_graph(name, ndgrad) == _copy_graph(name, torch)


def test_copy_variants_without_grad() -> None:
    r = ndgrad.squeeze_copy(ndgrad.ones(2, 1), 1)
    assert r.grad_fn is None and not r.requires_grad and r._base is None
