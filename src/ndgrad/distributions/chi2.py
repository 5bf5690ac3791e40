"""Chi2(df) = Gamma(df / 2, 1 / 2)."""

from __future__ import annotations

from typing import Any, ClassVar

from .._namespace import public_dir
from .._tensor import Tensor
from . import constraints
from .gamma import Gamma

__all__ = ["Chi2"]
__dir__ = public_dir(__name__)


class Chi2(Gamma):
    """χ²(df), the Gamma(df/2, rate 1/2)"""

    arg_constraints: ClassVar[dict[str, constraints.Constraint]] = {"df": constraints.positive}
    _expand_extra = ("concentration", "rate")

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    @property
    def df(self) -> Tensor:
        return self.concentration * 2
