"""LKJCholesky(dim, concentration): Cholesky factors of LKJ-distributed correlation matrices."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .._namespace import public_dir
from .._tensor import Size, Tensor
from ..autograd.grad_mode import no_grad
from ..ops.out import arange, cat, mvlgamma
from . import constraints
from .beta import Beta
from .distribution import Distribution
from .utils import broadcast_all, normal

__all__ = ["LKJCholesky"]
__dir__ = public_dir(__name__)


class LKJCholesky(Distribution):
    """L with L Lᵀ ~ LKJ(concentration): p(L) ∝ Π_{i≥2} L_ii^(dim - i + 2(η - 1)); sampled by the
    onion method (Lewandowski, Kurowicka and Joe 2009): row i is √yᵢ times a uniform direction,
    yᵢ ~ Beta(i/2, η + (dim - 2 - i)/2), its diagonal entry completing the unit norm"""

    arg_constraints: ClassVar[dict[str, constraints.Constraint]] = {
        "concentration": constraints.positive
    }
    support = constraints.corr_cholesky

    def __init__(
        self, dim: int, concentration: Any = 1.0, validate_args: bool | None = None
    ) -> None:
        if dim < 2:
            raise ValueError(
                f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}."
            )
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        marginal_conc = self.concentration + 0.5 * (self.dim - 2)
        offset = arange(self.dim - 1, dtype=self.concentration.dtype)
        offset = cat([offset.new_zeros((1,)), offset])
        self._beta = Beta(offset + 0.5, marginal_conc.unsqueeze(-1) - 0.5 * offset)
        super().__init__(self.concentration.shape, (dim, dim), validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        new = super().expand(batch_shape, _instance)
        new.dim = self.dim
        new._beta = self._beta.expand((*batch_shape, self.dim))
        return new

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            shape = tuple(self._extended_shape(sample_shape))
            u_normal = Tensor._make(normal(shape, y)).tril(-1)
            norm = u_normal.pow(2).sum(-1, keepdim=True).sqrt()
            u_hypersphere = (u_normal / norm)._data.copy()
            u_hypersphere[..., 0, :] = 0.0  # the first row is (1, 0, ...): 0/0 above
            w = y.sqrt() * Tensor._make(u_hypersphere)
            tiny = float(np.finfo(w._data.dtype).tiny)
            diag = (1 - w.pow(2).sum(-1)).clamp(min=tiny).sqrt()
            return w + diag.diag_embed()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diag_elems = value.diagonal(0, -1, -2)[..., 1:]
        order = arange(2, self.dim + 1)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = (order * diag_elems.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        denominator = alpha.lgamma() * dm1
        numerator = mvlgamma(alpha - 0.5, dm1)
        pi_constant = 0.5 * dm1 * math.log(math.pi)
        return unnormalized - (pi_constant + numerator - denominator)

    @property
    def param_shape(self) -> Size:
        return self.concentration.size()
