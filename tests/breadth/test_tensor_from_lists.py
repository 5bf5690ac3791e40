"""torch.tensor / as_tensor / Tensor of lists holding tensors or numpy arrays, as PyTorch reads
them: a tensor inside a list is one number (so ``torch.tensor(losses)`` of shape-(1,) losses is
a vector), a multi-element one is refused, and numpy arrays inside a list warn (once)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ndgrad
from ndgrad import _errors


def test_one_element_tensors_in_a_list_are_numbers() -> None:
    losses = [ndgrad.tensor([0.5]), ndgrad.tensor([0.25]), ndgrad.ones(1, 1)]
    out = ndgrad.tensor(losses)
    assert out.shape == (3,)
    assert out.tolist() == [0.5, 0.25, 1.0]
    assert ndgrad.tensor([ndgrad.tensor(1), ndgrad.tensor(2)]).dtype is ndgrad.int64
    assert ndgrad.tensor([[ndgrad.tensor(1.0), 2.0], [3.0, 4.0]]).shape == (2, 2)


@pytest.mark.parametrize("make", [ndgrad.tensor, ndgrad.as_tensor, ndgrad.Tensor])
def test_multi_element_tensors_in_a_list_are_refused(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="^only one element tensors can be converted to Python"):
        make([ndgrad.ones(2), ndgrad.zeros(2)])
    with pytest.raises(ValueError, match="only one element tensors"):
        make([[ndgrad.ones(2)], [ndgrad.zeros(2)]])


@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
def test_zero_dim_arrays_in_a_list_are_refused() -> None:
    with pytest.raises(TypeError, match=r"^len\(\) of unsized object$"):
        ndgrad.tensor([np.array(1.0), np.array(2.0)])


def test_arrays_in_a_list_warn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_errors, "WARNED_ONCE", _errors.WARNED_ONCE - {"arrays_in_list"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = ndgrad.tensor([np.zeros(2, np.float32), np.ones(2, np.float32)])
        ndgrad.tensor([[1.0, 2.0], np.ones(2)])
    assert first.shape == (2, 2) and first.dtype is ndgrad.float32
    assert len(caught) == 1
    assert str(caught[0].message).startswith(
        "Creating a tensor from a list of numpy.ndarrays is extremely slow."
    )
    assert caught[0].filename == __file__


def test_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    for make in (
        lambda lib: lib.tensor([lib.ones(1), lib.ones(1) * 2]),
        lambda lib: lib.tensor([lib.tensor(1), lib.tensor(2.5)]),
        lambda lib: lib.tensor([[lib.ones(1, 1)], [lib.zeros(1)]]),
    ):
        ours, theirs = make(ndgrad), make(torch)
        assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    for bad in ([1, 2], [[3], [4]]):
        with pytest.raises(ValueError) as theirs_err:
            torch.tensor([torch.ones(2)] + [torch.ones(2)] * (len(bad) - 1))
        with pytest.raises(ValueError) as ours_err:
            ndgrad.tensor([ndgrad.ones(2)] + [ndgrad.ones(2)] * (len(bad) - 1))
        assert str(ours_err.value) == str(theirs_err.value)
