"""``ndgrad.utils.dlpack``: sharing memory with other libraries through DLPack, as
torch.utils.dlpack (``to_dlpack`` gives a capsule, ``from_dlpack`` takes a capsule or an object
with ``__dlpack__``)."""

from __future__ import annotations

from .._namespace import public_dir
from .._sequences import from_dlpack, to_dlpack  # noqa: F401  (to_dlpack: not in PyTorch's __all__)

__all__ = ["from_dlpack"]
__dir__ = public_dir(__name__)
