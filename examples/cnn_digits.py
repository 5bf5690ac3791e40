"""Train a small convolutional network on scikit-learn's bundled handwritten digits.

The 1,797 8x8 images ship with scikit-learn (no download). A quarter is held out as the test set.
The script is plain PyTorch code: ``--backend torch`` runs it on real PyTorch, and the default
runs it on ndgrad; the import is the only difference. The network uses Conv2d, MaxPool2d,
BatchNorm2d and Dropout. It shows a tqdm progress bar, saves a
matplotlib plot of the loss and accuracy, and prints the final test accuracy as its last line.

    pip install -e '.[examples]'
    python examples/cnn_digits.py            # ndgrad
    python examples/cnn_digits.py --backend torch
"""

from __future__ import annotations

import argparse
import time

import matplotlib

matplotlib.use("Agg")  # write PNG files, no display needed
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm import tqdm

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--backend", choices=["ndgrad", "torch"], default="ndgrad")
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--batch-size", type=int, default=32)
parser.add_argument("--lr", type=float, default=2e-3)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--plot", default=None, help="PNG path (default: cnn_digits_<backend>.png)")
parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
args = parser.parse_args()

if args.backend == "torch":
    import torch
else:
    import ndgrad as torch

nn = torch.nn
torch.manual_seed(args.seed)

# --- data: a stratified 75/25 split -------------------------------------------------------------
images, labels = load_digits(return_X_y=True)
x_train, x_test, y_train, y_test = train_test_split(
    images / 16.0, labels, test_size=0.25, stratify=labels, random_state=args.seed
)
# images as (N, channels=1, height=8, width=8), centred with the training mean and spread
mu, sd = x_train.mean(), x_train.std()
x_train = torch.tensor(((x_train - mu) / sd).reshape(-1, 1, 8, 8), dtype=torch.float32)
x_test = torch.tensor(((x_test - mu) / sd).reshape(-1, 1, 8, 8), dtype=torch.float32)
y_train = torch.tensor(y_train, dtype=torch.int64)
y_test_np = np.asarray(y_test)

train_loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(x_train, y_train),
    batch_size=args.batch_size,
    shuffle=True,
    generator=torch.Generator().manual_seed(args.seed),
)

# --- model, loss, optimiser ---------------------------------------------------------------------
model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1),
    nn.BatchNorm2d(32),
    nn.ReLU(),
    nn.MaxPool2d(2),  # 8x8 -> 4x4
    nn.Conv2d(32, 64, 3, padding=1),
    nn.BatchNorm2d(64),
    nn.ReLU(),
    nn.MaxPool2d(2),  # 4x4 -> 2x2
    nn.Flatten(),
    nn.Dropout(0.3),
    nn.Linear(64 * 2 * 2, 10),
)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)


def test_accuracy() -> float:
    model.eval()
    with torch.no_grad():
        predictions = model(x_test).numpy().argmax(axis=1)
    model.train()
    return float((predictions == y_test_np).mean())


history: dict[str, list[float]] = {"loss": [], "accuracy": []}
train_seconds = cpu_seconds = 0.0  # wall-clock and CPU time of the training loop
bar = tqdm(range(args.epochs), desc=f"cnn/{args.backend}", disable=args.no_progress)
for _epoch in bar:
    start, cpu_start = time.perf_counter(), time.process_time()
    total, count = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
    scheduler.step()
    train_seconds += time.perf_counter() - start
    cpu_seconds += time.process_time() - cpu_start
    history["loss"].append(total / count)
    history["accuracy"].append(test_accuracy())
    bar.set_postfix(loss=f"{history['loss'][-1]:.4f}", acc=f"{history['accuracy'][-1]:.4f}")

# --- plot and report ----------------------------------------------------------------------------
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.5))
epochs = range(1, args.epochs + 1)
ax_loss.plot(epochs, history["loss"])
ax_loss.set(xlabel="epoch", ylabel="training loss", yscale="log", title="loss")
ax_acc.plot(epochs, history["accuracy"])
ax_acc.set(xlabel="epoch", ylabel="test accuracy", title="accuracy")
fig.suptitle(f"CNN on sklearn digits ({args.backend})")
fig.tight_layout()
plot_path = args.plot or f"cnn_digits_{args.backend}.png"
fig.savefig(plot_path, dpi=100)

print(f"plot saved to {plot_path}")
print(
    f"train time per epoch: {train_seconds / args.epochs:.4f} s "
    f"(CPU {cpu_seconds / args.epochs:.4f} s)"
)
print(f"test accuracy: {history['accuracy'][-1]:.4f}")
