"""Where the core finds the Tensor classes without importing the module that defines them.

``Function.apply``, the engine and the ops' helpers build and recognise tensors, but they sit
below ``ndgrad._tensor``, which imports the ops for its methods. ``ndgrad._tensor`` stores the
class here once it is defined; they read ``_tensor_ref.Tensor`` when called (one attribute read),
so the module-level import graph has no cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._tensor import Tensor as _Tensor
    from ._tensor import _View

Tensor: type[_Tensor]  # set by ndgrad._tensor
View: type[_View]  # the class of views (ops/shape.py:_as_view), set by ndgrad._tensor
