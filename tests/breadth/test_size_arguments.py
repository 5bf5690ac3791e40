"""Sizes given by name, no sizes at all, and ``out=`` on the functions that make tensors.

Found by a differential run of shape ops and creation functions with random arguments:
``torch.rand(size=(2, 3))`` returned a 0-d tensor (the keyword was swallowed), ``torch.zeros(3,
out=t)`` left ``t`` as it was, ``x.new_full(..., device=...)`` and ``x.new_tensor(...,
device=...)`` were refused, ``x.reshape()`` returned x where PyTorch raises, and the gradient of
``torch.diag`` of a one-element vector crashed in the accumulation of a leaf's gradient.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from tests.helpers import requires_torch, torch
from tests.programs import assert_same, run

_X = np.arange(6.0).reshape(2, 3)

_BY_NAME: dict[str, Callable[[Any], Any]] = {
    "rand": lambda lib: lib.rand(size=(2, 3)).shape,
    "randn": lambda lib: lib.randn(size=(2,)).shape,
    "zeros": lambda lib: lib.zeros(size=(2,)),
    "ones": lambda lib: lib.ones(size=[2, 1]),
    "empty": lambda lib: lib.empty(size=(3,)).shape,
    "randint_high": lambda lib: lib.randint(high=5, size=(2,)).shape,
    "randint_low_high": lambda lib: lib.randint(low=2, high=3, size=(2,)),
    "new_zeros": lambda lib: lib.tensor(_X).new_zeros(size=(4,)),
    "new_ones": lambda lib: lib.tensor(_X).new_ones(size=(4,)),
    "new_empty": lambda lib: lib.tensor(_X).new_empty(size=(4,)).shape,
    "reshape": lambda lib: lib.tensor(_X).reshape(shape=(6,)),
    "view": lambda lib: lib.tensor(_X).view(size=(6,)),
    "expand": lambda lib: lib.tensor(_X[0]).expand(size=(2, 3)),
    "permute": lambda lib: lib.tensor(_X).permute(dims=(1, 0)),
    "repeat": lambda lib: lib.tensor(_X).repeat(repeats=(2, 1)),
    "tile": lambda lib: lib.tensor(_X).tile(dims=(2,)),
    "flip": lambda lib: lib.tensor(_X).flip(dims=(0,)),
    "sum_to_size": lambda lib: lib.tensor(_X).sum_to_size(size=(1, 3)),
    "resize_": lambda lib: lib.tensor(_X).resize_(size=(3,)),
    "arange_end": lambda lib: lib.arange(end=3),
    "new_zeros_device": lambda lib: lib.tensor(_X).new_zeros(3, device="cpu"),
    "new_full_device": lambda lib: lib.tensor(_X).new_full((2,), 3.0, device="cpu"),
    "new_tensor_device": lambda lib: lib.tensor(_X).new_tensor([1, 2], device="cpu"),
}


@pytest.mark.parametrize("name", list(_BY_NAME))
@requires_torch
def test_sizes_by_name_match_torch(name: str) -> None:
    assert_same(run(_BY_NAME[name], ndgrad), run(_BY_NAME[name], torch))


def test_sizes_by_name_by_hand() -> None:
    assert ndgrad.rand(size=(2, 3)).shape == (2, 3)
    assert ndgrad.zeros(size=(2,)).tolist() == [0.0, 0.0]
    assert ndgrad.tensor(_X).permute(dims=(1, 0)).shape == (3, 2)
    assert ndgrad.arange(end=3).tolist() == [0, 1, 2]
    assert ndgrad.tensor(_X).new_full((2,), 3.0, device="cpu").tolist() == [3.0, 3.0]


_NO_SIZE: dict[str, Callable[[Any], Any]] = {
    "reshape": lambda lib: lib.tensor(_X).reshape(),
    "view": lambda lib: lib.tensor(_X).view(),
    "permute": lambda lib: lib.tensor(_X).permute(),
    "repeat": lambda lib: lib.tensor(_X).repeat(),
    "expand": lambda lib: lib.tensor(_X).expand(),
    "tile": lambda lib: lib.tensor(_X).tile(),
    "flip": lambda lib: lib.tensor(_X).flip(),
    "ones": lambda lib: lib.ones(),
    "zeros": lambda lib: lib.zeros(),
    "empty": lambda lib: lib.empty(),
    "rand": lambda lib: lib.rand(),
    "randn": lambda lib: lib.randn(),
    "randint": lambda lib: lib.randint(5),
    "new_ones": lambda lib: lib.tensor(_X).new_ones(),
    "new_zeros": lambda lib: lib.tensor(_X).new_zeros(),
    "new_empty": lambda lib: lib.tensor(_X).new_empty(),
    "resize_": lambda lib: lib.tensor(_X).resize_(),
    "sum_to_size": lambda lib: lib.tensor(_X).sum_to_size(),
    "arange": lambda lib: lib.arange(),
    "two_shapes": lambda lib: lib.tensor(_X).reshape(6, shape=(6,)),
    "two_sizes": lambda lib: lib.zeros(2, size=(3,)),
    "stray_keyword": lambda lib: lib.tensor(_X).new_zeros(3, foo=1),
}


@pytest.mark.parametrize("name", list(_NO_SIZE))
@requires_torch
def test_missing_sizes_match_torch(name: str) -> None:
    assert_same(run(_NO_SIZE[name], ndgrad), run(_NO_SIZE[name], torch))


def test_missing_sizes_by_hand() -> None:
    with pytest.raises(
        TypeError, match='reshape\\(\\) missing 1 required positional arguments: "shape"'
    ):
        ndgrad.tensor(_X).reshape()
    with pytest.raises(
        TypeError, match='ones\\(\\) missing 1 required positional arguments: "size"'
    ):
        ndgrad.ones()
    with pytest.raises(TypeError, match="got multiple values for argument 'size'"):
        ndgrad.zeros(2, size=(3,))
    assert ndgrad.ones(()).shape == ()  # an empty shape given is a 0-d tensor


# --- out= of the functions that make a tensor ---------------------------------------------------


def _into(make: Callable[[Any, Any], Any], out_dtype: str = "float32", n: int = 3) -> Any:
    def program(lib: Any) -> Any:
        lib.manual_seed(0)
        out = lib.ones(n, dtype=getattr(lib, out_dtype))
        result = make(lib, out)
        return result is out, out

    return program


_INTO = {
    "zeros": _into(lambda lib, o: lib.zeros(3, out=o)),
    "zeros_long": _into(lambda lib, o: lib.zeros(3, out=o), "int64"),
    "ones_resized": _into(lambda lib, o: lib.ones(2, 2, out=o), n=5),
    "full_long": _into(lambda lib, o: lib.full((3,), 2.0, out=o), "int64"),
    "rand_double": _into(lambda lib, o: lib.rand(3, out=o), "float64"),
    "randn": _into(lambda lib, o: lib.randn(3, out=o)),
    "randint_float": _into(lambda lib, o: lib.randint(5, (3,), out=o)),
    "randperm_float": _into(lambda lib, o: lib.randperm(4, out=o), n=4),
    "dtype_mismatch": _into(lambda lib, o: lib.zeros(3, dtype=lib.float64, out=o)),
    "not_a_tensor": _into(lambda lib, o: lib.zeros(3, out=[1])),
    "requires_grad": _into(lambda lib, o: lib.ones(3, out=o.requires_grad_())),
}


@pytest.mark.parametrize("name", list(_INTO))
@requires_torch
def test_creation_out_matches_torch(name: str) -> None:
    assert_same(run(_INTO[name], ndgrad), run(_INTO[name], torch))


def test_creation_out_by_hand() -> None:
    out = ndgrad.ones(3, dtype=ndgrad.int64)
    assert ndgrad.zeros(3, out=out) is out and out.tolist() == [0, 0, 0]
    out = ndgrad.ones(5)
    ndgrad.ones(2, 2, out=out)
    assert out.shape == (2, 2)
    ndgrad.manual_seed(0)
    drawn = ndgrad.rand(3, dtype=ndgrad.float64)
    ndgrad.manual_seed(0)
    assert ndgrad.rand(3, out=ndgrad.empty(3, dtype=ndgrad.float64)).tolist() == drawn.tolist()


# --- shape ops found by the same run -------------------------------------------------------------


def _permute_duplicate_then_out_of_range(lib: Any) -> Any:
    # dims wrapped one by one: the repeated 0 is refused before 5 is read
    return lib.ones(2, 2, 2, 2).permute(0, 0, 1, 5)


@requires_torch
def test_permute_checks_dims_in_order_matches_torch() -> None:
    program = _permute_duplicate_then_out_of_range
    assert_same(run(program, ndgrad), run(program, torch))


def test_diag_of_one_element_backward() -> None:
    # the leaf's gradient was an as_strided view whose base is numpy's DummyArray: the check
    # for a gradient that can be kept without a copy read its .size and crashed
    for n in (0, 1):
        x = ndgrad.ones(n, dtype=ndgrad.float64, requires_grad=True)
        ndgrad.diag(x, 1).sum().backward()
        assert x.grad is not None and x.grad.shape == (n,)
        np.testing.assert_array_equal(x.grad.numpy(), np.ones(n))


def _transposes(lib: Any) -> Any:
    out = []
    for shape in [(), (3,), (2, 2), (2, 2, 2)]:
        z = lib.ones(shape)
        for name in ("T", "mT", "mH", "H"):
            try:
                with warnings.catch_warnings(record=True) as seen:
                    warnings.simplefilter("always")
                    r = getattr(z, name)
                out.append((shape, name, r is z, tuple(r.shape), len(seen)))
            except RuntimeError as e:
                out.append((shape, name, str(e)))
    return out


@requires_torch
def test_transposes_of_any_rank_match_torch() -> None:
    # PyTorch warns once per process about x.T of 3 dims: the first call here warns in both
    ours, theirs = _transposes(ndgrad), _transposes(torch)
    assert [o for o in ours if o[:2] != ((2, 2, 2), "T")] == [
        o for o in theirs if o[:2] != ((2, 2, 2), "T")
    ]


def test_transposes_of_a_0d_tensor_by_hand() -> None:
    z = ndgrad.tensor(2.0)
    for name in ("mT", "mH", "H"):
        with pytest.warns(UserWarning, match=f"Tensor.{name} is deprecated on 0-D tensors"):
            assert getattr(z, name) is z
    with pytest.raises(RuntimeError, match="For batches of matrices, consider using tensor.mH"):
        _ = ndgrad.ones(2, 2, 2).H


@pytest.mark.parametrize("case", [((3, 2), 3, ()), ((), 3, ()), ((3, 2), 3, (3,))], ids=str)
@requires_torch
def test_unflatten_checks_sizes_before_dim_matches_torch(case: Any) -> None:
    shape, dim, sizes = case

    def program(lib: Any) -> Any:
        return lib.ones(shape).unflatten(dim, sizes)

    assert_same(run(program, ndgrad), run(program, torch))


def _rot90(k: int, dims: tuple[int, int], perm: Any) -> Callable[[Any], Any]:
    def program(lib: Any) -> Any:
        x = lib.arange(24.0, dtype=lib.float64).reshape(2, 3, 4)
        if perm is not None:
            x = x.permute(*perm)
        x.requires_grad_()
        y = lib.rot90(x, k, dims)
        y.backward(lib.arange(24.0, dtype=lib.float64).reshape(tuple(y.shape)))
        return y, y.stride(), y.is_contiguous(), x.grad

    return program


@pytest.mark.parametrize("k", [-1, 0, 1, 2, 3, 5])
@pytest.mark.parametrize("perm", [None, (2, 0, 1)], ids=["contiguous", "permuted"])
@requires_torch
def test_rot90_is_one_node_laid_out_as_torch(k: int, perm: Any) -> None:
    # PyTorch records Rot90Backward0 (ndgrad recorded the flip and transpose it is made of)
    program = _rot90(k, (2, 0), perm)
    assert_same(run(program, ndgrad, offset=True), run(program, torch, offset=True))


def test_rot90_by_hand() -> None:
    x = ndgrad.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ndgrad.float64, requires_grad=True)
    y = ndgrad.rot90(x)
    assert y.grad_fn.name() == "Rot90Backward0"
    assert y.tolist() == [[2.0, 4.0], [1.0, 3.0]]
    assert ndgrad.autograd.gradcheck(lambda t: ndgrad.rot90(t, 3, (1, 0)), (x,))
    assert ndgrad.autograd.gradgradcheck(lambda t: ndgrad.rot90(t, 1, (0, 1)), (x,))
