"""Explore a small transformer's backward graph in the browser.

    python examples/explore_graph.py [page.html]     (default: explore_graph.html)

Builds a two-block character-level transformer (embedding -> blocks -> ln_f -> lm_head, each
block with two attention heads and a feed-forward Sequential), computes the loss on one batch
and writes ``ndgrad.viz.explore``'s page: one HTML file that opens from disk with no network.
Open it, click ``blocks`` to open the module, click a node for what flowed through it, and step
through the backward pass with the arrow keys. The same tensors then train as usual: explore
left no ``.grad`` behind and kept the graph for ``loss.backward()``.
"""

from __future__ import annotations

import sys

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F
from ndgrad import viz


class Head(nn.Module):
    """One head of causal self-attention."""

    def __init__(self, d: int, head_size: int) -> None:
        super().__init__()
        self.query = nn.Linear(d, head_size, bias=False)
        self.key = nn.Linear(d, head_size, bias=False)
        self.value = nn.Linear(d, head_size, bias=False)

    def forward(self, x: ndgrad.Tensor) -> ndgrad.Tensor:
        q, k, v = self.query(x), self.key(x), self.value(x)
        t = x.shape[1]
        scores = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5
        mask = ndgrad.ones(t, t).tril() == 0
        scores = scores.masked_fill(mask, float("-inf"))
        return F.softmax(scores, dim=-1) @ v


class MultiHead(nn.Module):
    def __init__(self, d: int, n_heads: int) -> None:
        super().__init__()
        self.heads = nn.ModuleList([Head(d, d // n_heads) for _ in range(n_heads)])
        self.proj = nn.Linear(d, d)

    def forward(self, x: ndgrad.Tensor) -> ndgrad.Tensor:
        return self.proj(ndgrad.cat([h(x) for h in self.heads], dim=-1))


class Block(nn.Module):
    def __init__(self, d: int, n_heads: int) -> None:
        super().__init__()
        self.sa = MultiHead(d, n_heads)
        self.ffwd = nn.Sequential(nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d))
        self.ln1 = nn.LayerNorm(d)
        self.ln2 = nn.LayerNorm(d)

    def forward(self, x: ndgrad.Tensor) -> ndgrad.Tensor:
        x = x + self.sa(self.ln1(x))
        return x + self.ffwd(self.ln2(x))


class TinyTransformer(nn.Module):
    def __init__(self, vocab: int, d: int = 8, n_heads: int = 2, n_blocks: int = 2) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, d)
        self.blocks = nn.Sequential(*[Block(d, n_heads) for _ in range(n_blocks)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab)

    def forward(self, idx: ndgrad.Tensor) -> ndgrad.Tensor:
        return self.lm_head(self.ln_f(self.blocks(self.embedding(idx))))


TEXT = "hello graph explorer"


def batch(block: int = 4) -> tuple[ndgrad.Tensor, ndgrad.Tensor, int]:
    """Two windows of TEXT as token ids, the next characters as targets, and the vocab size."""
    chars = sorted(set(TEXT))
    ids = [chars.index(c) for c in TEXT]
    x = ndgrad.tensor([ids[0:block], ids[5 : 5 + block]])
    y = ndgrad.tensor([ids[1 : block + 1], ids[6 : 6 + block]])
    return x, y, len(chars)


def main(path: str = "explore_graph.html") -> None:
    ndgrad.manual_seed(0)
    x, y, vocab = batch()
    model = TinyTransformer(vocab)
    logits = model(x)
    loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
    page = viz.explore(loss, model)
    page.save(path)
    print(f"wrote {path}: {page!r}")
    print("scopes:", ", ".join(sorted({n["scope"] for n in page.data["nodes"] if n["scope"]})[:6]))
    # Nothing changed for training: no .grad yet, and the graph is still there.
    assert all(p.grad is None for p in model.parameters())
    loss.backward()
    print(
        f"loss {loss.item():.4f}; lm_head.weight.grad norm {model.lm_head.weight.grad.norm():.4f}"
    )


if __name__ == "__main__":
    main(*sys.argv[1:2])
