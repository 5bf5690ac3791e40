"""Printing tensors exactly as PyTorch prints them.

One formatter per tensor chooses the style from all (summarised) values: integers-as-floats
("1."), fixed ("1.5000") or scientific ("1.0000e+08"), and a shared column width. Large tensors
show their first and last ``edgeitems`` rows and columns around "...".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .autograd.grad_mode import _state as _grad_state
from .dtypes import get_default_dtype

if TYPE_CHECKING:
    from ._tensor import Tensor

__all__ = ["set_printoptions", "tensor_repr"]


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """As ``torch.set_printoptions``; ``profile`` is "default", "short" or "full"."""
    if profile == "default":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, 1000
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    elif profile == "short":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 2, 1000
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 80
    elif profile == "full":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, math.inf
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


class _Formatter:
    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        p = PRINT_OPTS.precision
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
        else:
            finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
            if finite.size == 0:
                return
            abs_vals = np.abs(finite)
            lo, hi = float(abs_vals.min()), float(abs_vals.max())
            items = finite.tolist()
            self.int_mode = bool(np.all(finite == np.ceil(finite)))
            # the mode first (set_printoptions(sci_mode=...) decides over the values), then the
            # width of the values written in that mode, as PyTorch's _Formatter
            auto = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
            self.sci_mode = auto if PRINT_OPTS.sci_mode is None else bool(PRINT_OPTS.sci_mode)
            if self.sci_mode:
                width = max(len(f"{v:.{p}e}") for v in items)
            elif self.int_mode:
                width = max(len(f"{v:.0f}") for v in items) + 1
            else:
                width = max(len(f"{v:.{p}f}") for v in items)
            self.max_width = max(self.max_width, width)

    def format(self, value: Any) -> str:
        p = PRINT_OPTS.precision
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{p}f}"
        else:
            text = str(value)
        return (self.max_width - len(text)) * " " + text


def _summarized(a: np.ndarray) -> np.ndarray:
    """The values that will be printed (edges of each dim), for choosing the format."""
    e = PRINT_OPTS.edgeitems
    if e == 0 and a.ndim >= 2:  # PyTorch's get_summarized_data: nothing is printed but "..."
        return a[(slice(0, 0),) * a.ndim]
    for axis in range(a.ndim):
        if a.shape[axis] > 2 * e:
            # a[-0:] is the whole dim, as PyTorch's self[-edgeitems:]
            idx = list(range(e)) + list(range(a.shape[axis])[-e:])
            a = np.take(a, idx, axis=axis)
    return a


def _vector_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.max_width + 2
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        data = [fmt.format(v) for v in a[:e].tolist()] + [" ..."]
        data += [fmt.format(v) for v in a[-e:].tolist()]
    else:
        data = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    # Recursion depth is the number of dims (at most a few dozen), not the size.
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    if summarize and a.shape[0] > 2 * e:
        rows = [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(e)]
        rows.append("...")
        rows += [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(len(a) - e, len(a))]
    else:
        rows = [_tensor_str(a[i], indent + 1, summarize, fmt) for i in range(a.shape[0])]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def array_str(a: np.ndarray, indent: int) -> str:
    """The bracketed values of ``a`` as PyTorch prints them."""
    if a.size == 0:
        return "[]"
    if a.dtype == np.float16:
        a = a.astype(np.float32)
    summarize = a.size > PRINT_OPTS.threshold
    fmt = _Formatter(_summarized(a) if summarize else a)
    return _tensor_str(a, indent, summarize, fmt)


# A tensor's tangent in the active dual level: set by autograd/_tangents.py, which this module
# cannot import (it imports _tensor, which imports this).
read_tangent: Callable[[Any], Any] | None = None


def _prefix(t: Tensor) -> tuple[str, bool]:
    """PyTorch's prefix: "tensor(" for a Tensor or a Parameter (ndgrad's view classes are plain
    tensors to the user), a subclass's own name otherwise; and whether the text is wrapped in
    "Parameter(...)" (a subclass of Parameter)."""
    cls = type(t)
    if cls.__module__ in ("ndgrad._tensor", "ndgrad.nn.parameter"):
        return "tensor(", False
    parameter = any(
        c.__module__ == "ndgrad.nn.parameter" and c.__name__ == "Parameter" for c in cls.__mro__
    )
    return f"{cls.__name__}(", parameter


def tensor_repr(t: Tensor) -> str:
    a = t._data
    prefix, in_parameter = _prefix(t)
    indent = len(prefix)
    suffixes = []
    dt = t.dtype
    default = dt is get_default_dtype() or dt.name in ("int64", "bool")
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dt is not get_default_dtype():
            suffixes.append(f"dtype={dt}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if not default:
            suffixes.append(f"dtype={dt}")
        body = array_str(a, indent)
    if "_stale_message" in t.__dict__:  # a stale unbind/split output (see _tensor.py)
        suffixes.append("grad_fn=<Invalid>")
    elif t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    if _grad_state.forward_ad and read_tangent is not None:  # a dual tensor shows its tangent
        tangent = read_tangent(t)
        if tangent is not None:
            suffixes.append(f"tangent={tangent}")
    text = _add_suffixes(prefix + body, suffixes, indent)
    return f"Parameter({text})" if in_parameter else text
