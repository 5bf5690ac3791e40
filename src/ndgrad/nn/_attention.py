"""Attention as functions: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``.

Exported through ``ndgrad.nn.functional``. Masks follow PyTorch's two conventions: in
``scaled_dot_product_attention`` a boolean ``attn_mask`` is True where a query may attend; in
multi-head attention (``attn_mask``, ``key_padding_mask``) True marks a position to leave out.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .._creation import zeros
from .._errors import c_type_name
from .._tensor import Tensor, default_float
from ..backends.cuda import sdp_enabled
from ..dtypes import dtype_name
from ..ops.arithmetic import NumpyFunction, mul_scalar
from ..ops.shape import cat
from ._activations import softmax
from ._dropout import check_p_torch, dropout
from ._linear import linear

__all__ = ["multi_head_attention_forward", "scaled_dot_product_attention"]


def _const(array: Any) -> Tensor:
    return Tensor._make(np.asarray(array))


class ScaledDotProductAttention(NumpyFunction):
    """y = softmax(s q kᵀ + bias) v over the keys; a query whose every key is masked gets 0.
    With p the softmax: dv = pᵀ g, dp = g vᵀ, ds = p (dp - Σ dp p), dq = s ds k, dk = s dsᵀ q.
    p is recomputed in backward from q and k (as flash attention does), so that backward is
    differentiable again."""

    node_name = "ScaledDotProductFlashAttentionForCpuBackward0"

    @staticmethod
    def forward(
        ctx: Any, q: np.ndarray, k: np.ndarray, v: np.ndarray, bias: Any, scale: float
    ) -> np.ndarray:
        s = np.matmul(q, np.swapaxes(k, -1, -2)) * scale
        if bias is not None:
            s = s + bias
        top = s.max(axis=-1, keepdims=True)
        dead = np.isneginf(top)  # rows where every key is masked
        e = np.exp(s - np.where(dead, 0.0, top))
        total = e.sum(axis=-1, keepdims=True)
        p = e / np.where(total == 0, 1.0, total)
        ctx.save_for_backward(q, k, v)
        ctx.scale, ctx.live = scale, None
        if bias is not None and dead.any():
            bias = np.where(dead, 0.0, bias)
            ctx.live = (~dead).astype(q.dtype)
        ctx.bias = bias
        return np.matmul(p, v).astype(q.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Any, ...]:
        q, k, v = ctx.saved_tensors
        need_q, need_k, need_v = ctx.needs_input_grad[:3]
        s = (q @ k.mT) * ctx.scale
        if ctx.bias is not None:
            s = s + _const(ctx.bias.astype(s._data.dtype, copy=False))
        p = softmax(s, -1)
        if ctx.live is not None:
            p = p * _const(ctx.live)
        gv = p.mT @ grad if need_v else None
        gq = gk = None
        if need_q or need_k:
            dp = grad @ v.mT
            ds = p * (dp - (dp * p).sum(-1, keepdim=True))
            gq = (ds @ k) * ctx.scale if need_q else None
            gk = (ds.mT @ q) * ctx.scale if need_k else None
        return gq, gk, gv, None, None


# PyTorch's CPU build takes its flash kernel where it can (see _flash_refusal), and otherwise its
# math path, whose last node is the (un)batched matmul's.
class ScaledDotProductAttentionMm(ScaledDotProductAttention):
    node_name = "MmBackward0"


class ScaledDotProductAttentionBmm(ScaledDotProductAttention):
    node_name = "UnsafeViewBackward0"


def _flash_refusal(
    q: Tensor, k: Tensor, v: Tensor, dropout_p: float, enable_gqa: bool
) -> str | None:
    """Why PyTorch's CPU flash kernel does not take these inputs (its first failed check, in its
    words), or None when it does. Its other inputs go to the math path."""
    if dropout_p > 0.0:
        return "Both fused kernels do not support non-zero dropout."
    if not q.ndim == k.ndim == v.ndim == 4:
        return (
            "All fused kernels requires query, key and value to be 4 dimensional, but got Query "
            f"dim: {q.ndim}, Key dim: {k.ndim}, Value dim: {v.ndim} instead."
        )
    qs, ks, vs = list(q.shape), list(k.shape), list(v.shape)
    if not qs[0] == ks[0] == vs[0]:
        return (
            "For dense inputs, both fused kernels require query, key and value to have the same "
            f"batch_size. Query.sizes(): {qs}, Key.sizes(): {ks}, Value.sizes(): {vs} instead. "
            "To broadcast dense inputs, try using unsqueeze and expand_to before passing them "
            "into the kernel."
        )
    if not enable_gqa and not qs[1] == ks[1] == vs[1]:
        return (
            "For dense input, both fused kernels require query, key and value to have the same "
            f"num_heads. Query.sizes(): {qs}, Key sizes(): {ks}, Value sizes(): {vs} instead. To "
            "broadcast dense inputs, try using unsqueeze and expand_to before passing them into "
            "the kernel."
        )
    if not qs[-1] == ks[-1] == vs[-1]:
        return (
            "Flash attention requires q,k,v to have the same last dimension. Got Query.size(-1): "
            f"{qs[-1]}, Key.size(-1): {ks[-1]}, Value.size(-1): {vs[-1]} instead."
        )
    strides = [t.stride(-1) if t.shape[-1] > 1 else 1 for t in (q, k, v)]
    if strides != [1, 1, 1]:
        return (
            "All fused kernels require the last dimension of the input to have stride 1. Got "
            f"Query.stride(-1): {q.stride(-1)}, Key.stride(-1): {k.stride(-1)}, "
            f"Value.stride(-1): {v.stride(-1)}"
        )
    return None


def _sdpa_kernel(q: Tensor, k: Tensor, v: Tensor, dropout_p: float, enable_gqa: bool) -> str:
    """ "flash" or "math": the kernel PyTorch's CPU build runs, by the switches of
    ndgrad.nn.attention.sdpa_kernel (flash first, where it takes the inputs); PyTorch's errors
    when no allowed kernel takes them, after its warnings saying why."""
    switches = sdp_enabled
    if not switches["flash"] and not switches["math"]:
        raise RuntimeError(
            "No viable backend for scaled_dot_product_attention was found. This is likely due "
            "to turning off both the math kernel and the fused kernels."
        )
    refusal = _flash_refusal(q, k, v, dropout_p, enable_gqa)
    if refusal is None and switches["flash"]:
        return "flash"
    if switches["math"]:
        return "math"
    assert refusal is not None
    warnings.warn("Flash attention kernel not used because:", UserWarning, stacklevel=3)
    warnings.warn(refusal, UserWarning, stacklevel=3)
    raise RuntimeError("No available kernel.  Aborting execution.")


def _sdpa_fn(q: Tensor, kernel: str) -> type[ScaledDotProductAttention]:
    """The node class of a call without dropout: the flash kernel's node, or the math path's
    last one (the (un)batched matmul's)."""
    if kernel == "flash":
        return ScaledDotProductAttention
    return ScaledDotProductAttentionMm if q.ndim == 2 else ScaledDotProductAttentionBmm


def _check_sdpa_inputs(q: Tensor, k: Tensor, v: Tensor, attn_mask: Tensor | None) -> None:
    """PyTorch's checks of the arguments, in its order, before anything else runs."""
    qd, kd, vd = q._data.dtype, k._data.dtype, v._data.dtype
    if not qd == kd == vd:
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{c_type_name(qd)} key.dtype: {c_type_name(kd)} and value.dtype: "
            f"{c_type_name(vd)} instead."
        )
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got "
            f"query.dim: {q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} instead."
        )
    if attn_mask is not None:
        md = attn_mask._data.dtype
        if md != np.bool_ and md != qd:
            raise RuntimeError(
                "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                f"attn_mask.dtype: {c_type_name(md)} and  query.dtype: {c_type_name(qd)} "
                "instead."
            )


