"""Graphviz's ``dot`` as the explorer's layout engine, where it is installed.

The page lays each module scope out on its own (its nodes and its child modules as boxes), so
that opening a module only grows its box. What ``dot`` does better than the page's own layered
layout is the hard part, ranking the boxes and ordering each rank so that few edges cross; the
page keeps the coordinates (the boxes' sizes change as modules open). So every scope's graph
goes to one ``dot -Tplain`` run, and the page gets, per scope, each box's rank and order.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

#: How long dot may take before the page falls back to its own layout (seconds).
TIMEOUT = 60.0


def _chain(scope: str) -> list[str]:
    """``"a.b.c"`` -> ``["a", "a.b", "a.b.c"]``; ``""`` -> ``[]``."""
    if not scope:
        return []
    parts = scope.split(".")
    return [".".join(parts[: k + 1]) for k in range(len(parts))]


def scope_graphs(nodes: list[dict[str, Any]], edges: list[list[str]]) -> dict[str, Any]:
    """Per scope: its units (``n:<id>`` for its own nodes, ``s:<name>`` for its child scopes),
    a rough width of each, and the edges between them (as the page builds them)."""
    chains = {n["id"]: _chain(n["scope"]) for n in nodes}
    graphs: dict[str, dict[str, Any]] = {}

    def graph(name: str) -> dict[str, Any]:
        g = graphs.get(name)
        if g is None:
            g = graphs[name] = {"units": {}, "edges": set()}
        return g

    graph("")
    for n in nodes:
        chain = chains[n["id"]]
        parent = ""
        for name in chain:
            graph(parent)["units"].setdefault("s:" + name, len(name) + 12)
            graph(name)
            parent = name
        graph(parent)["units"]["n:" + n["id"]] = max(len(n["label"]), 18)
    for a, b in edges:
        ca, cb = chains[a], chains[b]
        k = 0
        while k < len(ca) and k < len(cb) and ca[k] == cb[k]:
            k += 1
        owner = ca[k - 1] if k else ""
        ua = "s:" + ca[k] if k < len(ca) else "n:" + a
        ub = "s:" + cb[k] if k < len(cb) else "n:" + b
        if ua != ub:
            graph(owner)["edges"].add((ua, ub))
    return graphs


def dot_orders(nodes: list[dict[str, Any]], edges: list[list[str]]) -> dict[str, Any] | None:
    """``{scope: {unit: [rank, order]}}`` from one ``dot`` run, or None without ``dot`` (or if
    it fails or takes longer than ``TIMEOUT``)."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    graphs = [(name, g) for name, g in scope_graphs(nodes, edges).items() if len(g["units"]) > 1]
    if not graphs:
        return {}
    text = []
    names: list[list[str]] = []
    for k, (_, g) in enumerate(graphs):
        units = list(g["units"])
        index = {u: i for i, u in enumerate(units)}
        names.append(units)
        text.append(f"digraph g{k} {{ node [shape=box, fixedsize=true, height=0.5];")
        text += [f" u{i} [width={g['units'][u] * 0.1:.2f}];" for i, u in enumerate(units)]
        text += [f" u{index[a]} -> u{index[b]};" for a, b in sorted(g["edges"])]
        text.append("}")
    try:
        result = subprocess.run(
            [exe, "-Tplain"],
            input="\n".join(text),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    orders: dict[str, Any] = {}
    k = 0
    positions: list[tuple[int, float, float]] = []
    for line in result.stdout.splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "node":
            positions.append((int(fields[1][1:]), float(fields[2]), float(fields[3])))
        elif fields[0] == "stop":
            orders[graphs[k][0]] = _ranks(names[k], positions)
            positions = []
            k += 1
    return orders if k == len(graphs) else None


def _ranks(units: list[str], positions: list[tuple[int, float, float]]) -> dict[str, list[int]]:
    """Rank (top first) and order in the rank (left first) from dot's node centres."""
    ys = sorted({round(y, 2) for _, _, y in positions}, reverse=True)  # dot's y grows upwards
    rank_of = {y: r for r, y in enumerate(ys)}
    by_rank: dict[int, list[tuple[float, int]]] = {}
    for i, x, y in positions:
        by_rank.setdefault(rank_of[round(y, 2)], []).append((x, i))
    result: dict[str, list[int]] = {}
    for r, members in by_rank.items():
        for order, (_, i) in enumerate(sorted(members)):
            result[units[i]] = [r, order]
    return result
