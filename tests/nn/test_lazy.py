"""Lazy modules, UninitializedParameter/Buffer, nn.Buffer and the compatibility names, against
PyTorch: shapes inferred from the first input, the same seeded init, reprs, state dicts, errors."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.nn as nn
from ndgrad.autograd import gradcheck, gradgradcheck

LAZY = [
    ("LazyLinear(3)", (2, 4)),
    ("LazyLinear(2, bias=False)", (3, 2, 5)),
    ("LazyConv1d(4, 3, stride=2)", (2, 3, 7)),
    ("LazyConv2d(4, 3, padding=1, groups=2)", (2, 2, 5, 5)),
    ("LazyConv2d(2, 2)", (3, 4, 4)),
    ("LazyConv3d(2, (1, 2, 2), bias=False)", (1, 2, 3, 3, 3)),
    ("LazyConvTranspose1d(3, 2, stride=2)", (2, 4, 3)),
    ("LazyConvTranspose2d(4, 3, groups=2)", (1, 2, 3, 3)),
    ("LazyConvTranspose3d(2, 2, output_padding=1, stride=2)", (1, 3, 2, 2, 2)),
    ("LazyBatchNorm1d()", (4, 3)),
    ("LazyBatchNorm2d(momentum=None)", (2, 3, 2, 2)),
    ("LazyBatchNorm3d(affine=False)", (2, 3, 2, 1, 2)),
    ("LazyInstanceNorm1d()", (2, 3, 4)),
    ("LazyInstanceNorm2d(affine=False, track_running_stats=False)", (2, 3, 2, 3)),
    ("LazyInstanceNorm3d(bias=False)", (2, 3, 2, 2, 2)),
]


def _pair(code: str) -> tuple[Any, Any]:
    ndgrad.manual_seed(3)
    ours = eval("nn." + code, {"nn": nn})
    torch.manual_seed(3)
    theirs = eval("nn." + code, {"nn": torch.nn})
    return ours, theirs


@requires_torch
@pytest.mark.parametrize(("code", "shape"), LAZY, ids=[c for c, _ in LAZY])
def test_lazy_module_matches_torch(code: str, shape: tuple[int, ...]) -> None:
    ours, theirs = _pair(code)
    assert repr(ours) == repr(theirs)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    assert [type(v).__name__ for v in sd.values()] == [type(v).__name__ for v in tsd.values()]
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    ndgrad.manual_seed(5)
    torch.manual_seed(5)
    with warnings.catch_warnings(record=True) as ours_warned:
        warnings.simplefilter("always")
        y = ours(ndgrad.tensor(a))
    with warnings.catch_warnings(record=True) as theirs_warned:
        warnings.simplefilter("always")
        ty = theirs(torch.tensor(a))
    # (an instance norm with nothing lazy keeps num_features=0 and warns, in both)
    assert [str(w.message) for w in ours_warned] == [str(w.message) for w in theirs_warned]
    assert type(ours).__name__ == type(theirs).__name__  # LazyLinear became Linear
    assert repr(ours) == repr(theirs)
    for (k, v), (tk, tv) in zip(
        ours.state_dict().items(), theirs.state_dict().items(), strict=True
    ):
        assert k == tk and type(v).__name__ == type(tv).__name__
        assert v.dtype.name == str(tv.dtype).replace("torch.", "")
        if k.endswith(("weight", "bias")):
            assert np.array_equal(v.numpy(), tv.numpy()), k  # the same seeded init
        else:  # running statistics after one batch
            assert_close(v, tv, rtol=1e-6, atol=1e-7)
    assert all(type(p) is nn.Parameter for p in ours.parameters())
    assert_close(y, ty, rtol=1e-5, atol=1e-6)
    assert len(ours._forward_pre_hooks) == len(theirs._forward_pre_hooks) == 0


@requires_torch
def test_lazy_load_state_dict_materialises() -> None:
    for lib in (ndgrad, torch):
        m = lib.nn.LazyLinear(3)
        m.load_state_dict(lib.nn.Linear(5, 3).state_dict())
        assert type(m).__name__ == "LazyLinear" and tuple(m.weight.shape) == (3, 5)
        m(lib.zeros(2, 5))
        assert type(m).__name__ == "Linear"


def test_uninitialized_placeholders() -> None:
    p = nn.UninitializedParameter()
    assert repr(p) == "<UninitializedParameter>" and p.requires_grad
    assert isinstance(p, nn.Parameter)
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        _ = p.shape
    p.materialize((2, 3), dtype=ndgrad.float64)
    assert type(p) is nn.Parameter and p.shape == (2, 3) and p.dtype == ndgrad.float64
    b = nn.UninitializedBuffer()
    assert repr(b) == "<UninitializedBuffer>" and not b.requires_grad
    b.materialize(4)
    assert type(b) is ndgrad.Tensor and b.shape == (4,) and b.dtype == ndgrad.float32


ERRORS = [
    ("nn.LazyConv2d(4, 3)(T.zeros(3, 3))", RuntimeError,
     "Expected 3D (unbatched) or 4D (batched) input to LazyConv2d, but got input of size: "
     "torch.Size([3, 3])"),
    ("nn.LazyConv2d(4, 3, groups=2)(T.zeros(1, 3, 5, 5))", ValueError,
     "in_channels must be divisible by groups"),
    ("nn.UninitializedParameter().shape", RuntimeError,
     "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
     "in `load_state_dict` when trying to load an uninitialized parameter into an initialized "
     "one. Call `forward` to initialize the parameters before accessing their attributes."),
    ("nn.factory_kwargs({'size': 1})", TypeError, "unexpected kwargs {'size'}"),
    ("nn.factory_kwargs({'dtype': 1, 'factory_kwargs': {'dtype': 2}})", TypeError,
     "dtype specified twice, in **kwargs and in factory_kwargs"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_errors(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"T": ndgrad, "nn": nn})


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_error_texts_are_torchs(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"T": torch, "nn": torch.nn})


@requires_torch
def test_buffer_registers_itself() -> None:
    for lib in (ndgrad, torch):

        class M(lib.nn.Module):  # type: ignore[name-defined, misc]
            def __init__(self, lib: Any = lib) -> None:
                super().__init__()
                self.a = lib.nn.Buffer(lib.ones(2), persistent=False)
                self.b = lib.nn.Buffer(lib.zeros(1, requires_grad=True))
                self.c = lib.ones(3)  # a plain tensor stays a plain attribute

        m = M()
        assert list(m.state_dict()) == ["b"]
        assert [n for n, _ in m.named_buffers()] == ["a", "b"]
        assert isinstance(m.a, lib.nn.Buffer) and not isinstance(m.c, lib.nn.Buffer)
        assert type(m.a) is lib.Tensor and m.b.requires_grad and m.b.is_leaf


@requires_torch
def test_compat_names() -> None:
    kw = {"device": None, "dtype": ndgrad.float64, "factory_kwargs": {"memory_format": None}}
    assert nn.factory_kwargs(kw) == {"device": None, "dtype": ndgrad.float64, "memory_format": None}
    assert nn.factory_kwargs(None) == {}
    with pytest.warns(FutureWarning, match=re.escape("`nn.Container` is deprecated.")):
        c = nn.Container(a=nn.Linear(1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tc = torch.nn.Container(a=torch.nn.Linear(1, 1))
    assert repr(c) == repr(tc)
    msg = "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement"
    for lib in (nn, torch.nn):
        with pytest.warns(FutureWarning, match=re.escape(msg)):
            loss = lib.NLLLoss2d(reduction="sum")
        assert repr(loss) == "NLLLoss2d()" and isinstance(loss, lib.NLLLoss)
    x, t = np.random.default_rng(0).standard_normal((2, 3, 2, 2)), np.array([[[0, 1], [2, 1]]] * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = nn.NLLLoss2d(reduction="sum")(ndgrad.tensor(x), ndgrad.tensor(t))
        theirs = torch.nn.NLLLoss2d(reduction="sum")(torch.tensor(x), torch.tensor(t))
    assert_close(ours, theirs)
    assert issubclass(nn.RNNCell, nn.RNNCellBase) and issubclass(nn.GRUCell, nn.RNNCellBase)


@requires_torch
@pytest.mark.parametrize("batched", [True, False])
def test_adaptive_log_softmax_matches_torch(batched: bool) -> None:
    code = "AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0, head_bias=True)"
    ours, theirs = _pair(code)
    assert repr(ours) == repr(theirs)
    for (k, v), (tk, tv) in zip(
        ours.state_dict().items(), theirs.state_dict().items(), strict=True
    ):
        assert k == tk and np.array_equal(v.numpy(), tv.numpy())  # the same seeded init
    ours, theirs = ours.double(), theirs.double()
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 8) if batched else (8,))
    t = np.array([0, 4, 9, 2, 7]) if batched else np.array(7)
    x, tx = ndgrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = ours(x, ndgrad.tensor(t)), theirs(tx, torch.tensor(t))
    assert_close(out.output, tout.output, rtol=1e-12, atol=1e-12)
    assert_close(out.loss, tout.loss, rtol=1e-12, atol=1e-12)
    assert out.loss.grad_fn.name() == tout.loss.grad_fn.name()
    out.loss.backward()
    tout.loss.backward()
    assert_close(x.grad, tx.grad, rtol=1e-12, atol=1e-12)
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        if q.grad is None:  # a cluster no target falls in
            assert p.grad is None, n
        else:
            assert_close(p.grad, q.grad, rtol=1e-12, atol=1e-12)
    if batched:
        assert_close(ours.log_prob(x), theirs.log_prob(tx), rtol=1e-12, atol=1e-12)
        assert ours.predict(x).tolist() == theirs.predict(tx).tolist()


ASM_ERRORS = [
    ("nn.AdaptiveLogSoftmaxWithLoss(4, 10, [])", ValueError,
     "cutoffs should be a sequence of length larger than 0"),
    ("nn.AdaptiveLogSoftmaxWithLoss(4, 10, [5, 3])", ValueError,
     "cutoffs should be a sequence of unique, positive integers sorted in an increasing order, "
     "where each value is between 1 and n_classes-1"),
    ("nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3])(T.zeros(2, 4), T.tensor([1, 10]))", RuntimeError,
     "Target values should be in [0, 9], but values in range [1, 10] were found. "),
    ("nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3])(T.zeros(2, 4), T.tensor([1]))", RuntimeError,
     "Input and target should have the same size in the batch dimension."),
    ("nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3])(T.zeros(2, 4), T.tensor(1))", RuntimeError,
     "0D target tensor expects 1D input tensors, but found inputs with size torch.Size([2, 4])"),
    ("nn.AdaptiveLogSoftmaxWithLoss(4, 10, [3])(T.zeros(2, 4), T.zeros(2, 2).long())",
     RuntimeError, "0D or 1D target tensor expected, multi-target not supported"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "exc", "msg"), ASM_ERRORS)
def test_adaptive_errors(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"T": ndgrad, "nn": nn})


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), ASM_ERRORS)
def test_adaptive_error_texts_are_torchs(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"T": torch, "nn": torch.nn})


def test_adaptive_log_softmax_gradcheck() -> None:
    ndgrad.manual_seed(0)
    m = nn.AdaptiveLogSoftmaxWithLoss(6, 8, [2, 5], div_value=2.0).double()
    x = ndgrad.tensor(np.random.default_rng(0).standard_normal((4, 6)), requires_grad=True)
    t = ndgrad.tensor([0, 3, 7, 6])

    def f(x: Any) -> Any:
        out = m(x, t)
        return out.output, out.loss

    assert gradcheck(f, [x])
    assert gradgradcheck(f, [x])
