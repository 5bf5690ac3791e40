"""``ndgrad.linalg``: PyTorch's ``torch.linalg`` on numpy, with gradients of any order.

Every backward is written with ndgrad ops (matmul, einsum, solves, the ops below), so it is
differentiable again. Where a gradient is mathematically undefined (repeated eigenvalues or
singular values, singular matrices) the notes in docs/linalg.md say what ndgrad returns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .ops._util import dtype_name, normalize_dims, reduced_shape, tensor_cls, wrap_dim
from .ops.arithmetic import NumpyFunction, where
from .ops.products import einsum, matmul

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = [
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "cond",
    "cross",
    "det",
    "eigh",
    "eigvalsh",
    "householder_product",
    "inv",
    "inv_ex",
    "lstsq",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "matmul",
    "matrix_exp",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "svd",
    "svdvals",
    "vecdot",
    "vector_norm",
]


class LinAlgError(RuntimeError):
    """A matrix the algorithm cannot handle (singular, not positive-definite): PyTorch's
    ``torch.linalg.LinAlgError``, a RuntimeError."""


# --- results, shown as PyTorch shows its named tuples ---------------------------------------------


class _Result:
    _name = ""

    def __repr__(self) -> str:
        names: tuple[str, ...] = self._fields  # type: ignore[attr-defined]
        values: tuple[Any, ...] = tuple(self)  # type: ignore[arg-type]
        fields = ",\n".join(f"{f}={v!r}" for f, v in zip(names, values, strict=True))
        return f"torch.return_types.{self._name}(\n{fields})"


class _SlogdetFields(NamedTuple):
    sign: Tensor
    logabsdet: Tensor


class SlogdetResult(_Result, _SlogdetFields):
    _name = "linalg_slogdet"


class LegacySlogdetResult(_Result, _SlogdetFields):
    _name = "slogdet"


class _QRFields(NamedTuple):
    Q: Tensor
    R: Tensor


class QRResult(_Result, _QRFields):
    _name = "linalg_qr"


class LegacyQRResult(_Result, _QRFields):
    _name = "qr"


class _EighFields(NamedTuple):
    eigenvalues: Tensor
    eigenvectors: Tensor


class EighResult(_Result, _EighFields):
    _name = "linalg_eigh"


class _SVDFields(NamedTuple):
    U: Tensor
    S: Tensor
    Vh: Tensor


class SVDResult(_Result, _SVDFields):
    _name = "linalg_svd"


# --- checks and small differentiable helpers ------------------------------------------------------


def _check_matrix(
    A: Any, name: str, square: bool = True, arg: str = "A", where: str | None = None
) -> Tensor:
    """PyTorch's checks of a (batch of) matrix argument; messages start with ``where``
    ('linalg.<name>: ' unless given)."""
    T = tensor_cls()
    if not isinstance(A, T):
        raise _not_tensor(f"linalg_{name}", arg, 1, A)
    where = f"linalg.{name}: " if where is None else where
    shape = A._data.shape
    if len(shape) < 2:
        raise RuntimeError(f"{where}The input tensor {arg} must have at least 2 dimensions.")
    if square and shape[-1] != shape[-2]:
        raise RuntimeError(
            f"{where}A must be batches of square matrices, but they are "
            f"{shape[-2]} by {shape[-1]} matrices"
        )
    _check_float(A, name)
    return A


def _not_tensor(fn: str, arg: str, pos: int, value: Any) -> TypeError:
    return TypeError(
        f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not {type(value).__name__}"
    )


def _check_float(A: Tensor, name: str) -> None:
    dt = A._data.dtype
    if dt.kind != "f":
        raise RuntimeError(
            f"linalg.{name}: Expected a floating point or complex tensor as input. "
            f"Got {dtype_name(dt)}"
        )
    if dt.itemsize < 4:
        raise RuntimeError(
            f"linalg.{name}: Low precision dtypes not supported. Got {dtype_name(dt)}"
        )


def _const(array: np.ndarray) -> Tensor:
    return tensor_cls()._make(array)


def _eye(n: int, like: Tensor) -> Tensor:
    return _const(np.eye(n, dtype=like._data.dtype))


def _tril(x: Tensor, k: int = 0) -> Tensor:
    """Lower triangle (below diagonal k) as a product with a constant mask: differentiable."""
    n, m = x._data.shape[-2:]
    return x * _const(np.tri(n, m, k, dtype=x._data.dtype))


def _triu(x: Tensor, k: int = 0) -> Tensor:
    n, m = x._data.shape[-2:]
    return x * _const(1 - np.tri(n, m, k - 1, dtype=x._data.dtype))


def _diag_embed(v: Tensor) -> Tensor:
    return v.unsqueeze(-1) * _eye(v._data.shape[-1], v)


def _diagonal(A: Tensor) -> Tensor:
    return einsum("...ii->...i", A)


def _cols(x: Tensor, k: int) -> Tensor:
    """The first k columns of x (a product with a constant selection matrix)."""
    n = x._data.shape[-1]
    return x if k == n else x @ _const(np.eye(n, k, dtype=x._data.dtype))


def _batch_prefix(shape: tuple[int, ...], failed: np.ndarray) -> str:
    """'(Batch element i): ' for the first failing matrix of a batch, '' for a single matrix."""
    if len(shape) == 2:
        return ""
    return f"(Batch element {int(np.flatnonzero(failed.reshape(-1))[0])}): "


def _lu_zero_pivot(a: np.ndarray) -> int:
    """1-based index of the first exactly-zero pivot of LU with partial pivoting (LAPACK's
    getrf ``info``), or 0 if there is none. Runs in a's dtype, as LAPACK does."""
    a = np.array(a)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1 :, k:] -= np.outer(a[k + 1 :, k] / a[k, k], a[k, k:])
    return 0


def _singular_error(A: np.ndarray, name: str) -> LinAlgError:
    mats = A.reshape(-1, *A.shape[-2:])
    pivots = np.array([_lu_zero_pivot(m) for m in mats])
    failed = pivots > 0
    if not failed.any():  # rounding differs from LAPACK's: blame the last element
        failed[-1:] = True
        pivots[-1:] = A.shape[-1]
    prefix = _batch_prefix(A.shape, failed)
    return LinAlgError(
        f"linalg.{name}: {prefix}The diagonal element {pivots[failed][0]} is zero, the inversion "
        "could not be completed because the input matrix is singular."
    )


# --- inv, det, slogdet ----------------------------------------------------------------------------


class LinalgInvEx(NumpyFunction):
    """Y = A⁻¹; dA = -Yᵀ g Yᵀ"""

    @staticmethod
    def forward(ctx: Any, A: np.ndarray) -> np.ndarray:
        try:
            Y = np.linalg.inv(A)
        except np.linalg.LinAlgError:
            raise _singular_error(A, "inv") from None
        ctx.save_for_backward(Y)
        return Y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (Y,) = ctx.saved_tensors
        Yt = Y.mT
        return -(Yt @ grad @ Yt)


def inv(A: Tensor) -> Tensor:
    """The inverse of a square matrix (or a batch); LinAlgError if one is singular."""
    return LinalgInvEx.apply(_check_matrix(A, "inv"))


