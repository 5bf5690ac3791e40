"""Margin losses over classes and the CTC loss, exported through ``ndgrad.nn.functional``.

Each is one Function with PyTorch's node name (``MultilabelMarginLossBackward0``,
``MultiMarginLossBackward0``, ``CtcLossBackward0``); the reductions that PyTorch applies outside
its kernel (CTC's division by the target lengths and mean, ``zero_infinity``'s where) are ndgrad
ops here too, so the graph reads as PyTorch's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _errors
from .._tensor import Tensor
from ..autograd.grad_mode import is_grad_enabled
from ..ops.arithmetic import NumpyFunction, where
from ._linear import _dtype_letter
from ._reduction import _check_reduction, _legacy_reduction

__all__ = ["ctc_loss", "multi_margin_loss", "multilabel_margin_loss"]


def _const(array: Any) -> Tensor:
    return Tensor._make(np.asarray(array))


def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    return _check_reduction(_legacy_reduction(size_average, reduce, reduction))


def _check_long(t: Tensor) -> None:
    if t._data.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_dtype_letter(t)}")


def _as_matrix(input: Tensor, target_ndim_ok: bool) -> None:
    if input.ndim > 2 or (input.ndim == 2 and input.shape[1] == 0) or not target_ndim_ok:
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(input.shape)}"
        )


def _reduce_rows(loss: np.ndarray, reduction: str, dtype: np.dtype) -> tuple[np.ndarray, Any]:
    """The per-sample losses reduced, and the factor each sample's gradient gets (None: per row)."""
    if reduction == "none":
        return loss.astype(dtype, copy=False), None
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=dtype), 1.0
    with np.errstate(invalid="ignore", divide="ignore"):  # no samples: nan, as PyTorch
        return np.asarray(
            loss.sum() / loss.size, dtype=dtype
        ), 1.0 / loss.size if loss.size else np.nan


def _row_grad(ctx: Any, grad: Tensor) -> Tensor:
    """The incoming gradient per sample, as a column to scale a row's class gradients."""
    if ctx.factor is None:
        return grad.reshape(-1, 1)
    return grad * ctx.factor


class MultilabelMarginLoss(NumpyFunction):
    """ℓₙ = Σ_{j ∈ Tₙ} Σ_{i ∉ Tₙ} max(0, 1 - x[yⱼ] + x[i]) / C, Tₙ the targets before the first -1;
    dℓ/dx[i] = (active pairs with i)/C, dℓ/dx[yⱼ] = -(active pairs with yⱼ)/C: piecewise constant"""

    forward_ad_refusal = _errors.no_forward_ad_yet("multilabel_margin_loss_forward")

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, reduction: str) -> np.ndarray:
        shape = x.shape
        x2, y2 = (
            x.reshape(-1, shape[-1] if x.ndim else 1),
            y.reshape(-1, shape[-1] if x.ndim else 1),
        )
        n, c = x2.shape
        valid = np.cumprod(y2 != -1, axis=1).astype(bool)  # the targets before the first -1
        if np.any(valid & ((y2 < 0) | (y2 >= c))):
            raise RuntimeError("argument #2 'target' is out of range")
        safe = np.where(valid, y2, 0)
        rows = np.arange(n)[:, None].repeat(c, 1)
        is_target = np.zeros((n, c), dtype=bool)
        np.logical_or.at(is_target, (rows, safe), valid)
        xy = np.take_along_axis(x2, safe, axis=1)  # (n, k): x at the k-th target
        z = 1 - xy[:, :, None] + x2[:, None, :]  # (n, k, i)
        active = valid[:, :, None] & ~is_target[:, None, :] & (z > 0)
        loss = np.where(active, z, 0).sum(axis=(1, 2)) / c
        coef = np.zeros((n, c), dtype=np.float64)
        coef += active.sum(axis=1)  # +1 per active pair at i
        np.add.at(coef, (rows, safe), -active.sum(axis=2))
        ctx.coef, ctx.shape = (coef / c).astype(x.dtype), shape
        out, ctx.factor = _reduce_rows(loss, reduction, x.dtype)
        return out.reshape(-1 if x.ndim == 2 else ()) if reduction == "none" else out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        return (_row_grad(ctx, grad) * _const(ctx.coef)).reshape(ctx.shape), None, None


