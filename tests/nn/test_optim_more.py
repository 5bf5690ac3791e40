"""Adafactor and Muon against PyTorch (50-step update sequences, param groups, state dicts,
errors, reprs) and against their defining properties."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.optim
from ndgrad.optim.muon import _zeropower_via_newtonschulz

INIT = [np.random.default_rng(3).standard_normal(s) for s in ((3, 4), (4, 6), (6,), (2, 3, 4))]
X = np.random.default_rng(4).standard_normal((5, 3))


def _loss(lib: Any, params: list[Any]) -> Any:
    w, v, b, t = params[0], params[1], params[2], params[3] if len(params) > 3 else None
    out = ((lib.tensor(X).to(w.dtype) @ w).tanh() @ v + b).sin().sum() + (w * w).sum() * 0.1
    return out if t is None else out + (t * t * t).sum() * 0.01


def _run(
    lib: Any,
    name: str,
    kwargs: dict[str, Any],
    steps: int = 50,
    dtype: Any = np.float64,
    groups: bool = False,
) -> list[list[np.ndarray]]:
    count = 2 if name == "Muon" else 4  # Muon takes matrices only
    params = [lib.tensor(a.astype(dtype), requires_grad=True) for a in INIT]
    if name == "Muon":
        params[2:] = [lib.tensor(INIT[2].astype(dtype))]
    cls = getattr(lib.optim, name)
    if groups:
        opt = cls([{"params": params[:1]}, {"params": params[1:count], "lr": 0.05}], **kwargs)
    else:
        opt = cls(params[:count], **kwargs)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        _loss(lib, params).backward()
        opt.step()
        history.append([p.detach().numpy().copy() for p in params[:count]])
    return history


CASES = [
    ("Adafactor", {}),
    ("Adafactor", {"lr": 0.1, "weight_decay": 0.1}),
    ("Adafactor", {"lr": 0.05, "maximize": True, "d": 1.5, "beta2_decay": -0.5}),
    ("Adafactor", {"lr": 0.02, "eps": (1e-6, 1e-2)}),
    ("Muon", {}),
    ("Muon", {"lr": 0.02, "nesterov": False, "weight_decay": 0.01}),
    ("Muon", {"lr": 0.01, "adjust_lr_fn": "match_rms_adamw", "momentum": 0.9}),
    ("Muon", {"lr": 0.01, "adjust_lr_fn": "original", "ns_steps": 3, "eps": 1e-3}),
]


@requires_torch
@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_update_sequence_matches_torch(name: str, kwargs: dict[str, Any], dtype: Any) -> None:
    # float64: 50 steps within 1e-6 (in fact ~1e-11). float32: Muon's bfloat16 iteration is
    # reproduced bit for bit and its 50 steps agree; Adafactor's float32 norms are sums whose
    # order differs from PyTorch's vectorised kernels by an ulp, which its trajectory amplifies
    # (to ~1e-1 after 50 steps in one case here), so float32 Adafactor is held to 5 steps
    steps = 5 if (name, dtype) == ("Adafactor", np.float32) else 50
    ours = _run(ndgrad, name, kwargs, steps, dtype=dtype)
    theirs = _run(torch, name, kwargs, steps, dtype=dtype)
    tight = dtype == np.float64
    assert_close(ours[:3], theirs[:3], rtol=1e-12 if tight else 1e-5, atol=1e-14 if tight else 1e-6)
    for a, b in zip(ours, theirs, strict=True):
        assert_close(a, b, rtol=1e-6 if tight else 1e-5, atol=1e-6)


@requires_torch
@pytest.mark.parametrize("name", ["Adafactor", "Muon"])
def test_param_groups_match_torch(name: str) -> None:
    ours = _run(ndgrad, name, {"lr": 0.01}, 10, groups=True)
    theirs = _run(torch, name, {"lr": 0.01}, 10, groups=True)
    assert_close(ours, theirs, rtol=1e-9, atol=1e-12)


@requires_torch
def test_newton_schulz_is_torchs_bfloat16_iteration() -> None:
    from torch.optim._muon import _zeropower_via_newtonschulz as torch_ns

    rng = np.random.default_rng(0)
    coefficients = (3.4445, -4.7750, 2.0315)
    for shape in [(3, 4), (6, 4), (8, 8), (2, 9), (5, 1)] * 40:
        g = rng.standard_normal(shape) * 10 ** rng.uniform(-3, 1)
        ours = _zeropower_via_newtonschulz(g, coefficients, 5, 1e-7)
        theirs = torch_ns(torch.tensor(g), coefficients, 5, 1e-7).float().numpy()
        np.testing.assert_array_equal(ours, theirs)


def test_newton_schulz_orthogonalises() -> None:
    """The quintic iteration maps every singular value into roughly (0.5, 1.5), keeping U and V."""
    g = np.random.default_rng(1).standard_normal((6, 10))
    out = _zeropower_via_newtonschulz(g, (3.4445, -4.7750, 2.0315), 5, 1e-7).astype(np.float64)
    s = np.linalg.svd(out, compute_uv=False)
    assert s.min() > 0.5 and s.max() < 1.5
    u, _, vt = np.linalg.svd(g, full_matrices=False)
    assert_close(u.T @ out @ vt.T, np.diag(np.diag(u.T @ out @ vt.T)), atol=0.05)


def test_adafactor_first_step_is_a_scaled_sign_step() -> None:
    """At t = 1 a vector's variance is g², so U = g/|g|: θ₁ = θ₀ - max(ε₂, RMS(θ₀)) lr sign(g)"""
    theta0 = np.array([0.5, -2.0, 1.5, 0.1])
    p = ndgrad.tensor(theta0, requires_grad=True)
    opt = ndgrad.optim.Adafactor([p], lr=0.01)
    (p * ndgrad.tensor([1.0, -3.0, 0.2, 2.0])).sum().backward()
    opt.step()
    rms = np.sqrt(np.mean(theta0**2))
    assert_close(p, theta0 - rms * 0.01 * np.sign([1.0, -3.0, 0.2, 2.0]), rtol=1e-12)
    assert sorted(opt.state[p]) == ["step", "variance"]


