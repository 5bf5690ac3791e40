"""LU with partial pivoting and Householder QR in LAPACK's packed forms: ``linalg.lu_factor``,
``linalg.lu``, ``linalg.lu_solve``, the older ``torch.lu``/``lu_unpack``/``lu_solve``,
``triangular_solve``, and ``geqrf``/``orgqr``/``ormqr`` (``linalg.householder_product``).

The factorizations run in numpy; everything built on them (unpacking, solving, applying the
reflectors) is written with ndgrad ops, so it is differentiable as often as needed. The LU
factorization itself has its own backward (square matrices, as most uses).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .linalg import _check_matrix, _Result, solve_triangular
from .ops._util import tensor_cls
from .ops.arithmetic import NumpyFunction

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "geqrf",
    "householder_product",
    "linalg_lu",
    "linalg_lu_solve",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "lu_unpack",
    "orgqr",
    "ormqr",
    "triangular_solve",
]


class _LUFactorFields(NamedTuple):
    LU: Tensor
    pivots: Tensor


class LUFactorResult(_Result, _LUFactorFields):
    _name = "linalg_lu_factor"


class _LUFactorExFields(NamedTuple):
    LU: Tensor
    pivots: Tensor
    info: Tensor


class LUFactorExResult(_Result, _LUFactorExFields):
    _name = "linalg_lu_factor_ex"


class LUWithInfoResult(_Result, _LUFactorExFields):
    _name = "_lu_with_info"


class _PLUFields(NamedTuple):
    P: Tensor
    L: Tensor
    U: Tensor


class LUResult(_Result, _PLUFields):
    _name = "linalg_lu"


class LUUnpackResult(_Result, _PLUFields):
    _name = "lu_unpack"


class _TriangularSolveFields(NamedTuple):
    solution: Tensor
    cloned_coefficient: Tensor


class TriangularSolveResult(_Result, _TriangularSolveFields):
    _name = "triangular_solve"


class _GeqrfFields(NamedTuple):
    a: Tensor
    tau: Tensor


class GeqrfResult(_Result, _GeqrfFields):
    _name = "geqrf"


def _const(array: np.ndarray) -> Tensor:
    return tensor_cls()._make(array)


# --- LU ------------------------------------------------------------------------------------------


def _getrf(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LAPACK getrf's result for a batch of m×n matrices: the packed L\\U, 1-based int32 pivots
    (row j was swapped with row pivots[j] - 1) and info (0, or 1 + the first zero pivot)."""
    lu = np.array(a, dtype=a.dtype, copy=True)
    m, n = lu.shape[-2:]
    k = min(m, n)
    batch = lu.shape[:-2]
    pivots = np.zeros((*batch, k), np.int32)
    info = np.zeros(batch, np.int32)
    rows = np.arange(m)
    for j in range(k):
        p = j + np.argmax(np.abs(lu[..., j:, j]), axis=-1)  # the first largest, as LAPACK
        pivots[..., j] = p + 1
        order = np.broadcast_to(rows, (*batch, m)).copy()
        order[..., j] = p
        np.put_along_axis(order, p[..., None], j, axis=-1)
        lu = np.take_along_axis(lu, order[..., None], axis=-2)
        pivot = lu[..., j, j]
        zero = pivot == 0
        info = np.where((info == 0) & zero, j + 1, info)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(zero[..., None], 1, pivot[..., None])
            lu[..., j + 1 :, j] = lu[..., j + 1 :, j] / scale
        lu[..., j + 1 :, j + 1 :] -= lu[..., j + 1 :, j : j + 1] * lu[..., j : j + 1, j + 1 :]
    return lu, pivots, info


def _permutation(pivots: np.ndarray, m: int, dtype: np.dtype) -> np.ndarray:
    """P with A = P L U, from 1-based pivots (the row swaps applied in order)."""
    batch = pivots.shape[:-1]
    perm = np.broadcast_to(np.arange(m), (*batch, m)).copy()
    for j in range(pivots.shape[-1]):
        p = pivots[..., j].astype(np.int64) - 1
        pj = perm[..., j].copy()
        perm[..., j] = np.take_along_axis(perm, p[..., None], axis=-1)[..., 0]
        np.put_along_axis(perm, p[..., None], pj[..., None], axis=-1)
    # perm[i] is the original row now at position i: P[perm[i], i] = 1
    P = np.zeros((*batch, m, m), dtype)
    np.put_along_axis(P, perm[..., None, :], 1, axis=-2)
    return P


