"""Adagrad with learning-rate decay and weight decay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .optimizer import Optimizer, _check, _check_fused, _check_lr, _state_tensor, _step_tensor

__all__ = ["Adagrad"]
__dir__ = public_dir(__name__)


class Adagrad(Optimizer):
    """s ← s + g²; θ ← θ - lr/(1 + (t-1)·decay) · g / (√s + ε)"""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_lr(lr)
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _check(
            0.0 <= initial_accumulator_value,
            f"Invalid initial_accumulator_value value: {initial_accumulator_value}",
        )
        _check(0.0 <= eps, f"Invalid epsilon value: {eps}")
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)
        # Adagrad's state exists from the start, as in PyTorch.
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["step"] = _step_tensor()
                self.state[p]["sum"] = _state_tensor(p._data, initial_accumulator_value)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, lr_decay, eps, wd = (
                group["lr"],
                group["lr_decay"],
                group["eps"],
                group["weight_decay"],
            )
            for p, grad in self._params_with_grad(group):
                theta = p._data
                state = self.state[p]
                state["step"]._data += 1
                step = float(state["step"]._data)
                g = -grad if group["maximize"] else grad
                if wd != 0:
                    g = g + wd * theta
                clr = lr / (1 + (step - 1) * lr_decay)
                s = state["sum"]._data
                s += g * g
                std = np.sqrt(s) + eps
                theta += -clr * (g / std)
                self._written(p)
        return loss
