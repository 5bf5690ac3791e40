"""The engine's slow paths: anomaly detection and batched gradients.

The engine calls ``apply_node`` instead of ``node._apply`` only while one of these modes is on,
so the ordinary backward pays one attribute test per node.

Batched gradients (``autograd.grad(..., is_grads_batched=True)``, ``jacobian(vectorize=True)``)
carry a leading batch dim through the whole backward pass. Most built-in backward formulas are
elementwise or matmul-based and broadcast over that dim unchanged (``_BATCH_SAFE``); the shape and
reduction ops, whose formulas name dims and shapes, get batched rules here (``_RULES``). Any other
node (a user's Function, say) falls back to running its backward once per batch entry, which is
correct but not faster. New ops opt in with ``batch_safe = True`` or a ``batched_backward``
staticmethod on their Function class (see ``_batched_apply``).
"""

from __future__ import annotations

import os
import traceback
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _errors
from .._tensor import Tensor
from ..ops import _util as _ut
from ..ops import arithmetic as _ar
from ..ops import products as _pr
from ..ops import reduction as _red
from ..ops import shape as _sh
from ..ops import unary as _un
from . import _views
from .function import BackwardNode, Node, check_expandable
from .grad_mode import _state

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["apply_node", "validate_batched"]


def apply_node(node: Node, grads: list[Any]) -> Any:
    if not _state.anomaly:
        return _batched_apply(node, grads)
    try:
        outputs = _batched_apply(node, grads) if _state.grads_batched else node._apply(grads)
        if _state.anomaly_check_nan:
            for i, g in enumerate(outputs):
                data = getattr(g, "_data", None)
                if data is not None and data.dtype.kind == "f" and np.isnan(data).any():
                    raise RuntimeError(
                        f"Function '{node.name()}' returned nan values in its {i}th output."
                        + _zero_times_inf_hint(grads, data)
                    )
    except Exception:
        _warn_forward_trace(node)
        raise
    return outputs


def _zero_times_inf_hint(grads: list[Any], nan_output: np.ndarray) -> str:
    """ndgrad's addition to PyTorch's message, when the nan is the classic 0 * inf.

    The node received a finite gradient that is 0 wherever its result is nan: its own derivative
    is infinite there (log, sqrt or a division at 0), and a zero from `where`, a mask or a clamp
    further down the graph did not cancel it. The fix is to make the input safe before the op.
    """
    incoming = [getattr(g, "_data", None) for g in grads if g is not None]
    if len(incoming) != 1 or incoming[0] is None or incoming[0].shape != nan_output.shape:
        return ""
    g = incoming[0]
    nan = np.isnan(nan_output)
    if not np.all(np.isfinite(g)) or np.any(g[nan] != 0):
        return ""
    return (
        " The gradient it received is 0 wherever it returned nan: this is 0 * inf, the op's own "
        "derivative being infinite there (e.g. log, sqrt or a division at 0), and a zero from "
        "where(), a mask or a clamp later in the graph does not cancel it. Make the op's input "
        "safe instead of masking its output, e.g. x.sqrt() -> where(mask, x, 1.0).sqrt(); "
        "ndgrad.autograd.explain_nan(loss) shows the path."
    )


def _warn_forward_trace(node: Node) -> None:
    trace = node.__dict__.get("_forward_trace")
    if trace is None:
        message = (
            "Error detected in "
            f"{node.name()}. No forward pass information available. Enable detect anomaly "
            "during forward pass for more information."
        )
    else:
        message = (
            f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
            + "".join(traceback.format_list(_without_op_internals(trace)))
        )
    warnings.warn(message, UserWarning, stacklevel=_user_stacklevel())


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _internal(filename: str) -> bool:
    """A file of ndgrad's ops and autograd (nn's layers are code a user reads, like torch.nn)."""
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE) and not path.startswith(_PACKAGE + "nn" + os.sep)


def _without_op_internals(trace: list[Any]) -> list[Any]:
    """The forward stack without its innermost ndgrad frames: it ends at the line that called
    the op, as PyTorch's does (its ops are not Python)."""
    end = len(trace)
    while end > 1 and _internal(trace[end - 1].filename):
        end -= 1
    return list(trace[:end])


def _user_stacklevel() -> int:
    """The stacklevel of the innermost caller outside ndgrad (the line that ran backward)."""
    return _errors.user_stacklevel(2)


# --- batched gradients -------------------------------------------------------------------------


def _tensor(data: np.ndarray) -> Tensor:
    return Tensor._make(data)


