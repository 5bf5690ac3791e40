"""Products: matmul (``@``) with PyTorch's broadcasting rules; the strict mm, bmm, mv, dot; outer
(ger), inner, vdot, addmm, addmv, addr, baddbmm, addbmm, einsum, tensordot, kron; and cov,
corrcoef, trapezoid (trapz, cumulative_trapezoid) and gradient, computed as products and weighted
sums of their input. With the Tensor methods of all of these (``ProductMethods``).

The rest of linear algebra (``det``, ``inverse``, ``qr``, ``svd``, ``norm``, ``cross``, ``cdist``
and the ``torch.linalg`` functions) is in ops/linalg.py.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._creation import as_tensor
from .._errors import broadcast_mismatch, c_type_name, py_type_name
from .._kernels import matmul_np
from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd.function import record_binary
from ..autograd.grad_mode import _state
from ._util import as_operand, dtype_name, promote, promote_all, wrap_dim
from .arithmetic import NumpyFunction, div_scalar, mul_scalar
from .shape import ReshapeCopy, cat

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = [
    "addbmm",
    "addmm",
    "addmv",
    "addr",
    "baddbmm",
    "bmm",
    "corrcoef",
    "cov",
    "cumulative_trapezoid",
    "dot",
    "einsum",
    "ger",
    "gradient",
    "inner",
    "kron",
    "matmul",
    "mm",
    "mv",
    "outer",
    "tensordot",
    "trapezoid",
    "trapz",
    "vdot",
]
__dir__ = public_dir(__name__)


class Matmul(NumpyFunction):
    """y = a @ b. With 1-D operands promoted to matrices: dy/da = g bᵀ, dy/db = aᵀ g.

    The gradient of a broadcast batch dim is summed back by the engine.
    """

    node_name = "MatmulBackward0"
    # PyTorch's CPU kernel for this product, which has no bool version
    _kernel = "bmm"

    @classmethod
    def forward(cls, ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.dtype == np.bool_ and a.size and b.size:  # (an empty product skips the kernel)
            raise NotImplementedError(f"\"{cls._kernel}\" not implemented for 'Bool'")
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.ndims = (a.ndim, b.ndim)
        ctx.a_by_columns = need_a and _column_major(a)
        ctx.b_by_columns = need_b and _column_major(b)
        return matmul_np(a, b)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        na, nb = ctx.ndims
        grad_a = grad_b = None
        if na == 1 and nb == 1:  # dot product: grad is a scalar
            return (grad * b if need_a else None), (grad * a if need_b else None)
        if na == 1:  # (k) @ (..., k, m) -> (..., m)
            if need_a:
                grad_a = (grad.unsqueeze(-2) @ b.mT).squeeze(-2)
            if need_b:
                grad_b = a.unsqueeze(-1) @ grad.unsqueeze(-2)
        elif nb == 1:  # (..., n, k) @ (k) -> (..., n)
            if need_a:
                grad_a = grad.unsqueeze(-1) @ b.unsqueeze(-2)
            if need_b:
                grad_b = (a.mT @ grad.unsqueeze(-1)).squeeze(-1)
        elif na == 2 and nb == 2:
            grad_a = _mm_mat1_grad(grad, b, ctx.a_by_columns) if need_a else None
            grad_b = _mm_mat2_grad(grad, a, ctx.b_by_columns) if need_b else None
        else:
            if need_a:
                grad_a = grad @ b.mT
            if need_b:
                grad_b = a.mT @ grad
        return grad_a, grad_b

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        a, b = ctx.saved_arrays
        need_a, need_b = ctx.needs_input_grad
        na, nb = ctx.ndims
        grad_a = grad_b = None
        if na == 1 and nb == 1:
            return (grad * b if need_a else None), (grad * a if need_b else None)
        if na == 1:
            if need_a:
                grad_a = matmul_np(grad[..., None, :], _mT(b))[..., 0, :]
            if need_b:
                grad_b = matmul_np(a[:, None], grad[..., None, :])
        elif nb == 1:
            if need_a:
                grad_a = matmul_np(grad[..., None], b[None, :])
            if need_b:
                grad_b = matmul_np(_mT(a), grad[..., None])[..., 0]
        else:
            if need_a:
                grad_a = _mat1_grad_np(grad, b, ctx.a_by_columns)
            if need_b:
                grad_b = _mat2_grad(a, grad, ctx.b_by_columns)
        return grad_a, grad_b


def _mm_mat1_grad(g: Tensor, b: Tensor, by_columns: bool) -> Tensor:
    """g bᵀ, the gradient of a in a @ b, as PyTorch's mm_mat1_backward computes it: for an a
    laid out by columns, (b gᵀ)ᵀ (so laid out as a). (Batches: baddbmm's, or a batched
    gradient, g @ bᵀ.)"""
    if g._data.ndim != 2 or b._data.ndim != 2:
        return g @ b.mT
    return b.mm(g.t()).t() if by_columns else g.mm(b.t())


def _mm_mat2_grad(g: Tensor, a: Tensor, by_columns: bool) -> Tensor:
    """aᵀ g, the gradient of b in a @ b, as PyTorch's mm_mat2_backward: (gᵀ a)ᵀ for a b laid
    out by columns."""
    if g._data.ndim != 2 or a._data.ndim != 2:
        return a.mT @ g
    return g.t().mm(a).t() if by_columns else a.t().mm(g)


def _column_major(b: np.ndarray) -> bool:
    """Whether matrix b is laid out by columns (a transposed matrix, as ``weight.t()``), by
    PyTorch's test of the strides: (1, rows)."""
    if b.ndim != 2 or not b.itemsize:
        return False
    return b.strides == (b.itemsize, b.shape[0] * b.itemsize)


def _mat2_grad(a: np.ndarray, g: np.ndarray, column_major: bool) -> np.ndarray:
    """aᵀ g, the gradient of b in a @ b, laid out as b: for a b laid out by columns (linear's
    ``weight.t()``), (gᵀ a)ᵀ, as PyTorch's mm_mat2_backward gives it, so that the transpose's
    own backward hands the weight a C-contiguous array it keeps without a copy."""
    if column_major and g.ndim == 2 and a.ndim == 2:
        return np.matmul(g.T, a).T
    return matmul_np(_mT(a), g)


def _mT(x: np.ndarray) -> np.ndarray:
    """The last two dims swapped (a view), as ``Tensor.mT``."""
    return np.swapaxes(x, -1, -2)


# The graph shows PyTorch's name for each case; the arithmetic is the same.
class Dot(Matmul):
    node_name = "DotBackward0"
    _kernel = "dot"


