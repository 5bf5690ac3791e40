"""ndgrad.amp and ndgrad.cuda.amp: GradScaler's algorithm against torch.amp.GradScaler('cpu'),
the disabled and CUDA-less paths, and autocast's no-op, warning and error cases."""

from __future__ import annotations

import pickle
import warnings
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch

# gradient multipliers per step: inf and nan trigger a backoff and a skipped step
_MULTS = [1.0, 1.0, float("inf"), 1.0, 1.0, 1.0, float("nan"), 1.0, 1.0, 1.0, 1.0]


def _train(lib: Any, explicit_unscale: bool) -> dict[str, Any]:
    w = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    v = lib.tensor([[0.5], [0.25]], dtype=lib.float64, requires_grad=True)
    c = lib.tensor([[3.0], [0.1]], dtype=lib.float64)
    opt = lib.optim.SGD([w, v], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=2.0**10, growth_interval=3)
    record: dict[str, Any] = {"scales": [], "trackers": [], "w": [], "grads": [], "ret": []}
    for mult in _MULTS:
        opt.zero_grad()
        loss = (w * w).sum() * mult + (v * c).sum()
        scaled = scaler.scale(loss)
        record.setdefault("scaled", []).append(float(scaled.item()))
        scaled.backward()
        if explicit_unscale:
            scaler.unscale_(opt)
        record["ret"].append(scaler.step(opt))
        record["grads"].append(v.grad.detach().numpy().copy())
        scaler.update()
        record["scales"].append(scaler.get_scale())
        record["trackers"].append(scaler._get_growth_tracker())
        record["w"].append(w.detach().numpy().copy())
    record["state"] = scaler.state_dict()
    return record


@requires_torch
@pytest.mark.parametrize("explicit_unscale", [False, True])
def test_grad_scaler_cpu_matches_pytorch(explicit_unscale: bool) -> None:
    a, b = _train(ndgrad, explicit_unscale), _train(torch, explicit_unscale)
    assert a["scales"] == b["scales"]
    assert a["trackers"] == b["trackers"]
    assert a["state"] == b["state"]
    assert a["ret"] == b["ret"]
    # the loss itself (float32 plus float64) may differ in its last bit; the scale is a power of 2
    np.testing.assert_allclose(a["scaled"], b["scaled"], rtol=1e-14)
    for x, y in zip(a["w"], b["w"], strict=True):
        np.testing.assert_array_equal(x, y)
    for x, y in zip(a["grads"], b["grads"], strict=True):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


@requires_torch
def test_scale_of_nested_outputs_matches_pytorch() -> None:
    outs = []
    for lib in (ndgrad, torch):
        s = lib.amp.GradScaler("cpu", init_scale=4.0)
        r = s.scale([lib.tensor(1.0), (lib.tensor([2.0, 3.0]),)])
        outs.append((type(r), type(r[1]), r[0].item(), r[1][0].tolist(), r[0].dtype))
    assert str(outs[0]) == str(outs[1]).replace("torch.", "torch.")


