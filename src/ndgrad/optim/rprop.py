"""Rprop: per-element step sizes grown or shrunk by the sign agreement of successive gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .optimizer import Optimizer, _check, _check_lr, _state_tensor, _step_tensor

__all__ = ["Rprop"]
__dir__ = public_dir(__name__)


class Rprop(Optimizer):
    """s ← clamp(s·η₊ where g·g_prev > 0, s·η₋ where < 0, s where = 0); g ← 0 where the sign
    flipped; θ ← θ - sign(g)·s; g_prev ← g"""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(
            lr=lr,
            etas=etas,
            step_sizes=step_sizes,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            smin, smax = group["step_sizes"]
            for p, grad in self._params_with_grad(group):
                theta = p._data
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    state["prev"] = _state_tensor(theta)
                    state["step_size"] = _state_tensor(grad, group["lr"])
                g = -grad if group["maximize"] else grad
                state["step"]._data += 1
                prev, size = state["prev"]._data, state["step_size"]._data
                agree = np.sign(g * prev)
                factor = np.where(agree > 0, etaplus, np.where(agree < 0, etaminus, 1.0))
                size *= factor.astype(size.dtype)
                np.clip(size, smin, smax, out=size)
                g = np.where(agree < 0, 0, g).astype(theta.dtype)
                theta += -np.sign(g) * size
                prev[...] = g
                self._written(p)
        return loss
