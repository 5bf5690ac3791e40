"""What realistic PyTorch vision programs (CNN classifiers, ResNet/MobileNet blocks, DCGAN, a
conv VAE, a U-Net with a spatial transformer) showed ndgrad doing differently from PyTorch.

Each test pins the fixed behaviour without PyTorch, and compares it with PyTorch where it is
installed."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F

# --- F.pad(mode="reflect"): the argument PyTorch's error names ----------------------------------

REFLECT_TOO_WIDE = [
    ((1, 1, 2, 3), (1, 1, 2, 0), 6, "(2, 0) at dimension 2"),
    ((1, 1, 2, 3), (3, 0, 0, 0), 4, "(3, 0) at dimension 3"),
    ((2, 3), (0, 3), 4, "(0, 3) at dimension 1"),
    ((2, 2, 3), (0, 0, 0, 2), 6, "(0, 2) at dimension 1"),
    ((1, 1, 2, 2, 3), (0, 0, 2, 0, 0, 0), 6, "(2, 0) at dimension 3"),
    ((1, 1, 2, 2, 3), (0, 0, 0, 0, 2, 0), 8, "(2, 0) at dimension 2"),
    ((1, 2, 2, 3), (0, 0, 0, 0, 0, 2), 8, "(0, 2) at dimension 1"),
]


def _reflect_error(lib: Any, shape: tuple[int, ...], pad: tuple[int, ...]) -> str:
    with pytest.raises(RuntimeError) as info:
        lib.nn.functional.pad(lib.zeros(shape), pad, mode="reflect")
    return str(info.value)


@pytest.mark.parametrize(("shape", "pad", "arg", "where"), REFLECT_TOO_WIDE)
def test_reflect_pad_error_numbers_the_argument_of_the_dim(
    shape: tuple[int, ...], pad: tuple[int, ...], arg: int, where: str
) -> None:
    """PyTorch numbers the (left, right) widths argument #4, (top, bottom) #6, (front, back) #8
    (a U-Net padding its height by more than the height gave "#6")."""
    assert _reflect_error(ndgrad, shape, pad) == (
        f"Argument #{arg}: Padding size should be less than the corresponding input dimension, "
        f"but got: padding {where} of input {list(shape)}"
    )


@requires_torch
@pytest.mark.parametrize(("shape", "pad", "arg", "where"), REFLECT_TOO_WIDE)
def test_reflect_pad_error_matches_torch(
    shape: tuple[int, ...], pad: tuple[int, ...], arg: int, where: str
) -> None:
    assert _reflect_error(ndgrad, shape, pad) == _reflect_error(torch, shape, pad)


# --- memory_format: Tensor.to, Tensor.contiguous, Module.to ------------------------------------


def _x(lib: Any) -> Any:
    return lib.tensor(np.arange(120.0, dtype=np.float32).reshape(2, 3, 4, 5))


def test_tensor_to_memory_format_lays_out_channels_last() -> None:
    """``x.to(memory_format=torch.channels_last)`` (a MobileNet's input batch) raised TypeError."""
    x = _x(ndgrad)
    y = x.to(memory_format=ndgrad.channels_last)
    assert y.stride() == (60, 1, 15, 3)
    assert y.is_contiguous(memory_format=ndgrad.channels_last) and not y.is_contiguous()
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    assert y.to(memory_format=ndgrad.channels_last) is y
    assert y.to(memory_format=ndgrad.preserve_format) is y
    assert x.to(memory_format=ndgrad.contiguous_format) is x
    assert y.to(memory_format=ndgrad.contiguous_format).stride() == (60, 20, 5, 1)
    z = x.to(ndgrad.float64, memory_format=ndgrad.channels_last)
    assert z.dtype == ndgrad.float64 and z.stride() == (60, 1, 15, 3)
    assert y.to(ndgrad.float64).stride() == (60, 1, 15, 3)  # preserve_format
    assert y.to(ndgrad.float64, memory_format=ndgrad.contiguous_format).stride() == (60, 20, 5, 1)
    # a (N, C, 1, 1) row-major tensor is copied: PyTorch reads its layout as row-major
    assert ndgrad.zeros(2, 3, 1, 1).to(memory_format=ndgrad.channels_last).stride() == (3, 1, 3, 3)
    five = ndgrad.zeros(2, 3, 2, 2, 2).to(memory_format=ndgrad.channels_last_3d)
    assert five.stride() == (24, 1, 12, 6, 3)


def test_tensor_to_memory_format_errors() -> None:
    with pytest.raises(RuntimeError, match=r"^required rank 4 tensor to use channels_last format$"):
        ndgrad.zeros(3, 4).to(memory_format=ndgrad.channels_last)
    with pytest.raises(TypeError, match=r"^to\(\) received an invalid combination of arguments"):
        ndgrad.zeros(3, 4).to(memory_format=3)


def test_tensor_to_memory_format_records_to_copy_and_passes_the_gradient() -> None:
    x = _x(ndgrad).double().requires_grad_()
    y = x.to(memory_format=ndgrad.channels_last)
    assert type(y.grad_fn).__name__ == "ToCopyBackward0"
    (y * ndgrad.arange(120.0).view(2, 3, 4, 5)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.arange(120.0).reshape(2, 3, 4, 5))
    assert ndgrad.autograd.gradcheck(lambda t: t.to(memory_format=ndgrad.channels_last) * t, x)


def test_contiguous_memory_format() -> None:
    """``contiguous(memory_format=torch.channels_last)`` returned a row-major tensor."""
    x = _x(ndgrad)
    y = x.contiguous(memory_format=ndgrad.channels_last)
    assert y.stride() == (60, 1, 15, 3)
    assert y.contiguous(memory_format=ndgrad.channels_last) is y
    assert y.contiguous().stride() == (60, 20, 5, 1)
    assert x.contiguous(memory_format=ndgrad.preserve_format) is x  # nothing to do: no error
    with pytest.raises(RuntimeError, match=r"^preserve memory format is unsupported by the contig"):
        x[:, :, ::2].contiguous(memory_format=ndgrad.preserve_format)
    with pytest.raises(RuntimeError, match=r"^required rank 5 tensor to use channels_last_3d"):
        x.contiguous(memory_format=ndgrad.channels_last_3d)
    with pytest.raises(TypeError, match=r"^contiguous\(\): argument 'memory_format' must be"):
        x.contiguous(memory_format=3)
    g = x.double().requires_grad_().contiguous(memory_format=ndgrad.channels_last)
    assert type(g.grad_fn).__name__ == "CloneBackward0"


def _model(lib: Any) -> Any:
    return lib.nn.Sequential(
        lib.nn.Conv2d(3, 4, 3), lib.nn.BatchNorm2d(4), lib.nn.Flatten(), lib.nn.Linear(2, 2)
    )


def test_module_to_memory_format_converts_the_4d_parameters() -> None:
    """``model.to(memory_format=torch.channels_last)`` left the conv weights row-major."""
    ndgrad.manual_seed(0)
    m = _model(ndgrad)
    before = m[0].weight.detach().clone()
    assert m.to(memory_format=ndgrad.channels_last) is m
    assert [p.stride() for p in m.parameters()] == [(27, 1, 9, 3), (1,), (1,), (1,), (2, 1), (1,)]
    np.testing.assert_array_equal(m[0].weight.detach().numpy(), before.numpy())
    assert isinstance(m[0].weight, nn.Parameter) and m[0].weight.requires_grad
    m.to(ndgrad.float64, memory_format=ndgrad.contiguous_format)
    assert m[0].weight.stride() == (27, 9, 3, 1) and m[0].weight.dtype == ndgrad.float64
    m.to(device="cpu", memory_format=ndgrad.channels_last)
    assert m[0].weight.stride() == (27, 1, 9, 3)
    out = m[0](ndgrad.ones(1, 3, 4, 4, dtype=ndgrad.float64))
    assert out.shape == (1, 4, 2, 2)


@requires_torch
def test_memory_format_strides_match_torch() -> None:
    def strides(lib: Any) -> list[Any]:
        x = _x(lib)
        y = x.contiguous(memory_format=lib.channels_last)
        m = _model(lib)
        m.to(memory_format=lib.channels_last)
        return [
            y.stride(),
            x.to(memory_format=lib.channels_last).stride(),
            y.to(memory_format=lib.contiguous_format).stride(),
            y.to(lib.float64).stride(),
            lib.zeros(1, 3, 1, 1).to(memory_format=lib.channels_last).stride(),
            lib.zeros(1, 3, 1, 1).contiguous(memory_format=lib.channels_last).stride(),
            y.to(memory_format=lib.channels_last) is y,
            [p.stride() for p in m.parameters()],
            [b.stride() for b in m.buffers()],
        ]

    assert strides(ndgrad) == strides(torch)


def test_channels_last_training_step_equals_the_row_major_one() -> None:
    """The values do not depend on the layout: a step on channels-last weights and inputs gives
    the gradients of the row-major one."""
    grads = []
    for fmt in (ndgrad.contiguous_format, ndgrad.channels_last):
        ndgrad.manual_seed(0)
        m = nn.Sequential(nn.Conv2d(3, 4, 3, groups=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        m.to(memory_format=fmt)
        x = ndgrad.randn(2, 3, 5, 5).to(memory_format=fmt)
        F.mse_loss(m(x).flatten(1), ndgrad.ones(2, 4)).backward()
        grads.append(m[0].weight.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6, atol=1e-7)


def test_channels_last_clone_of_a_channels_last_tensor_is_a_copy() -> None:
    """clone(memory_format=channels_last) of a tensor already laid out so shared its memory."""
    x = ndgrad.zeros(2, 3, 4, 5).clone(memory_format=ndgrad.channels_last)
    y = x.clone(memory_format=ndgrad.channels_last)
    y.add_(1)
    assert x.sum().item() == 0.0 and y.sum().item() == 120.0
    z = x.to(ndgrad.float32, memory_format=ndgrad.channels_last, copy=True)
    z.add_(1)
    assert x.sum().item() == 0.0
    # size-1 dims get the strides PyTorch gives them
    one = ndgrad.zeros(1, 3, 1, 1).clone(memory_format=ndgrad.channels_last)
    assert one.stride() == (3, 1, 3, 3)


# --- Module.register_full_backward_hook / register_full_backward_pre_hook ----------------------


def _hooked_run(lib: Any, scale_input: bool = False, scale_output: bool = False) -> list[Any]:
    """A Grad-CAM-like pass: hooks on a middle layer (inputs that require grad) and on the first
    (an input that does not); what the hooks saw and the gradients that came out."""
    m = lib.nn.Sequential(
        lib.nn.Conv2d(2, 3, 3, padding=1), lib.nn.ReLU(), lib.nn.Conv2d(3, 2, 3), lib.nn.Tanh()
    ).double()
    with lib.no_grad():
        for i, p in enumerate(m.parameters()):
            p.copy_(lib.tensor(np.cos(np.arange(p.numel()) + i).reshape(tuple(p.shape))))
    seen: list[Any] = []

    def hook(module: Any, grad_input: Any, grad_output: Any) -> Any:
        seen.append(("hook", type(module).__name__, grad_input, grad_output))
        if scale_input and grad_input[0] is not None:
            return (grad_input[0] * 3,)
        return None

    def pre_hook(module: Any, grad_output: Any) -> Any:
        seen.append(("pre", type(module).__name__, grad_output))
        return (grad_output[0] * -2,) if scale_output else None

    handles = [
        m[2].register_full_backward_hook(hook),
        m[2].register_full_backward_pre_hook(pre_hook),
        m[0].register_full_backward_hook(hook),
    ]
    x = lib.tensor(np.sin(np.arange(50.0)).reshape(1, 2, 5, 5))
    out = m(x)
    names = [out.grad_fn.name(), m[2](m[1](m[0](x))).grad_fn.name()]
    with pytest.warns(UserWarning, match=r"^Full backward hook is firing when gradients are comp"):
        out.sum().backward()  # (the first layer's hook: its input does not require grad)
    hooked_grad = m[0].weight.grad.clone()
    for h in handles:
        h.remove()
    m.zero_grad()
    m(x).sum().backward()  # no hook runs
    assert len(seen) == 3
    return [names, seen, hooked_grad, m, x]


def _plain(v: Any) -> Any:
    if isinstance(v, tuple | list):
        return [_plain(e) for e in v]
    if v is None or isinstance(v, str):
        return v
    return np.round(v.detach().numpy(), 12).tolist()


def test_full_backward_hooks_see_grad_input_and_grad_output() -> None:
    """``register_full_backward_hook`` (Grad-CAM) was missing."""
    names, seen, _, m, x = _hooked_run(ndgrad)
    assert names == ["TanhBackward0", "BackwardHookFunctionBackward"]
    # the pre-hook, then the hook of the middle layer, then the first layer's (its input x does
    # not require grad, so its grad_input is (None,), given when grad_output is known)
    assert [s[:2] for s in seen] == [("pre", "Conv2d"), ("hook", "Conv2d"), ("hook", "Conv2d")]
    for kind, _, *grads in seen:
        if kind == "hook":
            grad_input, grad_output = grads
            assert len(grad_input) == 1 and len(grad_output) == 1
    assert seen[2][2] == (None,)
    z_grad, relu_grad, first_out_grad = seen[1][3][0], seen[1][2][0], seen[2][3][0]
    assert tuple(z_grad.shape) == (1, 2, 3, 3) and tuple(relu_grad.shape) == (1, 3, 5, 5)
    np.testing.assert_array_equal(seen[0][2][0].numpy(), z_grad.numpy())  # what the pre-hook saw
    # grad_input of the middle conv is its input's gradient: conv_transpose of grad_output
    expected = F.conv_transpose2d(z_grad, m[2].weight.detach())
    np.testing.assert_allclose(relu_grad.numpy(), expected.numpy(), rtol=1e-12)
    # the ReLU passes it on where its input was positive: the first conv's grad_output
    positive = m[0](x).detach().numpy() > 0
    np.testing.assert_array_equal(first_out_grad.numpy(), np.where(positive, relu_grad.numpy(), 0))


def test_full_backward_hook_return_values_replace_the_gradients() -> None:
    plain, m = _hooked_run(ndgrad)[2:4]
    np.testing.assert_array_equal(plain.numpy(), m[0].weight.grad.numpy())  # the hooks' removed
    scaled_in = _hooked_run(ndgrad, scale_input=True)[2]
    _, seen, scaled_out, *_ = _hooked_run(ndgrad, scale_output=True)
    # grad_input * 3 reaches the first conv's weight through the ReLU (linear in its gradient)
    np.testing.assert_allclose(scaled_in.numpy(), 3 * plain.numpy(), rtol=1e-12)
    np.testing.assert_allclose(scaled_out.numpy(), -2 * plain.numpy(), rtol=1e-12)
    hook_seen = next(s for s in seen if s[0] == "hook")
    pre_seen = next(s for s in seen if s[0] == "pre")
    np.testing.assert_allclose(hook_seen[3][0].numpy(), -2 * pre_seen[2][0].numpy())


def test_full_backward_hook_errors() -> None:
    lin = nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match=r"^Backward hook returned an invalid number of grad_in"):
        lin(ndgrad.ones(1, 2, requires_grad=True)).sum().backward()
    lin = nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (ndgrad.ones(1, 2),))
    with (
        pytest.raises(RuntimeError, match=r"where no input requires gradient should always"),
        pytest.warns(UserWarning, match="Full backward hook is firing"),
    ):
        lin(ndgrad.ones(1, 2)).sum().backward()
    lin = nn.Linear(2, 2)
    lin.register_full_backward_pre_hook(lambda m, go: (go[0], go[0]))
    with pytest.raises(RuntimeError, match=r"^Backward pre hook returned an invalid number of gr"):
        lin(ndgrad.ones(1, 2)).sum().backward()


@requires_torch
@pytest.mark.parametrize("variant", [{}, {"scale_input": True}, {"scale_output": True}])
def test_full_backward_hooks_match_torch(variant: dict[str, bool]) -> None:
    ours, theirs = _hooked_run(ndgrad, **variant), _hooked_run(torch, **variant)
    assert ours[0] == theirs[0]
    assert _plain(ours[1]) == _plain(theirs[1])
    assert ours[0] == ["TanhBackward0", "BackwardHookFunctionBackward"]
    np.testing.assert_allclose(ours[2].numpy(), theirs[2].numpy(), rtol=1e-12)


# --- Module.get_buffer, set_submodule, share_memory --------------------------------------------


def _module_lookups(lib: Any) -> list[Any]:
    net = lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.BatchNorm2d(2))
    out: list[Any] = [tuple(net.get_buffer("1.running_var").shape), net.share_memory() is net]
    calls = [
        lambda: net.get_buffer("1.weight"),
        lambda: net.get_buffer("1.nothing"),
        lambda: net.get_buffer("2.running_mean"),
        lambda: net.set_submodule("", lib.nn.ReLU()),
        lambda: net.set_submodule("0", 3),
        lambda: net.set_submodule("1.weight", lib.nn.ReLU()),
        lambda: net.set_submodule("0.act", lib.nn.ReLU(), strict=True),
    ]
    for call in calls:
        try:
            call()
            out.append("ok")
        except (AttributeError, ValueError) as e:
            out.append((type(e).__name__, str(e).replace("torch.nn.modules.activation", "")))
    net.set_submodule("1", lib.nn.GroupNorm(1, 2), strict=True)
    net.set_submodule("0.act", lib.nn.ReLU())
    out.append(type(net[1]).__name__)
    out.append(type(net[0].act).__name__)
    return out


