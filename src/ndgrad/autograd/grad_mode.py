"""Grad mode: whether operations record the graph. Per thread, as in PyTorch.

Every switch is an object that restores the previous state on exit (also on exceptions) and can be
used as a decorator, including on generator functions.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from .._namespace import public_dir

__all__ = [
    "enable_grad",
    "inference_mode",
    "no_grad",
    "set_grad_enabled",
]
__dir__ = public_dir(__name__)

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    # Class attributes are each new thread's starting values: a thread started inside
    # `no_grad` still records, as in PyTorch.
    grad_enabled = True
    inference = False
    # The backward tracer (autograd/trace.py) the engine calls per node, or None.
    tracer: Any = None
    # Rarely-used modes; Function.apply and the engine test each with one attribute read.
    anomaly = False  # anomaly_mode: record forward traces, check backward results for NaN
    anomaly_check_nan = True
    # While a dual level is active: forward_ad._propagate, which Function.apply calls to give
    # each op's outputs their tangents (None otherwise, and inside the tangent arithmetic).
    forward_ad: Any = None
    grads_batched = False  # the engine runs with a leading batch dim on every gradient
    recording = False  # inside record_inputs(): every op goes through Function.apply
    # The running backward pass's version numbers of its gradient arrays (grad_version).
    grad_versions: dict[int, tuple[weakref.ref[Any], int]] | None = None
    # autograd.graph.saved_tensors_hooks: the (pack, unpack) pairs entered, innermost last, and
    # disable_saved_tensors_hooks' message while it is active
    saved_hooks: tuple[tuple[Any, Any], ...] = ()
    saved_hooks_disabled: str | None = None
    # The running backward pass (autograd.graph.register_multi_grad_hook asks it which nodes
    # will run), or None
    graph_task: Any = None
    # The torch.func transforms whose call is running, outermost first ("grad", "vmap",
    # "jvp"): a user's autograd.Function checks them as PyTorch's functorch does (function.py)
    func_transforms: tuple[str, ...] = ()


_state = _State()


class _Used:
    """Process-wide and sticky: ``special`` turns True the first time any thread enters
    forward-mode AD, ``record_inputs`` or anomaly detection. Until then the hot paths skip
    reading those per-thread flags (a thread-local read costs 40 ns, about 5% of a small op)."""

    special = False
    # True once a tensor with a history has been detached in place (detach_()): from then on,
    # unpacking saved tensors checks for inputs saved before their detach_ (PyTorch's error).
    detached = False
    # True once any thread has entered saved_tensors_hooks: from then on, recording a node that
    # saves values reads the per-thread hooks (autograd/graph.py)
    saved_hooks = False
    # True once a multi-grad hook has been registered (autograd/graph.py): from then on each
    # backward pass keeps the set of its graph's nodes, which such a hook asks about.
    multi_grad_hooks = False


# Creation order of nodes (the engine runs ready nodes newest first, as PyTorch does), also
# the clock detach_() stamps a tensor with. Here, below the tensor and the nodes, for both.
_sequence = itertools.count()


def grad_version(array: Any) -> int:
    """The version number PyTorch's gradient tensor would have where ndgrad's backward pass
    hands ``array`` between nodes.

    A first-order backward passes bare numpy arrays, which have no version counter. PyTorch's
    gradients are tensors whose counters its engine bumps: adding a second gradient into a
    buffer that nothing else holds is an in-place ``add_``. The numbers show in the
    modified-tensor error once a ``.grad`` is saved by a later graph and written to, so the
    pass keeps them here, for arrays whose number is not 0: keyed by id, with a weak reference
    that tells a reused id apart. A view has its base's number, as a view shares its base's
    counter.
    """
    versions = _state.grad_versions
    if not versions:
        return 0
    if array.base is not None:
        array = array.base
    entry = versions.get(id(array))
    if entry is None or entry[0]() is not array:
        return 0
    return entry[1]


def set_grad_version(array: Any, version: int) -> None:
    """Record ``version`` for ``array`` in the running backward pass (see grad_version)."""
    versions = _state.grad_versions
    if versions is None:
        versions = _state.grad_versions = {}
    versions[id(array)] = (weakref.ref(array), version)


def is_grad_enabled() -> bool:
    """True if operations on tensors that require grad are recorded in this thread."""
    return _state.grad_enabled


def is_inference_mode_enabled() -> bool:
    return _state.inference


class _Mode:
    """Base for the switches: subclasses say in `_enter` what to set and return the old state."""

    _saved: list[Any]

    def _enter(self) -> Any:
        raise NotImplementedError

    def _restore(self, old: Any) -> None:
        _state.grad_enabled, _state.inference = old

    def __enter__(self) -> None:
        if not hasattr(self, "_saved"):
            self._saved = []
        self._saved.append(self._enter())

    def __exit__(self, *exc: object) -> None:
        self._restore(self._saved.pop())

    def clone(self) -> _Mode:
        return type(self)()

    def __call__(self, func: F) -> F:
        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def generator(*args: Any, **kwargs: Any) -> Any:
                # Run each step of the generator under the mode, not the caller's code between.
                gen = func(*args, **kwargs)
                mode = self.clone()
                with mode:
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with mode:
                            gen.close()
                        raise
                    except BaseException as exc:
                        with mode:
                            response = gen.throw(exc)
                    else:
                        with mode:
                            response = gen.send(request)

            return generator  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_Mode):
    """Context manager and decorator: operations inside are not recorded.

    >>> import ndgrad
    >>> x = ndgrad.ones(2, requires_grad=True)
    >>> with ndgrad.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    def _enter(self) -> Any:
        old = (_state.grad_enabled, _state.inference)
        _state.grad_enabled = False
        return old


class enable_grad(_Mode):
    """Context manager and decorator: record operations, even inside `no_grad`."""

    def _enter(self) -> Any:
        old = (_state.grad_enabled, _state.inference)
        _state.grad_enabled = True
        return old


class set_grad_enabled(_Mode):
    """Turn recording on or off; takes effect at once, and as a context manager restores on exit."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        # The state before construction: the first `with` restores to it on exit.
        self._pending: Any = (_state.grad_enabled, _state.inference)
        _state.grad_enabled = self.mode

    def _enter(self) -> Any:
        old, self._pending = self._pending, None
        if old is None:
            old = (_state.grad_enabled, _state.inference)
            _state.grad_enabled = self.mode
        return old

    def clone(self) -> _Mode:
        return set_grad_enabled(self.mode)

    def __call__(self, func: F) -> F:
        # Used as `@set_grad_enabled(False)`: __init__ switched the mode at decoration time,
        # which PyTorch undoes too.
        if self._pending is not None:
            self._restore(self._pending)
            self._pending = None
        return super().__call__(func)


class inference_mode(_Mode):
    """Like `no_grad` (ndgrad has no separate inference tensors); `inference_mode(False)`: no-op."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)

    def _enter(self) -> Any:
        old = (_state.grad_enabled, _state.inference)
        if self.mode:
            _state.grad_enabled = False
            _state.inference = True
        return old

    def clone(self) -> _Mode:
        return inference_mode(self.mode)
