"""Constraints: where a distribution's parameters and values may lie, with PyTorch's reprs."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor

__all__ = [
    "Constraint",
    "boolean",
    "cat",
    "corr_cholesky",
    "greater_than",
    "greater_than_eq",
    "half_open_interval",
    "independent",
    "integer_interval",
    "interval",
    "less_than",
    "lower_cholesky",
    "nonnegative",
    "nonnegative_integer",
    "one_hot",
    "positive",
    "positive_definite",
    "real",
    "real_vector",
    "simplex",
    "stack",
    "unit_interval",
]


def _data(value: Any) -> np.ndarray:
    return value._data if isinstance(value, Tensor) else np.asarray(value)


class Constraint:
    """A region; ``check(value)`` is a bool tensor over the batch (event dims reduced)."""

    is_discrete = False
    event_dim = 0

    def check(self, value: Any) -> Tensor:
        return Tensor._make(np.asarray(self._ok(_data(value))))

    def _ok(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _fields(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__.lstrip('_')}({self._fields()})"


class _Real(Constraint):
    def _ok(self, x: np.ndarray) -> np.ndarray:
        return x == x  # not nan


class _Boolean(Constraint):
    is_discrete = True

    def _ok(self, x: np.ndarray) -> np.ndarray:
        return (x == 0) | (x == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: Any) -> None:
        self.lower_bound = lower_bound

    def _ok(self, x: np.ndarray) -> np.ndarray:
        return self.lower_bound < x

    def _fields(self) -> str:
        return f"lower_bound={self.lower_bound}"


class _GreaterThanEq(_GreaterThan):
    def _ok(self, x: np.ndarray) -> np.ndarray:
        return self.lower_bound <= x


class _Interval(Constraint):
    def __init__(self, lower_bound: Any, upper_bound: Any) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def _ok(self, x: np.ndarray) -> np.ndarray:
        return (_data(self.lower_bound) <= x) & (x <= _data(self.upper_bound))

    def _fields(self) -> str:
        return f"lower_bound={self.lower_bound}, upper_bound={self.upper_bound}"


class _HalfOpenInterval(_Interval):
    def _ok(self, x: np.ndarray) -> np.ndarray:
        return (_data(self.lower_bound) <= x) & (x < _data(self.upper_bound))


class _IntegerInterval(_Interval):
    is_discrete = True

    def _ok(self, x: np.ndarray) -> np.ndarray:
        return (x % 1 == 0) & super()._ok(x)


class _IntegerGreaterThan(_GreaterThan):
    is_discrete = True

    def _ok(self, x: np.ndarray) -> np.ndarray:
        return (x % 1 == 0) & (x >= self.lower_bound)


class _Simplex(Constraint):
    event_dim = 1

    def _ok(self, x: np.ndarray) -> np.ndarray:
        return np.all(x >= 0, axis=-1) & (np.abs(x.sum(-1) - 1) < 1e-6)


class _OneHot(Constraint):
    is_discrete = True
    event_dim = 1

    def _ok(self, x: np.ndarray) -> np.ndarray:
        return np.all((x == 0) | (x == 1), axis=-1) & (x.sum(-1) == 1)


class _LowerCholesky(Constraint):
    event_dim = 2

    def _ok(self, x: np.ndarray) -> np.ndarray:
        lower = np.all(np.abs(x - np.tril(x)) == 0, axis=(-2, -1))
        return lower & np.all(np.diagonal(x, axis1=-2, axis2=-1) > 0, axis=-1)


class _PositiveDefinite(Constraint):
    event_dim = 2

    def _ok(self, x: np.ndarray) -> np.ndarray:
        sym = np.allclose(x, np.swapaxes(x, -1, -2), atol=1e-6)
        return np.asarray(sym) & np.all(np.linalg.eigvalsh(x) > 0, axis=-1)


class _IndependentConstraint(Constraint):
    def __init__(self, base: Constraint, reinterpreted_batch_ndims: int) -> None:
        self.base_constraint = base
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        self.event_dim = base.event_dim + reinterpreted_batch_ndims
        self.is_discrete = base.is_discrete

    def _ok(self, x: np.ndarray) -> np.ndarray:
        ok = self.base_constraint._ok(x)
        n = self.reinterpreted_batch_ndims
        return np.asarray(ok.reshape(*ok.shape[: ok.ndim - n], -1).all(-1) if n else ok)

    def __repr__(self) -> str:
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class _LessThan(Constraint):
    def __init__(self, upper_bound: float) -> None:
        self.upper_bound = upper_bound

    def _ok(self, x: np.ndarray) -> np.ndarray:
        return x < _data(self.upper_bound)

    def _fields(self) -> str:
        return f"upper_bound={self.upper_bound}"


class _CorrCholesky(Constraint):
    """Lower Cholesky factors of correlation matrices: rows of unit norm, positive diagonal."""

    event_dim = 2

    def _ok(self, x: np.ndarray) -> np.ndarray:
        tol = np.finfo(x.dtype).eps * x.shape[-1] * 10
        unit = np.all(np.abs(np.linalg.norm(x, axis=-1) - 1) <= tol, axis=-1)
        return unit & _LowerCholesky()._ok(x)


class _Cat(Constraint):
    """The constraints cseq applied to consecutive slices (of the given lengths) along dim."""

    def __init__(self, cseq: list[Constraint], dim: int = 0, lengths: Any = None) -> None:
        self.cseq = list(cseq)
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        self.dim = dim
        self.event_dim = max(c.event_dim for c in self.cseq)
        self.is_discrete = any(c.is_discrete for c in self.cseq)

    def check(self, value: Any) -> Tensor:
        from .. import cat

        checks, start = [], 0
        for constraint, length in zip(self.cseq, self.lengths, strict=True):
            checks.append(constraint.check(value.narrow(self.dim, start, length)))
            start += length
        return cat(checks, self.dim)

    def __repr__(self) -> str:
        return "Cat()"


class _Stack(Constraint):
    """The i-th constraint on the i-th slice along dim."""

    def __init__(self, cseq: list[Constraint], dim: int = 0) -> None:
        self.cseq = list(cseq)
        self.dim = dim
        self.event_dim = max(c.event_dim for c in self.cseq)
        self.is_discrete = any(c.is_discrete for c in self.cseq)

    def check(self, value: Any) -> Tensor:
        from .. import stack

        parts = [c.check(value.select(self.dim, i)) for i, c in enumerate(self.cseq)]
        return stack(parts, self.dim)

    def __repr__(self) -> str:
        return "Stack()"


real = _Real()
real_vector = _IndependentConstraint(real, 1)
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
unit_interval = _Interval(0.0, 1.0)
nonnegative_integer = _IntegerGreaterThan(0)
simplex = _Simplex()
one_hot = _OneHot()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
less_than = _LessThan
corr_cholesky = _CorrCholesky()
cat = _Cat
stack = _Stack
independent = _IndependentConstraint
