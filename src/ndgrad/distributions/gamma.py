"""Gamma(concentration, rate), its reparameterised sampler standard_gamma, and gammainc."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .._creation import as_tensor
from .._namespace import public_dir
from .._random import Generator, _standard_gamma_np
from .._tensor import Tensor
from ..ops.arithmetic import NumpyFunction
from . import constraints
from ._special import gammainc as _gammainc_values
from ._special import torch_standard_gamma_grad
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Gamma"]
__dir__ = public_dir(__name__)


class StandardGamma(NumpyFunction):
    """x ~ Gamma(α, 1), drawn before the call; dx/dα by implicit reparameterisation (the quantile
    held fixed), as PyTorch's _standard_gamma_grad approximates it"""

    @staticmethod
    def forward(ctx: Any, alpha: np.ndarray, draws: np.ndarray) -> np.ndarray:
        ctx.alpha, ctx.draws = alpha, draws
        return draws

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        dx_da = torch_standard_gamma_grad(ctx.alpha, ctx.draws)
        return grad * Tensor._make(dx_da), None


def standard_gamma(alpha: Tensor, generator: Generator | None = None) -> Tensor:
    """``torch._standard_gamma``: one Gamma(α, 1) draw per element of alpha, PyTorch's sampler
    on PyTorch's stream, clamped up to the dtype's smallest normal number; differentiable in
    alpha (by the implicit gradient)."""
    draws = _standard_gamma_np(alpha._data, generator)
    return StandardGamma.apply(alpha, draws)


def standard_gamma_grad(input: Tensor, output: Tensor) -> Tensor:
    """``torch._standard_gamma_grad(alpha, x)``: PyTorch's approximation of dx/dα for x drawn
    from Gamma(α, 1) (a Taylor series, a saddle point expansion or a rational fit)."""
    return Tensor._make(torch_standard_gamma_grad(input._data, output._data))


class Gammainc(NumpyFunction):
    """y = P(a, x) = γ(a, x) / Γ(a); ∂y/∂x = xᵃ⁻¹ e⁻ˣ / Γ(a) (differentiable again);
    ∂y/∂a by a central difference of P (first order only: PyTorch has no a-gradient at all)"""

    node_name = "IgammaBackward0"  # torch.special.gammainc is torch.igamma

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, x)
        return _gammainc_values(a, x).astype(np.result_type(a, x))

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        a, x = ctx.saved_tensors
        density = ((a - 1) * x.clamp(min=0).log() - x - a.lgamma()).exp().masked_fill(x <= 0, 0.0)
        a64, x64 = np.broadcast_arrays(a._data.astype(np.float64), x._data.astype(np.float64))
        h = 1e-4 * a64
        dp_da = (_gammainc_values(a64 + h, x64) - _gammainc_values(a64 - h, x64)) / (2 * h)
        ga = grad * Tensor._make(dp_da.astype(np.result_type(a._data, x._data)))
        return _unbroadcast(ga, tuple(a.shape)), _unbroadcast(grad * density, tuple(x.shape))


def _unbroadcast(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(tuple(range(extra)))
    dims = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(dims, keepdim=True) if dims else g


def gammainc(a: Tensor, x: Tensor) -> Tensor:
    """The regularised lower incomplete gamma P(a, x), as torch.special.gammainc."""
    return Gammainc.apply(a, x)


class Gamma(ExponentialFamily):
    """p(x) = rateᶜ xᶜ⁻¹ e^(-rate·x) / Γ(c), c = concentration;
    rsample = standard_gamma(c) / rate"""

    arg_constraints: ClassVar[dict[str, constraints.Constraint]] = {
        "concentration": constraints.positive,
        "rate": constraints.positive,
    }
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self.concentration.shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        value = standard_gamma(self.concentration.expand((*shape,))) / self.rate.expand((*shape,))
        tiny = float(np.finfo(value._data.dtype).tiny)
        np.maximum(value._data, tiny, out=value._data)  # as PyTorch: the value only, not the graph
        return value

    def log_prob(self, value: Any) -> Tensor:
        value = as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        c, rate = self.concentration, self.rate
        return c.xlogy(rate) + (c - 1).xlogy(value) - rate * value - c.lgamma()

    def entropy(self) -> Tensor:
        c = self.concentration
        return c - self.rate.log() + c.lgamma() + (1.0 - c) * c.digamma()

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        x, y = natural_params
        return (x + 1).lgamma() + (x + 1) * (-y.reciprocal()).log()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)
