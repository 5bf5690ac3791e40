"""Names PyTorch keeps for old code: ``nn.Container``, ``nn.NLLLoss2d``, ``nn.factory_kwargs``."""

from __future__ import annotations

import warnings
from typing import Any

from .._tensor import Tensor
from .loss import NLLLoss
from .module import Module

__all__ = ["Container", "NLLLoss2d", "factory_kwargs"]


class Container(Module):
    """Deprecated: a Module holding the modules given as keyword arguments."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        warnings.warn(
            "`nn.Container` is deprecated. All of its functionality is now implemented in "
            "`nn.Module`. Subclass that instead.",
            FutureWarning,
            stacklevel=2,
        )
        for key, value in kwargs.items():
            self.add_module(key, value)


class NLLLoss2d(NLLLoss):
    """Deprecated: NLLLoss under its old name for (N, C, H, W) input; the same loss."""

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: Any = None,
        ignore_index: int = -100,
        reduce: Any = None,
        reduction: str = "mean",
    ) -> None:
        if type(self) is NLLLoss2d:  # PyTorch warns for the class itself, not its subclasses
            warnings.warn(
                "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
                "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for "
                "more details.",
                FutureWarning,
                stacklevel=2,
            )
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


def factory_kwargs(kwargs: dict[str, Any] | None) -> dict[str, Any]:
    """The ``device``/``dtype``/``memory_format`` of ``kwargs``, merged with a nested
    ``factory_kwargs`` dict (each given once), as modules pass them to tensor factories."""
    if kwargs is None:
        return {}
    simple = {"device", "dtype", "memory_format"}
    expected = simple | {"factory_kwargs"}
    if not kwargs.keys() <= expected:
        raise TypeError(f"unexpected kwargs {kwargs.keys() - expected}")
    out = dict(kwargs.get("factory_kwargs", {}))
    for k in sorted(simple):
        if k in kwargs:
            if k in out:
                raise TypeError(f"{k} specified twice, in **kwargs and in factory_kwargs")
            out[k] = kwargs[k]
    return out
