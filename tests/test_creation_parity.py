"""arange, range, linspace, logspace and full with integer and bool dtypes and odd arguments, as
torch 2.13 computes them. Found by a differential run of 6,000 random creation calls against
torch: 428 of 4,000 differed (all in integer or bool dtypes, or torch.range); now only
torch.tensor of numpy floats into an integer dtype differs (PyTorch refuses those with a
TypeError; ndgrad converts them)."""

from __future__ import annotations

import random
import warnings
from typing import Any

import numpy as np
import pytest

import ndgrad
from tests.helpers import requires_torch, torch


@pytest.mark.parametrize(
    ("args", "dtype", "expected"),
    [
        ((3, 7.7), "int64", [3, 4, 5, 6]),  # int64: the length from the truncated numbers
        ((3, 7.7), "int8", [3, 4, 5, 6, 7]),  # others: the length in double
        ((0.0, 5.0, 0.2), "int16", [0] * 25),  # the step truncates to 0: one value repeated
        ((1.0, 12.99, 0.3), "int32", [1] * 40),
        ((-2.5, 3.7, 1.5), "uint8", [254, 255, 0, 1, 2]),  # wrapped into the dtype
        ((0.3333,), "int64", []),
        ((0.3333,), "int8", [0]),
    ],
)
def test_integer_arange(args: tuple[Any, ...], dtype: str, expected: list[int]) -> None:
    out = ndgrad.arange(*args, dtype=getattr(ndgrad, dtype))
    assert out.dtype == getattr(ndgrad, dtype) and out.tolist() == expected


def test_arange_checks_and_inference() -> None:
    with pytest.raises(ValueError, match="step must be nonzero"):
        ndgrad.arange(0.0, 5.0, 0.2, dtype=ndgrad.int64)
    with pytest.raises(NotImplementedError, match="\"arange_cpu\" not implemented for 'Bool'"):
        ndgrad.arange(5, 1.5, 0.01, dtype=ndgrad.bool)  # (before the step's sign)
    assert ndgrad.arange(-1, np.int64(4)).dtype == ndgrad.int64  # numpy ints are ints
    assert ndgrad.arange(0.1, np.float32(0.1), 2).tolist() == [pytest.approx(0.1)]
    assert ndgrad.full((1,), np.int64(4)).dtype == ndgrad.int64


def test_range_in_pytorchs_accumulate_types() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch.range is deprecated (its warning)
        assert len(ndgrad.range(-0.3, 1, 0.1, dtype=ndgrad.float16)) == 13  # in float
        assert len(ndgrad.range(-0.3, 0, 0.1)) == 3  # float32 counts in double
        assert ndgrad.range(10, 0.2, -1, dtype=ndgrad.uint8).tolist()[-2:] == [1, 0]
        assert ndgrad.range(0.001, 2, 2, dtype=ndgrad.int16).tolist() == [0, 2]
        with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent"):
            ndgrad.range(100, 0, 0.01)
        with pytest.raises(RuntimeError, match="step must be nonzero"):
            ndgrad.range(0, 1, 0)
        with pytest.raises(NotImplementedError, match='"range_cpu" not implemented'):
            ndgrad.range(0, 4, 0.5, dtype=ndgrad.bool)


