"""``Variable``: PyTorch's pre-0.4 wrapper, kept so old scripts run.

Since PyTorch 0.4 a Variable is a Tensor: ``Variable(t, requires_grad=True)`` returns a tensor
on ``t``'s storage with ``requires_grad`` set, and every tensor is an instance of ``Variable``.
"""

from __future__ import annotations

from typing import Any

from .._creation import tensor
from .._namespace import public_dir
from .._tensor import Tensor

__all__ = ["Variable"]
__dir__ = public_dir(__name__)


class _VariableMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor)

    def __call__(cls, data: Any = None, requires_grad: bool = False, volatile: bool = False) -> Any:
        if data is None:
            return tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        alias = data.detach()
        alias.requires_grad = requires_grad
        return alias


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False)``: a tensor on the same storage (see module doc)."""
