"""Devices: ndgrad computes on the CPU; `device="cpu"` is accepted where PyTorch takes a device."""

from __future__ import annotations

from typing import Any

__all__ = ["device"]

# The device types PyTorch knows; anything else is a malformed string.
_KNOWN_TYPES = [
    "cpu",
    "cuda",
    "ipu",
    "xpu",
    "mkldnn",
    "opengl",
    "opencl",
    "ideep",
    "hip",
    "ve",
    "fpga",
    "maia",
    "xla",
    "lazy",
    "vulkan",
    "mps",
    "meta",
    "hpu",
    "mtia",
    "privateuseone",
]


class device:
    """``ndgrad.device("cpu")``. Other PyTorch device types can be named but hold no tensors."""

    __slots__ = ("index", "type")
    type: str
    index: int | None

    def __init__(self, type: Any, index: int | None = None) -> None:
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"device() expected a string such as 'cpu', got {type!r}")
        name, _, idx = type.partition(":")
        if name not in _KNOWN_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_KNOWN_TYPES)} device type at start of device "
                f"string: {type}"
            )
        self.type = name
        self.index = int(idx) if idx else index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(d: Any) -> None:
    """Accept None and every spelling of the CPU; refuse any other device with a clear message."""
    if d is None:
        return
    if isinstance(d, int) and not isinstance(d, bool):  # PyTorch reads an int as a GPU's index
        if d < 0:
            raise RuntimeError("Device index must not be negative")
        raise RuntimeError(
            f"ndgrad computes on the CPU only; device {d} (an accelerator's index) is not "
            "available. Use device='cpu' or leave the device out."
        )
    dev = d if isinstance(d, device) else device(d) if isinstance(d, str) else None
    if dev is None:
        raise TypeError(f"expected a device such as 'cpu' or ndgrad.device('cpu'), got {d!r}")
    if dev.type != "cpu":
        raise RuntimeError(
            f"ndgrad computes on the CPU only; device '{dev}' is not available. "
            "Use device='cpu' or leave the device out."
        )
