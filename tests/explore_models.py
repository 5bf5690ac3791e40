"""Models for the explorer's tests: an MLP, and the transformer of examples/explore_graph.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F

_spec = importlib.util.spec_from_file_location(
    "explore_graph_example", Path(__file__).resolve().parents[1] / "examples" / "explore_graph.py"
)
assert _spec is not None and _spec.loader is not None
example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(example)
Block = example.Block
TinyTransformer = example.TinyTransformer


def transformer_loss(seed: int = 0):
    ndgrad.manual_seed(seed)
    model = TinyTransformer(11)
    idx = ndgrad.tensor([[1, 2, 3, 4], [5, 6, 7, 8]])
    logits = model(idx)
    loss = F.cross_entropy(logits.reshape(-1, 11), ndgrad.tensor([2, 3, 4, 5, 6, 7, 8, 9]))
    return model, loss


def mlp_loss(seed: int = 0):
    ndgrad.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    x = ndgrad.randn(5, 3)
    loss = model(x).pow(2).mean()
    return model, loss
