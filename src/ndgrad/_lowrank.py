"""Randomized low-rank SVD and PCA (``torch.svd_lowrank``, ``torch.pca_lowrank``).

Halko, Martinsson and Tropp's randomized range finder (2009, Algorithms 4.4 and 5.1): a random
Gaussian test matrix R (from ndgrad's random stream, so a seed gives PyTorch's numbers), an
orthonormal basis Q of A R refined by ``niter`` power iterations, then the SVD of the small
matrix Qᴴ A. Written with ndgrad's differentiable ops (matmul, qr, svd).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._random import randn
from .linalg import qr, svd
from .ops._util import require_tensor

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["pca_lowrank", "svd_lowrank"]


def _range_basis(A: Tensor, q: int, niter: int, M: Tensor | None) -> Tensor:
    """An m × q matrix with orthonormal columns whose span approximates the range of A - M."""

    def apply(X: Tensor) -> Tensor:  # (A - M) X, without forming A - M
        return A @ X if M is None else A @ X - M @ X

    def apply_h(X: Tensor) -> Tensor:  # (A - M)ᴴ X
        return A.mH @ X if M is None else A.mH @ X - M.mH @ X

    R = randn(A.shape[-1], q, dtype=A.dtype)
    Q = qr(apply(R)).Q
    for _ in range(niter):
        Q = qr(apply_h(Q)).Q
        Q = qr(apply(Q)).Q
    return Q


def _svd_lowrank(A: Tensor, q: int, niter: int, M: Tensor | None) -> tuple[Tensor, Tensor, Tensor]:
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    wide = m < n
    if wide:  # work with the tall Aᴴ: the basis is then q × n, not m × q
        A = A.mH
        M = None if M is None else M.mH
    Q = _range_basis(A, q, niter, M)
    B = Q.mH @ A if M is None else Q.mH @ A - Q.mH @ M
    U, S, Vh = svd(B, full_matrices=False)
    U, V = Q @ U, Vh.mH
    return (V, S, U) if wide else (U, S, V)


def _check_count(value: Any, name: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name}(={value}) must be non-negative integer")


def svd_lowrank(
    A: Tensor, q: int | None = 6, niter: int | None = 2, M: Tensor | None = None
) -> tuple[Tensor, Tensor, Tensor]:
    """(U, S, V) with A - M ≈ U diag(S) Vᴴ of rank q, by randomized subspace iteration
    (q slightly above the wanted rank; niter power iterations sharpen a slowly decaying
    spectrum)."""
    require_tensor(A, "svd_lowrank")
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    return _svd_lowrank(A, q, niter, M)


def pca_lowrank(
    A: Tensor, q: int | None = None, center: bool = True, niter: int = 2
) -> tuple[Tensor, Tensor, Tensor]:
    """(U, S, V): the principal components of the rows of A (centered unless ``center=False``),
    V's columns the directions, S the singular values (variance · (m - 1) = S²)."""
    require_tensor(A, "pca_lowrank")
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (isinstance(q, int) and not isinstance(q, bool) and 0 <= q <= min(m, n)):
        raise ValueError(
            f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}"
        )
    _check_count(niter, "niter")
    if center:
        A = A - A.mean(-2, keepdim=True)
    return _svd_lowrank(A, q, niter, None)
