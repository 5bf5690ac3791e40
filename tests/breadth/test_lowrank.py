"""torch.svd_lowrank and torch.pca_lowrank: PyTorch's results for a seed (singular values, and
vectors up to sign), exact on low-rank matrices, PyTorch's errors (gradients: the op table)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import ndgrad

from ..helpers import requires_torch, torch


def _runs(lib: Any) -> list[Any]:
    lib.manual_seed(0)
    A = lib.randn(8, 5, dtype=lib.float64)
    calls = [
        lambda: lib.svd_lowrank(A, q=3),
        lambda: lib.svd_lowrank(A.mT, q=4, niter=1),
        lambda: lib.svd_lowrank(A, q=3, M=A.mean(0, keepdim=True)),
        lambda: lib.pca_lowrank(A),
        lambda: lib.pca_lowrank(A.float(), q=2, center=False),
        lambda: lib.pca_lowrank(lib.randn(2, 6, 4, dtype=lib.float64), q=3),
    ]
    out = []
    for i, call in enumerate(calls):
        lib.manual_seed(i)
        U, S, V = call()
        out.append((U.numpy(), S.numpy(), V.numpy()))
    return out


@requires_torch
def test_matches_pytorch_for_a_seed() -> None:
    for (u, s, v), (tu, ts, tv) in zip(_runs(ndgrad), _runs(torch), strict=True):
        assert u.shape == tu.shape and v.shape == tv.shape and s.dtype == ts.dtype
        tol = 1e-5 if s.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(s, ts, rtol=tol)
        # singular vectors are defined up to sign
        np.testing.assert_allclose(np.abs(u), np.abs(tu), atol=tol)
        np.testing.assert_allclose(np.abs(v), np.abs(tv), atol=tol)


def test_exact_on_a_low_rank_matrix() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((20, 3)) @ rng.standard_normal((3, 9))
    U, S, V = ndgrad.svd_lowrank(ndgrad.tensor(a), q=5)
    np.testing.assert_allclose(((U * S) @ V.mT).numpy(), a, atol=1e-10)
    np.testing.assert_allclose(S.numpy()[:3], np.linalg.svd(a, compute_uv=False)[:3], rtol=1e-10)
    _, S, V = ndgrad.pca_lowrank(ndgrad.tensor(a), q=3)
    centered = a - a.mean(0)
    np.testing.assert_allclose(S.numpy(), np.linalg.svd(centered, compute_uv=False)[:3])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"q": 9}, r"q\(=9\) must be non-negative integer and not greater than min\(m, n\)=5"),
        ({"q": -1}, r"q\(=-1\) must be non-negative integer"),
        ({"niter": -1}, r"niter\(=-1\) must be non-negative integer"),
    ],
)
def test_pca_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ndgrad.pca_lowrank(ndgrad.ones(8, 5), **kwargs)
