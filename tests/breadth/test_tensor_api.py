"""The Tensor API beyond ops (issue 11): queries, legacy constructors and types, in-place
reshapes, resize_, out=, and the device/settings API; compared with PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ndgrad

from ..helpers import requires_torch, torch
from .parity import check

PARITY = [
    "torch.arange(6.).reshape(2, 3).imag",
    "torch.arange(6.).reshape(2, 3).real",
    "torch.arange(6.).reshape(2, 3).is_nonzero()",
    "torch.tensor([]).is_nonzero()",
    "torch.tensor([0.]).is_nonzero()",
    "torch.tensor(2).is_nonzero()",
    "torch.arange(6.).get_device()",
    "repr(torch.arange(6.).layout)",
    "repr(torch.strided)",
    "repr(torch.contiguous_format)",
    "torch.arange(6.).output_nr",
    "torch.arange(6.).itemsize",
    "torch.arange(6).nbytes",
    "torch.arange(6.).reshape(2, 3)[1].storage_offset()",
    "torch.arange(6.).reshape(2, 3)[:, 1].storage_offset()",
    "torch.arange(6.).is_signed()",
    "torch.tensor([1], dtype=torch.uint8).is_signed()",
    "torch.tensor([True]).is_signed()",
    "torch.arange(6.).reshape(2, 3).H",
    "torch.arange(6.).reshape(2, 3).mH",
    "torch.ones(3).H",
    "torch.arange(6.).reshape(2, 3).adjoint()",
    "torch.arange(6.).reshape(2, 3).conj()",
    "torch.arange(6.).is_complex()",
    "torch.is_complex(torch.arange(6.))",
    "torch.arange(6.).reshape(2, 3).sum_to_size(1, 3)",
    "torch.arange(6.).reshape(2, 3).sum_to_size((3,))",
    "torch.arange(6.).reshape(2, 3).sum_to_size(2)",
    "torch.arange(6.).reshape(2, 3).resize_(3, 2)",
    "torch.ones(2).resize_(3)[:2]",
    "torch.ones(2).resize_(3, 1)[:2]",
    "torch.ones(2, 2).resize_(3)",
    "torch.ones(2).resize_as_(torch.ones(2, 1)).shape",
    "torch.ones(2, requires_grad=True).resize_(3)",
    "torch.arange(6.).new([1, 2])",
    "torch.arange(6).new([1, 2])",
    "torch.arange(6.).new()",
    "torch.arange(6.).new(2, 3).shape",
    "torch.arange(6.).reshape(2, 3).apply_(lambda v: v * 2)",
    "torch.arange(6.).map_(torch.ones(6), lambda a, b: a + b)",
    "torch.arange(6.).type_as(torch.ones(1, dtype=torch.long))",
    "torch.tensor([1.5, -2.5]).byte()",
    "torch.tensor([1.5]).char()",
    "torch.tensor([1.5]).short()",
    "torch.ones(2, 3).t_().shape",
    "torch.ones(2, 3, requires_grad=True).t_()",
    "(torch.ones(2, 3, requires_grad=True) * 2).t_().unsqueeze_(0).squeeze_().shape",
    "torch.ones(2, 3, 1).squeeze_(2).shape",
    "torch.ones(2, 3).transpose_(0, 1).shape",
    "torch.ones(2, 3).swapaxes_(0, 1).shape",
    "torch.ones(2, 3).swapdims_(1, 0).shape",
    "torch.ones(2, 3).unsqueeze_(-1).shape",
    "torch.ones(2, 3).t().is_contiguous()",
    "torch.ones(2, 3).t().contiguous().is_contiguous()",
    "torch.ones(2, 3).contiguous(memory_format=torch.contiguous_format).shape",
    "torch.ones(2).is_conj()",
    "torch.ones(2).is_neg()",
    "torch.ones(2).is_inference()",
    "torch.ones(2, 1).is_same_size(torch.ones(2))",
    "torch.ones(2).is_cpu",
    "torch.ones(2).is_sparse",
    "torch.ones(2).is_quantized",
    "torch.ones(2).is_meta",
    "torch.ones(2).pin_memory()",
    # legacy types
    "torch.FloatTensor(2, 3).shape",
    "torch.FloatTensor([1, 2])",
    "torch.LongTensor([1, 2])",
    "torch.DoubleTensor([[1, 2]])",
    "torch.IntTensor([1.7])",
    "torch.ByteTensor([1, 2])",
    "torch.BoolTensor([1, 0])",
    "torch.ShortTensor(2).dtype",
    "torch.CharTensor([3])",
    "torch.HalfTensor([1.5])",
    "torch.FloatTensor()",
    "torch.FloatTensor(torch.ones(2))",
    "torch.FloatTensor(torch.ones(2, dtype=torch.int64))",
    "torch.FloatTensor.dtype",
    "torch.LongTensor.dtype",
    "repr(torch.FloatTensor)",
    "isinstance(torch.zeros(2), torch.FloatTensor)",
    "isinstance(torch.zeros(2), torch.DoubleTensor)",
    "isinstance(torch.zeros(2, dtype=torch.long), torch.LongTensor)",
    "isinstance(torch.zeros(2), torch.Tensor)",
    "torch.zeros(2).type(torch.DoubleTensor)",
    "torch.zeros(2).type('torch.LongTensor')",
    "torch.zeros(2).type('torch.Nope')",
    "torch.zeros(2).type()",
    "torch.zeros(2, dtype=torch.int32).type()",
    # Variable
    "torch.autograd.Variable(torch.ones(2), requires_grad=True)",
    "torch.autograd.Variable(torch.ones(2))",
    "torch.autograd.Variable([1., 2])",
    "torch.autograd.Variable(torch.ones(2, requires_grad=True) * 2).grad_fn",
    "isinstance(torch.ones(2), torch.autograd.Variable)",
    "isinstance(3, torch.autograd.Variable)",
    # device and settings
    "torch.get_default_device()",
    "torch.set_default_device('cpu')",
    "torch.set_num_threads(0)",
    "torch.set_num_interop_threads(0)",
    "torch.are_deterministic_algorithms_enabled()",
    "torch.get_float32_matmul_precision()",
    "torch.accelerator.is_available()",
    "torch.backends.mps.is_available()",
    "torch.backends.cudnn.is_available()",
    "torch.jit.is_scripting()",
    "torch.onnx.is_in_onnx_export()",
]


@requires_torch
@pytest.mark.parametrize("expr", PARITY)
def test_matches_torch(expr: str) -> None:
    try:
        check(expr)
    finally:
        if "set_default_device" in expr:
            # torch keeps a device mode on for the rest of the session otherwise (under which
            # some of its functions behave differently, e.g. F.l1_loss drops `weight`).
            torch.set_default_device(None)
            ndgrad.set_default_device(None)


def test_variable_is_the_tensor_on_the_same_storage() -> None:
    x = ndgrad.zeros(3)
    v = ndgrad.autograd.Variable(x, requires_grad=True)
    assert v.requires_grad and not x.requires_grad
    with ndgrad.no_grad():
        v[0] = 5.0
    assert x[0].item() == 5.0


def test_legacy_types_allocate_and_copy() -> None:
    t = ndgrad.LongTensor(2, 3)
    assert t.shape == (2, 3) and t.dtype == ndgrad.int64 and not t.any()
    np.testing.assert_array_equal(ndgrad.FloatTensor([[1, 2]]).numpy(), np.float32([[1, 2]]))
    assert isinstance(ndgrad.ones(1, dtype=ndgrad.uint8), ndgrad.ByteTensor)
    assert not isinstance(ndgrad.ones(1), ndgrad.ByteTensor)


def test_other_devices_are_refused() -> None:
    with pytest.raises(RuntimeError, match="CPU only; device 'cuda'"):
        ndgrad.set_default_device("cuda")
    assert ndgrad.get_default_device() == ndgrad.device("cpu")


def test_compile_is_a_no_op() -> None:
    def f(x: int) -> int:
        return x + 1

    assert ndgrad.compile(f) is f
    assert ndgrad.compile(mode="reduce-overhead")(f) is f


def test_jit_and_onnx_refuse_clearly() -> None:
    import ndgrad.jit
    import ndgrad.onnx

    with pytest.raises(NotImplementedError, match="no TorchScript compiler"):
        ndgrad.jit.script(lambda x: x)
    with pytest.raises(NotImplementedError, match="cannot export models to ONNX"):
        ndgrad.onnx.export(None, None, "model.onnx")
    assert ndgrad.jit.ignore(len) is len and ndgrad.jit.unused(len) is len


def test_backends_flags_are_settable() -> None:
    import ndgrad.backends.cudnn

    old = ndgrad.backends.cudnn.deterministic
    ndgrad.backends.cudnn.deterministic = True
    ndgrad.backends.cudnn.deterministic = old
    assert ndgrad.backends.cudnn.version() is None


def test_resize_keeps_elements_in_order() -> None:
    x = ndgrad.arange(6.0)
    x.resize_(2, 2)
    np.testing.assert_array_equal(x.numpy(), [[0, 1], [2, 3]])
    x.resize_(5)
    np.testing.assert_array_equal(x.numpy(), [0, 1, 2, 3, 0])


def test_in_place_reshape_is_recorded() -> None:
    a = ndgrad.ones(2, 3, requires_grad=True)
    b = a * ndgrad.arange(3.0)
    b.t_().unsqueeze_(0)
    assert b.shape == (1, 3, 2)
    (b * ndgrad.arange(6.0).reshape(1, 3, 2)).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.arange(6.0).reshape(3, 2).T * np.arange(3))


# --- out= ------------------------------------------------------------------------------------
OUT_PARITY = [
    "torch.add(torch.ones(3), 1, out=torch.empty(3))",
    "torch.add(torch.ones(3, requires_grad=True), 1, out=torch.empty(3))",
    "torch.add(torch.ones(3), 1, out=torch.empty(3, requires_grad=True))",
    "torch.add(torch.ones(3), 1, out=torch.empty(3, dtype=torch.long))",
    "torch.add(torch.ones(3, dtype=torch.long), 1, out=torch.empty(3))",
    "torch.add(torch.ones(3), 1, out=torch.empty(0))",
    "torch.mul(torch.ones(2, 3), 2, out=torch.empty(2, 3, dtype=torch.float64))",
    "torch.sum(torch.ones(2, 3), 1, out=torch.empty(2))",
    "torch.mean(torch.ones(2, 3), 0, keepdim=True, out=torch.empty(0))",
    "torch.max(torch.ones(2, 3), 1, out=(torch.empty(0), torch.empty(0, dtype=torch.long)))",
    "torch.sort(torch.tensor([3., 1, 2]), out=(torch.empty(3), torch.empty(3, dtype=torch.long)))",
    "torch.matmul(torch.ones(2, 3), torch.ones(3, 4), out=torch.empty(2, 4))",
    "torch.mm(torch.ones(2, 3), torch.ones(3, 4), out=torch.empty(0))",
    "torch.bmm(torch.ones(1, 2, 3), torch.ones(1, 3, 4), out=torch.empty(0))",
    "torch.cat([torch.ones(2), torch.zeros(1)], out=torch.empty(0))",
    "torch.stack([torch.ones(2), torch.zeros(2)], 1, out=torch.empty(0))",
    "torch.where(torch.tensor([True, False]), torch.ones(2), torch.zeros(2), out=torch.empty(2))",
    "torch.clamp(torch.tensor([-2., 0, 2]), -1, 1, out=torch.empty(3))",
    "torch.exp(torch.zeros(2), out=torch.empty(2))",
    "torch.sqrt(torch.tensor([4.]), out=torch.empty(1, dtype=torch.int64))",
    "torch.gt(torch.tensor([1, 2]), 1, out=torch.empty(2, dtype=torch.bool))",
    "torch.gt(torch.tensor([1, 2]), 1, out=torch.empty(2))",
    "torch.cumsum(torch.ones(3), 0, out=torch.empty(3))",
    "torch.sub(torch.ones(2), 1, out=[torch.empty(2)])",
]


@requires_torch
@pytest.mark.parametrize("expr", OUT_PARITY)
def test_out_matches_torch(expr: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(expr)


def test_out_writes_in_place_and_returns_out() -> None:
    out = ndgrad.zeros(3)
    view = out[1:]
    result = ndgrad.add(ndgrad.ones(3), 2, out=out)
    assert result is out
    np.testing.assert_array_equal(view.numpy(), [3.0, 3.0])
    assert out._version == 1


def test_out_of_another_shape_is_resized_with_a_warning() -> None:
    out = ndgrad.zeros(2)
    with pytest.warns(UserWarning, match=r"resized since it had shape \[2\]"):
        ndgrad.mul(ndgrad.ones(3), 2, out=out)
    assert out.shape == (3,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ndgrad.mul(ndgrad.ones(3), 2, out=ndgrad.empty(0))


def test_out_under_no_grad_is_allowed() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    with ndgrad.no_grad():
        out = ndgrad.mul(x, 3, out=ndgrad.empty(2))
    assert not out.requires_grad and out.tolist() == [3.0, 3.0]


QUERY_PARITY = [
    "torch.is_nonzero(torch.tensor([1.]))",
    "torch.is_same_size(torch.ones(2), torch.ones(2))",
    "torch.is_signed(torch.ones(2, dtype=torch.uint8))",
    "torch.is_conj(torch.ones(2))",
    "torch.is_neg(torch.ones(2))",
    "torch.is_inference(torch.ones(2))",
    "torch.is_complex(3)",
    "torch.conj(torch.ones(2))",
    "torch.resolve_conj(torch.ones(2))",
    "torch.real(torch.ones(2))",
    "torch.imag(torch.ones(2))",
    "torch.adjoint(torch.ones(2, 3))",
    "torch.typename(torch.ones(2))",
    "torch.typename(torch.ones(2, dtype=torch.long))",
    "torch.typename(3)",
    "torch.result_type(torch.ones(2, dtype=torch.int32), 1.0)",
    "torch.result_type(2, torch.ones(2, dtype=torch.int8))",
    "torch.result_type(torch.ones(2, dtype=torch.int32), torch.tensor(1.0, dtype=torch.float64))",
    "torch.promote_types(torch.int32, torch.float32)",
    "torch.promote_types(torch.uint8, torch.int8)",
    "torch.can_cast(torch.float32, torch.int32)",
    "torch.can_cast(torch.int32, torch.float16)",
    "torch.can_cast(torch.int32, torch.bool)",
    "torch.broadcast_shapes((2, 1), (3,))",
    "torch.broadcast_shapes(2, (3, 1))",
    "torch.broadcast_shapes()",
    "torch.broadcast_shapes((2,), (3,))",
    "torch.broadcast_shapes((5, 1, 4), (2, 3, 1), (4,))",
]


@requires_torch
@pytest.mark.parametrize("expr", QUERY_PARITY)
def test_queries_match_torch(expr: str) -> None:
    check(expr)


INFO_PARITY = [
    "torch.finfo(torch.float32)",
    "torch.finfo()",
    "torch.finfo(torch.float64).eps",
    "torch.finfo(torch.float16).max",
    "torch.finfo(torch.float32).tiny",
    "torch.finfo(torch.float32).bits",
    "torch.finfo(torch.float32).dtype",
    "torch.iinfo(torch.int8)",
    "torch.iinfo(torch.int64).max",
    "torch.iinfo(torch.uint8).min",
    "torch.iinfo(torch.int32).bits",
    "torch.finfo(torch.int32)",
    "torch.iinfo(torch.float32)",
    "torch.iinfo(torch.bool)",
    "repr(torch.channels_last_3d)",
]


@requires_torch
@pytest.mark.parametrize("expr", INFO_PARITY)
def test_finfo_iinfo_match_torch(expr: str) -> None:
    check(expr)
