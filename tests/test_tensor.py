"""The Tensor API of the foundation: dtypes, creation, metadata, conversions, devices, numpy."""

from __future__ import annotations

import re

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch


def test_default_dtypes() -> None:
    assert ndgrad.tensor([1.0, 2.0]).dtype is ndgrad.float32
    assert ndgrad.tensor([1, 2]).dtype is ndgrad.int64
    assert ndgrad.tensor([True]).dtype is ndgrad.bool
    assert ndgrad.tensor([1, 2.5]).dtype is ndgrad.float32
    assert ndgrad.ones(2).dtype is ndgrad.float32
    assert ndgrad.tensor(np.ones(2)).dtype is ndgrad.float64  # numpy's dtype is kept
    assert ndgrad.float is ndgrad.float32 and ndgrad.double is ndgrad.float64
    assert ndgrad.long is ndgrad.int64 and ndgrad.int is ndgrad.int32
    assert repr(ndgrad.float64) == "torch.float64"


# Data whose elements carry a dtype: numpy scalars, and tensors or arrays inside a list. PyTorch
# keeps it and promotes it with the rest (a Python float counts as the default dtype).
TYPED_DATA = {
    "np.float64": lambda lib: np.float64(1.5),
    "np.float16": lambda lib: np.float16(1.0),
    "np.int32": lambda lib: np.int32(3),
    "np.bool_": lambda lib: np.bool_(True),
    "float64 scalar and float": lambda lib: [np.float64(1.0), 2.0],
    "int32 scalar and int": lambda lib: [np.int32(1), 2],
    "uint8 scalar and float": lambda lib: [np.uint8(1), 2.5],
    "float64 tensors": lambda lib: [lib.tensor(1.0, dtype=lib.float64), 2.0],
    "int32 tensor and int": lambda lib: [lib.tensor(1, dtype=lib.int32), 2],
    "float64 arrays": lambda lib: [np.array([1.0]), np.array([2.0])],
}


@pytest.mark.parametrize("name", TYPED_DATA)
@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
def test_typed_elements_keep_their_dtype(name: str) -> None:
    expected = {
        "np.float64": ndgrad.float64,
        "np.float16": ndgrad.float16,
        "np.int32": ndgrad.int32,
        "np.bool_": ndgrad.bool,
        "float64 scalar and float": ndgrad.float64,
        "int32 scalar and int": ndgrad.int64,
        "uint8 scalar and float": ndgrad.float32,
        "float64 tensors": ndgrad.float64,
        "int32 tensor and int": ndgrad.int64,
        "float64 arrays": ndgrad.float64,
    }[name]
    assert ndgrad.tensor(TYPED_DATA[name](ndgrad)).dtype == expected


@requires_torch
@pytest.mark.parametrize("name", TYPED_DATA)
@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
def test_typed_elements_dtype_matches_torch(name: str) -> None:
    ours = ndgrad.tensor(TYPED_DATA[name](ndgrad)).dtype
    assert str(ours) == str(torch.tensor(TYPED_DATA[name](torch)).dtype)


def test_set_default_dtype() -> None:
    ndgrad.set_default_dtype(ndgrad.float64)
    try:
        assert ndgrad.get_default_dtype() is ndgrad.float64
        assert ndgrad.tensor([1.5]).dtype is ndgrad.float64
        assert ndgrad.zeros(1).dtype is ndgrad.float64
        assert repr(ndgrad.tensor([1.5])) == "tensor([1.5000])"
        assert repr(ndgrad.tensor([1.5], dtype=ndgrad.float32)) == (
            "tensor([1.5000], dtype=torch.float32)"
        )
    finally:
        ndgrad.set_default_dtype(ndgrad.float32)
    with pytest.raises(TypeError, match="only floating-point types"):
        ndgrad.set_default_dtype(ndgrad.int64)


@pytest.mark.parametrize(
    "make",
    [
        lambda **kw: ndgrad.zeros(2, 3, **kw),
        lambda **kw: ndgrad.zeros((2, 3), **kw),
        lambda **kw: ndgrad.ones([2, 3], **kw),
        lambda **kw: ndgrad.full((2, 3), 1.5, **kw),
        lambda **kw: ndgrad.empty(2, 3, **kw),
        lambda **kw: ndgrad.rand(2, 3, **kw),
        lambda **kw: ndgrad.randn((2, 3), **kw),
    ],
)
def test_creation_sizes_dtype_requires_grad(make) -> None:
    t = make()
    assert t.shape == (2, 3) and t.dtype is ndgrad.float32 and not t.requires_grad
    t = make(dtype=ndgrad.float64, requires_grad=True)
    assert t.dtype is ndgrad.float64 and t.requires_grad and t.is_leaf
    assert make(device="cpu").shape == (2, 3)


