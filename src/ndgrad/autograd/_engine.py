"""The backward walk.

Kahn's algorithm over the graph of nodes: count, for every node reachable from the roots, how many
edges point at it; run a node once all of them have delivered their gradient; among ready nodes run
the newest first (highest sequence number), as PyTorch does. The walk is iterative, so a graph as
deep as memory allows runs without RecursionError.

Each gradient a node returns is checked here, in one place: the count, the type, the shape (a
broadcast gradient is summed back to the input's shape) and the dtype (cast to the input's).
"""

from __future__ import annotations

import gc
import heapq
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._kernels import errors_off, errors_restore, sum_to_np
from .._tensor import Tensor, _VersionCounter
from ..ops.arithmetic import CloneContiguous
from ..ops.shape import sum_to
from ._special import apply_node, validate_batched
from .function import (
    AccumulateGrad,
    Node,
    _checked_hook_result,
    _checked_hook_results,
    check_expandable,
)
from .grad_mode import _state, _Used, grad_version, set_grad_version

if TYPE_CHECKING:
    from .._tensor import Tensor, _VersionCounter

Root = tuple[Node, int]


def run_backward(
    roots: Sequence[Root],
    root_grads: Sequence[Tensor],
    keep_graph: bool,
    create_graph: bool,
    captures: Sequence[Root] | None = None,
    accumulate: bool = True,
    batched: bool = False,
) -> list[Tensor | None]:
    """Propagate ``root_grads`` from ``roots`` (``(node, output_nr)`` pairs) through the graph.

    ``captures``: ``(node, output_nr)`` pairs whose incoming gradient is returned
    (``autograd.grad``, ``backward(inputs=...)``); only the part of the graph leading to them
    runs. With ``accumulate=False`` no ``.grad`` is written. With ``batched``, every gradient
    carries a leading batch dim (``autograd.grad(is_grads_batched=True)``, see ``_special``).
    """
    dependencies = _count_dependencies([node for node, _ in roots])
    needed = None
    narrowing: dict[Node, tuple[bool, ...]] = {}
    if captures is not None:
        targets = {n for n, _ in captures}
        needed, narrowing = _needed_nodes([node for node, _ in roots], dependencies, targets)
    capture_slots: dict[Node, list[tuple[int, int]]] = {}
    for k, (node, nr) in enumerate(captures or ()):
        capture_slots.setdefault(node, []).append((nr, k))
    captured: list[Tensor | None] = [None] * len(captures or ())
    sole_root = roots[0][0] if len(roots) == 1 else None
    narrowed: list[tuple[Node, Any]] = []  # (node, its needs_input_grad) to put back at the end

    # A first-order backward passes numpy arrays between nodes: a node whose Function has a
    # numpy formula (backward_np) runs it directly; any other node, or one with hooks, gets its
    # gradients wrapped as tensors and runs as under create_graph. The rare modes use tensors.
    use_arrays = (
        ARRAY_BACKWARD
        and not create_graph
        and not batched
        and not _state.anomaly
        and _state.tracer is None
    )
    buffers: dict[Node, list[Any]] = {}
    outer_versions = _state.grad_versions  # a backward run from a hook has its own
    _state.grad_versions = None
    outer_task = _state.graph_task
    _state.graph_task = _GraphTask(dependencies, needed, roots, captures)
    for (node, nr), grad in zip(roots, root_grads, strict=True):
        if use_arrays:
            _add_to_buffer(buffers, node, nr, grad._data)
            if grad._version:
                set_grad_version(grad._data, grad._version)
        else:
            _add_to_buffer(buffers, node, nr, grad)
    if use_arrays and captures:
        # autograd.grad(y, y, g) hands back g itself, as in tensor mode.
        originals = {id(g._data): g for g in root_grads}
    ready = [(-n._sequence_nr, n) for n in buffers if n not in dependencies]
    heapq.heapify(ready)

    previous = _state.grad_enabled
    previous_batched = _state.grads_batched
    _state.grad_enabled = create_graph
    _state.grads_batched = batched
    # The graph is freed by reference counting, so the cyclic collector has nothing to find
    # here; paused, it stops re-scanning a large graph while backward allocates (measured: a
    # 200,000-step chain's backward ran 1.6x faster).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    errors = None
    try:
        # A backward pass routinely divides by zero or multiplies inf by 0 where an input sits at
        # a singular point; numpy's warnings about it would only be noise.
        errors = errors_off()
        # ``following`` is the node to run next when the last node made exactly one node
        # ready and no other was waiting (a chain): the heap is skipped for it.
        following: Node | None = None
        while following is not None or ready:
            if following is not None:
                node = following
                following = None
            else:
                node = heapq.heappop(ready)[1]
            grads = buffers.pop(node, None)
            if grads is None:
                grads = [None] * max(len(node._output_meta), 1)
            outputs: Sequence[Any]
            runs = True
            hooked = node._hooked
            if captures is not None:  # autograd.grad, backward(inputs=): what runs, what is kept
                runs = needed is None or id(node) in needed
                slots = capture_slots.get(node)
                if slots is not None:
                    # A captured node that does not run itself (a leaf's AccumulateGrad under
                    # autograd.grad) gets its tensor hooks and retain_grad first, and the result
                    # is captured; one that runs on is captured as it arrives, before its hooks
                    # run (PyTorch's engine, evaluate_function).
                    if not accumulate and isinstance(node, AccumulateGrad):
                        runs = False
                    if not runs and (hooked or _leaf_hooked(node)):
                        grads = _tensor_pre_hooks(node, grads, use_arrays)
                        hooked = False
                    for nr, k in slots:
                        captured[k] = (
                            _captured_tensor(grads[nr], originals) if use_arrays else grads[nr]
                        )
                    if not accumulate and isinstance(node, AccumulateGrad):
                        continue
                # A node that leads to no captured gradient is skipped whole, its hooks
                # included, as under PyTorch's autograd.grad and backward(inputs=), except a
                # single root: PyTorch's engine starts from it, and runs its hooks.
                hooked = hooked and (runs or node is sole_root)
                narrow = narrowing.get(node)
                if narrow is not None:  # this backward needs fewer of its inputs' gradients
                    narrowed.append((node, node.needs_input_grad))
                    node.needs_input_grad = narrow
            if use_arrays:
                if hooked and (node._pre_hooks or node._tensor_hooks or node._retained):
                    grads = _run_pre_hooks_np(node, grads)
                if not runs or (grads[0] is None and _all_none(grads)):
                    outputs = ()
                    if runs and _leaf_hooked(node):  # PyTorch calls them with None
                        node._run_leaf_hooks(None)  # type: ignore[attr-defined]
                elif node._arrays_ok and not (hooked and node._hooks):
                    outputs = node._apply_np(grads)  # type: ignore[attr-defined]
                else:
                    outputs = _apply_as_tensors(node, grads)
                if (
                    not keep_graph
                    and node._saved is not None
                    and (needed is None or id(node) in needed)
                ):
                    node._saved = None
                    node._released = True
                    following = _propagate_np(node, outputs, dependencies, buffers, ready)
                    if node._wraps_node:
                        node._release_wrapped()  # type: ignore[attr-defined]
                else:
                    following = _propagate_np(node, outputs, dependencies, buffers, ready)
                # Dropped now: AccumulateGrad keeps an array nobody else holds without a copy
                # (Tensor._accumulate_np counts the references).
                outputs = ()
                grads = None
                continue
            if hooked and (node._pre_hooks or node._tensor_hooks or node._retained):
                grads = _run_pre_hooks(node, grads)
            if not runs or (grads[0] is None and _all_none(grads)):
                outputs = ()
                if runs and _leaf_hooked(node):
                    node._run_leaf_hooks(None)  # type: ignore[attr-defined]
            else:
                if _state.grads_batched or _state.anomaly:  # the rare modes, in _special
                    outputs = apply_node(node, grads)
                else:
                    outputs = node._apply(grads)
                if node._hooks:
                    outputs = _run_post_hooks(node, outputs, grads)
            if _state.tracer is not None:  # ndgrad.autograd.trace / explain: one check
                _state.tracer(node, grads, outputs)
            if (
                not keep_graph
                and node._saved is not None
                and (needed is None or id(node) in needed)
            ):
                # A node that did not run keeps its saved values.
                node._saved = None
                node._released = True
                following = _propagate(node, outputs, dependencies, buffers, ready)
                if node._wraps_node:
                    node._release_wrapped()  # type: ignore[attr-defined]
            else:
                following = _propagate(node, outputs, dependencies, buffers, ready)
    finally:
        for node, needs in narrowed:
            node.needs_input_grad = needs
        if errors is not None:
            errors_restore(errors)
        _state.grad_enabled = previous
        _state.grads_batched = previous_batched
        _state.grad_versions = outer_versions
        _state.graph_task = outer_task
        if gc_was_enabled:
            gc.enable()
    return captured


