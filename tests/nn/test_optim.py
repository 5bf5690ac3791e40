"""Optimizers and schedulers against PyTorch: same init, same gradients, N steps, same params."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.nn
import ndgrad.optim
from ndgrad.optim import lr_scheduler

INIT = [np.random.default_rng(3).standard_normal(s) for s in ((3, 4), (4,))]
X = np.random.default_rng(4).standard_normal((5, 3))


def _loss(lib: Any, params: list[Any]) -> Any:
    w, b = params
    return ((lib.tensor(X) @ w + b).tanh() ** 2).sum() + (w * w).sum() * 0.1


def _run(lib: Any, name: str, kwargs: dict[str, Any], steps: int = 50, groups: bool = False
         ) -> list[list[np.ndarray]]:  # fmt: skip
    params = [lib.tensor(a.copy(), requires_grad=True) for a in INIT]
    cls = getattr(lib.optim, name)
    if groups:
        opt = cls([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.05}], **kwargs)
    else:
        opt = cls(params, **kwargs)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        _loss(lib, params).backward()
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


OPT_CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "maximize": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.1, "amsgrad": True, "betas": (0.5, 0.9)}),
    ("Adam", {"lr": 0.01, "maximize": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1}),
    ("RMSprop", {"maximize": True, "alpha": 0.9}),
    ("Adagrad", {}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.1},
    ),
    ("Adagrad", {"maximize": True, "eps": 1e-6}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.05, "weight_decay": 0.1, "betas": (0.8, 0.9)}),
    ("Adamax", {"lr": 0.05, "maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "betas": (0.9, 0.8)}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 3, "weight_decay": 0.1}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.1)}),
    ("Rprop", {"maximize": True}),
]


@requires_torch
@pytest.mark.parametrize(("name", "kwargs"), OPT_CASES, ids=lambda v: str(v))
def test_optimizer_matches_torch(name: str, kwargs: dict[str, Any]) -> None:
    # 50 steps: rounding differences grow along a chaotic trajectory (to ~1e-10 here), while a
    # wrong formula is off at the first step by far more
    ours = _run(ndgrad, name, kwargs)
    theirs = _run(torch, name, kwargs)
    assert_close(ours[:3], theirs[:3], rtol=1e-13, atol=1e-15)
    for a, b in zip(ours, theirs, strict=True):
        assert_close(a, b, rtol=1e-9, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_param_groups_match_torch(name: str) -> None:
    kwargs = {"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.01}
    assert_close(_run(ndgrad, name, kwargs, 3, True), _run(torch, name, kwargs, 3, True),
                 rtol=1e-13, atol=1e-15)  # fmt: skip


@requires_torch
def test_float32_sgd_matches_torch() -> None:
    p = ndgrad.tensor(INIT[0].astype(np.float32), requires_grad=True)
    q = torch.tensor(INIT[0].astype(np.float32), requires_grad=True)
    o1 = ndgrad.optim.Adam([p], lr=0.1)
    o2 = torch.optim.Adam([q], lr=0.1)
    for _ in range(3):
        for t, o in ((p, o1), (q, o2)):
            o.zero_grad()
            (t * t * t).sum().backward()
            o.step()
    assert p.dtype == ndgrad.float32
    assert_close(p, q, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "name",
    [
        "SGD",
        "Adam",
        "AdamW",
        "RMSprop",
        "Adagrad",
        "Adamax",
        "NAdam",
        "RAdam",
        "Adadelta",
        "ASGD",
        "Rprop",
    ],
)
def test_state_dict_round_trip(name: str) -> None:
    kwargs: dict[str, Any] = {"lr": 0.1}
    if name in ("SGD", "RMSprop"):
        kwargs["momentum"] = 0.9
    straight = _run(ndgrad, name, kwargs, steps=4)
    params = [ndgrad.tensor(a.copy(), requires_grad=True) for a in INIT]
    opt = getattr(ndgrad.optim, name)(params, **kwargs)
    for step in range(4):
        if step == 2:  # resume from a state dict, as after a checkpoint
            state = opt.state_dict()
            assert sorted(state) == ["param_groups", "state"]
            assert state["param_groups"][0]["params"] == [0, 1]
            opt = getattr(ndgrad.optim, name)(params, lr=123.0)
            opt.load_state_dict(state)
            assert opt.param_groups[0]["lr"] == 0.1
        opt.zero_grad()
        _loss(ndgrad, params).backward()
        opt.step()
    # NAdam's mu_product and ASGD's eta and mu are float32 scalars that loading casts to the
    # parameters' dtype, as PyTorch's load_state_dict does; the rest resumes bit for bit
    exact = name not in ("NAdam", "ASGD")
    assert_close([p.detach() for p in params], straight[-1], rtol=0 if exact else 1e-6, atol=0)


LAYOUT_CASES = [
    ("Adam", {"lr": 0.1, "amsgrad": True}),
    ("Adamax", {}),
    ("NAdam", {}),
    ("RAdam", {}),
    ("Adadelta", {}),
    ("ASGD", {}),
    ("Rprop", {}),
]


@requires_torch
@pytest.mark.parametrize(("name", "kwargs"), LAYOUT_CASES, ids=[c[0] for c in LAYOUT_CASES])
def test_state_dict_layout_matches_torch(name: str, kwargs: dict[str, Any]) -> None:
    ours = _run_state(ndgrad, name, kwargs)
    theirs = _run_state(torch, name, kwargs)
    assert ours["param_groups"] == theirs["param_groups"]
    assert ours["state"].keys() == theirs["state"].keys()
    for k in ours["state"]:
        assert list(ours["state"][k]) == list(theirs["state"][k])
        for key in ours["state"][k]:
            a, b = ours["state"][k][key], theirs["state"][k][key]
            assert a.dtype.name == str(b.dtype).replace("torch.", "")
            assert_close(a, b, rtol=1e-13)


def _run_state(lib: Any, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    params = [lib.tensor(a.copy(), requires_grad=True) for a in INIT]
    opt = getattr(lib.optim, name)(params, **kwargs)
    for _ in range(2):
        opt.zero_grad()
        _loss(lib, params).backward()
        opt.step()
    return opt.state_dict()


def test_zero_grad() -> None:
    p = ndgrad.ones(2, requires_grad=True)
    opt = ndgrad.optim.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert p.grad is not None and p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_step_closure_and_no_grad_params() -> None:
    p = ndgrad.ones(2, requires_grad=True)
    q = ndgrad.ones(2, requires_grad=True)  # never gets a gradient: untouched
    opt = ndgrad.optim.SGD([p, q], lr=0.5)

    def closure() -> Any:
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 2.0
    assert p.tolist() == [0.0, 0.0] and q.tolist() == [1.0, 1.0]


OPT_ERRORS = [
    ("T.optim.SGD([T.zeros(2, requires_grad=True) * 2], lr=0.1)", ValueError,
     "can't optimize a non-leaf Tensor"),
    ("T.optim.SGD([], lr=0.1)", ValueError, "optimizer got an empty parameter list"),
    ("T.optim.SGD(T.zeros(2, requires_grad=True), lr=0.1)", TypeError,
     "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
     "torch.FloatTensor"),
    ("T.optim.SGD([T.zeros(2, requires_grad=True)], lr=-1)", ValueError,
     "Invalid learning rate: -1"),
    ("T.optim.SGD([T.zeros(2, requires_grad=True)], lr=1, nesterov=True)", ValueError,
     "Nesterov momentum requires a momentum and zero dampening"),
    ("T.optim.Adam([T.zeros(2, requires_grad=True)], betas=(1.0, 0.9))", ValueError,
     "Invalid beta parameter at index 0: 1.0"),
    ("T.optim.RMSprop([T.zeros(2, requires_grad=True)], alpha=-1)", ValueError,
     "Invalid alpha value: -1"),
    ("T.optim.Adagrad([T.zeros(2, requires_grad=True)], lr_decay=-1)", ValueError,
     "Invalid lr_decay value: -1"),
    ("T.optim.Rprop([T.zeros(2, requires_grad=True)], etas=(1.2, 0.5))", ValueError,
     "Invalid eta values: 1.2, 0.5"),
    ("T.optim.Adadelta([T.zeros(2, requires_grad=True)], rho=1.5)", ValueError,
     "Invalid rho value: 1.5"),
    ("T.optim.NAdam([T.zeros(2, requires_grad=True)], momentum_decay=-1)", ValueError,
     "Invalid momentum_decay value: -1"),
    ("T.optim.SGD([T.zeros(2, requires_grad=True), 3], lr=1)", TypeError,
     "optimizer can only optimize Tensors, but one of the params is int"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "exc", "msg"), OPT_ERRORS)
def test_optimizer_errors(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"T": ndgrad})


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), OPT_ERRORS)
def test_optimizer_error_texts_are_torchs(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"T": torch})


@requires_torch
def test_repr_matches_torch() -> None:
    a = ndgrad.optim.Adam([ndgrad.zeros(1, requires_grad=True)])
    b = torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    assert repr(a) == repr(b)


def _lbfgs_run(lib: Any, kwargs: dict[str, Any], steps: int) -> list[Any]:
    params = [lib.tensor(a.copy(), requires_grad=True) for a in INIT]
    opt = lib.optim.LBFGS(params, **kwargs)

    def closure() -> Any:
        opt.zero_grad()
        w, b = params
        # a badly conditioned, non-quadratic objective, so the line search has work to do
        loss = _loss(lib, params) + ((w[0] - 1) ** 4).sum() + 3 * ((b[1:] - b[:-1] ** 2) ** 2).sum()
        loss.backward()
        return loss

    out = []
    for _ in range(steps):
        loss = opt.step(closure)
        state = opt.state[params[0]]
        out.append(
            (float(loss.detach()), [p.detach().numpy().copy() for p in params],
             state["func_evals"], state["n_iter"])
        )  # fmt: skip
    return out


LBFGS_CASES = [
    {},
    {"lr": 0.5, "max_iter": 7, "history_size": 3},
    {"line_search_fn": "strong_wolfe"},
    {"line_search_fn": "strong_wolfe", "max_iter": 5, "history_size": 2, "lr": 0.8},
]


@requires_torch
@pytest.mark.parametrize("kwargs", LBFGS_CASES, ids=str)
def test_lbfgs_matches_torch(kwargs: dict[str, Any]) -> None:
    ours, theirs = _lbfgs_run(ndgrad, kwargs, 4), _lbfgs_run(torch, kwargs, 4)
    for (la, pa, ea, na), (lb, pb, eb, nb) in zip(ours, theirs, strict=True):
        assert (ea, na) == (eb, nb)
        np.testing.assert_allclose(la, lb, rtol=1e-9)
        assert_close(pa, pb, rtol=1e-8, atol=1e-10)


def test_lbfgs_rejects_groups_and_other_line_searches() -> None:
    a, b = ndgrad.zeros(2, requires_grad=True), ndgrad.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        ndgrad.optim.LBFGS([{"params": [a]}, {"params": [b]}])
    opt = ndgrad.optim.LBFGS([a], line_search_fn="armijo")

    def closure() -> Any:
        opt.zero_grad()
        loss = ((a - 1) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


# --- schedulers --------------------------------------------------------------------------------
SCHED_CASES = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}, False),
    ("MultiStepLR", {"milestones": [2, 5, 5, 9], "gamma": 0.3}, False),
    ("ExponentialLR", {"gamma": 0.9}, False),
    ("CosineAnnealingLR", {"T_max": 5, "eta_min": 0.001}, False),
    ("LambdaLR", {"lr_lambda": lambda e: 1 / (1 + e)}, False),
    ("ReduceLROnPlateau", {"patience": 1, "factor": 0.5, "cooldown": 1}, True),
    (
        "ReduceLROnPlateau",
        {"mode": "max", "threshold_mode": "abs", "patience": 0, "min_lr": 0.02},
        True,
    ),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.9 if e % 2 else 1.0}, False),
    ("ConstantLR", {"factor": 0.5, "total_iters": 4}, False),
    ("LinearLR", {"start_factor": 0.25, "end_factor": 0.9, "total_iters": 7}, False),
    ("PolynomialLR", {"total_iters": 9, "power": 2.0}, False),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.01}, False),
    ("CosineAnnealingWarmRestarts", {"T_0": 4}, False),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": [0.1, 0.3], "step_size_up": 3}, False),
    (
        "CyclicLR",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2, "step_size_down": 3,
         "mode": "triangular2"},
        False,
    ),
    (
        "CyclicLR",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2, "mode": "exp_range", "gamma": 0.9,
         "cycle_momentum": False},
        False,
    ),
    ("OneCycleLR", {"max_lr": 0.5, "total_steps": 20}, False),
    (
        "OneCycleLR",
        {"max_lr": [0.5, 1.0], "epochs": 4, "steps_per_epoch": 5, "pct_start": 0.25,
         "anneal_strategy": "linear", "three_phase": True},
        False,
    ),
    (
        "SequentialLR",
        {"build": lambda S, o: S.SequentialLR(
            o, [S.LinearLR(o, 0.1, total_iters=3), S.ExponentialLR(o, 0.8),
                S.StepLR(o, 2, 0.5)], milestones=[4, 9])},
        False,
    ),
    (
        "ChainedScheduler",
        {"build": lambda S, o: S.ChainedScheduler(
            [S.ConstantLR(o, 0.5, total_iters=3), S.ExponentialLR(o, 0.9)])},
        False,
    ),
]  # fmt: skip


def _make(lib: Any, name: str, kwargs: dict[str, Any]) -> tuple[Any, Any, Any]:
    p = lib.zeros(1, requires_grad=True)
    opt = lib.optim.SGD([{"params": [p]}, {"params": [lib.zeros(1, requires_grad=True)],
                                           "lr": 0.2}], lr=0.1, momentum=0.5)  # fmt: skip
    if "build" in kwargs:
        sched = kwargs["build"](lib.optim.lr_scheduler, opt)
    else:
        sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
    return p, opt, sched


METRICS = [1.0, 0.9, 0.95, 0.95, 0.97, 0.5, 0.6, 0.7, 0.7, 0.7, 0.8, 0.9, 0.95, 0.2] * 2


def _advance(p: Any, opt: Any, sched: Any, plateau: bool, epochs: range) -> list[list[float]]:
    out = []
    for epoch in epochs:
        (p * 1).sum().backward()
        opt.step()
        if plateau:
            sched.step(METRICS[epoch])
        else:
            sched.step()
        lrs = [float(g["lr"]) for g in opt.param_groups]
        assert [float(v) for v in sched.get_last_lr()] == lrs
        out.append(lrs + [float(g["momentum"]) for g in opt.param_groups])
    return out


def _lrs(lib: Any, name: str, kwargs: dict[str, Any], plateau: bool) -> list[list[float]]:
    p, opt, sched = _make(lib, name, kwargs)
    first = [[float(g["lr"]) for g in opt.param_groups]]
    steps = 19 if name == "OneCycleLR" else 24  # OneCycleLR refuses to go past total_steps
    return first + _advance(p, opt, sched, plateau, range(steps))


@requires_torch
@pytest.mark.parametrize(("name", "kwargs", "plateau"), SCHED_CASES, ids=lambda v: str(v))
def test_scheduler_matches_torch(name: str, kwargs: dict[str, Any], plateau: bool) -> None:
    ours = _lrs(ndgrad, name, kwargs, plateau)
    theirs = _lrs(torch, name, kwargs, plateau)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=0)


@pytest.mark.parametrize(("name", "kwargs", "plateau"), SCHED_CASES, ids=lambda v: str(v))
def test_scheduler_state_dict_round_trip(name: str, kwargs: dict[str, Any], plateau: bool) -> None:
    straight = _lrs(ndgrad, name, kwargs, plateau)
    p, opt, sched = _make(ndgrad, name, kwargs)
    _advance(p, opt, sched, plateau, range(7))
    state, opt_state = sched.state_dict(), opt.state_dict()
    p2, opt2, sched2 = _make(ndgrad, name, kwargs)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(state)
    rest = _advance(p2, opt2, sched2, plateau, range(7, len(straight) - 1))
    assert rest == straight[8:]


def test_scheduler_closed_form_epoch() -> None:
    p = ndgrad.zeros(1, requires_grad=True)
    opt = ndgrad.optim.SGD([p], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    assert sched.get_last_lr() == [1.0]
    assert opt.param_groups[0]["initial_lr"] == 1.0
    sched.last_epoch = 4
    sched._get_closed_form_lr()
    assert sched._get_closed_form_lr() == [0.25]


def test_reduce_on_plateau_factor_error() -> None:
    opt = ndgrad.optim.SGD([ndgrad.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match=re.escape("Factor should be < 1.0.")):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