class Vdot(Matmul):
    node_name = "VdotBackward0"
    _kernel = "dot"


class Mv(Matmul):
    node_name = "MvBackward0"
    _kernel = "addmv_impl_cpu"


class Mm(Matmul):
    node_name = "MmBackward0"
    _kernel = "addmm_impl_cpu_"
    _other_first = True  # PyTorch's node unpacks mat2 before self: its version error first


class Bmm(Matmul):
    node_name = "BmmBackward0"
    _other_first = True


def _check_shapes(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    if not sa or not sb:
        raise RuntimeError(
            "both arguments to matmul need to be at least 1D, but they are "
            f"{len(sa)}D and {len(sb)}D"
        )
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a == k_b:
        batch_a, batch_b = sa[:-2], sb[:-2]
        if batch_a and batch_b and batch_a != batch_b:
            try:
                np.broadcast_shapes(batch_a, batch_b)
            except ValueError:
                raise broadcast_mismatch(batch_a, batch_b) from None
        return
    if len(sa) == 1 and len(sb) == 1:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the "
            f"same number of elements, but got {sa[0]} and {sb[0]} elements respectively"
        )
    if len(sb) == 1:
        rows = "x".join(str(s) for s in sa)
        raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({rows}), vec ({sb[0]})")
    ma = "x".join(str(s) for s in ((1, *sa) if len(sa) == 1 else sa[-2:]))
    mb = "x".join(str(s) for s in sb[-2:])
    raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({ma} and {mb})")


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with PyTorch's rules: 1-D is a vector, >2-D is a broadcast batch."""
    T = Tensor
    if isinstance(input, T) and isinstance(other, T):  # two matrices that fit: the common case
        da, db = input._data, other._data
        if da.ndim == 2 and db.ndim == 2 and da.shape[1] == db.shape[0] and da.dtype is db.dtype:
            needs_grad = input._requires_grad or other._requires_grad
            # (record_inputs() replaces Function.apply: go through it then)
            if needs_grad and _state.grad_enabled and not _state.recording:
                return record_binary(Mm, input, other)
            return Mm.apply(input, other)
    a, b = as_operand(input, "matmul"), as_operand(other, "matmul")
    if not isinstance(a, T) or not isinstance(b, T):
        raise TypeError("matmul(): argument 'other' must be Tensor, not a number")
    sa, sb = a._data.shape, b._data.shape
    _check_shapes(sa, sb)
    if a._data.dtype != b._data.dtype:
        if not isinstance(input, np.ndarray) and not isinstance(other, np.ndarray):
            _matmul_dtype_error(a._data.dtype, b._data.dtype, len(sa), len(sb))
        # a numpy array operand (``array @ x``) is promoted, as numpy would
        a, b, _ = promote(a, b)
    na, nb = len(sa), len(sb)
    if na == 1 and nb == 2:  # as PyTorch folds it: a 1-row matrix, mm, squeeze_
        return Mm.apply(a.unsqueeze(0), b).squeeze_(0)
    if na >= 3 and nb <= 2:  # the batch dims folded into rows: one mm (mv) on a 2-d view
        rows = a.reshape(int(np.prod(sa[:-1], dtype=np.int64)), sa[-1])
        folded = Mm.apply(rows, b) if nb == 2 else Mv.apply(rows, b)
        return ReshapeCopy.apply(folded, (*sa[:-1], sb[-1]) if nb == 2 else sa[:-1])
    if na == 1 and nb == 1:
        fn: type[Matmul] = Dot
    elif na == 2 and nb == 1:
        fn = Mv
    elif na == 2 and nb == 2:
        fn = Mm
    elif na == 3 and nb == 3 and sa[0] == sb[0]:
        fn = Bmm
    else:
        fn = Matmul
    return fn.apply(a, b)


def _matmul_dtype_error(da: np.dtype, db: np.dtype, na: int, nb: int) -> None:
    """PyTorch's matmul does not promote: the error of the kernel each case dispatches to."""
    if na == 1 and nb == 1:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{dtype_name(da)} and {dtype_name(db)}"
        )
    if na == 2 and nb == 1:
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{dtype_name(db)}, {dtype_name(da)}, and {dtype_name(db)}"
        )
    if na >= 3 and nb >= 3:
        raise RuntimeError(f"expected scalar type {dtype_name(da)} but found {dtype_name(db)}")
    raise RuntimeError(
        "expected m1 and m2 to have the same dtype, but got: "
        f"{c_type_name(da)} != {c_type_name(db)}"
    )


# --- the strict products: mm, bmm, mv, dot (no broadcasting, no promotion) ---------------------


def _tensor_arg(x: Any, op: str, name: str, pos: int = 0) -> Tensor:
    T = Tensor
    if isinstance(x, np.ndarray):
        return as_tensor(x)
    if not isinstance(x, T):
        where = f" (position {pos})" if pos else ""
        raise TypeError(f"{op}(): argument '{name}'{where} must be Tensor, not {py_type_name(x)}")
    return x


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """(n, k) @ (k, m) -> (n, m): both must be matrices of the same dtype."""
    a, b = _tensor_arg(input, "mm", "input", 1), _tensor_arg(mat2, "mm", "mat2", 2)
    sa, sb = a._data.shape, b._data.shape
    if len(sa) != 2:
        raise RuntimeError("self must be a matrix")
    if len(sb) != 2:
        raise RuntimeError("mat2 must be a matrix")
    if sa[1] != sb[0]:  # (before the dtypes, as PyTorch)
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})"
        )
    da, db = a._data.dtype, b._data.dtype
    if da != db:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{c_type_name(da)} != {c_type_name(db)}"
        )
    return Mm.apply(a, b)