# Off: every backward passes tensors (as create_graph does); tests compare the two paths.
ARRAY_BACKWARD = True


class _GraphTask:
    """The running backward pass, as autograd.graph.register_multi_grad_hook asks about it:
    which nodes it will run."""

    __slots__ = ("dependencies", "hook_state", "needed", "roots", "targets")

    def __init__(
        self,
        dependencies: dict[Node, int],
        needed: Any,
        roots: Sequence[Root],
        captures: Sequence[Root] | None,
    ) -> None:
        # The engine drops a node from its dependency counts once the node is ready (and holds
        # it no longer after it ran); which nodes were in the graph is kept apart, by id (so
        # that no node lives longer for it), where a multi-grad hook may ask (graph.py sets
        # _Used.multi_grad_hooks on registering one; the hook holds the nodes it asks about).
        self.dependencies = frozenset(map(id, dependencies)) if _Used.multi_grad_hooks else ()
        self.needed = needed
        self.roots = {node for node, _ in roots}
        self.targets = {node for node, _ in captures or ()}
        self.hook_state: dict[int, Any] = {}  # register_multi_grad_hook's, per hook

    def will_run(self, node: Node) -> bool:
        """Whether this pass computes the gradient flowing into ``node``."""
        if id(node) not in self.dependencies and node not in self.roots:
            return False
        return self.needed is None or id(node) in self.needed or node in self.targets


