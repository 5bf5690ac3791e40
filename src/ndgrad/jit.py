"""ndgrad.jit: importable so that scripts load; ndgrad has no TorchScript compiler.

The markers library code uses while running eagerly work as in PyTorch: ``is_scripting()`` and
``is_tracing()`` are False and the decorators ``ignore``, ``unused``, ``export`` return the
function. ``script``, ``trace``, ``save`` and ``load`` raise NotImplementedError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from ._namespace import public_dir

__all__ = [
    "export",
    "ignore",
    "is_scripting",
    "is_tracing",
    "load",
    "save",
    "script",
    "trace",
    "unused",
]
__dir__ = public_dir(__name__)


F = TypeVar("F", bound=Callable[..., Any])


def _unsupported(name: str) -> NoReturn:
    raise NotImplementedError(
        f"ndgrad.jit.{name}: ndgrad has no TorchScript compiler; run the model eagerly "
        "(drop the jit call), or use PyTorch for TorchScript"
    )


def script(obj: Any = None, *args: Any, **kwargs: Any) -> NoReturn:
    _unsupported("script")


def trace(func: Any = None, *args: Any, **kwargs: Any) -> NoReturn:
    _unsupported("trace")


def save(m: Any, f: Any, *args: Any, **kwargs: Any) -> NoReturn:
    _unsupported("save")


def load(f: Any, *args: Any, **kwargs: Any) -> NoReturn:
    _unsupported("load")


def is_scripting() -> bool:
    """False: code always runs eagerly in ndgrad."""
    return False


def is_tracing() -> bool:
    """False: code always runs eagerly in ndgrad."""
    return False


def ignore(drop: Any = False, **kwargs: Any) -> Any:
    """A marker for the TorchScript compiler; eagerly, the function itself."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn: F) -> F:
    """A marker for the TorchScript compiler; eagerly, the function itself."""
    return fn


def export(fn: F) -> F:
    """A marker for the TorchScript compiler; eagerly, the function itself."""
    return fn
