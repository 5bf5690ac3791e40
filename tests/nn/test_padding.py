"""Padding modules, RMSNorm, Unflatten, ParameterList and ParameterDict against PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F

MODULES = [
    ("ZeroPad1d(2)", (2, 3)), ("ZeroPad2d((1, 0, 2, 1))", (1, 2, 3)),
    ("ZeroPad3d(1)", (1, 1, 2, 2, 2)), ("ConstantPad1d((1, 2), 3.5)", (2, 3)),
    ("ConstantPad2d(1, -1.0)", (1, 2, 2)), ("ConstantPad3d((1, 0, 0, 1, 1, 0), 2.0)", (1, 2, 2, 2)),
    ("ReflectionPad1d(2)", (2, 3)), ("ReflectionPad2d((1, 2, 0, 1))", (1, 2, 3, 3)),
    ("ReflectionPad3d(1)", (1, 1, 2, 3, 2)), ("ReplicationPad1d((3, 1))", (1, 2, 3)),
    ("ReplicationPad2d(2)", (1, 2, 2)), ("ReplicationPad3d((1, 0, 1, 0, 0, 1))", (1, 1, 2, 2, 2)),
    ("CircularPad1d(2)", (1, 2, 3)), ("CircularPad2d((1, 0, 2, 1))", (1, 1, 3, 3)),
    ("CircularPad3d(1)", (1, 1, 2, 2, 2)), ("RMSNorm(4)", (2, 3, 4)),
    ("RMSNorm([3, 4], eps=1e-3, elementwise_affine=False)", (2, 3, 4)),
    ("Unflatten(1, (2, 3))", (4, 6, 2)),
]  # fmt: skip


@requires_torch
@pytest.mark.parametrize(("code", "shape"), MODULES, ids=[c for c, _ in MODULES])
def test_module_matches_torch(code: str, shape: tuple[int, ...]) -> None:
    ours = eval("nn." + code, {"nn": nn}).double()
    theirs = eval("nn." + code, {"nn": torch.nn}).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal(shape)
    a, b = ndgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = ours(a), theirs(b)
    assert_close(ya, yb, rtol=1e-12, atol=1e-14)
    w = np.random.default_rng(1).standard_normal(tuple(yb.shape))
    (ya * ndgrad.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    assert_close(a.grad, b.grad, rtol=1e-12, atol=1e-14)


def _containers(lib: Any) -> Any:
    P = lib.nn.Parameter
    plist = lib.nn.ParameterList([P(lib.zeros(3)), P(lib.ones(2, 3, dtype=lib.float64))])
    plist.append(lib.full((2,), 2.0))  # a plain tensor becomes a Parameter
    pdict = lib.nn.ParameterDict({"w": P(lib.zeros(2, 2)), "b": lib.ones(2)})
    pdict["extra"] = P(lib.zeros(1))
    m = lib.nn.Module()
    m.plist, m.pdict = plist, pdict
    return m


@requires_torch
def test_parameter_containers_match_torch() -> None:
    ours, theirs = _containers(ndgrad), _containers(torch)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert all(isinstance(p, nn.Parameter) for p in ours.plist)
    assert len(ours.plist) == 3 and len(ours.pdict) == 3 and "w" in ours.pdict
    assert list(ours.pdict.keys()) == list(theirs.pdict.keys())
    del ours.pdict["w"]
    del theirs.pdict["w"]
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_parameter_list_trains() -> None:
    params = nn.ParameterList([nn.Parameter(ndgrad.ones(2)) for _ in range(3)])
    opt = ndgrad.optim.SGD(params.parameters(), lr=0.5)
    loss = sum((p * p).sum() for p in params)
    loss.backward()
    opt.step()
    assert all(p.tolist() == [0.0, 0.0] for p in params)
    assert params[-1] is params[2] and len(params[1:]) == 2


def test_non_constant_padding_dims_and_length_errors() -> None:
    # PyTorch's reflect/replicate/circular kernels pad k dims of a (k+1)- or (k+2)-d input
    x = ndgrad.ones(3, 6)
    for mode in ("reflect", "replicate", "circular"):
        with pytest.raises(NotImplementedError) as info:
            F.pad(x, (1, 1, 2, 2), mode=mode)
        assert str(info.value).startswith(
            "Padding size 4 is not supported for 2D input tensor.\nSupported combinations for "
            "non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
        )
        with pytest.raises(NotImplementedError, match="^Padding size 2 is not supported for 4D"):
            F.pad(ndgrad.ones(1, 2, 6, 2), (1, 1), mode=mode)
    with pytest.raises(RuntimeError) as err:
        F.pad(x, (1,) * 6)
    assert str(err.value) == (
        "Padding length should be less than or equal to two times the input dimension but got "
        "padding length 6 and input of dimension 2"
    )


def test_reflect_padding_too_large_names_the_last_dim_first() -> None:
    # PyTorch's reflection kernels check the width, then the height, then the depth
    with pytest.raises(RuntimeError) as info:
        F.pad(ndgrad.ones(1, 1, 2, 2), (3, 3, 3, 3), mode="reflect")
    assert str(info.value) == (
        "Argument #4: Padding size should be less than the corresponding input dimension, but "
        "got: padding (3, 3) at dimension 3 of input [1, 1, 2, 2]"
    )
    with pytest.raises(RuntimeError, match=r"at dimension 3 of input \[1, 1, 2, 2, 5\]$"):
        F.pad(ndgrad.ones(1, 1, 2, 2, 5), (1, 1, 3, 3, 3, 3), mode="reflect")
