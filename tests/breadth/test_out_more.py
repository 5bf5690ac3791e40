"""``out=`` on the rest of the torch-level functions that take it in PyTorch (issue 11): the value
written into ``out``, ``out`` returned, resizing, dtype checks and the autograd refusal, compared
with PyTorch expression by expression."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ndgrad

from ..helpers import requires_torch
from .parity import check

A = "torch.tensor([[2., 1., 4.], [3., 5., 0.5], [1., 2., 2.]], dtype=torch.float64)"
SPD = f"({A} @ {A}.mT + 3 * torch.eye(3, dtype=torch.float64))"
V = "torch.tensor([0.25, 1.5, 3.0], dtype=torch.float64)"
I = "torch.tensor([12, 18, 7])"
E = "torch.empty(0, dtype=torch.float64)"
EL = "torch.empty(0, dtype=torch.long)"
EB = "torch.empty(0, dtype=torch.bool)"

OUT_EXPRS = [
    # linear algebra
    f"torch.addbmm({A}, {A}.expand(2, 3, 3), {A}.expand(2, 3, 3), out={E})",
    f"torch.addr({A}, {V}, {V}, out={E})",
    f"torch.chain_matmul({A}, {A}, {A}, out={E})",
    f"torch.cholesky({SPD}, out={E})",
    f"torch.cholesky_inverse(torch.linalg.cholesky({SPD}), out={E})",
    f"torch.cholesky_solve({A}, torch.linalg.cholesky({SPD}), out={E})",
    f"torch.cross({A}, {A}.flip(0), dim=1, out={E})",
    f"torch.ger({V}, {V}, out={E})",
    f"torch.inverse({A}, out={E})",
    f"torch.matrix_power({A}, 3, out={E})",
    f"torch.norm({A}, dim=1, out={E})",
    f"torch.qr({A}, out=({E}, {E}))",
    f"torch.renorm({A}, 2, 0, 3.0, out={E})",
    f"torch.svd({A}, out=({E}, {E}, {E}))[1]",
    f"torch.vdot({V}, {V}, out={E})",
    # pointwise
    f"torch.addcdiv({V}, {V}, {V} + 1, value=0.5, out={E})",
    f"torch.addcmul({V}, {V}, {V}, value=2, out={E})",
    f"torch.angle({V} - 1, out={E})",
    f"torch.bitwise_left_shift({I}, 2, out={EL})",
    f"torch.bitwise_right_shift({I}, 1, out={EL})",
    f"torch.float_power({V}, 2, out={E})",
    f"torch.frexp({V}, out=({E}, torch.empty(0, dtype=torch.int32)))",
    f"torch.gcd({I}, torch.tensor([8, 12, 21]), out={EL})",
    f"torch.heaviside({V} - 1.5, torch.tensor(0.5, dtype=torch.float64), out={E})",
    f"torch.lcm({I}, torch.tensor([8, 12, 21]), out={EL})",
    f"torch.ldexp({V}, torch.tensor([1, 2, 3]), out={E})",
    f"torch.nextafter({V}, {V} + 1, out={E})",
    # reductions and scans
    f"torch.aminmax({A}, dim=0, out=({E}, {E}))",
    f"torch.cummax({V}, 0, out=({E}, {EL}))",
    f"torch.cummin({V}, 0, out=({E}, {EL}))",
    f"torch.kthvalue({V}, 2, out=({E}, {EL}))",
    f"torch.logcumsumexp({V}, 0, out={E})",
    f"torch.mode({I}, out=({EL}, {EL}))",
    f"torch.msort({A}, out={E})",
    f"torch.nanmean({A}, 1, out={E})",
    f"torch.nanmedian({A}, 1, out=({E}, {EL}))",
    f"torch.nanquantile({A}, 0.25, dim=1, out={E})",
    f"torch.quantile({A}, 0.75, out={E})",
    # creation
    f"torch.arange(5, out={EL})",
    f"torch.arange(1., 4., 0.5, out={E})",
    f"torch.eye(3, 2, out={E})",
    f"torch.linspace(0, 1, 5, out={E})",
    # search
    f"torch.bucketize({V}, torch.tensor([1., 2.], dtype=torch.float64), out={EL})",
    f"torch.histc({V}, bins=3, min=0, max=3, out={E})",
    f"torch.histogram({V}, 3, out=({E}, {E}))",
    f"torch.nonzero({V} > 1, out={EL})",
    f"torch.searchsorted(torch.tensor([1., 2., 3.], dtype=torch.float64), {V}, out={EL})",
    # queries, shapes, special functions
    f"torch.conj_physical({V}, out={E})",
    f"torch.diag({V}, out={E})",
    f"torch.diff({V}, out={E})",
    f"torch.row_stack([{V}, {V}], out={E})",
    f"torch.digamma({V}, out={E})",
    f"torch.erfinv({V} / 4, out={E})",
    f"torch.lgamma({V}, out={E})",
    f"torch.logit({V} / 4, out={E})",
    f"torch.mvlgamma({V} + 2, 2, out={E})",
    f"torch.polygamma(1, {V}, out={E})",
    f"torch.sinc({V}, out={E})",
    f"torch.greater({V}, 1, out={EB})",
    f"torch.greater_equal({V}, 1.5, out={EB})",
    f"torch.less({V}, 1, out={EB})",
    f"torch.less_equal({V}, 1.5, out={EB})",
    f"torch.not_equal({V}, 1.5, out={EB})",
    f"torch.narrow_copy({A}, 1, 1, 2, out={E})",
    f"torch.take_along_dim({A}, torch.tensor([[0], [2], [1]]), dim=1, out={E})",
    # the special functions and factorizations added for issue 11
    f"torch.i0({V}, out={E})",
    f"torch.igamma({V}, {V} * 2, out={E})",
    f"torch.igammac({V}, {V} * 2, out=torch.empty(3, dtype=torch.float64))",
    f"torch.orgqr(*torch.geqrf({A}), out={E})",
    f"torch.ormqr(*torch.geqrf({A}), {A}, out={E})",
    f"torch.lu_solve({A}, *torch.lu({A}), out={E})",
    f"torch.triangular_solve({A}, {A}, out=({E}, {E}))",
    f"torch.geqrf({A}, out=({E}, {E}))",
    f"torch.lu_unpack(*torch.lu({A}), out=({E}, {E}, {E}))",
    f"torch.lu({A}, out=({E}, torch.empty(0, dtype=torch.int32)))",
    f"torch.i0({V}.requires_grad_(), out={E})",
    # the shared rules, on new functions
    f"torch.lgamma({V}, out=torch.empty(3, dtype=torch.float32))",
    f"torch.lgamma({V}, out=torch.empty(3, dtype=torch.long))",
    f"torch.gcd({I}, {I}, out=torch.empty(3))",
    f"torch.sinc({V}.requires_grad_(), out={E})",
    f"torch.diff({V}, out=torch.empty(3, dtype=torch.float64, requires_grad=True))",
    f"torch.cummax({V}, 0, out={E})",
    f"torch.cummax({V}, 0, out=({E},))",
    f"torch.kthvalue({V}, 1, out=[{E}, {EL}])",
    f"torch.addcmul({V}, {V}, {V}, out=torch.empty(5, dtype=torch.float64))",
]


@requires_torch
@pytest.mark.parametrize("expr", OUT_EXPRS)
def test_out_on_more_functions_matches_torch(expr: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(expr)


@pytest.mark.parametrize(
    "call",
    [
        lambda out: ndgrad.lgamma(ndgrad.tensor([1.5, 2.5]), out=out),
        lambda out: ndgrad.diff(ndgrad.tensor([1.0, 2.5, 4.0]), out=out),
        lambda out: ndgrad.logcumsumexp(ndgrad.tensor([0.0, 1.0]), 0, out=out),
    ],
)
def test_out_is_written_in_place_and_returned(call: object) -> None:
    out = ndgrad.zeros(2)
    view = out[:]
    assert call(out) is out  # type: ignore[operator]
    np.testing.assert_array_equal(view.numpy(), out.numpy())
    assert out._version == 1


def test_out_of_another_shape_warns_on_new_functions() -> None:
    out = ndgrad.zeros(5)
    with pytest.warns(UserWarning, match=r"resized since it had shape \[5\]"):
        ndgrad.sinc(ndgrad.ones(3), out=out)
    assert out.shape == (3,)