def _captured_tensor(grad: np.ndarray | None, originals: dict[int, Tensor]) -> Tensor | None:
    if grad is None:
        return None
    original = originals.get(id(grad))
    if original is not None and original._data is grad:
        return original
    return _grad_tensor(grad)


def _grad_tensor(grad: np.ndarray) -> Tensor:
    """A gradient array as a tensor, at its version in this backward pass (grad_version)."""
    t = Tensor._make(grad)
    version = grad_version(grad)
    if version:
        t._version_counter = _VersionCounter(version)
    return t


def _apply_as_tensors(node: Node, grads: list[Any]) -> tuple[Any, ...]:
    """Run ``node`` (and its post-hooks) on its gradients as tensors; return arrays again.

    The result keeps, at a position whose input was not a tensor, whatever the node returned
    there (``_propagate_np`` raises PyTorch's error if that is not None); anything else that is
    not a tensor or None is PyTorch's "expected Variable" error.
    """
    make = Tensor._make
    tgrads = [None if g is None else make(g) for g in grads]
    outputs: Sequence[Any] = node._apply(tgrads)
    if node._hooks:
        outputs = _run_post_hooks(node, outputs, tgrads)
    arrays: list[Any] = []
    edges = node._edges
    for i, g in enumerate(outputs):
        if g is None or (i < len(edges) and edges[i] is None):
            arrays.append(g)
        elif isinstance(g, Tensor):
            arrays.append(g._data)
        else:
            raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
    return tuple(arrays)


def _run_post_hooks(node: Node, outputs: Sequence[Any], grads: Sequence[Any]) -> list[Any]:
    """``node``'s hooks (``grad_fn.register_hook``), ``hook(grad_inputs, grad_outputs)``, in
    order. ``grad_inputs`` holds one gradient per entry of ``next_functions``, as PyTorch's
    (a number argument, a dim, a mask has none unless PyTorch's node lists it); what a hook
    returns goes back to those positions."""
    full = list(outputs)
    full += [None] * (len(node._edges) - len(full))
    if not _state.grads_batched:
        # PyTorch validates a node's gradients before its post-hooks: a hook sees each one
        # summed to its input's shape (AddmmBackward0's bias gradient is the bias's shape)
        for i, edge in enumerate(node._edges):
            g = full[i]
            if (
                edge is not None
                and edge[0] is not None
                and isinstance(g, Tensor)
                and (g._data.shape != edge[2] or g._data.dtype != edge[3])
            ):
                full[i] = _validate(node, i, g, edge[2], edge[3])
    listed = getattr(getattr(node, "_forward_cls", None), "_listed_inputs", None)
    if listed is None:
        listed = [i for i, edge in enumerate(node._edges) if edge is not None]
    for hook in tuple((node._hooks or {}).values()):
        shown = tuple(full[i] for i in listed)
        result = hook(shown, tuple(grads))
        if result is not None:
            for i, g in zip(listed, _checked_hook_results(result, shown, hook), strict=True):
                full[i] = g
    return full


