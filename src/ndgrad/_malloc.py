"""Keep freed array memory for reuse: glibc malloc thresholds set once, at import.

numpy allocates every array with ``malloc``. glibc hands arrays above its mmap threshold
(128 KiB at start) fresh pages from the kernel and returns the top of its heap to the kernel
whenever more than 128 KiB is free there, so a training loop that allocates and frees the same
arrays each step pays a page fault per 4 KiB page again and again: about 1,100 faults per step
of the benchmark transformer, 20% of its time. PyTorch's step, with the same arrays, faults
about 20 times.

When ndgrad is imported (this module runs ``tune()`` on import) it raises both thresholds:
arrays up to ``MMAP_THRESHOLD`` come from the heap, and up to ``TRIM_THRESHOLD`` of free memory
at its top stays in the process for the next step. That is glibc's own behaviour once its
dynamic threshold has grown, made stable. The cost: up to ``TRIM_THRESHOLD`` of freed memory
is not given back to the system at once.

Nothing is changed when the platform is not Linux with glibc, when ``MALLOC_MMAP_THRESHOLD_``
or ``MALLOC_TRIM_THRESHOLD_`` (glibc's own settings) are in the environment, or when
``NDGRAD_MALLOC_TUNING=0``. ``ndgrad._malloc.tuned()`` says whether it was applied.
"""

from __future__ import annotations

import ctypes
import os
import sys

MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD = 64 * 1024 * 1024
_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3

_tuned = False


def tune() -> bool:
    """Set the thresholds (once); True if glibc accepted them."""
    global _tuned
    if _tuned:
        return True
    if not sys.platform.startswith("linux") or os.environ.get("NDGRAD_MALLOC_TUNING") == "0":
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False  # the user configured glibc: leave it as they set it
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018  (glibc only: musl's mallopt does nothing)
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _tuned = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    return _tuned


def tuned() -> bool:
    return _tuned


tune()
