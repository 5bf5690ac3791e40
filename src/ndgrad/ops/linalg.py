"""Linear algebra beyond the products: the ``torch.linalg`` functions (inv, det, slogdet, solve,
solve_triangular, cholesky, qr, eigh, svd, the vector and matrix norms, pinv, lstsq, matrix_exp,
matrix_power, cond, cross, multi_dot, the _ex variants) with their op classes, result types and
helpers; the LU and Householder factorizations in LAPACK's packed forms (linalg.lu_factor, lu,
lu_solve, householder_product; torch.lu, lu_unpack, triangular_solve, geqrf, orgqr, ormqr); and
the torch-level functions written on them (det, inverse, slogdet, logdet, the legacy cholesky,
qr, svd and norm, cholesky_solve, cholesky_inverse, pinverse, matrix_power, matrix_exp, cross,
dist, cdist, renorm...), with their Tensor methods (``LinalgMethods``).

``__all__`` lists the torch-level names, which ``ndgrad`` re-exports; ndgrad/linalg.py is the
``torch.linalg`` namespace. Where PyTorch has a torch-level function and a ``torch.linalg`` one of
the same name (``torch.qr(A, some)``, ``torch.linalg.qr(A, mode)``), the torch.linalg one is
``linalg_<name>`` here, PyTorch's own name for it (``torch.linalg.qr.__name__``). The products
(matmul, einsum...) are in ops/products.py.

Every backward is written with ndgrad ops (matmul, einsum, solves, the ops below), so it is
differentiable again. Where a gradient is mathematically undefined (repeated eigenvalues or
singular values, singular matrices) the notes in docs/linalg.md say what ndgrad returns.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .. import _errors
from .._errors import broadcast_mismatch, c_type_name, py_type_name
from .._layout import contiguous_format
from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd._tangents import tangent_of
from ._util import dtype_name, normalize_dims, promote, reduced_shape, wrap_dim
from .arithmetic import NumpyFunction, sub, where
from .products import _tensor_arg, einsum, matmul
from .reduction import amax, amin, unsqueeze_reduced

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
    "geqrf",
    "inverse",
    "logdet",
    "lu",
    "lu_solve",
    "lu_unpack",
    "matrix_exp",
    "matrix_power",
    "norm",
    "norm_except_dim",
    "nuclear_norm",
    "orgqr",
    "ormqr",
    "pinverse",
    "qr",
    "renorm",
    "slogdet",
    "svd",
    "triangular_solve",
]
__dir__ = public_dir(__name__)


class LinAlgError(RuntimeError):
    """A matrix the algorithm cannot handle (singular, not positive-definite): PyTorch's
    ``torch.linalg.LinAlgError``, a RuntimeError."""

    __module__ = "ndgrad.linalg"  # where it is found, and how tracebacks name it


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
    A: Any,
    name: str,
    square: bool = True,
    arg: str = "A",
    where: str | None = None,
    kernel: str | None = None,
    kernel_for: str = "ih",
    check_dtype: bool = True,
) -> Tensor:
    """PyTorch's checks of a (batch of) matrix argument; messages start with ``where``
    ('linalg.<name>: ' unless given). Where PyTorch leaves a dtype to its CPU kernel
    (``kernel``), the dtypes of ``kernel_for`` ('i' integers and bool, 'h' float16) raise the
    kernel's NotImplementedError instead of the check's message."""
    T = Tensor
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
    if check_dtype:
        _check_float(A, where, kernel, kernel_for)
    return A


def _not_tensor(fn: str, arg: str, pos: int, value: Any) -> TypeError:
    return TypeError(
        f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not {py_type_name(value)}"
    )


def _check_float(A: Tensor, where: str, kernel: str | None = None, kernel_for: str = "") -> None:
    dt = A._data.dtype
    low = dt.kind == "f" and dt.itemsize < 4
    if kernel is not None and (
        (dt.kind != "f" and "i" in kernel_for) or (low and "h" in kernel_for)
    ):
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtype_name(dt)}'")
    if dt.kind != "f":
        raise RuntimeError(
            f"{where}Expected a floating point or complex tensor as input. Got {dtype_name(dt)}"
        )
    if low:
        raise RuntimeError(f"{where}Low precision dtypes not supported. Got {dtype_name(dt)}")


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


def _fortran(a: np.ndarray) -> np.ndarray:
    """``a`` with each matrix stored column by column (batch dims still row-major): the layout
    in which LAPACK returns its results, and so PyTorch's factors and solutions (``Q.stride()``
    is ``(1, m)``, ``is_contiguous()`` False). Its transpose is contiguous."""
    return np.swapaxes(np.ascontiguousarray(np.swapaxes(a, -1, -2)), -1, -2)


def _np_svd(a: np.ndarray, **kwargs: Any) -> Any:
    """numpy's SVD, failing with PyTorch's error (LAPACK's gesdd does not converge on nan/inf)."""
    try:
        return np.linalg.svd(a, **kwargs)
    except np.linalg.LinAlgError:
        bad = ~np.isfinite(a.reshape(-1, *a.shape[-2:])).all(axis=(-2, -1))
        if not bad.any():
            raise
        raise LinAlgError(
            f"linalg.svd: {_batch_prefix(a.shape, bad)}The algorithm failed to converge because "
            "the input matrix contained non-finite values."
        ) from None


def _const(array: np.ndarray) -> Tensor:
    return Tensor._make(array)


def _eye(n: int, like: Tensor) -> Tensor:
    return _const(np.eye(n, dtype=like._data.dtype))


def _tril(x: Tensor, k: int = 0) -> Tensor:
    """Lower triangle (on and below diagonal k), +0 above it (as PyTorch's tril; a product
    with a 0/1 mask would leave -0 where x is negative)."""
    return x.tril(k)


def _triu(x: Tensor, k: int = 0) -> Tensor:
    return x.triu(k)


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


def _without_nan(A: np.ndarray) -> tuple[np.ndarray, Any]:
    """A with each matrix that holds a nan replaced by I, and the mask of those matrices (None
    if there is none). LAPACK's LU runs through a nan and PyTorch returns nan there, where
    numpy reports a singular matrix (or a determinant of 0): the caller puts nan back."""
    bad = np.isnan(A).any(axis=(-2, -1))
    if not bad.any():
        return A, None
    A = A.copy()
    A[bad] = np.eye(A.shape[-1], dtype=A.dtype)
    return A, bad


def _nan_where(X: np.ndarray, bad: Any) -> np.ndarray:
    """X with the matrices of the batch positions ``bad`` (broadcast) set to nan."""
    if bad is None:
        return X
    mask = np.broadcast_to(bad, X.shape[:-2])[..., None, None]
    return np.where(mask, np.nan, X).astype(X.dtype, copy=False)


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
        finite, bad = _without_nan(A)
        try:
            Y = np.linalg.inv(finite)
        except np.linalg.LinAlgError:
            raise _singular_error(finite, "inv") from None
        Y = _fortran(_nan_where(Y, bad))
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
    U, S, Vh = linalg_svd(A, full_matrices=False)
    n = S._data.shape[-1]
    if n == 0:
        return A * 0
    # Π_{j≠i} s_j without dividing by s_i (which may be 0): products of S with s_i set to 1.
    others = where(_const(np.eye(n, dtype=bool)), 1.0, S.unsqueeze(-2).expand((*S.shape, n)))
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
        with np.errstate(invalid="ignore"):  # (numpy warns on nan)
            y = np.linalg.det(A)
        if A.size and np.isnan(A).any():  # nan, as LAPACK's LU gives (numpy: 0 or nan)
            y = np.where(np.isnan(A).any(axis=(-2, -1)), np.nan, y)
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


def linalg_det(A: Tensor) -> Tensor:
    """The determinant of a square matrix (or a batch)."""
    return LinalgDet.apply(_check_matrix(A, "det", kernel="lu_cpu", kernel_for="h"))


class LinalgSlogdet(NumpyFunction):
    """(sign, log|det A|); d log|det A|/dA = A⁻ᵀ. The sign is piecewise constant: no gradient."""

    @staticmethod
    def forward(ctx: Any, A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(A)
        with np.errstate(invalid="ignore"):
            sign, logabs = np.linalg.slogdet(A)
        if A.size and np.isnan(A).any():  # (0, nan), as PyTorch's (numpy: (0, -inf) or (1, nan))
            bad = np.isnan(A).any(axis=(-2, -1))
            sign, logabs = np.where(bad, 0.0, sign), np.where(bad, np.nan, logabs)
        return np.asarray(sign, A.dtype), np.asarray(logabs, A.dtype)

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


def _slogdet(A: Tensor, name: str, where: str | None = None) -> Any:
    sign, logabs = LinalgSlogdet.apply(_check_matrix(A, "slogdet", where=where))
    return (SlogdetResult if name == "linalg" else LegacySlogdetResult)(sign, logabs)


def linalg_slogdet(A: Tensor) -> SlogdetResult:
    """(sign, logabsdet) with det A = sign · exp(logabsdet); stable where det over/underflows."""
    return _slogdet(A, "linalg")


def _logdet(A: Tensor) -> Tensor:
    sign, logabs = _slogdet(A, "slogdet", "logdet: ")
    return where(sign < 0, math.nan, logabs)


# --- solves ---------------------------------------------------------------------------------------


class LinalgSolveEx(NumpyFunction):
    """X = A⁻¹ B: dB = A⁻ᵀ g, dA = -dB Xᵀ. With left=False X = B A⁻¹: dB = g A⁻ᵀ, dA = -Xᵀ dB.
    A vector B (``vector``) is one column. One node for all of them, as PyTorch's."""

    @staticmethod
    def forward(ctx: Any, A: np.ndarray, B: np.ndarray, left: bool, vector: bool) -> np.ndarray:
        Bm = B[..., None] if vector else B
        finite, bad = _without_nan(A)
        try:
            if left:
                X = _fortran(_nan_where(np.linalg.solve(finite, Bm), bad))
            else:  # X A = B  <=>  Aᵀ Xᵀ = Bᵀ
                Xt = _nan_where(np.linalg.solve(_mT(finite), _mT(Bm)), bad)
                X = np.swapaxes(_fortran(Xt), -1, -2)
        except np.linalg.LinAlgError:
            singular = np.array([_lu_zero_pivot(m) > 0 for m in A.reshape(-1, *A.shape[-2:])])
            if not singular.any():
                singular[-1] = True
            raise LinAlgError(
                f"torch.linalg.solve: {_batch_prefix(A.shape, singular)}The solver failed "
                "because the input matrix is singular."
            ) from None
        if vector:  # PyTorch lays out the vectors' last batch dim and n as one matrix
            X = X[..., 0] if X.ndim < 3 else _fortran(X[..., 0])
        ctx.flags = (left, vector)
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        A, X = ctx.saved_tensors
        left, vector = ctx.flags
        gB = LinalgSolveEx.apply(A.mT, grad, left, vector)
        gA = None
        if ctx.needs_input_grad[0]:
            if vector:
                gA = -(gB.unsqueeze(-1) * X.unsqueeze(-2))
            else:
                gA = -(gB @ X.mT) if left else -(X.mT @ gB)
        return gA, gB, None, None


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (or X A = B with left=False). B is a vector when it is 1-D or has A's
    batch shape (..., n); batch dims broadcast."""
    A = _check_matrix(A, "solve", kernel="lu_cpu", kernel_for="h")
    T = Tensor
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
    return LinalgSolveEx.apply(A, B, bool(left), vector)


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
        X = _fortran(X if left else np.swapaxes(X, -1, -2))
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
    A = _check_matrix(A, "solve_triangular", check_dtype=False)
    T = Tensor
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
    # (PyTorch's kernel refuses the dtype, after the shapes are checked)
    _check_float(A, "linalg.solve_triangular: ", "triangular_solve_cpu", "ih")
    if A._data.dtype != B._data.dtype:  # PyTorch computes in A's dtype
        B = B.to(A.dtype)
    _check_batch_broadcast(sb[:-2], A._data.shape[:-2])
    return LinalgSolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular))


def _check_batch_broadcast(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    try:
        np.broadcast_shapes(sa, sb)
    except ValueError:
        raise broadcast_mismatch(sa, sb) from None


def _promote_pair(A: Tensor, B: Tensor) -> tuple[Tensor, Tensor]:
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
        out = _fortran(np.swapaxes(L, -1, -2) if upper else L)
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


def linalg_cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """L lower triangular with A = L Lᵀ, reading A's lower triangle (with upper=True: U upper
    triangular with A = Uᵀ U, reading the upper one). LinAlgError if A is not positive-definite."""
    return LinalgCholeskyEx.apply(
        _check_matrix(A, "cholesky", kernel="cholesky_cpu", kernel_for="h"),
        bool(upper),
        "linalg.cholesky",
    )


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
    A = _check_matrix(A, "cholesky", where="cholesky: ", kernel="cholesky_cpu")
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
            R = _fortran(np.linalg.qr(A, mode="r"))  # type: ignore[arg-type]
            Q = np.zeros((0,), A.dtype)
        else:
            Q, R = map(_fortran, np.linalg.qr(A, mode=mode))  # type: ignore[call-overload]
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


def linalg_qr(A: Tensor, mode: str = "reduced") -> QRResult:
    """A = Q R; mode 'reduced' (Q m×k, R k×n, k = min(m, n)), 'complete' (Q m×m) or 'r' (Q
    empty). Signs follow LAPACK's Householder convention (R's diagonal may be negative)."""
    A = _check_matrix(A, "qr", square=False, check_dtype=False)
    if A._data.dtype.kind != "f":
        _check_float(A, "linalg.qr: ")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    _check_float(A, "linalg.qr: ", "geqrf_cpu", "h")
    Q, R = LinalgQr.apply(A, mode)
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
    Q, R = linalg_qr(A, "reduced" if some else "complete")
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
        V = _fortran(V)
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
    _check_matrix(A, "eigh", check_dtype=False)
    _check_uplo(UPLO)  # (before the dtype)
    A = _check_matrix(A, "eigh", kernel="linalg_eigh_cpu")
    lam, V = LinalgEigh.apply(A, UPLO)
    return EighResult(lam, V)


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of a symmetric matrix, ascending; dA = V diag(gλ) Vᵀ."""
    _check_matrix(A, "eigvalsh", where="linalg.eigh: ", check_dtype=False)
    _check_uplo(UPLO)  # (before the dtype)
    A = _check_matrix(A, "eigvalsh", where="linalg.eigh: ", kernel="linalg_eigh_cpu")
    uplo = UPLO
    if not A.requires_grad and tangent_of(A) is None:  # (a dual needs the op for its tangent)
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
        U, S, Vh = _np_svd(A, full_matrices=full)
        U, Vh = _fortran(U), _fortran(Vh)
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


