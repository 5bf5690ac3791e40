"""Layouts and memory formats: the names PyTorch code passes around.

ndgrad tensors are dense numpy arrays: the layout is always ``strided``, and the memory formats
``contiguous_format`` and ``preserve_format`` are accepted where PyTorch takes one
(``x.contiguous(memory_format=torch.contiguous_format)``). ``channels_last`` asks for a physical
order numpy arrays here do not keep; it is accepted and gives row-major (C) order.
"""

from __future__ import annotations

__all__ = [
    "channels_last",
    "channels_last_3d",
    "contiguous_format",
    "layout",
    "legacy_contiguous_format",
    "memory_format",
    "preserve_format",
    "strided",
]


class layout:
    """A tensor layout; ndgrad has one, ``strided``."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self) -> str:
        return self._name


class memory_format:
    """A memory format, as PyTorch's ``torch.memory_format``."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self) -> str:
        return self._name


strided = layout("strided")
contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
legacy_contiguous_format = memory_format("legacy_contiguous_format")
