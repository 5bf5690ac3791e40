"""``explore``: the backward graph as one self-contained, interactive HTML page.

The page is built from plain data (``graph_data``): the nodes with their op, shapes, saved
values, creation site and module scope; the edges; and, when the graph is still alive, the order
in which a traced backward ran the nodes and what each one received and returned. The page's
script (``explore.js``, inlined) lays the graph out in layers, folds modules into boxes, and
replays the backward step by step. Nothing is loaded from the network.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._tensor import Tensor
from ..autograd._backward import _make_grads
from ..autograd._engine import run_backward
from ..autograd._graph import hooks_off, node_label, root_nodes, saved_values, tensor_names, walk
from ..autograd.function import AccumulateGrad, Node, next_edges
from ..autograd.grad_mode import _state
from ..autograd.record import _PACKAGE_DIR, creation_site
from ..nn.module import Module
from ._layout import dot_orders
from ._scopes import node_scopes

if TYPE_CHECKING:
    from .._tensor import Tensor

__all__ = ["Explorer", "explore", "graph_data"]

#: Gradients with at most this many elements are embedded with their values (the second
#: figure for graphs of more than BIG nodes, so that the page stays a few MB).
SMALL = (64, 8)
BIG = 2000

_HERE = os.path.dirname(os.path.abspath(__file__))


def _num(x: float) -> float | str:
    """A float JSON can carry: NaN and ±inf become the strings JavaScript's Number() reads."""
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def _values(a: np.ndarray) -> Any:
    """The values as nested lists, to 5 significant digits (what the page shows)."""
    if a.dtype.kind not in "fc":
        return a.tolist()
    f = a.real.astype(np.float64)
    with np.errstate(all="ignore"):
        finite = np.isfinite(f) & (f != 0)
        scale = np.where(
            finite, 10.0 ** (4 - np.floor(np.log10(np.abs(np.where(finite, f, 1))))), 1
        )
        f = np.where(finite, np.round(f * scale) / scale, f)
    if np.all(np.isfinite(f)):
        return f.tolist()
    flat = [_num(v) for v in f.reshape(-1).tolist()]
    return np.array(flat, dtype=object).reshape(a.shape).tolist() if a.ndim else flat[0]


_dtype_names: dict[np.dtype, str] = {}


def _dtype_name(dtype: np.dtype) -> str:
    name = _dtype_names.get(dtype)
    if name is None:  # dtype.name is slow, and a graph repeats a few dtypes
        name = _dtype_names[dtype] = dtype.name
    return name


def summary(grad: Any, small: int = SMALL[0]) -> dict[str, Any] | None:
    """Shape, dtype, norm, min, max and NaN/inf counts of a gradient (values when small)."""
    if grad is None:
        return None
    a = np.asarray(getattr(grad, "_data", grad))
    f = a.astype(np.float64, copy=False).reshape(-1)
    nan = np.isnan(f)
    inf = np.isinf(f)
    finite = f[~nan & ~inf]
    info: dict[str, Any] = {
        "shape": list(a.shape),
        "dtype": _dtype_name(a.dtype),
        "nan": int(nan.sum()),
        "inf": int(inf.sum()),
    }
    with np.errstate(over="ignore", invalid="ignore"):
        info["norm"] = _num(float(np.sqrt(np.sum(f * f)))) if f.size else 0.0
    rest = f[~nan]
    info["min"] = _num(float(rest.min())) if rest.size else None
    info["max"] = _num(float(rest.max())) if rest.size else None
    info["finite_count"] = int(finite.size)
    if a.size <= small:
        info["values"] = _values(a)
    return info


def _bad(summaries: Sequence[dict[str, Any] | None]) -> str | None:
    """'nan' or 'inf' if some summary has NaN (checked first) or inf elements."""
    if any(s is not None and s["nan"] for s in summaries):
        return "nan"
    if any(s is not None and s["inf"] for s in summaries):
        return "inf"
    return None


def _site(node: Node) -> str | None:
    site = creation_site(node)
    if site is None:  # anomaly mode keeps the whole forward stack
        stack = node.__dict__.get("_forward_trace")
        for frame in reversed(stack or ()):
            if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR + os.sep):
                site = frame
                break
    if site is None:
        return None
    text = f"{site.filename}:{site.lineno}, in {site.name}"
    return text + (f"\n    {site.line.strip()}" if site.line else "")


def _saved(node: Node) -> list[list[Any]]:
    return [[kind, list(v.shape), _dtype_name(v.dtype)] for kind, v in saved_values(node)]


