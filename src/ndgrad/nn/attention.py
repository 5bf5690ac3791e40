"""``ndgrad.nn.attention``: which kernels ``scaled_dot_product_attention`` may use.

>>> import ndgrad as torch
>>> from ndgrad.nn.attention import SDPBackend, sdpa_kernel
>>> q = torch.ones(1, 2, 4, 8)
>>> with sdpa_kernel(SDPBackend.MATH):
...     torch.nn.functional.scaled_dot_product_attention(q, q, q).shape
torch.Size([1, 2, 4, 8])

On the CPU PyTorch has two kernels, its flash kernel and the math path; ndgrad computes both
with one formula, and the choice shows in the graph (``grad_fn``) and in which calls fail: with
the flash kernel alone, inputs it does not take (not 4-d, dropout, a last dim not contiguous...)
raise "No available kernel", after warnings that say why.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from typing import Any

from .._namespace import public_dir
from ..backends import cuda as _cuda

__all__ = ["SDPBackend", "sdpa_kernel"]
__dir__ = public_dir(__name__)


class SDPBackend(enum.Enum):
    """The kernels of ``scaled_dot_product_attention``, PyTorch's names and numbers."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self) -> int:
        return int(self.value)

    __index__ = __int__


# The switch (backends.cuda.sdp_enabled) each backend turns on; ERROR turns on none.
_SWITCH = {
    SDPBackend.MATH: "math",
    SDPBackend.FLASH_ATTENTION: "flash",
    SDPBackend.EFFICIENT_ATTENTION: "mem_efficient",
    SDPBackend.CUDNN_ATTENTION: "cudnn",
    SDPBackend.OVERRIDEABLE: "overrideable",
}


@contextlib.contextmanager
def sdpa_kernel(backends: Any, set_priority: bool = False) -> Iterator[None]:
    """Allow only ``backends`` (one SDPBackend or a list of them) inside the block; every
    switch is put back on exit. ``set_priority`` orders CUDA kernels in PyTorch; the CPU tries
    its flash kernel before the math path either way, as here."""
    if isinstance(backends, SDPBackend):
        backends = [backends]
    if not isinstance(backends, list):
        raise AssertionError(
            "Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
            f"{type(backends).__name__}"
        )
    chosen = {_SWITCH[b] for b in backends if isinstance(b, SDPBackend) and b in _SWITCH}
    switches = _cuda.sdp_enabled
    previous = dict(switches)
    for name in switches:
        switches[name] = name in chosen
    try:
        yield
    finally:
        switches.update(previous)