def linalg_svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None) -> SVDResult:
    """A = U diag(S) Vh with S descending. Singular vectors are unique only up to a joint sign
    per pair (LAPACK's choice); gradients through U, Vh need distinct nonzero singular values."""
    A = _check_matrix(A, "svd", square=False, kernel="linalg_svd_cpu", kernel_for="h")
    U, S, Vh = LinalgSvd.apply(A, bool(full_matrices))
    return SVDResult(U, S, Vh)


def svdvals(A: Tensor, *, driver: Any = None) -> Tensor:
    """The singular values, descending; dA = U diag(gS) Vh (defined also where they repeat)."""
    A = _check_matrix(
        A, "svdvals", square=False, where="linalg.svd: ", kernel="linalg_svd_cpu", kernel_for="h"
    )
    if not A.requires_grad and tangent_of(A) is None:  # (a dual needs the op for its tangent)
        return _const(_np_svd(A._data, compute_uv=False))
    return LinalgSvd.apply(A, False)[1]


# --- norms ----------------------------------------------------------------------------------------


def _vector_norm_np(x: np.ndarray, p: float, axes: Any, keepdim: bool) -> np.ndarray:
    """(Σ|x|^p)^(1/p) over ``axes`` in x's dtype: LinalgVectorNorm's value (and dist's, cdist's).
    float16 is computed in float32 and rounded once, as PyTorch's kernel does (in float16 the
    squares of values above 256 overflow, and so do sums above 65,504)."""
    a = np.abs(x if x.dtype.char != "e" else x.astype(np.float32))
    if p == math.inf:  # (an empty axis gives 0 here: vector_norm refuses it before, cdist not)
        y = a.max(axis=axes, keepdims=keepdim, initial=0)
    elif p == -math.inf:
        y = a.min(axis=axes, keepdims=keepdim)
    elif p == 0:
        y = np.count_nonzero(x, axis=axes, keepdims=keepdim).astype(x.dtype)
    elif p == 1:
        y = a.sum(axis=axes, keepdims=keepdim)
    elif p == 2:
        y = np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))
    else:
        y = np.sum(a**p, axis=axes, keepdims=keepdim) ** (1.0 / p)
    y = np.asarray(y, dtype=x.dtype)
    if y.ndim > 1 and not y.flags.c_contiguous:  # as PyTorch allocates a reduction's output
        y = np.ascontiguousarray(y)  # (numpy's follows x's order)
    return y


