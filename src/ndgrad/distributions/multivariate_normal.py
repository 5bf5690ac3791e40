"""MultivariateNormal(loc, covariance_matrix | precision_matrix | scale_tril)."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from .._namespace import public_dir
from .._queries import broadcast_shapes
from .._tensor import Size, Tensor
from ..linalg import cholesky, inv, solve_triangular
from . import constraints
from .distribution import Distribution, lazy_property
from .utils import normal

__all__ = ["MultivariateNormal"]
__dir__ = public_dir(__name__)


def _batch_mahalanobis(bL: Tensor, bx: Tensor) -> Tensor:
    """‖L⁻¹ x‖² over the last dim, L lower triangular (batch dims broadcast)."""
    n = bx.shape[-1]
    shape = np.broadcast_shapes(tuple(bL.shape[:-2]), tuple(bx.shape[:-1]))
    L = bL.expand((*shape, n, n))
    x = bx.expand((*shape, n)).unsqueeze(-1)
    return solve_triangular(L, x, upper=False).squeeze(-1).pow(2).sum(-1)


class MultivariateNormal(Distribution):
    """N(loc, Σ) with Σ = L Lᵀ; rsample = loc + L ε"""

    arg_constraints: ClassVar[dict[str, constraints.Constraint]] = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self,
        loc: Tensor,
        covariance_matrix: Tensor | None = None,
        precision_matrix: Tensor | None = None,
        scale_tril: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        matrix = given[0]
        if matrix.ndim < 2:
            raise ValueError(
                "scale_tril matrix must be at least two-dimensional, with optional leading "
                "batch dimensions"
                if scale_tril is not None
                else "covariance_matrix must be at least two-dimensional, with optional "
                "leading batch dimensions"
                if covariance_matrix is not None
                else "precision_matrix must be at least two-dimensional, with optional leading "
                "batch dimensions"
            )
        # Size slices, as PyTorch passes: its error message prints them
        batch_shape = tuple(broadcast_shapes(Size(matrix.shape[:-2]), Size(loc.shape[:-1])))
        n = loc.shape[-1]
        if scale_tril is not None:
            self.scale_tril = scale_tril.expand((*batch_shape, -1, -1))
        elif covariance_matrix is not None:
            self.covariance_matrix = covariance_matrix.expand((*batch_shape, -1, -1))
        else:
            assert precision_matrix is not None
            self.precision_matrix = precision_matrix.expand((*batch_shape, -1, -1))
        self.loc = loc.expand((*batch_shape, n))
        # the parameters are validated before the factorisation, as PyTorch's: a matrix that is
        # not positive definite gets the constraint's ValueError, not cholesky's LinAlgError
        super().__init__(batch_shape, (n,), validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = cholesky(covariance_matrix)
        else:
            assert precision_matrix is not None
            self._unbroadcasted_scale_tril = cholesky(inv(precision_matrix))

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        new = super().expand(batch_shape, _instance)
        # the factor stays unbroadcast, as PyTorch's: it broadcasts in every formula
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        return new

    @lazy_property
    def scale_tril(self) -> Tensor:
        n = self._event_shape[0]
        return self._unbroadcasted_scale_tril.expand((*self._batch_shape, n, n))

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        L = self._unbroadcasted_scale_tril
        n = self._event_shape[0]
        return (L @ L.mT).expand((*self._batch_shape, n, n))

    @lazy_property
    def precision_matrix(self) -> Tensor:
        return inv(self.covariance_matrix)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        L = self._unbroadcasted_scale_tril
        return L.pow(2).sum(-1).expand((*self._batch_shape, *self._event_shape))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = tuple(self._extended_shape(sample_shape))
        eps = Tensor._make(normal(shape, self.loc))
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        M = _batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        half_log_det = self._unbroadcasted_scale_tril.diagonal(0, -2, -1).log().sum(-1)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - half_log_det

    def entropy(self) -> Tensor:
        half_log_det = self._unbroadcasted_scale_tril.diagonal(0, -2, -1).log().sum(-1)
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        return H if not self._batch_shape else H.expand((*self._batch_shape,))

    def __repr__(self) -> str:
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(f"{p}: {self.__dict__[p].size()}" for p in names)
        return f"MultivariateNormal({args})"
