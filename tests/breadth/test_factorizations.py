"""LU and Householder factorizations in LAPACK's packed forms: values, printing, errors and
warnings against PyTorch (gradients are in the op table, tests/optables/linalg.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ndgrad

from ..helpers import requires_torch
from .parity import check

A = "torch.tensor([[2., 1, 4], [3, 5, .5], [1, 2, 2]], dtype=torch.float64)"
W = "torch.tensor([[2., 1, 4, 1], [3, 5, .5, 2], [1, 2, 2, 7]], dtype=torch.float64)"
B = "torch.tensor([[1., 2], [3, 4], [5, 6]], dtype=torch.float64)"
G = f"torch.geqrf({W}.mT)"

EXPRS = [
    f"torch.linalg.lu_factor({A})",
    f"repr(torch.linalg.lu_factor({A}))",
    f"torch.linalg.lu_factor({A}.flip(0).expand(2, 3, 3))",
    "torch.linalg.lu_factor_ex(torch.zeros(2, 2))",
    "torch.linalg.lu_factor_ex(torch.stack([torch.eye(2), torch.zeros(2, 2)]), check_errors=True)",
    "torch.linalg.lu_factor(torch.zeros(2, 2))",
    f"torch.linalg.lu_factor({A}, pivot=False)",
    f"torch.linalg.lu({W})",
    f"torch.linalg.lu({W}.mT)",
    f"repr(torch.linalg.lu({A}))",
    "torch.linalg.lu(torch.zeros(2, 2))",
    f"torch.lu({A})",
    f"torch.lu({A}, get_infos=True)",
    f"repr(torch.lu({A}, get_infos=True))",
    "torch.lu(torch.zeros(2, 2))",
    "torch.lu(torch.ones(3))",
    f"torch.lu_unpack(*torch.lu({A}))",
    f"torch.lu_unpack(*torch.linalg.lu_factor({W}))",
    f"torch.lu_solve({B}, *torch.lu({A}))",
    f"torch.linalg.lu_solve(*torch.linalg.lu_factor({A}), {B})",
    f"torch.linalg.lu_solve(*torch.linalg.lu_factor({A}), {B}, adjoint=True)",
    f"torch.linalg.lu_solve(*torch.linalg.lu_factor({A}), {B}.mT, left=False)",
    f"torch.linalg.lu_solve(*torch.linalg.lu_factor({A}), {B}.mT, left=False, adjoint=True)",
    f"torch.triangular_solve({B}, {A})",
    f"torch.triangular_solve({B}, {A}, upper=False, transpose=True, unitriangular=True)",
    f"{B}.triangular_solve({A}, False)",
    f"torch.triangular_solve(torch.ones(3), {A})",
    f"{G}",
    f"repr({G})",
    f"torch.geqrf({A}.expand(2, 3, 3))",
    "torch.geqrf(torch.ones(3))",
    f"torch.orgqr(*{G})",
    f"torch.linalg.householder_product(*{G})",
    f"{G}.a.orgqr({G}.tau)",
    f"torch.ormqr(*{G}, torch.cat([{B}, {B}[:1]]))",
    f"torch.ormqr(*{G}, torch.cat([{B}, {B}[:1]]), transpose=True)",
    f"torch.ormqr(*{G}, torch.cat([{B}, {B}[:1]]).mT, left=False)",
    f"{G}.a.ormqr({G}.tau, torch.cat([{B}, {B}[:1]]).mT, False, True)",
    f"torch.ormqr(*{G}, {B})",
    f"torch.ormqr(*{G}, torch.ones(4))",
    f"torch.ormqr({G}.a, {G}.tau[:2], torch.ones(4, 2, dtype=torch.float64))",
    f"torch.orgqr({W}, {G}.tau)",
    f"torch.orgqr({W}.mT, torch.ones(4, dtype=torch.float64))",
    f"{A}.lu()",
    f"{B}.lu_solve(*{A}.lu())",
]


@requires_torch
@pytest.mark.parametrize("expr", EXPRS)
def test_factorizations_match_pytorch(expr: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(expr)


def test_reassembled_factors_give_the_matrix_back() -> None:
    rng = np.random.default_rng(1)
    a = ndgrad.tensor(rng.standard_normal((2, 4, 4)))
    P, L, U = ndgrad.linalg.lu(a)
    np.testing.assert_allclose((P @ L @ U).numpy(), a.numpy(), atol=1e-12)
    h, tau = ndgrad.geqrf(a)
    Q = ndgrad.linalg.householder_product(h, tau)
    np.testing.assert_allclose((Q @ h.triu()).numpy(), a.numpy(), atol=1e-12)
    np.testing.assert_allclose(
        (Q.mT @ Q).numpy(), np.broadcast_to(np.eye(4), (2, 4, 4)), atol=1e-12
    )


def test_deprecated_functions_warn_as_pytorch() -> None:
    a = ndgrad.eye(2, dtype=ndgrad.float64) * 2
    with pytest.warns(
        UserWarning, match="torch.lu is deprecated in favor of torch.linalg.lu_factor"
    ):
        LU, piv = ndgrad.lu(a)
    with pytest.warns(UserWarning, match="torch.lu_solve is deprecated"):
        ndgrad.lu_solve(ndgrad.ones(2, 1, dtype=ndgrad.float64), LU, piv)
    with pytest.warns(UserWarning, match="torch.triangular_solve is deprecated"):
        ndgrad.triangular_solve(ndgrad.ones(2, 1, dtype=ndgrad.float64), a)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ndgrad.linalg.lu_factor(a)  # the current API does not warn
