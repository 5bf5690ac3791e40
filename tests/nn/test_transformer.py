"""MultiheadAttention and the transformer layers against PyTorch with the same state_dict."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.nn as nn
from ndgrad.autograd import gradcheck

R = np.random.default_rng(7)


def _build(code: str, lib: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TransformerEncoder's nested-tensor note
        return eval(code, {"nn": lib.nn, "F": lib.nn.functional}).double()


def _pair(code: str) -> tuple[Any, Any]:
    ours, theirs = _build(code, ndgrad), _build(code, torch)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values(), strict=True):
        assert tuple(a.shape) == tuple(b.shape), k
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def _inputs(arrays: list[Any], lib: Any) -> list[Any]:
    out = []
    for a in arrays:
        if a is None:
            out.append(None)
        elif isinstance(a, tuple):  # a constant (mask)
            out.append(lib.tensor(a[0]))
        else:
            out.append(lib.tensor(a, requires_grad=True))
    return out


def _compare(ours: Any, theirs: Any, arrays: list[Any], kwargs: dict[str, Any]) -> None:
    nd_in, th_in = _inputs(arrays, ndgrad), _inputs(arrays, torch)
    nd_kw = {k: ndgrad.tensor(v[0]) if isinstance(v, tuple) else v for k, v in kwargs.items()}
    th_kw = {k: torch.tensor(v[0]) if isinstance(v, tuple) else v for k, v in kwargs.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn alike about bool and float masks mixed
        a, b = ours(*nd_in, **nd_kw), theirs(*th_in, **th_kw)
    outs_a = list(a) if isinstance(a, tuple) else [a]
    outs_b = list(b) if isinstance(b, tuple) else [b]
    total_a: Any = 0
    total_b: Any = 0
    for i, (x, y) in enumerate(zip(outs_a, outs_b, strict=True)):
        if y is None:
            assert x is None
            continue
        assert_close(x, y, rtol=1e-9, atol=1e-11)
        w = np.random.default_rng(i).standard_normal(tuple(y.shape))
        total_a = total_a + (x * ndgrad.tensor(w)).sum()
        total_b = total_b + (y * torch.tensor(w)).sum()
    total_a.backward()
    total_b.backward()
    for x, y in zip(nd_in, th_in, strict=True):
        if y is not None and y.requires_grad:
            assert_close(x.grad, y.grad, rtol=1e-9, atol=1e-11)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters(), strict=True):
        assert (p.grad is None) == (q.grad is None), name
        if q.grad is not None:
            assert_close(p.grad, q.grad, rtol=1e-9, atol=1e-11)


def U(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


def PAD(n: int, s: int) -> tuple[np.ndarray]:
    m = np.zeros((n, s), dtype=bool)
    m[:, -1] = True  # the last key of every sequence is padding
    m[0, -2] = True
    return (m,)


def CAUSAL(n: int) -> tuple[np.ndarray]:
    return (np.triu(np.full((n, n), -np.inf), 1),)


MHA_CASES: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("nn.MultiheadAttention(6, 2)", [U(4, 3, 6), U(5, 3, 6), U(5, 3, 6)], {}),
    (
        "nn.MultiheadAttention(6, 3, batch_first=True)",
        [U(3, 4, 6), U(3, 5, 6), U(3, 5, 6)],
        {"key_padding_mask": PAD(3, 5), "average_attn_weights": False},
    ),
    (
        "nn.MultiheadAttention(6, 2, kdim=3, vdim=5, bias=False)",
        [U(4, 2, 6), U(5, 2, 3), U(5, 2, 5)],
        # a (N·H, L, S) boolean mask
        {"need_weights": False, "attn_mask": (np.triu(np.ones((4, 4, 5), dtype=bool), 1),)},
    ),
    (
        "nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True)",
        [U(3, 2, 4), U(3, 2, 4), U(3, 2, 4)],
        {"attn_mask": CAUSAL(3), "key_padding_mask": PAD(2, 3)},
    ),
    (
        "nn.MultiheadAttention(4, 2)",
        [U(3, 4), U(5, 4), U(5, 4)],  # unbatched
        {"need_weights": False},
    ),
    (
        "nn.MultiheadAttention(4, 1)",
        [U(3, 2, 4), U(3, 2, 4), U(3, 2, 4)],
        {"need_weights": False, "attn_mask": CAUSAL(3), "is_causal": True},
    ),
]


@requires_torch
@pytest.mark.parametrize(("code", "arrays", "kwargs"), MHA_CASES, ids=[c for c, _, _ in MHA_CASES])
def test_multihead_attention_matches_torch(
    code: str, arrays: list[Any], kwargs: dict[str, Any]
) -> None:
    ours, theirs = _pair(code)
    _compare(ours, theirs, arrays, kwargs)


@requires_torch
def test_self_attention_same_tensor_matches_torch() -> None:
    ours, theirs = _pair("nn.MultiheadAttention(6, 2, batch_first=True)")
    x = U(2, 4, 6)
    a, b = ndgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, wa = ours(a, a, a, attn_mask=ndgrad.tensor(CAUSAL(4)[0]))
    yb, wb = theirs(b, b, b, attn_mask=torch.tensor(CAUSAL(4)[0]))
    assert_close(ya, yb, rtol=1e-9, atol=1e-11)
    assert_close(wa, wb, rtol=1e-9, atol=1e-11)
    ya.sum().backward()
    yb.sum().backward()
    assert_close(a.grad, b.grad, rtol=1e-9, atol=1e-11)


LAYER_CASES: list[tuple[str, list[Any], dict[str, Any]]] = [
    ("nn.TransformerEncoderLayer(6, 2, 10, dropout=0.0)", [U(4, 3, 6)], {}),
    (
        "nn.TransformerEncoderLayer(6, 3, 8, 0.0, 'gelu', batch_first=True, norm_first=True)",
        [U(2, 5, 6)],
        {"src_mask": CAUSAL(5), "src_key_padding_mask": PAD(2, 5)},
    ),
    (
        "nn.TransformerEncoderLayer(4, 2, 8, 0.0, F.silu, layer_norm_eps=1e-3, bias=False)",
        [U(3, 4)],
        {"src_mask": CAUSAL(3), "is_causal": True},
    ),
    (
        "nn.TransformerDecoderLayer(6, 2, 10, dropout=0.0)",
        [U(4, 2, 6), U(5, 2, 6)],
        {"tgt_mask": CAUSAL(4), "memory_key_padding_mask": PAD(2, 5)},
    ),
    (
        "nn.TransformerDecoderLayer(6, 2, 10, 0.0, 'gelu', batch_first=True, norm_first=True)",
        [U(2, 4, 6), U(2, 3, 6)],
        {"tgt_mask": CAUSAL(4), "tgt_is_causal": True, "tgt_key_padding_mask": PAD(2, 4)},
    ),
    (
        "nn.TransformerEncoder(nn.TransformerEncoderLayer(6, 2, 8, 0.0), 2, nn.LayerNorm(6))",
        [U(4, 2, 6)],
        {"mask": CAUSAL(4), "src_key_padding_mask": PAD(2, 4)},
    ),
    (
        "nn.TransformerDecoder(nn.TransformerDecoderLayer(6, 2, 8, 0.0, batch_first=True), 2)",
        [U(2, 4, 6), U(2, 3, 6)],
        {"tgt_mask": CAUSAL(4)},
    ),
    (
        "nn.Transformer(6, 2, 2, 1, 8, 0.0)",
        [U(5, 2, 6), U(4, 2, 6)],
        {"tgt_mask": CAUSAL(4), "src_key_padding_mask": PAD(2, 5)},
    ),
    (
        "nn.Transformer(4, 2, 1, 2, 8, 0.0, batch_first=True, norm_first=True)",
        [U(2, 3, 4), U(2, 4, 4)],
        {"tgt_mask": CAUSAL(4), "tgt_is_causal": True},
    ),
]


@requires_torch
@pytest.mark.parametrize(
    ("code", "arrays", "kwargs"), LAYER_CASES, ids=[c for c, _, _ in LAYER_CASES]
)
def test_transformer_layers_match_torch(
    code: str, arrays: list[Any], kwargs: dict[str, Any]
) -> None:
    ours, theirs = _pair(code)
    _compare(ours, theirs, arrays, kwargs)


@requires_torch
def test_default_transformer_repr_and_keys_match_torch() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = nn.Transformer(), torch.nn.Transformer()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


@requires_torch
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_generate_square_subsequent_mask(dtype: str | None) -> None:
    a = nn.Transformer.generate_square_subsequent_mask(
        4, dtype=None if dtype is None else getattr(ndgrad, dtype)
    )
    b = torch.nn.Transformer.generate_square_subsequent_mask(
        4, dtype=None if dtype is None else getattr(torch, dtype)
    )
    assert_close(a, b)
    assert str(a.dtype) == str(b.dtype)


def test_encoder_warns_about_nested_tensors_as_torch() -> None:
    msg = (
        "enable_nested_tensor is True, but self.use_nested_tensor is False because "
        "encoder_layer.self_attn.batch_first was not True(use batch_first for better inference "
        "performance)"
    )
    with pytest.warns(UserWarning, match=re.escape(msg)):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 2)


def test_mha_gradcheck() -> None:
    mha = nn.MultiheadAttention(4, 2, kdim=3).double()
    q = ndgrad.randn(3, 2, 4, dtype=ndgrad.float64, requires_grad=True)
    k = ndgrad.randn(5, 2, 3, dtype=ndgrad.float64, requires_grad=True)
    v = ndgrad.randn(5, 2, 4, dtype=ndgrad.float64, requires_grad=True)
    for need in (True, False):
        assert gradcheck(
            lambda q, k, v, *p, need=need: mha(q, k, v, need_weights=need)[0],
            [q, k, v, *mha.parameters()],
        )


def test_encoder_layer_gradcheck() -> None:
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0).double()
    x = ndgrad.randn(3, 2, 4, dtype=ndgrad.float64, requires_grad=True)
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=ndgrad.float64)
    assert gradcheck(lambda x, *p: layer(x, mask), [x, *layer.parameters()])


def test_dropout_trains_and_eval_is_deterministic() -> None:
    layer = nn.TransformerEncoderLayer(4, 2, 6, dropout=0.5)
    x = ndgrad.randn(3, 2, 4)
    layer.eval()
    assert np.array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())
    layer.train()
    assert not np.array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())


ERRORS = [
    ("nn.MultiheadAttention(10, 3)", AssertionError, "embed_dim must be divisible by num_heads"),
    ("nn.TransformerEncoderLayer(4, 2, activation='tanh')", RuntimeError,
     "activation should be relu/gelu, not tanh"),
    ("nn.Transformer(4, 2, 1, 1, 8)(T.zeros(3, 2, 4), T.zeros(3, 1, 4))", RuntimeError,
     "the batch number of src and tgt must be equal"),
    ("nn.Transformer(4, 2, 1, 1, 8)(T.zeros(3, 2, 4), T.zeros(3, 2, 5))", RuntimeError,
     "the feature number of src and tgt must be equal to d_model"),
    ("F.scaled_dot_product_attention(T.zeros(2, 3), T.zeros(2, 3), T.zeros(2, 3), "
     "attn_mask=T.ones(2, 2, dtype=T.bool), is_causal=True)", RuntimeError,
     "_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True"),
    ("nn.MultiheadAttention(4, 2)(T.zeros(3, 1, 4), T.zeros(3, 1, 4), T.zeros(3, 1, 4), "
     "is_causal=True)", RuntimeError, "Need attn_mask if specifying the is_causal hint."),
]  # fmt: skip


@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_errors(code: str, exc: type[Exception], msg: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc, match=re.escape(msg)):
            eval(code, {"nn": nn, "F": nn.functional, "T": ndgrad})


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_error_texts_are_torchs(code: str, exc: type[Exception], msg: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc, match=re.escape(msg)):
            eval(code, {"nn": torch.nn, "F": torch.nn.functional, "T": torch})
