"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .adam import _lerp
from .optimizer import Optimizer, _check, _check_lr, _state_tensor, _step_tensor

__all__ = ["NAdam"]
__dir__ = public_dir(__name__)


class NAdam(Optimizer):
    """μₜ = β₁(1 - ½·0.96^(t·ψ)); m, v as Adam; θ ← θ - lr[(1-μₜ)/(1-Πμ) g + μₜ₊₁/(1-Πμ·μₜ₊₁) m]
    / (√(v/(1-β₂ᵗ)) + ε)"""

    def __init__(
        self,
        params: Any,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
        _check(0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            wd, psi = group["weight_decay"], group["momentum_decay"]
            for p, grad in self._params_with_grad(group):
                theta = p._data
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    state["mu_product"] = _step_tensor()
                    state["mu_product"]._data += 1
                    state["exp_avg"] = _state_tensor(theta)
                    state["exp_avg_sq"] = _state_tensor(theta)
                g = -grad if group["maximize"] else grad
                state["step"]._data += 1
                step = float(state["step"]._data)
                bias_correction2 = 1 - beta2**step
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        theta *= 1 - lr * wd
                    else:
                        g = g + wd * theta
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
                # the product is kept in the step's dtype (float32), as PyTorch keeps it
                prod = state["mu_product"]._data
                prod *= np.asarray(mu, dtype=prod.dtype)
                mu_product = float(prod)
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                _lerp(m, g, 1 - beta1)
                v *= beta2
                v += (1 - beta2) * g * g
                denom = np.sqrt(v / bias_correction2) + eps
                theta += (-lr * (1.0 - mu) / (1.0 - mu_product)) * g / denom
                theta += (-lr * mu_next / (1.0 - mu_product * mu_next)) * m / denom
                self._written(p)
        return loss