def test_creation_functions() -> None:
    x = ndgrad.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert ndgrad.zeros_like(x).tolist() == [[0, 0], [0, 0]]
    assert ndgrad.ones_like(x, dtype=ndgrad.int64).dtype is ndgrad.int64
    assert ndgrad.full_like(x, 7).tolist() == [[7, 7], [7, 7]]
    assert ndgrad.rand_like(x).shape == (2, 2)
    assert ndgrad.randn_like(x).dtype is ndgrad.float32
    assert ndgrad.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert ndgrad.arange(5).dtype is ndgrad.int64
    assert ndgrad.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert ndgrad.arange(1.0, 4.0).dtype is ndgrad.float32
    assert ndgrad.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert ndgrad.eye(2).tolist() == [[1, 0], [0, 1]]
    assert ndgrad.eye(2, 3).shape == (2, 3)
    assert ndgrad.full((2,), 3).dtype is ndgrad.int64
    r = ndgrad.randint(0, 10, (100,))
    assert r.dtype is ndgrad.int64 and r.numpy().min() >= 0 and r.numpy().max() < 10
    assert ndgrad.randint(3, (4,)).shape == (4,)


def test_manual_seed_reproduces() -> None:
    ndgrad.manual_seed(42)
    a = ndgrad.randn(5)
    ndgrad.manual_seed(42)
    b = ndgrad.randn(5)
    assert a.tolist() == b.tolist()
    assert ndgrad.randn(5).tolist() != a.tolist()


def test_from_numpy_shares_memory_and_tensor_copies() -> None:
    a = np.zeros(3)
    t = ndgrad.from_numpy(a)
    a[0] = 5
    assert t.tolist() == [5, 0, 0]
    c = ndgrad.tensor(a)
    a[1] = 7
    assert c.tolist() == [5, 0, 0]
    assert ndgrad.as_tensor(a).numpy() is a


def test_metadata() -> None:
    x = ndgrad.zeros(2, 3, 4)
    assert x.shape == ndgrad.Size([2, 3, 4]) and repr(x.shape) == "torch.Size([2, 3, 4])"
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert x.dim() == 3 and x.ndim == 3 and x.numel() == 24 and len(x) == 2
    assert ndgrad.zeros(2, 3).T.shape == (3, 2)
    assert repr(ndgrad.tensor(1.0).shape) == "torch.Size([])"
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "):
        x.size(3)


def test_conversions() -> None:
    x = ndgrad.tensor([1.5, -2.5])
    assert x.tolist() == [1.5, -2.5]
    assert ndgrad.tensor([[3.0]]).item() == 3.0 and isinstance(ndgrad.tensor(2).item(), int)
    assert x.long().tolist() == [1, -2] and x.long().dtype is ndgrad.int64
    assert x.double().dtype is ndgrad.float64 and x.to(ndgrad.float64).dtype is ndgrad.float64
    assert x.float() is x and x.to("cpu") is x and x.cpu() is x
    assert x.to(ndgrad.ones(1, dtype=ndgrad.float64)).dtype is ndgrad.float64
    assert x.to("cpu", ndgrad.float16).dtype is ndgrad.float16
    c = x.clone()
    c.numpy()[0] = 100
    assert x.tolist() == [1.5, -2.5]
    assert float(ndgrad.tensor(2.5)) == 2.5 and int(ndgrad.tensor(3)) == 3
    assert bool(ndgrad.tensor([1])) and not bool(ndgrad.tensor(0.0))
    assert f"{ndgrad.tensor(2.5):.2f}" == "2.50"


def test_comparisons_give_bool_tensors() -> None:
    x = ndgrad.tensor([1.0, 2.0, 3.0])
    assert (x > 1.5).tolist() == [False, True, True]
    assert (x == ndgrad.tensor([1.0, 0.0, 3.0])).tolist() == [True, False, True]
    assert (x <= 2).dtype is ndgrad.bool
    assert (x != 2).tolist() == [True, False, True]
    assert (x >= x).tolist() == [True] * 3 and (x < 2).tolist() == [True, False, False]


def test_numpy_interop() -> None:
    x = ndgrad.tensor([1.0, 2.0])
    assert np.asarray(x).tolist() == [1.0, 2.0]
    assert isinstance(np.ones(2) + x, ndgrad.Tensor)
    assert isinstance(np.float64(2.0) * x, ndgrad.Tensor)
    assert (np.float64(2.0) * x).dtype is ndgrad.float32  # numpy scalars act as Python numbers
    assert isinstance(np.ones(2) @ x, ndgrad.Tensor)
    y = ndgrad.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        np.asarray(y)
    assert np.asarray(y.detach()).tolist() == [1.0]