def _run_pre_hooks_np(node: Node, grads: list[Any]) -> list[Any]:
    """``_run_pre_hooks`` (node pre-hooks, tensor hooks, retain_grad) on array gradients."""
    tgrads = _run_pre_hooks(node, [None if g is None else _grad_tensor(g) for g in grads])
    arrays: list[np.ndarray | None] = []
    for t in tgrads:
        if t is None:
            arrays.append(None)
        else:
            arrays.append(t._data)
            if t._version:  # a hook's result that it wrote in place
                set_grad_version(t._data, t._version)
    return arrays


_ndarray = np.ndarray


def _propagate_np(
    node: Node,
    outputs: Sequence[Any],
    dependencies: dict[Node, int],
    buffers: dict[Node, list[Any]],
    ready: list[Any],
) -> Node | None:
    """``_propagate`` for gradients that are numpy arrays."""
    became_ready: Node | None = None
    i = -1
    for edge in node._edges:
        i += 1
        if edge is None:
            if outputs and outputs[i] is not None:
                raise RuntimeError(
                    f"function {node.name()} returned a gradient different than None at position "
                    f"{i + 1}, but the corresponding forward input was not a Variable"
                )
            continue
        nxt, input_nr, shape, dtype = edge
        if nxt is None:
            continue
        if outputs:
            g = outputs[i]
            if g is not None:
                if type(g) is not _ndarray:
                    g = np.asarray(g)  # a numpy scalar from a 0-d formula
                dt = g.dtype
                if g.shape != shape or (dt is not dtype and dt != dtype):
                    g = _validate_np(node, i, g, shape, dtype)
                buf = buffers.get(nxt)
                if buf is None:
                    n_out = len(nxt._output_meta)
                    if n_out <= 1:
                        buffers[nxt] = [g]
                    else:
                        buf = buffers[nxt] = [None] * n_out
                        buf[input_nr] = g
                else:
                    current = buf[input_nr]
                    buf[input_nr] = g if current is None else _sum_into(current, g, outputs)
        remaining = dependencies[nxt]
        if remaining != 1:
            dependencies[nxt] = remaining - 1
        else:
            # Ready: no longer counted, nor held by the engine once it ran (PyTorch's counts
            # hold no node): a node only a freed graph held dies then, as in PyTorch (the view's
            # old node under a CopySlices: see function.py:_CopySlicesNode).
            del dependencies[nxt]
            if became_ready is not None:
                heapq.heappush(ready, (-became_ready._sequence_nr, became_ready))
            became_ready = nxt
    if became_ready is not None and ready:
        heapq.heappush(ready, (-became_ready._sequence_nr, became_ready))
        return None
    return became_ready


# References to a buffered gradient array that only the buffer holds, counted in _sum_into:
# the buffer's list, _propagate_np's local, _sum_into's argument, getrefcount's own.
_BUFFER_REFS = 4
_getrefcount = getattr(sys, "getrefcount", lambda obj: _BUFFER_REFS + 1)  # not CPython: a copy


def _sum_into(current: np.ndarray, g: np.ndarray, outputs: Sequence[Any]) -> np.ndarray:
    """``current + g``, the two gradients one input received, as PyTorch's InputBuffer adds
    them outside create_graph: into ``current`` itself when nothing else holds it and it owns
    its memory (its ``add_``, which bumps the gradient's version: see grad_version), else into
    a new array. (The node that made ``current`` may still hold it in its outputs.)"""
    refs = _BUFFER_REFS
    for out in outputs:
        if out is current:
            refs += 1
    if current.base is None and current.flags.writeable and _getrefcount(current) <= refs:
        np.add(current, g, out=current)
        set_grad_version(current, grad_version(current) + 1)
        return current
    total = current + g
    return total if type(total) is _ndarray else np.asarray(total)


def _validate_np(
    node: Node, i: int, grad: np.ndarray, shape: tuple[int, ...], dtype: np.dtype
) -> Any:
    """``_validate`` for an array: a broadcast gradient is summed back, the dtype cast."""
    gshape = grad.shape
    if gshape != shape:
        check_expandable(node, i, gshape, shape)
        grad = sum_to_np(grad, shape)
    if grad.dtype != dtype:
        grad = grad.astype(dtype)
    return grad


def _all_none(grads: list[Any]) -> bool:
    # Not grads.count(None): that compares with ==, which on tensors is an elementwise op.
    # A loop, not all(...): no generator object per node.
    for g in grads:  # noqa: SIM110
        if g is not None:
            return False
    return True