def _vector_norm_grad(x: Tensor, y: Tensor, g: Tensor, p: float, axes: Any) -> Tensor:
    """The gradient of y = ‖x‖_p over ``axes`` given ``g`` = dL/dy, both y and g shaped to
    broadcast against x (the reduced dims kept as size 1): LinalgVectorNorm's formula."""
    if p == 0:
        return x * 0 * g
    if p == 1:
        return g * x.sign()
    if math.isinf(p):  # the entries at the max (min): share the gradient equally
        hit = np.abs(x._data) == y._data
        share = hit / hit.sum(axis=axes, keepdims=True)
        return g * x.sign() * _const(share.astype(x._data.dtype))
    if p == 2:  # PyTorch's formula, whose second derivative at y = 0 is nan as PyTorch's
        return g * (x / y).masked_fill(y == 0, 0.0)
    safe = where(y == 0, 1.0, y)
    scale = where(y == 0, 0.0, g / safe ** (p - 1))
    # |x|^(p-1) is infinite at x = 0 for p < 1: the entry gets 0 there, as in PyTorch.
    ax = where(x == 0, 1.0, x.abs())
    return x.sign() * ax ** (p - 1) * scale


class LinalgVectorNorm(NumpyFunction):
    """y = (Σ|x|^p)^(1/p) over the axes; dy/dx = sign(x) |x|^(p-1) / y^(p-1) (0 where y = 0).
    p = inf / -inf: sign(x) on the entries reaching max/min |x|, shared equally among ties;
    p = 0 (a count): none."""

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, p: float, axes: Any, keepdim: bool) -> Any:
        ctx.p, ctx.axes = p, axes
        ctx.kept = reduced_shape(x.shape, axes)
        y = _vector_norm_np(x, p, axes, keepdim)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        if ctx.p == 0:  # a count: PyTorch's norm_backward gives no gradient at all (x.grad None)
            return None, None, None, None
        x, y = ctx.saved_tensors
        # y itself where no dim was dropped or all were (it broadcasts as it is), as PyTorch's
        # formula uses it: an error about a modified y then names LinalgVectorNorm, not a view
        yk = unsqueeze_reduced(y, ctx.axes, ctx.kept)
        g = unsqueeze_reduced(grad, ctx.axes, ctx.kept)
        return _vector_norm_grad(x, yk, g, ctx.p, ctx.axes), None, None, None


class NormDim(LinalgVectorNorm):
    """The same norm, recorded as ATen's ``norm(x, p, dim, keepdim)`` (what PyTorch's C++ ops such
    as pairwise_distance call) names it."""

    node_name = "NormBackward1"


