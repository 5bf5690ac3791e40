"""ndgrad.viz.explore: the data the page embeds, module scopes, and the side-effect-free trace.

The page itself is tested in a real browser in test_explore_browser.py.
"""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

import ndgrad
import ndgrad.nn as nn
from ndgrad import viz
from ndgrad.autograd.function import Function
from ndgrad.nn.module import _scope_calls

from .explore_models import mlp_loss, transformer_loss


def _by_op(data, op):
    return [n for n in data["nodes"] if n["op"] == op]


def _embedded(html: str):
    match = re.search(
        r'<script type="application/json" id="ndgrad-data">(.*?)</script>', html, re.S
    )
    assert match is not None
    return json.loads(match.group(1).replace("<\\/", "</"))


def test_nodes_edges_and_leaf_names():
    x = ndgrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
    w = ndgrad.ones(3, 2, requires_grad=True)
    loss = (x @ w).tanh().sum()
    data = viz.explore(loss, params={"x": x, "w": w}).data
    ops = sorted(n["op"] for n in data["nodes"])
    # a vector times a matrix, as PyTorch records it: a 1-row matrix, mm, squeezed back
    assert ops == [
        "AccumulateGrad",
        "AccumulateGrad",
        "MmBackward0",
        "SqueezeBackward4",
        "SumBackward0",
        "TanhBackward0",
        "UnsqueezeBackward0",
    ]
    labels = {n["label"] for n in data["nodes"] if n["kind"] == "leaf"}
    assert labels == {"x", "w"}
    ids = {n["op"] if n["kind"] == "op" else n["label"]: n["id"] for n in data["nodes"]}
    edges = {tuple(e) for e in data["edges"]}
    assert edges == {
        (ids["x"], ids["UnsqueezeBackward0"]),
        (ids["UnsqueezeBackward0"], ids["MmBackward0"]),
        (ids["w"], ids["MmBackward0"]),
        (ids["MmBackward0"], ids["SqueezeBackward4"]),
        (ids["SqueezeBackward4"], ids["TanhBackward0"]),
        (ids["TanhBackward0"], ids["SumBackward0"]),
    }
    (tanh,) = _by_op(data, "TanhBackward0")
    assert tanh["outputs"] == [[[2], "float32"]]
    assert tanh["saved"] == [["output", [2], "float32"]]
    assert _by_op(data, "SumBackward0")[0]["root"] is True


def test_replay_order_is_the_engines_and_gradients_are_the_real_ones():
    model, loss = mlp_loss()
    data = viz.explore(loss, model).data
    assert data["mode"] == "traced"
    by_id = {n["id"]: n for n in data["nodes"]}
    replay = [
        by_id[i]["op"] if by_id[i]["kind"] == "op" else by_id[i]["label"] for i in data["order"]
    ]
    assert all(p.grad is None for p in model.parameters())
    # The engine's own order, from the user's backward under a tracer.
    with ndgrad.autograd.trace(params=model) as t:
        loss.backward()
    assert replay == [r.op if r.name is None else r.name for r in t]
    assert len(data["order"]) == len(data["nodes"])
    for name, p in model.named_parameters():
        (leaf,) = [n for n in data["nodes"] if n["label"] == name]
        (g,) = leaf["grad_in"]
        # values are kept to 5 significant digits (what the page shows)
        np.testing.assert_allclose(np.array(g["values"], dtype=float), p.grad.numpy(), rtol=5e-5)
        assert g["norm"] == pytest.approx(float(np.linalg.norm(p.grad.numpy())), rel=1e-5)
        assert g["min"] == pytest.approx(float(p.grad.numpy().min()))
        assert (g["nan"], g["inf"]) == (0, 0)
    (relu,) = _by_op(data, "ReluBackward0")
    assert len(relu["grad_out"]) == 1 and relu["grad_out"][0]["shape"] == [5, 4]


