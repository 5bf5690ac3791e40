"""Poisson(rate)."""

from __future__ import annotations

from typing import Any, ClassVar

from .._namespace import public_dir
from .._random import poisson
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..ops.out import xlogy
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Poisson"]
__dir__ = public_dir(__name__)


class Poisson(Distribution):
    """P(k) = rateᵏ e^(-rate) / k!"""

    arg_constraints: ClassVar[dict[str, constraints.Constraint]] = {"rate": constraints.nonnegative}
    support = constraints._IntegerGreaterThan(0)

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(self.rate.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        with no_grad():
            return poisson(self.rate.expand((*shape,)))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        # lgamma as an op, as PyTorch's: inf (not math's domain error) at negative integers, and
        # a gradient in the value
        return xlogy(value, rate) - rate - (value + 1).lgamma()
