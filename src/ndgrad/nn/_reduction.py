"""The reduction argument of the losses: PyTorch's legacy ``size_average``/``reduce`` flags, the
check of ``reduction``, and the reduction of a loss tensor (or, inside a fused loss, of its
array) with the gradient spread back over the elements.

Shared by ``nn.functional`` and the loss modules it re-exports (``_losses``, ``_losses2``), which
is why it sits below them all.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .._tensor import Tensor


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """``reduction`` from the legacy flags when either is given, with PyTorch's warning (its
    legacy_get_string; attributed, as there, to the library line that asked)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    legacy = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn(
        "size_average and reduce args will be deprecated, please use "
        f"reduction='{legacy}' instead.",
        UserWarning,
        stacklevel=2,
    )
    return legacy


def _check_reduction(reduction: str) -> str:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce_array(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return loss
    # float16 in float32 and rounded once (a float16 total of a mean could overflow)
    total = loss.sum(dtype=np.float32 if loss.dtype.char == "e" else None)
    if reduction == "sum":
        return np.asarray(total, dtype=loss.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):  # empty input: nan, as PyTorch
        return np.asarray(total / loss.size, dtype=loss.dtype)


def _spread(ctx: Any, grad: Tensor) -> Tensor:
    """The incoming gradient of a reduced pointwise loss, per element (a 0-d factor or as is)."""
    if ctx.reduction == "mean":
        return grad * (1.0 / ctx.count) if ctx.count else grad * math.nan
    return grad
