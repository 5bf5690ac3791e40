"""Wishart(df, covariance_matrix | precision_matrix | scale_tril)."""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from .._creation import tensor
from .._namespace import public_dir
from .._random import randn
from .._tensor import Size, Tensor
from ..linalg import cholesky, inv, slogdet
from ..ops.out import arange, cholesky_solve, eye, mvlgamma
from . import constraints
from .chi2 import Chi2
from .distribution import lazy_property
from .exp_family import ExponentialFamily

__all__ = ["Wishart"]
__dir__ = public_dir(__name__)

_LOG_2 = math.log(2)


def _mvdigamma(x: Tensor, p: int) -> Tensor:
    """Σ_{j<p} ψ(x - j/2), the derivative of mvlgamma(x, p)"""
    if not bool((x > (p - 1) / 2).all()):
        raise AssertionError("Wrong domain for multivariate digamma function.")
    return (x.unsqueeze(-1) - arange(p, dtype=x.dtype) / 2).digamma().sum(-1)


def _small_matmul(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` of p x p matrices summed over k from left to right, as PyTorch's CPU kernel for
    small batched products (fewer than 400 multiply-adds per matrix) sums them; numpy's matmul
    rounds differently."""
    p = a.shape[-1]
    if p**3 >= 400:
        return a @ b
    acc = a[..., :, 0:1] * b[..., 0:1, :]
    for k in range(1, p):
        acc = acc + a[..., :, k : k + 1] * b[..., k : k + 1, :]
    return acc


class Wishart(ExponentialFamily):
    """p(X) ∝ |X|^((ν-p-1)/2) e^(-tr(Σ⁻¹X)/2) on p×p positive definite X, ν = df;
    rsample by the Bartlett decomposition X = (L A)(L A)ᵀ, A lower triangular with
    √χ²(ν - i) diagonal (reparameterised) and N(0, 1) entries below it"""

    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self) -> dict[str, constraints.Constraint]:  # type: ignore[override]
        return {
            "covariance_matrix": constraints.positive_definite,
            "precision_matrix": constraints.positive_definite,
            "scale_tril": constraints.lower_cholesky,
            "df": constraints.greater_than(self.event_shape[-1] - 1),
        }

    def __init__(
        self,
        df: Any,
        covariance_matrix: Tensor | None = None,
        precision_matrix: Tensor | None = None,
        scale_tril: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise AssertionError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        param = given[0]
        if param.dim() < 2:
            raise ValueError(
                "scale_tril must be at least two-dimensional, with optional leading batch "
                "dimensions"
            )
        if isinstance(df, numbers.Number):
            batch_shape = tuple(param.shape[:-2])
            self.df = tensor(df, dtype=param.dtype)
        else:
            batch_shape = np.broadcast_shapes(tuple(param.shape[:-2]), tuple(df.shape))
            self.df = df.expand((*batch_shape,))
        p = param.shape[-1]
        event_shape = tuple(param.shape[-2:])
        if bool((self.df <= p - 1).any()):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        if scale_tril is not None:
            self.scale_tril = param.expand((*batch_shape, -1, -1))
        elif covariance_matrix is not None:
            self.covariance_matrix = param.expand((*batch_shape, -1, -1))
        else:
            self.precision_matrix = param.expand((*batch_shape, -1, -1))
        if bool((self.df < p).any()):
            warnings.warn(
                "Low df values detected. Singular samples are highly likely to occur for "
                "ndim - 1 < df < ndim.",
                stacklevel=2,
            )
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        self._batch_dims = [-(x + 1) for x in range(len(self._batch_shape))]
        self._set_scale_tril(scale_tril, covariance_matrix, precision_matrix)
        self._dist_chi2 = self._chi2(self.df, self._batch_shape)

    def _set_scale_tril(self, scale_tril: Any, covariance: Any, precision: Any) -> None:
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance is not None:
            self._unbroadcasted_scale_tril = cholesky(covariance)
        else:
            self._unbroadcasted_scale_tril = cholesky(inv(precision))

    def _chi2(self, df: Tensor, batch_shape: Any) -> Chi2:
        p = self._event_shape[-1]
        steps = arange(p, dtype=self._unbroadcasted_scale_tril.dtype).expand((*batch_shape, p))
        return Chi2(df.unsqueeze(-1) - steps)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        new = type(self).__new__(type(self)) if _instance is None else _instance
        batch_shape = Size(batch_shape)
        cov_shape = (*batch_shape, *self._event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand((*cov_shape,))
        new.df = self.df.expand((*batch_shape,))
        new._batch_dims = [-(x + 1) for x in range(len(batch_shape))]
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name].expand((*cov_shape,))
        ExponentialFamily.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._dist_chi2 = new._chi2(new.df, batch_shape)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand((*self._batch_shape, *self._event_shape))

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        L = self._unbroadcasted_scale_tril
        return (L @ L.mT).expand((*self._batch_shape, *self._event_shape))

    @lazy_property
    def precision_matrix(self) -> Tensor:
        L = self._unbroadcasted_scale_tril
        identity = eye(self._event_shape[-1], dtype=L.dtype)
        return cholesky_solve(identity, L).expand((*self._batch_shape, *self._event_shape))

    @property
    def mean(self) -> Tensor:
        return self.df.reshape((*self._batch_shape, 1, 1)) * self.covariance_matrix

    @property
    def mode(self) -> Tensor:
        factor = self.df - self.covariance_matrix.shape[-1] - 1
        factor = factor.masked_fill(factor <= 0, math.nan)
        return factor.reshape((*self._batch_shape, 1, 1)) * self.covariance_matrix

    @property
    def variance(self) -> Tensor:
        V = self.covariance_matrix
        diag_V = V.diagonal(0, -2, -1)
        outer = diag_V.unsqueeze(-1) * diag_V.unsqueeze(-2)
        return self.df.reshape((*self._batch_shape, 1, 1)) * (V.pow(2) + outer)

    def _bartlett_sampling(self, sample_shape: Any = ()) -> Tensor:
        p = self._event_shape[-1]
        eps = float(np.finfo(self._unbroadcasted_scale_tril._data.dtype).eps)
        noise = self._dist_chi2.rsample(sample_shape).sqrt().clamp(min=eps).diag_embed()
        rows, cols = np.tril_indices(p, -1)
        lower = randn((*tuple(sample_shape), *self._batch_shape, len(rows)), dtype=noise.dtype)
        noise[..., tensor(rows), tensor(cols)] = lower
        chol = _small_matmul(self._unbroadcasted_scale_tril, noise)
        return _small_matmul(chol, chol.transpose(-2, -1))

    def rsample(self, sample_shape: Any = (), max_try_correction: int | None = None) -> Tensor:
        """PyTorch's Bartlett draws and its redraws, step by step: PyTorch 2.13 marks the
        samples that pass its support check (positive definite ones) as singular at first, so a
        valid first draw is redrawn once (with the warning), as there."""
        max_try_correction = 10 if max_try_correction is None else max_try_correction
        sample_shape = tuple(sample_shape)
        sample = self._bartlett_sampling(sample_shape)
        batch_dims = [-(x + 1) for x in range(len(self._batch_shape))]
        is_singular = self.support.check(sample)
        if self._batch_shape:
            is_singular = is_singular.amax(batch_dims)
        if is_singular.any():
            warnings.warn("Singular sample detected.", stacklevel=2)
            for _ in range(max_try_correction):
                sample_new = self._bartlett_sampling(is_singular[is_singular].shape)
                sample[is_singular] = sample_new
                is_singular_new = ~self.support.check(sample_new)
                if self._batch_shape:
                    is_singular_new = is_singular_new.amax(batch_dims)
                is_singular[is_singular.clone()] = is_singular_new
                if not is_singular.any():
                    break
        return sample

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        nu = self.df
        p = self._event_shape[-1]
        L = self._unbroadcasted_scale_tril
        return (
            -nu * (p * _LOG_2 / 2 + L.diagonal(0, -2, -1).log().sum(-1))
            - mvlgamma(nu / 2, p=p)
            + (nu - p - 1) / 2 * slogdet(value)[1]
            - cholesky_solve(value, L).diagonal(0, -2, -1).sum(-1) / 2
        )

    def entropy(self) -> Tensor:
        nu = self.df
        p = self._event_shape[-1]
        L = self._unbroadcasted_scale_tril
        return (
            (p + 1) * (p * _LOG_2 / 2 + L.diagonal(0, -2, -1).log().sum(-1))
            + mvlgamma(nu / 2, p=p)
            - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p=p)
            + nu * p / 2
        )

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        p = self._event_shape[-1]
        return (-self.precision_matrix / 2, (self.df - p - 1) / 2)

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        x, y = natural_params
        p = self._event_shape[-1]
        return (y + (p + 1) / 2) * (-slogdet(-2 * x)[1] + _LOG_2 * p) + mvlgamma(
            y + (p + 1) / 2, p=p
        )