def _L_U(LU: Tensor) -> tuple[Tensor, Tensor]:
    m, n = LU.shape[-2:]
    k = min(m, n)
    eye = _const(np.eye(m, k, dtype=LU._data.dtype))
    L = LU[..., :, :k].tril(-1) + eye
    U = LU[..., :k, :].triu()
    return L, U


class LinalgLuFactorEx(NumpyFunction):
    """A = P L U (L unit lower, U upper, packed in one matrix); for square A:
    dA = P L⁻ᴴ (tril(Lᴴ dL, -1) + triu(dU Uᴴ)) U⁻ᴴ with dL, dU the two triangles of dLU"""

    @staticmethod
    def forward(ctx: Any, A: np.ndarray) -> tuple[np.ndarray, ...]:
        lu, pivots, info = _getrf(A)
        ctx.mark_non_differentiable(pivots, info)
        ctx.P = _permutation(pivots, A.shape[-2], A.dtype)
        ctx.save_for_backward(lu)
        return lu, pivots, info

    @staticmethod
    def backward(ctx: Any, grad: Tensor, *_: Any) -> tuple[Any, ...]:
        (LU,) = ctx.saved_tensors
        m, n = LU.shape[-2:]
        if m != n:
            raise NotImplementedError(
                "ndgrad: the derivative of lu_factor is implemented for square matrices only"
            )
        L, U = _L_U(LU)
        inner = (L.mH @ grad.tril(-1)).tril(-1) + (grad.triu() @ U.mH).triu()
        left = solve_triangular(L.mH, inner, upper=True, unitriangular=True)
        right = solve_triangular(U.mH, left, upper=False, left=False)
        return (_const(ctx.P) @ right,)


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False) -> LUFactorExResult:
    """(LU, pivots, info) of ``A = P L U`` (``torch.linalg.lu_factor_ex``)."""
    return _lu_factor(A, pivot, "torch.linalg.lu_factor_ex" if check_errors else None)


def _lu_factor(A: Tensor, pivot: bool, check_as: str | None) -> LUFactorExResult:
    A = _check_matrix(A, "lu_factor_ex", square=False)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    LU, pivots, info = LinalgLuFactorEx.apply(A)
    codes = info._data
    if check_as is not None and np.any(codes):
        where = np.argwhere(codes != 0)[0]
        batch = (
            f"(Batch element {np.ravel_multi_index(where, codes.shape)}): " if codes.ndim else ""
        )
        k = codes[tuple(where)]
        raise RuntimeError(
            f"{check_as}: {batch}U[{k},{k}] is zero and using it on lu_solve would result in a "
            "division by zero. If you still want to perform the factorization, consider calling "
            "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
        )
    return LUFactorExResult(LU, pivots, info)


def lu_factor(A: Tensor, *, pivot: bool = True) -> LUFactorResult:
    """(LU, pivots) of ``A = P L U``: L (unit diagonal, not stored) and U packed in LU, the row
    swaps as LAPACK's 1-based pivots (``torch.linalg.lu_factor``)."""
    LU, pivots, _ = _lu_factor(A, pivot, "torch.linalg.lu_factor")
    return LUFactorResult(LU, pivots)


def _deprecated(old: str, new: str, example: str) -> None:
    warnings.warn(
        f"torch.{old} is deprecated in favor of {new} and will be removed in a future PyTorch "
        f"release.\n{example}",
        UserWarning,
        stacklevel=3,
    )


