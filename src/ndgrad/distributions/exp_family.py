"""ExponentialFamily: p(x; θ) = exp(⟨t(x), θ⟩ - F(θ) + k(x)), with entropy from F by autograd."""

from __future__ import annotations

from typing import Any

from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd import grad
from .distribution import Distribution

__all__ = ["ExponentialFamily"]
__dir__ = public_dir(__name__)


class ExponentialFamily(Distribution):
    """The base of the exponential families: subclasses give the natural parameters θ, the log
    normalizer F and the mean carrier measure E[k(x)]; entropy is the Bregman identity
    H = F(θ) - ⟨θ, ∇F(θ)⟩ - E[k(x)] (Nielsen and Nock), with ∇F by autograd."""

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        result: Any = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = grad(lg_normal.sum(), nparams, create_graph=True)
        result = result + lg_normal
        for nparam, g in zip(nparams, gradients, strict=True):
            assert g is not None
            result = result - (nparam * g).reshape((*self._batch_shape, -1)).sum(-1)
        return result