@pytest.mark.parametrize("name", ["Adafactor", "Muon"])
def test_state_dict_round_trip(name: str) -> None:
    straight = _run(ndgrad, name, {"lr": 0.05}, steps=4)
    count = 2 if name == "Muon" else 4
    params = [ndgrad.tensor(a.copy(), requires_grad=True) for a in INIT]
    if name == "Muon":
        params[2:] = [ndgrad.tensor(INIT[2].copy())]
    opt = getattr(ndgrad.optim, name)(params[:count], lr=0.05)
    for step in range(4):
        if step == 2:  # resume from a state dict, as after a checkpoint
            state = opt.state_dict()
            assert state["param_groups"][0]["params"] == list(range(count))
            opt = getattr(ndgrad.optim, name)(params[:count], lr=123.0)
            opt.load_state_dict(state)
            assert opt.param_groups[0]["lr"] == 0.05
        opt.zero_grad()
        _loss(ndgrad, params).backward()
        opt.step()
    assert_close([p.detach() for p in params[:count]], straight[-1], rtol=0, atol=0)


@requires_torch
@pytest.mark.parametrize("name", ["Adafactor", "Muon"])
def test_state_dict_layout_matches_torch(name: str) -> None:
    states = []
    for lib in (ndgrad, torch):
        count = 2 if name == "Muon" else 4
        params = [lib.tensor(a.copy(), requires_grad=True) for a in INIT]
        if name == "Muon":
            params[2:] = [lib.tensor(INIT[2].copy())]
        opt = getattr(lib.optim, name)(params[:count])
        for _ in range(2):
            opt.zero_grad()
            _loss(lib, params).backward()
            opt.step()
        states.append(opt.state_dict())
    ours, theirs = states
    assert ours["param_groups"] == theirs["param_groups"]
    assert ours["state"].keys() == theirs["state"].keys()
    for k in ours["state"]:
        assert list(ours["state"][k]) == list(theirs["state"][k])
        for key, a in ours["state"][k].items():
            b = theirs["state"][k][key]
            assert a.dtype.name == str(b.dtype).replace("torch.", "")
            assert tuple(a.shape) == tuple(b.shape)
            assert_close(a, b, rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("name", ["Adafactor", "Muon"])
def test_repr_matches_torch(name: str) -> None:
    w = np.zeros((2, 2))
    ours = repr(getattr(ndgrad.optim, name)([ndgrad.tensor(w, requires_grad=True)]))
    theirs = repr(getattr(torch.optim, name)([torch.tensor(w, requires_grad=True)]))
    assert ours == theirs


ERRORS = [
    ("Adafactor(P, lr=-1)", ValueError, "Learning rate should be >= 0 but is: -1"),
    ("Adafactor(P, beta2_decay=0.1)", ValueError, "beta2_decay should be <= 0 but is: 0.1"),
    ("Adafactor(P, eps=(-1, 1e-3))", ValueError, "epsilon1 should be >= 0 but is: -1"),
    ("Adafactor(P, eps=(None, -1))", ValueError, "epsilon2 should be >= 0 but is: -1"),
    ("Adafactor(P, d=0.5)", ValueError, "Clipping threshold d should be >= 1 but is: 0.5"),
    ("Adafactor(P, weight_decay=-1)", ValueError, "weight_decay should be >= 0 but is: -1"),
    ("Adafactor(P, lr=lib.tensor([1.0, 2.0]))", ValueError, "Tensor lr must be 1-element"),
    ("Muon(P, lr=-1)", ValueError, "Learning rate should be >= 0 but is: -1"),
    ("Muon(P, momentum=-1)", ValueError, "momentum should be >= 0 but is: -1"),
    ("Muon(P, weight_decay=-1)", ValueError, "weight decay should be >= 0 but is: -1"),
    ("Muon(P, adjust_lr_fn='x')", ValueError, "Adjust learning rate function x is not supported"),
    (
        "Muon([lib.zeros(3, requires_grad=True)])",
        ValueError,
        "Muon only supports 2D parameters whereas we found a parameter with size: torch.Size([3])",
    ),
    (
        "Muon(P, ns_steps=100).step()",
        ValueError,
        "Number of steps must be less than 100 for computational efficiency",
    ),
    (
        "Muon(P, ns_coefficients=(1, 2)).step()",
        ValueError,
        "Coefficients must be a tuple of exactly 3 values",
    ),
]


def _raise(lib: Any, code: str) -> None:
    p = lib.zeros(2, 2, requires_grad=True)
    p.grad = lib.ones(2, 2)
    eval(code, {"lib": lib, "P": [p], **vars(lib.optim)})


@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=f"^{re.escape(msg)}$"):
        _raise(ndgrad, code)


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS, ids=[e[0] for e in ERRORS])
def test_error_texts_are_torchs(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=f"^{re.escape(msg)}$"):
        _raise(torch, code)