def test_devices() -> None:
    assert str(ndgrad.ones(1).device) == "cpu"
    assert repr(ndgrad.device("cpu")) == "device(type='cpu')"
    assert ndgrad.ones(1).device == ndgrad.device("cpu") == "cpu"
    assert not ndgrad.cuda.is_available()
    for bad in (
        lambda: ndgrad.ones(2, device="cuda"),
        lambda: ndgrad.ones(2).to("cuda:0"),
        lambda: ndgrad.tensor([1.0], device=ndgrad.device("mps")),
        lambda: ndgrad.ones(1).cuda(),
    ):
        with pytest.raises(RuntimeError, match="ndgrad computes on the CPU only"):
            bad()
    with pytest.raises(RuntimeError, match="device type at start of device string: foo"):
        ndgrad.device("foo")


@pytest.mark.parametrize(
    ("data", "exc", "message"),
    [
        ([[1, 2], [3]], ValueError, "expected sequence of length 2 at dim 1 (got 1)"),
        ("abc", TypeError, "new(): invalid data type 'str'"),
        ([1, "a"], TypeError, "new(): invalid data type 'str'"),
        ([object()], RuntimeError, "Could not infer dtype of object"),
        ([[1, 2], 3], TypeError, "not a sequence"),
        ([3, [1, 2]], TypeError, "'list' object cannot be interpreted as an integer"),
    ],
)
def test_tensor_rejects_bad_data(data, exc, message) -> None:
    with pytest.raises(exc) as info:
        ndgrad.tensor(data)
    assert message in str(info.value)


@requires_torch
@pytest.mark.parametrize(
    "data", [[[1, 2], [3]], "abc", [1, "a"], [object()], [[1, 2], 3], [3, [1, 2]], [[1, 2], "ab"]]
)
def test_bad_data_errors_match_torch(data) -> None:
    with pytest.raises(Exception) as ours:
        ndgrad.tensor(data)
    with pytest.raises(Exception) as theirs:
        torch.tensor(data)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_tensor_of_tensors_and_copy_warning() -> None:
    a, b = ndgrad.tensor(1.0), ndgrad.tensor(2.0)
    assert ndgrad.tensor([a, b]).tolist() == [1.0, 2.0]
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        t = ndgrad.tensor(a)
    assert t.item() == 1.0


def test_legacy_constructor() -> None:
    assert ndgrad.Tensor([1, 2]).dtype is ndgrad.float32
    assert ndgrad.Tensor(2, 3).shape == (2, 3)


def test_negative_size() -> None:
    with pytest.raises(RuntimeError, match="zeros: Dimension size must be non-negative."):
        ndgrad.zeros(-1)


# A negative size of a new tensor: PyTorch's message names the first negative size and the
# shape (zeros, above, has its own).
NEGATIVE_SIZES = [
    ("T.ones(-1)", "negative dimension -1: [-1]"),
    ("T.full((2, -3), 1.0)", "negative dimension -3: [2, -3]"),
    ("T.empty(2, -1)", "negative dimension -1: [2, -1]"),
    ("T.zeros(1).new_zeros(-1)", "negative dimension -1: [-1]"),
    ("T.zeros(1).new_empty(2, -1)", "negative dimension -1: [2, -1]"),
    ("T.rand((3, -2))", "negative dimension -2: [3, -2]"),
    ("T.randn(-4)", "negative dimension -4: [-4]"),
    ("T.randint(0, 3, (-1,))", "negative dimension -1: [-1]"),
    ("T.normal(0.0, 1.0, (-1,))", "negative dimension -1: [-1]"),
    ("T.randperm(-1)", "negative dimension -1: [-1]"),
    ("T.zeros(2).repeat(-1)", "negative dimension -2: [-2]"),
]


@pytest.mark.parametrize(("call", "message"), NEGATIVE_SIZES)
def test_negative_sizes_of_new_tensors(call: str, message: str) -> None:
    libs = [ndgrad] if torch is None else [ndgrad, torch]
    for lib in libs:
        with pytest.raises(
            RuntimeError, match=re.escape("Trying to create tensor with " + message)
        ):
            eval(call, {"T": lib})


SCALAR_CONVERSIONS = [
    ("float(T.ones(3))", ValueError, "only one element tensors can be converted to Python scalars"),
    ("int(T.ones(3))", ValueError, "only one element tensors can be converted to Python scalars"),
    ("float(T.ones(0))", ValueError, "only one element tensors can be converted to Python scalars"),
    ("T.ones(3).item()", RuntimeError, "a Tensor with 3 elements cannot be converted to Scalar"),
]


@pytest.mark.parametrize(("code", "exc", "msg"), SCALAR_CONVERSIONS)
def test_scalar_conversion_errors(code, exc, msg):
    with pytest.raises(exc, match=msg):
        eval(code, {"T": ndgrad})
    assert float(ndgrad.ones(1, 1)) == 1.0 and int(ndgrad.tensor([[7]])) == 7


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), SCALAR_CONVERSIONS)
def test_scalar_conversion_errors_are_torchs(code, exc, msg):
    with pytest.raises(exc, match=msg):
        eval(code, {"T": torch})