def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = Σ_{j ∈ targets} Σ_{i ∉ targets} max(0, 1 - (x[yⱼ] - x[i])) / C"""
    reduction = _reduction(size_average, reduce, reduction)
    _check_long(target)
    _as_matrix(input, True)
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}"
        )
    return MultilabelMarginLoss.apply(input, target._data, reduction)


class MultiMarginLoss(NumpyFunction):
    """ℓₙ = Σ_{i ≠ yₙ} w[yₙ] max(0, margin - x[yₙ] + x[i])ᵖ / C;
    dℓ/dx[i] = w p zᵖ⁻¹ / C where z = margin - x[yₙ] + x[i] > 0, dℓ/dx[yₙ] = -Σ_i of those"""

    forward_ad_refusal = _errors.no_forward_ad_yet("multi_margin_loss")

    @staticmethod
    def forward(
        ctx: Any,
        x: np.ndarray,
        y: np.ndarray,
        p: int,
        margin: float,
        w: np.ndarray | None,
        reduction: str,
    ) -> np.ndarray:
        x2 = x.reshape(-1, x.shape[-1] if x.ndim else 1)
        n, c = x2.shape
        y2 = y.reshape(n)
        if np.any((y2 < 0) | (y2 >= c)):
            raise RuntimeError("target out of range")
        rows = np.arange(n)
        z = margin - x2[rows, y2][:, None] + x2
        active = z > 0
        active[rows, y2] = False
        scale = (np.ones(n) if w is None else w[y2].astype(np.float64)) / c
        zp = z if p == 1 else z * z
        loss = (np.where(active, zp, 0) * scale[:, None]).sum(axis=1)
        ctx.save_for_backward(x)
        ctx.y, ctx.p, ctx.margin, ctx.shape = y2, p, margin, x.shape
        ctx.coef = (np.where(active, p, 0) * scale[:, None]).astype(x.dtype)
        out, ctx.factor = _reduce_rows(loss, reduction, x.dtype)
        return out.reshape(y.shape) if reduction == "none" else out  # shaped as the target

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (x,) = ctx.saved_tensors
        n, c = ctx.coef.shape
        x2 = x.reshape(n, c)
        g = _const(ctx.coef)
        if ctx.p == 2:  # p zᵖ⁻¹ = 2 z, written with ndgrad ops so it is differentiable again
            xy = x2.gather(1, _const(ctx.y.reshape(n, 1)))
            g = g * (ctx.margin - xy + x2)
        onehot = np.zeros((n, c), dtype=ctx.coef.dtype)
        onehot[np.arange(n), ctx.y] = 1
        g = g - _const(onehot) * g.sum(1, keepdim=True)
        return (_row_grad(ctx, grad) * g).reshape(ctx.shape), None, None, None, None, None


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = Σ_{i ≠ y} weight[y] max(0, margin - x[y] + x[i])ᵖ / C"""
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _check_long(target)
    _as_matrix(input, True)
    n = input.shape[0] if input.ndim == 2 else 1
    c = input.shape[-1] if input.ndim else 1
    if target.numel() != n or (target.ndim > 1) or (input.ndim == 2 and target.ndim != 1):
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}."
        )
    w = None
    if weight is not None:
        if weight.requires_grad and is_grad_enabled():
            raise RuntimeError(
                "The function 'multi_margin_loss' is not differentiable with respect to argument "
                "'weight'. This input cannot have requires_grad True."
            )
        if weight.numel() != c:
            raise RuntimeError(
                f"inconsistent weight size, expected {c} but got {list(weight.shape)}"
            )
        w = weight._data
    return MultiMarginLoss.apply(input, target._data, int(p), float(margin), w, reduction)


# --- CTC ---------------------------------------------------------------------------------------
def _logsumexp(*terms: np.ndarray) -> np.ndarray:
    m = np.maximum.reduce(terms)
    safe = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        return np.log(sum(np.exp(t - safe) for t in terms)) + safe


