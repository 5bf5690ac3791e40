"""ndgrad.utils: data loading (``ndgrad.utils.data``) and activation checkpointing
(``ndgrad.utils.checkpoint``), as in torch.utils."""

from __future__ import annotations

from .._namespace import public_dir
from . import checkpoint, data

__all__ = ["checkpoint", "data"]
__dir__ = public_dir(__name__)
