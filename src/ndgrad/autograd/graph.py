"""ndgrad.autograd.graph: hooks on the saved tensors and gradients of the graph
(``torch.autograd.graph``).

``saved_tensors_hooks(pack_hook, unpack_hook)``: inside the context, every tensor a recorded
op saves for backward is passed to ``pack_hook`` when it is saved, and what that returns is kept
instead of the tensor; backward gets the tensor back from ``unpack_hook(packed)``. Numbers and
the non-tensor values an op keeps (shapes, flags) are not packed. The hooks are per thread, as
in PyTorch; ``disable_saved_tensors_hooks(message)`` makes entering them raise
``RuntimeError(message)``. ``save_on_cpu`` packs a copy of each tensor (ndgrad computes on the
CPU, so it is a plain copy).

``register_multi_grad_hook(tensors, fn, mode='all')`` calls ``fn(grads)`` once per backward
pass, after the gradients of all the given tensors this pass computes (None for the others);
``mode='any'`` calls ``fn(grad)`` with the first one. ``Node`` is the class of every ``grad_fn``.
``increment_version`` bumps tensors' version counters, as an in-place write would.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from .._namespace import public_dir
from .._tensor import Tensor
from ._hooks import RemovableHandle
from .function import Node
from .grad_mode import _state, _Used

__all__ = [
    "Node",
    "disable_saved_tensors_hooks",
    "increment_version",
    "register_multi_grad_hook",
    "save_on_cpu",
    "saved_tensors_hooks",
]
__dir__ = public_dir(__name__)


def increment_version(tensor: Tensor | Iterable[Tensor]) -> None:
    """Bump the version counter of ``tensor`` (or of each tensor), as an in-place op does."""
    tensors = (tensor,) if isinstance(tensor, Tensor) else tensor
    for t in tensors:
        t._bump_version()


class saved_tensors_hooks:
    """Context manager: pack each tensor saved for backward with ``pack_hook`` at save time
    and unpack it with ``unpack_hook`` when backward needs it."""

    def __init__(
        self, pack_hook: Callable[[Tensor], Any], unpack_hook: Callable[[Any], Tensor]
    ) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> None:
        message = _state.saved_hooks_disabled
        if message is not None:
            raise RuntimeError(message)
        _Used.saved_hooks = True
        _state.saved_hooks = (*_state.saved_hooks, (self.pack_hook, self.unpack_hook))

    def __exit__(self, *args: object) -> None:
        _state.saved_hooks = _state.saved_hooks[:-1]


class save_on_cpu(saved_tensors_hooks):
    """Keep the saved tensors on the CPU until backward (here: a copy of each, ndgrad being
    CPU-only)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack_to_cpu(tensor: Tensor) -> tuple[Any, Tensor]:
            return (tensor.device, tensor.detach().clone())

        def unpack_from_cpu(packed: tuple[Any, Tensor]) -> Tensor:
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack_to_cpu, unpack_from_cpu)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str) -> Iterator[None]:
    """Inside the context, entering ``saved_tensors_hooks`` raises
    ``RuntimeError(error_message)``."""
    previous = _state.saved_hooks_disabled
    try:
        _state.saved_hooks_disabled = error_message
        yield
    finally:
        _state.saved_hooks_disabled = previous


class _MultiHandle(RemovableHandle):
    def __init__(self, handles: tuple[RemovableHandle, ...]) -> None:
        self.handles = handles

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()

    def __getstate__(self) -> tuple[RemovableHandle, ...]:
        return self.handles

    def __setstate__(self, state: tuple[RemovableHandle, ...]) -> None:
        self.handles = state


def _node_of(t: Tensor) -> Node | None:
    fn = t.grad_fn
    if fn is not None:
        return fn
    return t._accumulator() if t.requires_grad else None


def _current_task() -> Any:
    task = _state.graph_task
    if task is None:
        raise AssertionError("expected this hook to be called inside a backward call")
    return task


def register_multi_grad_hook(
    tensors: Sequence[Tensor], fn: Callable[..., None], *, mode: str = "all"
) -> RemovableHandle:
    """``mode='all'``: ``fn(grads)`` after every gradient of ``tensors`` a backward pass
    computes (None where it computes none); ``mode='any'``: ``fn(grad)`` with the first."""
    supported_modes = ("all", "any")
    if mode not in supported_modes:
        raise ValueError(f"Expects mode to be one of {supported_modes} but got {mode}")
    _Used.multi_grad_hooks = True
    lock = threading.Lock()
    key = object()  # this registration's entry in each backward pass's hook_state
    if mode == "all":
        nodes = [_node_of(t) for t in tensors]
        n = len(tensors)

        def inner(idx: int) -> Callable[[Tensor], None]:
            def hook(grad: Tensor) -> None:
                task = _current_task()
                with lock:
                    state = task.hook_state.get(id(key))
                    if state is None:  # the pass's first: how many will come
                        expected = sum(1 for nd in nodes if nd is not None and task.will_run(nd))
                        state = task.hook_state[id(key)] = [0, expected, [None] * n, key]
                    state[0] += 1
                    state[2][idx] = grad
                    done = state[0] == state[1]
                if done:
                    fn(state[2])

            return hook

        return _MultiHandle(tuple(t.register_hook(inner(i)) for i, t in enumerate(tensors)))

    @functools.wraps(fn)
    def wrapped(grad: Tensor) -> None:
        task = _current_task()
        with lock:
            if id(key) in task.hook_state:
                return
            task.hook_state[id(key)] = key
        fn(grad)

    return _MultiHandle(tuple(t.register_hook(wrapped) for t in tensors))