def vector_norm(
    x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """‖x‖_ord over ``dim`` (all elements by default): ord any number, inf, -inf or 0."""
    T = Tensor
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
    axes = normalize_dims(dim, len(shape))  # a 0-d x takes dim 0 and -1 (checked)
    if not shape:
        axes = None
    if not axes:  # None or (): all dims
        axes = None
    if (p < 0 or p == math.inf) and x._data.size == 0:  # a max or a min over nothing
        name = format(p, "g")  # as C++ prints the number: -1, -0.5, -inf
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


_INFS = (math.inf, -math.inf)


def _empty_max(A: Tensor, d0: int, d1: int, keepdim: bool) -> Tensor:
    """The 2, 1 or inf norm of matrices whose maximum is over an empty dim: PyTorch returns
    zeros outside the graph there (the minimum, -2 / -1 / -inf, raises amin's error)."""
    shape = [1 if d in (d0, d1) else n for d, n in enumerate(A._data.shape)]
    if not keepdim:
        shape = [n for d, n in enumerate(shape) if d not in (d0, d1)]
    return _const(np.zeros(shape, A._data.dtype))


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
    T = Tensor
    if not isinstance(A, T):
        raise _not_tensor("linalg_matrix_norm", "A", 1, A)
    valid = ord in ("fro", "nuc") if isinstance(ord, str) else ord in (1, -1, 2, -2, *_INFS)
    if not valid:  # (checked first, as PyTorch, which prints the order as a C++ double)
        shown = ord if isinstance(ord, str) else format(float(ord), "g")
        raise RuntimeError(f"linalg.matrix_norm: Order {shown} not supported.")
    if A._data.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if dtype is not None:
        A = _cast_for_norm(A, dtype, "linalg.matrix_norm")
    _check_float_norm(A, "linalg.matrix_norm")
    if ord == "nuc" or ord in (2, -2):  # through svdvals, which has no float16 kernel
        _check_float(A, "linalg.matrix_norm: ")
    d0, d1 = _matrix_dims(A, dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord == "nuc" or ord in (2, -2):
        rest = [i for i in range(A._data.ndim) if i not in (d0, d1)]
        perm = (*rest, d0, d1)
        S = svdvals(A.permute(perm))
        if ord == 2 and S._data.shape[-1] == 0:
            return _empty_max(A, d0, d1, keepdim)
        # the max / min singular value, by amax / amin as PyTorch (AmaxBackward0)
        out = S.sum(-1) if ord == "nuc" else (amax if ord == 2 else amin)(S, -1)
        if keepdim:  # PyTorch puts the two kept dims back with one permute
            out = out.unsqueeze(-1).unsqueeze(-1).permute(tuple(np.argsort(perm)))
        return out
    if not isinstance(ord, str) and ord in (1, -1, math.inf, -math.inf):
        # 1: the max over columns of the column abs sums; inf: the same over rows.
        # (PyTorch: amax / amin of the 1-norms, AmaxBackward0)
        sum_dim, max_dim = (d0, d1) if abs(ord) == 1 else (d1, d0)
        if ord > 0 and A._data.shape[max_dim] == 0:
            return _empty_max(A, d0, d1, keepdim)
        sums = vector_norm(A, 1, sum_dim, keepdim)
        if not keepdim and sum_dim < max_dim:
            max_dim -= 1
        return (amax if ord > 0 else amin)(sums, max_dim, keepdim)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def linalg_norm(
    A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None
) -> Tensor:
    """A vector norm (dim an int, or a 1-D input) or a matrix norm (dim a pair, or a 2-D
    input); with ord and dim both None, the 2-norm of all elements."""
    T = Tensor
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
    """Σ x·y along ``dim`` (with broadcasting); two 1-D tensors are one vdot, as in PyTorch
    (``dim`` then unused, the sizes not broadcast)."""
    from .products import vdot

    x, y = _tensor_arg(x, "linalg_vecdot", "x", 1), _tensor_arg(y, "linalg_vecdot", "y", 2)
    dx, dy = x._data.dtype, y._data.dtype
    if dx != dy:
        raise RuntimeError(
            "linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
            f"{dtype_name(dx)} and y of type {dtype_name(dy)} instead"
        )
    if dx.kind != "f":
        _check_float(x, "linalg.vecdot: ")
    if x._data.ndim == 1 and y._data.ndim == 1:
        return vdot(x, y)
    return (x * y).sum(dim)


def vander(x: Tensor, N: int | None = None) -> Tensor:
    """Rows x_i**0, x_i**1, ..., x_i**(N-1) for each entry of x (the last dim of x becomes a row
    index). PyTorch's composition: a column of ones before the cumprod of x repeated N-1 times
    (CatBackward0)."""
    from .shape import cat

    x = _tensor_arg(x, "linalg_vander", "x", 1)
    dt = x._data.dtype
    if dt.kind not in "iuf" or dt.char == "e":
        raise RuntimeError(
            "linalg.vander supports floating point, complex, and integer tensors, but got "
            f"{dtype_name(dt)}"
        )
    x_ = x.unsqueeze(-1) if x._data.ndim == 0 else x
    shape = tuple(x_._data.shape)
    n = shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = x_.unsqueeze(-1).expand(*shape, n - 1).cumprod(-1)
    return cat([powers.new_ones(*shape, 1), powers], -1)


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """A₁ A₂ … A_n; the first may be 1-D (a row) and the last 1-D (a column)."""
    items = list(tensors)
    n = len(items)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    # PyTorch's checks, in its order: the ends 1-D or 2-D, the others 2-D, then per pair the
    # dtype and the sizes (shown as given)
    for i, which in ((0, "first"), (n - 1, "last")):
        if items[i].ndim not in (1, 2):
            raise RuntimeError(
                f"multi_dot(): the {which} tensor must be 1D or 2D but got {items[i].ndim}D"
            )
    for i in range(1, n - 1):
        if items[i].ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {items[i].ndim}D")
    dtype = items[0]._data.dtype
    for i in range(1, n):
        if items[i]._data.dtype != dtype:
            raise RuntimeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{c_type_name(dtype)} and tensor {i} {c_type_name(items[i]._data.dtype)}"
            )
        if items[i - 1].shape[-1] != items[i].shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i - 1} and {i} with shapes {list(items[i - 1].shape)} "
                f"and {list(items[i].shape)} cannot be multiplied"
            )
    if dtype == np.bool_ and all(t._data.size for t in items):  # (it multiplies with mm)
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    out = items[0]
    for t in items[1:]:
        out = matmul(out, t)
    return out


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """The inverse of A for ``tensordot(.., .., ind)``: A's first ``ind`` dims and its others,
    each flattened, as the rows and the columns of a square matrix, inverted with ``inv``;
    the result has shape ``A.shape[ind:] + A.shape[:ind]``."""
    if not isinstance(A, Tensor):
        raise _not_tensor("linalg_tensorinv", "input", 1, A)
    if isinstance(ind, bool) or not isinstance(ind, int | np.integer):
        raise TypeError(f"linalg_tensorinv(): argument 'ind' must be int, not {type(ind).__name__}")
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    n = math.prod(cols)
    if n != math.prod(rows):
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {n} != {math.prod(rows)}"
        )
    try:
        inverse = inv(A.reshape(n, n))
    except LinAlgError as e:  # PyTorch names the check "inv" here, not "linalg.inv"
        raise LinAlgError(str(e).removeprefix("linalg.")) from None
    return inverse.reshape(*cols, *rows)


def tensorsolve(A: Tensor, B: Tensor, dims: Sequence[int] | None = None) -> Tensor:
    """X with ``tensordot(A, X, X.ndim) == B``: A's dims ``dims`` first moved to its end, then
    A as a square matrix (its first ``B.ndim`` dims flattened against the others) solved with
    B flattened; X has shape ``A.shape[B.ndim:]``."""
    if not isinstance(A, Tensor):
        raise _not_tensor("linalg_tensorsolve", "input", 1, A)
    if not isinstance(B, Tensor):
        raise _not_tensor("linalg_tensorsolve", "other", 2, B)
    if dims is not None:
        if not isinstance(dims, Sequence) or not all(
            isinstance(d, int | np.integer) and not isinstance(d, bool) for d in dims
        ):
            raise TypeError(
                "linalg_tensorsolve(): argument 'dims' must be tuple of ints, not "
                f"{type(dims).__name__}"
            )
        A = A.movedim(tuple(dims), tuple(range(A.ndim - len(dims), A.ndim)))
    shape = tuple(A.shape[B.ndim :])
    n = math.prod(shape)
    if n != B.numel():
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {n} != {B.numel()}"
        )
    return solve(A.reshape(n, n), B.flatten()).reshape(shape)