def lu(A: Tensor, pivot: bool = True, get_infos: bool = False) -> Any:
    """``torch.lu`` (deprecated in PyTorch for ``linalg.lu_factor``): (LU, pivots), and the
    infos as a third tensor when ``get_infos``."""
    _deprecated(
        "lu",
        "torch.linalg.lu_factor / torch.linalg.lu_factor_ex",
        "LU, pivots = torch.lu(A, compute_pivots)\nshould be replaced with\nLU, pivots = "
        "torch.linalg.lu_factor(A, compute_pivots)",
    )
    if isinstance(A, tensor_cls()) and A.ndim < 2:
        raise RuntimeError(
            "torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: "
            f"{list(A.shape)} instead"
        )
    LU, pivots, info = lu_factor_ex(A, pivot=pivot)
    return LUWithInfoResult(LU, pivots, info) if get_infos else (LU, pivots)


def lu_unpack(
    LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True
) -> LUUnpackResult:
    """(P, L, U) from ``lu_factor``'s packed result; differentiable in ``LU_data``."""
    T = tensor_cls()
    m = LU_data.shape[-2]
    empty = T._make(np.zeros(0, LU_data._data.dtype))
    P = _const(_permutation(LU_pivots._data, m, LU_data._data.dtype)) if unpack_pivots else empty
    L, U = _L_U(LU_data) if unpack_data else (empty, empty)
    return LUUnpackResult(P, L, U)


def linalg_lu(A: Tensor, *, pivot: bool = True) -> LUResult:
    """(P, L, U) with ``A = P L U`` (``torch.linalg.lu``)."""
    LU, pivots, _ = lu_factor_ex(A, pivot=pivot)
    return LUResult(*lu_unpack(LU, pivots))


def linalg_lu_solve(
    LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False
) -> Tensor:
    """X with ``A X = B`` (``X A = B`` if not left; Aᴴ if adjoint) for ``A = P L U`` given by
    ``lu_factor`` (``torch.linalg.lu_solve``)."""
    P = _const(_permutation(pivots._data, LU.shape[-2], LU._data.dtype))
    L, U = _L_U(LU)
    if left and not adjoint:  # A X = B: X = U⁻¹ L⁻¹ Pᵀ B
        Y = solve_triangular(L, P.mT @ B, upper=False, unitriangular=True)
        return solve_triangular(U, Y, upper=True)
    if left:  # Aᴴ X = B: X = P L⁻ᴴ U⁻ᴴ B
        Y = solve_triangular(U.mH, B, upper=False)
        return P @ solve_triangular(L.mH, Y, upper=True, unitriangular=True)
    if not adjoint:  # X A = B: X = B U⁻¹ L⁻¹ Pᵀ
        Y = solve_triangular(U, B, upper=True, left=False)
        return solve_triangular(L, Y, upper=False, left=False, unitriangular=True) @ P.mT
    # X Aᴴ = B: X = B P L⁻ᴴ U⁻ᴴ
    Y = solve_triangular(L.mH, B @ P, upper=True, left=False, unitriangular=True)
    return solve_triangular(U.mH, Y, upper=False, left=False)


def lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """``torch.lu_solve``: X with ``A X = b`` for ``A`` factored by ``torch.lu``."""
    _deprecated(
        "lu_solve",
        "torch.linalg.lu_solveand",  # sic: PyTorch's message
        "Note that torch.linalg.lu_solve has its arguments reversed.\nX = torch.lu_solve(B, LU, "
        "pivots)\nshould be replaced with\nX = torch.linalg.lu_solve(LU, pivots, B)",
    )
    return linalg_lu_solve(LU_data, LU_pivots, b)


def triangular_solve(
    b: Tensor,
    A: Tensor,
    upper: bool = True,
    transpose: bool = False,
    unitriangular: bool = False,
) -> TriangularSolveResult:
    """(X, A's copy) with ``A X = b`` (``Aᵀ X = b`` if transpose) for triangular A."""
    _deprecated(
        "triangular_solve",
        "torch.linalg.solve_triangularand",  # sic: PyTorch's message
        "torch.linalg.solve_triangular has its arguments reversed and does not return a copy of "
        "one of the inputs.\nX = torch.triangular_solve(B, A).solution\nshould be replaced "
        "with\nX = torch.linalg.solve_triangular(A, B).",
    )
    for name, t in (("b", b), ("A", A)):
        if isinstance(t, tensor_cls()) and t.ndim < 2:
            raise RuntimeError(
                f"torch.triangular_solve: Expected {name} to have at least 2 dimensions, but it "
                f"has {t.ndim} dimensions instead"
            )
    coefficient = A.mT if transpose else A
    X = solve_triangular(
        coefficient, b, upper=bool(upper) != bool(transpose), unitriangular=unitriangular
    )
    return TriangularSolveResult(X, A.clone())


