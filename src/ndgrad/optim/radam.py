"""RAdam: Adam with the variance of its adaptive step rectified in the first steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .adam import _lerp
from .optimizer import Optimizer, _check, _check_lr, _state_tensor, _step_tensor

__all__ = ["RAdam"]
__dir__ = public_dir(__name__)


class RAdam(Optimizer):
    """ρ∞ = 2/(1-β₂) - 1, ρₜ = ρ∞ - 2tβ₂ᵗ/(1-β₂ᵗ); m̂ = m/(1-β₁ᵗ);
    θ ← θ - lr·m̂·rₜ·√(1-β₂ᵗ)/(√v + ε) when ρₜ > 5, else θ - lr·m̂"""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            decoupled_weight_decay=decoupled_weight_decay,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = (
                group["lr"],
                group["betas"],
                group["eps"],
                group["weight_decay"],
            )
            for p, grad in self._params_with_grad(group):
                theta = p._data
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _state_tensor(theta)
                    state["exp_avg_sq"] = _state_tensor(theta)
                g = -grad if group["maximize"] else grad
                state["step"]._data += 1
                step = float(state["step"]._data)
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        theta *= 1 - lr * wd
                    else:
                        g = g + wd * theta
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                _lerp(m, g, 1 - beta1)
                v *= beta2
                v += (1 - beta2) * g * g
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                m_hat = m / bias_correction1
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                if rho_t > 5.0:
                    rect = (
                        (rho_t - 4)
                        * (rho_t - 2)
                        * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    ) ** 0.5
                    adaptive = (bias_correction2**0.5) / (np.sqrt(v) + eps)
                    theta -= m_hat * lr * adaptive * rect
                else:
                    theta -= m_hat * lr
                self._written(p)
        return loss
