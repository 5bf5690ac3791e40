"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_.

As in PyTorch, these work on ``.grad`` in place, without recording (they run under no_grad), and
skip parameters whose ``.grad`` is None. ``foreach`` is accepted and ignored: ndgrad has one
implementation.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any

from ... import linalg
from ..._creation import tensor
from ..._namespace import public_dir
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.shape import stack

__all__ = [
    "clip_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
]
__dir__ = public_dir(__name__)


def _tensors(items: Tensor | Iterable[Any]) -> list[Any]:
    return [items] if isinstance(items, Tensor) else list(items)


def _grads(parameters: Tensor | Iterable[Any]) -> list[Tensor]:
    return [p.grad for p in _tensors(parameters) if p.grad is not None]


def get_total_norm(
    tensors: Tensor | Iterable[Any],
    norm_type: Any = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The ``norm_type`` norm of all the tensors together (as if concatenated)."""
    items = [t for t in _tensors(tensors) if t is not None]
    p = float(norm_type)
    if not items:
        return tensor(0.0)
    with no_grad():
        norms = [linalg.vector_norm(t, p) for t in items]
        total = linalg.vector_norm(stack([n.to(norms[0].dtype) for n in norms]), p)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite "
            "norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grads_with_norm_(
    parameters: Tensor | Iterable[Any],
    max_norm: float,
    total_norm: Tensor,
    foreach: bool | None = None,
) -> None:
    """Scale the gradients by ``max_norm / (total_norm + 1e-6)`` when that is below 1."""
    grads = _grads(parameters)
    if not grads:
        return
    coef = min(float(max_norm) / (float(total_norm) + 1e-6), 1.0)
    with no_grad():
        for g in grads:
            g.mul_(coef)


def clip_grad_norm_(
    parameters: Tensor | Iterable[Any],
    max_norm: float,
    norm_type: Any = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients so that their total ``norm_type`` norm is at most ``max_norm``;
    returns the total norm before clipping."""
    params = _tensors(parameters)
    grads = _grads(params)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_norm(
    parameters: Tensor | Iterable[Any],
    max_norm: float,
    norm_type: Any = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Deprecated in PyTorch in favour of ``clip_grad_norm_``, which it calls."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(
    parameters: Tensor | Iterable[Any], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(-value, value)  # type: ignore[attr-defined]