def _check_bmm(a: Tensor, b: Tensor) -> None:
    sa, sb = a._data.shape, b._data.shape
    if len(sa) != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if len(sb) != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if sb[:2] != (sa[0], sa[2]):
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}]."
        )
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected scalar type {dtype_name(a._data.dtype)} but found "
            f"{dtype_name(b._data.dtype)}"
        )


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """(b, n, k) @ (b, k, m) -> (b, n, m): no broadcasting of the batch dim."""
    a, b = _tensor_arg(input, "bmm", "input", 1), _tensor_arg(mat2, "bmm", "mat2", 2)
    _check_bmm(a, b)
    return Bmm.apply(a, b)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """(n, k) @ (k,) -> (n,)"""
    a, v = _tensor_arg(input, "mv", "input", 1), _tensor_arg(vec, "mv", "vec", 2)
    sa, sv = a._data.shape, v._data.shape
    if len(sa) != 2 or len(sv) != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {len(sa)}, {len(sv)}")
    if sa[1] != sv[0]:
        raise RuntimeError(
            f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec ({sv[0]})"
        )
    if a._data.dtype != v._data.dtype:
        nv, na = dtype_name(v._data.dtype), dtype_name(a._data.dtype)
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {nv}, {na}, and {nv}"
        )
    return Mv.apply(a, v)


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """Σ_i a_i b_i of two 1-D tensors of the same size and dtype."""
    a, b = _tensor_arg(input, "dot", "input", 1), _tensor_arg(tensor, "dot", "tensor", 2)
    return _dot(a, b, Dot)


def _dot(a: Tensor, b: Tensor, op: type[Matmul]) -> Tensor:
    """dot or vdot, after the argument checks they share (their messages say dot)."""
    sa, sb = a._data.shape, b._data.shape
    if len(sa) != 1 or len(sb) != 1:
        raise RuntimeError(f"1D tensors expected, but got {len(sa)}D and {len(sb)}D tensors")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{dtype_name(a._data.dtype)} and {dtype_name(b._data.dtype)}"
        )
    if a._data.dtype.kind == "b":
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")
    if sa[0] != sb[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the "
            f"same number of elements, but got {sa[0]} and {sb[0]} elements respectively"
        )
    return op.apply(a, b)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """y_ij = a_i b_j (a broadcast product, as PyTorch computes it)."""
    a, b = _tensor_arg(input, "outer", "input", 1), _tensor_arg(vec2, "outer", "vec2", 2)
    for name, t in (("self", a), ("vec2", b)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    return a.unsqueeze(-1) * b


ger = outer


class _ScaledProduct(NumpyFunction):
    """y = β·c + α·(a ∘ b) for the product ∘ a subclass names (``_product``, on arrays);
    dy/dc = β, and the product's own gradients scaled by α (see ``_scaled_grads``)."""

    _product: Callable[..., Any]
    _kernel: str | None = "addmm_impl_cpu_"  # PyTorch's CPU kernel, if it has no bool version

    @classmethod
    def forward(
        cls, ctx: Any, c: np.ndarray, a: np.ndarray, b: np.ndarray, beta: Any, alpha: Any
    ) -> Any:
        if cls._kernel is not None and a.dtype == np.bool_ and a.size and b.size:
            raise NotImplementedError(f"\"{cls._kernel}\" not implemented for 'Bool'")
        _, need_a, need_b, _, _ = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.coefs = (beta, alpha)
        ctx.a_by_columns = need_a and _column_major(a)
        ctx.b_by_columns = need_b and _column_major(b)
        prod = cls._product(a, b)
        if alpha != 1:
            prod = prod * alpha
        if beta == 0:  # PyTorch ignores the input then (even nan and inf in it)
            return prod
        cs = np.shape(c)
        if prod.shape[len(prod.shape) - len(cs) :] == cs and np.result_type(prod, c) == prod.dtype:
            prod += c if beta == 1 else c * beta  # into the new product: one array less
            return prod
        return prod + (c if beta == 1 else c * beta)


def _scaled_grads(ctx: Any, grad: Any) -> tuple[Any, Any]:
    """A scaled product's gradient of c (β g, or None when not needed) and g scaled by α, from
    which the product's gradients are taken (tensors or arrays alike)."""
    beta, alpha = ctx.coefs
    g_c = (grad * beta if beta != 1 else grad) if ctx.needs_input_grad[0] else None
    return g_c, (grad * alpha if alpha != 1 else grad)


class Addmm(_ScaledProduct):
    """y = β·c + α·(a @ b); dy/dc = β, dy/da = α g bᵀ, dy/db = α aᵀ g"""

    _product = staticmethod(np.matmul)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        # PyTorch's addmm formulas: β g for c, the products of g scaled by α after them
        a, b = ctx.saved_tensors
        need_c, need_a, need_b = ctx.needs_input_grad[:3]
        beta, alpha = ctx.coefs
        g_c = (grad if beta == 1 else mul_scalar(grad, beta)) if need_c else None
        grad_a = _mm_mat1_grad(grad, b, ctx.a_by_columns) if need_a else None
        grad_b = _mm_mat2_grad(grad, a, ctx.b_by_columns) if need_b else None
        if alpha != 1:
            grad_a = None if grad_a is None else mul_scalar(grad_a, alpha)
            grad_b = None if grad_b is None else mul_scalar(grad_b, alpha)
        return g_c, grad_a, grad_b, None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        a, b = ctx.saved_arrays
        need_c, need_a, need_b = ctx.needs_input_grad[:3]
        beta, alpha = ctx.coefs
        g_c = (grad if beta == 1 else grad * beta) if need_c else None
        grad_a = _mat1_grad_np(grad, b, ctx.a_by_columns) if need_a else None
        grad_b = _mat2_grad(a, grad, ctx.b_by_columns) if need_b else None
        if alpha != 1:
            grad_a = None if grad_a is None else grad_a * alpha
            grad_b = None if grad_b is None else grad_b * alpha
        return g_c, grad_a, grad_b, None, None


def _mat1_grad_np(g: np.ndarray, b: np.ndarray, column_major: bool) -> np.ndarray:
    """g bᵀ on arrays, laid out by columns for an a laid out so (as _mm_mat1_grad)."""
    if column_major and g.ndim == 2 and b.ndim == 2:
        return np.matmul(b, g.T).T
    return matmul_np(g, _mT(b))


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """β·input + α·(mat1 @ mat2); input broadcasts to the product's shape."""
    c = _tensor_arg(input, "addmm", "input", 1)
    a, b = _tensor_arg(mat1, "addmm", "mat1", 2), _tensor_arg(mat2, "addmm", "mat2", 3)
    for name, t in (("mat1", a), ("mat2", b)):
        if t._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t._data.ndim}-D tensor")
    sa, sb = a._data.shape, b._data.shape
    if sa[1] != sb[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})"
        )
    if c._data.dtype != b._data.dtype or a._data.dtype != b._data.dtype:
        other = c if c._data.dtype != b._data.dtype else a
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {dtype_name(other._data.dtype)} "
            f"and {dtype_name(b._data.dtype)}"
        )
    c.expand(sa[0], sb[1])  # PyTorch's error when input does not broadcast to the product
    return Addmm.apply(c, a, b, beta, alpha)