def _shift(a: np.ndarray, k: int, fill: float = -np.inf) -> np.ndarray:
    """a moved k places along the last axis (right for k > 0), the gap filled"""
    out = np.full_like(a, fill)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class CtcLoss(NumpyFunction):
    """ℓₙ = -log Σ over the alignments of the target (blanks between and around, repeats
    merged) of Π_t p_t, by the forward (α) and backward (β) recursions in log space.
    The gradient is PyTorch's: ∂ℓ/∂lp[t, c] = exp(lp) - exp(log Σ_{s: l'ₛ = c} αₜ(s) βₜ(s) + ℓ - lp)
    (the exact gradient plus exp(lp), which log_softmax's backward removes), 0 for t ≥ Tₙ."""

    forward_ad_refusal = _errors.no_forward_ad_yet("_ctc_loss")

    @staticmethod
    def forward(
        ctx: Any,
        lp: np.ndarray,
        labels: np.ndarray,
        il: np.ndarray,
        tl: np.ndarray,
        blank: int,
        zero_infinity: bool,
    ) -> np.ndarray:
        t_max, n, c = lp.shape
        lpd = lp.astype(np.float64)
        s_len = labels.shape[1] * 2 + 1
        ext = np.full((n, s_len), blank, dtype=np.int64)  # l': blank, y₁, blank, y₂, ... blank
        ext[:, 1::2] = labels
        ends = 2 * tl + 1  # the used length of l' per sample
        s_idx = np.arange(s_len)
        in_use = s_idx[None, :] < ends[:, None]
        skip = np.zeros((n, s_len), dtype=bool)  # the move s-2 → s is allowed
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        rows = np.arange(n)[:, None]
        emit = lpd[:, rows, ext]  # (T, n, S): lp at each l' symbol
        alpha = np.full((t_max, n, s_len), -np.inf)
        alpha[0, :, 0] = emit[0, :, 0]
        if s_len > 1:  # (every target empty: l' is one blank)
            alpha[0, :, 1] = np.where(tl > 0, emit[0, :, 1], -np.inf)
        for t in range(1, t_max):
            a = alpha[t - 1]
            a2 = np.where(skip, _shift(a, 2), -np.inf)
            alpha[t] = np.where(in_use, _logsumexp(a, _shift(a, 1), a2) + emit[t], -np.inf)
        last = np.maximum(il - 1, 0)
        a_last = alpha[last, np.arange(n)]
        end1 = np.take_along_axis(a_last, (ends - 1)[:, None], 1)[:, 0]
        end2 = np.where(
            tl > 0, np.take_along_axis(a_last, np.maximum(ends - 2, 0)[:, None], 1)[:, 0], -np.inf
        )
        nll = -_logsumexp(end1, end2)
        # no frames: only the empty target has an alignment (probability 1, PyTorch's -0.)
        nll = np.where(il == 0, np.where(tl == 0, -0.0, np.inf), nll)
        if not ctx.needs_input_grad[0]:
            return nll.astype(lp.dtype)
        beta = np.full((t_max, n, s_len), -np.inf)
        skip_next = _shift(skip, -2, fill=False)  # the move s → s+2 is allowed
        s_row, end_col = s_idx[None, :], ends[:, None]
        is_end = (s_row == end_col - 1) | ((s_row == end_col - 2) & (tl[:, None] > 0))
        for t in range(min(t_max, int(il.max(initial=0))) - 1, -1, -1):
            rec = np.full((n, s_len), -np.inf)
            if t + 1 < t_max:
                b = beta[t + 1]
                b2 = np.where(skip_next, _shift(b, -2), -np.inf)
                rec = np.where(in_use, _logsumexp(b, _shift(b, -1), b2) + emit[t], -np.inf)
            init = np.where(is_end, emit[t], -np.inf)
            beta[t] = np.where(
                (il == t + 1)[:, None], init, np.where((il > t + 1)[:, None], rec, -np.inf)
            )
        ab = alpha + beta  # log αₜ(s) βₜ(s) (both include lp at t)
        m = ab.max(axis=2, keepdims=True)
        msafe = np.where(np.isfinite(m), m, 0)
        acc = np.zeros((t_max, n, c))
        tt = np.arange(t_max)[:, None, None]
        np.add.at(acc, (tt, rows[None], np.broadcast_to(ext, ab.shape)), np.exp(ab - msafe))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            lcab = np.log(acc) + msafe
            g = np.exp(lpd) - np.exp(lcab + nll[None, :, None] - lpd)
        g = np.where((np.arange(t_max)[:, None] < il[None, :])[:, :, None], g, 0.0)
        if zero_infinity:
            g = np.where(np.isinf(nll)[None, :, None], 0.0, g)
        ctx.g = g.astype(lp.dtype)
        ctx.save_for_backward(lp)
        return nll.astype(lp.dtype)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        (lp,) = ctx.saved_tensors
        g = CtcLossGrad.apply(grad.reshape(1, -1, 1), lp, ctx.g)
        return g, None, None, None, None, None


class CtcLossGrad(NumpyFunction):
    """grad · the CTC gradient (a function of log_probs); PyTorch has no derivative for it"""

    @staticmethod
    def forward(ctx: Any, grad: np.ndarray, lp: np.ndarray, g: np.ndarray) -> np.ndarray:
        return grad * g

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


_WHILE = " (while checking arguments for ctc_loss_allocate_outputs)"


def _lengths(v: Any) -> np.ndarray:
    data = v._data if isinstance(v, Tensor) else v
    return np.asarray(data, dtype=np.int64).reshape(-1)


