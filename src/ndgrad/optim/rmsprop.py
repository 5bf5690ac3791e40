"""RMSprop, optionally centered and with momentum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .adam import _lerp
from .optimizer import Optimizer, _check, _check_lr, _state_tensor, _step_tensor

__all__ = ["RMSprop"]
__dir__ = public_dir(__name__)


class RMSprop(Optimizer):
    """v ← αv + (1-α)g²; d = √(v - ḡ²) (centered) or √v, plus ε; θ ← θ - lr·g/d (or momentum)"""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _check(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            wd, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p, grad in self._params_with_grad(group):
                theta = p._data
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _state_tensor(theta)
                    if momentum > 0:
                        state["momentum_buffer"] = _state_tensor(theta)
                    if centered:
                        state["grad_avg"] = _state_tensor(theta)
                g = -grad if group["maximize"] else grad
                state["step"]._data += 1
                if wd != 0:
                    g = g + wd * theta
                v = state["square_avg"]._data
                v *= alpha
                v += (1 - alpha) * g * g
                if centered:
                    gbar = state["grad_avg"]._data
                    _lerp(gbar, g, 1 - alpha)
                    avg = np.sqrt(v + -1 * gbar * gbar)
                else:
                    avg = np.sqrt(v)
                avg += eps
                if momentum > 0:
                    buf = state["momentum_buffer"]._data
                    buf *= momentum
                    buf += g / avg
                    theta -= lr * buf
                else:
                    theta += -lr * (g / avg)
                self._written(p)
        return loss
