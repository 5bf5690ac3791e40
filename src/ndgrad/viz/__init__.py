"""Pictures of the backward graph: Graphviz DOT and Mermaid text, and rendered images.

>>> import ndgrad
>>> from ndgrad.viz import to_dot
>>> w = ndgrad.ones(2, requires_grad=True)
>>> y = (w * 3).tanh().sum()
>>> print(to_dot(y, params={"w": w}))  # doctest: +ELLIPSIS
digraph ndgrad {
...
  n0 [label="SumBackward0\\n[] float32", ...];
...

Every ``grad_fn`` becomes a box with its PyTorch name and the shape and dtype of what it
computed; the leaves (``AccumulateGrad`` nodes) show their names from ``params`` (e.g.
``dict(model.named_parameters())``) and shapes. Edges follow the forward computation, from the
inputs to the output; backward walks them the other way. ``to_dot`` and ``to_mermaid`` need
nothing installed; ``render`` needs the ``graphviz`` package and Graphviz's ``dot`` program
(``pip install ndgrad[viz]`` plus the system package). The walk is iterative, so graphs of any
depth render without RecursionError.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._namespace import public_dir
from .._tensor import Tensor
from ..autograd._graph import node_label, root_nodes, saved_values, tensor_names, walk
from ..autograd.function import (
    AccumulateGrad,
    next_edges,
)
from ..nn.module import Module
from ._explore import Explorer, explore
from ._scopes import node_scopes

__all__ = ["Explorer", "explore", "render", "to_dot", "to_mermaid"]
__dir__ = public_dir(__name__)


def _shape(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


_meta_labels: dict[tuple[tuple[int, ...], np.dtype], str] = {}


def _meta(shape: tuple[int, ...], dtype: np.dtype) -> str:
    """ "[2, 3] float32" (cached: a big graph repeats a few shapes, and dtype.name is slow)."""
    key = (shape, dtype)
    label = _meta_labels.get(key)
    if label is None:
        label = _meta_labels[key] = f"{_shape(shape)} {dtype.name}"
    return label


def _describe_grad(grad: Tensor | None) -> str:
    if grad is None:
        return "grad: None"
    data = grad._data
    if data.size <= 4:
        values = np.array2string(data.reshape(-1), precision=4, separator=", ")
        return f"grad: {values}"
    return f"grad: norm {float(np.linalg.norm(data.astype(np.float64))):.4g}"


class _Graph:
    """The graph as plain data: nodes (id, kind, label lines) and edges (from, to, dashed)."""

    def __init__(
        self,
        tensors: Any,
        params: Any,
        show_saved: bool,
        show_grad: bool,
        modules: bool = False,
    ) -> None:
        outputs = [tensors] if isinstance(tensors, Tensor) else list(tensors)
        names = tensor_names(params)
        self.nodes: list[tuple[str, str, list[str]]] = []
        self.edges: list[tuple[str, str, bool]] = []
        self.scopes: dict[str, str] = {}  # node id -> qualified module name ("" for none)
        ids: dict[int, str] = {}
        order = walk(root_nodes(outputs))
        for k, node in enumerate(order):
            ids[id(node)] = f"n{k}"
        if modules:
            model = params if isinstance(params, Module) else None
            for node, scope in zip(order, node_scopes(order, names, model), strict=True):
                self.scopes[ids[id(node)]] = scope
        for node in order:
            nid = ids[id(node)]
            if isinstance(node, AccumulateGrad):
                var = node.variable
                name = names.get(id(var))
                lines = [name if name is not None else "leaf"]
                lines.append(_meta(var._data.shape, var._data.dtype))
                if show_grad:
                    lines.append(_describe_grad(var._grad))
                self.nodes.append((nid, "leaf", lines))
            else:
                lines = [node_label(node)]
                lines += [_meta(s, dt) for s, dt in node._output_meta]
                self.nodes.append((nid, "op", lines))
                if show_saved:
                    if node._released:
                        self.nodes.append((f"{nid}s", "saved", ["saved values freed"]))
                        self.scopes[f"{nid}s"] = self.scopes.get(nid, "")
                        self.edges.append((f"{nid}s", nid, True))
                    for j, (what, value) in enumerate(saved_values(node)):
                        sid = f"{nid}s{j}"
                        label = f"saved {what}: {_shape(value.shape)} {value.dtype.name}"
                        self.nodes.append((sid, "saved", [label]))
                        self.scopes[sid] = self.scopes.get(nid, "")
                        self.edges.append((sid, nid, True))
            for _, nxt, _ in next_edges(node):
                self.edges.append((ids[id(nxt)], nid, False))
        for k, out in enumerate(outputs):
            oid = f"out{k}"
            name = names.get(id(out))
            lines = [
                name if name is not None else ("output" if len(outputs) == 1 else f"output {k}")
            ]
            lines.append(f"{_shape(out._data.shape)} {out._data.dtype.name}")
            if show_grad and out.grad_fn is not None and out._retains_grad:
                lines.append(_describe_grad(out._grad))
            self.nodes.append((oid, "output", lines))
            if out.grad_fn is not None:
                self.edges.append((ids[id(out.grad_fn)], oid, False))
            elif out._requires_grad:
                self.edges.append((ids[id(out._accumulator())], oid, False))


_DOT_STYLE = {
    "op": 'shape=box, style="rounded,filled", fillcolor="#f2f2f2"',
    "leaf": 'shape=box, style=filled, fillcolor="#cfe2ff"',
    "saved": 'shape=box, style="dashed,filled", fillcolor="#ffe8cc", fontsize=10',
    "output": 'shape=box, style="filled,bold", fillcolor="#d1f0d1"',
}


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _clusters(g: _Graph) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The module scopes as a tree: each scope's own node ids, and its child scopes."""
    members: dict[str, list[str]] = {"": []}
    children: dict[str, list[str]] = {"": []}
    for nid, _, _ in g.nodes:
        scope = g.scopes.get(nid, "")
        missing = []
        name = scope
        while name not in members:  # the scope and its parents not seen yet, innermost first
            missing.append(name)
            name = name.rsplit(".", 1)[0] if "." in name else ""
        for name in reversed(missing):
            members[name], children[name] = [], []
            children[name.rsplit(".", 1)[0] if "." in name else ""].append(name)
        members[scope].append(nid)
    return members, children