def _propagate(
    node: Node,
    outputs: Sequence[Any],
    dependencies: dict[Node, int],
    buffers: dict[Node, list[Any]],
    ready: list[Any],
) -> Node | None:
    """Hand each input's gradient to the node that receives it; queue nodes that become ready.

    Returns the node to run next without the heap, when exactly one became ready and none was
    waiting (the run order is the same: it is the newest ready node).
    """
    tensor_cls = Tensor
    became_ready: Node | None = None
    i = -1
    for edge in node._edges:
        i += 1
        if edge is None:
            if outputs and outputs[i] is not None:
                raise RuntimeError(
                    f"function {node.name()} returned a gradient different than None at position "
                    f"{i + 1}, but the corresponding forward input was not a Variable"
                )
            continue
        nxt, input_nr, shape, dtype = edge
        if nxt is None:
            continue
        if outputs:
            g = outputs[i]
            if g is not None:
                if _state.grads_batched:
                    g = validate_batched(node, i, g)
                elif type(g) is not tensor_cls:
                    g = _validate(node, i, g, shape, dtype)
                else:
                    data = g._data
                    dt = data.dtype
                    if data.shape != shape or (dt is not dtype and dt != dtype):
                        g = _validate(node, i, g, shape, dtype)
                buf = buffers.get(nxt)
                if buf is None:
                    n_out = len(nxt._output_meta)
                    if n_out <= 1:
                        buffers[nxt] = [g]
                    else:
                        buf = buffers[nxt] = [None] * n_out
                        buf[input_nr] = g
                else:
                    current = buf[input_nr]
                    buf[input_nr] = g if current is None else current + g
        remaining = dependencies[nxt] - 1
        if remaining:
            dependencies[nxt] = remaining
        else:
            del dependencies[nxt]
            if became_ready is not None:
                heapq.heappush(ready, (-became_ready._sequence_nr, became_ready))
            became_ready = nxt
    if became_ready is not None and ready:
        heapq.heappush(ready, (-became_ready._sequence_nr, became_ready))
        return None
    return became_ready


def _run_pre_hooks(node: Node, grads: list[Any]) -> list[Any]:
    """The hooks that run before ``node``, in PyTorch's order: its outputs' tensor hooks, then
    retain_grad, then the node's own pre-hooks (``register_prehook``)."""
    grads = _run_tensor_hooks(node, grads)
    if node._pre_hooks:
        for hook in tuple(node._pre_hooks.values()):
            result = hook(tuple(grads))
            if result is not None:
                grads = _checked_hook_results(result, grads, hook)
    return grads


def _tensor_pre_hooks(node: Node, grads: list[Any], arrays: bool) -> list[Any]:
    """The tensor hooks and retain_grad of a captured node that does not run, on its gradients
    as the pass holds them (arrays or tensors); for a leaf's AccumulateGrad, the leaf's hooks."""
    tgrads = [None if g is None else _grad_tensor(g) for g in grads] if arrays else list(grads)
    if isinstance(node, AccumulateGrad):
        if tgrads[0] is not None:
            tgrads[0] = node._run_leaf_hooks(tgrads[0])
    else:
        tgrads = _run_tensor_hooks(node, tgrads)
    if not arrays:
        return tgrads
    return [None if t is None else t._data for t in tgrads]


def _leaf_hooked(node: Node) -> bool:
    return isinstance(node, AccumulateGrad) and bool(node.variable._backward_hooks)


def _run_tensor_hooks(node: Node, grads: list[Any]) -> list[Any]:
    """``node``'s outputs' tensor hooks (``register_hook``), then retain_grad. An output that
    received no gradient (one piece of a split that the loss does not use) has its hooks
    called with None, as PyTorch's are, and they must return None."""
    if node._tensor_hooks:
        for nr, hooks in node._tensor_hooks.items():
            for hook in tuple(hooks.values()):
                result = hook(grads[nr])
                if result is not None:
                    if grads[nr] is None:
                        raise RuntimeError("can't replace a None gradient with a non-None value")
                    grads[nr] = _checked_hook_result(result, grads[nr], hook)
    if node._retained:
        for nr, ref in node._retained.items():
            tensor = ref()
            if tensor is not None and grads[nr] is not None:
                _retain(tensor, grads[nr])
    return grads


