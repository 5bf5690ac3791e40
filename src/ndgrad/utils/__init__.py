"""ndgrad.utils: data loading (``ndgrad.utils.data``), activation checkpointing
(``ndgrad.utils.checkpoint``) and DLPack (``ndgrad.utils.dlpack``), as in torch.utils."""

from __future__ import annotations

from .._namespace import public_dir
from . import checkpoint, data, dlpack

__all__ = ["checkpoint", "data", "dlpack"]
__dir__ = public_dir(__name__)