def linalg_matrix_power(A: Tensor, n: int) -> Tensor:
    """A^n by repeated squaring (n < 0: of A⁻¹; n = 0: the identity), a chain of matmuls."""
    T = Tensor
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
    if n == 0:  # identities written into A's copy: connected to A, as PyTorch's (CopyBackwards)
        eye = _const(np.eye(shape[-1], dtype=A._data.dtype))
        return A.clone(memory_format=contiguous_format).copy_(eye.expand(shape))
    given = A
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
    if result is given:  # n = 1: a contiguous copy, as PyTorch's (n = -1 is inv's own node)
        return given.clone(memory_format=contiguous_format)
    return result


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
    return x._data if isinstance(x, Tensor) else x


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
            U, sv, Vh = _np_svd(A, full_matrices=False)
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
    T = Tensor
    if not isinstance(A, T):
        raise _not_tensor("linalg_pinv", "A", 1, A)
    if A._data.ndim < 2 or A._data.dtype.kind != "f" or A._data.dtype.itemsize < 4:
        kind = dtype_name(A._data.dtype)
        raise RuntimeError(
            f"linalg.pinv({kind}{{{list(A._data.shape)}}}): expected a tensor with 2 or more "
            "dimensions of float, double, cfloat or cdouble types"
        )
    if hermitian:
        _check_matrix(A, "eigh")
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
    T = Tensor
    if not isinstance(A, T):
        raise _not_tensor("linalg_matrix_rank", "A", 1, A)
    if A._data.ndim < 2:
        raise RuntimeError(
            "torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions."
        )
    if A._data.dtype.kind != "f" or A._data.dtype.itemsize < 4:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if hermitian:
        _check_matrix(A, "eigh")
    if tol is not None:
        atol, rtol = tol, 0.0
    a = A._data
    sv = np.abs(np.linalg.eigvalsh(a)) if hermitian else _np_svd(a, compute_uv=False)
    rank = np.sum(sv > _tolerance(sv, atol, rtol, A._data.shape), axis=-1)
    return _const(rank.astype(np.int64))


class LinalgCross(NumpyFunction):
    """y = a × b along ``dim`` (a and b broadcast); dL/da = b × g, dL/db = g × a"""

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray, dim: int) -> np.ndarray:
        need_a, need_b, _ = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.dim = dim
        # y_i = a_j b_k - a_k b_j, each component one product minus another, as PyTorch's
        return np.ascontiguousarray(np.cross(a, b, axis=dim))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b, _ = ctx.needs_input_grad
        grad_a = LinalgCross.apply(b, grad, ctx.dim) if need_a else None
        grad_b = LinalgCross.apply(grad, a, ctx.dim) if need_b else None
        return grad_a, grad_b, None


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim``: y_i = Σ ε_ijk a_j b_k (with broadcasting).
    One node, LinalgCrossBackward0, as PyTorch records it."""
    input = _tensor_arg(input, "linalg_cross", "input", 1)
    other = _tensor_arg(other, "linalg_cross", "other", 2)
    a, b = input, other  # (no promotion: PyTorch's kernel takes one dtype, checked below)
    if a._data.ndim != b._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    if a._data.ndim == 0:  # PyTorch reads the size of dim before any range check
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, a._data.ndim)
    if a._data.shape[d] != 3 or b._data.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{a._data.shape[d]} and {b._data.shape[d]}"
        )
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise broadcast_mismatch(a._data.shape, b._data.shape) from None
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected scalar type {dtype_name(a._data.dtype)} but found "
            f"{dtype_name(b._data.dtype)}"
        )
    if a._data.dtype == np.bool_:
        raise NotImplementedError("\"cross\" not implemented for 'Bool'")
    return LinalgCross.apply(a, b, d)


def _legacy_svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:
    """torch.svd: (U, S, V) with V = Vhᵀ; reduced unless some=False; zeros for U, V without
    compute_uv."""
    if isinstance(input, Tensor) and input.ndim < 2:
        raise RuntimeError(
            "linalg.svd: input should have at least 2 dimensions, but has "
            f"{input.ndim} dimensions instead"
        )
    U, S, Vh = linalg_svd(input, full_matrices=not some)
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
    if not np.isfinite(norm):  # nan where a matrix holds nan or inf, as PyTorch's
        if A.ndim > 2:
            return np.stack([_expm(m) for m in A.reshape(-1, n, n)]).reshape(A.shape)
        return np.full_like(A, np.nan)
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


def linalg_matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential Σ Aᵏ/k! of a square matrix (or a batch)."""
    return LinalgMatrixExp.apply(_check_matrix(A, "matrix_exp"))


# --- cond, lstsq ----------------------------------------------------------------------------------


def _valid_cond_order(p: Any) -> bool:
    if p is None or isinstance(p, str):
        return p in (None, "fro", "nuc")
    return p in (2, -2, 1, -1, math.inf, -math.inf)