# --- swap_in_optimizer_params_and_state ------------------------------------------------------
def _swap_setup(lib: Any) -> tuple[Any, Any, Any, dict[str, Any]]:
    live = lib.tensor(INIT[0].copy(), requires_grad=True)
    opt = lib.optim.Adam([live], lr=0.1)
    (live * live).sum().backward()
    opt.step()
    other = lib.tensor(INIT[0].copy() * 2, requires_grad=True)
    other.grad = lib.ones(3, 4, dtype=other.dtype)
    return live, opt, other, opt.state_dict()


@requires_torch
def test_swap_in_steps_other_params_and_state_like_torch() -> None:
    results = []
    for lib in (ndgrad, torch):
        live, opt, other, osd = _swap_setup(lib)
        osd = {"state": {0: {k: v.clone() for k, v in osd["state"][0].items()}},
               "param_groups": [dict(osd["param_groups"][0], lr=0.5)]}  # fmt: skip
        live_before = live.detach().numpy().copy()
        live_avg = opt.state[live]["exp_avg"].numpy().copy()
        with lib.optim.swap_in_optimizer_params_and_state(opt, {"w": other}, osd):
            assert opt.param_groups[0]["params"] == [other]
            assert opt.param_groups[0]["lr"] == 0.5
            opt.step()
        assert opt.param_groups[0]["lr"] == 0.1
        assert opt.param_groups[0]["params"][0] is live
        np.testing.assert_array_equal(live.detach().numpy(), live_before)
        np.testing.assert_array_equal(opt.state[live]["exp_avg"].numpy(), live_avg)
        results.append((other.detach().numpy(), osd["state"][0]["exp_avg"].numpy(),
                        float(osd["state"][0]["step"])))  # fmt: skip
    assert_close(results[0][:2], results[1][:2], rtol=1e-13)
    assert results[0][2] == results[1][2] == 2.0  # the state tensors were updated in place


