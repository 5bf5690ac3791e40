"""ndgrad.backends.cuda: not available (ndgrad computes with numpy on the CPU)."""

from __future__ import annotations

import types

from .._namespace import public_dir

__all__ = ["is_built", "matmul"]
__dir__ = public_dir(__name__)


def is_built() -> bool:
    """Always False."""
    return False


# ``torch.backends.cuda.matmul.allow_tf32 = True``: accepted, changes nothing.
matmul = types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=False)
