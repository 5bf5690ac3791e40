"""The backward walk.

Kahn's algorithm over the graph of nodes: count, for every node reachable from the roots, how many
edges point at it; run a node once all of them have delivered their gradient; among ready nodes run
the newest first (highest sequence number), as PyTorch does. The walk is iterative, so a graph as
deep as memory allows runs without RecursionError.

Each gradient a node returns is checked here, in one place: the count, the type, the shape (a
broadcast gradient is summed back to the input's shape) and the dtype (cast to the input's).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .function import AccumulateGrad, Node, _checked_hook_result
from .grad_mode import _state

if TYPE_CHECKING:
    from .._tensor import Tensor

Edge = tuple[Node, int]


def run_backward(
    roots: Sequence[Edge | None],
    root_grads: Sequence[Tensor],
    keep_graph: bool,
    create_graph: bool,
    captures: Sequence[Edge] | None = None,
    accumulate: bool = True,
    batched: bool = False,
) -> list[Tensor | None]:
    """Propagate ``root_grads`` from ``roots`` through the graph.

    ``captures``: edges whose incoming gradient is returned (``autograd.grad``, and
    ``backward(inputs=...)``); only the part of the graph leading to them runs. With
    ``accumulate=False`` no ``.grad`` is written. With ``batched``, every gradient carries a
    leading batch dim (``autograd.grad(is_grads_batched=True)``, see ``_special``).
    """
    dependencies = _count_dependencies([e[0] for e in roots if e is not None])
    needed = None
    if captures is not None:
        needed = _needed_nodes(roots, dependencies, {e[0] for e in captures})
    capture_slots: dict[Node, list[tuple[int, int]]] = {}
    for k, (node, nr) in enumerate(captures or ()):
        capture_slots.setdefault(node, []).append((nr, k))
    captured: list[Tensor | None] = [None] * len(captures or ())

    buffers: dict[Node, list[Any]] = {}
    for edge, grad in zip(roots, root_grads, strict=True):
        if edge is not None:
            node, nr = edge
            _add_to_buffer(buffers, node, nr, grad)
    ready = [(-n._sequence_nr, id(n), n) for n in buffers if n not in dependencies]
    heapq.heapify(ready)

    previous = _state.grad_enabled
    previous_batched = _state.grads_batched
    _state.grad_enabled = create_graph
    _state.grads_batched = batched
    try:
        # A backward pass routinely divides by zero or multiplies inf by 0 where an input sits at
        # a singular point; numpy's warnings about it would only be noise.
        with np.errstate(all="ignore"):
            while ready:
                node = heapq.heappop(ready)[2]
                grads = buffers.pop(node, None) or [None] * max(len(node._output_meta), 1)
                _run_node(
                    node,
                    grads,
                    dependencies,
                    buffers,
                    ready,
                    keep_graph,
                    needed,
                    capture_slots,
                    captured,
                    accumulate,
                )
    finally:
        _state.grad_enabled = previous
        _state.grads_batched = previous_batched
    return captured


def _run_node(
    node: Node,
    grads: list[Any],
    dependencies: dict[Node, int],
    buffers: dict[Node, list[Any]],
    ready: list[Any],
    keep_graph: bool,
    needed: set[Node] | None,
    capture_slots: dict[Node, list[tuple[int, int]]],
    captured: list[Tensor | None],
    accumulate: bool,
) -> None:
    if node._pre_hooks:
        for hook in tuple(node._pre_hooks.values()):
            result = hook(tuple(grads))
            if result is not None:
                grads = list(result)
    if node._tensor_hooks:
        for nr, hooks in node._tensor_hooks.items():
            for hook in tuple(hooks.values()):
                if grads[nr] is not None:
                    result = hook(grads[nr])
                    if result is not None:
                        grads[nr] = _checked_hook_result(result, grads[nr], hook)
    if node._retained:
        for nr, ref in node._retained.items():
            tensor = ref()
            if tensor is not None and grads[nr] is not None:
                _retain(tensor, grads[nr])
    slots = capture_slots.get(node)
    if slots is not None:
        for nr, k in slots:
            captured[k] = grads[nr]
        if isinstance(node, AccumulateGrad) and not accumulate:
            return
    if needed is not None and node not in needed:
        outputs: Sequence[Any] = ()
    elif all(g is None for g in grads):
        outputs = ()
    else:
        if _state.grads_batched or _state.anomaly:
            from ._special import apply_node

            outputs = apply_node(node, grads)
        else:
            outputs = node._apply(grads)
        if node._hooks:
            for hook in tuple(node._hooks.values()):
                result = hook(tuple(outputs), tuple(grads))
                if result is not None:
                    outputs = tuple(result)
    if not keep_graph and (needed is None or node in needed):
        node._release()  # a node that did not run keeps its saved values for other passes

    edges = node._edges
    for i, edge in enumerate(edges):
        if edge is None:
            if outputs and outputs[i] is not None:
                raise RuntimeError(
                    f"function {node.name()} returned a gradient different than None at position "
                    f"{i + 1}, but the corresponding forward input was not a Variable"
                )
            continue
        nxt = edge[0]
        if nxt is None:
            continue
        if outputs:
            g = outputs[i]
            if g is not None:
                batched = _state.grads_batched
                g = _validate_batched(node, i, g) if batched else _validate(node, i, g)
                _add_to_buffer(buffers, nxt, edge[1], g)
        remaining = dependencies[nxt] - 1
        dependencies[nxt] = remaining
        if remaining == 0:
            heapq.heappush(ready, (-nxt._sequence_nr, id(nxt), nxt))


def _retain(tensor: Tensor, grad: Tensor) -> None:
    from .._tensor import Tensor

    if tensor._grad is None:
        tensor._grad = (
            Tensor._make(np.array(grad._data, copy=True)) if not _state.grad_enabled else grad
        )
    else:
        tensor._grad = tensor._grad + grad


def _add_to_buffer(buffers: dict[Node, list[Any]], node: Node, nr: int, grad: Tensor) -> None:
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * max(len(node._output_meta), 1)
    current = buf[nr]
    buf[nr] = grad if current is None else current + grad


def _validate(node: Node, i: int, grad: Any) -> Tensor:
    from .._tensor import Tensor

    if not isinstance(grad, Tensor):
        raise RuntimeError(f"expected Variable or None (got {type(grad).__name__})")
    meta = node._input_meta[i]
    if meta is None:
        return grad
    shape, dtype = meta
    gshape = grad._data.shape
    if gshape != shape:
        if not _expandable(shape, gshape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{list(gshape)} but expected shape compatible with {list(shape)}"
            )
        from ..ops.shape import sum_to

        grad = sum_to(grad, shape)
    if grad._data.dtype != dtype:
        grad = grad.to(dtype)
    return grad


def _validate_batched(node: Node, i: int, grad: Any) -> Tensor:
    from ._special import validate_batched

    return validate_batched(node, i, grad)


def _expandable(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """True if ``shape`` broadcasts to ``target``."""
    if len(shape) > len(target):
        return False
    return all(s == t or s == 1 for s, t in zip(reversed(shape), reversed(target), strict=False))


def _count_dependencies(roots: list[Node]) -> dict[Node, int]:
    dependencies: dict[Node, int] = {}
    seen = set(roots)
    stack = list(seen)
    while stack:
        node = stack.pop()
        for edge in node._edges:
            if edge is None:
                continue
            nxt = edge[0]
            if nxt is None:
                continue
            dependencies[nxt] = dependencies.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return dependencies


def _needed_nodes(
    roots: Sequence[Edge | None], dependencies: dict[Node, int], targets: set[Node]
) -> set[Node]:
    """The nodes from which some target is reachable (the rest need not run)."""
    # Topological order by Kahn's algorithm without gradients, then a reverse sweep.
    remaining = dict(dependencies)
    order: list[Node] = []
    stack = [e[0] for e in roots if e is not None and e[0] not in remaining]
    seen: set[Node] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        for edge in node._edges:
            if edge is None or edge[0] is None:
                continue
            nxt = edge[0]
            remaining[nxt] -= 1
            if remaining[nxt] == 0:
                stack.append(nxt)
    # A target runs only if it leads on to another target, or if it is a leaf's AccumulateGrad
    # (which `backward(inputs=...)` must run); the grad it receives is captured either way.
    needed: set[Node] = set()
    for node in reversed(order):
        if (node in targets and isinstance(node, AccumulateGrad)) or any(
            e is not None and (e[0] in needed or e[0] in targets) for e in node._edges
        ):
            needed.add(node)
    return needed
