"""Train a character-level GPT on the Python standard library's own documentation.

The corpus is made on the spot from the docstrings of a fixed list of standard-library modules
(no download, nothing to ship). The model is a small decoder-only transformer: token and
position embeddings, pre-norm blocks of causal self-attention and an MLP, LayerNorm, dropout;
it is trained with AdamW on the cross-entropy of the next character, and then writes some text,
sampling each character with ``torch.multinomial``. The script is plain PyTorch code:
``--backend torch`` runs it on real PyTorch, the default on ndgrad. It shows a tqdm progress bar,
saves the loss curves as a PNG and prints the final validation loss as its last line.

    pip install -e '.[examples]'
    python examples/char_gpt.py            # ndgrad
    python examples/char_gpt.py --backend torch
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import math
import time

import matplotlib

matplotlib.use("Agg")  # write PNG files, no display needed
import matplotlib.pyplot as plt
from tqdm import tqdm

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--backend", choices=["ndgrad", "torch"], default="ndgrad")
parser.add_argument("--steps", type=int, default=500)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--block-size", type=int, default=64, help="context length in characters")
parser.add_argument("--n-embd", type=int, default=64)
parser.add_argument("--n-head", type=int, default=4)
parser.add_argument("--n-layer", type=int, default=2)
parser.add_argument("--dropout", type=float, default=0.1)
parser.add_argument("--lr", type=float, default=3e-3)
parser.add_argument("--eval-every", type=int, default=100)
parser.add_argument("--eval-batches", type=int, default=20)
parser.add_argument("--sample-chars", type=int, default=300)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--plot", default=None, help="PNG path (default: char_gpt_<backend>.png)")
parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
args = parser.parse_args()

if args.backend == "torch":
    import torch
else:
    import ndgrad as torch

nn = torch.nn
F = torch.nn.functional
torch.manual_seed(args.seed)

# --- data: the docstrings of some standard-library modules, characters as tokens ----------------
MODULES = [
    "abc", "argparse", "bisect", "calendar", "collections", "contextlib", "copy", "csv",
    "dataclasses", "datetime", "decimal", "difflib", "enum", "fractions", "functools", "heapq",
    "itertools", "json", "logging", "operator", "pathlib", "pprint", "random", "re",
    "shutil", "statistics", "string", "textwrap", "threading", "typing", "unittest", "uuid",
]  # fmt: skip


def corpus() -> str:
    parts = []
    for name in MODULES:
        module = importlib.import_module(name)
        parts.append(inspect.getdoc(module) or "")
        for attr in sorted(vars(module)):
            obj = getattr(module, attr)
            if attr.startswith("_") or getattr(obj, "__module__", None) != name:
                continue
            if inspect.isclass(obj) or inspect.isfunction(obj):
                parts.append(inspect.getdoc(obj) or "")
    text = "\n\n".join(p for p in parts if p)
    return "".join(c for c in text if c.isascii())


text = corpus()
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.int64)
split = int(0.9 * len(data))
train_data, val_data = data[:split], data[split:]


def get_batch(source: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    starts = torch.randint(len(source) - args.block_size - 1, (args.batch_size,)).tolist()
    x = torch.stack([source[i : i + args.block_size] for i in starts])
    y = torch.stack([source[i + 1 : i + args.block_size + 1] for i in starts])
    return x, y


# --- the model ----------------------------------------------------------------------------------
class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd: int, n_head: int, dropout: float) -> None:
        super().__init__()
        self.n_head, self.dropout = n_head, dropout
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)
        self.resid_dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        p = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        y = y.transpose(1, 2).reshape(B, T, C)
        return self.resid_dropout(self.proj(y))


class Block(nn.Module):
    def __init__(self, n_embd: int, n_head: int, dropout: float) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, dropout)
        self.ln2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(n_embd, 4 * n_embd),
            nn.GELU(approximate="tanh"),  # GPT-2's GELU
            nn.Linear(4 * n_embd, n_embd),
            nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab: int) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, args.n_embd)
        self.pos = nn.Embedding(args.block_size, args.n_embd)
        self.drop = nn.Dropout(args.dropout)
        self.blocks = nn.Sequential(
            *[Block(args.n_embd, args.n_head, args.dropout) for _ in range(args.n_layer)]
        )
        self.ln_f = nn.LayerNorm(args.n_embd)
        self.head = nn.Linear(args.n_embd, vocab)

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        T = idx.shape[1]
        x = self.drop(self.tok(idx) + self.pos(torch.arange(T)))
        return self.head(self.ln_f(self.blocks(x)))


model = GPT(len(chars))
optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
scheduler = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=args.lr, total_steps=args.steps, pct_start=0.1
)


def loss_on(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    logits = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def evaluate() -> tuple[float, float]:
    model.eval()
    with torch.no_grad():
        out = [
            sum(loss_on(*get_batch(d)).item() for _ in range(args.eval_batches)) / args.eval_batches
            for d in (train_data, val_data)
        ]
    model.train()
    return out[0], out[1]


def sample(prompt: str, n: int) -> str:
    model.eval()
    idx = torch.tensor([[stoi[c] for c in prompt]], dtype=torch.int64)
    with torch.no_grad():
        for _ in range(n):
            logits = model(idx[:, -args.block_size :])[:, -1, :]
            probs = F.softmax(logits, dim=-1)
            nxt = torch.multinomial(probs, num_samples=1)
            idx = torch.cat([idx, nxt], dim=1)
    model.train()
    return "".join(chars[i] for i in idx[0].tolist())


# --- training -----------------------------------------------------------------------------------
print(
    f"{args.backend}: {len(text):,} characters, vocabulary {len(chars)}, "
    f"{sum(p.numel() for p in model.parameters()):,} parameters"
)
history: list[tuple[int, float, float]] = []
train_curve: list[float] = []
start = time.perf_counter()
bar = tqdm(range(1, args.steps + 1), disable=args.no_progress, desc="training")
for step in bar:
    x, y = get_batch(train_data)
    loss = loss_on(x, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    train_curve.append(loss.item())
    if step % args.eval_every == 0 or step == args.steps:
        tr, va = evaluate()
        history.append((step, tr, va))
        bar.set_postfix(train=f"{tr:.3f}", val=f"{va:.3f}")
elapsed = time.perf_counter() - start

print(sample("The ", args.sample_chars))
print(f"time per step: {1000 * elapsed / args.steps:.1f} ms")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(range(1, len(train_curve) + 1), train_curve, lw=0.6, alpha=0.5, label="batch loss")
ax.plot([h[0] for h in history], [h[1] for h in history], "o-", label="train")
ax.plot([h[0] for h in history], [h[2] for h in history], "s-", label="validation")
ax.axhline(math.log(len(chars)), color="gray", ls=":", lw=0.8, label="uniform guess")
ax.set(xlabel="step", ylabel="cross-entropy (nats/char)", title=f"char GPT on {args.backend}")
ax.legend()
fig.tight_layout()
fig.savefig(args.plot or f"char_gpt_{args.backend}.png", dpi=120)
print(f"val loss: {history[-1][2]:.4f}")
