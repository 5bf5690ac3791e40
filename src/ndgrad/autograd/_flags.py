"""Autograd switches PyTorch exposes that have no effect on ndgrad's single-threaded engine, and
``is_tensor_like``."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .._tensor import Tensor

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "is_multithreading_enabled",
    "is_tensor_like",
    "is_view_replay_enabled",
    "set_multithreading_enabled",
]


class _Flags(threading.local):
    multithreading = True  # each thread starts with PyTorch's default


_flags = _Flags()


def is_multithreading_enabled() -> bool:
    """Whether backward may run on several threads (PyTorch's default True; per thread). ndgrad's
    backward always runs on the calling thread, so the flag is kept but changes nothing."""
    return _flags.multithreading


class set_multithreading_enabled:
    """Set the flag now; as a context manager, restore the previous value on exit; as a decorator,
    run the function with the flag set."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = _flags.multithreading
        _flags.multithreading = self.mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _flags.multithreading = self.prev

    def __call__(self, func: F) -> F:
        _flags.multithreading = self.prev  # decorating does not change the flag
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_multithreading_enabled(mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def is_view_replay_enabled() -> bool:
    """Whether autograd replays views instead of recording as_strided (PyTorch's default, False;
    ndgrad records views by what made them and never uses as_strided)."""
    return False


def is_tensor_like(inp: Any) -> bool:
    """True for a Tensor, the Tensor class and its subclasses, and objects that define
    ``__torch_function__`` (PyTorch's ``torch.overrides.is_tensor_like``)."""
    if isinstance(inp, Tensor) or (isinstance(inp, type) and issubclass(inp, Tensor)):
        return True
    return hasattr(inp, "__torch_function__")