def test_module_get_buffer_set_submodule_share_memory() -> None:
    """Missing (AttributeError); a program swapping BatchNorm2d for GroupNorm by name used
    set_submodule."""
    got = _module_lookups(ndgrad)
    assert got[:2] == [(2,), True]
    assert got[2] == ("AttributeError", "`weight` is not a buffer")
    assert got[3] == ("AttributeError", "BatchNorm2d has no attribute `nothing`")
    assert got[4] == ("AttributeError", "Sequential has no attribute `2`")
    assert got[5] == ("ValueError", "Cannot set the submodule without a target name!")
    assert got[6] == ("ValueError", "`module` is not an nn.Module, found <class 'int'>")
    assert got[7] == ("AttributeError", "`weight` is not an nn.Module")
    assert got[8] == ("AttributeError", "Conv2d has no attribute `act`")
    assert got[9:] == ["GroupNorm", "ReLU"]


@requires_torch
def test_module_get_buffer_set_submodule_match_torch() -> None:
    assert _module_lookups(ndgrad) == _module_lookups(torch)


# --- views made under no_grad of a tensor that requires grad -----------------------------------


def test_no_grad_view_of_a_parameter_requires_grad_through_it() -> None:
    """``with torch.no_grad(): print(model.pos_embed[0, :3])`` printed no ``requires_grad=True``:
    PyTorch's view made under no_grad requires grad through its base, and is a leaf that no
    gradient reaches."""
    p = nn.Parameter(ndgrad.ones(2, 3))
    with ndgrad.no_grad():
        a = p[0]
        u = p.unbind(0)[0]
        d = p.detach()[0]
        q = p.view(6)
        prod = p * 2
    assert a.requires_grad and a.is_leaf and a.grad_fn is None
    assert u.requires_grad and q.requires_grad
    assert not d.requires_grad and not prod.requires_grad
    assert repr(a) == "tensor([1., 1., 1.], requires_grad=True)"
    assert type(a).__name__ == "Tensor"
    with pytest.raises(RuntimeError, match=r"^Can't call numpy\(\) on Tensor that requires grad"):
        a.numpy()
    y = (a * 2).sum()
    assert y.requires_grad and y.grad_fn.name() == "SumBackward0"
    y.backward()
    q.sum().backward()
    assert p.grad is None and a.grad is None  # the gradient goes nowhere, as in PyTorch
    for view in (a, u):
        with pytest.raises(RuntimeError, match=r"^A view was created in no_grad mode and is bein"):
            view.mul_(2)
    with ndgrad.no_grad():
        a.mul_(2)
    np.testing.assert_array_equal(p.detach().numpy(), [[2, 2, 2], [1, 1, 1]])
    assert not a.detach().requires_grad
    # it follows its base's flag, read now
    p.requires_grad_(False)
    assert not a.requires_grad
    np.testing.assert_array_equal(a.numpy(), [2, 2, 2])


