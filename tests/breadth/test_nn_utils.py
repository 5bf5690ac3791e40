"""nn.utils: gradient clipping, parameters_to_vector/vector_to_parameters and nn.utils.rnn
(pad/pack/unpack), against numpy, PyTorch and gradcheck."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck
from ndgrad.nn.utils import rnn

from ..helpers import requires_torch
from .parity import check

U = "torch.nn.utils"
R = "torch.nn.utils.rnn"
A, B = "torch.tensor([1., 2, 3])", "torch.tensor([4., 5])"


def _with_grad(grad: str, call: str) -> str:
    """An expression that sets a parameter's grad, calls ``call`` on it, returns (result, grad)."""
    return (
        f"(lambda p: (p.__setattr__('grad', {grad}), {call}, p.grad)[1:])"
        "(torch.nn.Parameter(torch.ones(3)))"
    )


PARITY = [
    _with_grad("torch.tensor([3., 4, 0])", f"{U}.clip_grad_norm_([p], 1.0)"),
    _with_grad(
        "torch.tensor([nan, 4, 0])", f"{U}.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)"
    ),
    _with_grad(
        "torch.tensor([inf, 4, 0])",
        f"{U}.clip_grad_norm_(p, 1.0, norm_type=1, error_if_nonfinite=True)",
    ),
    _with_grad("torch.tensor([3., -4, 0])", f"{U}.clip_grad_norm_(p, 1.0, norm_type='inf')"),
    _with_grad("torch.tensor([3., -4, 0])", f"{U}.clip_grad_norm_(p, 10.0, norm_type=1)"),
    _with_grad("torch.tensor([3., -4, 0])", f"{U}.clip_grad_norm_(p, 2.0, foreach=True)"),
    _with_grad("torch.tensor([3., -4, 0])", f"{U}.clip_grad_value_(p, 2)"),
    f"{U}.clip_grad_norm_([], 1.0)",
    f"{U}.clip_grad_norm_([torch.nn.Parameter(torch.ones(2))], 1.0)",
    f"{U}.get_total_norm([torch.tensor([3., 4.]), torch.tensor([12.])])",
    f"{U}.get_total_norm([torch.tensor([3., 4.]), torch.tensor([12.])], norm_type=inf)",
    f"{U}.parameters_to_vector([torch.nn.Parameter(torch.ones(2, 2)), "
    "torch.nn.Parameter(torch.zeros(3))])",
    f"{U}.vector_to_parameters(torch.ones(3), [torch.nn.Parameter(torch.ones(2, 2))])",
    f"{U}.vector_to_parameters([1], [torch.nn.Parameter(torch.ones(2, 2))])",
    f"(lambda ps: ({U}.vector_to_parameters(torch.arange(7.), ps), [p.data for p in ps])[1])"
    "([torch.nn.Parameter(torch.ones(2, 2)), torch.nn.Parameter(torch.zeros(3))])",
    f"{R}.pad_sequence([{A}, {B}])",
    f"{R}.pad_sequence([{A}, {B}], batch_first=True, padding_value=-1)",
    f"{R}.pad_sequence([{A}, {B}], batch_first=True, padding_side='left')",
    f"{R}.pad_sequence([{A}, {B}], padding_side='middle')",
    f"{R}.pack_sequence([{A}, {B}])",
    f"{R}.pack_padded_sequence({R}.pad_sequence([{B}, {A}]), torch.tensor([2, 3]), "
    "enforce_sorted=False)",
    f"{R}.pad_packed_sequence({R}.pack_padded_sequence({R}.pad_sequence([{B}, {A}]), "
    "torch.tensor([2, 3]), enforce_sorted=False))",
    f"{R}.pad_packed_sequence({R}.pack_sequence([{A}, {B}]), batch_first=True, total_length=4)",
    f"{R}.pad_packed_sequence({R}.pack_sequence([{A}]), total_length=2)",
    f"{R}.pack_padded_sequence({R}.pad_sequence([{B}, {A}]), torch.tensor([2, 3]))",
    f"{R}.unpad_sequence({R}.pad_sequence([{A}, {B}], batch_first=True), torch.tensor([3, 2]), "
    "batch_first=True)",
    f"{R}.unpack_sequence({R}.pack_sequence([{B}, {A}, torch.tensor([7.])], enforce_sorted=False))",
    f"{R}.pack_padded_sequence(torch.ones(3, 2, 4), [3, 1]).batch_sizes",
    f"{R}.pack_padded_sequence(torch.ones(2, 3, 4), [3, 1], batch_first=True).data.shape",
    f"{R}.pack_padded_sequence(torch.ones(2, 3, 4), [3, 0], batch_first=True)",
]


@requires_torch
@pytest.mark.parametrize("expr", PARITY)
def test_matches_torch(expr: str) -> None:
    check(expr)