class _Recorder:
    """Called by the engine after each node (the tracer slot) and by a pre-hook on each leaf."""

    def __init__(self, small: int) -> None:
        self.steps: list[tuple[Node, list[Any], list[Any]]] = []
        self.small = small

    def __call__(self, node: Node, grads: Sequence[Any], outputs: Sequence[Any]) -> None:
        # One returned gradient per tensor input (a node that did not run returned nothing).
        edges, small = node._edges, self.small
        returned = [
            summary(g, small) for g, e in zip(outputs, edges, strict=False) if e is not None
        ]
        self.steps.append((node, [summary(g, small) for g in grads], returned))

    def leaf(self, node: Node) -> Any:
        """A tensor hook for the leaf of AccumulateGrad ``node``: the engine runs a captured
        leaf's hooks on the gradient it captures, where its backward would accumulate it."""

        def hook(grad: Any) -> None:
            self.steps.append((node, [summary(grad, self.small)], []))

        return hook


def traced_backward(output: Tensor, nodes: list[Node], small: int = SMALL[0]) -> _Recorder:
    """Run backward from ``output`` recording every step, without side effects: the graph is
    retained, the leaves' gradients are captured instead of accumulated into ``.grad``, and the
    graph's hooks (``register_hook``, ``retain_grad``) are switched off meanwhile."""
    grad = None
    if output._data.size != 1:
        grad = output.__class__._make(np.ones_like(output._data))
    root_grads = _make_grads([output], [grad])
    root = root_nodes(output)[0]
    root_edge = (root, output._output_nr if output.grad_fn is not None else 0)
    leaves = [n for n in nodes if isinstance(n, AccumulateGrad)]
    recorder = _Recorder(small)
    previous = (_state.tracer, _state.anomaly)
    # The leaves' own hooks are set aside too, for the recorder's.
    leaf_hooks = [leaf.variable._backward_hooks for leaf in leaves]
    with hooks_off(nodes):
        for leaf in leaves:
            leaf.variable._backward_hooks = {0: recorder.leaf(leaf)}
        _state.tracer, _state.anomaly = recorder, False
        try:
            run_backward([root_edge], root_grads, True, False, [(n, 0) for n in leaves], False)
        finally:
            _state.tracer, _state.anomaly = previous
            for leaf, hooks in zip(leaves, leaf_hooks, strict=True):
                leaf.variable._backward_hooks = hooks
    return recorder


def graph_data(
    output: Tensor, params: Any = None, trace: bool = True, layout: str = "auto"
) -> dict[str, Any]:
    """What the explorer page shows, as JSON-ready data (see ``docs/guides/explore.md``).

    ``nodes``: one dict per node (``id``, ``op``, ``kind`` "op" or "leaf", ``label``,
    ``scope``, ``outputs`` as [shape, dtype] pairs, ``saved``, ``site``, ``seq``, and after a
    traced backward ``grad_in``/``grad_out`` summaries, ``step`` and ``bad``); ``edges``:
    ``[from, to]`` ids along the forward computation; ``order``: node ids in the order backward
    ran them; ``mode``: "traced" or "structure" (with ``reason``); ``layout``: the engine
    ("dot" or "builtin") and, from dot, each scope's boxes' ``[rank, order]``.
    """
    if layout not in ("auto", "dot", "builtin"):
        raise ValueError(f"explore: layout must be 'auto', 'dot' or 'builtin', got {layout!r}")

    if not isinstance(output, Tensor):
        raise TypeError(f"explore: output must be a Tensor, got {type(output).__name__}")
    model = params if isinstance(params, Module) else None
    names = tensor_names(params)
    roots = root_nodes(output)
    if not roots:
        raise RuntimeError("explore: the output does not require grad and has no grad_fn")
    nodes = walk(roots)
    small = SMALL[0] if len(nodes) <= BIG else SMALL[1]
    ids = {node: f"n{k}" for k, node in enumerate(nodes)}
    scopes = node_scopes(nodes, names, model)
    released = any(n._released for n in nodes)
    mode, reason = "traced", ""
    recorder = None
    if not trace:
        mode, reason = "structure", "explore(trace=False)"
    elif released:
        mode = "structure"
        reason = "the graph was freed by backward(): structure, names and the leaves' .grad only"
    else:
        try:
            recorder = traced_backward(output, nodes, small)
        except Exception as exc:  # show the graph anyway, and say why there is no replay
            mode = "structure"
            reason = f"the traced backward raised {type(exc).__name__}: {exc}"

    out_nodes: list[dict[str, Any]] = []
    index: dict[Node, dict[str, Any]] = {}
    for node, scope in zip(nodes, scopes, strict=True):
        item: dict[str, Any] = {"id": ids[node], "op": node_label(node), "scope": scope}
        if isinstance(node, AccumulateGrad):
            var = node.variable
            item["kind"] = "leaf"
            item["label"] = names.get(id(var), "leaf")
            item["outputs"] = [[list(var._data.shape), _dtype_name(var._data.dtype)]]
            item["leaf_grad"] = summary(var._grad, small)
        else:
            item["kind"] = "op"
            item["label"] = node_label(node)
            item["outputs"] = [[list(s), _dtype_name(dt)] for s, dt in node._output_meta]
            item["saved"] = _saved(node)
            item["freed"] = bool(node._released)
            item["seq"] = node._sequence_nr
            item["site"] = _site(node)
        if node is roots[0]:
            item["root"] = True
        out_nodes.append(item)
        index[node] = item
    edges = [
        [ids[nxt], ids[node]] for node in nodes for _, nxt, _ in next_edges(node) if nxt in ids
    ]
    order: list[str] = []
    if recorder is not None:
        for step, (node, grads_in, grads_out) in enumerate(recorder.steps):
            item = index[node]
            item["step"] = step
            item["grad_in"] = grads_in
            item["grad_out"] = grads_out
            bad_in, bad_out = _bad(grads_in), _bad(grads_out)
            if bad_in:
                item["bad"] = bad_in
            elif bad_out:
                item["bad"] = bad_out
                item["origin"] = True  # the gradient first turns NaN/inf here
            order.append(item["id"])
    meta = f"{list(output._data.shape)} {output._data.dtype.name}"
    orders = dot_orders(out_nodes, edges) if layout != "builtin" else None
    if orders is None and layout == "dot":
        raise RuntimeError(
            "explore(layout='dot') needs Graphviz's dot program on PATH (apt-get install "
            "graphviz, brew install graphviz, or graphviz.org); layout='auto' falls back to the "
            "page's own layout"
        )
    return {
        "layout": {"engine": "builtin" if orders is None else "dot", "orders": orders},
        "nodes": out_nodes,
        "edges": edges,
        "order": order,
        "mode": mode,
        "reason": reason,
        "output": meta,
        "implicit_ones": output._data.size != 1,
    }