def test_no_grad_views_of_tensors_not_requiring_grad_are_plain() -> None:
    t = ndgrad.ones(2, 3)
    with ndgrad.no_grad():
        v = t[0]
    assert not v.requires_grad
    v.mul_(3)  # nothing refuses it
    assert t.sum().item() == 12.0


@requires_torch
def test_no_grad_views_match_torch() -> None:
    def run(lib: Any) -> list[Any]:
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 2)
        out: list[Any] = []
        with lib.no_grad():
            w0 = lin.weight[0]
            out += [repr(lin.weight[0, :2]), repr(lin.bias[:1]), repr(w0 * 0)]
            out += [lin.weight.t().requires_grad, lin.weight.flatten().requires_grad]
            out += [lin.weight.split(1)[0].requires_grad, w0.is_leaf]
        out += [(w0 * 2).requires_grad, w0.view(3).requires_grad, str(w0.shape)]
        return out

    assert run(ndgrad) == run(torch)


# --- dropout: the mask of a non-contiguous input, and inplace=True -----------------------------


def test_dropout_mask_fills_a_transposed_input_in_memory_order() -> None:
    """PyTorch draws the mask into ``empty_like(input)``, in memory order: on the batch-first
    output of MultiheadAttention (a transposed tensor) a ViT's TransformerEncoderLayer dropped
    other elements under ndgrad."""
    base = ndgrad.arange(1.0, 13.0).view(3, 4)
    ndgrad.manual_seed(0)
    contiguous = F.dropout(base, 0.5)
    ndgrad.manual_seed(0)
    transposed = F.dropout(base.t(), 0.5)
    # the same draws land on the same memory: the transposed mask is the transpose of the first
    np.testing.assert_array_equal(transposed.numpy(), contiguous.numpy().T)
    ndgrad.manual_seed(0)
    sliced = F.dropout(ndgrad.arange(1.0, 25.0).view(4, 6)[:, ::2].t(), 0.5)  # not dense
    ndgrad.manual_seed(0)
    dense = F.dropout(ndgrad.arange(1.0, 25.0).view(4, 6)[:, ::2].contiguous(), 0.5)
    np.testing.assert_array_equal(sliced.numpy(), dense.numpy().T)


