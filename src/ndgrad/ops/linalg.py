"""Matrix products: matmul (``@``) with PyTorch's 1-D, 2-D and batched broadcasting rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ._util import as_operand, promote, tensor_cls
from .arithmetic import NumpyFunction

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["matmul"]


class Matmul(NumpyFunction):
    """y = a @ b. With 1-D operands promoted to matrices: dy/da = g bᵀ, dy/db = aᵀ g.

    The gradient of a broadcast batch dim is summed back by the engine.
    """

    node_name = "MatmulBackward0"

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        need_a, need_b = ctx.needs_input_grad
        ctx.save_for_backward(a if need_b else None, b if need_a else None)
        ctx.ndims = (a.ndim, b.ndim)
        return np.matmul(a, b)

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
        else:
            if need_a:
                grad_a = grad @ b.mT
            if need_b:
                grad_b = a.mT @ grad
        return grad_a, grad_b


# The graph shows PyTorch's name for each case; the arithmetic is the same.
class Dot(Matmul):
    node_name = "DotBackward0"


class Mv(Matmul):
    node_name = "MvBackward0"


class Mm(Matmul):
    node_name = "MmBackward0"


class Bmm(Matmul):
    node_name = "BmmBackward0"


def _check_shapes(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    if not sa or not sb:
        raise RuntimeError(
            "both arguments to matmul need to be at least 1D, but they are "
            f"{len(sa)}D and {len(sb)}D"
        )
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a == k_b:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            from .._errors import broadcast_mismatch

            raise broadcast_mismatch(sa[:-2], sb[:-2]) from None
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
    T = tensor_cls()
    a, b, _ = promote(as_operand(input, "matmul"), as_operand(other, "matmul"))
    if not isinstance(a, T) or not isinstance(b, T):
        raise TypeError("matmul(): argument 'other' must be Tensor, not a number")
    sa, sb = a._data.shape, b._data.shape
    _check_shapes(sa, sb)
    na, nb = len(sa), len(sb)
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


class LinalgMethods:
    """Tensor methods of the matrix products."""

    def matmul(self, other: Tensor) -> Tensor:
        return matmul(self, other)  # type: ignore[arg-type]

    def __matmul__(self, other: Any) -> Tensor:
        if not isinstance(other, tensor_cls() | np.ndarray):
            return NotImplemented
        return matmul(self, other)  # type: ignore[arg-type]

    def __rmatmul__(self, other: Any) -> Tensor:
        if not isinstance(other, np.ndarray):
            return NotImplemented
        return matmul(other, self)  # type: ignore[arg-type]
