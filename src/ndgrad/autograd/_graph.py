"""Walking a backward graph without recursion (shared by viz, explain and gradcheck_graph)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .._tensor import Tensor
from .function import _CONSTANT, _INPUT, _OUTPUT, Node, _entries, next_edges


def node_label(node: Node) -> str:
    """The name the tools show for ``node``: its class name, as printing shows it
    (``grad_fn=<AccumulateGrad>``; ``name()`` gives PyTorch's C++ nodes their namespace,
    ``torch::autograd::AccumulateGrad``)."""
    return type(node).__name__


def root_nodes(tensors: Any) -> list[Node]:
    """The nodes a backward from ``tensors`` (a tensor or a sequence of them) would start at."""
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    roots: list[Node] = []
    for t in tensors:
        if t.grad_fn is not None:
            roots.append(t.grad_fn)
        elif t._requires_grad:
            roots.append(t._accumulator())
    return roots


def walk(roots: Iterable[Node]) -> list[Node]:
    """Every node reachable from ``roots``, each once, breadth first."""
    order: list[Node] = []
    seen: set[int] = set()
    queue: deque[Node] = deque()
    for r in roots:
        if id(r) not in seen:
            seen.add(id(r))
            queue.append(r)
    while queue:
        node = queue.popleft()
        order.append(node)
        for _, nxt, _ in next_edges(node):
            if id(nxt) not in seen:
                seen.add(id(nxt))
                queue.append(nxt)
    return order


def consumers(nodes: Iterable[Node]) -> dict[Node, list[tuple[Node, int]]]:
    """For each node, the ``(node, input index)`` pairs whose edge points at it."""
    result: dict[Node, list[tuple[Node, int]]] = {}
    for node in nodes:
        for i, nxt, _ in next_edges(node):
            result.setdefault(nxt, []).append((node, i))
    return result


def path_between(roots: list[Node], target: Node) -> list[Node] | None:
    """One shortest path of nodes from a root to ``target`` (inclusive), or None."""
    parent: dict[Node, Node | None] = {}
    queue: deque[Node] = deque()
    for r in roots:
        if r not in parent:
            parent[r] = None
            queue.append(r)
    while queue:
        node = queue.popleft()
        if node is target:
            path = [node]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])  # type: ignore[arg-type]
            return path[::-1]
        for _, nxt, _ in next_edges(node):
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return None


def reaching(nodes: list[Node], target: Node) -> set[Node]:
    """The nodes among ``nodes`` (a walk from the roots) from which ``target`` is reachable."""
    back = consumers(nodes)
    result = {target}
    stack = [target]
    while stack:
        node = stack.pop()
        for consumer, _ in back.get(node, ()):
            if consumer not in result:
                result.add(consumer)
                stack.append(consumer)
    return result


def tensor_names(params: Any) -> dict[int, str]:
    """``id(tensor) -> name`` from what the tools accept as ``params``: a dict of name to
    tensor, an iterable of ``(name, tensor)`` pairs (``model.named_parameters()``), or a Module
    (its named parameters and buffers)."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters") and hasattr(params, "named_buffers"):
        pairs = [*params.named_parameters(), *params.named_buffers()]
    elif isinstance(params, dict):
        pairs = list(params.items())
    else:
        pairs = list(params)
    return {id(t): name for name, t in pairs}


# Per-node hook slots that the tools' own backward passes must not fire: user code with side
# effects (a retained .grad written, a counter bumped, a gradient clipped).
_HOOK_SLOTS = ("_hooks", "_pre_hooks", "_tensor_hooks", "_retained")


@contextmanager
def hooks_off(nodes: Iterable[Node], slots: tuple[str, ...] = _HOOK_SLOTS) -> Iterator[None]:
    """Inside, the nodes' hooks (``register_hook``, ``retain_grad``, node hooks; or only the
    ``slots`` named) are set aside; on exit they are put back, and whatever was registered
    meanwhile is dropped."""
    nodes = list(nodes)
    stashed = []
    for node in nodes:
        d = node.__dict__
        stashed.append({k: d.pop(k) for k in slots if k in d})
    try:
        yield
    finally:
        for node, hooks in zip(nodes, stashed, strict=True):
            d = node.__dict__
            for k in slots:
                d.pop(k, None)
            d.update(hooks)


def saved_values(node: Node) -> list[tuple[str, np.ndarray]]:
    """What a node saved for backward, as (kind, array); non-array constants are left out."""
    values: list[tuple[str, np.ndarray]] = []
    for entry in _entries(node._saved):
        if entry is None:  # a None passed to save_for_backward
            continue
        kind = entry[0]
        if kind == _INPUT:
            values.append(("input", entry[1]._data))
        elif kind == _OUTPUT:
            values.append(("output", entry[1]))
        elif kind == _CONSTANT and isinstance(entry[1], np.ndarray):
            values.append(("constant", entry[1]))
    return values
