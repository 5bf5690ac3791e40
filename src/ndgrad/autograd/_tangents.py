"""Where forward-mode tangents live: in a tensor's ``__dict__``, while a dual level is active.

Kept apart from ``forward_ad`` (which sits above the ops) so the ops' in-place writes can
update tangents too. As in PyTorch, an in-place write updates a tangent in place: the tangent
of a view is a view of its base's tangent, so a write through either is seen by both.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from .. import _printing
from .._tensor import Tensor
from .grad_mode import _state


def carriers() -> list[weakref.ref[Any]]:
    """This thread's tensors that carry a tangent at the current level (cleared on exit)."""
    found: list[weakref.ref[Any]] = _state.__dict__.setdefault("fw_carriers", [])
    return found


def tangent_of(t: Any) -> Tensor | None:
    """``t``'s tangent; none under inference_mode, where PyTorch's forward AD is off. A view
    taken before its base got a tangent (by an in-place write) reads its part of the base's,
    as in PyTorch (unpack_dual's primal excepted)."""
    if _state.inference:
        return None
    d = t.__dict__
    tangent = d.get("_fw_grad")
    if tangent is None and t._base is not None and "_fw_primal" not in d:
        base = t._base
        base_tangent = base.__dict__.get("_fw_grad")
        if (
            base_tangent is not None
            and base_tangent._data.strides == base._data.strides
            and base_tangent._data.dtype == t._data.dtype
        ):
            view = _view_into(base._data, t._data, base_tangent._data)
            if view is not None:
                tangent = Tensor._make(view)
                set_tangent(t, tangent)
    return tangent


_printing.read_tangent = tangent_of  # for the repr of a dual tensor


def set_tangent(t: Tensor, tangent: Tensor) -> None:
    t.__dict__["_fw_grad"] = tangent
    carriers().append(weakref.ref(t))


def _view_into(base: np.ndarray, view: np.ndarray, buffer: np.ndarray) -> np.ndarray | None:
    """The elements of ``buffer`` (laid out as ``base``) that ``view`` takes of ``base``."""
    offset = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    try:
        return np.ndarray(
            view.shape, buffer.dtype, buffer=buffer, offset=offset, strides=view.strides
        )
    except (TypeError, ValueError):  # a layout the buffer protocol does not take
        return None


def _zero_tangent(tensor: Tensor) -> Tensor:
    """Give ``tensor`` a zero tangent; for a view, a view of its base's tangent (made zero
    if the base has none), so the base sees what is written into it."""
    base = tensor._base
    data = tensor._data
    if base is not None and base._data.dtype == data.dtype:
        base_tangent = tangent_of(base)
        buffer = np.zeros_like(base._data)
        if buffer.strides == base._data.strides:
            if base_tangent is not None:
                buffer[...] = base_tangent._data
            view = _view_into(base._data, data, buffer)
            if view is not None:
                set_tangent(base, Tensor._make(buffer))
                tangent = Tensor._make(view)
                set_tangent(tensor, tangent)
                return tangent
    tangent = Tensor._make(np.zeros_like(data))
    set_tangent(tensor, tangent)
    return tangent


def write_tangent(tensor: Tensor, new: Tensor | None, key: Any = None) -> None:
    """After an in-place write into ``tensor`` (at ``key``, or the whole of it): its tangent
    there becomes ``new`` (zero if None), written into the tangent it had."""
    tangent = tangent_of(tensor)
    if tangent is None:
        if new is None or tensor._data.dtype.kind != "f":
            return
        tangent = _zero_tangent(tensor)
    values = 0 if new is None else new._data
    target = tangent._data
    if not target.flags.writeable or target.shape != tensor._data.shape:
        # (an expanded tangent, shared by its elements: replaced rather than written)
        target = np.array(np.broadcast_to(target, tensor._data.shape))
        tangent = Tensor._make(target)
        set_tangent(tensor, tangent)
    if key is None:
        target[...] = values
    else:
        basic, adv = key
        if adv is None:
            target[basic] = values
        else:
            target[basic][adv] = values