def _nested(
    g: _Graph,
    node_line: Callable[[str, str, list[str]], str],
    open_line: Callable[[str, int], str],
    close_line: str,
) -> list[str]:
    """Node lines (``node_line(id, kind, label lines)``), each inside the nested clusters of
    its module scopes."""
    labels = {nid: (kind, label) for nid, kind, label in g.nodes}
    members, children = _clusters(g)
    lines: list[str] = []
    k = 0
    # (scope, indent, closing): a scope's lines, its children, then its closing line.
    stack: list[tuple[str, int, bool]] = [("", 1, False)]
    while stack:
        scope, depth, closing = stack.pop()
        pad = "  " * depth
        if closing:
            lines.append(pad + close_line)
            continue
        inner = pad
        if scope:
            lines.append(pad + open_line(scope, k))
            k += 1
            inner = pad + "  "
            stack.append((scope, depth, True))
        lines.extend(inner + node_line(nid, *labels[nid]) for nid in members[scope])
        for child in reversed(children[scope]):
            stack.append((child, depth + 1 if scope else depth, False))
    return lines


def to_dot(
    tensor: Tensor | Sequence[Tensor],
    params: Any = None,
    show_saved: bool = False,
    show_grad: bool = False,
    modules: bool = True,
) -> str:
    """Graphviz DOT text of the graph that produced ``tensor`` (or several tensors).

    ``params`` names the leaves: a dict of name to tensor, ``model.named_parameters()`` or the
    Module itself; ``show_saved`` adds what each node saved for backward; ``show_grad`` adds
    the leaves' ``.grad`` (after a backward); ``modules`` draws a box (a cluster) around the
    nodes each ``nn.Module`` call created, labelled with the module's qualified name.
    """
    g = _Graph(tensor, params, show_saved, show_grad, modules)
    lines = ["digraph ndgrad {", '  graph [rankdir=TB, fontname="Helvetica"];']
    lines.append('  node [fontname="Helvetica", fontsize=11];')

    def node_line(nid: str, kind: str, label: list[str]) -> str:
        text = "\\n".join(_dot_escape(s) for s in label)
        return f'{nid} [label="{text}", {_DOT_STYLE[kind]}];'

    def open_line(scope: str, k: int) -> str:
        return (
            f'subgraph cluster_{k} {{ label="{_dot_escape(scope)}"; style="rounded,dashed"; '
            'color="#4285f4"; fontcolor="#174ea6";'
        )

    lines += _nested(g, node_line, open_line, "}")
    for a, b, dashed in g.edges:
        lines.append(f"  {a} -> {b}" + (" [style=dashed];" if dashed else ";"))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_escape(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


_MERMAID_SHAPE: dict[str, Callable[[str], str]] = {
    "op": lambda t: f'["{t}"]',
    "leaf": lambda t: f'(["{t}"])',
    "saved": lambda t: f'[/"{t}"/]',
    "output": lambda t: f'(("{t}"))',
}


def to_mermaid(
    tensor: Tensor | Sequence[Tensor],
    params: Any = None,
    show_saved: bool = False,
    show_grad: bool = False,
    modules: bool = True,
) -> str:
    """Mermaid flowchart text of the graph (same content as ``to_dot``), for Markdown pages."""
    g = _Graph(tensor, params, show_saved, show_grad, modules)
    lines = ["flowchart TB"]

    def node_line(nid: str, kind: str, label: list[str]) -> str:
        text = "<br/>".join(_mermaid_escape(s) for s in label)
        return f"{nid}{_MERMAID_SHAPE[kind](text)}"

    def open_line(scope: str, k: int) -> str:
        return f'subgraph m{k}["{_mermaid_escape(scope)}"]'

    lines += _nested(g, node_line, open_line, "end")
    for a, b, dashed in g.edges:
        lines.append(f"  {a} {'-.->' if dashed else '-->'} {b}")
    for kind, style in (("leaf", "#cfe2ff"), ("output", "#d1f0d1"), ("saved", "#ffe8cc")):
        members = [nid for nid, k, _ in g.nodes if k == kind]
        if members:
            lines.append(f"  classDef {kind} fill:{style}")
            lines.append(f"  class {','.join(members)} {kind}")
    return "\n".join(lines) + "\n"


_MISSING = (
    "ndgrad.viz.render needs the 'graphviz' Python package and Graphviz's 'dot' program; "
    "{what}. Install both: pip install 'ndgrad[viz]' (or pip install graphviz), and the Graphviz "
    "system package (apt-get install graphviz, brew install graphviz, or graphviz.org). "
    "ndgrad.viz.to_dot() needs neither."
)


def render(
    tensor: Tensor | Sequence[Tensor],
    path: str | os.PathLike[str],
    format: str | None = None,
    params: Any = None,
    show_saved: bool = False,
    show_grad: bool = False,
    modules: bool = True,
) -> str:
    """Draw the graph to an image file (``format`` "svg" or "png"; by default from ``path``'s
    suffix, else svg) and return its path. Needs the ``graphviz`` package and ``dot``."""
    path = os.fspath(path)
    if format is None:
        suffix = os.path.splitext(path)[1].lstrip(".").lower()
        format = suffix if suffix in ("svg", "png") else "svg"
    if format not in ("svg", "png"):
        raise ValueError(f"render: format must be 'svg' or 'png', got {format!r}")
    try:
        graphviz = importlib.import_module("graphviz")
    except ImportError:
        raise ImportError(_MISSING.format(what="the graphviz package is not installed")) from None
    if shutil.which("dot") is None:
        raise RuntimeError(_MISSING.format(what="the dot program is not on PATH"))
    source = to_dot(
        tensor, params=params, show_saved=show_saved, show_grad=show_grad, modules=modules
    )
    data = graphviz.Source(source).pipe(format=format)
    with open(path, "wb") as f:
        f.write(data)
    return path