def _empty_attention(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
    """PyTorch's result when there is nothing to attend with or to: zeros of the output's shape,
    joined to the graph as 0 * (Σq + Σk + Σv) (so the inputs get zero gradients; an infinite
    input makes the output NaN, as in PyTorch)."""
    out = zeros((*q.shape[:-1], v.shape[-1]), dtype=q.dtype)
    return out + mul_scalar(q.sum() + k.sum() + v.sum(), 0)


def _sdpa_bias(
    l_len: int, s_len: int, attn_mask: Tensor | None, is_causal: bool, dtype: np.dtype
) -> np.ndarray | None:
    """The additive bias (0 or -inf where masked, or the float mask) of an attention call."""
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(
                "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                "is_causal=True"
            )
        keep = np.tril(np.ones((l_len, s_len), dtype=bool))
        return np.where(keep, 0.0, -np.inf).astype(dtype)
    if attn_mask is None:
        return None
    m = attn_mask._data
    if m.dtype == np.bool_:
        return np.where(m, 0.0, -np.inf).astype(dtype)
    return m.astype(dtype, copy=False)


def _repeat_heads(t: Tensor, heads: int) -> Tensor:
    """(..., Hk, S, E) -> (..., heads, S, E), each key head serving heads // Hk query heads."""
    hk = t.shape[-3]
    rep = heads // hk
    lead = tuple(t.shape[:-3])
    wide = t.unsqueeze(-3).expand((*lead, hk, rep, t.shape[-2], t.shape[-1]))
    return wide.reshape((*lead, heads, t.shape[-2], t.shape[-1]))


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(query keyᵀ · scale + mask) value, scale = 1/√E by default.

    A boolean ``attn_mask`` is True where attention is allowed; a float mask is added to the
    scores. ``is_causal`` masks keys after each query (top-left aligned).

    >>> import ndgrad as torch
    >>> q = torch.ones(1, 2, 4)
    >>> torch.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True).shape
    torch.Size([1, 2, 4])
    """
    _check_sdpa_inputs(query, key, value, attn_mask)
    l_len, s_len = query.shape[-2], key.shape[-2]
    if l_len == 0 or value.numel() == 0:
        return _empty_attention(query, key, value)
    if query._data.dtype.kind != "f":  # what PyTorch's kernels say of integer inputs
        if query.ndim == 2:
            raise RuntimeError(
                "expected m1 and m2 to have the same dtype, but got: "
                f"{c_type_name(default_float())} != {c_type_name(query._data.dtype)}"
            )
        raise RuntimeError(
            f"expected scalar type {dtype_name(default_float())} but found "
            f"{dtype_name(query._data.dtype)}"
        )
    kernel = _sdpa_kernel(query, key, value, dropout_p, enable_gqa)
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        if query.shape[-3] % key.shape[-3] or query.shape[-3] % value.shape[-3]:
            # (PyTorch's message ends there)
            raise RuntimeError(
                "Number of heads in key and value must divide the number of heads in "
            )
        key, value = _repeat_heads(key, query.shape[-3]), _repeat_heads(value, query.shape[-3])
    e = query.shape[-1]
    # 1/√E; for E = 0 the scores are 0 (PyTorch scales q and k by √scale before their empty
    # product), which any finite scale gives here
    sc = (1.0 / math.sqrt(e) if e else 1.0) if scale is None else float(scale)
    bias = _sdpa_bias(l_len, s_len, attn_mask, is_causal, query._data.dtype)
    if dropout_p <= 0.0:  # (a negative p is no dropout, as in PyTorch)
        return _sdpa_fn(query, kernel).apply(query, key, value, bias, sc)
    check_p_torch(dropout_p)
    scores = (query @ key.mT) * sc
    if bias is not None:
        scores = scores + _const(bias)
    dead = np.isneginf(scores._data.max(axis=-1, keepdims=True))
    if dead.any():  # PyTorch's safe softmax: rows with every key masked attend to nothing
        scores = scores.masked_fill(_const(dead), 0.0)
        weights = softmax(scores, -1) * _const((~dead).astype(scores._data.dtype))
    else:
        weights = softmax(scores, -1)
    return dropout(weights, dropout_p, True) @ value


# --- multi-head attention ----------------------------------------------------------------------
def _canonical_mask(
    mask: Tensor | None, name: str, other: Tensor | None, other_name: str, dtype: np.dtype
) -> Tensor | None:
    """A bool mask (True = leave out) as a float one with -inf, as PyTorch's _canonical_mask."""
    if mask is None:
        return None
    kind = mask._data.dtype
    if kind != np.bool_ and kind.kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and other._data.dtype != kind:
        warnings.warn(
            f"Support for mismatched {name} and {other_name} is deprecated. Use same type for "
            "both instead.",
            UserWarning,
            stacklevel=4,
        )
    if kind == np.bool_:
        return _const(np.where(mask._data, -np.inf, 0.0).astype(dtype))
    return mask


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """Append one always-visible key column to a float mask."""
    if mask is None:
        return None
    extra = zeros((*mask.shape[:-1], 1), dtype=mask.dtype)
    return cat([mask, extra], -1)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on (L, N, E) inputs (or unbatched (L, E)), as PyTorch computes it."""
    batched = query.ndim == 3
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    dt = query._data.dtype
    key_padding_mask = _canonical_mask(
        key_padding_mask, "key_padding_mask", attn_mask, "attn_mask", dt
    )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the hint alone does it
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", dt)
        if key_padding_mask is not None:
            is_causal = False

    # input projections: the packed weight holds W_q, W_k, W_v stacked by rows
    if use_separate_proj_weight:
        wq, wk, wv = q_proj_weight, k_proj_weight, v_proj_weight
    else:
        assert in_proj_weight is not None
        wq, wk, wv = in_proj_weight.chunk(3)
    bq = bk = bv = None
    if in_proj_bias is not None:
        bq, bk, bv = in_proj_bias.chunk(3)
    q = linear(query, wq, bq)  # type: ignore[arg-type]
    k = linear(key, wk, bk)  # type: ignore[arg-type]
    v = linear(value, wv, bv)  # type: ignore[arg-type]

    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                    f"{(tgt_len, src_len)}."
                )
            attn_mask = attn_mask.unsqueeze(0)
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                f"{(bsz * num_heads, tgt_len, src_len)}."
            )
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = cat([v, bias_v.expand(1, bsz, embed_dim)])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)

    # (L, N, E) -> (N·H, L, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if static_k is not None:
        k = static_k
    if static_v is not None:
        v = static_v
    if add_zero_attn:
        k = cat([k, zeros(bsz * num_heads, 1, head_dim, dtype=k.dtype)], 1)
        v = cat([v, zeros(bsz * num_heads, 1, head_dim, dtype=v.dtype)], 1)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    src_len = k.shape[1]

    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(
                f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                f"{key_padding_mask.shape}"
            )
        kpm = (
            key_padding_mask.reshape(bsz, 1, 1, src_len)
            .expand(bsz, num_heads, 1, src_len)
            .reshape(bsz * num_heads, 1, src_len)
        )
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        scores = (q * math.sqrt(1.0 / head_dim)) @ k.transpose(-2, -1)
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = softmax(scores, -1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        out = weights @ v
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if not batched:
        out = out.squeeze(1)
    return out, None
