"""Linear algebra beyond the products, at torch level (``ndgrad.det``, as ``torch.det``): det,
inverse, slogdet, logdet, pinverse, matrix_power, matrix_exp, cholesky_solve, cholesky_inverse;
the deprecated cholesky and qr, the legacy svd and norm; and cross, dist, cdist, renorm,
frobenius_norm, nuclear_norm, norm_except_dim and chain_matmul, built on linalg's cross, norms
and multi_dot. With their Tensor methods, and those of the LU and Householder factorizations
(``LinalgMethods``).

They are written on the ``torch.linalg`` functions, which are in ndgrad/linalg.py for now. The
products are in ops/products.py.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ._util import dtype_name, wrap_dim
from .products import _tensor_arg

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "cdist",
    "chain_matmul",
    "cholesky",
    "cholesky_inverse",
    "cholesky_solve",
    "cross",
    "det",
    "dist",
    "frobenius_norm",
    "inverse",
    "logdet",
    "matrix_exp",
    "matrix_power",
    "norm",
    "norm_except_dim",
    "nuclear_norm",
    "pinverse",
    "qr",
    "renorm",
    "slogdet",
    "svd",
]


# --- top-level aliases of ndgrad.linalg (as torch.det, torch.inverse, ...) ----------------------


def det(input: Tensor) -> Tensor:
    from .. import linalg

    return linalg.det(input)


def inverse(input: Tensor) -> Tensor:
    from .. import linalg

    return linalg.inv(input)


def slogdet(input: Tensor) -> Any:
    from .. import linalg

    return linalg._slogdet(input, "slogdet")


def logdet(input: Tensor) -> Tensor:
    """log det A: nan where det < 0, -inf where det = 0 (as PyTorch)."""
    from .. import linalg

    return linalg._logdet(input)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """The deprecated torch.cholesky (warns, as PyTorch): use linalg.cholesky."""
    from .. import linalg

    return linalg._legacy_cholesky(input, upper)


def qr(input: Tensor, some: bool = True) -> Any:
    """The deprecated torch.qr (warns, as PyTorch): use linalg.qr."""
    from .. import linalg

    return linalg._legacy_qr(input, some)


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False) -> Tensor:
    """X with (L Lᵀ) X = input, L = input2 lower triangular (Uᵀ U with upper=True)."""
    from .. import linalg

    return linalg._cholesky_solve(input, input2, upper)


def cholesky_inverse(input: Tensor, upper: bool = False) -> Tensor:
    """(L Lᵀ)⁻¹ from the Cholesky factor L (or (Uᵀ U)⁻¹)."""
    from .. import linalg

    return linalg._cholesky_inverse(input, upper)


def matrix_power(input: Tensor, n: int) -> Tensor:
    from .. import linalg

    return linalg.matrix_power(input, n)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    from .. import linalg

    return linalg.pinv(input, rtol=rcond)


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:
    """The legacy torch.svd: (U, S, V) with A = U diag(S) Vᵀ (V, not Vh)."""
    from .. import linalg

    return linalg._legacy_svd(input, some, compute_uv)


def norm(
    input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    """The legacy torch.norm: 'fro' and numbers are vector norms over ``dim``; 'nuc' matrix."""
    from .. import linalg

    return linalg._legacy_norm(input, p, dim, keepdim, dtype)


# --- built on linalg's cross, norms and multi_dot (issue 11) --------------------------------------
def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim``; without ``dim``, along the first dim of size 3
    (deprecated in PyTorch, which warns; ``linalg.cross`` defaults to the last dim)."""
    from .. import linalg

    a, b = _tensor_arg(input, "cross", "input", 1), _tensor_arg(other, "cross", "other", 2)
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
            "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
            "change to agree with that of linalg.cross in a future release.",
            UserWarning,
            stacklevel=2,
        )
        shape = np.broadcast_shapes(a._data.shape, b._data.shape)
        sizes = [i for i, s in enumerate(shape) if s == 3]
        if not sizes:
            raise RuntimeError("no dimension of size 3 in input")
        dim = sizes[0]
    return linalg.cross(a, b, dim=dim)


def dist(input: Tensor, other: Tensor, p: Any = 2) -> Tensor:
    """‖input - other‖_p over all elements (broadcast)."""
    from .. import linalg

    a, b = _tensor_arg(input, "dist", "input", 1), _tensor_arg(other, "dist", "other", 2)
    return linalg.vector_norm(a - b, p)


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """The p-norm distance between each row of ``x1`` (…, P, M) and each row of ``x2`` (…, R, M):
    a (…, P, R) tensor. Computed from the differences, so it is exact (no mm shortcut)."""
    from .. import linalg

    a, b = _tensor_arg(x1, "cdist", "x1", 1), _tensor_arg(x2, "cdist", "x2", 2)
    for name, t in (("X1", a), ("X2", b)):
        if t._data.ndim < 2:
            raise RuntimeError(
                f"cdist only supports at least 2D tensors, {name} got: {t._data.ndim}D"
            )
    if a._data.shape[-1] != b._data.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {a._data.shape[-1]} "
            f"X2: {b._data.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if a._data.dtype.kind != "f" or b._data.dtype.kind != "f":
        raise RuntimeError(
            f"cdist only supports floating-point dtypes, X1 got: {dtype_name(a._data.dtype)}"
        )
    return linalg.vector_norm(a.unsqueeze(-2) - b.unsqueeze(-3), p, dim=-1)


