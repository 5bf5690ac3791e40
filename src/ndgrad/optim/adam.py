"""Adam and AdamW (decoupled weight decay), with amsgrad and maximize."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .._tensor import Tensor
from .optimizer import Optimizer, _check, _check_fused, _check_lr, _state_tensor, _step_tensor

__all__ = ["Adam", "AdamW"]
__dir__ = public_dir(__name__)


def _lerp(a: np.ndarray, b: np.ndarray, w: float) -> None:
    """a ← a + w(b - a), in place, the way PyTorch's lerp rounds (from b when w ≥ 0.5)."""
    if w < 0.5:
        a += w * (b - a)
    else:
        a[...] = b - (b - a) * (1 - w)


class Adam(Optimizer):
    """m ← β₁m + (1-β₁)g; v ← β₂v + (1-β₂)g²; θ ← θ - lr/(1-β₁ᵗ) · m / (√v/√(1-β₂ᵗ) + ε)"""

    _decoupled = False

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor):
            _check(
                not (foreach and not capturable),
                "lr as a Tensor is not supported for capturable=False and foreach=True",
            )
            _check_lr(lr)
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor)),
            "betas must be either both floats or both Tensors",
        )
        for i, beta in enumerate(betas[:2]):
            if isinstance(beta, Tensor):
                _check(
                    capturable or not foreach,
                    f"betas[{i}] as a Tensor is not supported for capturable=False and "
                    "foreach=True",
                )
                _check(beta.numel() == 1, f"Tensor betas[{i}] must be 1-element")
        if decoupled_weight_decay is None:
            decoupled_weight_decay = self._decoupled
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            wd, amsgrad = group["weight_decay"], group["amsgrad"]
            decoupled = group["decoupled_weight_decay"]
            for p, grad in self._params_with_grad(group):
                theta = p._data
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _state_tensor(theta)
                    state["exp_avg_sq"] = _state_tensor(theta)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _state_tensor(theta)
                g = -grad if group["maximize"] else grad
                state["step"]._data += 1
                if wd != 0:
                    if decoupled:
                        theta *= 1 - lr * wd
                    else:
                        g = g + wd * theta
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                _lerp(m, g, 1 - beta1)
                v *= beta2
                v += (1 - beta2) * g * g
                step = float(state["step"]._data)
                bias_correction1 = 1 - beta1**step
                bias_correction2_sqrt = (1 - beta2**step) ** 0.5
                step_size = lr / bias_correction1
                if amsgrad:
                    vmax = state["max_exp_avg_sq"]._data
                    np.maximum(vmax, v, out=vmax)
                    denom = np.sqrt(vmax) / bias_correction2_sqrt + eps
                else:
                    denom = np.sqrt(v) / bias_correction2_sqrt + eps
                theta += -step_size * (m / denom)
                self._written(p)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ(1 - lr·λ) before the Adam update"""

    _decoupled = True

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
