"""Bags of embeddings: sums, means or maxima of embedding rows per bag, without building the
(N, D) matrix of looked-up rows first, as ``torch.nn.functional.embedding_bag``.

One Function, recording PyTorch's ``EmbeddingBagBackward0``; its backward scatters with
``index_add`` (an ndgrad op), so the gradient is differentiable again.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _errors
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..ops.arithmetic import NumpyFunction

__all__ = ["embedding_bag", "embedding_renorm_", "torch_embedding_bag"]

_MODES = {"sum": 0, "mean": 1, "max": 2}


def _const(a: np.ndarray) -> Tensor:
    return Tensor._make(a)


class _Bags:
    """Which bag each index falls in, which indices count (not padding_idx), bag sizes."""

    def __init__(self, idx: np.ndarray, starts: np.ndarray, count: int, padding_idx: int | None):
        self.idx, self.count = idx, count
        self.bag = np.repeat(np.arange(count), np.diff(np.append(starts, idx.size)))
        self.valid = np.ones(idx.size, dtype=bool) if padding_idx is None else idx != padding_idx
        self.size = np.bincount(self.bag[self.valid], minlength=count)
        self.arg: np.ndarray = np.zeros(
            (0,), dtype=np.int64
        )  # mode max: the row each maximum came from


class EmbeddingBag(NumpyFunction):
    """y[b] = Σ (or mean, or max) over the indices i of bag b of s_i W[idx_i] (s = per-sample
    weights, for sum); dW[idx_i] += s_i g[b] (÷ bag size for mean; max: to the arg-max row),
    ds_i = ⟨g[b], W[idx_i]⟩"""

    forward_ad_refusal = _errors.no_forward_ad_yet("_embedding_bag")

    node_name = "EmbeddingBagBackward0"

    @staticmethod
    def forward(
        ctx: Any, w: np.ndarray, psw: np.ndarray | None, bags: _Bags, mode: int
    ) -> np.ndarray:
        ctx.save_for_backward(w if ctx.needs_input_grad[1] else None, psw)
        ctx.bags, ctx.mode, ctx.weight_shape = bags, mode, w.shape
        d = w.shape[1]
        out = np.zeros((bags.count, d), dtype=w.dtype)
        v = bags.valid
        rows = w[bags.idx[v]]
        if mode == 2:
            arg = np.full((bags.count, d), -1, dtype=np.int64)
            pos = np.nonzero(v)[0]
            for b in np.unique(bags.bag[v]):  # one step per bag, not per element
                sel = pos[bags.bag[pos] == b]
                r = w[bags.idx[sel]]
                best = r.argmax(axis=0)
                out[b] = r[best, np.arange(d)]
                arg[b] = bags.idx[sel][best]
            bags.arg = arg
            return out
        if psw is not None:
            rows = rows * psw[v][:, None]
        np.add.at(out, bags.bag[v], rows)
        if mode == 1:
            out /= np.maximum(bags.size, 1)[:, None].astype(w.dtype)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        w, psw = ctx.saved_tensors
        bags, mode = ctx.bags, ctx.mode
        need_w, need_psw = ctx.needs_input_grad[:2]
        dt = grad._data.dtype
        shape = ctx.weight_shape
        gw = gpsw = None
        if need_w:
            zeros = _const(np.zeros(shape, dtype=dt))
            if mode == 2:
                arg = bags.arg.reshape(-1)
                keep = arg >= 0  # empty bags send nothing back
                cols = np.tile(np.arange(shape[1]), bags.count)
                flat = _const((arg * shape[1] + cols)[keep])
                src = grad.reshape(-1).index_select(0, _const(np.nonzero(keep)[0]))
                gw = zeros.reshape(-1).index_add(0, flat, src).reshape(shape)
            else:
                v = bags.valid
                rows = grad.index_select(0, _const(bags.bag[v]))
                if mode == 1:
                    scale = 1.0 / np.maximum(bags.size, 1)[bags.bag[v]]
                    rows = rows * _const(scale.astype(dt)[:, None])
                if psw is not None:
                    rows = rows * psw.index_select(0, _const(np.nonzero(v)[0])).unsqueeze(1)
                gw = zeros.index_add(0, _const(bags.idx[v]), rows)
        if need_psw:
            v = np.nonzero(bags.valid)[0]
            dots = (
                grad.index_select(0, _const(bags.bag[v])) * w.index_select(0, _const(bags.idx[v]))
            ).sum(1)
            gpsw = _const(np.zeros(bags.idx.size, dtype=dt)).index_add(0, _const(v), dots)
        return gw, gpsw, None, None


def embedding_renorm_(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> Tensor:
    """Rescale, in place and outside autograd, each row of ``weight`` named in ``input`` whose
    ``norm_type``-norm exceeds ``max_norm`` to norm ``max_norm`` (scale max_norm/(norm + 1e-7))."""
    with no_grad():
        w = weight._data
        rows = np.unique(input._data.reshape(-1))
        norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
        big = norms > max_norm
        # PyTorch takes the row norm as a double and works out the scale in double
        scale = (max_norm / (norms[big].astype(np.float64) + 1e-7)).astype(w.dtype)
        w[rows[big]] *= scale[:, None]
        weight._bump_version()
    return weight


def _check_indices(t: Tensor, arg: str) -> None:
    if t._data.dtype.kind not in "iu":
        raise RuntimeError(
            f"Expected tensor for argument #1 '{arg}' to have one of the following scalar types: "
            f"Long, Int; but got {t.type()} instead (while checking arguments for embedding_bag)"
        )


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """The sum, mean or max of the embedding rows of each bag: the rows of a 2-d ``input``, or
    the runs of a 1-d ``input`` that start at ``offsets``"""
    if scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "embedding_bag: scale_grad_by_freq and sparse are not supported by ndgrad"
        )
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then "
            f"it must have the same shape as the input ({input.shape})"
        )
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
                "of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}".replace("ndgrad._tensor.Tensor", "torch.Tensor")
            )
        b, n = input.shape
        starts = np.arange(0, b * n, n, dtype=np.int64) if n else np.zeros(b, dtype=np.int64)
        idx_t = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        idx_t = input
        starts = offsets._data.astype(np.int64)
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}"
        )
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    num = weight.shape[0]
    if padding_idx is not None and not -num <= padding_idx < num:
        raise RuntimeError(
            f"padding_idx must be within the number of embeddings, -{num} through {num - 1}, "
            f"but got {padding_idx}"
        )
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    return torch_embedding_bag(
        weight, idx_t, _offsets_tensor(starts), scale_grad_by_freq, _MODES[mode], sparse,
        per_sample_weights, include_last_offset, -1 if padding_idx is None else padding_idx % num,
    )[0]  # fmt: skip


def _offsets_tensor(starts: np.ndarray) -> Tensor:
    return Tensor._make(starts)


def torch_embedding_bag(
    weight: Tensor,
    indices: Tensor,
    offsets: Tensor,
    scale_grad_by_freq: bool = False,
    mode: int = 0,
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """``torch.embedding_bag``: (output, bag of each index, bag sizes, arg-max rows for
    mode 2 — else the bag sizes again)."""
    _check_indices(indices, "indices")
    _check_indices(offsets, "offsets")
    num = weight.shape[0]
    if padding_idx is None:
        padding_idx = -1
    if padding_idx != -1 and not -num <= padding_idx < num:
        raise RuntimeError(
            f"padding_idx must be within the number of embeddings, -{num} through {num - 1}, "
            f"but got {padding_idx}"
        )
    pad = None if padding_idx == -1 else padding_idx % num
    idx = indices._data.astype(np.int64).reshape(-1)
    starts = offsets._data.astype(np.int64).reshape(-1)
    if include_last_offset:
        starts = starts[:-1]
    if starts.size and starts[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {starts[0]}"
        )
    if starts.size and starts[-1] > idx.size:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {idx.size} but got offsets[-1] "
            f"of {starts[-1]}"
        )
    if np.any(np.diff(starts) < 0):
        raise RuntimeError("offsets must be non-decreasing")
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    bags = _Bags(idx, starts, starts.size, pad)
    y = EmbeddingBag.apply(weight, per_sample_weights, bags, mode)
    bag_size = Tensor._make(bags.size.astype(np.int64))
    max_indices = Tensor._make(np.maximum(bags.arg, 0)) if mode == 2 else bag_size
    return y, Tensor._make(bags.bag.astype(np.int64)), bag_size, max_indices
