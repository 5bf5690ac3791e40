"""Muon: momentum SGD whose update matrix is orthogonalised by a Newton–Schulz iteration.

PyTorch runs the iteration in bfloat16. numpy has no bfloat16, so the values are kept in
float32 and rounded to bfloat16's 8 significant bits (to nearest, ties to even) wherever
PyTorch stores a bfloat16 result: the cast, the normalisation and each matrix product (which
PyTorch accumulates in float32 and rounds once). The products match PyTorch's bit for bit on
small matrices; on long inner dimensions the float32 summation order can differ, and an entry
then lands one bfloat16 step away.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._namespace import public_dir
from .adam import _lerp
from .optimizer import Optimizer, _check, _state_tensor

__all__ = ["Muon"]
__dir__ = public_dir(__name__)

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(x: Any) -> np.ndarray:
    """x rounded to bfloat16 (8 significant bits, ties to even), held as float32; a float64
    goes through float32 first, as PyTorch's conversion does"""
    mantissa, exponent = np.frexp(np.asarray(x, dtype=np.float32).astype(np.float64))
    return np.ldexp(np.rint(mantissa * 256) / 256, exponent).astype(np.float32)


def _fma(x: np.ndarray, beta: float, y: np.ndarray) -> np.ndarray:
    """β x + y rounded once to float32: PyTorch's addmm on bfloat16 adds β·C to the float32
    α·(A @ B) with a fused multiply-add"""
    return (np.float64(np.float32(beta)) * x.astype(np.float64) + y).astype(np.float32)


def _zeropower_via_newtonschulz(
    grad: np.ndarray, ns_coefficients: tuple[float, float, float], ns_steps: int, eps: float
) -> np.ndarray:
    """X₀ = G/‖G‖; Xₖ₊₁ = a Xₖ + (b A + c A²) Xₖ with A = Xₖ Xₖᵀ (on the wide orientation)"""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    x = _bf16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = _bf16(np.sqrt(np.sum(x * x, dtype=np.float32)))
    x = _bf16(x / max(norm, _bf16(eps)))
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        gram_update = _bf16(_fma(gram, b, np.float32(c) * (gram @ gram)))
        x = _bf16(_fma(x, a, gram_update @ x))
    return x.T if tall else x


def _adjust_lr(lr: float, adjust_lr_fn: str | None, param_shape: tuple[int, ...]) -> float:
    rows, cols = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    """B ← lerp(B, g, 1 - μ); U = NS(lerp(g, B, μ)) (nesterov) or NS(B);
    θ ← (1 - lr λ) θ - AdjustLR(lr, shape) U; for 2-D parameters only"""

    def __init__(
        self,
        params: Any,
        lr: Any = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B, DEFAULT_C),
        eps: float = EPS,
        ns_steps: int = DEFAULT_NS_STEPS,
        adjust_lr_fn: str | None = None,
    ) -> None:
        if hasattr(lr, "numel") and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        _check(0.0 <= momentum, f"momentum should be >= 0 but is: {momentum}")
        _check(0.0 <= weight_decay, f"weight decay should be >= 0 but is: {weight_decay}")
        _check(
            adjust_lr_fn is None or adjust_lr_fn in ("original", "match_rms_adamw"),
            f"Adjust learning rate function {adjust_lr_fn} is not supported",
        )
        defaults = {
            "lr": lr,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "nesterov": nesterov,
            "ns_coefficients": ns_coefficients,
            "eps": eps,
            "ns_steps": ns_steps,
            "adjust_lr_fn": adjust_lr_fn,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                _check(
                    p.ndim == 2,
                    "Muon only supports 2D parameters whereas we found a parameter with size: "
                    f"{p.size()}",
                )

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"].item()) if hasattr(group["lr"], "item") else group["lr"]
            momentum, wd = group["momentum"], group["weight_decay"]
            for p, grad in self._params_with_grad(group):
                theta = p._data
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = _state_tensor(grad)
                if grad.ndim != 2:
                    raise ValueError("Param gradient must be a 2D matrix")
                buf = state["momentum_buffer"]._data
                _lerp(buf, grad, 1 - momentum)
                if group["nesterov"]:
                    update = grad.copy()
                    _lerp(update, buf, momentum)
                else:
                    update = buf
                ortho = _zeropower_via_newtonschulz(
                    update, group["ns_coefficients"], group["ns_steps"], group["eps"]
                )
                adjusted_lr = _adjust_lr(lr, group["adjust_lr_fn"], theta.shape)
                theta *= 1 - lr * wd
                theta += ortho.astype(theta.dtype) * -adjusted_lr
                self._written(p)
        return loss