def _dumps(data: Any) -> str:
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    # Inside <script>: "</" would end the element, and U+2028/9 are line ends in old parsers.
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _asset(name: str) -> str:
    with open(os.path.join(_HERE, name), encoding="utf-8") as f:
        return f.read()


class Explorer:
    """The explorer page: ``save(path)`` writes it, ``html`` is its text, and Jupyter shows it
    inline (``_repr_html_``). ``data`` is what the page embeds (see ``graph_data``)."""

    def __init__(self, data: dict[str, Any], title: str = "ndgrad graph explorer") -> None:
        self.data = data
        self.title = title

    @property
    def html(self) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(self.title)}</title>\n"
            f"<style>\n{_asset('explore.css')}</style>\n</head>\n<body>\n"
            f"{_asset('explore.html')}"
            f'<script type="application/json" id="ndgrad-data">{_dumps(self.data)}</script>\n'
            f"<script>\n{_asset('explore.js')}</script>\n</body>\n</html>\n"
        )

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the page (one file, nothing to fetch) and return its path."""
        path = os.fspath(path)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.html)
        return path

    def _repr_html_(self) -> str:
        # In an iframe, so the page's styles and ids stay apart from the notebook's.
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            'style="width:100%;height:640px;border:1px solid #ddd" '
            'sandbox="allow-scripts"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<Explorer: {len(self.data['nodes'])} nodes, {self.data['mode']}>"


def explore(
    output: Tensor,
    params: Any = None,
    trace: bool = True,
    title: str | None = None,
    layout: str = "auto",
) -> Explorer:
    """An interactive page of ``output``'s backward graph: ``explore(loss).save("graph.html")``.

    ``params`` names the leaves (a dict, ``model.named_parameters()`` or the model; given the
    model, module scopes get its qualified names). While the graph is alive, ``explore`` runs
    a traced backward of its own (implicit ones for a non-scalar output) so the page can replay
    it; that writes no ``.grad``, runs no hooks and keeps the graph, so the user's own
    ``backward()`` afterwards is unchanged. On a freed graph it shows the structure and the
    leaves' ``.grad``. ``layout``: "dot" ranks and orders the boxes with Graphviz's ``dot``,
    "builtin" with the page's own layered layout, "auto" (the default) with dot when it is on
    PATH.
    """
    return Explorer(graph_data(output, params, trace, layout), title or "ndgrad graph explorer")
