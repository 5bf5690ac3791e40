"""ndgrad.optim.swa_utils: weight averaging (SWA, EMA) with PyTorch's update rules.

``AveragedModel`` keeps a deep copy of a model (``self.module``) whose parameters are a running
average of the model's; ``n_averaged`` (an int64 buffer) counts the models averaged so far. The
first ``update_parameters`` copies the model; later ones apply the averaging function:

* default (no ``avg_fn``/``multi_avg_fn``): the equal average
  ``avg + (current - avg) / (n_averaged + 1)``, the formula PyTorch uses on the CPU;
* ``get_ema_multi_avg_fn(decay)``: ``avg.lerp_(current, 1 - decay)`` for floating point tensors;
* ``get_swa_multi_avg_fn()``: ``avg.lerp_(current, 1 / (n_averaged + 1))``, the weight rounded to
  float32 as PyTorch's tensor division rounds it.

Buffers are copied from the model at each update unless ``use_buffers=True``, which averages them
too. ``SWALR`` anneals each group's lr from its current value to ``swa_lr`` over
``anneal_epochs`` epochs (cosine or linear), then holds it; ``update_bn`` recomputes BatchNorm
running statistics with one pass over a loader.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any

from .._creation import tensor
from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..dtypes import int64
from ..nn.layers import _BatchNorm
from ..nn.module import Module
from .lr_scheduler import LRScheduler, _format_param, _warn_outside_step
from .optimizer import Optimizer

__all__ = [
    "SWALR",
    "AveragedModel",
    "get_ema_avg_fn",
    "get_ema_multi_avg_fn",
    "get_swa_avg_fn",
    "get_swa_multi_avg_fn",
    "update_bn",
]
__dir__ = public_dir(__name__)


def _is_inexact(t: Tensor) -> bool:
    return bool(t.is_floating_point() or t.is_complex())


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(
            f"Invalid decay value {decay} provided. Please provide a value in [0,1] range."
        )


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable[[list[Tensor], list[Tensor], Any], None]:
    """In-place EMA over lists of tensors: ``ema ← decay·ema + (1 − decay)·current``."""
    _check_decay(decay)

    def ema_update(ema_params: list[Tensor], current_params: list[Tensor], _: Any) -> None:
        with no_grad():
            if _is_inexact(ema_params[0]):
                for p_ema, p_model in zip(ema_params, current_params, strict=True):
                    p_ema.lerp_(p_model, 1 - decay)  # type: ignore[attr-defined]
            else:
                for p_ema, p_model in zip(ema_params, current_params, strict=True):
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable[[list[Tensor], list[Tensor], Any], None]:
    """In-place equal average over lists of tensors, ``n_averaged`` models averaged so far."""

    def swa_update(avg_params: list[Tensor], current_params: list[Tensor], num: Any) -> None:
        with no_grad():
            if _is_inexact(avg_params[0]):
                weight = 1 / (num + 1)
                w = float(weight.item()) if isinstance(weight, Tensor) else float(weight)
                for p_avg, p_model in zip(avg_params, current_params, strict=True):
                    p_avg.lerp_(p_model, w)  # type: ignore[attr-defined]
            else:
                for p_avg, p_model in zip(avg_params, current_params, strict=True):
                    diff = p_model - p_avg
                    if isinstance(num, Tensor):
                        p_avg.addcdiv_(diff, num + 1)  # type: ignore[attr-defined]
                    else:
                        p_avg.add_(diff, alpha=1.0 / (num + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable[[Tensor, Tensor, Any], Tensor]:
    """EMA of one tensor: returns ``decay·ema + (1 − decay)·current``."""
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable[[Tensor, Tensor, Any], Tensor]:
    """Equal average of one tensor: returns ``avg + (current − avg) / (n_averaged + 1)``."""

    def swa_update(avg_param: Tensor, current_param: Tensor, num_averaged: Any) -> Tensor:
        with no_grad():
            return avg_param + (current_param - avg_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A running average (SWA by default, or EMA with ``get_ema_multi_avg_fn``) of a model's
    parameters, kept in ``self.module``; calling it calls the averaged module."""

    n_averaged: Tensor

    def __init__(
        self,
        model: Module,
        device: Any = None,
        avg_fn: Callable[[Tensor, Tensor, Any], Tensor] | None = None,
        multi_avg_fn: Callable[[list[Tensor], list[Tensor], Any], None] | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Average ``model``'s parameters (and buffers with ``use_buffers``) into this one's."""
        mine: Iterable[Tensor]
        theirs: Iterable[Tensor]
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine = self.parameters()
            theirs = model.parameters()
        avg_list: list[Tensor] = []
        model_list: list[Tensor] = []
        first = bool(self.n_averaged == 0)
        with no_grad():
            for p_avg, p_model in zip(mine, theirs, strict=False):
                current = p_model.detach()
                avg_list.append(p_avg.detach())
                model_list.append(current)
                if first:
                    p_avg.detach().copy_(current)
            if not first:
                if self.avg_fn is None:
                    # PyTorch groups the tensors by device and dtype; on one device, by dtype
                    groups: dict[Any, tuple[list[Tensor], list[Tensor]]] = {}
                    for a, m in zip(avg_list, model_list, strict=True):
                        group = groups.setdefault(a.dtype, ([], []))
                        group[0].append(a)
                        group[1].append(m)
                    for group_avg, group_model in groups.values():
                        if self.multi_avg_fn is not None:
                            self.multi_avg_fn(group_avg, group_model, self.n_averaged)
                        else:  # the CPU has no foreach kernels in PyTorch: one tensor at a time
                            swa = get_swa_avg_fn()
                            for a, m in zip(group_avg, group_model, strict=True):
                                a.copy_(swa(a, m, self.n_averaged))
                else:
                    for a, m in zip(avg_list, model_list, strict=True):
                        a.detach().copy_(self.avg_fn(a.detach(), m, self.n_averaged))
            if not self.use_buffers:
                for b_avg, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                    b_avg.detach().copy_(b_model.detach())
            self.n_averaged += 1


def update_bn(loader: Iterable[Any], model: Module, device: Any = None) -> None:
    """Recompute the running statistics of ``model``'s BatchNorm layers with one pass over
    ``loader`` (each batch a tensor, or a list/tuple whose first element is the input)."""
    with no_grad():
        momenta: dict[Module, Any] = {}
        for module in model.modules():
            if isinstance(module, _BatchNorm):
                module.reset_running_stats()
                momenta[module] = module.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for module in momenta:
            module.momentum = None
        for batch in loader:
            if isinstance(batch, list | tuple):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to ``swa_lr`` over ``anneal_epochs`` epochs ('cos' or 'linear'),
    then keep it there."""

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: Any,
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for value, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = value
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def get_lr(self) -> list[float]:
        _warn_outside_step(self)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        groups = self.optimizer.param_groups
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [
            g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, prev_lrs, strict=True)
        ]

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
