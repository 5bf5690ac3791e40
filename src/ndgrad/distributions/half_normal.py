"""HalfNormal(scale) = |Normal(0, scale)|."""

from __future__ import annotations

import math
from typing import Any

from .._namespace import public_dir
from .._tensor import Tensor
from .half_cauchy import _Half
from .normal import Normal
from .transforms import AbsTransform

__all__ = ["HalfNormal"]
__dir__ = public_dir(__name__)


class HalfNormal(_Half):
    """|Normal(0, scale)|"""

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        base = Normal(0, scale, validate_args=False)
        super().__init__(base, AbsTransform(), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self) -> Tensor:
        return self.scale.pow(2) * (1 - 2 / math.pi)
