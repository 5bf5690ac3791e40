"""Small models for the explorer's tests and example: an MLP and a transformer-like nest."""

from __future__ import annotations

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F


class Head(nn.Module):
    def __init__(self, d: int, hs: int) -> None:
        super().__init__()
        self.query = nn.Linear(d, hs, bias=False)
        self.key = nn.Linear(d, hs, bias=False)
        self.value = nn.Linear(d, hs, bias=False)

    def forward(self, x):
        q, k, v = self.query(x), self.key(x), self.value(x)
        w = F.softmax(q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5, dim=-1)
        return w @ v


class MultiHead(nn.Module):
    def __init__(self, d: int, n: int) -> None:
        super().__init__()
        self.heads = nn.ModuleList([Head(d, d // n) for _ in range(n)])
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        return self.proj(ndgrad.cat([h(x) for h in self.heads], dim=-1))


class Block(nn.Module):
    def __init__(self, d: int, n: int) -> None:
        super().__init__()
        self.sa = MultiHead(d, n)
        self.ffwd = nn.Sequential(nn.Linear(d, 2 * d), nn.ReLU(), nn.Linear(2 * d, d))
        self.ln1 = nn.LayerNorm(d)
        self.ln2 = nn.LayerNorm(d)

    def forward(self, x):
        x = x + self.sa(self.ln1(x))
        return x + self.ffwd(self.ln2(x))


class TinyTransformer(nn.Module):
    def __init__(self, vocab: int = 11, d: int = 8, n_heads: int = 2, n_blocks: int = 2) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab, d)
        self.blocks = nn.Sequential(*[Block(d, n_heads) for _ in range(n_blocks)])
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, vocab)

    def forward(self, idx):
        return self.lm_head(self.ln_f(self.blocks(self.embedding(idx))))


def transformer_loss(seed: int = 0):
    ndgrad.manual_seed(seed)
    model = TinyTransformer()
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