def test_dropout_inplace_writes_into_the_input() -> None:
    """``F.dropout(x, inplace=True)`` (``nn.Dropout(inplace=True)``) left x unchanged."""
    x = ndgrad.ones(6)
    ndgrad.manual_seed(0)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x
    assert sorted(set(x.tolist())) == [0.0, 2.0]
    y = ndgrad.ones(4, requires_grad=True) * 1
    out = nn.Dropout(0.5, inplace=True)(y)
    assert out is y and y.grad_fn.name() == "MulBackward0"
    z = ndgrad.ones(3)
    F.dropout(z, 1.0, inplace=True)
    assert z.tolist() == [0.0, 0.0, 0.0]
    assert F.dropout(ndgrad.tensor(2.0), 0.5).shape == ()


@requires_torch
def test_dropout_layouts_and_inplace_match_torch() -> None:
    def run(lib: Any) -> list[Any]:
        lib.manual_seed(0)
        x = lib.randn(3, 4, 5)
        out = [
            F_.dropout(v, 0.3).tolist()
            for F_ in [lib.nn.functional]
            for v in (x.transpose(0, 1), x.permute(2, 0, 1), x[:, ::2], x.transpose(1, 2)[1:])
        ]
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.2, batch_first=True)
        out.append(layer(lib.randn(3, 5, 8)).detach().numpy())
        y = lib.ones(5)
        lib.nn.functional.dropout(y, 0.5, inplace=True)
        out.append(y.tolist())
        return out

    ours, theirs = run(ndgrad), run(torch)
    np.testing.assert_allclose(ours.pop(4), theirs.pop(4), rtol=1e-5, atol=1e-6)
    assert ours == theirs


