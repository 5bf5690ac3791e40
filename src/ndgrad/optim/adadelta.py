"""Adadelta: steps scaled by the ratio of running RMS of updates and of gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .optimizer import Optimizer, _check, _check_lr, _state_tensor, _step_tensor

__all__ = ["Adadelta"]
__dir__ = public_dir(__name__)


class Adadelta(Optimizer):
    """v ← ρv + (1-ρ)g²; Δ = √(u + ε)/√(v + ε) · g; u ← ρu + (1-ρ)Δ²; θ ← θ - lr·Δ"""

    def __init__(
        self,
        params: Any,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr,
            rho=rho,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            capturable=capturable,
            foreach=foreach,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
            for p, grad in self._params_with_grad(group):
                theta = p._data
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _state_tensor(theta)
                    state["acc_delta"] = _state_tensor(theta)
                state["step"]._data += 1
                g = -grad if group["maximize"] else grad
                if wd != 0:
                    g = g + wd * theta
                v, u = state["square_avg"]._data, state["acc_delta"]._data
                v *= rho
                v += (1 - rho) * g * g
                delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
                u *= rho
                u += (1 - rho) * delta * delta
                theta += -lr * delta
                self._written(p)
        return loss
