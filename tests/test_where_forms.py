"""torch.where's forms: (condition, input, other) and the condition alone (the indices of its
nonzero elements), with PyTorch's errors for the calls that match neither."""

from __future__ import annotations

import pytest

import ndgrad
from tests.helpers import requires_torch, torch

_FORMS = (
    "expected one of:\n"
    " * (Tensor condition)\n"
    " * (Tensor condition, Tensor input, Tensor other, *, Tensor out = None)\n"
    " * (Tensor condition, Number self, Tensor other)\n"
    " * (Tensor condition, Tensor input, Number other)\n"
    " * (Tensor condition, Number self, Number other)\n"
)


def test_condition_alone_gives_the_nonzero_indices():
    rows, cols = ndgrad.where(ndgrad.tensor([[True, False], [False, True]]))
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]
    assert rows.dtype == ndgrad.int64
    (idx,) = ndgrad.where(ndgrad.tensor([1.0, 0.0, 2.0]))  # any dtype: nonzero elements
    assert idx.tolist() == [0, 2]
    (idx,) = ndgrad.where(ndgrad.tensor(True))
    assert idx.tolist() == [0]


@pytest.mark.parametrize(
    ("call", "got"),
    [
        (lambda c, x: ndgrad.where(c, x), "(Tensor, Tensor)"),
        (lambda c, x: ndgrad.where(c, 1.0), "(Tensor, float)"),
        (lambda c, x: ndgrad.where(c, other=x), "(Tensor, other=Tensor)"),
        (lambda c, x: ndgrad.where(c, out=x), "(Tensor, out=Tensor)"),
    ],
)
def test_other_calls_are_pytorchs_type_error(call, got):
    c, x = ndgrad.tensor([True, False]), ndgrad.ones(2)
    with pytest.raises(TypeError) as info:
        call(c, x)
    assert str(info.value) == (
        f"where() received an invalid combination of arguments - got {got}, but {_FORMS}"
    )


def test_condition_dtype_named_as_pytorch_names_it():
    with pytest.raises(RuntimeError) as info:
        ndgrad.where(ndgrad.ones(2), ndgrad.ones(2), 0.0)
    assert str(info.value) == (
        "where expected condition to be a boolean tensor, but got a tensor with dtype Float"
    )


def test_keyword_forms():
    c = ndgrad.tensor([True, False])
    r = ndgrad.where(condition=c, input=ndgrad.ones(2), other=ndgrad.zeros(2))
    assert r.tolist() == [1.0, 0.0]
    out = ndgrad.zeros(2)
    ndgrad.where(c, ndgrad.ones(2), ndgrad.zeros(2), out=out)
    assert out.tolist() == [1.0, 0.0]


@requires_torch
@pytest.mark.parametrize(
    "code",
    [
        "lib.where(lib.tensor([[True, False], [False, True]]))",
        "lib.where(lib.tensor([1., 0, 2]))",
        "lib.where(lib.tensor([True]), lib.ones(1))",
        "lib.where(lib.tensor([True]), other=lib.ones(1))",
        "lib.where(lib.ones(2), lib.ones(2), 0.)",
    ],
)
def test_matches_pytorch(code):
    def run(lib):
        try:
            r = eval(code, {"lib": lib})
        except (TypeError, RuntimeError) as e:
            return type(e).__name__, str(e)
        return tuple(t.tolist() for t in r)

    assert run(ndgrad) == run(torch)
