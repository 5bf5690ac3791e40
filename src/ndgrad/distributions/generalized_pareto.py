"""GeneralizedPareto(loc, scale, concentration)."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from .._creation import full_like, ones_like, zeros_like
from .._namespace import public_dir
from .._tensor import Tensor
from ..ops.pointwise import isclose
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, uniform

__all__ = ["GeneralizedPareto"]
__dir__ = public_dir(__name__)


class GeneralizedPareto(Distribution):
    """P(X > x) = (1 + ξz)^(-1/ξ) (e⁻ᶻ at ξ = 0), z = (x - loc) / scale, ξ = concentration;
    rsample by the inverse cdf"""

    arg_constraints: ClassVar[dict[str, constraints.Constraint]] = {
        "loc": constraints.real,
        "scale": constraints.positive,
        "concentration": constraints.real,
    }
    has_rsample = True

    def __init__(
        self, loc: Any, scale: Any, concentration: Any, validate_args: bool | None = None
    ) -> None:
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        super().__init__(self.loc.shape, validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        return self.icdf(Tensor._make(uniform(shape, self.loc)))

    def _safe(self) -> tuple[Tensor, Tensor]:
        c = self.concentration
        eq_zero = isclose(c, zeros_like(c))
        return eq_zero, ones_like(c).where(eq_zero, c)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        eq_zero, safe = self._safe()
        y = 1 / safe + ones_like(z)
        where_nonzero = y.where(y == 0, y * (safe * z).log1p())
        return -self.scale.log() - z.where(eq_zero, where_nonzero)

    def log_survival_function(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        eq_zero, safe = self._safe()
        return (-z).where(eq_zero, -(safe * z).log1p() / safe)

    def log_cdf(self, value: Tensor) -> Tensor:
        return (-self.log_survival_function(value).exp()).log1p()

    def cdf(self, value: Tensor) -> Tensor:
        return self.log_cdf(value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        eq_zero, safe = self._safe()
        logu = (-value).log1p()
        where_nonzero = self.loc + self.scale / safe * (-safe * logu).expm1()
        where_zero = self.loc - self.scale * logu
        return where_zero.where(eq_zero, where_nonzero)

    @property
    def mean(self) -> Tensor:
        valid = self.concentration < 1
        safe = self.concentration.where(valid, full_like(self.concentration, 0.5))
        result = self.loc + self.scale / (1 - safe)
        return result.where(valid, full_like(result, math.nan))

    @property
    def variance(self) -> Tensor:
        valid = self.concentration < 0.5
        safe = self.concentration.where(valid, full_like(self.concentration, 0.25))
        result = self.scale**2 / ((1 - safe) ** 2 * (1 - 2 * safe))
        return result.where(valid, full_like(result, math.nan))

    def entropy(self) -> Tensor:
        ans = self.scale.log() + self.concentration + 1
        return ans.expand((*self._batch_shape,))

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def support(self) -> Any:
        lower = self.loc
        c = self.concentration
        upper = (lower - self.scale / c).where(c < 0, full_like(lower, math.inf))
        return constraints.interval(lower, upper)
