"""Adafactor: Adam's second moment kept as row and column means for matrices (PyTorch's form,
with lr as the cap of the relative step size and as the weight decay coefficient)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .adam import _lerp
from .optimizer import Optimizer, _check, _state_tensor, _step_tensor

__all__ = ["Adafactor"]
__dir__ = public_dir(__name__)


def _scalar(v: Any) -> float:
    return float(v.item()) if hasattr(v, "item") else float(v)


def _norm(a: np.ndarray, axis: int | None = None) -> np.ndarray:
    return np.sqrt((a * a).sum(axis, keepdims=axis is not None))


def _rms(a: np.ndarray) -> float:
    return float(_norm(a)) / math.sqrt(a.size)


class Adafactor(Optimizer):
    """β̂₂ = 1 - t^τ; ρ = min(lr, 1/√t); α = max(ε₂, RMS(θ)) ρ; θ ← (1 - lr λ) θ;
    matrices: R ← lerp(R, mean_cols(g²), 1 - β̂₂), C ← lerp(C, mean_rows(g²), 1 - β̂₂),
    V = R C / max(mean(R), ε₁); vectors: V ← lerp(V, g², 1 - β̂₂);
    U = g / max(√V, ε₁); θ ← θ - α U / max(1, RMS(U)/d)"""

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        if hasattr(lr, "numel") and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        _check(0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}")
        _check(eps[0] is None or 0.0 <= eps[0], f"epsilon1 should be >= 0 but is: {eps[0]}")
        _check(0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}")
        _check(1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}")
        _check(0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": eps,
            "d": d,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, wd, d = _scalar(group["lr"]), group["weight_decay"], group["d"]
            eps1, eps2 = group["eps"]
            for p, grad in self._params_with_grad(group):
                theta = p._data
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    if grad.ndim > 1:
                        state["row_var"] = _state_tensor(grad[..., :1])
                        state["col_var"] = _state_tensor(grad[..., :1, :])
                    else:
                        state["variance"] = _state_tensor(grad)
                g = -grad if group["maximize"] else grad
                if eps1 is None:  # as PyTorch: the first parameter's dtype sets it for the group
                    eps1 = float(np.finfo(theta.dtype).eps)
                state["step"]._data += 1
                t = float(state["step"]._data)
                one_minus_beta2 = t ** group["beta2_decay"]
                rho = min(lr, 1 / t**0.5)
                alpha = max(eps2, _rms(theta)) * rho
                if wd != 0:
                    theta *= 1 - lr * wd
                if g.ndim > 1:
                    row, col = state["row_var"]._data, state["col_var"]._data
                    _lerp(row, _norm(g, -1) ** 2 / g.shape[-1], one_minus_beta2)
                    _lerp(col, _norm(g, -2) ** 2 / g.shape[-2], one_minus_beta2)
                    var = (row @ col) / np.maximum(row.mean(-2, keepdims=True), eps1)
                else:
                    var = state["variance"]._data
                    _lerp(var, g * g, one_minus_beta2)
                update = 1 / np.sqrt(np.maximum(var, eps1 * eps1)) * g
                denom = max(1.0, _rms(update) / d)
                theta += update * (-alpha / denom)
                self._written(p)
        return loss