class Baddbmm(Addmm):
    """y = β·c + α·(a @ b) for batches of matrices (the same gradients, batched)."""

    _kernel = "baddbmm"


def _batch_sum_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Σ_b a[b] @ b[b]: one (n, B·k) @ (B·k, m) product."""
    n, m = a.shape[1], b.shape[2]
    return np.matmul(a.transpose(1, 0, 2).reshape(n, -1), b.reshape(-1, m))


class Addbmm(_ScaledProduct):
    """y = β·c + α·Σ_b a_b @ b_b; dy/dc = β, dy/da_b = α g b_bᵀ, dy/db_b = α a_bᵀ g"""

    _product = staticmethod(_batch_sum_product)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[1:3]
        g_c, g = _scaled_grads(ctx, grad)
        return g_c, (g @ b.mT if need_a else None), (a.mT @ g if need_b else None), None, None


class Addmv(_ScaledProduct):
    """y = β·c + α·(A v); dy/dc = β, dy/dA = α g vᵀ, dy/dv = α Aᵀ g"""

    _product = staticmethod(np.matmul)
    _kernel = "addmv_impl_cpu"

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, v = ctx.saved_tensors
        need_a, need_v = ctx.needs_input_grad[1:3]
        g_c, g = _scaled_grads(ctx, grad)
        g_a = g.unsqueeze(-1) * v if need_a else None
        return g_c, g_a, (a.mT @ g if need_v else None), None, None


class Addr(_ScaledProduct):
    """y = β·c + α·(a ⊗ b); dy/dc = β, dy/da = α g b, dy/db = α gᵀ a (the sums of the outer
    product's gradient over the other vector's dim)"""

    _product = staticmethod(np.multiply.outer)
    _kernel = None  # (PyTorch's addr has a bool version)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[1:3]
        g_c, g = _scaled_grads(ctx, grad)
        g_a = (g * b).sum(1) if need_a else None
        g_b = (g * a.unsqueeze(1)).sum(0) if need_b else None
        return g_c, g_a, g_b, None, None

    @staticmethod
    def backward_np(ctx: Any, grad: np.ndarray) -> tuple[Any, ...]:
        a, b = ctx.saved_arrays
        need_a, need_b = ctx.needs_input_grad[1:3]
        g_c, g = _scaled_grads(ctx, grad)
        g_a = (g * b).sum(1) if need_a else None
        g_b = (g * a[:, None]).sum(0) if need_b else None
        return g_c, g_a, g_b, None, None


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """β·input + α·(mat @ vec); input broadcasts to the product's shape."""
    c = _tensor_arg(input, "addmv", "input", 1)
    a, v = _tensor_arg(mat, "addmv", "mat", 2), _tensor_arg(vec, "addmv", "vec", 3)
    sa, sv = a._data.shape, v._data.shape
    if len(sa) != 2 or len(sv) != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {c._data.ndim}, {len(sa)}, {len(sv)}"
        )
    if sa[1] != sv[0]:
        raise RuntimeError(
            f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec ({sv[0]})"
        )
    dts = [c._data.dtype, a._data.dtype, v._data.dtype]
    if len(set(dts)) > 1:
        names = [dtype_name(d) for d in dts]
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{names[0]}, {names[1]}, and {names[2]}"
        )
    c.expand(sa[0])
    return Addmv.apply(c, a, v, beta, alpha)


def baddbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """β·input + α·(batch1 @ batch2); input broadcasts to the (b, n, m) product."""
    c = _tensor_arg(input, "baddbmm", "input", 1)
    a, b = _tensor_arg(batch1, "baddbmm", "batch1", 2), _tensor_arg(batch2, "baddbmm", "batch2", 3)
    a.size(0), a.size(1), b.size(2)  # PyTorch reads these first: its IndexError for fewer dims
    _check_bmm(a, b)
    if c._data.dtype != a._data.dtype:
        raise RuntimeError(
            f"expected scalar type {dtype_name(a._data.dtype)} but found "
            f"{dtype_name(c._data.dtype)}"
        )
    c.expand(a._data.shape[0], a._data.shape[1], b._data.shape[2])
    return Baddbmm.apply(c, a, b, beta, alpha)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Σ over the last dims of both: y[..., ...'] = Σ_k a[..., k] b[...', k]."""
    a, b = _tensor_arg(input, "inner", "input", 1), _tensor_arg(other, "inner", "other", 2)
    if a._data.ndim == 0 or b._data.ndim == 0:
        return a * b
    if a._data.shape[-1] != b._data.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(a._data.shape)} and {list(b._data.shape)}"
        )
    return tensordot(a, b, dims=([-1], [-1]))


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """Σ conj(a_i) b_i; for real tensors, dot (recorded as PyTorch's VdotBackward0)."""
    a, b = _tensor_arg(input, "vdot", "input", 1), _tensor_arg(other, "vdot", "other", 2)
    return _dot(a, b, Vdot)


# --- einsum ------------------------------------------------------------------------------------

# PyTorch numbers labels A-Z then a-z: the implicit output lists them in that order.
_LABELS = string.ascii_uppercase + string.ascii_lowercase


class Einsum(NumpyFunction):
    """y = einsum(eq, x_1..x_n) over explicit labels (no '...', sizes already broadcast).

    dy/dx_i is an einsum of the output gradient with the other operands into x_i's labels; labels
    repeated in x_i (a diagonal) are put back on that diagonal, labels summed away are broadcast.
    """

    @staticmethod
    def forward(ctx: Any, equation: str, *xs: np.ndarray) -> Any:
        ctx.equation = equation
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(*xs)
            ctx.sizes = _label_sizes(equation, xs)
        if xs and xs[0].dtype.char == "e":
            # float16 sums its products in float32 and rounds once, as PyTorch's sum and bmm
            # do (numpy's einsum accumulates in float16)
            wide = [x.astype(np.float32) for x in xs]
            return np.einsum(equation, *wide, optimize=len(xs) > 2).astype(np.float16)
        out = np.einsum(equation, *xs, optimize=len(xs) > 2)
        if len(xs) == 1 and np.shares_memory(out, xs[0]):
            out = out.copy()  # numpy returns diagonals and transposes as views
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        xs = ctx.saved_tensors
        lhs, out = ctx.equation.split("->")
        subs = lhs.split(",")
        grads: list[Any] = [None]
        for i, need in enumerate(ctx.needs_input_grad[1:]):
            if not need:
                grads.append(None)
                continue
            others = [(s, x) for j, (s, x) in enumerate(zip(subs, xs, strict=True)) if j != i]
            grads.append(_einsum_grad(subs[i], out, grad, others, ctx.sizes, xs[i]))
        return tuple(grads)


def _label_sizes(equation: str, xs: Sequence[np.ndarray]) -> dict[str, int]:
    subs = equation.split("->")[0].split(",")
    return {c: n for s, x in zip(subs, xs, strict=True) for c, n in zip(s, x.shape, strict=True)}


def _einsum_grad(
    sub: str,
    out: str,
    grad: Tensor,
    others: list[tuple[str, Tensor]],
    sizes: dict[str, int],
    like: Tensor,
) -> Tensor:
    """The gradient of one einsum operand with labels ``sub``."""
    unique = "".join(dict.fromkeys(sub))
    available = set(out).union(*(s for s, _ in others))
    target = "".join(c for c in unique if c in available)
    terms = ",".join([out, *(s for s, _ in others)])
    g = Einsum.apply(f"{terms}->{target}", grad, *(x for _, x in others))
    if target != unique:  # labels only x_i had, summed in forward: broadcast back
        g = g.reshape(tuple(sizes[c] if c in target else 1 for c in unique))
        g = g.expand((*(sizes[c] for c in unique),))
    if unique != sub:  # repeated labels (a diagonal): put g back on it via Kronecker deltas
        fresh = iter(c for c in _LABELS if c not in sizes)
        renamed, deltas, seen = [], [], set()
        for c in sub:
            if c in seen:
                f = next(fresh)
                renamed.append(f)
                deltas.append(c + f)
            else:
                seen.add(c)
                renamed.append(c)
        dtype = like._data.dtype
        eyes = [Tensor._make(np.eye(sizes[d[0]], dtype=dtype)) for d in deltas]
        g = Einsum.apply(f"{','.join([unique, *deltas])}->{''.join(renamed)}", g, *eyes)
    return g


def _parse_term(eq: str, start: int, end: int, what: str) -> tuple[str, bool]:
    """Labels of one operand (or the output) in eq[start:end]; '.' marks where '...' sits."""
    labels: list[str] = []
    ellipsis = False
    i = start
    while i < end:
        c = eq[i]
        if c == ".":
            if eq[i : i + 3] != "..." or i + 3 > end:
                tail = " (...)" if what == "output" else ""
                raise RuntimeError(
                    f"einsum(): found '.' for {what} that is not part of any ellipsis{tail}"
                )
            if ellipsis:
                raise RuntimeError(
                    f"einsum(): found '.' for {what} for which an ellipsis was already found"
                )
            ellipsis = True
            labels.append(".")
            i += 3
            continue
        if c in _LABELS:
            labels.append(c)
        elif c != " ":
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {i} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
        i += 1
    return "".join(labels), ellipsis


def _from_sublists(args: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """einsum(op1, [0, 1], op2, [1, 2], [0, 2]) -> ('ab,bc->ac', [op1, op2])."""

    def labels(sub: Any) -> str:
        return "".join("..." if s is Ellipsis else _LABELS[s] for s in sub)

    ops, terms = list(args[0::2]), [labels(s) for s in args[1::2]]
    if len(args) % 2:  # an output sublist at the end
        return f"{','.join(terms)}->{labels(args[-1])}", ops[:-1]
    return ",".join(terms), ops


def einsum(*args: Any) -> Tensor:
    """Einstein summation: einsum('ij,jk->ik', a, b); '...' for broadcast dims; an implicit output
    (labels seen once, in order A-Z a-z) when '->' is absent; also the sublist form."""
    if not args or (isinstance(args[0], str) and len(args) == 1):
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at least "
            "one operand and its subscripts list"
        )
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], list | tuple):
            operands = list(operands[0])
    else:
        equation, operands = _from_sublists(args)
    for i, x in enumerate(operands):
        if not isinstance(x, Tensor | np.ndarray):
            raise TypeError(
                f"expected Tensor as element {i} in argument 1, but got {type(x).__name__}"
            )
    ts = [_tensor_arg(x, "einsum", "operands") for x in operands]
    lhs_end = equation.find("->")
    lhs_end = len(equation) if lhs_end < 0 else lhs_end
    terms: list[str] = []
    start = 0
    for k, c in enumerate(equation[:lhs_end] + ","):
        if c == ",":
            terms.append(_parse_term(equation, start, k, f"operand {len(terms)}")[0])
            start = k + 1
    if len(terms) > len(ts):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(ts):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    explicit, sizes = _explicit_labels(terms, ts)
    if lhs_end < len(equation):
        out = _parse_term(equation, lhs_end + 2, len(equation), "output")[0]
        for c in out:
            if c == ".":
                continue
            if out.count(c) > 1:
                raise RuntimeError(
                    f"einsum(): output subscript {c} appears more than once in the output"
                )
            if not any(c in t for t in terms):
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any "
                    "input operand"
                )
    else:  # implicit output: '...' first, then the labels that appear exactly once
        counts: dict[str, int] = {}
        for term in terms:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        once = "".join(c for c in _LABELS if counts.get(c) == 1)
        out = ("." if any("." in t for t in terms) else "") + once
    for t in ts[1:]:  # (after the equation and the sizes, as PyTorch's products find it)
        if t._data.dtype != ts[0]._data.dtype:
            raise RuntimeError(
                f"expected scalar type {dtype_name(ts[0]._data.dtype)} but found "
                f"{dtype_name(t._data.dtype)}"
            )
    ell = explicit.get(".", "")
    out = out.replace(".", ell)
    subs = [t.replace(".", explicit[f"{i}."]) for i, t in enumerate(terms)]
    # Broadcast size-1 dims to their label's size, so the op itself sees consistent sizes.
    ts = [
        t.expand((*(sizes[c] for c in s),))
        if any(n != sizes[c] for c, n in zip(s, t._data.shape, strict=True))
        else t
        for s, t in zip(subs, ts, strict=True)
    ]
    return Einsum.apply(f"{','.join(subs)}->{out}", *ts)