def test_swap_in_restores_on_error() -> None:
    live, opt, other, osd = _swap_setup(ndgrad)
    swap = ndgrad.optim.swap_in_optimizer_params_and_state(opt, {"w": other}, osd)
    with pytest.raises(KeyError), swap:
        raise KeyError("boom")
    assert opt.param_groups[0]["params"][0] is live and live in opt.state


SWAP_ERRORS = [
    ("fresh", "swap_in_optimizer_params_and_state requires initialized optimizer state."),
    ("not_dict", "swap_in_optimizer_params_and_state requires a DCP-style optimizer state_dict."),
    (
        "extra_key",
        "swap_in_optimizer_params_and_state requires swapin_optim_state['state'] to be keyed "
        "only by packed parameter ids from param_groups[*]['params']; got extra keys [7].",
    ),
    (
        "group_keys",
        "swap_in_optimizer_params_and_state requires optimizer.state_dict()-style param group "
        "keys to exactly match the live optimizer group keys for group 0. Keys only in swap-in: "
        "['zzz']. Keys only in live: [].",
    ),
    (
        "few_params",
        "swap_in_optimizer_params_and_state requires the explicit parameter state to match "
        "optimizer.param_groups ordering.",
    ),
    (
        "groups",
        "swapin_optim_state has a different number of parameter groups than the live optimizer.",
    ),
]


def _swap_error(lib: Any, case: str) -> None:
    live, opt, other, osd = _swap_setup(lib)
    params: dict[str, Any] = {"w": other}
    if case == "fresh":
        opt = lib.optim.Adam([live])
    elif case == "not_dict":
        osd = [osd]
    elif case == "extra_key":
        osd["state"][7] = {}
    elif case == "group_keys":
        osd["param_groups"][0]["zzz"] = 1
    elif case == "few_params":
        params = {}
    elif case == "groups":
        osd["param_groups"].append(osd["param_groups"][0])
    with lib.optim.swap_in_optimizer_params_and_state(opt, params, osd):
        pass


@pytest.mark.parametrize(("case", "msg"), SWAP_ERRORS, ids=[e[0] for e in SWAP_ERRORS])
def test_swap_in_errors(case: str, msg: str) -> None:
    with pytest.raises(RuntimeError, match=f"^{re.escape(msg)}$"):
        _swap_error(ndgrad, case)


@requires_torch
@pytest.mark.parametrize(("case", "msg"), SWAP_ERRORS, ids=[e[0] for e in SWAP_ERRORS])
def test_swap_in_error_texts_are_torchs(case: str, msg: str) -> None:
    with pytest.raises(RuntimeError, match=f"^{re.escape(msg)}$"):
        _swap_error(torch, case)
