"""Dirichlet(concentration) over the simplex of the last dim."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .._namespace import public_dir
from .._random import _dirichlet_np
from .._tensor import Tensor
from ..nn.functional import one_hot
from ..ops.arithmetic import NumpyFunction
from . import constraints
from ._special import torch_standard_gamma_grad
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]
__dir__ = public_dir(__name__)


class SampleDirichlet(NumpyFunction):
    """x = torch._sample_dirichlet(α): gammas gᵢ ~ Gamma(αᵢ, 1) drawn in double, x = g / Σg.
    Backward: through the gammas, each by its implicit derivative dgᵢ/dαᵢ (PyTorch's
    approximation of it, _standard_gamma_grad),
    ∂L/∂αⱼ = dgⱼ/dαⱼ (gradⱼ - Σᵢ gradᵢ xᵢ) / Σg"""

    node_name = "_DirichletBackward"  # PyTorch's custom Function (_Dirichlet) node

    @staticmethod
    def forward(ctx: Any, alpha: np.ndarray) -> np.ndarray:
        x, g, total = _dirichlet_np(alpha)
        ctx.alpha, ctx.g, ctx.total, ctx.x = alpha, g, total, x
        return x

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        dg_da = torch_standard_gamma_grad(ctx.alpha.astype(np.float64), ctx.g)
        gd = grad._data.astype(np.float64)
        inner = (gd * ctx.x).sum(-1, keepdims=True)
        out = dg_da * (gd - inner) / ctx.total
        return (Tensor._make(out.astype(ctx.x.dtype)),)


class Dirichlet(ExponentialFamily):
    """p(x) = Γ(Σα) / ΠΓ(αᵢ) · Π xᵢ^(αᵢ-1); rsample = g / Σg with gᵢ ~ Gamma(αᵢ, 1) (PyTorch's
    torch._sample_dirichlet), reparameterised through the gammas' implicit derivatives"""

    arg_constraints: ClassVar[dict[str, constraints.Constraint]] = {
        "concentration": constraints.independent(constraints.positive, 1)
    }
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Tensor, validate_args: bool | None = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        shape = concentration.shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        return SampleDirichlet.apply(self.concentration.expand((*shape,)))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return (c - 1.0).xlogy(value).sum(-1) + c.sum(-1).lgamma() - c.lgamma().sum(-1)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self) -> Tensor:
        cm1 = (self.concentration - 1).clamp(min=0.0)
        mode = cm1 / cm1.sum(-1, True)
        # all concentrations below 1: a vertex, written by index as PyTorch (IndexPutBackward0)
        mask = (self.concentration < 1).all(dim=-1)
        mode[mask] = one_hot(mode[mask].argmax(dim=-1), cm1.shape[-1]).to(mode)
        return mode

    @property
    def variance(self) -> Tensor:
        c0 = self.concentration.sum(-1, True)
        return self.concentration * (c0 - self.concentration) / (c0.pow(2) * (c0 + 1))

    def entropy(self) -> Tensor:
        c = self.concentration
        k = c.size(-1)
        a0 = c.sum(-1)
        return (
            c.lgamma().sum(-1)
            - a0.lgamma()
            - (k - a0) * a0.digamma()
            - ((c - 1.0) * c.digamma()).sum(-1)
        )

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.concentration,)

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        (x,) = natural_params
        return x.lgamma().sum(-1) - x.sum(-1).lgamma()