@requires_torch
@pytest.mark.parametrize("enabled", [False, True])
def test_cuda_scaler_without_cuda_matches_pytorch(enabled: bool) -> None:
    seen = []
    for lib in (ndgrad, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            s = lib.amp.GradScaler("cuda", enabled=enabled)
            s2 = lib.cuda.amp.GradScaler(enabled=enabled)
        w = lib.tensor([1.0], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.5)
        loss = (w * 3).sum()
        assert s.scale(loss) is loss
        loss.backward()
        s.unscale_(opt)
        s.step(opt)
        s.update()
        seen.append(
            (
                [(c.category.__name__, str(c.message)) for c in caught],
                s.is_enabled(),
                s2.is_enabled(),
                s.get_scale(),
                s.state_dict(),
                w.tolist(),
            )
        )
        with pytest.raises(AttributeError, match="no attribute '_growth_factor'"):
            s.get_growth_factor()
    assert seen[0] == seen[1]


@requires_torch
def test_errors_match_pytorch() -> None:
    for lib in (ndgrad, torch):
        w = lib.tensor([1.0], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.5)
        s = lib.amp.GradScaler("cpu")
        with pytest.raises(AssertionError, match="Attempted step but _scale is None"):
            s.step(opt)
        s.scale((w * 2).sum()).backward()
        s.unscale_(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
            s.unscale_(opt)
        s.step(opt)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
            s.step(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step"):
            s.unscale_(opt)
        with pytest.raises(AssertionError, match="A GradScaler instance may only be pickled"):
            pickle.dumps(s)
        s.update()
        with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
            s.step(opt, closure=lambda: 0)
        with pytest.raises(AssertionError, match="The growth factor must be > 1.0."):
            lib.amp.GradScaler("cpu", growth_factor=1.0)
        with pytest.raises(RuntimeError, match="The source state dict is empty"):
            s.load_state_dict({})
        empty = lib.optim.SGD([lib.tensor([1.0], requires_grad=True)], lr=0.5)
        s.scale(lib.tensor(1.0))
        with pytest.raises(AssertionError, match="No inf checks were recorded for this optimizer"):
            s.step(empty)


@requires_torch
def test_autocast_cases_match_pytorch() -> None:
    for lib in (ndgrad, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with lib.autocast("cpu", enabled=False):
                y = lib.ones(2, 2) @ lib.ones(2, 2)
            with lib.amp.autocast(device_type="cuda", dtype=lib.float16):
                z = lib.ones(2, 2) @ lib.ones(2, 2)
            with lib.autocast("cpu", dtype=lib.float32):
                u = lib.ones(2, 2) @ lib.ones(2, 2)
            assert not lib.is_autocast_enabled()
        assert y.dtype == z.dtype == u.dtype == lib.float32
        msgs = [str(c.message) for c in caught]
        assert msgs == [
            "CUDA is not available or torch_xla is imported. Disabling autocast.",
            "In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
            "CPU Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
        ]
        with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
            lib.autocast("gpu")
        with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
            lib.autocast(0)
        with pytest.warns(FutureWarning, match=r"`torch.cuda.amp.autocast\(args...\)` is dep"):
            lib.cuda.amp.autocast(enabled=False)


# --- without torch ----------------------------------------------------------------------------


def test_cpu_autocast_that_would_cast_raises_a_clear_error() -> None:
    with pytest.raises(NotImplementedError, match=r"dtype=torch.float16\) would run matmul"):
        ndgrad.autocast("cpu", dtype=ndgrad.float16)
    with pytest.raises(NotImplementedError, match="has no bfloat16"):
        ndgrad.amp.autocast("cpu")


def test_autocast_as_decorator() -> None:
    @ndgrad.autocast("cpu", enabled=False)
    def f(x: ndgrad.Tensor) -> ndgrad.Tensor:
        return x * 2

    assert f(ndgrad.ones(1)).tolist() == [2.0]
    with pytest.raises(TypeError, match="autocast\\(\\)\\(func\\) requires a callable"):
        ndgrad.autocast("cpu", enabled=False)(3)  # type: ignore[arg-type]


def test_grad_scaler_by_hand() -> None:
    w = ndgrad.tensor([1.0], requires_grad=True)
    opt = ndgrad.optim.SGD([w], lr=1.0)
    s = ndgrad.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2)
    assert s.get_scale() == 8.0
    for expected_scale in (8.0, 8.0, 16.0, 16.0):
        opt.zero_grad()
        loss = s.scale((w * 0.5).sum())
        assert loss.item() == w.item() * 0.5 * expected_scale
        loss.backward()
        s.unscale_(opt)
        assert w.grad.tolist() == [0.5]
        s.step(opt)
        s.update()
    assert w.tolist() == [-1.0]  # four steps of 0.5
    opt.zero_grad()
    s.scale((w * float("inf")).sum()).backward()
    before = w.tolist()
    assert s.step(opt) is None
    s.update()
    assert w.tolist() == before and s.get_scale() == 16.0  # 32 backed off
    state = s.state_dict()
    assert state == {
        "scale": 16.0,
        "growth_factor": 2.0,
        "backoff_factor": 0.5,
        "growth_interval": 2,
        "_growth_tracker": 0,
    }
    clone = pickle.loads(pickle.dumps(s))
    assert clone.get_scale() == 16.0


def test_disabled_scaler_passes_through() -> None:
    s = ndgrad.amp.GradScaler("cpu", enabled=False)
    w = ndgrad.tensor([1.0], requires_grad=True)
    opt = ndgrad.optim.SGD([w], lr=1.0)
    loss = (w * 2).sum()
    assert s.scale(loss) is loss
    loss.backward()
    s.unscale_(opt)
    s.step(opt)
    s.update()
    assert w.tolist() == [-1.0]
    assert s.get_scale() == 1.0 and s.state_dict() == {} and not s.is_enabled()


def test_nanogpt_lines_run() -> None:
    with (
        pytest.warns(UserWarning, match="CUDA is not available.  Disabling"),
        pytest.warns(FutureWarning, match="is deprecated"),
    ):
        scaler = ndgrad.cuda.amp.GradScaler(enabled=True)
    assert not scaler.is_enabled()
    with pytest.warns(FutureWarning, match="is deprecated"):
        scaler = ndgrad.cuda.amp.GradScaler(enabled=False)  # dtype == 'float32' on a CPU
    assert not scaler.is_enabled()
    assert not ndgrad.cuda.is_available()
    assert ndgrad.cuda.amp.amp_definitely_not_available()
