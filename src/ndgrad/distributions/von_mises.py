"""VonMises(loc, concentration): a circular normal on [-π, π)."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from .._creation import zeros
from .._namespace import public_dir
from .._random import rand
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..dtypes import bool as bool_
from ..dtypes import float64
from ..ops.out import where
from . import constraints
from .distribution import Distribution, lazy_property
from .utils import broadcast_all

__all__ = ["VonMises"]
__dir__ = public_dir(__name__)

# Polynomial approximations of I₀ and I₁ (Abramowitz and Stegun 9.8.1-9.8.4): in (x/3.75)² below
# 3.75 and, scaled by eˣ/√x, in 3.75/x above; relative error below about 2e-7.
_I0_SMALL = [1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813]
_I0_LARGE = [0.39894228, 0.01328592, 0.00225319, -0.00157565, 0.00916281, -0.02057706,
             0.02635537, -0.01647633, 0.00392377]  # fmt: skip
_I1_SMALL = [0.5, 0.87890594, 0.51498869, 0.15084934, 0.02658733, 0.00301532, 0.00032411]
_I1_LARGE = [0.39894228, -0.03988024, -0.00362018, 0.00163801, -0.01031555, 0.02282967,
             -0.02895312, 0.01787654, -0.00420059]  # fmt: skip


def _eval_poly(y: Tensor, coef: list[float]) -> Tensor:
    result: Any = coef[-1]
    for c in reversed(coef[:-1]):
        result = c + y * result
    return result


def _log_modified_bessel_fn(x: Tensor, order: int = 0) -> Tensor:
    """log Iₙ(x) for n = 0 or 1, x > 0, differentiable through the polynomials"""
    small_coef, large_coef = (_I0_SMALL, _I0_LARGE) if order == 0 else (_I1_SMALL, _I1_LARGE)
    # each branch evaluated where it is valid only (clamped), then chosen
    xs, xl = x.clamp(max=3.75), x.clamp(min=3.75)
    small = _eval_poly((xs / 3.75).pow(2), small_coef)
    if order == 1:
        small = xs.abs() * small
    small = small.log()
    large = xl - 0.5 * xl.log() + _eval_poly(3.75 / xl, large_coef).log()
    return small.where(x < 3.75, large)


def _rejection_sample(loc: Tensor, kappa: Tensor, proposal_r: Tensor, x: Tensor) -> Tensor:
    """Best and Fisher's (1979) wrapped-Cauchy envelope in double, as PyTorch's
    ``_rejection_sample``: rounds of three uniforms per element until every element has accepted
    once; an element accepting again in a later round takes that round's value, as there."""
    done = zeros(x.shape, dtype=bool_)
    while not done.all():
        u1, u2, u3 = rand((3, *x.shape), dtype=float64).unbind()
        z = (math.pi * u1).cos()
        f = (1 + proposal_r * z) / (proposal_r + z)
        c = kappa * (proposal_r - f)
        accept = ((c * (2 - c) - u2) > 0) | ((c / u2).log() + 1 - c >= 0)
        if accept.any():
            x = where(accept, (u3 - 0.5).sign() * f.acos(), x)
            done = done | accept
    return (x + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(Distribution):
    """p(x) = e^(κ cos(x - loc)) / (2π I₀(κ)), κ = concentration"""

    arg_constraints: ClassVar[dict[str, constraints.Constraint]] = {
        "loc": constraints.real,
        "concentration": constraints.positive,
    }
    support = constraints.real
    has_rsample = False

    def __init__(self, loc: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, (), validate_args)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.concentration * (value - self.loc).cos()
        return (
            log_prob - math.log(2 * math.pi) - _log_modified_bessel_fn(self.concentration, order=0)
        )

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        with no_grad():
            kappa = self.concentration.to(float64)
            tau = 1 + (1 + 4 * kappa**2).sqrt()
            rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
            proposal_r = where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho**2) / (2 * rho))
            x = zeros(shape, dtype=float64)  # PyTorch's is torch.empty: every entry
            draws = _rejection_sample(self.loc.to(float64), kappa, proposal_r, x)  # is replaced
            return draws.to(self.loc.dtype)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @lazy_property
    def variance(self) -> Tensor:  # computed once and kept, as PyTorch's
        log_ratio = _log_modified_bessel_fn(self.concentration, 1) - _log_modified_bessel_fn(
            self.concentration, 0
        )
        return 1 - log_ratio.exp()