def cond(A: Tensor, p: Any = None) -> Tensor:
    """The condition number ‖A‖_p ‖A⁻¹‖_p; p = None / 2 / -2 through the singular values (any
    shape), other orders need square A (inf where A is singular)."""
    T = Tensor
    if not isinstance(A, T):
        raise _not_tensor("linalg_cond", "A", 1, A)
    if A._data.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    if not _valid_cond_order(p):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if A._data.size == 0:
        # PyTorch gives empty matrices the condition number 0, outside the graph (it checks
        # that they are square for 'fro' and 'nuc' only)
        if isinstance(p, str):
            _check_matrix(A, f"cond(ord={p})")
        return _const(np.zeros(A._data.shape[:-2], A._data.dtype))
    if p is None or (not isinstance(p, str) and p in (2, -2)):
        S = svdvals(A)  # (its checks, named linalg.svd)
        # the first and last of the sorted values (narrowed and squeezed, as PyTorch)
        hi, lo = S.narrow(-1, 0, 1), S.narrow(-1, -1, 1)
        return (hi / lo if p != -2 else lo / hi).squeeze(-1)
    _check_matrix(A, f"cond(ord={p})", check_dtype=False)
    _check_float(A, "linalg.inv: ")
    try:
        Ainv = inv(A)
    except LinAlgError:  # singular: the condition number is infinite
        ok = np.array([_lu_zero_pivot(m) == 0 for m in A._data.reshape(-1, *A._data.shape[-2:])])
        values = np.full(ok.shape, np.inf, A._data.dtype)
        for i in np.flatnonzero(ok):
            a = A._data.reshape(-1, *A._data.shape[-2:])[i]
            values[i] = np.linalg.cond(a, p)
        return _const(values.reshape(A._data.shape[:-2]))
    out = matrix_norm(A, p) * matrix_norm(Ainv, p)
    # PyTorch ends the orders other than 'nuc' with a nan_to_num (NanToNumBackward0). (Its
    # backward then fails, as it wrote into inv's saved output; ndgrad differentiates.)
    # (its nan, from a matrix holding nan, and inf stay inf)
    return out if p == "nuc" else out.nan_to_num(math.inf, math.inf)


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
    if isinstance(A, Tensor) and A._data.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    A = _check_matrix(A, "lstsq", square=False, check_dtype=False)
    T = Tensor
    if not isinstance(B, T):
        raise _not_tensor("linalg_lstsq", "B", 2, B)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(
            "torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
            f"input's dtype {dtype_name(A._data.dtype)} and other's dtype "
            f"{dtype_name(B._data.dtype)}"
        )
    vector = B._data.ndim == A._data.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    m, n = A._data.shape[-2:]
    if Bm._data.shape[-2] != m:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(
            "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )
    if A._data.dtype.kind != "f" or A._data.dtype.itemsize < 4:
        raise RuntimeError("This function doesn't handle types other than float and double")
    X = pinv(A, rtol=rcond) @ Bm
    sv = _np_svd(A._data, compute_uv=False)
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
        X = _fortran(X)
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
    T = Tensor
    for name, t in (("input", B), ("input2", L)):
        if not isinstance(t, T):
            raise TypeError(
                f"cholesky_solve(): argument '{name}' must be Tensor, not {py_type_name(t)}"
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
    _check_solve_inputs(B, L, "cholesky_solve")
    _check_float(L, "", "cholesky_solve_cpu", "ih")
    return CholeskySolve.apply(B, L, bool(upper))


def _check_solve_inputs(B: Tensor, A: Tensor, name: str) -> None:
    """The shape checks of PyTorch's legacy solvers (cholesky_solve, triangular_solve): A
    square, its size B's rows, the batch dims broadcasting (B's named first)."""
    _check_matrix(A, name, where="", check_dtype=False)
    n = A._data.shape[-1]
    if B._data.shape[-2] != n:
        raise RuntimeError(
            f"Incompatible matrix sizes for {name}: each A matrix is {n} by {n} but each "
            f"b matrix is {B._data.shape[-2]} by {B._data.shape[-1]}"
        )
    _check_batch_broadcast(B._data.shape[:-2], A._data.shape[:-2])


def _cholesky_inverse(L: Tensor, upper: bool) -> Tensor:
    L = _check_matrix(
        L, "cholesky_inverse", where="cholesky_inverse: ", kernel="cholesky_inverse_out_cpu"
    )
    return CholeskyInverse.apply(L, bool(upper))


class CholeskyInverse(NumpyFunction):
    """X = (L Lᵀ)⁻¹ (or (Uᵀ U)⁻¹): cholesky_solve of I, one node as PyTorch's. With
    C = X (g + gᵀ) X: dL = -C L (dU = -U C), the cholesky_solve gradient for B = I."""

    @staticmethod
    def forward(ctx: Any, L: np.ndarray, upper: bool) -> np.ndarray:
        eye = np.broadcast_to(np.eye(L.shape[-1], dtype=L.dtype), L.shape)
        return CholeskySolve.forward(ctx, eye, L, upper)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        L, X = ctx.saved_tensors
        common = X @ (grad + grad.mT) @ X
        return (-(L @ common) if ctx.upper else -(common @ L)), None


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
    A = _check_matrix(A, "inv_ex", where="linalg.inv: ")
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
    A = _check_matrix(
        A, "cholesky_ex", where="linalg.cholesky: ", kernel="cholesky_cpu", kernel_for="h"
    )
    batch, n = A._data.shape[:-2], A._data.shape[-1]
    try:
        L = LinalgCholeskyEx.apply(A, bool(upper), "linalg.cholesky_ex")
        return CholeskyExResult(L, _info(np.zeros(batch), batch))
    except LinAlgError:
        if check_errors:
            raise
    M = np.swapaxes(A._data, -1, -2) if upper else A._data
    codes = np.array([_not_pd_order(m) for m in M.reshape(-1, n, n)]).reshape(batch)
    L = _masked(A, codes > 0, lambda a: linalg_cholesky(a, upper=upper))
    return CholeskyExResult(L, _info(codes, batch))


def solve_ex(
    A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False
) -> SolveExResult:
    """(result, info): info[i] > 0 is the zero pivot of a singular matrix (its solution is nan)."""
    A = _check_matrix(A, "solve_ex", where="linalg.solve: ", kernel="lu_cpu", kernel_for="h")
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


# --- LU and Householder factorizations ------------------------------------------------------------
# LU with partial pivoting and Householder QR in LAPACK's packed forms: ``linalg.lu_factor``,
# ``linalg.lu``, ``linalg.lu_solve``, the older ``torch.lu``/``lu_unpack``/``lu_solve``,
# ``triangular_solve``, and ``geqrf``/``orgqr``/``ormqr`` (``linalg.householder_product``).
#
# The factorizations run in numpy; everything built on them (unpacking, solving, applying the
# reflectors) is written with ndgrad ops, so it is differentiable as often as needed. The LU
# factorization itself has its own backward (square matrices, as most uses).


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
        lu = _fortran(lu)
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


def _lu_factor(
    A: Tensor, pivot: bool, check_as: str | None, label: str = "torch.lu_factor"
) -> LUFactorExResult:
    if isinstance(A, Tensor) and A._data.ndim < 2:
        raise RuntimeError(
            f"{label}: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} instead"
        )
    A = _check_matrix(A, "lu_factor_ex", square=False, kernel="lu_cpu")
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
    if isinstance(A, Tensor) and A.ndim < 2:
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
    T = Tensor
    m = LU_data.shape[-2]
    empty = T._make(np.zeros(0, LU_data._data.dtype))
    P = _const(_permutation(LU_pivots._data, m, LU_data._data.dtype)) if unpack_pivots else empty
    L, U = _L_U(LU_data) if unpack_data else (empty, empty)
    return LUUnpackResult(P, L, U)


def linalg_lu(A: Tensor, *, pivot: bool = True) -> LUResult:
    """(P, L, U) with ``A = P L U`` (``torch.linalg.lu``)."""
    LU, pivots, _ = _lu_factor(A, pivot, None, "linalg.lu")
    return LUResult(*lu_unpack(LU, pivots))


def linalg_lu_solve(
    LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False
) -> Tensor:
    """X with ``A X = B`` (``X A = B`` if not left; Aᴴ if adjoint) for ``A = P L U`` given by
    ``lu_factor`` (``torch.linalg.lu_solve``)."""
    LU = _check_matrix(LU, "lu_solve", arg="A", where="torch.linalg.lu_solve: ")
    B = _tensor_arg(B, "linalg_lu_solve", "B", 3)
    if B._data.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    if LU._data.dtype != B._data.dtype:
        raise RuntimeError(
            "linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type "
            f"{dtype_name(LU._data.dtype)} and B of type {dtype_name(B._data.dtype)} instead"
        )
    n, sb = LU._data.shape[-1], B._data.shape
    if (sb[-2] if left else sb[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.lu_solve: Incompatible shapes of A and B for the equation {eq} "
            f"({n}x{n} and {sb[-2]}x{sb[-1]})"
        )
    _check_batch_broadcast(sb[:-2], LU._data.shape[:-2])  # (PyTorch names B first)
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
        if isinstance(t, Tensor) and t.ndim < 2:
            raise RuntimeError(
                f"torch.triangular_solve: Expected {name} to have at least 2 dimensions, but it "
                f"has {t.ndim} dimensions instead"
            )
    if b.dtype != A.dtype:
        raise RuntimeError(
            "Expected b and A to have the same dtype, but found b of type "
            f"{dtype_name(b._data.dtype)} and A of type {dtype_name(A._data.dtype)} instead."
        )
    _check_solve_inputs(b, A, "triangular_solve")
    coefficient = A.mT if transpose else A
    X = solve_triangular(
        coefficient, b, upper=bool(upper) != bool(transpose), unitriangular=unitriangular
    )
    # PyTorch returns A's copy broadcast to the batch, laid out by columns as LAPACK's
    batch = np.broadcast_shapes(b._data.shape[:-2], A._data.shape[:-2])
    copy = A.expand(*batch, *A._data.shape[-2:]).mT.contiguous().mT
    return TriangularSolveResult(X, copy)


# --- Householder QR ------------------------------------------------------------------------------


def geqrf(input: Tensor) -> GeqrfResult:
    """(a, tau): LAPACK geqrf's QR in Householder form; R is a's upper triangle, the reflectors
    ``I - tau_i v_i v_iᵀ`` have v_i below a's diagonal (with a 1 on it). Not differentiable, as
    in PyTorch."""
    if isinstance(input, Tensor) and input.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    x = _check_matrix(input, "geqrf", square=False, kernel="geqrf_cpu")
    h, tau = np.linalg.qr(x._data, mode="raw")
    # (numpy's raw h is the transpose; the factors stored by columns, as LAPACK's)
    return GeqrfResult(_const(_fortran(np.swapaxes(h, -1, -2))), _const(tau.astype(x._data.dtype)))


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
    if isinstance(A, Tensor) and A._data.ndim < 2:
        raise RuntimeError(
            "torch.linalg.householder_product: input must have at least 2 dimensions."
        )
    A = _check_matrix(A, "householder_product", square=False, check_dtype=False)
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
    if A.ndim - tau.ndim != 1:
        raise RuntimeError(
            "torch.linalg.householder_product: Expected tau to have one dimension less than "
            f"input, but got tau.ndim equal to {tau.ndim} and input.ndim is equal to {A.ndim}"
        )
    if A.ndim > 2 and tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(
            "torch.linalg.householder_product: Expected batch dimensions of tau to be equal to "
            f"input.shape[:-2], but got {list(tau.shape[:-1])}"
        )
    if tau._data.dtype != A._data.dtype:
        raise RuntimeError(
            f"torch.linalg.householder_product: tau dtype {dtype_name(tau._data.dtype)} does not "
            f"match input dtype {dtype_name(A._data.dtype)}"
        )
    _check_float(A, "linalg.householder_product: ", "orgqr_cpu", "ih")
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


# --- torch-level aliases of the functions above (as torch.det, torch.inverse, ...) ---------------


def det(input: Tensor) -> Tensor:
    return linalg_det(input)


def inverse(input: Tensor) -> Tensor:
    return inv(input)


def slogdet(input: Tensor) -> Any:
    return _slogdet(input, "slogdet")


def logdet(input: Tensor) -> Tensor:
    """log det A: nan where det < 0, -inf where det = 0 (as PyTorch)."""
    return _logdet(input)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """The deprecated torch.cholesky (warns, as PyTorch): use linalg.cholesky."""
    return _legacy_cholesky(input, upper)


def qr(input: Tensor, some: bool = True) -> Any:
    """The deprecated torch.qr (warns, as PyTorch): use linalg.qr."""
    return _legacy_qr(input, some)


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False) -> Tensor:
    """X with (L Lᵀ) X = input, L = input2 lower triangular (Uᵀ U with upper=True)."""
    return _cholesky_solve(input, input2, upper)


def cholesky_inverse(input: Tensor, upper: bool = False) -> Tensor:
    """(L Lᵀ)⁻¹ from the Cholesky factor L (or (Uᵀ U)⁻¹)."""
    return _cholesky_inverse(input, upper)


def matrix_power(input: Tensor, n: int) -> Tensor:
    return linalg_matrix_power(input, n)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    return pinv(input, rtol=rcond)


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:
    """The legacy torch.svd: (U, S, V) with A = U diag(S) Vᵀ (V, not Vh)."""
    return _legacy_svd(input, some, compute_uv)


def norm(
    input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    """The legacy torch.norm: 'fro' and numbers are vector norms over ``dim``; 'nuc' matrix."""
    return _legacy_norm(input, p, dim, keepdim, dtype)


# --- built on linalg's cross, norms and multi_dot (issue 11) --------------------------------------
def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim``; without ``dim``, along the first dim of size 3
    (deprecated in PyTorch, which warns; ``linalg.cross`` defaults to the last dim)."""
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
    return linalg_cross(a, b, dim=dim)


class Dist(NumpyFunction):
    """y = ‖a - b‖_p over all elements (a and b broadcast); dL/da = the p-norm's gradient at
    a - b (vector_norm's formula), dL/db = its negative"""

    _other_first = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray, p: float) -> np.ndarray:
        ctx.p = p
        y = _vector_norm_np(a - b, p, None, False)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b, y = ctx.saved_tensors
        need_a, need_b, _ = ctx.needs_input_grad
        g = _vector_norm_grad(a - b, y, grad, ctx.p, None)
        return (g if need_a else None), (-g if need_b else None), None


def dist(input: Tensor, other: Tensor, p: Any = 2) -> Tensor:
    """‖input - other‖_p over all elements (broadcast): one node, DistBackward0."""
    a, b = _tensor_arg(input, "dist", "input", 1), _tensor_arg(other, "dist", "other", 2)
    if a._data.dtype.kind == "b" or b._data.dtype.kind == "b":
        sub(a, b)  # PyTorch computes a - b first: its error for bool tensors
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise broadcast_mismatch(a._data.shape, b._data.shape) from None
    a, b, dt = promote(a, b)
    if dt.kind != "f":
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. Got "
            f"{dtype_name(dt)} instead."
        )
    p = float(p)
    if math.isinf(p) and a._data.size * b._data.size == 0:  # vector_norm's error
        return vector_norm(a - b, p)
    return Dist.apply(a, b, p)


class Cdist(NumpyFunction):
    """y[..., i, j] = ‖x1[..., i, :] - x2[..., j, :]‖_p (batch dims broadcast): the p-norm of
    each difference, computed from the differences (exact; PyTorch's kernel too). dL/dx1 =
    the norm's gradient at each difference (vector_norm's formula) summed over x2's rows,
    dL/dx2 = its negative summed over x1's rows."""

    forward_ad_refusal = _errors.no_forward_ad_yet("_cdist_forward")

    @staticmethod
    def forward(ctx: Any, x1: np.ndarray, x2: np.ndarray, p: float) -> np.ndarray:
        ctx.p = p
        # (x1 and x2 differ in dtype only when empty: the result is x1's dtype then, as PyTorch's)
        y = _vector_norm_np(x1[..., :, None, :] - x2[..., None, :, :], p, -1, False)
        y = y.astype(x1.dtype, copy=False)
        ctx.save_for_backward(x1, x2, y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        x1, x2, y = ctx.saved_tensors
        need_1, need_2, _ = ctx.needs_input_grad
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        g = _vector_norm_grad(diff, y.unsqueeze(-1), grad.unsqueeze(-1), ctx.p, -1)
        return (g.sum(-2) if need_1 else None), (-g.sum(-3) if need_2 else None), None


class EuclideanDist(Cdist):
    """Cdist with p = 2 under the name of PyTorch's _euclidean_dist, which its cdist calls for
    p = 2 with the mm compute modes. PyTorch computes that one as √(‖a‖² - 2 a·b + ‖b‖²) with
    a matrix product (faster, less exact); ndgrad keeps the exact differences: the graph is
    PyTorch's, the values Cdist's."""

    forward_ad_refusal = _errors.no_forward_ad_yet("_euclidean_dist")


_CDIST_MODES = {
    "use_mm_for_euclid_dist_if_necessary": 0,
    "use_mm_for_euclid_dist": 1,
    "donot_use_mm_for_euclid_dist": 2,
}


def _check_cdist_dtypes(d1: np.dtype, d2: np.dtype, mm: bool, batched: bool) -> None:
    """PyTorch's errors for what its cdist does not promote: two dtypes, or float16 outside the
    matrix-product form (its kernel has no float16 version)."""
    half = np.dtype(np.float16)
    if not mm and d1 == half:
        raise NotImplementedError("\"cdist\" not implemented for 'Half'")
    if d1 == d2:
        return
    if not mm:  # the kernel, for x1's dtype, reading x2
        raise RuntimeError(f"expected scalar type {dtype_name(d1)} but found {dtype_name(d2)}")
    if batched and d2 != half:  # its bmm, on x2's dtype
        raise RuntimeError(f"expected scalar type {dtype_name(d2)} but found {dtype_name(d1)}")
    raise RuntimeError(
        "expected m1 and m2 to have the same dtype, but got: "
        f"{c_type_name(d1)} != {c_type_name(d2)}"
    )


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """The p-norm distance between each row of ``x1`` (…, P, M) and each row of ``x2`` (…, R, M):
    a (…, P, R) tensor. Computed from the differences, so it is exact (no mm shortcut).

    The graph is PyTorch's: one CdistBackward0 node, or for p = 2 with more than 25 rows (or
    compute_mode 'use_mm_for_euclid_dist') the _euclidean_dist node between its views of the
    (broadcast, flattened) batches."""
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
    mode = _CDIST_MODES.get(compute_mode)
    if mode is None:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    p = float(p)
    (r1, cols), r2 = a._data.shape[-2:], b._data.shape[-2]
    empty = a._data.size == 0 or b._data.size == 0  # (the result is x1's dtype then)
    mm = p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25)))
    if not empty:
        _check_cdist_dtypes(a._data.dtype, b._data.dtype, mm, a._data.ndim > 2)
    if empty or not mm:
        return Cdist.apply(a, b, p)
    if a._data.ndim == 2 and b._data.ndim == 2:
        return EuclideanDist.apply(a, b, p).view(r1, r2)
    # PyTorch's batched form: both expanded to the broadcast batch, made contiguous (a copy
    # where the expansion repeats) and viewed as one flat batch of matrices.
    batch = np.broadcast_shapes(a._data.shape[:-2], b._data.shape[:-2])
    n = int(np.prod(batch, dtype=np.int64))
    flat1 = a.expand((*batch, r1, cols)).contiguous().view(n, r1, cols)
    flat2 = b.expand((*batch, r2, cols)).contiguous().view(n, r2, cols)
    return EuclideanDist.apply(flat1, flat2, p).view((*batch, r1, r2))


