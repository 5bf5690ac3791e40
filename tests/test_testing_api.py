"""torch.testing's public API under ndgrad: assert_close, assert_allclose and make_tensor.

The messages below are PyTorch 2.13's, written out as fixed strings (they are facts about
PyTorch); the parity tests at the end run the same calls under torch and compare exception type,
message, warnings and results (skipped without torch).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import ndgrad
import ndgrad as torch  # the calls below are written as PyTorch code
from ndgrad.testing import assert_allclose, assert_close, make_tensor

from .helpers import requires_torch

T = torch.tensor
NOT_CLOSE_1_OF_3 = (
    "Tensor-likes are not close!\n\n"
    "Mismatched elements: 1 / 3 (33.3%)\n"
    "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
    "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)"
)
ISSUES = (
    "resulted in the unexpected exception above. If you are a user and see this message during "
    "normal operation please file an issue at https://github.com/pytorch/pytorch/issues. If you "
    "are a developer and working on the comparison functions, please except the previous error "
    "and raise an expressive `ErrorMeta` instead."
)


def test_testing_is_an_attribute_of_the_package():
    assert torch.testing is ndgrad.testing
    assert "testing" in dir(torch)
    assert torch.testing.assert_close is assert_close
    assert torch.testing.make_tensor is make_tensor


# --- assert_close: passing cases ----------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: assert_close(T([1.0, 2.0]), T([1.0, 2.000001])),  # within float32's 1.3e-6
        lambda: assert_close(T([1.0, float("nan")]), T([1.0, float("nan")]), equal_nan=True),
        lambda: assert_close(T([float("inf")]), T([float("inf")])),
        lambda: assert_close(T([1.0, 2.0]), T([1.0, 2.0], dtype=torch.float64), check_dtype=False),
        lambda: assert_close(T([1.0, 2.0]), T([1.0, 2.5]), rtol=0, atol=1),
        lambda: assert_close(1, 1.0, check_dtype=False),
        lambda: assert_close(1.0, 1.0 + 1e-8),
        lambda: assert_close(np.float32(1.0), 1.0),
        lambda: assert_close(np.bool_(True), True),
        lambda: assert_close(None, None, rtol=1e-3),  # None pairs take no tolerances
        lambda: assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.0])),
        lambda: assert_close(torch.nn.Parameter(T([1.0, 2.0])), T([1.0, 2.0])),
        lambda: assert_close(torch.Size([2, 3]), (2, 3)),
        lambda: assert_close([], ()),
        lambda: assert_close(T([True, False]), T([True, True]), rtol=0, atol=1),
        lambda: assert_close(T([1, 2, 3]), T([1, 2, 4]), rtol=0.4, atol=0),
        lambda: assert_close(T([1.0, 2.0], requires_grad=True) * 2, T([2.0, 4.0])),
        lambda: assert_close(torch.ones(2, 3).t(), torch.ones(3, 2)),  # strides unchecked
    ],
)
def test_assert_close_passes(call):
    call()


# --- assert_close: PyTorch's failures, exactly ---------------------------------------------------

FAILURES: list[tuple[str, Any, type[Exception], str]] = [
    ("float32", lambda: assert_close(T([1.0, 2.0, 3.0]), T([1.0, 2.5, 3.0])),
     AssertionError, NOT_CLOSE_1_OF_3),
    ("float64", lambda: assert_close(T([1.0, 2.0, 3.0], dtype=torch.float64),
                                     T([1.0, 2.1, 3.0], dtype=torch.float64)),
     AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
     "Greatest absolute difference: 0.10000000000000009 at index (1,) (up to 1e-07 allowed)\n"
     "Greatest relative difference: 0.04761904761904766 at index (1,) (up to 1e-07 allowed)"),
    ("float16", lambda: assert_close(T([1.0, 2.0, 3.0], dtype=torch.float16),
                                     T([1.0, 2.1, 3.0], dtype=torch.float16)),
     AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
     "Greatest absolute difference: 0.099609375 at index (1,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.047454833984375 at index (1,) (up to 0.001 allowed)"),
    ("int64", lambda: assert_close(T([1, 2, 3]), T([1, 2, 4])),
     AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 1 / 3 (33.3%)\n"
     "Greatest absolute difference: 1 at index (2,)\n"
     "Greatest relative difference: 0.25 at index (2,)"),
    ("int32 zero expected", lambda: assert_close(T([1, 2, 3], dtype=torch.int32),
                                                 T([0, 2, 4], dtype=torch.int32)),
     AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 2 / 3 (66.7%)\n"
     "Greatest absolute difference: 1 at index (0,)\n"
     "Greatest relative difference: inf at index (0,)"),
    ("bool", lambda: assert_close(T([True, False]), T([True, True])),
     AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 1 at index (1,)\n"
     "Greatest relative difference: 1.0 at index (1,)"),
    ("int8 differences in int64", lambda: assert_close(T([-128, 2, 3], dtype=torch.int8),
                                                       T([127, 2, 1], dtype=torch.int8)),
     AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 2 / 3 (66.7%)\n"
     "Greatest absolute difference: 255 at index (0,)\n"
     "Greatest relative difference: 2.007874011993408 at index (0,)"),
    ("2-d, greatest differences at two places",
     lambda: assert_close(T([[1.0, 2.0], [3.0, 40.0]]), T([[1.1, 2.0], [3.0, 41.0]])),
     AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 2 / 4 (50.0%)\n"
     "Greatest absolute difference: 1.0 at index (1, 1) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.09090910851955414 at index (0, 0) (up to 1.3e-06 allowed)"),
    ("percent", lambda: assert_close(torch.arange(100.0),
                                     torch.arange(100.0) + (torch.arange(100.0) % 3 == 0).float()),
     AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 34 / 100 (34.0%)\n"
     "Greatest absolute difference: 1.0 at index (0,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 1.0 at index (0,) (up to 1.3e-06 allowed)"),
    ("0-d float32", lambda: assert_close(T(0.1), T(0.2)),
     AssertionError,
     "Scalars are not close!\n\nExpected 0.20000000298023224 but got 0.10000000149011612.\n"
     "Absolute difference: 0.10000000149011612 (up to 1e-05 allowed)\n"
     "Relative difference: 0.5 (up to 1.3e-06 allowed)"),
    ("0-d bool", lambda: assert_close(T(True), T(False)),
     AssertionError,
     "Scalars are not equal!\n\nExpected False but got True.\n"
     "Absolute difference: 1\nRelative difference: inf"),
    ("dtype", lambda: assert_close(T([1.0, 2.0]), T([1.0, 2.0], dtype=torch.float64)),
     AssertionError,
     "The values for attribute 'dtype' do not match: torch.float32 != torch.float64."),
    ("shape", lambda: assert_close(torch.ones(2, 3), torch.ones(3, 2)),
     AssertionError,
     "The values for attribute 'shape' do not match: torch.Size([2, 3]) != torch.Size([3, 2])."),
    ("stride", lambda: assert_close(torch.ones(2, 3).t(), torch.ones(3, 2), check_stride=True),
     AssertionError, "The values for attribute 'stride()' do not match: (1, 3) != (2, 1)."),
    ("promoted", lambda: assert_close(T([1, 2], dtype=torch.uint8), T([1, 3], dtype=torch.int8),
                                      check_dtype=False),
     AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 1 at index (1,)\n"
     "Greatest relative difference: 0.3333333432674408 at index (1,)"),
    ("float16 with float32", lambda: assert_close(T([1.0, 2.0], dtype=torch.float16),
                                                  T([1.0, 2.01]), check_dtype=False),
     AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 0.009999990463256836 at index (1,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.0049751196056604385 at index (1,) (up to 0.001 allowed)"),
    ("python floats", lambda: assert_close(1.0, 1.0 + 1e-6),
     AssertionError,
     "Scalars are not close!\n\nExpected 1.000001 but got 1.0.\n"
     "Absolute difference: 9.999999999177334e-07 (up to 1e-07 allowed)\n"
     "Relative difference: 9.999989999187335e-07 (up to 1e-07 allowed)"),
    ("python ints", lambda: assert_close(1, 2),
     AssertionError,
     "Scalars are not equal!\n\nExpected 2 but got 1.\nAbsolute difference: 1\n"
     "Relative difference: 0.5"),
    ("number types", lambda: assert_close(1, 1.0),
     AssertionError, "The (d)types do not match: <class 'int'> != <class 'float'>."),
    ("zero expected", lambda: assert_close(1e-6, 0.0),
     AssertionError,
     "Scalars are not close!\n\nExpected 0.0 but got 1e-06.\n"
     "Absolute difference: 1e-06 (up to 1e-07 allowed)\n"
     "Relative difference: inf (up to 1e-07 allowed)"),
    ("complex", lambda: assert_close(1 + 1j, 1 + 2j),
     AssertionError,
     "Scalars are not close!\n\nExpected (1+2j) but got (1+1j).\n"
     "Absolute difference: 1.0 (up to 1e-07 allowed)\n"
     "Relative difference: 0.4472135954999579 (up to 1e-07 allowed)"),
    ("booleans", lambda: assert_close(np.bool_(True), False),
     AssertionError, "Booleans mismatch: True is not False"),
    ("none", lambda: assert_close(None, T(1.0)), AssertionError, "None mismatch: None is not 1.0"),
    ("bool with int", lambda: assert_close(True, 1),
     RuntimeError,
     f"Originating a NumberPair() at item  with\n\nbool(): True\n\nand\n\nint(): 1\n\n{ISSUES}"),
    ("item", lambda: assert_close([1, 2], [1, 3]),
     AssertionError,
     "Scalars are not equal!\n\nExpected 3 but got 2.\nAbsolute difference: 1\n"
     "Relative difference: 0.3333333333333333\n\nThe failure occurred for item [1]"),
    ("nested item", lambda: assert_close([T(1.0), {"a": T([1.0, 2.0])}],
                                         [T(1.0), {"a": T([1.0, 3.0])}]),
     AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 1.0 at index (1,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.3333333432674408 at index (1,) (up to 1.3e-06 allowed)"
     "\n\nThe failure occurred for item [1]['a']"),
    ("first failure", lambda: assert_close([T([1.0, 2.0]), T([1.0])],
                                           [T([1.0, 2.5]), T([1.0, 2.0])]),
     AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)"
     "\n\nThe failure occurred for item [0]"),
    ("lengths", lambda: assert_close([1, 2], [1, 2, 3]),
     AssertionError, "The length of the sequences mismatch: 2 != 3"),
    ("keys", lambda: assert_close({"a": 1, "b": 2}, {"a": 1, "c": 2}),
     AssertionError,
     "The keys of the mappings do not match:\nMissing keys in the actual mapping: ['c']\n"
     "Additional keys in the actual mapping: ['b']"),
    ("tensor and array", lambda: assert_close(T([1.0, 2.0]), np.array([1.0, 2.0])),
     TypeError,
     "No comparison pair was able to handle inputs of type <class 'torch.Tensor'> and "
     "<class 'numpy.ndarray'>."),
    ("list and tensor", lambda: assert_close([1.0, 2.0], T([1.0, 2.0])),
     TypeError,
     "No comparison pair was able to handle inputs of type <class 'list'> and "
     "<class 'torch.Tensor'>."),
    ("strings", lambda: assert_close("a", "a"),
     TypeError,
     "No comparison pair was able to handle inputs of type <class 'str'> and <class 'str'>."),
    ("subclass", lambda: assert_close(torch.nn.Parameter(T([1.0, 2.0])), T([1.0, 2.0]),
                                      allow_subclasses=False),
     TypeError,
     "No comparison pair was able to handle inputs of type "
     "<class 'torch.nn.parameter.Parameter'> and <class 'torch.Tensor'>."),
    ("arrays", lambda: assert_close(np.array([1, 2]), np.array([1, 3])),
     AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 1 at index (1,)\n"
     "Greatest relative difference: 0.3333333432674408 at index (1,)"),
    ("rtol alone", lambda: assert_close(T([1.0]), T([1.0]), rtol=1e-3),
     ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol."),
    ("atol alone, in a list", lambda: assert_close([1.0, 2.0], [1.0, 2.0], atol=1e-3),
     ValueError,
     "Both 'rtol' and 'atol' must be either specified or omitted, but got no rtol."
     "\n\nThe failure occurred for item [0]"),
    ("msg is not used for a pairing failure",
     lambda: assert_close(1.0, 1.0, rtol=1e-3, msg="custom"),
     ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol."),
    ("given tolerances", lambda: assert_close(T([1, 2, 3]), T([1, 2, 5]), rtol=0.1, atol=0),
     AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\n"
     "Greatest absolute difference: 2 at index (2,) (up to 0 allowed)\n"
     "Greatest relative difference: 0.4000000059604645 at index (2,) (up to 0.1 allowed)"),
    ("zero tolerances", lambda: assert_close(T([1.0, 2.0]), T([1.0, 2.5]), rtol=0, atol=0),
     AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 0.5 at index (1,)\n"
     "Greatest relative difference: 0.20000000298023224 at index (1,)"),
    ("msg", lambda: assert_close(T([1.0, 2.0, 3.0]), T([1.0, 2.5, 3.0]), msg="Argh"),
     AssertionError, "Argh"),
    ("msg callable", lambda: assert_close(T([1.0, 2.0, 3.0]), T([1.0, 2.5, 3.0]),
                                          msg=lambda m: f"Header\n\n{m}\n\nFooter"),
     AssertionError, f"Header\n\n{NOT_CLOSE_1_OF_3}\n\nFooter"),
    ("msg string drops the item", lambda: assert_close([T([1.0, 2.0])], [T([1.0, 2.5])],
                                                       msg="plain"),
     AssertionError, "plain"),
    ("nan", lambda: assert_close(T([float("nan"), 1.0, 2.0]), T([1.0, 1.0, 5.0])),
     AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 2 / 3 (66.7%)\n"
     "Greatest absolute difference: nan at index (0,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: nan at index (0,) (up to 1.3e-06 allowed)"),
    ("infinities", lambda: assert_close(T([1.0, 1.0]), T([float("inf"), 1.0])),
     AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: inf at index (0,) (up to 1e-05 allowed)\n"
     "Greatest relative difference: nan at index (0,) (up to 1.3e-06 allowed)"),
    ("int64 wraps", lambda: assert_close(T([2**62, 3]), T([-(2**62), 3])),
     AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\n"
     "Greatest absolute difference: 0 at index (1,)\n"
     "Greatest relative difference: 0.0 at index (1,)"),
    ("negative tolerance", lambda: assert_close(T([1, 2]), T([1, 3]), rtol=-1, atol=0),
     RuntimeError,
     "Comparing\n\nTensorLikePair(\n    id=(),\n    actual=tensor([1, 2]),\n"
     "    expected=tensor([1, 3]),\n    rtol=-1,\n    atol=0,\n    equal_nan=False,\n"
     "    check_device=True,\n    check_dtype=True,\n    check_layout=True,\n"
     f"    check_stride=False,\n)\n\n{ISSUES}"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "exc", "message"), [c[1:] for c in FAILURES], ids=[c[0] for c in FAILURES]
)
def test_assert_close_fails_as_pytorch(call, exc, message):
    with pytest.raises(exc) as info:
        call()
    assert type(info.value) is exc
    assert str(info.value) == message


def test_greatest_relative_difference_of_ints_is_in_the_default_dtype():
    torch.set_default_dtype(torch.float64)
    try:
        with pytest.raises(AssertionError) as info:
            assert_close(T([1, 2]), T([1, 3]))
    finally:
        torch.set_default_dtype(torch.float32)
    assert "Greatest relative difference: 0.3333333333333333 at index (1,)" in str(info.value)


def test_float16_closeness_is_computed_in_float16():
    # 2.002 rounds to 2.001953125 in float16; |diff| 0.001953125 <= 1e-5 + 0.001 * 2.002 in
    # float16 arithmetic (0.002012...), so these are close
    assert_close(T([1.0, 2.0], dtype=torch.float16), T([1.0, 2.002], dtype=torch.float16))
    with pytest.raises(AssertionError, match=r"Mismatched elements: 1 / 1 \(100.0%\)"):
        assert_close(T([1024.0], dtype=torch.float16), T([1026.0], dtype=torch.float16))
    # PyTorch computes atol + rtol * |expected| in float32 and rounds each result to float16:
    # the bound is 0.12494 < |diff| 0.125. In float16 throughout (rtol rounded to 0.0010004)
    # it would be 0.125, and the values would pass.
    with pytest.raises(AssertionError, match="Tensor-likes are not close!"):
        assert_close(T([125.0625], dtype=torch.float16), T([124.9375], dtype=torch.float16))


# --- assert_allclose ------------------------------------------------------------------------------

ALLCLOSE_WARNING = (
    "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future "
    "release. Please use `torch.testing.assert_close()` instead. You can find detailed upgrade "
    "instructions in https://github.com/pytorch/pytorch/issues/61844."
)


def test_assert_allclose_warns_and_uses_its_own_tolerances():
    with pytest.warns(FutureWarning) as record:
        assert_allclose(T([1.0, 2.0]), T([1.0, 2.0001]))  # within its float32 rtol 1e-4
    assert [str(w.message) for w in record] == [ALLCLOSE_WARNING]
    assert record[0].filename == __file__  # points at the caller
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        assert_allclose(T([1.0, float("nan")]), T([1.0, float("nan")]))  # equal_nan by default
        assert_allclose(T([1, 2]), [1.0, 2.5])  # expected takes actual's dtype
        assert_allclose(T([1.0, 2.0]), T([1.0, 2.0], dtype=torch.float64))  # dtype unchecked
        with pytest.raises(AssertionError) as info:
            assert_allclose([1.0, 2.0], [1.0, 2.5])
        assert str(info.value) == (
            "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\n"
            "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
            "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 0.0001 allowed)"
        )
        with pytest.raises(AssertionError) as info:
            assert_allclose(1.5, 2.5, msg="mine")
        assert str(info.value) == "mine"
        with pytest.raises(ValueError, match="but got no atol"):
            assert_allclose(T([1.0]), T([1.0]), 0.5)


# --- make_tensor ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dtype", "low", "high"),
    [
        (torch.bool, 0, 2),
        (torch.uint8, 0, 10),
        (torch.int8, -9, 10),
        (torch.int16, -9, 10),
        (torch.int32, -9, 10),
        (torch.int64, -9, 10),
        (torch.float16, -9, 9),
        (torch.float32, -9, 9),
        (torch.float64, -9, 9),
    ],
)
def test_make_tensor_default_ranges(dtype, low, high):
    torch.manual_seed(0)
    t = make_tensor(4000, dtype=dtype, device="cpu")
    assert t.dtype is dtype and t.shape == (4000,) and not t.requires_grad
    v = t.numpy().astype(np.float64)
    assert v.min() >= low and v.max() < high
    if dtype.is_floating_point:
        assert v.min() < low + 0.1 and v.max() > high - 0.1
    else:  # every value of the range is drawn
        assert set(np.unique(v)) == set(range(low, high))


def test_make_tensor_shapes():
    assert make_tensor(2, 3, dtype=torch.float32, device="cpu").shape == (2, 3)
    assert make_tensor((2, 3), dtype=torch.float32, device="cpu").shape == (2, 3)
    assert make_tensor([4], dtype=torch.int64, device="cpu").shape == (4,)
    assert make_tensor(torch.Size([1, 2]), dtype=torch.bool, device="cpu").shape == (1, 2)
    assert make_tensor(dtype=torch.float64, device="cpu").shape == ()
    assert make_tensor(0, dtype=torch.float32, device=torch.device("cpu")).shape == (0,)


def test_make_tensor_bounds_are_clamped_and_integer_bounds_rounded_up():
    torch.manual_seed(3)
    t = make_tensor(200, dtype=torch.uint8, device="cpu", low=-5, high=3)
    assert set(t.tolist()) == {0, 1, 2}
    t = make_tensor(200, dtype=torch.int64, device="cpu", low=1.5, high=4.2)
    assert set(t.tolist()) == {2, 3, 4}
    t = make_tensor(200, dtype=torch.float32, device="cpu", low=0.5, high=1.5)
    assert float(t.min()) >= 0.5 and float(t.max()) < 1.5
    t = make_tensor(200, dtype=torch.float32, device="cpu", low=-1e39, high=1e39)
    assert bool(torch.isfinite(t).all()) and float(t.abs().max()) > 1e37


def test_make_tensor_noncontiguous():
    torch.manual_seed(0)
    t = make_tensor(2, 3, dtype=torch.float64, device="cpu", noncontiguous=True)
    assert t.shape == (2, 3) and t.stride() == (6, 2) and not t.is_contiguous()
    # PyTorch's values: every other one of a (2, 6) draw, from the second
    assert t.tolist() == [
        [3.740757559196183, 7.573458314195285, 5.240662059245466],
        [-2.680062760909289, -3.8117539415492967, -5.817608528333146],
    ]
    # fewer than two elements: contiguous
    assert make_tensor(1, dtype=torch.float32, device="cpu", noncontiguous=True).is_contiguous()
    assert make_tensor((), dtype=torch.int64, device="cpu", noncontiguous=True).shape == ()


def test_make_tensor_memory_format():
    t = make_tensor(
        2, 3, 4, 5, dtype=torch.float32, device="cpu", memory_format=torch.channels_last
    )
    assert t.stride() == (60, 1, 15, 3)


def test_make_tensor_requires_grad_gives_a_leaf():
    t = make_tensor(2, 3, dtype=torch.float32, device="cpu", noncontiguous=True, requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad_fn is None
    t.sum().backward()
    assert t.grad is not None and t.grad.shape == (2, 3)


def test_make_tensor_exclude_zero():
    torch.manual_seed(3)
    t = make_tensor(50, dtype=torch.int64, device="cpu", low=0, high=2, exclude_zero=True)
    assert t.tolist() == [1] * 50
    assert make_tensor(20, dtype=torch.bool, device="cpu", exclude_zero=True).all()
    t = make_tensor(3, 4, dtype=torch.int16, device="cpu", low=0, high=2, exclude_zero=True,
                    noncontiguous=True)  # fmt: skip
    assert (t == 1).all() and not t.is_contiguous()
    with pytest.warns(FutureWarning):
        for dtype, tiny in (
            (torch.float16, 6.103515625e-05),
            (torch.float32, 1.1754943508222875e-38),
            (torch.float64, 2.2250738585072014e-308),
        ):
            t = make_tensor(4, dtype=dtype, device="cpu", low=0, high=0, exclude_zero=True)
            assert t.tolist() == [tiny] * 4


def test_make_tensor_low_equal_high_warns_for_floats():
    with pytest.warns(FutureWarning) as record:
        t = make_tensor(3, dtype=torch.float64, device="cpu", low=2.5, high=2.5)
    assert t.tolist() == [2.5, 2.5, 2.5]
    assert [str(w.message) for w in record] == [
        "Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
        "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead."
    ]
    assert record[0].filename == __file__


MAKE_TENSOR_ERRORS = [
    (dict(dtype=torch.float32, noncontiguous=True, memory_format=torch.channels_last),
     ValueError,
     "The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
     "noncontiguous=True and memory_format=torch.channels_last"),
    (dict(dtype=torch.int64, requires_grad=True), ValueError,
     "`requires_grad=True` is not supported for boolean and integral dtypes, but got "
     "dtype=torch.int64"),
    (dict(dtype=torch.bool, requires_grad=True), ValueError,
     "`requires_grad=True` is not supported for boolean and integral dtypes, but got "
     "dtype=torch.bool"),
    (dict(dtype=torch.float32, low=math.nan), ValueError,
     "`low` and `high` cannot be NaN, but got low=nan and high=9"),
    (dict(dtype=torch.float32, high=math.nan), ValueError,
     "`low` and `high` cannot be NaN, but got low=-9 and high=nan"),
    (dict(dtype=torch.float32, low=3, high=1), ValueError,
     "`low` must be less than `high`, but got 3 >= 1"),
    (dict(dtype=torch.int64, low=3, high=3), ValueError,
     "`low` must be less than `high`, but got 3 >= 3"),
    (dict(dtype=torch.uint8, low=-5, high=-1), ValueError,
     "The value interval specified by `low` and `high` is [-5, -1), but torch.uint8 only "
     "supports [0, 256)"),
    (dict(dtype=torch.int8, low=200, high=300), ValueError,
     "The value interval specified by `low` and `high` is [200, 300), but torch.int8 only "
     "supports [-128, 128)"),
    (dict(dtype=torch.bool, low=2, high=5), ValueError,
     "The value interval specified by `low` and `high` is [2, 5), but torch.bool only supports "
     "[0, 2)"),
    (dict(dtype=torch.float16, low=70000, high=80000), ValueError,
     "The value interval specified by `low` and `high` is [70000, 80000), but torch.float16 "
     "only supports [-65504.0, 65504.0)"),
    (dict(dtype=torch.float32, low=1e39, high=1e40), ValueError,
     "The value interval specified by `low` and `high` is [1e+39, 1e+40), but torch.float32 "
     "only supports [-3.4028234663852886e+38, 3.4028234663852886e+38)"),
    (dict(dtype=float), TypeError,
     "The requested dtype '<class 'float'>' is not supported by torch.testing.make_tensor(). "
     "To request support, file an issue at: https://github.com/pytorch/pytorch/issues"),
]  # fmt: skip


@pytest.mark.parametrize(("kwargs", "exc", "message"), MAKE_TENSOR_ERRORS)
def test_make_tensor_errors(kwargs, exc, message):
    with pytest.raises(exc) as info:
        make_tensor(2, 3, device="cpu", **kwargs)
    assert type(info.value) is exc
    assert str(info.value) == message


def test_make_tensor_draws_pytorchs_values_under_a_seed():
    # PyTorch 2.13's values under these seeds (randint / uniform_ on the default generator)
    torch.manual_seed(0)
    assert make_tensor(2, 3, dtype=torch.float32, device="cpu").tolist() == [
        [-0.06738138198852539, 4.8279924392700195, -7.407406330108643],
        [-6.623451232910156, -3.4663891792297363, 2.4134163856506348],
    ]
    torch.manual_seed(0)
    assert make_tensor(6, dtype=torch.float16, device="cpu").tolist() == [
        -0.0673828125, 4.828125, -7.40625, -6.625, -3.466796875, 2.4140625
    ]  # fmt: skip
    torch.manual_seed(1)
    assert make_tensor(10, dtype=torch.uint8, device="cpu").tolist() == [
        5, 9, 4, 8, 3, 3, 1, 1, 9, 2
    ]  # fmt: skip
    torch.manual_seed(1)
    assert make_tensor(10, dtype=torch.int32, device="cpu").tolist() == [
        -2, 3, 1, -1, 9, -8, -6, 9, -7, -9
    ]  # fmt: skip
    torch.manual_seed(1)
    assert make_tensor(8, dtype=torch.bool, device="cpu").tolist() == [
        True, True, False, False, True, True, True, True
    ]  # fmt: skip


def test_randint_wide_ranges_draw_64_bit_words_as_pytorch():
    # ranges of 2**28 and more take one 64-bit word per value in PyTorch 2.13, int32 included
    torch.manual_seed(4)
    assert torch.randint(-(2**31), 2**31, (4,), dtype=torch.int32).tolist() == [
        1720656046, -1405762875, 1527380328, 468304328
    ]  # fmt: skip
    torch.manual_seed(4)
    assert torch.randint(0, 2**30, (4,)).tolist() == [646914222, 741720773, 453638504, 468304328]
    torch.manual_seed(4)
    assert make_tensor(3, dtype=torch.int32, device="cpu", low=-(2**30), high=2**30).tolist() == [
        646914222, -332021051, 453638504
    ]  # fmt: skip


# --- parity with PyTorch ------------------------------------------------------------------------

PARITY = [
    "ac(t.tensor([1., 2., 3.]), t.tensor([1., 2.5, 3.]))",
    "ac(t.tensor([1., 2.]), t.tensor([1., 2.000001]))",
    "ac(t.tensor([1., 2.], dtype=t.float16), t.tensor([1., 2.002], dtype=t.float16))",
    "ac(t.tensor([1024.], dtype=t.float16), t.tensor([1025.], dtype=t.float16))",
    "ac(t.tensor([125.0625, 1000.5, 2.], dtype=t.float16),"
    " t.tensor([124.9375, 999.5, 2.], dtype=t.float16))",
    "ac(t.tensor([1., 2.]), t.tensor([1., 2. + 1.3e-5]))",
    "ac(t.tensor([100., 2.]), t.tensor([100.00014, 2.]))",
    "ac(t.tensor([1e-5, 1.]), t.tensor([2e-5, 1.]))",
    "ac(t.tensor([1., 2.]).double(), t.tensor([1., 2.00000001]).double())",
    "ac(t.tensor([1, 2], dtype=t.uint8), t.tensor([1, 3], dtype=t.int8), check_dtype=False)",
    "ac(t.tensor([1, 2]), t.tensor([1., 2.5]), check_dtype=False)",
    "ac(t.tensor([1, 2, 3], dtype=t.uint8), t.tensor([3, 2, 1], dtype=t.uint8))",
    "ac(t.tensor([True, False]), t.tensor([True, True]), rtol=0, atol=0.5)",
    "ac(t.tensor([1, 2, 3]), t.tensor([1, 2, 4]), rtol=0.1, atol=0)",
    "ac(t.tensor([5., 2., 3.]), t.tensor([4., 1., 3.]))",
    "ac(t.tensor([[1., 2.], [3., 4.]]), t.tensor([[1., 2.], [3., 4.]]).t())",
    "ac(t.arange(24.).reshape(2, 3, 4), t.arange(24.).reshape(2, 3, 4) * 1.01)",
    "ac(t.tensor(1), t.tensor(2))",
    "ac(t.tensor(1., dtype=t.float64), t.tensor(1.5, dtype=t.float64))",
    "ac(t.tensor([float('inf'), 1.]), t.tensor([float('-inf'), 1.]))",
    "ac(t.tensor([1., float('nan')]), t.tensor([1., float('nan')]))",
    "ac(t.tensor(float('nan')), t.tensor(1.))",
    "ac(t.zeros(0), t.zeros(1))",
    "ac(t.ones(2, 3).t(), t.ones(3, 2).contiguous(), check_stride=True)",
    "ac(np.float32(0.1), 0.1)",
    "ac(np.int64(3), 4)",
    "ac(float('nan'), float('nan'))",
    "ac(float('inf'), 1.0)",
    "ac(1, True)",
    "ac(1, None)",
    "ac({1: 1, 'b': 2}, {2: 1, 'b': 3})",
    "ac({'a': [1, 2]}, {'a': [1, 5]})",
    "ac([[1, [2, 3]]], [[1, [2, 4]]])",
    "ac(t.Size([2, 3]), t.Size([2, 4]))",
    "ac((t.tensor([1.]), t.tensor([2.])), (t.tensor([1.]), t.tensor([2.5])))",
    "ac(np.array([1., 2.], dtype=np.float32), np.array([1., 2.]))",
    "ac(np.array(1.), np.array(2.))",
    "ac(object(), object())",
    "ac({1, 2}, {1, 2})",
    "ac(t.tensor([1.]), np.array([1.]), msg='ignored')",
    "ac([t.tensor([1., 2.])], [t.tensor([1., 2.5])], msg=lambda m: '<' + m + '>')",
    "ac(t.tensor([1., 2.]), t.tensor([1., 2.5]), msg=5)",
    "ac(t.tensor([1., 2.]), t.nn.Parameter(t.tensor([1., 2.5])))",
    "ac([t.tensor([1., 2.])], [t.tensor([1., 2.1])], rtol=0., atol=-1e-3)",
    "ac(1., 2., rtol=-1., atol=0.)",
    "tt.assert_allclose(t.tensor([1., 2.]), t.tensor([1., 2.01]))",
    "tt.assert_allclose(t.tensor([1., 2.], dtype=t.float64),"
    " t.tensor([1., 2.00001], dtype=t.float64))",
    "tt.assert_allclose(t.tensor([1., float('nan')]), t.tensor([1., float('nan')]),"
    " equal_nan=False)",
    "tt.assert_allclose(t.tensor([1., 2.]), t.tensor([1., 2.5]), 0.5, 0.)",
    "t.manual_seed(0); r = tt.make_tensor(3, 4, dtype=t.float32, device='cpu')",
    "t.manual_seed(1); r = tt.make_tensor(5, 2, dtype=t.float16, device='cpu', low=-1, high=1)",
    "t.manual_seed(2); r = tt.make_tensor(3, 4, dtype=t.float64, device='cpu', noncontiguous=True)",
    "t.manual_seed(2); r = tt.make_tensor(2, 3, 4, 5, dtype=t.float32, device='cpu',"
    " memory_format=t.channels_last)",
    "t.manual_seed(3); r = tt.make_tensor(30, dtype=t.int8, device='cpu')",
    "t.manual_seed(3); r = tt.make_tensor(30, dtype=t.int16, device='cpu', low=-1000, high=10**6)",
    "t.manual_seed(3); r = tt.make_tensor(30, dtype=t.uint8, device='cpu', exclude_zero=True)",
    "t.manual_seed(3); r = tt.make_tensor(5, 6, dtype=t.bool, device='cpu', noncontiguous=True)",
    "t.manual_seed(4); r = tt.make_tensor(5, dtype=t.int32, device='cpu', low=-2**31, high=2**31)",
    "t.manual_seed(4); r = tt.make_tensor(5, dtype=t.int64, device='cpu', low=-2**63, high=2**63)",
    "t.manual_seed(4); r = tt.make_tensor(5, dtype=t.float32, device='cpu', low=-1e39, high=1e39)",
    "t.manual_seed(4); r = tt.make_tensor(5, dtype=t.float16, device='cpu', low=-1e5, high=1e5)",
    "t.manual_seed(5); r = tt.make_tensor(4, dtype=t.float32, device='cpu', requires_grad=True)",
    "r = tt.make_tensor(3, dtype=t.float32, device='cpu', low=2, high=2)",
    "r = tt.make_tensor(2, dtype=t.int64, device='cpu', low=3.5, high=1)",
    "r = tt.make_tensor(-1, dtype=t.float32, device='cpu')",
]


def _outcome(lib: Any, case: str) -> dict[str, Any]:
    scope = {"t": lib, "np": np, "tt": lib.testing, "ac": lib.testing.assert_close}
    out: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(case, scope)
        except Exception as exc:
            out["error"] = (type(exc).__name__, str(exc), type(exc.__cause__).__name__)
    out["warnings"] = [(w.category.__name__, str(w.message), w.filename) for w in caught]
    r = scope.get("r")
    if r is not None:
        out["result"] = (
            str(r.dtype), tuple(r.shape), r.stride(), r.is_contiguous(), r.requires_grad,
            r.is_leaf, r.detach().tolist(),
        )  # fmt: skip
    return out


@requires_torch
@pytest.mark.parametrize("case", PARITY)
def test_parity_with_pytorch(case):
    real = pytest.importorskip("torch")
    assert _outcome(ndgrad, case) == _outcome(real, case)
