"""The rest of torch.*'s in-place functions and the special functions, indexing and histogram
additions of issue 11, against PyTorch (gradients are in the op tables)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

import ndgrad

from ..helpers import requires_torch
from .parity import check

V = "torch.tensor([0.25, 1.5, 3.0], dtype=torch.float64)"
I = "torch.tensor([12, 18, 7])"
IX = "torch.tensor([3, 0, 3])"
P = "torch.tensor([[0., 1.], [1., 0.], [2., 0.], [2., 2.]])"
R = "torch.arange(9.)"

EXPRS = [
    f"torch.addmv_({V}.clone(), torch.ones(3, 3, dtype=torch.float64), {V}, beta=2)",
    f"torch.gcd_({I}.clone(), torch.tensor([8, 12, 21]))",
    f"torch.lcm_({I}.clone(), torch.tensor([8, 12, 21]))",
    f"torch.ldexp_({V}.clone(), torch.tensor([1., 2., 3.], dtype=torch.float64))",
    f"torch.logit_({V}.clone() / 4)",
    f"torch.logit_({V}.clone() / 4, 0.1)",
    f"torch.sinc_({V}.clone())",
    f"torch.conj_physical_({V}.clone())",
    "torch.resize_as_(torch.ones(3), torch.ones(2))",
    f"torch.gcd_(3, {I})",
    f"{V}.clone().conj_physical_()",
    "torch.ones(2, requires_grad=True).conj_physical_()",
    "torch.ones(2, requires_grad=True).mul(2).conj_physical_().grad_fn.name()",
    # the numeric constants and newaxis
    "torch.tensor([torch.pi, torch.e, -torch.inf], dtype=torch.float64)",
    "torch.isnan(torch.tensor(torch.nan))",
    "torch.arange(3.)[torch.newaxis, :, torch.newaxis]",
    "torch.arange(3.).masked_fill(torch.tensor([True, False, True]), -torch.inf)",
    # i0, igamma, igammac: edges, dtypes, errors
    "torch.i0(torch.tensor([0., 1e-3, -2., 10., 45., 100., 800.], dtype=torch.float64))",
    "torch.i0(torch.tensor([1, 2]))",
    "torch.i0_(torch.tensor([0.5, -3.]))",
    "torch.tensor([0.5, -3.], requires_grad=True).i0().grad_fn.name()",
    f"torch.igamma({V}, {V} * 2)",
    f"torch.igammac({V}, {V} + 4)",
    f"{V}.clone().igamma_({V})",
    f"{V}.clone().igammac_(torch.ones(3, dtype=torch.float64))",
    "torch.igamma(torch.tensor([0., 0, 1, -1, 1, 2, inf, 1]), "
    "torch.tensor([0., 1, 0, 1, -1, inf, 1, nan]))",
    "torch.igammac(torch.tensor([0., 0, 1, -1, 1, 2, inf, 1]), "
    "torch.tensor([0., 1, 0, 1, -1, inf, 1, nan]))",
    "torch.igamma(torch.tensor([1.]), torch.tensor([1.], dtype=torch.float64)).dtype",
    "torch.igamma(torch.tensor([1.]), 2.)",
    "torch.igamma(torch.tensor([1]), torch.tensor([2]))",
    f"torch.igamma({V}.requires_grad_(), {V}).sum().backward()",
    f"torch.igammac({V}, {V}.requires_grad_()).grad_fn.name()",
    # index_reduce
    "torch.index_reduce(torch.ones(3), 0, torch.tensor([0, 2, 0, 2]), "
    "torch.tensor([1., 2, 3, 4]), 'prod')",
    "torch.ones(3).index_reduce(0, torch.tensor([0, 2, 0, 2]), torch.tensor([1., 2, 3, 4]), "
    "'mean', include_self=False)",
    f"torch.ones(3, 4).index_reduce(1, {IX}, torch.arange(9.).reshape(3, 3), 'amax')",
    f"torch.ones(3, 4).index_reduce_(1, {IX}, torch.arange(9.).reshape(3, 3), 'amin', "
    "include_self=False)",
    "torch.ones(3, 4).index_reduce(-1, torch.tensor([3, 0, 3], dtype=torch.int32), "
    "-torch.arange(9.).reshape(3, 3), 'mean')",
    "torch.ones(3, dtype=torch.long).index_reduce(0, torch.tensor([1, 1]), "
    "torch.tensor([5, 2]), 'mean')",
    f"torch.ones(3, 2).index_reduce(0, {IX}, torch.ones(2, 2), 'sum')",
    "torch.ones(3, 2).index_reduce(0, torch.tensor([[0, 1]]), torch.ones(2, 2), 'prod')",
    "torch.ones(3, 2).index_reduce(0, torch.tensor([0., 1]), torch.ones(2, 2), 'prod')",
    "torch.ones(3, 2).index_reduce(0, torch.tensor([0, 1, 2]), torch.ones(2, 2), 'prod')",
    "torch.ones(3, 2).index_reduce(0, torch.tensor([0, 5]), torch.ones(2, 2), 'prod')",
    "torch.ones(3, 2).index_reduce(0, torch.tensor([0, -1]), torch.ones(2, 2), 'prod')",
    "torch.ones(3, 2).index_reduce(2, torch.tensor([0, 1]), torch.ones(2, 2), 'prod')",
    "torch.ones(3, 2).index_reduce(0, torch.tensor([0, 1]), torch.ones(2, 2).double(), 'prod')",
    "torch.ones(3, 2).index_reduce(0, torch.tensor([0, 1]), torch.ones(2, 3), 'prod')",
    # histogramdd
    f"torch.histogramdd({P}, bins=[3, 3])",
    f"repr(torch.histogramdd({P}, bins=[3, 3]))",
    f"torch.histogramdd({P}, bins=[torch.tensor([0., 1, 2]), torch.tensor([0., 0.5, 3])])",
    f"torch.histogramdd({P}.double(), bins=2, range=[0., 1, 0, 1], "
    "weight=torch.tensor([1., 2, 4, 8], dtype=torch.float64), density=True)",
    f"torch.histogramdd({P}, 2).hist",
    "torch.histogramdd(torch.ones(2, 3, 2), bins=2)",
    "torch.histogramdd(torch.tensor([[0.1, 0.2, 0.3], [0.9, 0.5, 0.4]]), bins=[1, 2, 3])",
    f"torch.histogramdd({P}, bins=[2, 2, 2])",
    "torch.histogramdd(torch.ones(3), bins=2)",
    f"torch.histogramdd({P}.long(), bins=2)",
    f"torch.histogramdd({P}, bins=2, range=[0., 1.])",
    f"torch.histogramdd({P}, 2, weight=torch.ones(3))",
    # as_strided_copy / as_strided_scatter on a tensor that is its whole storage
    f"torch.as_strided_copy({R}, (2, 2), (3, 1), 1)",
    f"torch.as_strided_copy({R}, (3, 3), (1, 3))",
    f"torch.as_strided_copy({R}, (4, 2), (1, 1))",
    f"torch.as_strided_copy({R}.reshape(3, 3), (2,), (4,))",
    f"torch.as_strided_copy({R}, (), (), 4)",
    f"torch.as_strided_copy({R}, (0, 3), (1, 1), 20)",
    f"torch.as_strided_copy({R}, (2, 2), (3, 1), 8)",
    f"torch.as_strided_copy({R}, (2,), (-1,))",
    f"torch.as_strided_copy({R}, (2, 2), (3, 1), -1)",
    f"torch.as_strided_copy({R}, (2, 2), (3,))",
    f"torch.as_strided_copy({R}.requires_grad_() * 1, (2, 2), (3, 1)).grad_fn.name()",
    f"torch.as_strided_scatter({R}, -torch.ones(2, 2), (2, 2), (3, 1), 1)",
    f"torch.as_strided_scatter({R}.reshape(3, 3), -torch.ones(3), (3,), (4,))",
    f"torch.as_strided_scatter({R}, -torch.ones(2, 2, dtype=torch.float64), (2, 2), (1, 3))",
    f"torch.as_strided_scatter({R}, torch.ones(3), (2, 2), (3, 1))",
    f"{R}.as_strided_scatter(-torch.ones(2), (2,), (4,), 1)",
]


@requires_torch
@pytest.mark.parametrize("expr", EXPRS)
def test_matches_pytorch(expr: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(expr)


def test_constants_are_maths() -> None:
    import math

    assert (ndgrad.pi, ndgrad.e, ndgrad.inf) == (math.pi, math.e, math.inf)
    assert math.isnan(ndgrad.nan) and ndgrad.newaxis is None
    assert {"pi", "e", "inf", "nan", "newaxis"} <= set(dir(ndgrad))


def test_conj_physical_in_place_is_recorded() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    y = x * 3
    version = y._version
    assert y.conj_physical_() is y and y._version == version + 1
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def _tensor_methods_program(lib: Any) -> list[Any]:
    out: list[Any] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        x = lib.arange(6.0)
        y = x.resize(2, 3)
        q = lib.arange(6.0, requires_grad=True)
        out += [y.tolist(), y is x, tuple(x.shape), q.resize(3, 2)._base is q]
        out.append(x.resize_as(lib.ones(3, 2)).tolist())
        out.append([str(w.message) for w in caught])
    out.append(lib.zeros(5, 3).fill_diagonal_(2.0, wrap=True).tolist())
    out.append(lib.zeros(5, 3).fill_diagonal_(2.0).tolist())
    out.append(lib.zeros(3, 5).fill_diagonal_(2.0, True).tolist())
    out.append(lib.zeros(2, 2, 2).fill_diagonal_(1).tolist())
    for bad in (
        lambda: lib.zeros(2, 3, 2).fill_diagonal_(1),
        lambda: lib.zeros(3).fill_diagonal_(1),
        lambda: lib.ones(3, requires_grad=True).resize(2),
        lambda: lib.ones(3, 3, requires_grad=True).fill_diagonal_(1),
    ):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                bad()
        except RuntimeError as e:
            out.append(str(e))
    w = lib.ones(3, 3, requires_grad=True)
    (w * 2).fill_diagonal_(5).sum().backward()
    out.append(w.grad.tolist())
    m = lib.tensor([1.0, 2, 3])
    out.append(m.map2_(lib.ones(3), lib.full((3,), 2.0), lambda a, b, c: a + b * c).tolist())
    out.append(
        lib.tensor([1, 2, 3]).map2_(lib.tensor(2), lib.ones(3, dtype=lib.long), max).tolist()
    )
    return out


@requires_torch
def test_tensor_methods_match_pytorch() -> None:
    from ..helpers import torch

    assert _tensor_methods_program(ndgrad) == _tensor_methods_program(torch)


def test_as_strided_on_a_view_is_refused_clearly() -> None:
    base = ndgrad.arange(9.0)
    for view in (base[2:], base.reshape(3, 3).t()):
        with pytest.raises(NotImplementedError, match=r"\.clone\(\) makes one"):
            ndgrad.as_strided_copy(view, (2,), (1,))
    assert ndgrad.as_strided_copy(base[2:].clone(), (2,), (3,)).tolist() == [2.0, 5.0]
