"""Activation checkpointing: trade compute for memory by recomputing a segment in backward.

``checkpoint(fn, *args)`` returns ``fn(*args)`` but keeps none of the segment's intermediate
values: the graph records one node, ``CheckpointFunctionBackward``. Its backward runs ``fn`` again
with grad enabled (with the random state of the first run, so dropout masks repeat) and
backpropagates through that fresh graph.

The node's inputs are the segment's *boundary*: every graph edge leaving it, found by recording
the first run and walking its graph back to nodes made before the call. So gradients reach tensors
``fn`` closes over (a module's parameters) as well as its arguments, with ``backward()`` and
``autograd.grad`` alike; the recorded graph is dropped as soon as the boundary is known. Each
segment's backward is one nested engine run, so a stack of thousands of segments needs no
recursion.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._namespace import public_dir
from .._random import get_rng_state, set_rng_state
from .._tensor import Tensor
from ..autograd._engine import run_backward
from ..autograd.function import AccumulateGrad, Function, Node, _sequence, next_edges
from ..autograd.grad_mode import _state, enable_grad

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["checkpoint"]
__dir__ = public_dir(__name__)

# A gradient's destination: (node, input number), as in PyTorch's autograd.graph.GradientEdge.
GradientEdge = tuple[Node, int]


def _boundary(outputs: tuple[Any, ...], start: int) -> list[GradientEdge]:
    """The edges from the graph recorded since sequence number ``start`` into older graph."""
    T = Tensor
    found: list[GradientEdge] = []
    seen_edges: set[GradientEdge] = set()
    seen_nodes: set[Node] = set()
    stack: list[GradientEdge] = []
    for o in reversed(outputs):
        if isinstance(o, T) and o.requires_grad:
            stack.append(_edge_of(o))
    while stack:
        edge = stack.pop()
        node, _input_nr = edge
        if isinstance(node, AccumulateGrad) or node._sequence_nr < start:
            if edge not in seen_edges:
                seen_edges.add(edge)
                found.append(edge)
            continue
        if node in seen_nodes:
            continue
        seen_nodes.add(node)
        for _, nxt, input_nr in reversed(list(next_edges(node))):
            stack.append((nxt, input_nr))
    return found


def _stand_in(edge: GradientEdge) -> Tensor:
    """A tensor whose graph edge is ``edge`` (its values are never read)."""
    node, nr = edge
    if isinstance(node, AccumulateGrad):
        return node.variable
    shape, dtype = node._output_meta[nr]
    return Tensor._make(np.broadcast_to(np.zeros((), dtype), shape), node, nr)


def _edge_of(t: Tensor) -> GradientEdge:
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    return (t._accumulator(), 0)


def _detach_args(
    args: tuple[Any, ...], boundary: list[GradientEdge]
) -> tuple[tuple[Any, ...], list[GradientEdge]]:
    """Arguments cut from their graph, and the boundary with their edges moved to the copies."""
    T = Tensor
    moved: dict[GradientEdge, GradientEdge] = {}
    copies: dict[GradientEdge, Any] = {}
    new_args = []
    for a in args:
        if isinstance(a, T) and a.requires_grad:
            edge = _edge_of(a)
            if edge not in copies:  # the same tensor passed twice gets one copy
                copies[edge] = a.detach().requires_grad_(True)
                moved[edge] = (copies[edge]._accumulator(), 0)
            new_args.append(copies[edge])
        else:
            new_args.append(a)
    return tuple(new_args), [moved.get(e, e) for e in boundary]


class CheckpointFunction(Function):
    """outputs = fn(*args), computed again in backward; its inputs are the segment's boundary."""

    @staticmethod
    def forward(ctx: Any, spec: dict[str, Any], *boundary: Tensor) -> Any:
        ctx.spec = spec
        ctx.save_for_backward(*spec["tensor_args"])  # version check: no in-place change since
        return tuple(spec.pop("outputs"))

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        ctx.saved_tensors  # noqa: B018 - raises if an argument was modified in place
        spec = ctx.spec
        create_graph = _state.grad_enabled
        current = get_rng_state()
        if spec["rng_state"] is not None:
            set_rng_state(spec["rng_state"])
        args = spec["args"]
        boundary = spec["boundary"]
        if not create_graph:
            # Recompute from detached arguments: the new graph then ends at them (and at the
            # leaves fn closes over) instead of reaching into the whole outer graph.
            args, boundary = _detach_args(args, boundary)
        try:
            with enable_grad():
                out = spec["function"](*args, **spec["kwargs"])
        finally:
            if spec["rng_state"] is not None:
                set_rng_state(current)
        T = Tensor
        outs = [o for o in (out if isinstance(out, tuple) else (out,)) if isinstance(o, T)]
        roots: list[GradientEdge] = []
        root_grads: list[Any] = []
        for o, g in zip(outs, grads, strict=True):
            if isinstance(o, T) and o.requires_grad and g is not None:
                roots.append(_edge_of(o))
                root_grads.append(g)
        if not roots:
            return (None,) * (len(boundary) + 1)
        captured = run_backward(roots, root_grads, create_graph, create_graph, boundary, False)
        return (None, *captured)


def checkpoint(
    function: Callable[..., Any],
    *args: Any,
    use_reentrant: bool | None = None,
    context_fn: Any = None,
    determinism_check: str = "default",
    debug: bool = False,
    early_stop: bool = True,
    preserve_rng_state: bool = True,
    **kwargs: Any,
) -> Any:
    """``function(*args, **kwargs)``, with its intermediate values recomputed in backward."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "use_reentrant=False is recommended.",
            UserWarning,
            stacklevel=2,
        )
    if not _state.grad_enabled:
        return function(*args, **kwargs)
    T = Tensor
    rng_state = get_rng_state() if preserve_rng_state else None
    start = next(_sequence)
    out = function(*args, **kwargs)
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    boundary = _boundary(outs, start)
    if not boundary:
        return out
    spec = {
        "function": function,
        "args": args,
        "kwargs": kwargs,
        "tensor_args": [a for a in args if isinstance(a, T)],
        "rng_state": rng_state,
        "boundary": boundary,
        # The tensor values only; the recorded graph behind them is dropped here.
        "outputs": [o.detach() for o in outs if isinstance(o, T)],
    }
    result = CheckpointFunction.apply(spec, *(_stand_in(e) for e in boundary))
    if single:
        return result[0]
    # Other outputs (numbers, None, ...) pass through as fn returned them.
    tensors = iter(result)
    return tuple(next(tensors) if isinstance(o, T) else o for o in outs)
