"""Record mode for the debugging tools: what each op of a forward pass got, and where it was called.

Inside ``with ndgrad.autograd.record_inputs():`` every recorded graph node keeps a copy of its
forward arguments and the line of user code that created it (``gradcheck_graph`` re-runs the op
on those values, ``explain`` and ``explain_nan`` name the line), tensors computed under
``no_grad`` from tensors that require grad are marked, and so are the results of ``detach()``
and what is computed from them (``explain`` reports where).

It works by wrapping ``Function.apply`` and ``Tensor.detach`` while active, so it costs nothing
when off, and it copies every input when on: use it to debug, not to train.

>>> import ndgrad
>>> x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
>>> with ndgrad.autograd.record_inputs():
...     y = x.tanh()
>>> creation_site(y.grad_fn) is not None
True
"""

from __future__ import annotations

import os
import threading
import traceback
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._namespace import public_dir
from .._tensor import Tensor
from .function import Function, Node
from .grad_mode import _state, _Used

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["NodeRecord", "RecordedArg", "creation_site", "no_grad_origin", "record_inputs"]
__dir__ = public_dir(__name__)

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class RecordedArg:
    """A tensor argument as the op received it: a copy of its values, and the original array."""

    data: np.ndarray
    requires_grad: bool
    source: np.ndarray
    tensor: weakref.ref[Tensor]
    # Computed from ``detach()`` of a tensor that required grad: (that tensor, where detached).
    detached: tuple[weakref.ref[Tensor], traceback.FrameSummary | None] | None = None


@dataclass
class NodeRecord:
    """What ``record_inputs`` keeps on a node: its Function, arguments and creation site."""

    fn: type[Function]
    args: tuple[Any, ...]
    site: traceback.FrameSummary | None


class _Local(threading.local):
    depth = 0  # nesting of record_inputs() in this thread
    paused = False  # the tools' own re-runs are not recorded


_local = _Local()
_lock = threading.Lock()
_installed = 0
_original_apply: Any = Function.__dict__["apply"]
_original_detach: Any = None  # Tensor.detach, looked up when recording starts (import order)


def user_site() -> traceback.FrameSummary | None:
    """The innermost frame of the call stack outside the ndgrad package."""
    for frame in reversed(traceback.extract_stack()):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR + os.sep):
            return frame
    return None


def _recording_apply(cls: type[Function], *args: Any) -> Any:
    out = _original_apply.__func__(cls, *args)
    if _local.depth and not _local.paused:
        _note(cls, args, out)
    return out


def _recording_detach(self: Tensor) -> Tensor:
    out = _original_detach(self)
    if _local.depth and not _local.paused and self._requires_grad:
        out.__dict__["_detached_origin"] = (weakref.ref(self), user_site())
    return out


def _note(cls: type[Function], args: tuple[Any, ...], out: Any) -> None:
    outs = out if isinstance(out, tuple) else (out,)
    detached = None
    for a in args:
        if isinstance(a, Tensor):
            detached = a.__dict__.get("_detached_origin")
            if detached is not None:
                break
    if detached is not None:  # results of detached values carry the mark on
        for o in outs:
            if isinstance(o, Tensor) and not o._requires_grad:
                o.__dict__["_detached_origin"] = detached
    node = None
    for o in outs:
        if isinstance(o, Tensor) and type(o.grad_fn) is cls._backward_cls:
            node = o.grad_fn
            break
    if node is not None:
        recorded = tuple(
            RecordedArg(
                a._data.copy(),
                a._requires_grad,
                a._data,
                weakref.ref(a),
                a.__dict__.get("_detached_origin"),
            )
            if isinstance(a, Tensor)
            else a
            for a in args
        )
        node.__dict__["_ndgrad_record"] = NodeRecord(cls, recorded, user_site())
        return
    # No node: mark outputs computed without recording from tensors that would have recorded.
    origin = None
    for a in args:
        if isinstance(a, Tensor):
            origin = a.__dict__.get("_no_grad_origin")
            if origin is not None:
                break
            if a._requires_grad and not _state.grad_enabled:
                origin = (cls._backward_cls.__name__, user_site())
                break
    if origin is not None:
        for o in outs:
            if isinstance(o, Tensor):
                o.__dict__["_no_grad_origin"] = origin


class record_inputs:
    """Context manager: nodes created inside keep their inputs and creation site."""

    def __enter__(self) -> record_inputs:
        global _installed, _original_detach

        with _lock:
            if _installed == 0:
                Function.apply = classmethod(_recording_apply)  # type: ignore[assignment,method-assign]
                _original_detach = Tensor.__dict__["detach"]
                Tensor.detach = _recording_detach  # type: ignore[method-assign]
            _installed += 1
        _local.depth += 1
        _Used.special = True
        _state.recording = True
        return self

    def __exit__(self, *exc: object) -> None:
        global _installed
        _local.depth -= 1
        _state.recording = _local.depth > 0
        with _lock:
            _installed -= 1
            if _installed == 0:
                Function.apply = _original_apply  # type: ignore[method-assign]
                Tensor.detach = _original_detach  # type: ignore[method-assign]


class _paused:
    """The tools' own forward re-runs inside a record_inputs block are not recorded."""

    def __enter__(self) -> None:
        self._old = _local.paused
        _local.paused = True

    def __exit__(self, *exc: object) -> None:
        _local.paused = self._old


def node_record(node: Node) -> NodeRecord | None:
    return node.__dict__.get("_ndgrad_record")


def creation_site(node: Node) -> traceback.FrameSummary | None:
    """The user code line that created ``node`` (when it was created inside record_inputs)."""
    record = node_record(node)
    return None if record is None else record.site


def no_grad_origin(tensor: Tensor) -> tuple[str, traceback.FrameSummary | None] | None:
    """``(op, site)`` if ``tensor`` was computed under no_grad inside record_inputs."""
    return tensor.__dict__.get("_no_grad_origin")


def format_site(site: traceback.FrameSummary | None) -> str:
    if site is None:
        return "unknown (build the graph inside ndgrad.autograd.record_inputs() to see it)"
    line = f"{site.filename}:{site.lineno}, in {site.name}"
    if site.line:
        line += f"\n    {site.line.strip()}"
    return line
