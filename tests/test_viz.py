"""ndgrad.viz: DOT and Mermaid text of the backward graph, and rendering."""

from __future__ import annotations

import re
import shutil
import sys

import numpy as np
import pytest

import ndgrad
from ndgrad import viz
from ndgrad.autograd.function import Node


def _small():
    x = ndgrad.tensor([[1.0, -2.0, 3.0]], requires_grad=True)  # a 1-row matrix: one mm node
    w = ndgrad.ones(3, 2, requires_grad=True)
    h = (x @ w).tanh()
    return x, w, h.sum()


def _labels(dot: str) -> list[str]:
    return re.findall(r'label="([^"]*)"', dot)


def test_one_node_per_grad_fn_with_name_shape_dtype():
    x, w, loss = _small()
    dot = viz.to_dot(loss, params={"x": x, "w": w})
    assert dot.startswith("digraph ndgrad {") and dot.rstrip().endswith("}")
    labels = _labels(dot)
    assert "SumBackward0\\n[] float32" in labels
    assert "TanhBackward0\\n[1, 2] float32" in labels
    assert "MmBackward0\\n[1, 2] float32" in labels
    assert "x\\n[1, 3] float32" in labels
    assert "w\\n[3, 2] float32" in labels
    assert "output\\n[] float32" in labels
    # 3 ops + 2 leaves + the output, and 5 edges: x,w -> mm -> tanh -> sum -> output
    assert len(labels) == 6
    assert len(re.findall(r"->", dot)) == 5


def test_edges_follow_the_forward_direction():
    x, w, loss = _small()
    dot = viz.to_dot(loss, params={"x": x, "w": w})
    ids = {lab.split("\\n")[0]: nid for nid, lab in re.findall(r'(\w+) \[label="([^"]*)"', dot)}
    assert f"{ids['x']} -> {ids['MmBackward0']};" in dot
    assert f"{ids['MmBackward0']} -> {ids['TanhBackward0']};" in dot
    assert f"{ids['SumBackward0']} -> {ids['output']};" in dot


def test_unnamed_leaves_and_shared_subgraphs():
    a = ndgrad.tensor(2.0, requires_grad=True)
    y = a * a  # both inputs the same leaf: one leaf node, two edges
    dot = viz.to_dot(y)
    assert _labels(dot).count("leaf\\n[] float32") == 1
    leaf_id = re.search(r'(\w+) \[label="leaf', dot).group(1)
    assert dot.count(f"{leaf_id} -> ") == 2


def test_show_saved_and_freed():
    loss = _small()[2]
    dot = viz.to_dot(loss, show_saved=True)
    labels = _labels(dot)
    assert "saved output: [1, 2] float32" in labels  # tanh's output
    assert "saved input: [3, 2] float32" in labels  # matmul's weight
    assert "style=dashed" in dot
    assert "saved" not in viz.to_dot(loss)
    loss.backward()
    assert "saved values freed" in _labels(viz.to_dot(loss, show_saved=True))


def test_show_grad_after_backward():
    x, w, loss = _small()
    loss.backward()
    labels = _labels(viz.to_dot(loss, params={"x": x, "w": w}, show_grad=True))
    (x_label,) = [lab for lab in labels if lab.startswith("x\\n")]
    assert "grad: [" in x_label
    (w_label,) = [lab for lab in labels if lab.startswith("w\\n")]
    assert "grad: norm" in w_label  # more than 4 elements: the norm


def test_several_outputs_and_a_leaf_output():
    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y1, y2 = a.unbind(0)
    dot = viz.to_dot([y1, y2])
    assert "output 0" in dot and "output 1" in dot
    assert _labels(viz.to_dot(a)) == ["leaf\\n[2] float32", "output\\n[2] float32"]
    assert _labels(viz.to_dot(ndgrad.ones(2))) == ["output\\n[2] float32"]


def test_labels_are_escaped():
    a = ndgrad.tensor([1.0], requires_grad=True)
    dot = viz.to_dot(a * 2, params={'we"ird\\name': a})
    assert 'label="we\\"ird\\\\name' in dot
    mer = viz.to_mermaid(a * 2, params={'a"<b>': a})
    assert "a#quot;#lt;b#gt;" in mer


def test_mermaid_has_the_same_graph():
    x, w, loss = _small()
    mer = viz.to_mermaid(loss, params={"x": x, "w": w}, show_saved=True)
    assert mer.startswith("flowchart TB")
    assert '["TanhBackward0<br/>[1, 2] float32"]' in mer
    assert '(["w<br/>[3, 2] float32"])' in mer
    assert mer.count("-->") == 5 and mer.count("-.->") == 3
    assert "classDef leaf" in mer


class ChainBackward0(Node):
    """A bare graph node: lets the test build a huge graph quickly."""