def _sum_to_batched(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum a (B, *broadcast shape) gradient down to (B, *shape), never over the batch dim."""
    gshape = grad._data.shape[1:]
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    dims = tuple(range(1, lead + 1)) + tuple(
        1 + lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1
    )
    if dims:
        grad = grad.sum(dim=dims, keepdim=True)
    return grad.reshape(grad._data.shape[0], *shape)


def validate_batched(node: Node, i: int, grad: Any) -> Tensor:
    """The engine's per-gradient check (see engine._validate) for a batched gradient."""
    if not isinstance(grad, Tensor):
        raise RuntimeError(f"expected Variable or None (got {type(grad).__name__})")
    edge = node._edges[i]
    if edge is None:
        return grad
    _node, _input_nr, shape, dtype = edge
    gshape = grad._data.shape[1:]
    if gshape != shape:
        check_expandable(node, i, gshape, shape)
        grad = _sum_to_batched(grad, shape)
    if grad._data.dtype != dtype:
        grad = grad.to(dtype)
    return grad


# Forward classes whose backward broadcasts over a leading batch dim as written.
_BATCH_SAFE: set[type] = {
    _ut.ToCopy,
    _ar.Clone,
    _ar.Add,
    _ar.Sub,
    _ar.Mul,
    _ar.Div,
    _ar.DivRounded,
    _ar.PowScalar,
    _ar.PowTensor,
    _ar.RPow,
    _ar.Neg,
    _ar.Where,
    _un.Exp,
    _un.Log,
    _un.Sqrt,
    _un.Tanh,
    _un.Sigmoid,
    _un.Relu,
    _un.Abs,
    _un.Sign,
    _pr.Matmul,
    _pr.Mv,
    _pr.Mm,
    _pr.Bmm,
    _views.AsStrided,
    _views.Embed,
    _views.CopySlices,
    _views.Fill,
    _views.Zero,
    _views.Copy,
}


def _reshape_back(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
    return grad.reshape(grad._data.shape[0], *ctx.in_shape), None


def _reduce_back(ctx: Any, grad: Tensor) -> Tensor:
    b = grad._data.shape[0]
    return grad.reshape(b, *ctx.kept_shape).expand(b, *ctx.in_shape)


def _mean_back(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
    scale = 1.0 / ctx.count if ctx.count else float("nan")
    return _reduce_back(ctx, grad) * scale, None, None


def _dot_back(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
    a, b = ctx.saved_tensors
    need_a, need_b = ctx.needs_input_grad
    g = grad.unsqueeze(-1)
    return (g * b if need_a else None), (g * a if need_b else None)


_RULES: dict[type, Callable[..., tuple[Any, ...]]] = {
    _sh.View: _reshape_back,
    _sh.ReshapeCopy: _reshape_back,
    _sh.Squeeze: _reshape_back,
    _sh.SqueezeDim: _reshape_back,
    _sh.Expand: lambda ctx, g: (_sum_to_batched(g, ctx.in_shape), None),
    _sh.Unsqueeze: lambda ctx, g: (g.squeeze(ctx.dim + 1), None),
    _sh.Transpose: lambda ctx, g: (g.transpose(ctx.dims[0] + 1, ctx.dims[1] + 1), None, None),
    _sh.Permute: lambda ctx, g: (g.permute(0, *(d + 1 for d in ctx.inverse)), None),
    _sh.Unbind: lambda ctx, *gs: (_sh.stack(gs, ctx.dim + 1), None),
    _sh.Stack: lambda ctx, g: (None, *g.unbind(ctx.dim + 1)),
    _red.Sum: lambda ctx, g: (_reduce_back(ctx, g), None, None),
    _red.SumDim: lambda ctx, g: (_reduce_back(ctx, g), None, None),
    _red.Mean: _mean_back,
    _red.MeanDim: _mean_back,
    _pr.Dot: _dot_back,
}


def _batched_apply(node: Node, grads: list[Any]) -> tuple[Any, ...]:
    batch = next(g._data.shape[0] for g in grads if g is not None)
    cls = getattr(node, "_forward_cls", None)
    if cls is None or not isinstance(node, BackwardNode):
        return node._apply(grads)
    # An op outside these tables can opt in: ``batch_safe = True`` on the Function class (its
    # backward broadcasts over a leading dim) or a ``batched_backward(ctx, *grads)`` staticmethod.
    safe = cls in _BATCH_SAFE or cls.__dict__.get("batch_safe", False)
    rule = None if safe else _RULES.get(cls) or cls.__dict__.get("batched_backward")
    if safe or rule is not None:
        for i, g in enumerate(grads):
            if g is None and node._materialize_grads:
                shape, dtype = node._output_meta[i]
                grads[i] = _tensor(np.zeros((batch, *shape), dtype))
        if safe:
            return node._apply(grads)
        assert rule is not None
        result = rule(node, *grads)
        return result if isinstance(result, tuple) else (result,)
    # Fallback: the node's own backward once per batch entry, results stacked.
    slices = [g.unbind(0) if g is not None else None for g in grads]
    per_entry = [
        node._apply([s[k] if s is not None else None for s in slices]) for k in range(batch)
    ]
    outputs: list[Any] = []
    for position in zip(*per_entry, strict=True):
        present = [g for g in position if g is not None]
        if not present:
            outputs.append(None)
            continue
        like = present[0]
        filled = [g if g is not None else like * 0 for g in position]
        outputs.append(_sh.stack(filled, 0))
    return tuple(outputs)
