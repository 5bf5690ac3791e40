"""Invertible transforms with log|det J|, for TransformedDistribution."""

from __future__ import annotations

import math
from typing import Any

from .._tensor import Tensor
from . import constraints

__all__ = [
    "AffineTransform",
    "ComposeTransform",
    "ExpTransform",
    "SigmoidTransform",
    "TanhTransform",
    "Transform",
]


class Transform:
    """y = f(x) with its inverse and log|dy/dx| (elementwise unless event_dim says otherwise)"""

    domain: Any = constraints.real
    codomain: Any = constraints.real
    bijective = True
    sign = 1

    def __call__(self, x: Tensor) -> Tensor:
        return self._call(x)

    def inv(self, y: Tensor) -> Tensor:
        return self._inverse(y)

    def _call(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def _inverse(self, y: Tensor) -> Tensor:
        raise NotImplementedError

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        raise NotImplementedError

    @property
    def event_dim(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    def __hash__(self) -> int:
        return hash(type(self))

    def __repr__(self) -> str:
        return type(self).__name__ + "()"


class ExpTransform(Transform):
    """y = eˣ; log|J| = x"""

    codomain = constraints.positive

    def _call(self, x: Tensor) -> Tensor:
        return x.exp()

    def _inverse(self, y: Tensor) -> Tensor:
        return y.log()

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return x


class SigmoidTransform(Transform):
    """y = σ(x); log|J| = -softplus(-x) - softplus(x)"""

    codomain = constraints.unit_interval

    def _call(self, x: Tensor) -> Tensor:
        return x.sigmoid()

    def _inverse(self, y: Tensor) -> Tensor:
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        from ..nn.functional import softplus

        return -softplus(-x) - softplus(x)


class TanhTransform(Transform):
    """y = tanh(x); log|J| = 2(log 2 - x - softplus(-2x))"""

    codomain = constraints.interval(-1.0, 1.0)

    def _call(self, x: Tensor) -> Tensor:
        return x.tanh()

    def _inverse(self, y: Tensor) -> Tensor:
        return 0.5 * (y.log1p() - (-y).log1p())

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        from ..nn.functional import softplus

        return 2.0 * (math.log(2.0) - x - softplus(-2.0 * x))


class AffineTransform(Transform):
    """y = loc + scale·x; log|J| = log|scale|"""

    def __init__(self, loc: Any, scale: Any, event_dim: int = 0) -> None:
        self.loc, self.scale, self._event_dim = loc, scale, event_dim

    @property
    def event_dim(self) -> int:
        return self._event_dim

    @property
    def sign(self) -> Any:  # type: ignore[override]
        if isinstance(self.scale, Tensor):
            return int(self.scale._data.reshape(-1)[0] > 0) * 2 - 1
        return 1 if self.scale > 0 else -1

    def _call(self, x: Tensor) -> Tensor:
        return self.loc + self.scale * x

    def _inverse(self, y: Tensor) -> Tensor:
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        from .. import full

        scale = self.scale
        if isinstance(scale, Tensor):
            result = scale.abs().log()
            result = result.expand(*x.shape) if tuple(result.shape) != tuple(x.shape) else result
        else:
            result = full(tuple(x.shape), math.log(abs(scale)), dtype=x.dtype)
        if self._event_dim:
            result = result.reshape(*result.shape[: result.ndim - self._event_dim], -1).sum(-1)
        return result

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, AffineTransform)
            and self.loc is other.loc
            and self.scale is other.scale
        )

    def __hash__(self) -> int:
        return id(self)


class ComposeTransform(Transform):
    """The transforms applied in order"""

    def __init__(self, parts: list[Transform]) -> None:
        self.parts = list(parts)

    @property
    def event_dim(self) -> int:
        return max((p.event_dim for p in self.parts), default=0)

    @property
    def sign(self) -> Any:  # type: ignore[override]
        out = 1
        for p in self.parts:
            out *= p.sign
        return out

    def _call(self, x: Tensor) -> Tensor:
        for p in self.parts:
            x = p(x)
        return x

    def _inverse(self, y: Tensor) -> Tensor:
        for p in reversed(self.parts):
            y = p.inv(y)
        return y

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        total: Any = 0
        for p in self.parts:
            y = p(x)
            total = total + p.log_abs_det_jacobian(x, y)
            x = y
        return total