def chain_matmul(*matrices: Tensor) -> Tensor:
    """A₁ A₂ … A_n of 2-D matrices (deprecated in PyTorch for ``linalg.multi_dot``)."""
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
    return multi_dot(matrices)


def renorm(input: Tensor, p: Any, dim: int, maxnorm: Any) -> Tensor:
    """Each slice along ``dim`` rescaled so that its p-norm is at most ``maxnorm``."""
    x = _tensor_arg(input, "renorm", "input", 1)
    if x._data.ndim < 2:
        raise RuntimeError(
            f"renorm: input needs at least 2 dimensions, got {x._data.ndim} dimensions"
        )
    d = wrap_dim(dim, x._data.ndim)
    others = tuple(i for i in range(x._data.ndim) if i != d)
    norms = vector_norm(x, p, dim=others, keepdim=True)
    # where, not a 0/1 mask times (factor - 1): a slice whose norm is NaN or infinite keeps its
    # values where the comparison is false, as in PyTorch, instead of turning them to NaN
    return x * where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)


def matrix_exp(input: Tensor) -> Tensor:
    """e^A of square matrices (``linalg.matrix_exp``)."""
    return linalg_matrix_exp(input)


def frobenius_norm(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """√(Σ x²) over ``dim`` (deprecated in PyTorch, which warns)."""
    warnings.warn(
        "at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, "
        "keepdim)` instead",
        UserWarning,
        stacklevel=2,
    )
    return vector_norm(_tensor_arg(input, "frobenius_norm", "input", 1), 2, dim, keepdim)


def nuclear_norm(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The sum of the singular values of a matrix (of the two dims ``dim``; deprecated in
    PyTorch, which warns)."""
    warnings.warn(
        "at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, "
        "keepdim)` instead",
        UserWarning,
        stacklevel=2,
    )
    x = _tensor_arg(input, "nuclear_norm", "input", 1)
    return matrix_norm(x, "nuc", (-2, -1) if dim is None else dim, keepdim)


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of v over every dim but ``dim`` (kept, size 1 elsewhere); dim=-1: all."""
    x = _tensor_arg(v, "norm_except_dim", "v", 1)
    if dim == -1:
        return vector_norm(x, pow)
    d = wrap_dim(dim, x._data.ndim)
    others = tuple(i for i in range(x._data.ndim) if i != d)
    return vector_norm(x, pow, dim=others, keepdim=True)


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

    # LU and Householder factorizations (above)
    def lu(self, pivot: bool = True, get_infos: bool = False) -> Any:
        return lu(self, pivot, get_infos)  # type: ignore[arg-type]

    def lu_solve(self, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
        return lu_solve(self, LU_data, LU_pivots)  # type: ignore[arg-type]

    def triangular_solve(
        self, A: Tensor, upper: bool = True, transpose: bool = False, unitriangular: bool = False
    ) -> Any:
        return triangular_solve(self, A, upper, transpose, unitriangular)  # type: ignore[arg-type]

    def geqrf(self) -> Any:
        return geqrf(self)  # type: ignore[arg-type]

    def orgqr(self, input2: Tensor) -> Tensor:
        return orgqr(self, input2)  # type: ignore[arg-type]

    def ormqr(
        self, input2: Tensor, input3: Tensor, left: bool = True, transpose: bool = False
    ) -> Tensor:
        return ormqr(self, input2, input3, left, transpose)  # type: ignore[arg-type]

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
