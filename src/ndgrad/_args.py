"""Reading the size arguments shared by the creation functions and the ops: sizes given as
``f(2, 3)`` or ``f((2, 3))`` (a 0-d tensor counts as its value), and PyTorch's error for a
negative size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._tensor import Tensor

__all__ = ["check_dims", "parse_shape", "size_args"]

_RANDOM_SIGNATURES = (
    " * (tuple of ints size, *, torch.Generator generator, Tensor out = None, torch.dtype dtype "
    "= None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
    "bool requires_grad = False)\n * (tuple of ints size, *, Tensor out = None, torch.dtype dtype"
    " = None, torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
    "bool requires_grad = False)\n"
)
# PyTorch's words for a call with no size at all, where they are not the usual "missing"
_NO_SIZE = {
    "view": " * (torch.dtype dtype)\n * (tuple of ints size)\n",
    "rand": _RANDOM_SIGNATURES,
    "randn": _RANDOM_SIGNATURES,
}


def size_args(fn: str, args: tuple[Any, ...], kw: dict[str, Any], name: str = "size") -> Any:
    """The sizes a function of ``*sizes`` was called with: given in place (``f(2, 3)``,
    ``f((2, 3))``) or by name, as PyTorch's argument parser also takes them
    (``torch.zeros(size=(2, 3))``, ``x.permute(dims=(1, 0))``). ``kw``, the call's other keyword
    arguments, loses ``name``. No sizes at all is PyTorch's TypeError (ndgrad read it as ())."""
    if name in kw:
        if args:
            raise TypeError(f"{fn}() got multiple values for argument '{name}'")
        return (kw.pop(name),)
    if not args:
        signatures = _NO_SIZE.get(fn)
        if signatures is not None:
            raise TypeError(
                f"{fn}() received an invalid combination of arguments - got (), but expected "
                f"one of:\n{signatures}"
            )
        raise TypeError(f'{fn}() missing 1 required positional arguments: "{name}"')
    return args


def no_other_keywords(fn: str, kw: dict[str, Any]) -> None:
    """Python's error for a keyword argument ``fn`` does not take (after size_args took its
    own)."""
    for key in kw:
        raise TypeError(f"{fn}() got an unexpected keyword argument '{key}'")


def parse_shape(args: Sequence[Any]) -> tuple[int, ...]:
    """Sizes given as ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``."""
    if len(args) == 1 and isinstance(args[0], Sequence | np.ndarray):
        args = tuple(args[0])
    out = []
    for s in args:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, int | np.integer) or isinstance(s, bool):
            raise TypeError(f"sizes must be integers, got {type(s).__name__} in {tuple(args)!r}")
        out.append(int(s))
    return tuple(out)


def check_dims(shape: tuple[int, ...]) -> tuple[int, ...]:
    """``shape``, the sizes of a new tensor, or PyTorch's error for its first negative size."""
    for d in shape:
        if d < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {d}: {list(shape)}"
            )
    return shape