def _retain(tensor: Tensor, grad: Tensor) -> None:
    if tensor._grad is None:  # a contiguous copy, as PyTorch's retain_grad makes
        if _state.grad_enabled:
            tensor._grad = CloneContiguous.apply(grad)  # recorded (CloneBackward0), as PyTorch's
        else:
            tensor._grad = Tensor._make(np.array(grad._data, order="C", copy=True))
    else:
        tensor._grad = tensor._grad + grad


def _add_to_buffer(buffers: dict[Node, list[Any]], node: Node, nr: int, grad: Any) -> None:
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * max(len(node._output_meta), 1)
    current = buf[nr]
    buf[nr] = grad if current is None else current + grad


def _validate(node: Node, i: int, grad: Any, shape: tuple[int, ...], dtype: np.dtype) -> Tensor:
    if not isinstance(grad, Tensor):
        raise RuntimeError(f"expected Variable or None (got {type(grad).__name__})")
    gshape = grad._data.shape
    if gshape != shape:
        check_expandable(node, i, gshape, shape)
        grad = sum_to(grad, shape)
    if grad._data.dtype != dtype:
        grad = grad.to(dtype)
    return grad


def _count_dependencies(roots: list[Node]) -> dict[Node, int]:
    dependencies: dict[Node, int] = {}
    count = dependencies.get
    stack = list(set(roots))
    push = stack.append
    # A node is walked once: when it first enters `dependencies` (a root, when no other root
    # leads to it, is walked from the stack's start instead). A single root is never reached
    # from itself (the graph has no cycle), so only several roots need the test.
    walked = frozenset(stack) if len(stack) > 1 else ()
    while stack:
        for edge in stack.pop()._edges:
            if edge is None:
                continue
            nxt = edge[0]
            if nxt is None:
                continue
            n = count(nxt)
            if n is None:
                dependencies[nxt] = 1
                if nxt not in walked:
                    push(nxt)
            else:
                dependencies[nxt] = n + 1
    return dependencies


def _needed_nodes(
    roots: list[Node], dependencies: dict[Node, int], targets: set[Node]
) -> tuple[set[int], dict[Node, tuple[bool, ...]]]:
    """The ids of the nodes from which some target is reachable (the rest need not run), and
    the narrowed ``needs_input_grad`` of those that need fewer gradients than their forward
    recorded.

    A built-in op's backward then computes only the gradients that lead to a target, as
    PyTorch's formulas ask ``task_should_compute_output``: ``grad(zeta(x, q), [q])`` works
    although zeta has no derivative in x. A user's Function keeps the ``needs_input_grad`` of
    its forward, as in PyTorch."""
    # Topological order by Kahn's algorithm without gradients, then a reverse sweep.
    remaining = dict(dependencies)
    order: list[Node] = []
    stack = [n for n in roots if n not in remaining]
    seen: set[Node] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        for edge in node._edges:
            if edge is None:
                continue
            nxt, _input_nr, _shape, _dtype = edge
            if nxt is None:
                continue
            remaining[nxt] -= 1
            if remaining[nxt] == 0:
                stack.append(nxt)
    # A target runs only if it leads on to another target, or if it is a leaf's AccumulateGrad
    # (which `backward(inputs=...)` must run); the gradient it receives is captured either way.
    # (by id: the engine holds no node it no longer needs, see _propagate_np)
    needed: set[int] = set()
    narrowing: dict[Node, tuple[bool, ...]] = {}
    for node in reversed(order):
        leads = False
        cut: list[int] | None = None  # inputs whose gradient leads to no target
        i = -1
        for edge in node._edges:
            i += 1
            if edge is None:
                continue
            nxt, _input_nr, _shape, _dtype = edge
            if nxt is None:
                continue
            if id(nxt) in needed or nxt in targets:
                leads = True
            elif cut is None:
                cut = [i]
            else:
                cut.append(i)
        if leads or (node in targets and isinstance(node, AccumulateGrad)):
            needed.add(id(node))
            if cut is not None:
                _narrow(node, cut, narrowing)
    return needed, narrowing


def _narrow(node: Node, cut: list[int], narrowing: dict[Node, tuple[bool, ...]]) -> None:
    cls = getattr(node, "_forward_cls", None)
    needs = getattr(node, "needs_input_grad", None)
    if cls is not None and cls._numpy_forward and needs:
        narrow = tuple(bool(need) and i not in cut for i, need in enumerate(needs))
        if narrow != tuple(needs):
            narrowing[node] = narrow