def _adjugate_t(A: Tensor) -> Tensor:
    """adj(A)ᵀ = ∂det/∂A, also for singular A, through the SVD A = U S Vᵀ:
    adj(A)ᵀ = det(U) det(V) · U diag(Π_{j≠i} s_j) Vᵀ."""
    U, S, Vh = svd(A, full_matrices=False)
    n = S._data.shape[-1]
    if n == 0:
        return A * 0
    # Π_{j≠i} s_j without dividing by s_i (which may be 0): products of S with s_i set to 1.
    others = where(_const(np.eye(n, dtype=bool)), 1.0, S.unsqueeze(-2).expand(*S.shape, n))
    cols = others.unbind(-1)
    prod = cols[0]
    for c in cols[1:]:
        prod = prod * c
    sign = np.linalg.det(U._data) * np.linalg.det(Vh._data)
    return (U * prod.unsqueeze(-2)) @ Vh * _const(sign[..., None, None])


class LinalgDet(NumpyFunction):
    """y = det A; dA = g · adj(A)ᵀ = g · y · A⁻ᵀ (through the SVD where A is singular)"""

    @staticmethod
    def forward(ctx: Any, A: np.ndarray) -> Any:
        y = np.linalg.det(A)
        ctx.save_for_backward(A, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        A, y = ctx.saved_tensors
        g = (grad * y).unsqueeze(-1).unsqueeze(-1)
        if A._data.shape[-1] and np.all(y._data != 0):
            try:
                return g * inv(A).mT
            except LinAlgError:  # det underflowed to a tiny number: take the SVD path
                pass
        return grad.unsqueeze(-1).unsqueeze(-1) * _adjugate_t(A)


def det(A: Tensor) -> Tensor:
    """The determinant of a square matrix (or a batch)."""
    return LinalgDet.apply(_check_matrix(A, "det"))


class LinalgSlogdet(NumpyFunction):
    """(sign, log|det A|); d log|det A|/dA = A⁻ᵀ. The sign is piecewise constant: no gradient."""

    @staticmethod
    def forward(ctx: Any, A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(A)
        sign, logabs = np.linalg.slogdet(A)
        return np.asarray(sign), np.asarray(logabs)

    @staticmethod
    def backward(ctx: Any, grad_sign: Tensor | None, grad_logabs: Tensor | None) -> Any:
        if grad_logabs is None:
            return None
        (A,) = ctx.saved_tensors
        g = grad_logabs.unsqueeze(-1).unsqueeze(-1)
        try:
            return g * inv(A).mT
        except LinAlgError:
            pass
        # Some matrix is singular: log|det| = -inf there and the gradient undefined (nan; PyTorch
        # gives ±inf). The others keep theirs: invert them with the singular ones set to I.
        n = A._data.shape[-1]
        mats = A._data.reshape(-1, n, n)
        singular = np.array([_lu_zero_pivot(m) > 0 for m in mats]).reshape(A._data.shape[:-2])
        mask = _const(np.broadcast_to(singular[..., None, None], A._data.shape).copy())
        safe = where(mask, _eye(n, A), A)
        return g * where(mask, math.nan, inv(safe).mT)


def _slogdet(A: Tensor, name: str) -> Any:
    sign, logabs = LinalgSlogdet.apply(_check_matrix(A, "slogdet"))
    return (SlogdetResult if name == "linalg" else LegacySlogdetResult)(sign, logabs)


def slogdet(A: Tensor) -> SlogdetResult:
    """(sign, logabsdet) with det A = sign · exp(logabsdet); stable where det over/underflows."""
    return _slogdet(A, "linalg")


def _logdet(A: Tensor) -> Tensor:
    sign, logabs = _slogdet(A, "slogdet")
    return where(sign < 0, math.nan, logabs)


# --- solves ---------------------------------------------------------------------------------------


class LinalgSolveEx(NumpyFunction):
    """X = A⁻¹ B (B a batch of matrices); dB = A⁻ᵀ g, dA = -dB Xᵀ"""

    @staticmethod
    def forward(ctx: Any, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        try:
            X = np.linalg.solve(A, B)
        except np.linalg.LinAlgError:
            singular = np.array([_lu_zero_pivot(m) > 0 for m in A.reshape(-1, *A.shape[-2:])])
            if not singular.any():
                singular[-1] = True
            raise LinAlgError(
                f"torch.linalg.solve: {_batch_prefix(A.shape, singular)}The solver failed "
                "because the input matrix is singular."
            ) from None
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        A, X = ctx.saved_tensors
        gB = LinalgSolveEx.apply(A.mT, grad)
        gA = -(gB @ X.mT) if ctx.needs_input_grad[0] else None
        return gA, gB


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (or X A = B with left=False). B is a vector when it is 1-D or has A's
    batch shape (..., n); batch dims broadcast."""
    A = _check_matrix(A, "solve")
    T = tensor_cls()
    if not isinstance(B, T):
        raise _not_tensor("linalg_solve", "B", 2, B)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{dtype_name(A._data.dtype)} and B of type {dtype_name(B._data.dtype)} instead"
        )
    sa, sb = A._data.shape, B._data.shape
    vector = len(sb) == 1 or (len(sb) == len(sa) - 1 and sb == sa[:-1])
    if len(sb) == 0:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    Bm = B.unsqueeze(-1) if vector else B
    n = sa[-1]
    rows = Bm._data.shape[-2] if left else Bm._data.shape[-1]
    if rows != n:
        eq = "AX = B" if left else "XA = B"
        shown = Bm._data.shape[-2:]
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
            f"({n}x{n} and {shown[0]}x{shown[1]})"
        )
    _check_batch_broadcast(Bm._data.shape[:-2], sa[:-2])  # PyTorch names B first
    # X A = B  <=>  Aᵀ Xᵀ = Bᵀ
    X = LinalgSolveEx.apply(A, Bm) if left else LinalgSolveEx.apply(A.mT, Bm.mT).mT
    return X.squeeze(-1) if vector else X


def _substitute(A: np.ndarray, B: np.ndarray, upper: bool) -> np.ndarray:
    """Forward/back substitution (used when A has a zero on its diagonal: inf/nan, no error,
    as LAPACK's trsm)."""
    A, B = np.broadcast_arrays(A[..., :, :], B)
    n = A.shape[-1]
    X = np.zeros(np.broadcast_shapes(A.shape[:-2], B.shape[:-2]) + B.shape[-2:], B.dtype)
    order = range(n - 1, -1, -1) if upper else range(n)
    for i in order:
        acc = B[..., i, :] - np.einsum("...j,...jk->...k", A[..., i, :], X)
        X[..., i, :] = acc / A[..., i, i : i + 1]
    return X


class LinalgSolveTriangular(NumpyFunction):
    """X = A⁻¹ B for triangular A (left); dB = A⁻ᵀ g, dA = -(dB Xᵀ) restricted to A's triangle.
    With left=False, X = B A⁻¹: dB = g A⁻ᵀ, dA = -(Xᵀ dB) on the triangle."""

    @staticmethod
    def forward(
        ctx: Any, A: np.ndarray, B: np.ndarray, upper: bool, left: bool, unit: bool
    ) -> np.ndarray:
        tri = np.triu(A) if upper else np.tril(A)
        if unit:
            tri = (
                tri - tri * np.eye(A.shape[-1], dtype=A.dtype) + np.eye(A.shape[-1], dtype=A.dtype)
            )
        lhs, rhs, up = (
            (tri, B, upper)
            if left
            else (np.swapaxes(tri, -1, -2), np.swapaxes(B, -1, -2), not upper)
        )
        with np.errstate(all="ignore"):
            if np.all(np.diagonal(lhs, axis1=-2, axis2=-1) != 0):
                X = np.linalg.solve(lhs, rhs)
            else:
                X = _substitute(lhs, rhs, up)
        if not left:
            X = np.swapaxes(X, -1, -2)
        ctx.flags = (upper, left, unit)
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        A, X = ctx.saved_tensors
        upper, left, unit = ctx.flags
        gB = LinalgSolveTriangular.apply(A.mT, grad, not upper, left, unit)
        gA = None
        if ctx.needs_input_grad[0]:
            full = -(gB @ X.mT) if left else -(X.mT @ gB)
            k = 1 if unit else 0
            gA = _triu(full, k) if upper else _tril(full, -k)
        return gA, gB, None, None, None


def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """X with A X = B (X A = B with left=False), A upper or lower triangular (the other triangle
    is not read); unitriangular: the diagonal is taken as ones."""
    A = _check_matrix(A, "solve_triangular")
    T = tensor_cls()
    if not isinstance(B, T):
        raise _not_tensor("linalg_solve_triangular", "B", 2, B)
    if B._data.ndim < 2:
        raise RuntimeError(
            "linalg.solve_triangular: The input tensor B must have at least 2 dimensions."
        )
    n = A._data.shape[-1]
    sb = B._data.shape
    if (sb[-2] if left else sb[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.solve_triangular: Incompatible shapes of A and B for the equation {eq} "
            f"({n}x{n} and {sb[-2]}x{sb[-1]})"
        )
    if A._data.dtype != B._data.dtype:  # PyTorch computes in A's dtype
        B = B.to(A.dtype)
    _check_batch_broadcast(sb[:-2], A._data.shape[:-2])
    return LinalgSolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular))


def _check_batch_broadcast(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        from ._errors import broadcast_mismatch

        raise broadcast_mismatch(sa, sb) from None


def _promote_pair(A: Tensor, B: Tensor) -> tuple[Tensor, Tensor]:
    from .ops._util import promote

    A, B, _ = promote(A, B)
    return A, B


# --- cholesky -------------------------------------------------------------------------------------


def _not_pd_order(a: np.ndarray) -> int:
    """1-based order of the first leading minor that is not positive-definite (LAPACK potrf's
    ``info``), or 0."""
    n = a.shape[0]
    L = np.zeros((n, n), a.dtype)
    for j in range(n):
        d = a[j, j] - L[j, :j] @ L[j, :j]
        if not d > 0:  # also catches nan
            return j + 1
        L[j, j] = math.sqrt(d)
        L[j + 1 :, j] = (a[j + 1 :, j] - L[j + 1 :, :j] @ L[j, :j]) / L[j, j]
    return 0


class LinalgCholeskyEx(NumpyFunction):
    """A = L Lᵀ. With P = Φ(Lᵀ g) (lower triangle, halved diagonal):
    dA = sym(L⁻ᵀ P L⁻¹), the symmetric gradient (A is taken as symmetric)."""

    @staticmethod
    def forward(ctx: Any, A: np.ndarray, upper: bool, label: str) -> np.ndarray:
        # upper=True reads A's upper triangle: the lower one of Aᵀ, which numpy reads.
        M = np.swapaxes(A, -1, -2) if upper else A
        try:
            L = np.linalg.cholesky(M)
            if not np.isfinite(L).all():  # numpy lets nan through; LAPACK's potrf stops there
                raise np.linalg.LinAlgError
        except np.linalg.LinAlgError:
            orders = np.array([_not_pd_order(m) for m in M.reshape(-1, *A.shape[-2:])])
            failed = orders > 0
            if not failed.any():
                failed[-1], orders[-1] = True, A.shape[-1]
            raise LinAlgError(
                f"{label}: {_batch_prefix(A.shape, failed)}The factorization could not "
                "be completed because the input is not positive-definite (the leading minor of "
                f"order {orders[failed][0]} is not positive-definite)."
            ) from None
        ctx.upper = upper
        out = np.swapaxes(L, -1, -2).copy() if upper else L
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (out,) = ctx.saved_tensors
        L, gL = (out.mT, grad.mT) if ctx.upper else (out, grad)
        P = L.mT @ gL
        P = _tril(P, -1) + _diag_embed(_diagonal(P) * 0.5)
        S = solve_triangular(L.mT, P, upper=True)  # L⁻ᵀ P
        S = solve_triangular(L, S, upper=False, left=False)  # (L⁻ᵀ P) L⁻¹
        return (S + S.mT) * 0.5, None, None


class Cholesky(LinalgCholeskyEx):
    """The legacy torch.cholesky (its own graph node name and message prefix)."""


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """L lower triangular with A = L Lᵀ, reading A's lower triangle (with upper=True: U upper
    triangular with A = Uᵀ U, reading the upper one). LinAlgError if A is not positive-definite."""
    return LinalgCholeskyEx.apply(_check_matrix(A, "cholesky"), bool(upper), "linalg.cholesky")


_CHOLESKY_DEPRECATED = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
    "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
    "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
    "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results for "
    "all valid (symmetric positive definite) inputs."
)


def _legacy_cholesky(A: Tensor, upper: bool) -> Tensor:
    import warnings

    warnings.warn(_CHOLESKY_DEPRECATED, UserWarning, stacklevel=3)
    A = _check_matrix(A, "cholesky", where="cholesky: ")
    return Cholesky.apply(A, bool(upper), "cholesky")


# --- qr -------------------------------------------------------------------------------------------


def _copyltu(M: Tensor) -> Tensor:
    """The symmetric matrix with M's lower triangle: tril(M) + tril(M, -1)ᵀ."""
    low = _tril(M, -1)
    return low + low.mT + _diag_embed(_diagonal(M))


def _qr_backward_square(Q: Tensor, R: Tensor, gQ: Tensor | None, gR: Tensor | None) -> Tensor:
    """A = Q R with m ≥ n (reduced): dA = (gQ + Q copyltu(M)) R⁻ᵀ, M = R gRᵀ - gQᵀ Q."""
    if gR is not None and gQ is not None:
        M = R @ gR.mT - gQ.mT @ Q
    elif gR is not None:
        M = R @ gR.mT
    else:
        assert gQ is not None
        M = -(gQ.mT @ Q)
    B = Q @ _copyltu(M)
    if gQ is not None:
        B = B + gQ
    # B R⁻ᵀ: solve X Rᵀ = B with Rᵀ lower triangular.
    return solve_triangular(R.mT, B, upper=False, left=False)


class LinalgQr(NumpyFunction):
    """A = Q R, Q with orthonormal columns, R upper triangular.

    m ≥ n: dA = (gQ + Q copyltu(M)) R⁻ᵀ with M = R gRᵀ - gQᵀ Q. m < n: A = Q [R₁ R₂] with R₁
    square; the first m columns get the square formula with gQ + A₂ gR₂ᵀ, the rest Q gR₂.
    """

    @staticmethod
    def forward(ctx: Any, A: np.ndarray, mode: str) -> tuple[Any, Any]:
        ctx.set_materialize_grads(False)
        ctx.mode = mode
        if mode == "r":
            R = np.linalg.qr(A, mode="r")
            Q = np.zeros((0,), A.dtype)
        else:
            Q, R = np.linalg.qr(A, mode=mode)  # type: ignore[call-overload]
        ctx.save_for_backward(A, Q, R)
        return Q, R

    @staticmethod
    def backward(ctx: Any, gQ: Tensor | None, gR: Tensor | None) -> tuple[Any, ...]:
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr."
            )
        A, Q, R = ctx.saved_tensors
        m, n = A._data.shape[-2:]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        if gQ is None and gR is None:
            return None, None
        if m >= n:
            return _qr_backward_square(Q, R, gQ, gR), None
        # A = [X | Y] with X = Q R₁ square: Y = Q R₂ feeds back into Q.
        sel_x = _const(np.eye(n, m, dtype=A._data.dtype))  # first m columns
        sel_y = _const(np.eye(n, dtype=A._data.dtype)[:, m:])  # the other n - m
        R1 = R @ sel_x
        gR1 = gR @ sel_x if gR is not None else None
        gQ1 = gQ
        gY = None
        if gR is not None:
            gR2 = gR @ sel_y
            Y = A @ sel_y
            gQ1 = Y @ gR2.mT if gQ is None else gQ + Y @ gR2.mT
            gY = Q @ gR2
        gX = _qr_backward_square(Q, R1, gQ1, gR1)
        gA = gX @ sel_x.mT
        if gY is not None:
            gA = gA + gY @ sel_y.mT
        return gA, None


def qr(A: Tensor, mode: str = "reduced") -> QRResult:
    """A = Q R; mode 'reduced' (Q m×k, R k×n, k = min(m, n)), 'complete' (Q m×m) or 'r' (Q
    empty). Signs follow LAPACK's Householder convention (R's diagonal may be negative)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    Q, R = LinalgQr.apply(_check_matrix(A, "qr", square=False), mode)
    return QRResult(Q, R)


_QR_DEPRECATED = (
    "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch "
    "release.\nThe boolean parameter 'some' has been replaced with a string parameter 'mode'.\n"
    "Q, R = torch.qr(A, some)\nshould be replaced with\n"
    "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')"
)


def _legacy_qr(A: Tensor, some: bool) -> LegacyQRResult:
    import warnings

    warnings.warn(_QR_DEPRECATED, UserWarning, stacklevel=3)
    Q, R = qr(A, "reduced" if some else "complete")
    return LegacyQRResult(Q, R)


# --- eigh -----------------------------------------------------------------------------------------


class LinalgEigh(NumpyFunction):
    """A = V diag(λ) Vᵀ (A symmetric, one triangle read), λ ascending.

    dA = V (diag(gλ) + F ∘ (Vᵀ gV - gVᵀ V)/2) Vᵀ with F_ij = 1/(λ_j - λ_i), F_ii = 0: the
    symmetric gradient. Infinite where eigenvalues repeat and gV ≠ 0 (see docs/linalg.md).
    """

    @staticmethod
    def forward(ctx: Any, A: np.ndarray, uplo: str) -> tuple[np.ndarray, np.ndarray]:
        ctx.set_materialize_grads(False)
        lam, V = np.linalg.eigh(A, UPLO=uplo)  # type: ignore[call-overload]
        ctx.save_for_backward(lam, V)
        return lam, V

    @staticmethod
    def backward(ctx: Any, g_lam: Tensor | None, gV: Tensor | None) -> tuple[Any, ...]:
        lam, V = ctx.saved_tensors
        inner: Tensor | None = None
        if gV is not None:
            G = V.mT @ gV
            E = lam.unsqueeze(-2) - lam.unsqueeze(-1)  # E_ij = λ_j - λ_i
            n = lam._data.shape[-1]
            off = _const(1 - np.eye(n, dtype=lam._data.dtype))
            E = E + _eye(n, lam)  # the diagonal is masked out: avoid 0/0 there
            inner = (G - G.mT) * 0.5 / E * off
        if g_lam is not None:
            d = _diag_embed(g_lam)
            inner = d if inner is None else inner + d
        if inner is None:
            return None, None
        return V @ inner @ V.mT, None


def _check_uplo(UPLO: str) -> str:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO


def eigh(A: Tensor, UPLO: str = "L") -> EighResult:
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix; only the
    triangle UPLO is read. Each eigenvector's sign is arbitrary (LAPACK's)."""
    A = _check_matrix(A, "eigh")
    lam, V = LinalgEigh.apply(A, _check_uplo(UPLO))
    return EighResult(lam, V)


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of a symmetric matrix, ascending; dA = V diag(gλ) Vᵀ."""
    A = _check_matrix(A, "eigvalsh")
    uplo = _check_uplo(UPLO)
    if not A.requires_grad:
        lam = np.linalg.eigvalsh(A._data, UPLO=uplo)  # type: ignore[call-overload]
        return _const(lam)
    return LinalgEigh.apply(A, uplo)[0]


# --- svd ------------------------------------------------------------------------------------------


class LinalgSvd(NumpyFunction):
    """A = U diag(S) Vh, S descending. With k = min(m, n), E_ij = s_j² - s_i² and
    skew(X) = X - Xᵀ:
    dA = U [skew(Uᵀ gU)/E · S_j + S_i · skew(Vh gVhᵀ)/E + diag(gS)] Vh
         + (I - U Uᵀ) gU S⁻¹ Vh + U S⁻¹ gVh (I - Vhᵀ Vh).
    Only the first k columns of U (rows of Vh) enter: the rest is not unique (full_matrices).
    """

    @staticmethod
    def forward(ctx: Any, A: np.ndarray, full: bool) -> tuple[np.ndarray, ...]:
        ctx.set_materialize_grads(False)
        U, S, Vh = np.linalg.svd(A, full_matrices=full)
        ctx.save_for_backward(U, S, Vh)
        return U, S, Vh

    @staticmethod
    def backward(ctx: Any, gU: Tensor | None, gS: Tensor | None, gVh: Tensor | None) -> Any:
        U, S, Vh = ctx.saved_tensors
        m, n = U._data.shape[-2], Vh._data.shape[-1]
        k = S._data.shape[-1]
        U = _cols(U, k)
        Vh = _cols(Vh.mT, k).mT
        if gU is not None:
            gU = _cols(gU, k)
        if gVh is not None:
            gVh = _cols(gVh.mT, k).mT
        if gU is None and gVh is None:
            if gS is None:
                return None, None
            return (U * gS.unsqueeze(-2)) @ Vh, None
        S2 = S * S
        E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + _eye(k, S)  # diagonal masked out below
        off = _const(1 - np.eye(k, dtype=S._data.dtype))
        Sj, Si = S.unsqueeze(-2), S.unsqueeze(-1)
        inner: Tensor | None = None
        if gU is not None:
            UtgU = U.mT @ gU
            inner = (UtgU - UtgU.mT) / E * off * Sj
        if gVh is not None:
            VtgV = Vh @ gVh.mT
            term = Si * ((VtgV - VtgV.mT) / E * off)
            inner = term if inner is None else inner + term
        assert inner is not None
        if gS is not None:
            inner = inner + _diag_embed(gS)
        if m > k and gU is not None:  # U's columns do not span R^m
            gA = U @ inner + (gU - U @ (U.mT @ gU)) / Sj
            return gA @ Vh, None
        if n > k and gVh is not None:
            gA = inner @ Vh + (gVh - (gVh @ Vh.mT) @ Vh) / Si
            return U @ gA, None
        return U @ inner @ Vh, None


def svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None) -> SVDResult:
    """A = U diag(S) Vh with S descending. Singular vectors are unique only up to a joint sign
    per pair (LAPACK's choice); gradients through U, Vh need distinct nonzero singular values."""
    A = _check_matrix(A, "svd", square=False)
    U, S, Vh = LinalgSvd.apply(A, bool(full_matrices))
    return SVDResult(U, S, Vh)


def svdvals(A: Tensor, *, driver: Any = None) -> Tensor:
    """The singular values, descending; dA = U diag(gS) Vh (defined also where they repeat)."""
    A = _check_matrix(A, "svdvals", square=False)
    if not A.requires_grad:
        return _const(np.linalg.svd(A._data, compute_uv=False))
    return LinalgSvd.apply(A, False)[1]


# --- norms ----------------------------------------------------------------------------------------


class LinalgVectorNorm(NumpyFunction):
    """y = (Σ|x|^p)^(1/p) over the axes; dy/dx = sign(x) |x|^(p-1) / y^(p-1) (0 where y = 0).
    p = inf / -inf: sign(x) on the entries reaching max/min |x|, shared equally among ties;
    p = 0 (a count): 0."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, p: float, axes: Any, keepdim: bool) -> Any:
        ctx.p, ctx.axes = p, axes
        ctx.kept = reduced_shape(x.shape, axes)
        a = np.abs(x)
        if p == math.inf:
            y = a.max(axis=axes, keepdims=keepdim)
        elif p == -math.inf:
            y = a.min(axis=axes, keepdims=keepdim)
        elif p == 0:
            y = np.count_nonzero(x, axis=axes, keepdims=keepdim).astype(x.dtype)
        elif p == 1:
            y = a.sum(axis=axes, keepdims=keepdim)
        elif p == 2:
            y = np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdim))
        else:
            y = np.sum(a**p, axis=axes, keepdims=keepdim) ** (1.0 / p)
        y = np.asarray(y, dtype=x.dtype)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x, y = ctx.saved_tensors
        p = ctx.p
        g = grad.reshape(ctx.kept)
        yk = y.reshape(ctx.kept)
        if p == 0:
            return x * 0 * g, None, None, None
        if p == 1:
            return g * x.sign(), None, None, None
        if math.isinf(p):  # the entries at the max (min): share the gradient equally
            hit = np.abs(x._data) == yk._data
            share = hit / hit.sum(axis=ctx.axes, keepdims=True)
            return g * x.sign() * _const(share.astype(x._data.dtype)), None, None, None
        safe = where(yk == 0, 1.0, yk)
        if p == 2:
            return g * x / safe, None, None, None
        scale = where(yk == 0, 0.0, g / safe ** (p - 1))
        # |x|^(p-1) is infinite at x = 0 for p < 1: the entry gets 0 there, as in PyTorch.
        ax = where(x == 0, 1.0, x.abs())
        return x.sign() * ax ** (p - 1) * scale, None, None, None


def vector_norm(
    x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """‖x‖_ord over ``dim`` (all elements by default): ord any number, inf, -inf or 0."""
    T = tensor_cls()
    if not isinstance(x, T):
        raise _not_tensor("linalg_vector_norm", "input", 1, x)
    if isinstance(ord, str) or not isinstance(ord, int | float | np.number):
        raise TypeError(
            "linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
            f"{type(ord).__name__}"
        )
    if dtype is not None:
        x = _cast_for_norm(x, dtype, "linalg.vector_norm")
    _check_float_norm(x, "linalg.vector_norm")
    p = float(ord)
    shape = x._data.shape
    if isinstance(dim, list):
        dim = tuple(dim)
    axes = normalize_dims(dim, len(shape)) if shape else None
    if not axes:  # None or (): all dims
        axes = None
    if math.isinf(p) and x._data.size == 0:
        name = "inf" if p > 0 else "-inf"
        if axes is None:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {name} norm on an empty tensor because "
                "the operation does not have an identity"
            )
        # PyTorch names the dim as the caller gave it (-2, not 0).
        for d in (dim,) if isinstance(dim, int | np.integer) else tuple(dim):
            if shape[d] == 0:
                raise RuntimeError(
                    f"linalg.vector_norm cannot compute the {name} norm on the dimension {d}"
                    "because this dimension is empty and the operation does not have an identity"
                )
    return LinalgVectorNorm.apply(x, p, axes, bool(keepdim))


def _check_float_norm(x: Tensor, name: str) -> None:
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. "
            f"Got {dtype_name(x._data.dtype)}"
        )


def _cast_for_norm(x: Tensor, dtype: Any, name: str) -> Tensor:
    target = np.dtype(getattr(dtype, "np", dtype))
    if target.kind != "f":
        raise RuntimeError(
            f"{name}: dtype should be floating point or complex, but got {dtype_name(target)}"
        )
    src = x._data.dtype
    if src.kind == "f" and src.itemsize > target.itemsize:
        raise RuntimeError(
            f"{name}: the dtype of the input ({dtype_name(src)}) should be convertible without "
            f"narrowing to the specified dtype ({dtype_name(target)})"
        )
    return x if src == target else x.to(dtype)


def _matrix_dims(A: Tensor, dim: Any, name: str = "linalg.matrix_norm") -> tuple[int, int]:
    n = A._data.ndim
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"{name}: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    d0, d1 = wrap_dim(dims[0], n), wrap_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(f"{name}: dims must be different. Got ({dims[0]}, {dims[1]})")
    return d0, d1


def matrix_norm(
    A: Tensor,
    ord: Any = "fro",
    dim: Any = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """Matrix norms over the two dims ``dim``: 'fro', 'nuc' (Σ s), 2 / -2 (max / min s),
    1 / -1 (max / min column abs sum), inf / -inf (max / min row abs sum)."""
    T = tensor_cls()
    if not isinstance(A, T):
        raise _not_tensor("linalg_matrix_norm", "A", 1, A)
    if A._data.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if dtype is not None:
        A = _cast_for_norm(A, dtype, "linalg.matrix_norm")
    _check_float_norm(A, "linalg.matrix_norm")
    d0, d1 = _matrix_dims(A, dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        rest = [i for i in range(A._data.ndim) if i not in (d0, d1)]
        S = svdvals(A.permute(*rest, d0, d1))
        # S >= 0, so its inf / -inf vector norm is its max / min
        out = S.sum(-1) if ord == "nuc" else vector_norm(S, math.inf if ord == 2 else -math.inf, -1)
        if keepdim:
            for d in sorted((d0, d1)):
                out = out.unsqueeze(d)
        return out
    if not isinstance(ord, str) and ord in (1, -1, math.inf, -math.inf):
        # 1: the max over columns of the column abs sums; inf: the same over rows.
        sum_dim, max_dim = (d0, d1) if abs(ord) == 1 else (d1, d0)
        sums = vector_norm(A, 1, sum_dim, True)
        out = vector_norm(sums, math.inf if ord > 0 else -math.inf, max_dim, True)
        return out if keepdim else out.squeeze((d0, d1))
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(
    A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """A vector norm (dim an int, or a 1-D input) or a matrix norm (dim a pair, or a 2-D
    input); with ord and dim both None, the 2-norm of all elements."""
    T = tensor_cls()
    if not isinstance(A, T):
        raise _not_tensor("linalg_norm", "A", 1, A)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError(
                f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}"
            )
    else:
        dims = None
    if ord is None:
        if dims is not None and len(dims) == 2:
            return matrix_norm(A, "fro", dims, keepdim, dtype=dtype)
        return vector_norm(A, 2, dims, keepdim, dtype=dtype)
    if dims is None:
        if A._data.ndim not in (1, 2):
            raise RuntimeError(
                "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                f"Got {A._data.ndim}D."
            )
        dims = tuple(range(A._data.ndim))
    if len(dims) == 2 or isinstance(ord, str):
        return matrix_norm(A, ord, dims, keepdim, dtype=dtype)
    return vector_norm(A, ord, dims, keepdim, dtype=dtype)


def _legacy_norm(input: Tensor, p: Any, dim: Any, keepdim: bool, dtype: Any) -> Tensor:
    """torch.norm: a number (or 'fro' over at most two dims) is a vector norm over ``dim``;
    other strings are matrix norms over ``dim`` (all dims by default)."""
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(p, str):
        if p == "fro" and (dim is None or len(dim) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        dims = tuple(range(input._data.ndim)) if dim is None else dim
        return matrix_norm(input, p, dims, keepdim, dtype=dtype)
    return vector_norm(input, 2 if p is None else p, dim, keepdim, dtype=dtype)


# --- small compositions ---------------------------------------------------------------------------


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """Σ x·y along ``dim`` (with broadcasting)."""
    return (x * y).sum(dim)


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """A₁ A₂ … A_n; the first may be 1-D (a row) and the last 1-D (a column)."""
    items = list(tensors)
    if len(items) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(items)}")
    out = items[0]
    for t in items[1:]:
        out = matmul(out, t)
    return out


def matrix_power(A: Tensor, n: int) -> Tensor:
    """A^n by repeated squaring (n < 0: of A⁻¹; n = 0: the identity), a chain of matmuls."""
    T = tensor_cls()
    if not isinstance(A, T):
        raise _not_tensor("linalg_matrix_power", "A", 1, A)
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(
            f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}"
        )
    shape = A._data.shape
    if len(shape) < 2:
        raise RuntimeError(
            "linalg.matrix_power: The input tensor A must have at least 2 dimensions."
        )
    if shape[-1] != shape[-2]:
        raise RuntimeError(
            "linalg.matrix_power: A must be batches of square matrices, but they are "
            f"{shape[-2]} by {shape[-1]} matrices"
        )
    if n == 0:  # connected to A (with a zero gradient), as PyTorch's result is
        eye = _const(np.broadcast_to(np.eye(shape[-1], dtype=A._data.dtype), shape).copy())
        return where(_const(np.ones(shape, dtype=bool)), eye, A)
    if n < 0:
        A, n = inv(A), -n
    result: Tensor | None = None
    base = A
    while True:  # binary powering: A^n = Π A^(2^i) over the set bits of n
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if not n:
            break
        base = base @ base
    assert result is not None
    return result if result is not A else A.clone()


def _tolerance(S: np.ndarray, atol: Any, rtol: Any, shape: tuple[int, ...]) -> np.ndarray:
    """max(atol, rtol · σ_max) per matrix; PyTorch's defaults (rtol = eps · max(m, n) when
    neither is given, 0 when only atol is)."""
    if rtol is None:
        rtol = np.finfo(S.dtype).eps * max(shape[-2:]) if atol is None or atol <= 0 else 0.0
    atol = 0.0 if atol is None else atol
    smax = S.max(axis=-1, keepdims=True) if S.shape[-1] else np.zeros((*S.shape[:-1], 1), S.dtype)
    return np.maximum(
        np.asarray(_value(atol))[..., None], np.asarray(_value(rtol))[..., None] * smax
    )


def _value(x: Any) -> Any:
    return x._data if isinstance(x, tensor_cls()) else x


class LinalgPinv(NumpyFunction):
    """P = A⁺ (singular values below the tolerance dropped). Where the rank is locally constant:
    dA = -Pᵀ g Pᵀ + (I - A P) gᵀ P Pᵀ + Pᵀ P gᵀ (I - P A)."""

    @staticmethod
    def forward(ctx: Any, A: np.ndarray, atol: Any, rtol: Any, hermitian: bool) -> np.ndarray:
        if hermitian:
            lam, V = np.linalg.eigh(A)
            keep = np.abs(lam) > _tolerance(np.abs(lam), atol, rtol, A.shape)
            with np.errstate(divide="ignore"):
                inv_lam = np.where(keep, 1 / np.where(keep, lam, 1), 0)
            P = (V * inv_lam[..., None, :]) @ np.swapaxes(V, -1, -2)
        else:
            U, sv, Vh = np.linalg.svd(A, full_matrices=False)
            keep = sv > _tolerance(sv, atol, rtol, A.shape)
            inv_s = np.where(keep, 1 / np.where(keep, sv, 1), 0)
            P = (np.swapaxes(Vh, -1, -2) * inv_s[..., None, :]) @ np.swapaxes(U, -1, -2)
        ctx.save_for_backward(A, P)
        return P

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        A, P = ctx.saved_tensors
        m, n = A._data.shape[-2:]
        Pt, gt = P.mT, grad.mT
        left = _eye(m, A) - A @ P  # projector onto the complement of A's range
        right = _eye(n, A) - P @ A  # ... of A's row space
        gA = -(Pt @ grad @ Pt) + left @ (gt @ (P @ Pt)) + (Pt @ P) @ gt @ right
        return gA, None, None, None


def pinv(
    A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False, rcond: Any = None
) -> Tensor:
    """The Moore-Penrose pseudo-inverse; singular values ≤ max(atol, rtol · σ_max) count as 0."""
    T = tensor_cls()
    if not isinstance(A, T):
        raise _not_tensor("linalg_pinv", "A", 1, A)
    if A._data.ndim < 2 or A._data.dtype.kind != "f" or A._data.dtype.itemsize < 4:
        kind = dtype_name(A._data.dtype)
        raise RuntimeError(
            f"linalg.pinv({kind}{{{list(A._data.shape)}}}): expected a tensor with 2 or more "
            "dimensions of float, double, cfloat or cdouble types"
        )
    if rcond is not None:
        rtol = rcond
    return LinalgPinv.apply(A, atol, rtol, bool(hermitian))


def matrix_rank(
    A: Tensor,
    *,
    atol: Any = None,
    rtol: Any = None,
    hermitian: bool = False,
    tol: Any = None,
) -> Tensor:
    """The number of singular values above max(atol, rtol · σ_max), as int64 (no gradient)."""
    T = tensor_cls()
    if not isinstance(A, T):
        raise _not_tensor("linalg_matrix_rank", "A", 1, A)
    if A._data.ndim < 2:
        raise RuntimeError(
            "torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions."
        )
    if A._data.dtype.kind != "f":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        atol, rtol = tol, 0.0
    if hermitian:
        sv = np.abs(np.linalg.eigvalsh(A._data))
    else:
        sv = np.linalg.svd(A._data, compute_uv=False)
    rank = np.sum(sv > _tolerance(sv, atol, rtol, A._data.shape), axis=-1)
    return _const(rank.astype(np.int64))


_LEVI_CIVITA = np.zeros((3, 3, 3))
_LEVI_CIVITA[0, 1, 2] = _LEVI_CIVITA[1, 2, 0] = _LEVI_CIVITA[2, 0, 1] = 1
_LEVI_CIVITA[0, 2, 1] = _LEVI_CIVITA[2, 1, 0] = _LEVI_CIVITA[1, 0, 2] = -1


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim``: y_i = Σ ε_ijk a_j b_k (with broadcasting)."""
    a, b = _promote_pair(input, other)
    if a._data.ndim != b._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, a._data.ndim)
    if a._data.shape[d] != 3 or b._data.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{a._data.shape[d]} and {b._data.shape[d]}"
        )
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        from ._errors import broadcast_mismatch

        raise broadcast_mismatch(a._data.shape, b._data.shape) from None
    eps = _const(_LEVI_CIVITA.astype(a._data.dtype))
    out = einsum("ijk,...j,...k->...i", eps, a.transpose(d, -1), b.transpose(d, -1))
    return out.transpose(d, -1)


