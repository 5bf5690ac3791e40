"""scaled_dot_product_attention's argument checks, its empty-input result, and the kernel
switches (ndgrad.nn.attention.sdpa_kernel, ndgrad.backends.cuda.enable_*_sdp), as torch 2.13's
CPU build has them."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from tests.helpers import graph_structure, requires_torch, torch

import ndgrad
import ndgrad.nn.functional as F
from ndgrad.autograd import gradcheck, gradgradcheck
from ndgrad.nn.attention import SDPBackend, sdpa_kernel

B = ndgrad.backends.cuda
FLASH = "ScaledDotProductFlashAttentionForCpuBackward0"


def _node(y: ndgrad.Tensor) -> str:
    return type(y.grad_fn).__name__


def _raises(fn: Any) -> str:
    with pytest.raises(RuntimeError) as info:
        fn()
    return str(info.value)


# --- argument checks, in PyTorch's order -------------------------------------------------------
def test_dtypes_must_agree():
    q = ndgrad.ones(2, 8)
    msg = _raises(lambda: F.scaled_dot_product_attention(q, q.double(), q.int()))
    assert msg == (
        "Expected query, key, and value to have the same dtype, but got query.dtype: float "
        "key.dtype: double and value.dtype: int instead."
    )
    # before the rank check
    v = ndgrad.ones(8)
    msg = _raises(lambda: F.scaled_dot_product_attention(v, v, v.double()))
    assert msg.startswith("Expected query, key, and value to have the same dtype")


def test_rank_at_least_two_before_the_mask():
    v = ndgrad.ones(8)
    mask = ndgrad.ones(2, 2, dtype=ndgrad.int64)
    msg = _raises(lambda: F.scaled_dot_product_attention(v, v, v, attn_mask=mask))
    assert msg == (
        "Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: 1 "
        "key.dim: 1 and value.dim: 1 instead."
    )


@pytest.mark.parametrize(
    ("dtype", "name"),
    [(ndgrad.int64, "long int"), (ndgrad.uint8, "unsigned char"), (ndgrad.float64, "double")],
)
def test_mask_must_be_bool_or_the_query_dtype(dtype, name):
    q = ndgrad.ones(2, 8)
    mask = ndgrad.ones(2, 2, dtype=dtype)
    # the mask's dtype is checked before the dropout probability and the empty-input result
    for k, p in ((q, 3.0), (q[:0], 0.0)):
        msg = _raises(lambda k=k, p=p: F.scaled_dot_product_attention(q, k, k, mask, p))
        assert msg == (
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got "
            f"attn_mask.dtype: {name} and  query.dtype: float instead."
        )


def test_integer_inputs_are_refused_as_pytorch_kernels_refuse_them():
    q2 = ndgrad.ones(2, 8, dtype=ndgrad.int64)
    assert _raises(lambda: F.scaled_dot_product_attention(q2, q2, q2)) == (
        "expected m1 and m2 to have the same dtype, but got: float != long int"
    )
    q4 = ndgrad.ones(1, 2, 2, 8, dtype=ndgrad.uint8)
    assert _raises(lambda: F.scaled_dot_product_attention(q4, q4, q4)) == (
        "expected scalar type Float but found Byte"
    )
    previous = ndgrad.get_default_dtype()
    ndgrad.set_default_dtype(ndgrad.float64)
    try:
        q3 = ndgrad.ones(2, 2, 8, dtype=ndgrad.int32)
        assert _raises(lambda: F.scaled_dot_product_attention(q3, q3, q3)) == (
            "expected scalar type Double but found Int"
        )
    finally:
        ndgrad.set_default_dtype(previous)


def test_dropout_probability():
    q = ndgrad.ones(2, 8)
    # only a positive p is dropout: a negative one is none, and is not checked
    y = F.scaled_dot_product_attention(q, q, q, dropout_p=-0.5)
    np.testing.assert_array_equal(y.numpy(), np.ones((2, 8), np.float32))
    for p, shown in ((2.0, "2"), (1.5, "1.5"), (1e10, "1e+10")):
        msg = _raises(lambda p=p: F.scaled_dot_product_attention(q, q, q, dropout_p=p))
        assert msg == f"dropout probability has to be between 0 and 1, but got {shown}"


def test_torch_dropout_is_the_cpp_function():
    x = ndgrad.ones(3)
    for fn in (ndgrad.dropout, ndgrad.feature_dropout, ndgrad.alpha_dropout):
        for p in (2.0, -2.0):
            msg = _raises(lambda fn=fn, p=p: fn(x.reshape(3, 1), p, False))
            assert msg == f"dropout probability has to be between 0 and 1, but got {p:g}"
    # nn.functional's check stays Python's ValueError, p as Python prints it
    with pytest.raises(ValueError, match=r"but got 2\.0$"):
        F.dropout(x, 2.0)


def test_grouped_heads_must_divide():
    q, k = ndgrad.ones(1, 3, 2, 8), ndgrad.ones(1, 2, 2, 8)
    msg = _raises(lambda: F.scaled_dot_product_attention(q, k, k, enable_gqa=True))
    assert msg == "Number of heads in key and value must divide the number of heads in "


# --- nothing to attend with or to ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("qs", "ks", "vs", "out"),
    [
        ((1, 2, 0, 8), (1, 2, 5, 8), (1, 2, 5, 8), (1, 2, 0, 8)),  # no queries
        ((1, 2, 4, 8), (1, 2, 0, 8), (1, 2, 0, 8), (1, 2, 4, 8)),  # no keys
        ((0, 2, 4, 8), (0, 2, 5, 8), (0, 2, 5, 8), (0, 2, 4, 8)),  # no batch
        ((1, 2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 0), (1, 2, 4, 0)),  # empty values
        ((1, 2, 4, 8), (3, 2, 0, 8), (3, 2, 0, 7), (1, 2, 4, 7)),  # the query's batch dims
        ((4, 8), (0, 8), (0, 8), (4, 8)),
    ],
)
def test_empty_inputs_give_zeros_joined_to_the_graph(qs, ks, vs, out):
    q, k, v = (ndgrad.randn(*s, requires_grad=True) for s in (qs, ks, vs))
    y = F.scaled_dot_product_attention(q, k, v)
    assert tuple(y.shape) == out and y.dtype == ndgrad.float32
    assert not y.detach().numpy().any()
    assert graph_structure(y.grad_fn, 2) == (
        "AddBackward0",
        ((None, 0), (("MulBackward1", (("AddBackward0", 0),)), 0)),
    )
    y.sum().backward()
    for t in (q, k, v):
        assert t.grad.shape == t.shape and not t.grad.numpy().any()


def test_empty_keys_come_before_the_other_checks():
    q, k = ndgrad.ones(1, 2, 4, 8), ndgrad.ones(1, 2, 0, 8)
    mask = ndgrad.ones(4, 0, dtype=ndgrad.bool)
    y = F.scaled_dot_product_attention(q, k, k, attn_mask=mask, is_causal=True, dropout_p=2.0)
    assert tuple(y.shape) == (1, 2, 4, 8)


# (numpy's warning about inf * 0, which ndgrad's import-time filter hides and pytest's "error"
# filter replaces)
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_an_infinite_input_makes_the_empty_result_nan():
    q = ndgrad.tensor([[[[float("inf"), 1.0]]]], requires_grad=True)
    k = ndgrad.zeros(1, 1, 0, 2)
    y = F.scaled_dot_product_attention(q, k, k)
    assert np.isnan(y.detach().numpy()).all()
    y.sum().backward()
    np.testing.assert_array_equal(q.grad.numpy(), [[[[0.0, 0.0]]]])


def test_empty_head_dim_attends_uniformly():
    # scale 1/√0: the scores are the empty product, 0, so each query averages the values
    q = ndgrad.randn(1, 2, 4, 0, dtype=ndgrad.float64, requires_grad=True)
    k = ndgrad.randn(1, 2, 5, 0, dtype=ndgrad.float64, requires_grad=True)
    v = ndgrad.randn(1, 2, 5, 3, dtype=ndgrad.float64, requires_grad=True)
    y = F.scaled_dot_product_attention(q, k, v)
    assert _node(y) == "UnsafeViewBackward0"
    mean = np.broadcast_to(v.detach().numpy().mean(axis=-2, keepdims=True), (1, 2, 4, 3))
    np.testing.assert_allclose(y.detach().numpy(), mean, rtol=1e-15)

    def fn(v: ndgrad.Tensor) -> ndgrad.Tensor:
        return F.scaled_dot_product_attention(q, k, v)

    assert gradcheck(fn, (v,))
    assert gradgradcheck(fn, (v,))


# --- which kernel ---------------------------------------------------------------------------------
def test_a_strided_last_dim_takes_the_math_path():
    q = ndgrad.randn(1, 2, 8, 4, requires_grad=True).transpose(-1, -2)
    k = ndgrad.randn(1, 2, 5, 8)
    assert _node(F.scaled_dot_product_attention(q, k, k)) == "UnsafeViewBackward0"
    q2 = ndgrad.randn(1, 2, 4, 8, requires_grad=True)
    assert _node(F.scaled_dot_product_attention(q2, k, k)) == FLASH


def test_sdpa_kernel_sets_and_restores_the_switches():
    def switches():
        return (
            B.math_sdp_enabled(),
            B.flash_sdp_enabled(),
            B.mem_efficient_sdp_enabled(),
            B.cudnn_sdp_enabled(),
        )

    assert switches() == (True, True, True, True)
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
        assert switches() == (False, True, False, False)
        with sdpa_kernel(SDPBackend.MATH):
            assert switches() == (True, False, False, False)
        assert switches() == (False, True, False, False)
    with pytest.raises(KeyError), sdpa_kernel([SDPBackend.EFFICIENT_ATTENTION, "x"]):
        assert switches() == (False, False, True, False)  # anything else in the list: ignored
        raise KeyError
    assert switches() == (True, True, True, True)


@pytest.mark.parametrize("bad", [(SDPBackend.MATH,), None, "math"])
def test_sdpa_kernel_argument(bad):
    with pytest.raises(AssertionError) as info, sdpa_kernel(bad):
        pass
    assert str(info.value) == (
        "Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
        f"{type(bad).__name__}"
    )


def test_backend_enum():
    assert repr(SDPBackend.MATH) == "<SDPBackend.MATH: 0>"
    assert str(SDPBackend.FLASH_ATTENTION) == "SDPBackend.FLASH_ATTENTION"
    assert int(SDPBackend.CUDNN_ATTENTION) == 3 and SDPBackend(-1) is SDPBackend.ERROR
    assert list(SDPBackend.__members__) == [
        "ERROR",
        "MATH",
        "FLASH_ATTENTION",
        "EFFICIENT_ATTENTION",
        "CUDNN_ATTENTION",
        "OVERRIDEABLE",
    ]


def test_the_chosen_kernel_shows_in_the_graph():
    q = ndgrad.randn(1, 2, 4, 8, requires_grad=True)
    with sdpa_kernel(SDPBackend.MATH):
        assert _node(F.scaled_dot_product_attention(q, q, q)) == "UnsafeViewBackward0"
    with sdpa_kernel([SDPBackend.EFFICIENT_ATTENTION, SDPBackend.FLASH_ATTENTION]):
        assert _node(F.scaled_dot_product_attention(q, q, q)) == FLASH
    # the same values either way
    with sdpa_kernel(SDPBackend.MATH):
        a = F.scaled_dot_product_attention(q, q, q).detach().numpy()
    np.testing.assert_array_equal(a, F.scaled_dot_product_attention(q, q, q).detach().numpy())


def test_no_kernel_errors_and_warnings():
    q3, q4 = ndgrad.ones(2, 4, 8), ndgrad.ones(1, 2, 4, 8)
    for backends in (SDPBackend.EFFICIENT_ATTENTION, SDPBackend.ERROR, []):
        with sdpa_kernel(backends):
            assert _raises(lambda: F.scaled_dot_product_attention(q4, q4, q4)) == (
                "No viable backend for scaled_dot_product_attention was found. This is likely "
                "due to turning off both the math kernel and the fused kernels."
            )
    cases = [
        (
            (q3, q3, q3, 0.0),
            "All fused kernels requires query, key and value to be 4 dimensional, but got "
            "Query dim: 3, Key dim: 3, Value dim: 3 instead.",
        ),
        ((q4, q4, q4, 0.5), "Both fused kernels do not support non-zero dropout."),
        (
            (q4, ndgrad.ones(1, 1, 5, 8), ndgrad.ones(1, 1, 5, 8), 0.0),
            "For dense input, both fused kernels require query, key and value to have the same "
            "num_heads. Query.sizes(): [1, 2, 4, 8], Key sizes(): [1, 1, 5, 8], Value sizes(): "
            "[1, 1, 5, 8] instead. To broadcast dense inputs, try using unsqueeze and expand_to "
            "before passing them into the kernel.",
        ),
        (
            (q4, ndgrad.ones(1, 2, 5, 8), ndgrad.ones(1, 2, 5, 6), 0.0),
            "Flash attention requires q,k,v to have the same last dimension. Got Query.size(-1): "
            "8, Key.size(-1): 8, Value.size(-1): 6 instead.",
        ),
        (
            (ndgrad.ones(1, 2, 8, 4).transpose(-1, -2), q4, q4, 0.0),
            "All fused kernels require the last dimension of the input to have stride 1. Got "
            "Query.stride(-1): 4, Key.stride(-1): 1, Value.stride(-1): 1",
        ),
    ]
    for (q, k, v, p), reason in cases:
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION), warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            msg = _raises(
                lambda q=q, k=k, v=v, p=p: F.scaled_dot_product_attention(q, k, v, None, p)
            )
        assert msg == "No available kernel.  Aborting execution."
        assert [str(x.message) for x in w] == ["Flash attention kernel not used because:", reason]
        assert all(x.category is UserWarning and x.filename == __file__ for x in w)


def test_backend_switches_directly():
    try:
        B.enable_math_sdp(False)
        B.enable_flash_sdp(False)
        q = ndgrad.ones(1, 2, 4, 8)
        assert "No viable backend" in _raises(lambda: F.scaled_dot_product_attention(q, q, q))
        B.enable_flash_sdp(True)
        assert not B.math_sdp_enabled() and B.flash_sdp_enabled()
    finally:
        B.enable_math_sdp(True)
        B.enable_flash_sdp(True)
    for fn, arg, msg in [
        (B.enable_flash_sdp, 0, "set_sdp_use_math expects a bool, but got int"),
        (B.enable_mem_efficient_sdp, None, "set_sdp_use_math expects a bool, but got NoneType"),
        (B.enable_cudnn_sdp, 1, "set_sdp_use_cudnn expects a bool, but got %sint"),
    ]:
        assert _raises(lambda fn=fn, arg=arg: fn(arg)) == msg
    deprecated = r"^`torch.backends.cuda.sdp_kernel\(\)` is deprecated"
    with pytest.warns(FutureWarning, match=deprecated), B.sdp_kernel(enable_flash=False):
        assert not B.flash_sdp_enabled() and B.math_sdp_enabled()
    assert B.flash_sdp_enabled()


# --- against PyTorch ------------------------------------------------------------------------------
_SHAPES = {
    "3d": ((2, 4, 8),) * 3,
    "batch": ((1, 2, 4, 8), (2, 2, 5, 8), (2, 2, 5, 8)),
    "4d": ((1, 2, 4, 8),) * 3,
    "head dim": ((1, 2, 4, 8), (1, 2, 5, 8), (1, 2, 5, 6)),
    "heads": ((1, 2, 4, 8), (1, 1, 5, 8), (1, 1, 5, 8)),
    "empty keys": ((1, 2, 4, 8), (1, 2, 0, 8), (1, 2, 0, 8)),
    "empty queries": ((1, 2, 0, 8), (1, 2, 5, 8), (1, 2, 5, 8)),
    "no head dim": ((1, 2, 4, 0), (1, 2, 5, 0), (1, 2, 5, 3)),
}


def _outcome(lib: Any, backends: Any, shapes: Any, dropout_p: float) -> tuple[Any, ...]:
    mod = __import__(lib.__name__ + ".nn.attention", fromlist=["SDPBackend"])
    chosen = backends if backends is None else [getattr(mod.SDPBackend, b) for b in backends]
    rng = np.random.default_rng(0)
    q, k, v = (lib.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            if chosen is None:
                y = lib.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p)
            else:
                with mod.sdpa_kernel(chosen):
                    y = lib.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p)
            # the math path is one node here (its last one's name), PyTorch's composite there;
            # the empty-input result is the same composite in both
            depth = 2 if y.numel() == 0 or v.numel() == 0 else 0
            result: Any = (graph_structure(y.grad_fn, depth), tuple(y.shape))
            if dropout_p == 0:
                y.backward(lib.ones_like(y))
                result += (y.detach().numpy(), *(t.grad.numpy() for t in (q, k, v)))
        except RuntimeError as e:
            result = ("error", str(e))
    # PyTorch's C++ warnings end with where they were raised in its sources
    shown = [str(x.message).split(" (Triggered internally")[0] for x in w]
    return result, shown


@requires_torch
@pytest.mark.parametrize("shape_name", list(_SHAPES))
@pytest.mark.parametrize(
    "backends",
    [
        None,
        ("MATH",),
        ("FLASH_ATTENTION",),
        ("EFFICIENT_ATTENTION",),
        ("EFFICIENT_ATTENTION", "MATH"),
    ],
)
@pytest.mark.parametrize("dropout_p", [0.0, 2.0])
def test_matches_pytorch(shape_name, backends, dropout_p):
    shapes = _SHAPES[shape_name]
    (mine, my_warnings) = _outcome(ndgrad, backends, shapes, dropout_p)
    (theirs, their_warnings) = _outcome(torch, backends, shapes, dropout_p)
    assert my_warnings == their_warnings
    assert len(mine) == len(theirs) and mine[:2] == theirs[:2]
    for a, b in zip(mine[2:], theirs[2:], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