# --- Householder QR ------------------------------------------------------------------------------


def geqrf(input: Tensor) -> GeqrfResult:
    """(a, tau): LAPACK geqrf's QR in Householder form; R is a's upper triangle, the reflectors
    ``I - tau_i v_i v_iᵀ`` have v_i below a's diagonal (with a 1 on it). Not differentiable, as
    in PyTorch."""
    if isinstance(input, tensor_cls()) and input.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    x = _check_matrix(input, "geqrf", square=False)
    h, tau = np.linalg.qr(x._data, mode="raw")
    return GeqrfResult(_const(np.swapaxes(h, -1, -2).copy()), _const(tau.astype(x._data.dtype)))


def _reflector(A: Tensor, i: int) -> Tensor:
    """v_i as a column: 0 above row i, 1 at row i, A's column i below."""
    m = A.shape[-2]
    rows = np.arange(m)
    below = _const((rows > i).astype(A._data.dtype)[:, None])
    unit = _const((rows == i).astype(A._data.dtype)[:, None])
    return A[..., :, i : i + 1] * below + unit


def _apply_reflectors(A: Tensor, tau: Tensor, X: Tensor, left: bool, transpose: bool) -> Tensor:
    """Q X, Qᵀ X, X Q or X Qᵀ for Q = H_1 ... H_k, H_i = I - tau_i v_i v_iᵀ."""
    k = tau.shape[-1]
    # Q X = H_1 (H_2 (... H_k X)): the last reflector first; the other cases likewise.
    order = range(k) if left == transpose else range(k - 1, -1, -1)
    for i in order:
        v = _reflector(A, i)
        t = tau[..., i : i + 1].unsqueeze(-1)
        X = X - t * v @ (v.mT @ X) if left else X - X @ v @ (t * v).mT
    return X


def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first n columns of ``H_1 ... H_k`` (``torch.linalg.householder_product``, ``orgqr``)."""
    A = _check_matrix(A, "householder_product", square=False)
    m, n = A.shape[-2:]
    if m < n:
        raise RuntimeError(
            "torch.linalg.householder_product: input.shape[-2] must be greater than or equal to "
            "input.shape[-1]"
        )
    if tau.shape[-1] > n:
        raise RuntimeError(
            "torch.linalg.householder_product: input.shape[-1] must be greater than or equal to "
            "tau.shape[-1]"
        )
    E = _const(np.broadcast_to(np.eye(m, n, dtype=A._data.dtype), A._data.shape).copy())
    return _apply_reflectors(A, tau, E, left=True, transpose=False)


def orgqr(input: Tensor, tau: Tensor) -> Tensor:
    """``torch.orgqr``: ``householder_product(input, tau)``."""
    return householder_product(input, tau)


def ormqr(
    input: Tensor, tau: Tensor, other: Tensor, left: bool = True, transpose: bool = False
) -> Tensor:
    """``other`` multiplied by the Q of (input, tau) from geqrf: Q other, Qᵀ other (transpose),
    other Q or other Qᵀ (left=False)."""
    if other.ndim < 2:
        raise RuntimeError("torch.ormqr: other must have at least 2 dimensions.")
    side = -2 if left else -1
    if other.shape[side] != input.shape[-2]:
        raise RuntimeError(f"torch.ormqr: other.shape[{side}] must be equal to input.shape[-2]")
    if tau.shape[-1] != min(other.shape[side], input.shape[-1]):
        raise RuntimeError(
            f"torch.ormqr: tau.shape[-1] must be equal to min(other.shape[{side}], input.shape[-1])"
        )
    return _apply_reflectors(input, tau, other, bool(left), bool(transpose))