def _explicit_labels(terms: list[str], ts: list[Tensor]) -> tuple[dict[str, str], dict[str, int]]:
    """Fresh labels for the dims '...' covers, and the (broadcast) size of every label.

    Returns ({'.': labels of the widest ellipsis, 'i.': those of operand i}, sizes).
    """
    n_ell = 0
    for i, (term, t) in enumerate(zip(terms, ts, strict=True)):
        ndim, n_labels = t._data.ndim, len(term) - ("." in term)
        if "." in term:
            if n_labels > ndim:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({n_labels}) is more "
                    f"than the number of dimensions ({ndim}) for operand {i}"
                )
            n_ell = max(n_ell, ndim - n_labels)
        elif n_labels != ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({n_labels}) does not match "
                f"the number of dimensions ({ndim}) for operand {i} and no ellipsis was given"
            )
    used = set("".join(terms))
    fresh = [c for c in _LABELS if c not in used]
    if n_ell > len(fresh):
        raise RuntimeError("einsum(): exceeded the maximum number of labels")
    ell = "".join(fresh[:n_ell])
    explicit = {".": ell}
    sizes: dict[str, int] = {}
    for i, (term, t) in enumerate(zip(terms, ts, strict=True)):
        shape = t._data.shape
        k = len(shape) - (len(term) - 1) if "." in term else 0
        mine = ell[n_ell - k :] if k else ""
        explicit[f"{i}."] = mine
        own: dict[str, int] = {}
        for dim, (c, n) in enumerate(zip(term.replace(".", mine), shape, strict=True)):
            if c in own and own[c] != n:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't "
                    f"match, {n} != {own[c]}"
                )
            own[c] = n
            seen = sizes.get(c)
            if seen is not None and seen != n and seen != 1 and n != 1:
                if c in ell:
                    raise RuntimeError(
                        f"einsum(): dimension {dim} covered by ellipsis in operand {i}"  # (its dim)
                        f"has size {n} which does not broadcast with previously seen ellipsis "
                        f"with size {seen} for the respective dimension"
                    )
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {i} which does not "
                    f"broadcast with previously seen size {seen}"
                )
            sizes[c] = n if seen is None or seen == 1 else seen
    return explicit, sizes


# --- tensordot, kron ---------------------------------------------------------------------------


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Any = None) -> Tensor:
    """Contract the last ``dims`` dims of a with the first of b, or the listed pairs of dims."""
    if out is not None:
        raise NotImplementedError("tensordot(out=...) is not supported by ndgrad")
    a, b = _tensor_arg(a, "tensordot", "a", 1), _tensor_arg(b, "tensordot", "b", 2)
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int | np.integer):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > na or dims > nb:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))  # (as PyTorch lists them)
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(dims_a) != len(dims_b):
            raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")

    given = list(zip(dims_a, dims_b, strict=True))  # error messages name the dims as given
    dims_a = [wrap_dim(d, na) for d in dims_a]
    dims_b = [wrap_dim(d, nb) for d in dims_b]
    for dims in (dims_a, dims_b):
        for i, d in enumerate(dims):
            if d in dims[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    # PyTorch's composition (these are its graph's nodes): a contracted dim of size 1 against a
    # larger one is summed away first; then each operand is permuted (a: kept dims, then the
    # contracted ones; b: contracted, then kept) and reshaped to a matrix, the two multiplied
    # with mm, and the product reshaped to the kept dims. When every dim is contracted, the two
    # are flattened and multiplied with dot.
    contracted = 1
    for da, db, (ga, gb) in zip(dims_a, dims_b, given, strict=True):
        sa, sb = a._data.shape[da], b._data.shape[db]
        if sb == 1:
            a = a.sum(da, keepdim=True)
        elif sa == 1:
            b = b.sum(db, keepdim=True)
        elif sa != sb:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {sa} in dim {ga} and "
                f"second has size {sb} in dim {gb}"
            )
        else:
            contracted *= sa
    kept_a = [i for i in range(na) if i not in dims_a]
    kept_b = [i for i in range(nb) if i not in dims_b]
    if not kept_a and not kept_b:
        return dot(a.permute((*dims_a,)).flatten(), b.permute((*dims_b,)).flatten()).reshape(())
    sizes = [a._data.shape[i] for i in kept_a] + [b._data.shape[i] for i in kept_b]
    rows = int(np.prod([a._data.shape[i] for i in kept_a], dtype=np.int64))
    cols = int(np.prod([b._data.shape[i] for i in kept_b], dtype=np.int64))
    ma = a.permute((*kept_a, *dims_a)).reshape(rows, contracted)
    mb = b.permute((*dims_b, *kept_b)).reshape(contracted, cols)
    return mm(ma, mb).reshape(sizes)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """Kronecker product: y[i·p + k, j·q + l] = a[i, j] b[k, l] (any number of dims)."""
    a, b = _tensor_arg(input, "kron", "input", 1), _tensor_arg(other, "kron", "other", 2)
    n = max(a._data.ndim, b._data.ndim)
    sa = (1,) * (n - a._data.ndim) + a._data.shape
    sb = (1,) * (n - b._data.ndim) + b._data.shape
    # Interleave: a gets shape (a0, 1, a1, 1, ...), b gets (1, b0, 1, b1, ...); the product
    # then holds a[i] b[k] at [i, k], which a reshape merges into index i·p + k. The three
    # reshapes are PyTorch's _unsafe_view (UnsafeViewBackward0), as its kron records them.
    pa = tuple(x for s in sa for x in (s, 1))
    pb = tuple(x for s in sb for x in (1, s))
    prod = ReshapeCopy.apply(a, pa) * ReshapeCopy.apply(b, pb)
    return ReshapeCopy.apply(prod, tuple(x * y for x, y in zip(sa, sb, strict=True)))


# --- products built on the ones above (issue 11) ------------------------------------------------


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """β·input + α·outer(vec1, vec2); input broadcasts to the (n, m) product. One node
    (AddrBackward0), computed in the three tensors' result dtype."""
    c = _tensor_arg(input, "addr", "input", 1)
    a, b = _tensor_arg(vec1, "addr", "vec1", 2), _tensor_arg(vec2, "addr", "vec2", 3)
    for name, t in (("vec1", a), ("vec2", b)):
        if t._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    if len({c._data.dtype, a._data.dtype, b._data.dtype}) > 1:
        c, a, b = promote_all([c, a, b], "addr")
    c.expand(a._data.shape[0], b._data.shape[0])
    return Addr.apply(c, a, b, beta, alpha)


def addbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """β·input + α·Σ_b batch1[b] @ batch2[b]; input broadcasts to the (n, m) sum. One node
    (AddbmmBackward0), with PyTorch's checks in its order."""
    c = _tensor_arg(input, "addbmm", "input", 1)
    a = _tensor_arg(batch1, "addbmm", "batch1", 2)
    b = _tensor_arg(batch2, "addbmm", "batch2", 3)
    for name, t in (("batch1", a), ("batch2", b)):
        if t._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    sa, sb = a._data.shape, b._data.shape
    if sa[0] != sb[0]:
        raise RuntimeError(
            f"batch1 and batch2 must have same number of batches, got {sa[0]} and {sb[0]}"
        )
    if sa[2] != sb[1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for bmm ({sa[1]}x{sa[2]} and {sb[1]}x{sb[2]})"
        )
    c.expand(sa[1], sb[2])
    da, db, dc = a._data.dtype, b._data.dtype, c._data.dtype
    if dc != db or da != db:
        first, second = ("self", dc) if dc != db else ("mat1", da)
        raise RuntimeError(
            f"{first} and mat2 must have the same dtype, but got {dtype_name(second)} and "
            f"{dtype_name(db)}"
        )
    return Addbmm.apply(c, a, b, beta, alpha)


# --- computed as products and weighted sums: trapezoid, cov, corrcoef, gradient ---------------


