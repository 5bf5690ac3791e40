"""ndgrad.utils: data loading (``ndgrad.utils.data``) and activation checkpointing
(``ndgrad.utils.checkpoint``), as in torch.utils."""

from __future__ import annotations

from . import checkpoint, data

__all__ = ["checkpoint", "data"]
