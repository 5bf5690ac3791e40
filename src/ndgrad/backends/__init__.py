"""ndgrad.backends: the flags PyTorch scripts read and set, for backends ndgrad does not have.

``torch.backends.cudnn.deterministic = True`` and ``torch.backends.mps.is_available()`` appear
in many training scripts. ndgrad computes with numpy on the CPU: every ``is_available()`` here
is False except ``openmp``'s and ``mkl``'s answers about numpy's build, which are also False
(ndgrad does not use them directly), and the flags are plain attributes that change nothing.
"""

from __future__ import annotations

from .._namespace import public_dir
from . import cuda, cudnn, mkl, mkldnn, mps, openmp

__all__ = ["cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]
__dir__ = public_dir(__name__)