def _legacy_svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:
    """torch.svd: (U, S, V) with V = Vhᵀ; reduced unless some=False; zeros for U, V without
    compute_uv."""
    U, S, Vh = svd(input, full_matrices=not some)
    if not compute_uv:
        S = S.detach() if not input.requires_grad else S
        U = _const(np.zeros(U._data.shape, U._data.dtype))
        Vh = _const(np.zeros(Vh._data.shape, Vh._data.dtype))
    return LegacySVDResult(U, S, Vh.mT)


class _LegacySVDFields(NamedTuple):
    U: Tensor
    S: Tensor
    V: Tensor


class LegacySVDResult(_Result, _LegacySVDFields):
    _name = "svd"


# --- matrix_exp -----------------------------------------------------------------------------------

# Padé(13) coefficients and the 1-norm bound θ₁₃ of Higham's scaling-and-squaring method (2005).
_PADE13 = (
    64764752532480000.0,
    32382376266240000.0,
    7771770303897600.0,
    1187353796428800.0,
    129060195264000.0,
    10559470521600.0,
    670442572800.0,
    33522128640.0,
    1323241920.0,
    40840800.0,
    960960.0,
    16380.0,
    182.0,
    1.0,
)
_THETA13 = 5.371920351148152


def _expm(A: np.ndarray) -> np.ndarray:
    """exp(A) by scaling and squaring with a [13/13] Padé approximant (one scale per batch)."""
    n = A.shape[-1]
    if n == 0:
        return A.copy()
    norm = np.abs(A).sum(axis=-2).max() if A.size else 0.0
    s = max(0, math.ceil(math.log2(norm / _THETA13))) if norm > _THETA13 else 0
    A = A / 2.0**s
    b = _PADE13
    eye = np.eye(n, dtype=A.dtype)
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A4 @ A2
    U = A @ (
        A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * eye
    )
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * eye
    X = np.linalg.solve(V - U, V + U)
    for _ in range(s):
        X = X @ X
    return X