def _trapezoid_widths(y: Tensor, x: Any, dim: int) -> Tensor:
    """The width of each interval along ``dim`` from the sample points ``x``, shaped to broadcast
    against y's intervals: a 1-D x is viewed along ``dim``, one with fewer dims than y gets
    leading ones (as PyTorch shapes it, before slicing)."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"trapezoid() received an invalid combination of arguments - got (Tensor, "
            f"{type(x).__name__}), but expected one of:\n * (Tensor y, Tensor x, *, int dim = -1)"
            "\n * (Tensor y, *, Number dx = 1, int dim = -1)"
        )
    ndim = y._data.ndim
    if x._data.ndim == 1:
        n = x._data.shape[0]
        if n != y._data.shape[dim]:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        shape = [1] * ndim
        shape[dim] = n
        x = x.view(shape)
    elif x._data.ndim < ndim:
        x = x.view((1,) * (ndim - x._data.ndim) + x._data.shape)
    n = x._data.shape[dim]
    return x.narrow(dim, 1, n - 1) - x.narrow(dim, 0, n - 1)


def _trapezoid_args(y: Any, x: Any, dx: Any, dim: int, op: str) -> tuple[Tensor, int, int]:
    y = _tensor_arg(y, op, "y", 1)
    if x is not None and dx is not None:
        raise TypeError(f"{op}() received an invalid combination of arguments: x and dx")
    d = wrap_dim(dim, y._data.ndim)
    return y, d, y._data.shape[d]


def _interval_sums(y: Tensor, d: int, n: int) -> Tensor:
    """y[i + 1] + y[i] along ``d``: twice the mean height of each interval."""
    return y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)


def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """∫ y along ``dim`` by the trapezoidal rule, at points ``x`` (a tensor) or spacing ``dx``.

    Composed as PyTorch composes it (its graph has these nodes): with a constant spacing,
    (Σ y - (y_first + y_last) · 0.5) · dx; with points, Σ (Δx · (y[i+1] + y[i])) / 2."""
    y, d, n = _trapezoid_args(y, x, dx, dim, "trapezoid")
    if n == 0:
        return y.sum(d) * 0
    if x is None:
        ends = y.select(d, 0) + y.select(d, -1)
        return mul_scalar(y.sum(d) - mul_scalar(ends, 0.5), 1 if dx is None else dx)
    widths = _trapezoid_widths(y, x, d)
    return div_scalar((_interval_sums(y, d, n) * widths).sum(d), 2.0)


def trapz(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """``trapezoid`` (its older name)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The running ∫ y along ``dim`` (trapezoidal rule): one value fewer than y has along dim.
    Composed as PyTorch's: ((y[i+1] + y[i]) · (dx / 2)).cumsum, or with points
    (Δx · (y[i+1] + y[i])).cumsum / 2."""
    y, d, n = _trapezoid_args(y, x, dx, dim, "cumulative_trapezoid")
    if n == 0:
        return y.sum(d) * 0
    if x is None:
        return mul_scalar(_interval_sums(y, d, n), 0.5 * (1 if dx is None else dx)).cumsum(d)
    widths = _trapezoid_widths(y, x, d)
    return div_scalar((_interval_sums(y, d, n) * widths).cumsum(d), 2.0)


def cov(
    input: Tensor,
    *,
    correction: int = 1,
    fweights: Tensor | None = None,
    aweights: Tensor | None = None,
) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns), with optional integer frequency and float observation weights."""
    x = _tensor_arg(input, "cov", "input", 1)
    if x._data.ndim > 2:
        raise RuntimeError(
            "cov(): expected input to have two or fewer dimensions but got an input with "
            f"{x._data.ndim} dimensions"
        )
    if x._data.dtype.kind == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    if x._data.ndim < 2:
        x = x.reshape(1, -1)
    if x._data.dtype.kind != "f":
        x = x.to(np.dtype(np.float32))
    n = x._data.shape[1]
    w = None
    if fweights is not None:
        w = fweights.to(x.dtype)
    if aweights is not None:
        w = aweights.to(x.dtype) if w is None else w * aweights.to(x.dtype)
    if w is None:
        mean = x.mean(1, keepdim=True)
        total: Any = n
        norm: Any = n - correction
    else:
        total = w.sum()
        mean = (x * w).sum(1, keepdim=True) / total
        if correction == 0:
            norm = total
        elif aweights is None:
            norm = total - correction
        else:
            norm = total - correction * (w * aweights.to(x.dtype)).sum() / total
    centered = x - mean
    weighted = centered if w is None else centered * w
    c = weighted.matmul(centered.t()) / norm
    return c.squeeze() if input._data.ndim < 2 else c


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in the rows of ``input``, clipped to
    [-1, 1]."""
    c = cov(input)
    if c._data.ndim == 0:
        return c / c
    d = c.diagonal().sqrt()
    r = c / d.unsqueeze(1) / d.unsqueeze(0)
    return r.clamp(-1, 1)


def gradient(
    input: Tensor, *, spacing: Any = 1, dim: Any = None, edge_order: int = 1
) -> tuple[Tensor, ...]:
    """Estimates of ∂input/∂x along each dim by central differences (one-sided at the edges,
    first or second order), as numpy.gradient; spacing is a number, one per dim, or the sample
    coordinates. Composed of slices, as PyTorch composes it (see ``_gradient_along``)."""
    x = _tensor_arg(input, "gradient", "input", 1)
    ndim = x._data.ndim
    dims = list(range(ndim)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    dims = [wrap_dim(d, ndim) for d in dims]
    if edge_order not in (1, 2):
        raise RuntimeError(
            f"torch.gradient only supports edge_order=1 and edge_order=2, but got {edge_order}."
        )
    spacings = list(spacing) if isinstance(spacing, list | tuple) else [spacing] * len(dims)
    if len(spacings) != len(dims):
        raise RuntimeError(
            f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
            f"arguments to have the same length, but got a spacing argument of length "
            f"{len(spacings)} and a dim argument of length {len(dims)}."
        )
    out = []
    for d, h in zip(dims, spacings, strict=True):
        n = x._data.shape[d]
        if n < edge_order + 1:
            raise RuntimeError(
                "torch.gradient expected each dimension size to be at least edge_order+1"
            )
        xf = x if x._data.dtype.kind == "f" else x.to(np.dtype(np.float32))
        out.append(_gradient_along(xf, d, h, edge_order))
    return tuple(out)


def _gradient_along(x: Tensor, d: int, h: Any, edge_order: int) -> Tensor:
    """One result of ``gradient``: PyTorch's formulas on slices of x along dim d, in its order
    of operations (so the values round alike, and an inf or NaN stays in the differences that
    use it: a matrix of weights would multiply it by 0)."""

    def part(start: int, stop: int | None = None) -> Tensor:
        n = x._data.shape[d]
        lo = start % n if start < 0 else start
        hi = n if stop is None else stop % n if stop < 0 else stop
        return x.narrow(d, lo, hi - lo)

    if not isinstance(h, Tensor):  # a uniform spacing
        dx = float(h)
        center = (part(2) - part(0, -2)) / dx / 2
        if edge_order == 1:
            first = (part(1, 2) - part(0, 1)) / dx
            last = (part(-1) - part(-2, -1)) / dx
        else:
            first = (-1.5 * part(0, 1) + 2 * part(1, 2) - 0.5 * part(2, 3)) / dx
            last = (0.5 * part(-3, -2) - 2 * part(-2, -1) + 1.5 * part(-1)) / dx
        return cat([first, center, last], d)
    steps = h._data.astype(x._data.dtype)
    steps = steps[1:] - steps[:-1]
    dx1, dx2 = steps[:-1], steps[1:]
    shape = [1] * x._data.ndim
    shape[d] = -1

    def w(v: np.ndarray) -> Tensor:
        return Tensor._make(np.asarray(v).reshape(shape))

    center = (
        w(-dx2 / (dx1 * (dx1 + dx2))) * part(0, -2)
        + w((dx2 - dx1) / (dx1 * dx2)) * part(1, -1)
        + w(dx1 / (dx2 * (dx1 + dx2))) * part(2)
    )
    s0, s1, sl, sm = steps[0], steps[1] if steps.size > 1 else steps[0], steps[-1], steps[-2:][0]
    if edge_order == 1:
        first = (part(1, 2) - part(0, 1)) / float(s0)
        last = (part(-1) - part(-2, -1)) / float(sl)
    else:
        first = (
            float(-(2.0 * s0 + s1) / (s0 * (s0 + s1))) * part(0, 1)
            + float((s0 + s1) / (s0 * s1)) * part(1, 2)
            + float(-s0 / (s1 * (s0 + s1))) * part(2, 3)
        )
        last = (
            float(sl / (sm * (sl + sm))) * part(-3, -2)
            + float(-(sl + sm) / (sl * sm)) * part(-2, -1)
            + float((2 * sl + sm) / (sl * (sl + sm))) * part(-1)
        )
    return cat([first, center, last], d)


class ProductMethods:
    """Tensor methods of the matrix products."""

    def matmul(self, other: Tensor) -> Tensor:
        return matmul(self, other)  # type: ignore[arg-type]

    def __matmul__(self, other: Any) -> Tensor:
        if not isinstance(other, Tensor | np.ndarray):
            return NotImplemented
        return matmul(self, other)  # type: ignore[arg-type]

    def __rmatmul__(self, other: Any) -> Tensor:
        if not isinstance(other, np.ndarray):
            return NotImplemented
        return matmul(other, self)  # type: ignore[arg-type]

    def mm(self, mat2: Tensor) -> Tensor:
        return mm(self, mat2)  # type: ignore[arg-type]

    def bmm(self, mat2: Tensor) -> Tensor:
        return bmm(self, mat2)  # type: ignore[arg-type]

    def mv(self, vec: Tensor) -> Tensor:
        return mv(self, vec)  # type: ignore[arg-type]

    def dot(self, tensor: Tensor) -> Tensor:
        return dot(self, tensor)  # type: ignore[arg-type]

    def outer(self, vec2: Tensor) -> Tensor:
        return outer(self, vec2)  # type: ignore[arg-type]

    ger = outer

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return addmm(self, mat1, mat2, beta=beta, alpha=alpha)  # type: ignore[arg-type]

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return addmv(self, mat, vec, beta=beta, alpha=alpha)  # type: ignore[arg-type]

    def baddbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)  # type: ignore[arg-type]

    def inner(self, other: Tensor) -> Tensor:
        return inner(self, other)  # type: ignore[arg-type]

    def vdot(self, other: Tensor) -> Tensor:
        return vdot(self, other)  # type: ignore[arg-type]

    def kron(self, other: Tensor) -> Tensor:
        return kron(self, other)  # type: ignore[arg-type]

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return addr(self, vec1, vec2, beta=beta, alpha=alpha)  # type: ignore[arg-type]

    def addbmm(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return addbmm(self, batch1, batch2, beta=beta, alpha=alpha)  # type: ignore[arg-type]

    def addr_(self, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace(lambda s: addr(s, vec1, vec2, beta=beta, alpha=alpha))  # type: ignore[attr-defined]

    def addbmm_(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace(lambda s: addbmm(s, batch1, batch2, beta=beta, alpha=alpha))  # type: ignore[attr-defined]

    def addmm_(self, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace(lambda s: addmm(s, mat1, mat2, beta=beta, alpha=alpha))  # type: ignore[attr-defined]

    def addmv_(self, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace(lambda s: addmv(s, mat, vec, beta=beta, alpha=alpha))  # type: ignore[attr-defined]

    def baddbmm_(self, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
        return self._inplace(lambda s: baddbmm(s, batch1, batch2, beta=beta, alpha=alpha))  # type: ignore[attr-defined]

    def cov(
        self, *, correction: int = 1, fweights: Tensor | None = None, aweights: Tensor | None = None
    ) -> Tensor:
        return cov(self, correction=correction, fweights=fweights, aweights=aweights)  # type: ignore[arg-type]

    def corrcoef(self) -> Tensor:
        return corrcoef(self)  # type: ignore[arg-type]