# --- rand_like / randn_like / randint_like of a transposed tensor; rrelu's draws ---------------


def test_random_like_fills_in_the_memory_order_of_the_input() -> None:
    """PyTorch's ``randn_like(x)`` is ``empty_like(x).normal_()``: laid out as x and filled in
    memory order (a VAE's ``randn_like(std)`` of a transposed std drew other values)."""
    x = ndgrad.zeros(3, 4)
    for fn in (ndgrad.rand_like, ndgrad.randn_like, lambda t: ndgrad.randint_like(t, 10)):
        ndgrad.manual_seed(0)
        plain = fn(x)
        ndgrad.manual_seed(0)
        transposed = fn(x.t())
        np.testing.assert_array_equal(transposed.numpy(), plain.numpy().T)
        assert transposed.stride() == (1, 4)
        ndgrad.manual_seed(0)
        sliced = fn(ndgrad.zeros(3, 8)[:, ::2])  # not dense: a row-major layout
        np.testing.assert_array_equal(sliced.numpy(), plain.numpy())


def test_multinomial_of_a_transposed_input_draws_in_its_memory_order() -> None:
    """Without replacement PyTorch samples argmax(p / q), q = empty_like(p).exponential_()."""
    probs = ndgrad.rand(4, 3, dtype=ndgrad.float64) + 0.1
    ndgrad.manual_seed(0)
    got = ndgrad.multinomial(probs.t(), 1)
    ndgrad.manual_seed(0)
    q = ndgrad.empty(4, 3, dtype=ndgrad.float64).exponential_()
    assert got.tolist() == (probs.t() / q.t()).argmax(1, keepdim=True).tolist()


def test_rrelu_draws_a_slope_only_for_elements_at_most_zero() -> None:
    """PyTorch's kernel draws one U(lower, upper) double per element <= 0, in row-major order;
    ndgrad drew one for every element, so the slopes and the generator's state differed. (In
    float32 the bounds are rounded to float first.)"""
    x = ndgrad.tensor([-1.0, 2.0, -3.0, 0.0, 4.0, -5.0], dtype=ndgrad.float64)
    ndgrad.manual_seed(0)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    after = ndgrad.rand(1, dtype=ndgrad.float64)
    ndgrad.manual_seed(0)
    u = ndgrad.rand(4, dtype=ndgrad.float64).numpy()
    expected_after = ndgrad.rand(1, dtype=ndgrad.float64)
    slopes = 0.1 + (0.3 - 0.1) * u
    np.testing.assert_array_equal(y.numpy(), [-slopes[0], 2, -3 * slopes[1], 0, 4, -5 * slopes[3]])
    assert after.item() == expected_after.item()
    # the gradient at 0 is the slope drawn there (eval: the mean slope), as PyTorch's backward
    x0 = ndgrad.zeros(1, dtype=ndgrad.float64, requires_grad=True)
    F.rrelu(x0, 0.1, 0.3, training=False).backward()
    assert x0.grad.item() == pytest.approx(0.2)