def chain_matmul(*matrices: Tensor) -> Tensor:
    """A₁ A₂ … A_n of 2-D matrices (deprecated in PyTorch for ``linalg.multi_dot``)."""
    from .. import linalg

    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
        "multiple parameters.",
        UserWarning,
        stacklevel=2,
    )
    for t in matrices:
        if t._data.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {t._data.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    return linalg.multi_dot(matrices)


def renorm(input: Tensor, p: Any, dim: int, maxnorm: Any) -> Tensor:
    """Each slice along ``dim`` rescaled so that its p-norm is at most ``maxnorm``."""
    from .. import linalg

    x = _tensor_arg(input, "renorm", "input", 1)
    d = wrap_dim(dim, x._data.ndim)
    others = tuple(i for i in range(x._data.ndim) if i != d)
    norms = linalg.vector_norm(x, p, dim=others, keepdim=True)
    scale = (norms > maxnorm).to(x.dtype) * (maxnorm / (norms + 1e-7) - 1) + 1
    return x * scale


def matrix_exp(input: Tensor) -> Tensor:
    """e^A of square matrices (``linalg.matrix_exp``)."""
    from .. import linalg

    return linalg.matrix_exp(input)


def frobenius_norm(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """√(Σ x²) over ``dim`` (deprecated in PyTorch, which warns)."""
    from .. import linalg

    warnings.warn(
        "at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, "
        "keepdim)` instead",
        UserWarning,
        stacklevel=2,
    )
    return linalg.vector_norm(_tensor_arg(input, "frobenius_norm", "input", 1), 2, dim, keepdim)


def nuclear_norm(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The sum of the singular values of a matrix (of the two dims ``dim``; deprecated in
    PyTorch, which warns)."""
    from .. import linalg

    warnings.warn(
        "at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, "
        "keepdim)` instead",
        UserWarning,
        stacklevel=2,
    )
    x = _tensor_arg(input, "nuclear_norm", "input", 1)
    return linalg.matrix_norm(x, "nuc", (-2, -1) if dim is None else dim, keepdim)


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of v over every dim but ``dim`` (kept, size 1 elsewhere); dim=-1: all."""
    from .. import linalg

    x = _tensor_arg(v, "norm_except_dim", "v", 1)
    if dim == -1:
        return linalg.vector_norm(x, pow)
    d = wrap_dim(dim, x._data.ndim)
    others = tuple(i for i in range(x._data.ndim) if i != d)
    return linalg.vector_norm(x, pow, dim=others, keepdim=True)


class LinalgMethods:
    """Tensor methods of the linear algebra beyond the products."""

    def matrix_power(self, n: int) -> Tensor:
        return matrix_power(self, n)  # type: ignore[arg-type]

    def pinverse(self, rcond: float = 1e-15) -> Tensor:
        return pinverse(self, rcond)  # type: ignore[arg-type]

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        return svd(self, some, compute_uv)  # type: ignore[arg-type]

    def cholesky(self, upper: bool = False) -> Tensor:
        return cholesky(self, upper)  # type: ignore[arg-type]

    def qr(self, some: bool = True) -> Any:
        return qr(self, some)  # type: ignore[arg-type]

    def cholesky_solve(self, input2: Tensor, upper: bool = False) -> Tensor:
        return cholesky_solve(self, input2, upper)  # type: ignore[arg-type]

    # LU and Householder factorizations (ndgrad/_factorizations.py)
    def lu(self, pivot: bool = True, get_infos: bool = False) -> Any:
        from .. import _factorizations

        return _factorizations.lu(self, pivot, get_infos)  # type: ignore[arg-type]

    def lu_solve(self, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
        from .. import _factorizations

        return _factorizations.lu_solve(self, LU_data, LU_pivots)  # type: ignore[arg-type]

    def triangular_solve(
        self, A: Tensor, upper: bool = True, transpose: bool = False, unitriangular: bool = False
    ) -> Any:
        from .. import _factorizations

        return _factorizations.triangular_solve(self, A, upper, transpose, unitriangular)  # type: ignore[arg-type]

    def geqrf(self) -> Any:
        from .. import _factorizations

        return _factorizations.geqrf(self)  # type: ignore[arg-type]

    def orgqr(self, input2: Tensor) -> Tensor:
        from .. import _factorizations

        return _factorizations.orgqr(self, input2)  # type: ignore[arg-type]

    def ormqr(
        self, input2: Tensor, input3: Tensor, left: bool = True, transpose: bool = False
    ) -> Tensor:
        from .. import _factorizations

        return _factorizations.ormqr(self, input2, input3, left, transpose)  # type: ignore[arg-type]

    def cholesky_inverse(self, upper: bool = False) -> Tensor:
        return cholesky_inverse(self, upper)  # type: ignore[arg-type]

    def det(self) -> Tensor:
        return det(self)  # type: ignore[arg-type]

    def inverse(self) -> Tensor:
        return inverse(self)  # type: ignore[arg-type]

    def slogdet(self) -> Any:
        return slogdet(self)  # type: ignore[arg-type]

    def logdet(self) -> Tensor:
        return logdet(self)  # type: ignore[arg-type]

    def norm(
        self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
    ) -> Tensor:
        return norm(self, p, dim, keepdim, dtype)  # type: ignore[arg-type]

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        return cross(self, other, dim)  # type: ignore[arg-type]

    def dist(self, other: Tensor, p: Any = 2) -> Tensor:
        return dist(self, other, p)  # type: ignore[arg-type]

    def renorm(self, p: Any, dim: int, maxnorm: Any) -> Tensor:
        return renorm(self, p, dim, maxnorm)  # type: ignore[arg-type]

    def renorm_(self, p: Any, dim: int, maxnorm: Any) -> Tensor:
        return self._inplace(lambda s: renorm(s, p, dim, maxnorm))  # type: ignore[attr-defined]

    def matrix_exp(self) -> Tensor:
        return matrix_exp(self)  # type: ignore[arg-type]