def _ctc_mixed_lengths(input_lengths: Any, target_lengths: Any) -> str:
    """PyTorch's TypeError for one length given as a tensor and the other as a sequence"""

    def detail(v: Any) -> str:
        if isinstance(v, (list, tuple)):
            inner = ", ".join(type(e).__name__ for e in v)
            if isinstance(v, list):
                return f"list of [{inner}]"
            return f"tuple of ({inner}{',' if len(v) == 1 else ''})"
        return type(v).__name__

    lengths = (input_lengths, target_lengths)
    got = ", ".join("Tensor" if isinstance(v, Tensor) else type(v).__name__ for v in lengths)
    ints = ", ".join(f"!{'Tensor' if isinstance(v, Tensor) else detail(v)}!" for v in lengths)
    tensors = ", ".join("Tensor" if isinstance(v, Tensor) else f"!{detail(v)}!" for v in lengths)
    why = "      didn't match because some of the arguments have invalid types: (Tensor, Tensor, "
    sig = "int blank = 0, int reduction = at::Reduction::Mean, bool zero_infinity = False)"
    return (
        f"ctc_loss() received an invalid combination of arguments - got (Tensor, Tensor, {got}, "
        "int, int, bool), but expected one of:\n"
        " * (Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints "
        f"target_lengths, {sig}\n{why}{ints}, !int!, !int!, !bool!)\n"
        " * (Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, "
        f"{sig}\n{why}{tensors}, !int!, !int!, !bool!)\n"
    )


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Tensor | Sequence[int],
    target_lengths: Tensor | Sequence[int],
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """ℓ = -log p(target | log_probs), summed over alignments (Connectionist Temporal
    Classification); log_probs (T, N, C) or (T, C), targets padded (N, S) or concatenated"""
    reduction = _reduction(None, None, reduction)
    if isinstance(input_lengths, Tensor) != isinstance(target_lengths, Tensor):
        raise TypeError(_ctc_mixed_lengths(input_lengths, target_lengths))
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.unsqueeze(0) if targets.ndim == 1 else targets
    il, tl = _lengths(input_lengths), _lengths(target_lengths)
    if log_probs.ndim != 3:
        raise RuntimeError(
            f"Expected 3-dimensional tensor, but got {log_probs.ndim}-dimensional tensor for "
            f"argument #1 'log_probs'{_WHILE}"
        )
    t_max, n, c = log_probs.shape
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    if il.size != n:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl.size != n:
        raise RuntimeError("target_lengths must be of size batch_size")
    tg = np.asarray(targets._data).astype(np.int64)
    s_max = int(tl.max()) if n else 0
    labels = np.zeros((n, s_max), dtype=np.int64)
    if tg.ndim == 1:
        if tg.shape[0] != int(tl.sum()):
            raise RuntimeError(
                f"Expected tensor to have size {int(tl.sum())} at dimension 0, but got size "
                f"{tg.shape[0]} for argument #2 'targets'{_WHILE}"
            )
        starts = np.concatenate([[0], np.cumsum(tl)[:-1]])
        for i in range(n):
            labels[i, : tl[i]] = tg[starts[i] : starts[i] + tl[i]]
    elif tg.ndim == 2:
        if tg.shape[0] != n:
            raise RuntimeError(
                f"Expected tensor to have size {n} at dimension 0, but got size {tg.shape[0]} "
                f"for argument #2 'targets'{_WHILE}"
            )
        if tg.shape[1] < s_max:
            raise RuntimeError(
                f"Expected tensor to have size at least {s_max} at dimension 1, but got size "
                f"{tg.shape[1]} for argument #2 'targets'{_WHILE}"
            )
        labels = np.where(np.arange(s_max)[None, :] < tl[:, None], tg[:, :s_max], 0)
    else:
        raise RuntimeError(
            f"Expected 1 to 2 dimensions, but got {tg.ndim}-dimensional tensor for argument #2 "
            f"'targets'{_WHILE}"
        )
    for v in il:
        if v > t_max:
            raise RuntimeError(
                f"Expected input_lengths to have value at most {t_max}, but got value {v}{_WHILE}"
            )
    res = CtcLoss.apply(log_probs, labels, il, tl, int(blank), bool(zero_infinity))
    if zero_infinity:
        res = where(res == float("inf"), _const(np.zeros((), dtype=res._data.dtype)), res)
    if reduction == "mean":
        return (res / _const(np.maximum(tl, 1).astype(res._data.dtype))).mean()
    if reduction == "sum":
        return res.sum()
    return res.squeeze(0) if unbatched else res
