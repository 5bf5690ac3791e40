"""Constraints: where a distribution's parameters and values may lie, with PyTorch's reprs."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._namespace import public_dir
from .._tensor import Tensor
from ..ops.out import cat as _cat  # (this module's cat and stack are constraints)
from ..ops.out import stack as _stack

__all__ = [
    "Constraint",
    "MixtureSameFamilyConstraint",
    "boolean",
    "cat",
    "corr_cholesky",
    "dependent",
    "dependent_property",
    "greater_than",
    "greater_than_eq",
    "half_open_interval",
    "independent",
    "integer_interval",
    "interval",
    "is_dependent",
    "less_than",
    "lower_cholesky",
    "lower_triangular",
    "multinomial",
    "nonnegative",
    "nonnegative_integer",
    "one_hot",
    "positive",
    "positive_definite",
    "positive_integer",
    "positive_semidefinite",
    "real",
    "real_vector",
    "simplex",
    "square",
    "stack",
    "symmetric",
    "unit_interval",
]
__dir__ = public_dir(__name__)


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
        return _data(self.lower_bound) < x

    def _fields(self) -> str:
        return f"lower_bound={self.lower_bound}"


class _GreaterThanEq(_GreaterThan):
    def _ok(self, x: np.ndarray) -> np.ndarray:
        return _data(self.lower_bound) <= x


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


def _need_matrix(x: np.ndarray) -> None:
    # PyTorch's triangular checks start with value.tril(), which raises this
    if x.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")


class _LowerCholesky(Constraint):
    event_dim = 2

    def _ok(self, x: np.ndarray) -> np.ndarray:
        _need_matrix(x)
        lower = np.all(np.abs(x - np.tril(x)) == 0, axis=(-2, -1))
        return lower & np.all(np.diagonal(x, axis1=-2, axis2=-1) > 0, axis=-1)


class _IndependentConstraint(Constraint):
    def __init__(self, base: Constraint, reinterpreted_batch_ndims: int) -> None:
        self.base_constraint = base
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        self.event_dim = base.event_dim + reinterpreted_batch_ndims
        self.is_discrete = base.is_discrete

    def _ok(self, x: np.ndarray) -> np.ndarray:
        ok = self.base_constraint._ok(x)
        n = self.reinterpreted_batch_ndims
        if ok.ndim < n:
            expected = self.base_constraint.event_dim + n
            raise ValueError(f"Expected value.dim() >= {expected} but got {x.ndim}")
        return np.asarray(ok.reshape((*ok.shape[: ok.ndim - n], -1)).all(-1) if n else ok)

    def __repr__(self) -> str:
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class _LessThan(Constraint):
    def __init__(self, upper_bound: Any) -> None:
        self.upper_bound = upper_bound

    def _ok(self, x: np.ndarray) -> np.ndarray:
        return x < _data(self.upper_bound)

    def _fields(self) -> str:
        return f"upper_bound={self.upper_bound}"


class _CorrCholesky(Constraint):
    """Lower Cholesky factors of correlation matrices: rows of unit norm, positive diagonal."""

    event_dim = 2

    def _ok(self, x: np.ndarray) -> np.ndarray:
        if x.ndim == 0:
            raise IndexError("Dimension specified as -1 but tensor has no dimensions")
        tol = np.finfo(x.dtype).eps * x.shape[-1] * 10
        unit = np.all(np.abs(np.linalg.norm(x, axis=-1) - 1) <= tol, axis=-1)
        return unit & _LowerCholesky()._ok(x)


def _check_dim(dim: int, value: Tensor) -> None:
    if not -value.dim() <= dim < value.dim():
        raise AssertionError(f"dim {dim} out of range for value with {value.dim()} dimensions")


class _Cat(Constraint):
    """The constraints cseq applied to consecutive slices (of the given lengths) along dim."""

    def __init__(self, cseq: list[Constraint], dim: int = 0, lengths: Any = None) -> None:
        if not all(isinstance(c, Constraint) for c in cseq):
            raise AssertionError("All elements of cseq must be Constraint instances")
        self.cseq = list(cseq)
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.cseq):
            raise AssertionError(
                f"lengths ({len(self.lengths)}) must match cseq ({len(self.cseq)})"
            )
        self.dim = dim
        self.event_dim = max(c.event_dim for c in self.cseq)
        self.is_discrete = any(c.is_discrete for c in self.cseq)

    def check(self, value: Any) -> Tensor:
        _check_dim(self.dim, value)
        checks, start = [], 0
        for constraint, length in zip(self.cseq, self.lengths, strict=True):
            checks.append(constraint.check(value.narrow(self.dim, start, length)))
            start += length
        return _cat(checks, self.dim)

    def __repr__(self) -> str:
        return "Cat()"


class _Stack(Constraint):
    """The i-th constraint on the i-th slice along dim."""

    def __init__(self, cseq: list[Constraint], dim: int = 0) -> None:
        if not all(isinstance(c, Constraint) for c in cseq):
            raise AssertionError("All elements of cseq must be Constraint instances")
        self.cseq = list(cseq)
        self.dim = dim
        self.event_dim = max(c.event_dim for c in self.cseq)
        self.is_discrete = any(c.is_discrete for c in self.cseq)

    def check(self, value: Any) -> Tensor:
        _check_dim(self.dim, value)
        # as many slices as both have, as PyTorch's zip
        n = min(value.size(self.dim), len(self.cseq))
        parts = [self.cseq[i].check(value.select(self.dim, i)) for i in range(n)]
        return _stack(parts, self.dim)

    def __repr__(self) -> str:
        return "Stack()"


class _Dependent(Constraint):
    """A placeholder for a constraint that depends on other parameters (checked nowhere)."""

    def __init__(self, *, is_discrete: Any = NotImplemented, event_dim: Any = NotImplemented):
        self._is_discrete, self._event_dim = is_discrete, event_dim

    @property
    def is_discrete(self) -> Any:  # type: ignore[override]
        if self._is_discrete is NotImplemented:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self) -> Any:  # type: ignore[override]
        if self._event_dim is NotImplemented:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete: Any = NotImplemented, event_dim: Any = NotImplemented):
        if is_discrete is NotImplemented:
            is_discrete = self._is_discrete
        if event_dim is NotImplemented:
            event_dim = self._event_dim
        return _Dependent(is_discrete=is_discrete, event_dim=event_dim)

    def check(self, value: Any) -> Tensor:
        raise ValueError("Cannot determine validity of dependent constraint")


def is_dependent(constraint: Any) -> bool:
    """Whether constraint is a dependent one (a _Dependent instance or dependent_property)."""
    return isinstance(constraint, _Dependent)


class _DependentProperty(property, _Dependent):
    """A property that is also a dependent constraint: ``@dependent_property(event_dim=1)``."""

    def __init__(
        self, fn: Any = None, *, is_discrete: Any = NotImplemented, event_dim: Any = NotImplemented
    ) -> None:
        property.__init__(self, fn)
        _Dependent.__init__(self, is_discrete=is_discrete, event_dim=event_dim)

    def __call__(self, fn: Any) -> Any:  # type: ignore[override]
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


class _LowerTriangular(Constraint):
    event_dim = 2

    def _ok(self, x: np.ndarray) -> np.ndarray:
        _need_matrix(x)
        return np.all(x == np.tril(x), axis=(-2, -1))


class _Square(Constraint):
    event_dim = 2

    def _ok(self, x: np.ndarray) -> np.ndarray:
        return np.full(x.shape[:-2], x.shape[-2] == x.shape[-1], dtype=bool)


class _Symmetric(_Square):
    def _ok(self, x: np.ndarray) -> np.ndarray:
        square = super()._ok(x)
        if not square.all():
            return square
        return np.all(np.isclose(x, np.swapaxes(x, -1, -2), atol=1e-6), axis=(-2, -1))


class _PositiveSemidefinite(_Symmetric):
    def _ok(self, x: np.ndarray) -> np.ndarray:
        sym = super()._ok(x)
        if not sym.all():
            return sym
        return np.all(np.linalg.eigvalsh(x) >= 0, axis=-1)


class _PositiveDefinite(_Symmetric):
    """Symmetric with positive eigenvalues; as PyTorch, a batch holding any non-symmetric
    matrix reports symmetry alone."""

    def _ok(self, x: np.ndarray) -> np.ndarray:
        sym = super()._ok(x)
        if not sym.all():
            return sym
        return np.all(np.linalg.eigvalsh(x) > 0, axis=-1)


class _Multinomial(Constraint):
    """Nonnegative counts summing to at most upper_bound over the last dim."""

    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound: int) -> None:
        self.upper_bound = upper_bound

    def _ok(self, x: np.ndarray) -> np.ndarray:
        return np.all(x >= 0, axis=-1) & (x.sum(-1) <= self.upper_bound)


class MixtureSameFamilyConstraint(Constraint):
    """The component support of a MixtureSameFamily, checked with the mixture dim reduced."""

    def __init__(self, base_constraint: Constraint) -> None:
        self.base_constraint = base_constraint
        self.event_dim = base_constraint.event_dim
        self.is_discrete = base_constraint.is_discrete

    def check(self, value: Any) -> Tensor:
        result = self.base_constraint.check(value.unsqueeze(-1 - self.event_dim))
        if value.ndim < result.ndim:
            result = result.reshape((*result.shape[: value.ndim - result.ndim], -1)).all(-1)
        return result

    def __repr__(self) -> str:
        return f"MixtureSameFamilyConstraint({self.base_constraint!r})"


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
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
less_than = _LessThan
corr_cholesky = _CorrCholesky()
cat = _Cat
stack = _Stack
dependent = _Dependent()
dependent_property = _DependentProperty
lower_triangular = _LowerTriangular()
multinomial = _Multinomial
positive_integer = _IntegerGreaterThan(1)
positive_definite = _PositiveDefinite()
positive_semidefinite = _PositiveSemidefinite()
square = _Square()
symmetric = _Symmetric()
independent = _IndependentConstraint