def test_clip_grad_norm_matches_numpy() -> None:
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    params = [ndgrad.nn.Parameter(ndgrad.zeros(*g.shape, dtype=ndgrad.float64)) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = ndgrad.from_numpy(g.copy())
    total = np.sqrt(sum((g**2).sum() for g in grads))
    got = ndgrad.nn.utils.clip_grad_norm_(params, 0.5)
    np.testing.assert_allclose(got.item(), total)
    for p, g in zip(params, grads, strict=True):
        np.testing.assert_allclose(p.grad.numpy(), g * 0.5 / (total + 1e-6))


def test_clip_grad_norm_deprecated_name_warns() -> None:
    p = ndgrad.nn.Parameter(ndgrad.ones(2))
    p.grad = ndgrad.ones(2)
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        ndgrad.nn.utils.clip_grad_norm(p, 1.0)


def _pack_roundtrip(a: ndgrad.Tensor, b: ndgrad.Tensor) -> ndgrad.Tensor:
    packed = rnn.pack_sequence([b, a], enforce_sorted=False)
    padded, _ = rnn.pad_packed_sequence(packed, batch_first=True)
    return padded * ndgrad.arange(1.0, 1.0 + padded.shape[1], dtype=ndgrad.float64).reshape(
        1, -1, 1
    )


def test_gradients_flow_through_packing() -> None:
    rng = np.random.default_rng(1)
    a = ndgrad.tensor(rng.standard_normal((4, 2)), requires_grad=True)
    b = ndgrad.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    assert gradcheck(_pack_roundtrip, (a, b))
    assert gradgradcheck(_pack_roundtrip, (a, b))
    assert gradcheck(lambda x, y: rnn.pad_sequence([x, y], padding_side="left"), (a, b))


def test_parameters_to_vector_is_differentiable() -> None:
    w = ndgrad.nn.Parameter(ndgrad.ones(2, 2))
    v = ndgrad.nn.utils.parameters_to_vector([w])
    (v * ndgrad.arange(4.0)).sum().backward()
    assert w.grad.tolist() == [[0.0, 1.0], [2.0, 3.0]]


def test_packed_sequence_fields() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        packed = rnn.pack_sequence([ndgrad.ones(3, 2), ndgrad.ones(1, 2)])
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    assert data.shape == (4, 2) and batch_sizes.tolist() == [2, 1, 1]
    assert sorted_indices is None and unsorted_indices is None
    assert packed.to(ndgrad.float64).data.dtype == ndgrad.float64


@requires_torch
def test_weight_norm_matches_torch() -> None:
    import torch

    rng = np.random.default_rng(2)
    w, b, x = rng.standard_normal((2, 3)), rng.standard_normal(2), rng.standard_normal((4, 3))
    results = []
    for lib in (ndgrad, torch):
        m = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            m.weight.copy_(lib.from_numpy(w.copy()))
            m.bias.copy_(lib.from_numpy(b.copy()))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            lib.nn.utils.weight_norm(m, dim=0)
        out = m(lib.from_numpy(x.copy()))
        (out * out).sum().backward()
        results.append([out.detach().numpy(), m.weight_g.grad.numpy(), m.weight_v.grad.numpy()])
        assert sorted(n for n, _ in m.named_parameters()) == ["bias", "weight_g", "weight_v"]
        lib.nn.utils.remove_weight_norm(m)
        results[-1].append(m.weight.detach().numpy())
    for a, t in zip(*results, strict=True):
        np.testing.assert_allclose(a, t, rtol=1e-10)


def test_spectral_norm_normalizes_the_largest_singular_value() -> None:
    ndgrad.manual_seed(0)
    m = ndgrad.nn.utils.spectral_norm(ndgrad.nn.Linear(4, 3))
    assert sorted(n for n, _ in m.named_buffers()) == ["weight_u", "weight_v"]
    x = ndgrad.randn(5, 4)
    for _ in range(30):
        out = m(x)
    out.sum().backward()
    assert m.weight_orig.grad is not None
    sigma = np.linalg.svd(m.weight.detach().numpy(), compute_uv=False)[0]
    np.testing.assert_allclose(sigma, 1.0, rtol=1e-4)
    m.eval()
    before = m.weight_u.clone()
    m(x)
    assert ndgrad.equal(before, m.weight_u)  # no power iteration in eval mode
    ndgrad.nn.utils.remove_spectral_norm(m)
    assert "weight" in dict(m.named_parameters())


def test_fused_conv_bn_computes_conv_then_bn() -> None:
    ndgrad.manual_seed(0)
    conv, bn = ndgrad.nn.Conv2d(2, 3, 3), ndgrad.nn.BatchNorm2d(3)
    x = ndgrad.randn(4, 2, 6, 6)
    bn(conv(x))  # training step: running statistics move away from 0 and 1
    conv.eval()
    bn.eval()
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        ndgrad.nn.utils.fuse_conv_bn_eval(ndgrad.nn.Conv2d(2, 3, 3), bn)
    fused = ndgrad.nn.utils.fuse_conv_bn_eval(conv, bn)
    np.testing.assert_allclose(
        fused(x).detach().numpy(), bn(conv(x)).detach().numpy(), rtol=1e-4, atol=1e-5
    )
    linear, bn1 = ndgrad.nn.Linear(3, 2), ndgrad.nn.BatchNorm1d(2)
    y = ndgrad.randn(8, 3)
    bn1(linear(y))
    linear.eval()
    bn1.eval()
    fused_linear = ndgrad.nn.utils.fuse_linear_bn_eval(linear, bn1)
    np.testing.assert_allclose(
        fused_linear(y).detach().numpy(), bn1(linear(y)).detach().numpy(), rtol=1e-4, atol=1e-5
    )


RNN_HELPERS = [
    f"{R}.invert_permutation(torch.tensor([2, 0, 1]))",
    f"{R}.invert_permutation(None)",
    f"{R}.bind(None, len)",
    f"{R}.bind([1, 2], len)",
]


@requires_torch
@pytest.mark.parametrize("expr", RNN_HELPERS)
def test_rnn_helpers_match_torch(expr: str) -> None:
    check(expr)