@pytest.mark.slow
def test_a_100000_node_graph_renders_without_recursion():
    x = ndgrad.tensor([1.0], requires_grad=True)
    node: Node = x._accumulator()
    meta = (((1,), np.dtype(np.float32)),)
    for _ in range(100_000):
        nxt = ChainBackward0()
        nxt._edges = ((node, 0, (1,), np.dtype(np.float32)),)  # (node, input_nr, shape, dtype)
        nxt._output_meta = meta
        node = nxt
    y = ndgrad.Tensor._make(np.ones(1, np.float32), node)
    limit = sys.getrecursionlimit()
    dot = viz.to_dot(y)
    assert dot.count("ChainBackward0") == 100_000
    assert dot.count(" -> ") == 100_001  # the chain, the leaf's edge and the output's
    assert len(viz.to_mermaid(y).splitlines()) > 200_000
    assert sys.getrecursionlimit() == limit


def test_a_graph_deeper_than_the_recursion_limit_from_real_ops():
    x = ndgrad.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(sys.getrecursionlimit() + 500):
        y = -y
    dot = viz.to_dot(y, params={"x": x})
    assert dot.count("NegBackward0") == sys.getrecursionlimit() + 500
    assert 'label="x\\n[1] float32"' in dot


def test_render_without_graphviz_names_both(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz -> ImportError
    with pytest.raises(ImportError, match=r"'graphviz' Python package and Graphviz's 'dot'"):
        viz.render(ndgrad.ones(1, requires_grad=True) * 2, tmp_path / "g.svg")


def test_render_without_dot_names_both(monkeypatch, tmp_path):
    pytest.importorskip("graphviz")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="dot program is not on PATH"):
        viz.render(ndgrad.ones(1, requires_grad=True) * 2, tmp_path / "g.svg")


def test_render_rejects_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="format must be 'svg' or 'png'"):
        viz.render(ndgrad.ones(1), tmp_path / "g.pdf", format="pdf")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_svg_and_png(tmp_path):
    pytest.importorskip("graphviz")
    x, w, loss = _small()
    svg = viz.render(loss, tmp_path / "g.svg", params={"x": x, "w": w})
    with open(svg) as f:
        text = f.read()
    assert "<svg" in text and "TanhBackward0" in text
    png = viz.render(loss, tmp_path / "g.png")
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_module_scopes_become_clusters():
    from .explore_models import transformer_loss

    model, loss = transformer_loss()
    dot = viz.to_dot(loss, model)
    clusters = re.findall(r'subgraph cluster_\d+ \{ label="([^"]*)"', dot)
    for name in ("embedding", "blocks", "blocks.0", "blocks.0.sa.heads.1.query", "ln_f", "lm_head"):
        assert name in clusters
    assert dot.count("{") == dot.count("}")
    # The query weight's node is drawn inside its cluster.
    body = dot.split('label="blocks.0.sa.heads.1.query";', 1)[1].split("}", 1)[0]
    assert "blocks.0.sa.heads.1.query.weight" in body
    mermaid = viz.to_mermaid(loss, model)
    assert '["blocks.0.sa.heads.1.query"]' in mermaid
    assert mermaid.count("subgraph ") == len(clusters)
    assert "subgraph" not in viz.to_dot(loss, model, modules=False)


def test_params_as_dict_named_parameters_or_module():
    from .explore_models import mlp_loss

    model, loss = mlp_loss()
    as_dict = viz.to_dot(loss, dict(model.named_parameters()))
    assert viz.to_dot(loss, model.named_parameters()) == as_dict
    assert viz.to_dot(loss, model) == as_dict
    assert "0.weight" in as_dict
    assert viz.to_mermaid(loss, model) == viz.to_mermaid(loss, dict(model.named_parameters()))
    with ndgrad.autograd.trace(params=model.named_parameters()) as t:
        loss.backward()
    assert {r.name for r in t if r.op == "AccumulateGrad"} == {
        "2.weight",
        "2.bias",
        "0.weight",
        "0.bias",
    }
    with ndgrad.autograd.trace(params=model) as t2:
        model(ndgrad.ones(1, 3)).sum().backward()
    assert {r.name for r in t2 if r.op == "AccumulateGrad"} == {
        "2.weight",
        "2.bias",
        "0.weight",
        "0.bias",
    }


def test_tracer_is_a_sequence_of_records():
    x = ndgrad.tensor([1.0, -2.0], requires_grad=True)
    with ndgrad.autograd.trace(params={"x": x}) as t:
        (x * x).sum().backward()
    assert len(t) == 3
    assert [r.op for r in t] == ["SumBackward0", "MulBackward0", "AccumulateGrad"]
    assert t[0].op == "SumBackward0" and t[-1].name == "x"
    assert [r.op for r in t[1:]] == ["MulBackward0", "AccumulateGrad"]
    assert list(t) == t.records
