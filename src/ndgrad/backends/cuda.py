"""ndgrad.backends.cuda: not available (ndgrad computes with numpy on the CPU).

What it keeps are the switches PyTorch reads on the CPU as well: which kernels
``scaled_dot_product_attention`` may use (``enable_math_sdp``, ``enable_flash_sdp``...), set
directly or by ``ndgrad.nn.attention.sdpa_kernel``. On the CPU PyTorch has two: its flash kernel
and the math path (ndgrad computes both with the same formula; they differ in the graph they
record). The memory-efficient, cuDNN and overrideable kernels are CUDA ones: enabled alone, they
leave attention on the CPU without a kernel, as in PyTorch.
"""

from __future__ import annotations

import contextlib
import types
import warnings
from collections.abc import Iterator
from typing import Any

from .._namespace import public_dir

__all__ = [
    "cudnn_sdp_enabled",
    "enable_cudnn_sdp",
    "enable_flash_sdp",
    "enable_math_sdp",
    "enable_mem_efficient_sdp",
    "flash_sdp_enabled",
    "is_built",
    "is_flash_attention_available",
    "math_sdp_enabled",
    "matmul",
    "mem_efficient_sdp_enabled",
    "sdp_kernel",
]
__dir__ = public_dir(__name__)


def is_built() -> bool:
    """Always False."""
    return False


# ``torch.backends.cuda.matmul.allow_tf32 = True``: accepted, changes nothing.
matmul = types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=False)

# The attention kernels' switches, process-wide as PyTorch's global context holds them.
sdp_enabled = {
    "flash": True,
    "math": True,
    "mem_efficient": True,
    "cudnn": True,
    "overrideable": True,
}


def _set(kernel: str, setter: str, enabled: Any, slip: str = "") -> None:
    if type(enabled) is not bool:
        # PyTorch's wording, slips included: the flash and memory-efficient setters say
        # set_sdp_use_math, the cuDNN one "%sint"
        raise RuntimeError(f"{setter} expects a bool, but got {slip}{type(enabled).__name__}")
    sdp_enabled[kernel] = enabled


def enable_flash_sdp(enabled: bool) -> None:
    """Allow or forbid the flash kernel of ``scaled_dot_product_attention``."""
    _set("flash", "set_sdp_use_math", enabled)


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Allow or forbid the memory-efficient (CUDA) kernel."""
    _set("mem_efficient", "set_sdp_use_math", enabled)


def enable_math_sdp(enabled: bool) -> None:
    """Allow or forbid the math path of ``scaled_dot_product_attention``."""
    _set("math", "set_sdp_use_math", enabled)


def enable_cudnn_sdp(enabled: bool) -> None:
    """Allow or forbid the cuDNN (CUDA) kernel."""
    _set("cudnn", "set_sdp_use_cudnn", enabled, slip="%s")


def flash_sdp_enabled() -> bool:
    return sdp_enabled["flash"]


def mem_efficient_sdp_enabled() -> bool:
    return sdp_enabled["mem_efficient"]


def math_sdp_enabled() -> bool:
    return sdp_enabled["math"]


def cudnn_sdp_enabled() -> bool:
    return sdp_enabled["cudnn"]


def is_flash_attention_available() -> bool:
    """Whether the CUDA flash kernel is built: never, here (as in a CPU build of PyTorch)."""
    return False


@contextlib.contextmanager
def sdp_kernel(
    enable_flash: bool = True,
    enable_math: bool = True,
    enable_mem_efficient: bool = True,
    enable_cudnn: bool = True,
) -> Iterator[None]:
    """The deprecated form of ``ndgrad.nn.attention.sdpa_kernel``: set the four switches for the
    block, then put back what was there."""
    warnings.warn(
        "`torch.backends.cuda.sdp_kernel()` is deprecated. In the future, this context manager "
        "will be removed. Please see `torch.nn.attention.sdpa_kernel()` for the new context "
        "manager, with updated signature.",
        FutureWarning,
        stacklevel=3,
    )
    previous = dict(sdp_enabled)
    enable_flash_sdp(enable_flash)
    enable_math_sdp(enable_math)
    enable_mem_efficient_sdp(enable_mem_efficient)
    enable_cudnn_sdp(enable_cudnn)
    try:
        yield
    finally:
        sdp_enabled.update(previous)
