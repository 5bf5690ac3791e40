"""The Distribution base class: shapes, argument validation and the shared API."""

from __future__ import annotations

import math
import warnings
from typing import Any, ClassVar

from .. import _tensor
from .._namespace import public_dir
from .._tensor import Size, Tensor
from ..autograd.grad_mode import enable_grad, no_grad
from . import constraints

__all__ = ["Distribution"]
__dir__ = public_dir(__name__)

_VALIDATE = [True]


def _param_text(value: Any) -> Any:
    """As PyTorch's f-string of the parameter: a 0-d tensor formats as its number, another
    one-element tensor as the tensor itself, a larger one by its size."""
    if value.numel() != 1:
        return value.size()
    return value.item() if value.ndim == 0 else value


class Distribution:
    """A probability distribution with batch_shape and event_shape, as torch.distributions."""

    has_rsample = False
    has_enumerate_support = False
    arg_constraints: ClassVar[dict[str, constraints.Constraint]] = {}
    support: Any = None
    _expand_extra: ClassVar[tuple[str, ...]] = ()

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        if value not in (True, False):
            raise ValueError
        _VALIDATE[0] = value

    def __init__(
        self,
        batch_shape: Any = (),
        event_shape: Any = (),
        validate_args: bool | None = None,
    ) -> None:
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        self._validate_args = _VALIDATE[0] if validate_args is None else validate_args
        if self._validate_args:
            for param, constraint in self.arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue  # checked by the distribution itself, if at all
                if param not in self.__dict__ and _is_lazy(type(self), param):
                    continue  # not given: computed from the other parameter
                value = getattr(self, param)
                if not bool(constraint.check(value)._data.all()):
                    raise ValueError(
                        f"Expected parameter {param} ({type(value).__name__} of shape "
                        f"{tuple(value.shape)}) of distribution {self!r} to satisfy the "
                        f"constraint {constraint!r}, but found invalid values:\n{value}"
                    )

    @property
    def batch_shape(self) -> Size:
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        return self._event_shape

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self)} does not implement mode")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError

    @property
    def stddev(self) -> Tensor:
        return self.variance.sqrt()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        raise NotImplementedError

    def sample_n(self, n: int) -> Tensor:
        return self.sample(Size((n,)))

    def log_prob(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def cdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        return self.entropy().exp()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        raise NotImplementedError

    def _get_checked_instance(self, cls: type, _instance: Any = None) -> Any:
        """The instance an ``expand`` fills in (for subclasses writing their own expand)."""
        if _instance is None and type(self).__init__ != cls.__init__:  # type: ignore[misc]
            raise NotImplementedError(
                f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom "
                "__init__ method must also define a custom .expand() method."
            )
        return type(self).__new__(type(self)) if _instance is None else _instance

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        """A new distribution with the parameters expanded (not copied) to batch_shape. This
        generic form expands every parameter present in the instance (arg_constraints and the
        names in ``_expand_extra``); classes holding other distributions override it."""
        new = type(self).__new__(type(self)) if _instance is None else _instance
        batch_shape = Size(batch_shape)
        n = len(self._batch_shape)
        for name in (*self.arg_constraints, *self._expand_extra):
            if name in self.__dict__:
                value = self.__dict__[name]
                new.__dict__[name] = value.expand((*batch_shape, *value.shape[n:]))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _extended_shape(self, sample_shape: Any = ()) -> Size:
        return Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def _validate_sample(self, value: Tensor) -> None:
        if not isinstance(value, _tensor.Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dim_start = len(value.shape) - len(self._event_shape)
        if tuple(value.shape[event_dim_start:]) != tuple(self._event_shape):
            raise ValueError(
                f"The right-most size of value must match event_shape: {value.size()} vs "
                f"{self._event_shape}."
            )
        actual_shape = value.size()
        expected_shape = Size(tuple(self._batch_shape) + tuple(self._event_shape))
        for i, j in zip(reversed(actual_shape), reversed(expected_shape), strict=False):
            if i != 1 and j != 1 and i != j:
                raise ValueError(
                    "Value is not broadcastable with batch_shape+event_shape: "
                    f"{actual_shape} vs {expected_shape}."
                )
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(
                f"{self.__class__} does not define `support` to enable sample validation. "
                "Please initialize the distribution with `validate_args=False` to turn off "
                "validation.",
                stacklevel=2,
            )
            return
        if not bool(support.check(value)._data.all()):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape "
                f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                f"distribution {self!r}, but found invalid values:\n{value}"
            )

    def __repr__(self) -> str:
        names = [k for k in self.arg_constraints if k in self.__dict__]
        args = ", ".join(f"{p}: {_param_text(self.__dict__[p])}" for p in names)
        return f"{type(self).__name__}({args})"


class lazy_property:
    """A parameter computed on first use from the other one (probs from logits...)."""

    def __init__(self, fn: Any) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        # recorded even when first read under no_grad, as PyTorch's: the cached value is used
        # by later computations that do need its graph (Bernoulli's entropy through probs)
        with enable_grad():
            value = self.fn(obj)
        obj.__dict__[self.fn.__name__] = value
        return value


def _is_lazy(cls: type, name: str) -> bool:
    return isinstance(getattr(cls, name, None), lazy_property)


def _sum_rightmost(value: Tensor, dim: int) -> Tensor:
    return value.reshape((*value.shape[: value.ndim - dim], -1)).sum(-1) if dim > 0 else value


_LOG_2PI = math.log(2 * math.pi)
