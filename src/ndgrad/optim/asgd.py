"""ASGD: SGD with a decaying step and a running (Polyak) average of the iterates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._namespace import public_dir
from ..dtypes import get_default_dtype
from .optimizer import Optimizer, _check, _check_lr, _state_tensor, _step_tensor

__all__ = ["ASGD"]
__dir__ = public_dir(__name__)


class ASGD(Optimizer):
    """θ ← θ(1 - λη) - η g; ax ← ax + μ(θ - ax) (ax = θ while μ = 1);
    η ← lr / (1 + λ·lr·t)^α; μ ← 1 / max(1, t - t₀)"""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_lr(lr)
        _check(0.0 <= lr, f"Invalid learning rate: {lr}")
        _check(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr,
            lambd=lambd,
            alpha=alpha,
            t0=t0,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
            wd = group["weight_decay"]
            for p, grad in self._params_with_grad(group):
                theta = p._data
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    # eta and mu are scalars in the step's dtype (float32), as PyTorch keeps them
                    state["eta"] = _step_tensor()
                    state["eta"]._data[...] = lr
                    state["mu"] = _step_tensor()
                    state["mu"]._data[...] = 1.0
                    state["ax"] = _state_tensor(theta)
                g = -grad if group["maximize"] else grad
                state["step"]._data += 1
                if wd != 0:
                    g = g + wd * theta
                eta = float(state["eta"]._data)
                theta *= 1 - lambd * eta
                theta += -eta * g
                mu = state["mu"]._data
                ax = state["ax"]._data
                if float(mu) != 1:
                    ax += (theta - ax) * mu.astype(ax.dtype)
                else:
                    ax[...] = theta
                step = float(state["step"]._data)
                # PyTorch copies torch.as_tensor(value) in: a tensor of the default dtype, so the
                # value is rounded to it even when eta and mu are float64 (after load_state_dict)
                rounded = get_default_dtype().np.type
                state["eta"]._data[...] = rounded(lr / ((1 + lambd * lr * step) ** alpha))
                state["mu"]._data[...] = rounded(1 / max(1, step - t0))
                self._written(p)
        return loss