def test_integer_linspace_and_logspace() -> None:
    # the ends go into the dtype first: -1 is 255 in uint8, and the step is (1 - 255) / 2
    assert ndgrad.linspace(-1, 1.5, 3, dtype=ndgrad.uint8).tolist() == [255, 128, 1]
    assert ndgrad.linspace(0.2, 7.9, 5, dtype=ndgrad.int8).tolist() == [0, 1, 3, 5, 7]
    with pytest.raises(RuntimeError, match="converted to type uint8_t without overflow"):
        ndgrad.linspace(-0.3, 2.5, 2, dtype=ndgrad.uint8)  # a negative float into uint8
    assert ndgrad.linspace(7.7, -250.0, 1, dtype=ndgrad.uint8).tolist() == [7]  # end unread
    assert ndgrad.logspace(0, 2.5, 4, dtype=ndgrad.int32).tolist() == [1, 4, 21, 100]
    assert ndgrad.logspace(2, np.float32(0.1), 4, base=2.0, dtype=ndgrad.uint8).tolist() == [
        4,
        2,
        1,
        1,
    ]
    with pytest.raises(RuntimeError, match="converted to type int8_t without overflow"):
        ndgrad.logspace(5, 0.3, 1, dtype=ndgrad.int8)  # the one value, 10**5, checked
    assert ndgrad.logspace(-250.0, 4, 1, base=2, dtype=ndgrad.int8).tolist() == [0]
    for fn in (ndgrad.linspace, ndgrad.logspace):
        with pytest.raises(NotImplementedError, match="not implemented for 'Bool'"):
            fn(0, 1, 3, dtype=ndgrad.bool)
        assert fn(2, 0.5, 1, dtype=ndgrad.bool).tolist() == [True]


def test_a_float_fits_an_integer_dtype_only_within_its_range() -> None:
    # c10's rule: lowest <= value <= max, then truncated (127.5 overflows int8)
    mask = ndgrad.tensor([True])
    for dtype, value in (("int8", 127.5), ("int8", -128.5), ("uint8", -0.5), ("uint8", 255.5)):
        with pytest.raises(RuntimeError, match="without overflow"):
            ndgrad.zeros(1, dtype=getattr(ndgrad, dtype)).masked_fill(mask, value)
    assert ndgrad.zeros(1, dtype=ndgrad.uint8).masked_fill(mask, 255.0).tolist() == [255]


_NUMBERS = [0, 1, -1, 2, 3, 5, 10, -7, 0.1, 0.5, -0.3, 1.5, 2.5, 1e-3, 7.7, 100, 1 / 3, -250.0]
_DTYPES = [None, "float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8"]


def _call(lib: Any, kind: str, dtype: Any, args: list[Any]) -> Any:
    kw = {"dtype": getattr(lib, dtype)} if dtype else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if kind == "arange":
                r = lib.arange(*args, **kw)
            elif kind == "linspace":
                r = lib.linspace(*args[:3], **kw)
            elif kind == "logspace":
                r = lib.logspace(*args[:3], base=args[3], **kw)
            else:
                r = lib.range(*args, **kw)
    except Exception as e:
        return ("error", type(e).__name__, str(e))
    return ("ok", str(r.dtype), r.tolist())


@requires_torch
@pytest.mark.parametrize("block", range(3))
def test_random_sequences_match_torch(block: int) -> None:
    differ = []
    for seed in range(block * 300, (block + 1) * 300):
        rng = random.Random(seed)
        kind = rng.choice(["arange", "linspace", "logspace", "range"])
        dtype = rng.choice(_DTYPES)
        a, b = rng.choice(_NUMBERS), rng.choice(_NUMBERS)
        if kind in ("arange", "range"):
            step = rng.choice([1, 2, -1, 0.5, 0.1, -0.3, 3, 0.25])
            if kind == "range" and dtype and dtype[0] in "iu" and abs(step) < 1:
                continue  # torch.range crashes the process there (a division by zero)
            args: list[Any] = [a, b, step]
        else:
            args = [a, b, rng.choice([0, 1, 2, 3, 5, 10]), rng.choice([10.0, 2.0, 0.5])]
        mine, theirs = _call(ndgrad, kind, dtype, args), _call(torch, kind, dtype, args)
        same = mine[:2] == theirs[:2] and (
            mine[0] == "error"
            or np.allclose(mine[2], theirs[2], rtol=1e-3 if dtype == "float16" else 1e-6)
        )
        if not same or (mine[0] == "error" and mine[2] != theirs[2]):
            differ.append((seed, kind, dtype, args, mine, theirs))
    assert not differ, differ[:3]
