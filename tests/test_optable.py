"""Generic tests over the op table (tests/optables): values, gradcheck, gradgradcheck, PyTorch."""

from __future__ import annotations

import importlib
import pkgutil
import zlib
from typing import Any

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck

from . import optables
from .helpers import assert_close, assert_zero_signs, requires_torch, to_numpy, torch
from .optables import OpInfo, Sample


def _all_ops() -> list[OpInfo]:
    ops: list[OpInfo] = []
    for info in pkgutil.iter_modules(optables.__path__):
        module = importlib.import_module(f"{optables.__name__}.{info.name}")
        ops.extend(getattr(module, "OPS", []))
    return ops


CASES = [pytest.param(op, s, id=f"{op.name}-{s.id()}") for op in _all_ops() for s in op.samples]


def _make_array(op: OpInfo, sample: Sample, i: int, shape: tuple[int, ...], rng) -> np.ndarray:
    maker = sample.makers[i] if i < len(sample.makers) else None
    if maker is not None:
        return np.asarray(maker(rng, shape))
    lo, hi = op.domain
    a = rng.uniform(lo, hi, size=shape)
    for p in op.avoid:  # push samples away from non-differentiable points
        near = np.abs(a - p) < op.gap
        a = np.where(near, p + np.where(a >= p, op.gap, -op.gap) * 2, a)
    if sample.non_contiguous and len(shape) >= 1:
        if len(shape) >= 2:
            a = np.ascontiguousarray(np.swapaxes(a, -1, -2))
            a = np.swapaxes(a, -1, -2)
        else:
            a = np.repeat(a, 2)[::2]
    return a


def _inputs(op: OpInfo, sample: Sample) -> list[np.ndarray]:
    # A stable seed per case (hash() of a str changes between processes).
    rng = np.random.default_rng(zlib.crc32(f"{op.name}|{sample.id()}".encode()))
    return [_make_array(op, sample, i, s, rng) for i, s in enumerate(sample.shapes)]


def _diff_indices(op: OpInfo, arrays: list[np.ndarray]) -> tuple[int, ...]:
    if op.differentiable is not None:
        return op.differentiable
    return tuple(i for i, a in enumerate(arrays) if a.dtype.kind == "f")


def _nd_inputs(op: OpInfo, arrays: list[np.ndarray]) -> list[ndgrad.Tensor]:
    diff = _diff_indices(op, arrays)
    # from_numpy keeps non-contiguous layouts, which is what those samples test.
    ts = [ndgrad.from_numpy(a.copy() if a.flags.c_contiguous else a) for a in arrays]
    for i in diff:
        ts[i].requires_grad_(True)
    return ts


def _float_outputs(out: Any) -> list[Any]:
    outs = out if isinstance(out, tuple | list) else (out,)
    return [o for o in outs if o is not None and o.dtype.is_floating_point]


@pytest.mark.parametrize(("op", "sample"), CASES)
def test_values_match_numpy(op: OpInfo, sample: Sample) -> None:
    if op.ref is None:
        pytest.skip("no numpy reference")
    arrays = _inputs(op, sample)
    out = op.op(ndgrad, *[ndgrad.from_numpy(a) for a in arrays], **sample.kwargs)
    expected = op.ref(*arrays, **sample.kwargs)
    assert_close(out, expected, op.rtol, op.atol)


@pytest.mark.parametrize(("op", "sample"), CASES)
def test_gradcheck(op: OpInfo, sample: Sample) -> None:
    if not op.gradcheck:
        pytest.skip("not differentiable")
    ts = _nd_inputs(op, _inputs(op, sample))
    assert gradcheck(lambda *xs: op.op(ndgrad, *xs, **sample.kwargs), ts)


@pytest.mark.parametrize(("op", "sample"), CASES)
def test_gradgradcheck(op: OpInfo, sample: Sample) -> None:
    if not (op.gradcheck and op.gradgradcheck):
        pytest.skip("not twice differentiable")
    ts = _nd_inputs(op, _inputs(op, sample))
    assert gradgradcheck(lambda *xs: op.op(ndgrad, *xs, **sample.kwargs), ts)


@requires_torch
@pytest.mark.parametrize(("op", "sample"), CASES)
def test_matches_torch(op: OpInfo, sample: Sample) -> None:
    if not op.torch_parity:
        pytest.skip("no PyTorch counterpart")
    arrays = _inputs(op, sample)
    diff = _diff_indices(op, arrays)
    ts = _nd_inputs(op, arrays)
    tt = [torch.from_numpy(a.copy()) for a in arrays]
    for i in diff:
        tt[i].requires_grad_(True)
    out_nd = op.op(ndgrad, *ts, **sample.kwargs)
    out_th = op.op(torch, *tt, **sample.kwargs)
    assert_close(out_nd, out_th, op.rtol, op.atol if op.torch_atol is None else op.torch_atol)
    if not op.gradcheck or not diff:
        return
    outs_nd, outs_th = _float_outputs(out_nd), _float_outputs(out_th)
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal(tuple(o.shape)) for o in outs_th]
    loss_nd = sum((o * ndgrad.from_numpy(w)).sum() for o, w in zip(outs_nd, weights, strict=True))
    loss_th = sum((o * torch.from_numpy(w)).sum() for o, w in zip(outs_th, weights, strict=True))
    grads_nd = ndgrad.autograd.grad(loss_nd, [ts[i] for i in diff], allow_unused=True)
    grads_th = torch.autograd.grad(loss_th, [tt[i] for i in diff], allow_unused=True)
    for g_nd, g_th in zip(grads_nd, grads_th, strict=True):
        if g_th is None:
            assert g_nd is None or not np.any(to_numpy(g_nd))
        else:
            assert_close(g_nd, g_th, 1e-6, 1e-9)
            assert_zero_signs(g_nd, g_th)
