"""3b. Character-level transformer: one AdamW training step of a 2-block decoder (issue 13).

The model of the nn issue, written once against the torch API and run with ``import torch`` or
``import ndgrad as torch``: token and position embeddings, per block LayerNorm, causal
self-attention (q/k/v from one Linear, ``masked_fill`` with -inf above the diagonal, softmax),
an output projection, LayerNorm and a ReLU MLP, residuals around both; a final LayerNorm, the
vocabulary head and ``cross_entropy``; then ``AdamW.step()`` and ``zero_grad()``.
Vocabulary 65, width 64, 4 heads, 2 blocks, context 32, batch 16, float32; the tokens are
random (a fixed seed), which does not change the cost of a step.

HIPS autograd and MyGrad have no nn layers or AdamW, and there is no hand-written numpy
reference: their rows say so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import LIBS, Config, Skip, loop_time

from ._spec import Column, Target

NAME = "transformer"
TITLE = "3b. char-level transformer step: 2 blocks, width 64, 4 heads, context 32, batch 16, AdamW"
THREADS = 1
LIBS = LIBS
COLUMNS = [Column("step_ms", "step", "ms", ratio_to="torch", digits=2)]
NOTES = ["The same model code runs on both libraries (see workloads/transformer.py)."]
TARGETS = [Target("transformer step <= 1.2x PyTorch", "step_ms", "torch", limit=1.2)]

VOCAB, WIDTH, HEADS, BLOCKS, CONTEXT, BATCH = 65, 64, 4, 2, 32, 16


def make_step(T: Any) -> Any:
    """The training step for the library ``T`` (``torch`` or ``ndgrad``)."""
    nn, F = T.nn, T.nn.functional
    T.manual_seed(0)

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln1 = nn.LayerNorm(WIDTH)
            self.qkv = nn.Linear(WIDTH, 3 * WIDTH)
            self.proj = nn.Linear(WIDTH, WIDTH)
            self.ln2 = nn.LayerNorm(WIDTH)
            self.fc1 = nn.Linear(WIDTH, 4 * WIDTH)
            self.fc2 = nn.Linear(4 * WIDTH, WIDTH)

        def forward(self, x: Any, mask: Any) -> Any:
            b, n, d = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
            q, k, v = (t.reshape(b, n, HEADS, d // HEADS).transpose(1, 2) for t in (q, k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / (d // HEADS) ** 0.5)
            att = F.softmax(att.masked_fill(mask, float("-inf")), dim=-1)
            y = (att @ v).transpose(1, 2).reshape(b, n, d)
            x = x + self.proj(y)
            return x + self.fc2(F.relu(self.fc1(self.ln2(x))))

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tok = nn.Embedding(VOCAB, WIDTH)
            self.pos = nn.Embedding(CONTEXT, WIDTH)
            self.blocks = nn.ModuleList([Block() for _ in range(BLOCKS)])
            self.ln = nn.LayerNorm(WIDTH)
            self.head = nn.Linear(WIDTH, VOCAB)

        def forward(self, idx: Any, mask: Any, positions: Any) -> Any:
            x = self.tok(idx) + self.pos(positions)
            for block in self.blocks:
                x = block(x, mask)
            return self.head(self.ln(x))

    model = Model()
    opt = T.optim.AdamW(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, VOCAB, (BATCH, CONTEXT + 1))
    idx = T.tensor(tokens[:, :-1])
    targets = T.tensor(tokens[:, 1:]).reshape(-1)
    mask = T.triu(T.ones(CONTEXT, CONTEXT, dtype=T.bool), diagonal=1)
    positions = T.arange(CONTEXT)

    def step() -> float:
        logits = model(idx, mask, positions)
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.item())

    return step


def run(lib: str, cfg: Config) -> dict[str, Any]:
    if lib == "ndgrad":
        import ndgrad as T
    elif lib == "torch":
        import torch as T
    else:
        raise Skip("no nn layers / AdamW" if lib in ("autograd", "mygrad") else "no reference")
    seconds, calls = loop_time(make_step(T), cfg.repeats)
    return {"step_ms": seconds * 1e3, "loop_calls": str(calls)}
