"""Optimizer: parameter groups, per-parameter state, zero_grad and state dicts, as PyTorch's.

Subclasses implement ``step``. Updates run in numpy directly on the parameters' storage (outside
autograd, as PyTorch's run under no_grad), in the same order of operations as PyTorch's
single-tensor implementations so the results agree to rounding.
"""

from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from ..dtypes import float64, get_default_dtype

__all__ = ["Optimizer", "required"]
__dir__ = public_dir(__name__)


class _RequiredParameter:
    def __repr__(self) -> str:
        return "<required parameter>"


required: Any = _RequiredParameter()


def _typename(obj: Any) -> str:
    if isinstance(obj, Tensor):
        return str(obj.type())
    return type(obj).__name__


class Optimizer:
    """Base class of the optimizers.

    ``params`` is an iterable of tensors or of dicts (parameter groups, each with ``"params"``
    and per-group settings that override ``defaults``).
    """

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_typename(params)}"
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is " + _typename(p)
                )
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)
        ids = [id(p) for p in param_group["params"]]
        if len(set(ids)) != len(ids):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, this "
                "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                UserWarning,
                stacklevel=3,
            )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if seen & set(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    grad = p._grad
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad.zero_()

    def _closure(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        raise NotImplementedError

    def _params_with_grad(self, group: dict[str, Any]) -> Iterable[tuple[Tensor, np.ndarray]]:
        """(param, gradient array) for the group's parameters that have a gradient."""
        for p in group["params"]:
            if p._grad is not None:
                yield p, p._grad._data

    @staticmethod
    def _written(p: Tensor) -> None:
        p._bump_version()

    # --- state dicts ---------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: state}, "param_groups": [...]}`` with parameters as indices."""
        mapping: dict[int, int] = {}
        groups = []
        index = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                if id(p) not in mapping:
                    mapping[id(p)] = index
                    index += 1
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = copy.deepcopy(state_dict)
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for ours, theirs in zip(self.param_groups, saved_groups, strict=True):
            if len(ours["params"]) != len(theirs["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    "of optimizer's group"
                )
        by_index = {
            i: p
            for ours, theirs in zip(self.param_groups, saved_groups, strict=True)
            for i, p in zip(theirs["params"], ours["params"], strict=True)
        }
        self.state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            param = by_index.get(key)
            if param is None:
                continue
            entry = {}
            for name, v in value.items():
                if isinstance(v, Tensor) and name != "step" and v.is_floating_point():
                    v = v.to(param.dtype)
                entry[name] = v
            self.state[param] = entry
        new_groups = []
        for ours, theirs in zip(self.param_groups, saved_groups, strict=True):
            theirs["params"] = ours["params"]
            new_groups.append(theirs)
        self.param_groups = new_groups

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}"
            for key in sorted(group):
                if key != "params":
                    text += f"\n    {key}: {group[key]}"
        return text + "\n)"

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def _state_tensor(like: np.ndarray, fill: float = 0.0) -> Tensor:
    return Tensor._make(np.full_like(like, fill))


def _scalar_np_dtype() -> type[np.floating[Any]]:
    """The dtype of step counters and scalar state: float64 when the default dtype is float64,
    else float32 (PyTorch's ``_get_scalar_dtype``)."""
    return np.float64 if get_default_dtype() is float64 else np.float32


def _step_tensor() -> Tensor:
    return Tensor._make(np.array(0.0, dtype=_scalar_np_dtype()))


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


def _check_lr(lr: Any) -> None:
    """PyTorch's first check: a tensor learning rate holds one value."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")


def _check_fused(fused: Any, foreach: Any, differentiable: Any) -> None:
    """The option conflicts PyTorch checks (after the groups are added) when fused is asked."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
