"""Module scopes: which ``nn.Module`` call created each node of a graph.

``Module.__call__`` draws one number from the nodes' sequence counter before forward and one
after, and keeps ``(first, last, module)``; a node numbered in between was created inside that
call. Calls nest like the forward code did, so a node belongs to the innermost call around its
number. A call is named by the module's qualified name in ``model`` (``blocks.0.sa.query``) when
a model is given, else by its attribute name in the module that called it, from the outermost
call down. Nodes created on other threads while a module ran are counted into it (the counter
is shared): build the graph you explore on one thread.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from ..autograd.function import AccumulateGrad, Node, next_edges
from ..nn.module import _scope_calls


class _Call:
    __slots__ = ("first", "last", "module", "name", "parent")

    def __init__(self, first: int, last: int, module: Any) -> None:
        self.first, self.last, self.module = first, last, module
        self.parent: _Call | None = None
        self.name = ""


def _child_name(parent: Any, module: Any) -> str | None:
    for name, child in parent.named_modules():
        if child is module and name:
            return name
    return None


def _calls_around(lo: int, hi: int, model: Any) -> list[_Call]:
    calls = []
    for first, last, ref in list(_scope_calls):
        if last < lo or first > hi:
            continue
        module = ref()
        if module is not None:
            calls.append(_Call(first, last, module))
    calls.sort(key=lambda c: c.first)
    known = {id(m): name for name, m in model.named_modules()} if model is not None else {}
    stack: list[_Call] = []
    for call in calls:
        while stack and stack[-1].last < call.first:
            stack.pop()
        call.parent = stack[-1] if stack else None
        stack.append(call)
        name = known.get(id(call.module))
        if name is None and call.parent is not None:
            own = _child_name(call.parent.module, call.module)
            if own is not None:
                name = f"{call.parent.name}.{own}" if call.parent.name else own
        if name is None:
            # An outermost call: the model itself has no name; a lone layer (a loss) its class.
            name = "" if call.module._modules else type(call.module).__name__
        call.name = name
    return calls


def node_scopes(nodes: Sequence[Node], names: dict[int, str], model: Any = None) -> list[str]:
    """The qualified module name of each node ("" outside every module).

    An ``AccumulateGrad`` (a leaf) belongs to the module that owns its parameter (by the leaf's
    name in ``names``), else to the one scope all nodes using it share, else to none.
    """
    ops = [n._sequence_nr for n in nodes if not isinstance(n, AccumulateGrad)]
    calls = _calls_around(min(ops), max(ops), model) if ops else []
    firsts = [c.first for c in calls]
    result: list[str] = []
    for node in nodes:
        if isinstance(node, AccumulateGrad):
            result.append("")
            continue
        nr = node._sequence_nr
        k = bisect_right(firsts, nr) - 1
        call = calls[k] if k >= 0 else None
        while call is not None and call.last < nr:
            call = call.parent
        result.append("" if call is None else call.name)
    users: dict[int, set[str]] = {}
    for node, scope in zip(nodes, result, strict=True):
        for _, nxt, _ in next_edges(node):
            if isinstance(nxt, AccumulateGrad):
                users.setdefault(id(nxt), set()).add(scope)
    for i, node in enumerate(nodes):
        if isinstance(node, AccumulateGrad):
            name = names.get(id(node.variable))
            if name is not None and "." in name:
                result[i] = name.rsplit(".", 1)[0]
            elif name is None and len(users.get(id(node), ())) == 1:
                (result[i],) = users[id(node)]
    return result