def test_explore_leaves_no_trace_hooks_retain_grad_and_the_graph():
    def build():
        ndgrad.manual_seed(1)
        w = ndgrad.randn(3, requires_grad=True)
        h = w * 2
        h.retain_grad()
        return w, h, (h.exp() * w).sum()

    w0, _, loss0 = build()
    loss0.backward()
    expected = w0.grad.numpy().copy()

    w, h, loss = build()
    calls = []
    h.register_hook(lambda g: calls.append("h"))
    w.register_hook(lambda g: calls.append("w"))
    w.register_post_accumulate_grad_hook(lambda p: calls.append("post"))
    viz.explore(loss, {"w": w})
    assert calls == [] and w.grad is None and h.grad is None
    loss.backward()  # the graph was kept; the hooks still fire, once each
    assert sorted(calls) == ["h", "post", "w"]
    np.testing.assert_array_equal(w.grad.numpy(), expected)
    assert h.grad is not None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()  # explore did not retain it for the user either


def test_anomaly_mode_does_not_stop_the_trace():
    x = ndgrad.tensor([0.0, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="Anomaly"), ndgrad.autograd.detect_anomaly():
        loss = x.sqrt().sum()
        data = viz.explore(loss).data
    assert data["mode"] == "traced"


def test_a_freed_graph_shows_structure_and_the_leaves_grad():
    model, loss = mlp_loss()
    loss.backward()
    data = viz.explore(loss, model.named_parameters()).data
    assert data["mode"] == "structure" and "freed" in data["reason"]
    assert data["order"] == []
    leaf = next(n for n in data["nodes"] if n["label"] == "0.bias")
    np.testing.assert_allclose(
        np.array(leaf["leaf_grad"]["values"], dtype=float), model[0].bias.grad.numpy(), rtol=5e-5
    )
    (addmm, _) = _by_op(data, "AddmmBackward0")
    assert addmm["freed"] and addmm["saved"] == []


def test_the_first_node_whose_gradient_turns_nan_is_marked():
    x = ndgrad.tensor([0.0, 2.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        loss = ndgrad.where(x > 0, x.log(), ndgrad.zeros(2)).sum()  # 0 * (1/0) at x = 0
    data = viz.explore(loss, {"x": x}).data
    origins = [n["op"] for n in data["nodes"] if n.get("origin")]
    assert origins == ["LogBackward0"]
    (log,) = _by_op(data, "LogBackward0")
    assert log["bad"] == "nan" and log["grad_out"][0]["nan"] == 1
    assert log["grad_in"][0]["nan"] == 0
    leaf = next(n for n in data["nodes"] if n["kind"] == "leaf")
    assert leaf["bad"] == "nan" and "origin" not in leaf
    html = viz.explore(loss, {"x": x}).html
    assert "NaN" in html and re.search(r"[:\[,]NaN[,\]}]", html) is None  # strings, not NaN tokens
    (embedded,) = [n for n in _embedded(html)["nodes"] if n["op"] == "LogBackward0"]
    assert embedded["grad_out"][0]["values"] == ["NaN", 0.5]


def test_inf_origin():
    x = ndgrad.tensor([0.0, 4.0], requires_grad=True)
    data = viz.explore(x.sqrt().sum()).data
    (sqrt,) = _by_op(data, "SqrtBackward0")
    assert sqrt["origin"] and sqrt["bad"] == "inf"
    assert sqrt["grad_out"][0]["values"] == ["Infinity", 0.25]


def test_module_scopes_of_a_transformer():
    model, loss = transformer_loss()
    data = viz.explore(loss, model).data
    scopes = {n["scope"] for n in data["nodes"]}
    for name in (
        "embedding",
        "blocks.0.ln1",
        "blocks.0.sa.heads.1.query",
        "blocks.1.sa.heads.0.value",
        "blocks.1.sa.proj",
        "blocks.0.ffwd.0",
        "blocks.0.ffwd.1",
        "ln_f",
        "lm_head",
    ):
        assert name in scopes
    by_id = {n["id"]: n for n in data["nodes"]}
    # Every parameter's leaf sits in its module, and so does the op that uses it.
    for name, _ in model.named_parameters():
        leaf = next(n for n in data["nodes"] if n["label"] == name)
        module = name.rsplit(".", 1)[0]
        assert leaf["scope"] == module
        users = [by_id[b] for a, b in data["edges"] if a == leaf["id"]]
        assert users and all(u["scope"] == module for u in users), name
    (relu1,) = [n for n in data["nodes"] if n["op"] == "ReluBackward0" and "blocks.1" in n["scope"]]
    assert relu1["scope"] == "blocks.1.ffwd.1"
    # The loss is computed outside the model: no scope.
    assert _by_op(data, "NllLossBackward0")[0]["scope"] == ""
    # Without the model, the names come from how the modules called each other: the same.
    again = viz.explore(loss).data
    assert [n["scope"] for n in again["nodes"]] == [n["scope"] for n in data["nodes"]]


def test_sequential_relu_is_named_by_its_index():
    model, loss = mlp_loss()
    data = viz.explore(loss, model).data
    assert _by_op(data, "ReluBackward0")[0]["scope"] == "1"
    assert {n["scope"] for n in _by_op(data, "AddmmBackward0")} == {"0", "2"}


def test_scopes_are_recorded_per_module_call_not_per_op():
    model = nn.Sequential(nn.Linear(3, 3), nn.Tanh())
    x = ndgrad.randn(2, 3, requires_grad=True)
    before = _scope_calls[-1] if _scope_calls else None
    y = model(x * 2).exp().sum()
    calls = list(_scope_calls)
    start = calls.index(before) + 1 if before in calls else 0
    assert [ref() for _, _, ref in calls[start:]] == [model[0], model[1], model]
    assert y.grad_fn is not None


def test_a_module_called_twice_and_a_lone_loss_module():
    lin = nn.Linear(2, 2)
    loss_fn = nn.MSELoss()
    x = ndgrad.randn(4, 2)
    out = loss_fn(lin(lin(x)), ndgrad.zeros(4, 2))
    data = viz.explore(out).data
    assert {n["scope"] for n in _by_op(data, "AddmmBackward0")} == {"Linear"}
    assert {n["scope"] for n in data["nodes"] if n["kind"] == "op"} == {"Linear", "MSELoss"}
    data = viz.explore(out, {"lin.weight": lin.weight, "lin.bias": lin.bias}).data
    assert next(n for n in data["nodes"] if n["label"] == "lin.weight")["scope"] == "lin"


def test_creation_site_when_recorded():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with ndgrad.autograd.record_inputs():
        y = x.tanh().sum()  # the site
    data = viz.explore(y).data
    (tanh,) = _by_op(data, "TanhBackward0")
    assert "test_explore.py" in tanh["site"] and "x.tanh().sum()" in tanh["site"]
    assert viz.explore(x.exp().sum()).data["nodes"][0]["site"] is None


def test_a_backward_that_raises_gives_the_structure_and_the_reason():
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            raise ValueError("no backward here")

    x = ndgrad.ones(2, requires_grad=True)
    y = Broken.apply(x).sum()
    data = viz.explore(y).data
    assert data["mode"] == "structure" and "ValueError: no backward here" in data["reason"]
    assert x.grad is None


def test_non_scalar_output_uses_ones():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    data = viz.explore(x * 3).data
    assert data["implicit_ones"] is True
    leaf = next(n for n in data["nodes"] if n["kind"] == "leaf")
    assert leaf["grad_in"][0]["values"] == [3.0, 3.0]


def test_output_without_graph_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        viz.explore(ndgrad.ones(2))


def test_page_is_self_contained(tmp_path):
    model, loss = transformer_loss()
    page = viz.explore(loss, model)
    path = page.save(tmp_path / "graph.html")
    with open(path, encoding="utf-8") as f:
        html = f.read()
    assert html.startswith("<!DOCTYPE html>")
    for pattern in (r"<script[^>]+src=", r"<link\b", r"@import", r"url\(\s*['\"]?http", r"<img\b"):
        assert re.search(pattern, html, re.I) is None, pattern
    # The only URL is SVG's namespace name, which is never fetched.
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}
    assert _embedded(html) == json.loads(json.dumps(page.data))
    for contract in (
        'id="details"',
        'id="step-next"',
        'id="step-prev"',
        "data-node",
        "data-op",
        "data-scope",
    ):
        assert contract in html
    assert (
        page._repr_html_().startswith("<iframe srcdoc=")
        and "&lt;!DOCTYPE html&gt;" in page._repr_html_()
    )


def test_script_end_tag_in_names_is_escaped():
    x = ndgrad.ones(2, requires_grad=True)
    page = viz.explore(x.sum(), {"</script><b>": x})
    assert page.html.count("</script>") == 2
    assert _embedded(page.html)["nodes"][1]["label"] == "</script><b>"


def test_summary_values_keep_five_significant_digits():
    from ndgrad.viz._explore import summary

    s = summary(np.array([1.234567, -0.000123456, 0.0, np.inf, np.nan, 98765.4321]))
    assert s["values"] == [1.2346, -0.00012346, 0.0, "Infinity", "NaN", 98765.0]
    assert (s["nan"], s["inf"], s["min"], s["max"], s["norm"]) == (
        1,
        1,
        -0.000123456,
        "Infinity",
        "NaN",
    )
    assert summary(np.zeros((9, 9)))["norm"] == 0.0 and "values" not in summary(np.zeros((9, 9)))
    assert summary(None) is None


requires_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)


@requires_dot
def test_dot_ranks_and_orders_every_scope():
    from ndgrad.viz._layout import scope_graphs

    model, loss = transformer_loss()
    data = viz.explore(loss, model, layout="dot").data
    assert data["layout"]["engine"] == "dot"
    orders = data["layout"]["orders"]
    graphs = scope_graphs(data["nodes"], data["edges"])
    assert set(orders) == {name for name, g in graphs.items() if len(g["units"]) > 1}
    assert {"", "blocks", "blocks.0.sa.heads.1", "lm_head"} <= set(orders)
    for name, order in orders.items():
        assert set(order) == set(graphs[name]["units"])
        for a, b in graphs[name]["edges"]:  # forward edges point down: inputs above their users
            assert order[a][0] < order[b][0], (name, a, b)
        ranks: dict[int, list[int]] = {}
        for rank, k in order.values():
            ranks.setdefault(rank, []).append(k)
        assert all(sorted(ks) == list(range(len(ks))) for ks in ranks.values())
    assert orders[""]["s:embedding"][0] < orders[""]["s:blocks"][0] < orders[""]["s:lm_head"][0]


def test_builtin_layout_and_bad_layout_arguments(monkeypatch):
    model, loss = mlp_loss()
    assert viz.explore(loss, model, layout="builtin").data["layout"] == {
        "engine": "builtin",
        "orders": None,
    }
    with pytest.raises(ValueError, match="layout must be"):
        viz.explore(loss, layout="neato")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="needs Graphviz's dot program"):
        viz.explore(loss, layout="dot")
    assert viz.explore(loss).data["layout"]["engine"] == "builtin"  # auto falls back


def test_a_leaf_an_output_of_a_multi_output_node_and_a_non_tensor():
    x = ndgrad.ones(3, requires_grad=True)
    data = viz.explore(x).data
    assert [n["op"] for n in data["nodes"]] == ["AccumulateGrad"] and data["order"] == ["n0"]
    _, b = (x * 2).split(2)
    data = viz.explore(b).data  # output 1 of SplitBackward0: ones for it, zeros for output 0
    (split,) = _by_op(data, "SplitBackward0")
    assert [g["values"] for g in split["grad_in"]] == [[0.0, 0.0], [1.0]]
    leaf = next(n for n in data["nodes"] if n["kind"] == "leaf")
    assert leaf["grad_in"][0]["values"] == [0.0, 0.0, 2.0]
    with pytest.raises(TypeError, match="output must be a Tensor"):
        viz.explore([x])