@requires_torch
def test_random_like_and_rrelu_match_torch() -> None:
    def run(lib: Any) -> list[Any]:
        lib.manual_seed(0)
        x = lib.randn(3, 4, 2)
        out = [
            lib.rand_like(x.transpose(0, 2)).tolist(),
            lib.randn_like(x.permute(1, 0, 2)).tolist(),
            lib.randint_like(x.transpose(0, 1), 7).tolist(),
            lib.rand_like(x.transpose(0, 2)).stride(),
            lib.nn.functional.rrelu(x, training=True).tolist(),
            lib.nn.RReLU(0.2, 0.4)(x.transpose(1, 2)).tolist(),
            lib.rand(2).tolist(),
            lib.multinomial(x[0].t().abs() + 0.1, 2).tolist(),
            lib.multinomial(x[1].abs().t() + 0.1, 1).tolist(),
        ]
        x0 = lib.zeros(2, requires_grad=True)
        lib.nn.functional.rrelu(x0, training=True).sum().backward()
        out.append(x0.grad.tolist())
        return out

    assert run(ndgrad) == run(torch)


# --- the deprecated Module.register_backward_hook; node hooks see validated gradients ---------


def _legacy_hook_run(lib: Any) -> list[Any]:
    lib.manual_seed(0)
    got: list[Any] = []
    out: list[Any] = []
    for m in (lib.nn.Conv2d(2, 3, 3), lib.nn.Linear(4, 2), lib.nn.ReLU()):
        x = lib.randn(1, 2, 4, 4) if isinstance(m, lib.nn.Conv2d) else lib.randn(2, 4)
        x = x.requires_grad_() * 1  # an input with history: ReLU's hook warns nothing

        def hook(mod: Any, gi: Any, go: Any) -> None:
            got.append((type(mod).__name__, [None if g is None else g.tolist() for g in gi]))
            got.append([g.tolist() for g in go])

        m.register_backward_hook(hook)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = m(x)
        out.append([(w.category.__name__, str(w.message)) for w in caught])
        y.pow(2).sum().backward()
        with pytest.raises(RuntimeError, match=r"^Cannot use both regular backward hooks and full"):
            m.register_full_backward_hook(lambda *a: None)
    lin = lib.nn.Linear(2, 2)
    lin.register_backward_hook(lambda m, gi, go: (gi[0] * 0, gi[1], gi[2]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = lin(lib.ones(1, 2, requires_grad=True))
    y.sum().backward()
    return [got, out, lin.bias.grad.tolist()]


def test_legacy_backward_hook_sees_the_output_node_gradients() -> None:
    """``register_backward_hook`` (older Grad-CAM code) was missing: its hook gets the input
    gradients of the node that made the module's output, and PyTorch's FutureWarning when those
    are not the module's."""
    got, warned, bias_grad = _legacy_hook_run(ndgrad)
    names = [g[0] for g in got[::2]]
    assert names == ["Conv2d", "Linear", "ReLU"]
    conv_inputs = got[0][1]  # ConvolutionBackward0: (input, weight, bias)
    assert [np.shape(g) for g in conv_inputs] == [(1, 2, 4, 4), (3, 2, 3, 3), (3,)]
    linear_inputs = got[2][1]  # AddmmBackward0: (bias, input, weight.t()), the bias summed
    assert [np.shape(g) for g in linear_inputs] == [(2,), (2, 4), (4, 2)]
    assert warned[0] == warned[1] != [] and warned[2] == []
    assert warned[0][0][0] == "FutureWarning"
    assert bias_grad == [0.0, 0.0]  # the hook's return replaced the bias's gradient


def test_node_hook_sees_gradients_summed_to_the_input_shapes() -> None:
    """PyTorch validates a node's gradients before its post-hooks run."""
    lin = nn.Linear(4, 2)
    y = lin(ndgrad.ones(3, 4))
    seen = []
    y.grad_fn.register_hook(lambda gi, go: seen.append([g if g is None else g.shape for g in gi]))
    y.sum().backward()
    assert seen == [[(2,), None, (4, 2)]]  # (the input needs no gradient)
    assert lin.bias.grad.tolist() == [3.0, 3.0]


@requires_torch
def test_legacy_backward_hook_matches_torch() -> None:
    ours, theirs = _legacy_hook_run(ndgrad), _legacy_hook_run(torch)
    assert ours[1] == theirs[1] and ours[2] == theirs[2]
    assert [g[0] for g in ours[0][::2]] == [g[0] for g in theirs[0][::2]]
    for a, b in zip(ours[0], theirs[0], strict=True):
        flat_a = a[1] if isinstance(a, tuple) else a
        flat_b = b[1] if isinstance(b, tuple) else b
        for ga, gb in zip(flat_a, flat_b, strict=True):
            np.testing.assert_allclose(np.array(ga), np.array(gb), rtol=1e-5, atol=1e-6)


# --- layouts: a convolution of channels-last tensors, the *_like functions, empty -------------


def test_convolution_of_a_channels_last_input_or_weight_is_channels_last() -> None:
    """PyTorch's channels-last tutorial prints ``output.is_contiguous(memory_format=
    torch.channels_last)``: True there, False under ndgrad."""
    ndgrad.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3)
    x = ndgrad.randn(2, 3, 5, 5)
    xc = x.contiguous(memory_format=ndgrad.channels_last)
    y, yc = conv(x), conv(xc)
    assert y.stride() == (36, 9, 3, 1) and yc.stride() == (36, 1, 12, 4)
    assert yc.is_contiguous(memory_format=ndgrad.channels_last)
    np.testing.assert_allclose(yc.detach().numpy(), y.detach().numpy(), rtol=1e-6, atol=1e-6)
    conv.to(memory_format=ndgrad.channels_last)
    assert conv(x).stride() == (36, 1, 12, 4)
    t = nn.ConvTranspose2d(3, 2, 3)
    assert t(xc).stride() == (98, 1, 14, 2)
    # a (N, C, 1, 1) or one-channel tensor is read as row-major
    one = ndgrad.randn(2, 1, 3, 3).contiguous(memory_format=ndgrad.channels_last)
    assert nn.Conv2d(1, 2, 1)(one).stride() == (18, 9, 3, 1)


def test_like_functions_keep_the_input_layout() -> None:
    y = ndgrad.zeros(2, 3, 4, 5).contiguous(memory_format=ndgrad.channels_last)
    t = ndgrad.zeros(3, 4).t()
    s = ndgrad.zeros(4, 6)[:, ::2]
    for fn, value in (
        (ndgrad.zeros_like, 0.0),
        (ndgrad.ones_like, 1.0),
        (ndgrad.empty_like, None),
        (lambda v, **k: ndgrad.full_like(v, 2.5, **k), 2.5),
    ):
        a, b, c = fn(y), fn(t), fn(s)
        assert (a.stride(), b.stride(), c.stride()) == ((60, 1, 15, 3), (1, 4), (3, 1))
        if value is not None:
            assert a.eq(value).all() and b.eq(value).all()
        assert fn(y, memory_format=ndgrad.contiguous_format).stride() == (60, 20, 5, 1)
        assert fn(t, memory_format=ndgrad.preserve_format).stride() == (1, 4)
    with pytest.raises(RuntimeError, match=r"^required rank 4 tensor to use channels_last format"):
        ndgrad.zeros_like(t, memory_format=ndgrad.channels_last)
    assert ndgrad.empty(2, 3, 4, 5, memory_format=ndgrad.channels_last).stride() == (60, 1, 15, 3)
    with pytest.raises(RuntimeError, match=r"^unsupported memory format Preserve$"):
        ndgrad.empty(2, 3, memory_format=ndgrad.preserve_format)
    assert ndgrad.zeros_like(t, requires_grad=True).requires_grad


@requires_torch
def test_layouts_match_torch() -> None:
    def run(lib: Any) -> list[Any]:
        lib.manual_seed(0)
        x = lib.randn(2, 3, 6, 6)
        xc = x.contiguous(memory_format=lib.channels_last)
        conv = lib.nn.Conv2d(3, 4, 3, padding=1)
        out = [conv(xc).stride(), conv(x).stride()]
        out.append(lib.nn.ConvTranspose2d(3, 2, 2, stride=2)(xc).stride())
        out.append(lib.nn.Conv2d(3, 3, 3, groups=3)(xc).stride())
        out += [f(xc).stride() for f in (lib.zeros_like, lib.ones_like, lib.empty_like)]
        out += [lib.full_like(x.transpose(1, 3), 3).stride()]
        out.append(lib.empty(2, 3, 4, 5, memory_format=lib.channels_last).stride())
        return out

    assert run(ndgrad) == run(torch)


# --- forward hooks: with_kwargs, always_call -----------------------------------------------------


def _kwargs_hook_run(lib: Any) -> list[Any]:
    class Scaled(lib.nn.Module):
        def forward(self, x: Any, scale: float = 1.0) -> Any:
            if scale < 0:
                raise ValueError("negative scale")
            return x * scale

    m = Scaled()
    seen: list[Any] = []
    m.register_forward_pre_hook(
        lambda mod, args, kw: (args, {**kw, "scale": 2.0}), with_kwargs=True
    )
    m.register_forward_hook(
        lambda mod, args, kw, out: seen.append((sorted(kw), out.tolist())), with_kwargs=True
    )
    m.register_forward_hook(lambda mod, args, out: out + 1)
    m.register_forward_hook(lambda mod, args, out: seen.append(("always", out)), always_call=True)
    out = [m(lib.ones(2), scale=0.5).tolist()]
    bad = Scaled()
    bad.register_forward_hook(lambda mod, args, out: seen.append(("always", out)), always_call=True)
    bad.register_forward_pre_hook(lambda mod, args, kw: 3, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"^forward pre-hook must return None or a tuple of \("):
        bad(lib.ones(1))
    worse = Scaled()
    worse.register_forward_hook(
        lambda mod, args, out: seen.append(("always", out)), always_call=True
    )
    with pytest.raises(ValueError, match="negative scale"):
        worse(lib.ones(1), scale=-1.0)
    out.append([s if s[0] != "always" or s[1] is None else (s[0], s[1].tolist()) for s in seen])
    return out


def test_forward_hooks_with_kwargs_and_always_call() -> None:
    """``register_forward_hook(..., with_kwargs=True)`` (a model summary hook) raised TypeError."""
    out = _kwargs_hook_run(ndgrad)
    assert out[0] == [3.0, 3.0]  # scale 2 from the pre-hook, then + 1
    # an always_call hook runs also when a pre-hook or forward raises (output None)
    assert out[1] == [
        (["scale"], [2.0, 2.0]),
        ("always", [3.0, 3.0]),
        ("always", None),
        ("always", None),
    ]


@requires_torch
def test_forward_hooks_with_kwargs_match_torch() -> None:
    assert _kwargs_hook_run(ndgrad) == _kwargs_hook_run(torch)


# --- nn.utils.prune (PyTorch's pruning tutorial) -------------------------------------------------


def _prune_run(lib: Any, prune: Any) -> list[Any]:
    lib.manual_seed(0)
    conv = lib.nn.Conv2d(1, 6, 3)
    fc = lib.nn.Linear(8, 4)
    out: list[Any] = []
    prune.random_unstructured(conv, name="weight", amount=0.3)
    out.append(sorted(n for n, _ in conv.named_parameters()))
    out.append(sorted(n for n, _ in conv.named_buffers()))
    out.append(conv.weight_mask.flatten().tolist())
    out.append(type(conv.weight.grad_fn).__name__)
    prune.l1_unstructured(conv, name="bias", amount=3)
    out.append(conv.bias.tolist())
    prune.ln_structured(conv, name="weight", amount=0.5, n=2, dim=0)
    out.append(conv.weight_mask.sum((1, 2, 3)).tolist())
    hook = next(h for h in conv._forward_pre_hooks.values() if h._tensor_name == "weight")
    out.append([type(m).__name__ for m in hook])
    prune.random_structured(fc, "weight", amount=2, dim=1)
    out.append(fc.weight_mask.sum(0).tolist())
    prune.remove(conv, "weight")
    out.append([n for n, _ in conv.named_parameters()])
    out.append(prune.is_pruned(conv))
    prune.global_unstructured(
        [(conv, "weight"), (fc, "bias")], pruning_method=prune.L1Unstructured, amount=0.4
    )
    out.append([(conv.weight == 0).sum().item(), (fc.bias == 0).sum().item()])
    y = conv(lib.ones(1, 1, 3, 3))
    out.append(y.flatten().tolist())
    fresh = lib.nn.Linear(8, 4)
    for call, kind in (
        (lambda: prune.l1_unstructured(fresh, "weight", amount=1.5), ValueError),
        (lambda: prune.l1_unstructured(fresh, "weight", amount=50), ValueError),
        (lambda: prune.ln_structured(fresh, "bias", amount=1, n=2, dim=0), ValueError),
        (lambda: prune.remove(fresh, "weight"), ValueError),
    ):
        with pytest.raises(kind) as info:
            call()
        out.append(str(info.value).replace("torch.nn.modules.linear.", "").split(" of module")[0])
    out.append(sorted(n for n, _ in fresh.named_parameters()))
    return out


def test_prune_masks_and_reparametrisation() -> None:
    """``torch.nn.utils.prune`` was missing (PyTorch's pruning tutorial)."""
    import ndgrad.nn.utils.prune as prune

    out = _prune_run(ndgrad, prune)
    assert out[0] == ["bias", "weight_orig"] and out[1] == ["weight_mask"]
    assert out[2].count(0.0) == round(0.3 * 54) and out[3] == "MulBackward0"
    assert out[4].count(0.0) == 3
    assert sorted(out[5])[:3] == [0.0, 0.0, 0.0] and min(sorted(out[5])[3:]) > 0  # 3 filters
    assert out[6] == ["RandomUnstructured", "LnStructured"]
    assert sorted(out[7]).count(0.0) == 2
    assert out[8] == ["bias_orig", "weight"] and out[9] is True  # the bias is pruned still
    assert out[12].startswith("amount=1.5 should either be a float in the range [0, 1]")
    assert out[13] == "amount=50 should be smaller than the number of parameters to prune=32"
    assert out[14].startswith("Structured pruning can only be applied to multidimensional")
    assert out[15] == "Parameter 'weight'" and out[16] == ["bias", "weight"]


@requires_torch
def test_prune_matches_torch() -> None:
    import torch.nn.utils.prune as torch_prune

    import ndgrad.nn.utils.prune as prune

    ours, theirs = _prune_run(ndgrad, prune), _prune_run(torch, torch_prune)
    np.testing.assert_allclose(ours.pop(11), theirs.pop(11), rtol=1e-6)
    assert ours == theirs


# --- linear and trilinear interpolation round float32 as PyTorch's fused kernel ---------------


def test_linear_interpolation_rounds_as_a_fused_multiply_add() -> None:
    """PyTorch computes t0·w0 + t1·w1 as fma(t0, w0, round(t1·w1)) in float: the last bit of
    about a fifth of ndgrad's float32 values differed."""
    x = (np.random.default_rng(0).random((1, 1, 40)) * 3 - 1).astype(np.float32)
    got = F.interpolate(ndgrad.tensor(x), size=17, mode="linear").numpy()[0, 0]
    from ndgrad.nn._pooling import _linear_taps  # PyTorch's indices and weights

    idx, w = _linear_taps(40, 17, False, None, np.dtype(np.float32))
    i0, i1 = idx[:, 0], idx[:, 1]
    w0, w1 = w[:, 0].astype(np.float32), w[:, 1].astype(np.float32)
    second = x[0, 0, i1] * w1  # rounded to float
    expected = (x[0, 0, i0].astype(np.float64) * w0 + second).astype(np.float32)
    np.testing.assert_array_equal(got, expected)


@requires_torch
@pytest.mark.parametrize(
    ("shape", "size", "mode"),
    [((2, 3, 41), (17,), "linear"), ((1, 2, 5, 6, 7), (9, 4, 11), "trilinear")],
)
@pytest.mark.parametrize("align_corners", [False, True])
def test_linear_interpolation_float32_bits_match_torch(
    shape: tuple[int, ...], size: tuple[int, ...], mode: str, align_corners: bool
) -> None:
    x = (np.random.default_rng(1).random(shape) * 3 - 1).astype(np.float32)
    ours = F.interpolate(ndgrad.tensor(x), size=size, mode=mode, align_corners=align_corners)
    theirs = torch.nn.functional.interpolate(
        torch.tensor(x), size=size, mode=mode, align_corners=align_corners
    )
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