class LinalgMatrixExp(NumpyFunction):
    """Y = exp(A). dA = L(Aᵀ, g), the Fréchet derivative of exp at Aᵀ in the direction g: the
    upper-right block of exp([[Aᵀ, g], [0, Aᵀ]]) (computed with this op: differentiable again)."""

    @staticmethod
    def forward(ctx: Any, A: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(A)
        return _expm(A)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (A,) = ctx.saved_tensors
        n = A._data.shape[-1]
        dt = A._data.dtype
        top = _const(np.eye(2 * n, n, dtype=dt))  # [I; 0]: places an n×n block in the top rows
        bottom = _const(np.eye(2 * n, n, -n, dtype=dt))  # [0; I]
        At = A.mT
        M = top @ At @ top.mT + top @ grad @ bottom.mT + bottom @ At @ bottom.mT
        return top.mT @ LinalgMatrixExp.apply(M) @ bottom


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential Σ Aᵏ/k! of a square matrix (or a batch)."""
    return LinalgMatrixExp.apply(_check_matrix(A, "matrix_exp"))


# --- cond, lstsq ----------------------------------------------------------------------------------


def cond(A: Tensor, p: Any = None) -> Tensor:
    """The condition number ‖A‖_p ‖A⁻¹‖_p; p = None / 2 / -2 through the singular values (any
    shape), other orders need square A (inf where A is singular)."""
    T = tensor_cls()
    if not isinstance(A, T):
        raise _not_tensor("linalg_cond", "A", 1, A)
    if p is None or (not isinstance(p, str) and p in (2, -2)):
        S = svdvals(_check_matrix(A, "cond", square=False))
        hi = vector_norm(S, math.inf, -1)
        lo = vector_norm(S, -math.inf, -1)
        return hi / lo if p != -2 else lo / hi
    if p not in ("fro", "nuc", 1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    _check_matrix(A, f"cond(ord={p})")
    try:
        Ainv = inv(A)
    except LinAlgError:  # singular: the condition number is infinite
        ok = np.array([_lu_zero_pivot(m) == 0 for m in A._data.reshape(-1, *A._data.shape[-2:])])
        values = np.full(ok.shape, np.inf, A._data.dtype)
        for i in np.flatnonzero(ok):
            a = A._data.reshape(-1, *A._data.shape[-2:])[i]
            values[i] = np.linalg.cond(a, p)
        return _const(values.reshape(A._data.shape[:-2]))
    return matrix_norm(A, p) * matrix_norm(Ainv, p)


class _LstsqFields(NamedTuple):
    solution: Tensor
    residuals: Tensor
    rank: Tensor
    singular_values: Tensor


class LstsqResult(_Result, _LstsqFields):
    _name = "linalg_lstsq"


def lstsq(A: Tensor, B: Tensor, rcond: Any = None, *, driver: str | None = None) -> LstsqResult:
    """The least-squares (minimum-norm) solution X = A⁺ B, its gradient that of the
    pseudo-inverse (defined where the rank is locally constant). As PyTorch on the CPU:
    ``rank`` for gelsy/gelsd/gelss, ``singular_values`` for gelsd/gelss, ``residuals``
    (column sums of squared residuals) for gelsd/gelss/gels when m > n and A has full rank."""
    A = _check_matrix(A, "lstsq", square=False)
    T = tensor_cls()
    if not isinstance(B, T):
        raise _not_tensor("linalg_lstsq", "B", 2, B)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(
            "torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
            f"input's dtype {dtype_name(A._data.dtype)} and other's dtype "
            f"{dtype_name(B._data.dtype)}"
        )
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    vector = B._data.ndim == A._data.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    m, n = A._data.shape[-2:]
    if Bm._data.shape[-2] != m:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    X = pinv(A, rtol=rcond) @ Bm
    sv = np.linalg.svd(A._data, compute_uv=False)
    rank = np.sum(sv > _tolerance(sv, None, rcond, A._data.shape), axis=-1)
    empty = _const(np.zeros((0,), A._data.dtype))
    residuals = empty
    if driver != "gelsy" and m > n and np.all(rank == n):
        r = A @ X - Bm
        residuals = (r * r).sum(-2)
        if vector:
            residuals = residuals.squeeze(-1)
    return LstsqResult(
        X.squeeze(-1) if vector else X,
        residuals,
        _const(rank.astype(np.int64)) if driver != "gels" else _const(np.zeros((0,), np.int64)),
        _const(sv) if driver in ("gelsd", "gelss") else empty,
    )


# --- cholesky_solve, cholesky_inverse (top-level in PyTorch) -------------------------------------


class CholeskySolve(NumpyFunction):
    """X = (L Lᵀ)⁻¹ B (or (Uᵀ U)⁻¹ B); dB = (L Lᵀ)⁻¹ g, dL = -(dB Xᵀ + X dBᵀ) L
    (dU = -U (dB Xᵀ + X dBᵀ)), PyTorch's gradient, which treats L as a full matrix."""

    @staticmethod
    def forward(ctx: Any, B: np.ndarray, L: np.ndarray, upper: bool) -> np.ndarray:
        low = np.swapaxes(np.triu(L), -1, -2) if upper else np.tril(L)
        with np.errstate(all="ignore"):
            Y = np.linalg.solve(low, B) if np.all(np.diagonal(low, 0, -2, -1)) else None
            if Y is None:
                Y = _substitute(low, B, False)
                X = _substitute(np.swapaxes(low, -1, -2), Y, True)
            else:
                X = np.linalg.solve(np.swapaxes(low, -1, -2), Y)
        ctx.upper = upper
        ctx.save_for_backward(L, X)
        return X

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        L, X = ctx.saved_tensors
        gB = CholeskySolve.apply(grad, L, ctx.upper)
        gL = None
        if ctx.needs_input_grad[1]:
            common = gB @ X.mT
            common = common + common.mT
            gL = -(L @ common) if ctx.upper else -(common @ L)
        return gB, gL, None


def _cholesky_solve(B: Tensor, L: Tensor, upper: bool) -> Tensor:
    T = tensor_cls()
    for name, t in (("input", B), ("input2", L)):
        if not isinstance(t, T):
            raise TypeError(
                f"cholesky_solve(): argument '{name}' must be Tensor, not {type(t).__name__}"
            )
    for name, t in (("b", B), ("u", L)):
        if t._data.ndim < 2:
            raise RuntimeError(
                f"{name} should have at least 2 dimensions, but has {t._data.ndim} dimensions "
                "instead"
            )
    if B._data.dtype != L._data.dtype:
        raise RuntimeError(
            "Expected b and A to have the same dtype, but found b of type "
            f"{dtype_name(B._data.dtype)} and A of type {dtype_name(L._data.dtype)} instead."
        )
    _check_matrix(L, "cholesky_solve", where="")
    n = L._data.shape[-1]
    if B._data.shape[-2] != n:
        raise RuntimeError(
            f"Incompatible matrix sizes for cholesky_solve: each A matrix is {n} by {n} but each "
            f"b matrix is {B._data.shape[-2]} by {B._data.shape[-1]}"
        )
    return CholeskySolve.apply(B, L, bool(upper))


def _cholesky_inverse(L: Tensor, upper: bool) -> Tensor:
    L = _check_matrix(L, "cholesky_inverse", where="cholesky_inverse: ")
    eye = np.broadcast_to(np.eye(L._data.shape[-1], dtype=L._data.dtype), L._data.shape)
    return CholeskySolve.apply(_const(eye.copy()), L, bool(upper))


# --- the _ex variants: an info code per matrix instead of an error -------------------------------


class _InvExFields(NamedTuple):
    inverse: Tensor
    info: Tensor


class InvExResult(_Result, _InvExFields):
    _name = "linalg_inv_ex"


class _CholeskyExFields(NamedTuple):
    L: Tensor
    info: Tensor


class CholeskyExResult(_Result, _CholeskyExFields):
    _name = "linalg_cholesky_ex"


class _SolveExFields(NamedTuple):
    result: Tensor
    info: Tensor


class SolveExResult(_Result, _SolveExFields):
    _name = "linalg_solve_ex"


def _info(codes: np.ndarray, batch: tuple[int, ...]) -> Tensor:
    return _const(codes.astype(np.int32).reshape(batch))


def _masked(A: Tensor, failed: np.ndarray, compute: Any) -> Tensor:
    """compute(A) with the failed matrices replaced by I, and nan in their results (PyTorch
    returns LAPACK's partial results there)."""
    n = A._data.shape[-1]
    mask = _const(np.broadcast_to(failed[..., None, None], A._data.shape).copy())
    out = compute(where(mask, _eye(n, A), A))
    full = np.broadcast_to(
        failed.reshape(failed.shape + (1,) * (out.ndim - failed.ndim)), out.shape
    )
    return where(_const(full.copy()), math.nan, out)


def inv_ex(A: Tensor, *, check_errors: bool = False) -> InvExResult:
    """(inverse, info): info[i] > 0 is the zero pivot of a singular matrix (its inverse is nan)."""
    A = _check_matrix(A, "inv_ex")
    batch, n = A._data.shape[:-2], A._data.shape[-1]
    try:
        return InvExResult(inv(A), _info(np.zeros(batch), batch))
    except LinAlgError:
        if check_errors:
            raise _singular_error(A._data, "inv_ex") from None
    codes = np.array([_lu_zero_pivot(m) for m in A._data.reshape(-1, n, n)]).reshape(batch)
    return InvExResult(_masked(A, codes > 0, inv), _info(codes, batch))


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> CholeskyExResult:
    """(L, info): info[i] > 0 is the order of the first leading minor of a matrix that is not
    positive-definite (its L is nan)."""
    A = _check_matrix(A, "cholesky_ex")
    batch, n = A._data.shape[:-2], A._data.shape[-1]
    try:
        L = LinalgCholeskyEx.apply(A, bool(upper), "linalg.cholesky_ex")
        return CholeskyExResult(L, _info(np.zeros(batch), batch))
    except LinAlgError:
        if check_errors:
            raise
    M = np.swapaxes(A._data, -1, -2) if upper else A._data
    codes = np.array([_not_pd_order(m) for m in M.reshape(-1, n, n)]).reshape(batch)
    L = _masked(A, codes > 0, lambda a: cholesky(a, upper=upper))
    return CholeskyExResult(L, _info(codes, batch))


def solve_ex(
    A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False
) -> SolveExResult:
    """(result, info): info[i] > 0 is the zero pivot of a singular matrix (its solution is nan)."""
    A = _check_matrix(A, "solve_ex")
    batch, n = A._data.shape[:-2], A._data.shape[-1]
    try:
        return SolveExResult(solve(A, B, left=left), _info(np.zeros(batch), batch))
    except LinAlgError as e:
        if check_errors:
            message = str(e).replace("torch.linalg.solve:", "torch.linalg.solve_ex:", 1)
            raise LinAlgError(message) from None
    codes = np.array([_lu_zero_pivot(m) for m in A._data.reshape(-1, n, n)]).reshape(batch)
    X = _masked(A, codes > 0, lambda a: solve(a, B, left=left))
    return SolveExResult(X, _info(codes, batch))


# LU and Householder factorizations live in _factorizations, which builds on the functions
# above: they are looked up on first use (PEP 562), so the two modules do not import each other.
_FACTORIZATIONS = {
    "householder_product": "householder_product",
    "lu_factor": "lu_factor",
    "lu_factor_ex": "lu_factor_ex",
    "lu": "linalg_lu",
    "lu_solve": "linalg_lu_solve",
}


if TYPE_CHECKING:  # for the type checker and linters; at run time __getattr__ below
    from ._factorizations import householder_product, lu_factor, lu_factor_ex
    from ._factorizations import linalg_lu as lu
    from ._factorizations import linalg_lu_solve as lu_solve


def __getattr__(name: str) -> Any:
    target = _FACTORIZATIONS.get(name)
    if target is None:
        raise AttributeError(f"module 'ndgrad.linalg' has no attribute '{name}'")
    from . import _factorizations

    value = getattr(_factorizations, target)
    globals()[name] = value
    return value
