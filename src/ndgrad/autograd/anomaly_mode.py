"""Anomaly detection: find the forward operation behind a failing backward.

While it is on, every recorded node keeps the stack of the forward call that created it, and the
engine checks what each backward returns: a NaN raises "Function 'XBackward0' returned nan
values in its 0th output.", and any error in a backward first warns with that forward stack.
"""

from __future__ import annotations

import warnings
from typing import Any

from .._namespace import public_dir
from .grad_mode import _Mode, _state, _Used

__all__ = [
    "detect_anomaly",
    "set_detect_anomaly",
]
__dir__ = public_dir(__name__)


def is_anomaly_enabled() -> bool:
    return _state.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    return _state.anomaly_check_nan


class _AnomalyMode(_Mode):
    """Shared by both switches: saves and restores (anomaly, check_nan)."""

    mode = True
    check_nan = True

    def _enter(self) -> Any:
        old = (_state.anomaly, _state.anomaly_check_nan)
        if self.mode:
            _Used.special = True
        _state.anomaly = self.mode
        _state.anomaly_check_nan = self.check_nan
        return old

    def _restore(self, old: Any) -> None:
        _state.anomaly, _state.anomaly_check_nan = old


class detect_anomaly(_AnomalyMode):
    """Context manager and decorator that turns anomaly detection on inside it.

    >>> import ndgrad, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     with ndgrad.autograd.detect_anomaly():
    ...         ndgrad.is_anomaly_enabled()
    True
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = bool(check_nan)
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )

    def clone(self) -> _Mode:
        new = object.__new__(detect_anomaly)
        new.check_nan = self.check_nan
        return new


class set_detect_anomaly(_AnomalyMode):
    """Turn anomaly detection on or off at once; as a context manager, restore it on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.mode = bool(mode)
        self.check_nan = bool(check_nan)
        self._pending: Any = self._enter()

    def __enter__(self) -> None:
        if not hasattr(self, "_saved"):
            self._saved = []
        old, self._pending = self._pending, None
        self._saved.append(old if old is not None else self._enter())

    def clone(self) -> _Mode:
        new = object.__new__(set_detect_anomaly)
        new.mode, new.check_nan, new._pending = self.mode, self.check_nan, None
        return new

    def __call__(self, func: Any) -> Any:
        if self._pending is not None:
            self._restore(self._pending)
            self._pending = None
        return super().__call__(func)
