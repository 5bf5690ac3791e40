"""One SGD step of a 2-layer MLP, the same model in every library.

    h = relu(x @ W1 + b1);  z = h @ W2 + b2
    loss = mean over the batch of -Σ onehot · log_softmax(z)
    log_softmax(z) = s - log Σ exp(s),  s = z - rowmax(z)  (rowmax taken as a constant array)
    p -= lr · p.grad;  p.grad = None

Cross-entropy is built from elementwise ops and reductions (no fused loss) because ndgrad has no
nn module yet, and the same formula runs in every library so the op count is the same. The numpy
reference is the hand-written forward and backward of the same step (softmax - onehot), i.e. the
arithmetic with no graph at all. float32 throughout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from _common import Config, loop_time

LR = 0.01


def _data(
    n_in: int, n_hid: int, n_out: int, batch: int
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    f32 = np.float32
    params = [
        (rng.standard_normal((n_in, n_hid)) * np.sqrt(2.0 / n_in)).astype(f32),
        np.zeros(n_hid, f32),
        (rng.standard_normal((n_hid, n_out)) * np.sqrt(2.0 / n_hid)).astype(f32),
        np.zeros(n_out, f32),
    ]
    x = rng.standard_normal((batch, n_in)).astype(f32)
    onehot = np.eye(n_out, dtype=f32)[rng.integers(0, n_out, batch)]
    return params, x, onehot


def _numpy_step(p: list[np.ndarray], x: np.ndarray, onehot: np.ndarray) -> float:
    w1, b1, w2, b2 = p
    a1 = x @ w1 + b1
    h = np.maximum(a1, 0)
    z = h @ w2 + b2
    s = z - z.max(axis=1, keepdims=True)
    e = np.exp(s)
    se = e.sum(axis=1, keepdims=True)
    loss = -((s - np.log(se)) * onehot).sum(axis=1).mean()
    dz = (e / se - onehot) / x.shape[0]
    dw2 = h.T @ dz
    db2 = dz.sum(axis=0)
    dh = dz @ w2.T
    da1 = dh * (a1 > 0)
    dw1 = x.T @ da1
    db1 = da1.sum(axis=0)
    for param, grad in zip(p, (dw1, db1, dw2, db2), strict=True):
        param -= LR * grad
    return float(loss)


def make_step(lib: str, sizes: tuple[int, int, int], batch: int) -> Callable[[], Any]:
    p0, x0, oh0 = _data(*sizes, batch)
    if lib == "numpy":
        p = [a.copy() for a in p0]
        return lambda: _numpy_step(p, x0, oh0)

    if lib in ("ndgrad", "torch"):
        if lib == "ndgrad":
            import ndgrad as T
        else:
            import torch as T
        params = [T.tensor(a, requires_grad=True) for a in p0]
        x, onehot = T.tensor(x0), T.tensor(oh0)

        def step() -> float:
            w1, b1, w2, b2 = params
            z = T.relu(x @ w1 + b1) @ w2 + b2
            s = z - T.tensor(z.detach().numpy().max(axis=1, keepdims=True))
            logp = s - s.exp().sum(dim=1, keepdim=True).log()
            loss = -(logp * onehot).sum(dim=1).mean()
            loss.backward()
            with T.no_grad():
                for param in params:
                    param -= LR * param.grad
                    param.grad = None
            return loss.item()

        return step

    if lib == "autograd":
        import autograd
        import autograd.numpy as anp

        def loss_fn(params: list[Any]) -> Any:
            w1, b1, w2, b2 = params
            z = anp.maximum(x0 @ w1 + b1, 0.0) @ w2 + b2
            s = z - np.max(autograd.tracer.getval(z), axis=1, keepdims=True)
            logp = s - anp.log(anp.sum(anp.exp(s), axis=1, keepdims=True))
            return -anp.mean(anp.sum(logp * oh0, axis=1))

        value_and_grad = autograd.value_and_grad(loss_fn)
        ag_params = [a.copy() for a in p0]

        def step() -> float:
            loss, grads = value_and_grad(ag_params)
            for param, grad in zip(ag_params, grads, strict=True):
                param -= LR * grad
            return float(loss)

        return step

    if lib == "mygrad":
        import mygrad as mg

        mg_params = [mg.tensor(a) for a in p0]

        def step() -> float:
            w1, b1, w2, b2 = mg_params
            z = mg.nnet.relu(x0 @ w1 + b1) @ w2 + b2
            s = z - z.data.max(axis=1, keepdims=True)
            logp = s - mg.log(mg.exp(s).sum(axis=1, keepdims=True))
            loss = -(logp * oh0).sum(axis=1).mean()
            loss.backward()
            for param in mg_params:
                param.data -= LR * param.grad
                param.null_grad()
            return float(loss.item())

        return step

    raise ValueError(lib)


def run_mlp(lib: str, cfg: Config, sizes: tuple[int, int, int], batch: int) -> dict[str, Any]:
    step = make_step(lib, sizes, batch)
    seconds, calls = loop_time(step, cfg.repeats)
    return {"step_ms": seconds * 1e3, "loop_calls": str(calls)}
