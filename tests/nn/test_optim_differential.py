"""ndgrad.optim and ndgrad.optim.lr_scheduler against torch 2.13, from a differential run of
random configurations (every optimizer with random hyper-parameters, groups, dtypes and missing
gradients for 20 steps with a load_state_dict round trip; LBFGS with and without strong Wolfe;
2,400 constructor calls with bad values; every scheduler for 60 steps). Each case below
differed before its fix."""

from __future__ import annotations

import importlib
import math
import warnings
from typing import Any

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad
import ndgrad.optim
import ndgrad.optim.lr_scheduler

# --- ASGD's eta and mu: torch.as_tensor(value) is copied in, so float64 state is rounded -------


def _asgd_after_load(lib: Any, kwargs: dict[str, Any], steps: int) -> list[Any]:
    p = lib.tensor(np.linspace(-1.0, 1.0, 5), requires_grad=True)
    opt = lib.optim.ASGD([p], **kwargs)
    grads = [np.cos(np.arange(5.0) * (k + 1)) for k in range(steps)]
    p.grad = lib.tensor(grads[0])
    opt.step()
    fresh = lib.optim.ASGD([p], **kwargs)
    fresh.load_state_dict(opt.state_dict())  # eta and mu become float64, like the parameter
    out = []
    for g in grads[1:]:
        p.grad = lib.tensor(g)
        fresh.step()
        st = fresh.state[p]
        out.append((p.detach().numpy().copy(), st["eta"].item(), st["mu"].item(), st["eta"].dtype))
    return out


ASGD_CASES = [
    {"lr": 0.5, "lambd": 0.1, "alpha": 0.75, "t0": 2.0},
    {"lr": 0.01, "lambd": 0.5, "alpha": 0.3, "t0": 0.0, "weight_decay": 0.05},
    {"lr": 1.2, "lambd": 1e-4, "alpha": 0.6, "t0": 1e6, "maximize": True},
]


@pytest.mark.parametrize("kwargs", ASGD_CASES, ids=str)
def test_asgd_eta_and_mu_are_rounded_to_the_default_dtype(kwargs: dict[str, Any]) -> None:
    lr, lambd, alpha, t0 = kwargs["lr"], kwargs["lambd"], kwargs["alpha"], kwargs["t0"]
    for step, (_, eta, mu, dtype) in enumerate(_asgd_after_load(ndgrad, kwargs, 4), start=2):
        assert dtype == ndgrad.float64
        assert eta == float(np.float32(lr / ((1 + lambd * lr * step) ** alpha)))
        assert mu == float(np.float32(1 / max(1, step - t0)))


@requires_torch
@pytest.mark.parametrize("kwargs", ASGD_CASES, ids=str)
def test_asgd_after_load_state_dict_matches_torch(kwargs: dict[str, Any]) -> None:
    ours, theirs = _asgd_after_load(ndgrad, kwargs, 6), _asgd_after_load(torch, kwargs, 6)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a[0], b[0], rtol=1e-13, atol=0)
        assert (a[1], a[2], str(a[3])) == (b[1], b[2], str(b[3]))


# --- step counters follow the default dtype (PyTorch's _get_scalar_dtype) ----------------------


def _scalar_state_dtypes(lib: Any) -> list[str]:
    previous = lib.get_default_dtype()
    lib.set_default_dtype(lib.float64)
    try:
        out = []
        for name in ("Adam", "ASGD", "NAdam", "Adagrad", "Rprop"):
            p = lib.zeros(2, dtype=lib.float32, requires_grad=True)
            opt = getattr(lib.optim, name)([p])
            p.grad = lib.ones(2, dtype=lib.float32)
            opt.step()
            out += [f"{name}.{k}:{v.dtype}" for k, v in opt.state[p].items() if v.dim() == 0]
        return out
    finally:
        lib.set_default_dtype(previous)


def test_step_counters_are_float64_under_a_float64_default() -> None:
    found = _scalar_state_dtypes(ndgrad)
    assert found and all(entry.endswith("torch.float64") for entry in found), found


@requires_torch
def test_step_counter_dtypes_match_torch() -> None:
    assert _scalar_state_dtypes(ndgrad) == _scalar_state_dtypes(torch)


# --- LBFGS keeps its state as tensors ----------------------------------------------------------


def _lbfgs_state(lib: Any, max_iter: int, line_search: str | None) -> dict[str, Any]:
    x = lib.tensor([1.0, -2.0, 0.5], requires_grad=True)
    opt = lib.optim.LBFGS([x], max_iter=max_iter, history_size=3, line_search_fn=line_search)

    def closure() -> Any:
        opt.zero_grad()
        loss = ((x - 3) ** 2).sum() + (x**4).sum() * 0.1
        loss.backward()
        return loss

    opt.step(closure)

    def kind(v: Any) -> Any:
        if isinstance(v, list):
            return [kind(e) for e in v]
        if isinstance(v, lib.Tensor):
            return ("tensor", str(v.dtype), tuple(v.shape))
        return type(v).__name__

    return {k: kind(v) for k, v in opt.state[x].items()}


def test_lbfgs_state_holds_tensors() -> None:
    one = _lbfgs_state(ndgrad, 1, None)
    assert one["d"] == one["prev_flat_grad"] == ("tensor", "torch.float32", (3,))
    assert one["t"] == ("tensor", "torch.float32", ())  # min(1, 1/|g|₁)·lr: a 0-d tensor
    assert one["H_diag"] == "int"
    assert "al" not in one
    three = _lbfgs_state(ndgrad, 3, "strong_wolfe")
    assert list(three)[:3] == ["func_evals", "n_iter", "al"]
    assert three["al"] == [("tensor", "torch.float32", ()), "NoneType", "NoneType"]
    assert three["ro"] == [("tensor", "torch.float32", ())] * len(three["ro"])
    assert three["old_dirs"] == [("tensor", "torch.float32", (3,))] * len(three["old_dirs"])
    assert three["H_diag"] == ("tensor", "torch.float32", ())


@requires_torch
@pytest.mark.parametrize("max_iter", [1, 3, 20])
@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_state_matches_torch(max_iter: int, line_search: str | None) -> None:
    assert _lbfgs_state(ndgrad, max_iter, line_search) == _lbfgs_state(torch, max_iter, line_search)


# --- constructor checks ------------------------------------------------------------------------

ERRORS = [
    ("O.SGD([P()], lr=float('nan'))", None, ""),
    (
        "O.SGD([P()], lr=None)",
        TypeError,
        "'<' not supported between instances of 'NoneType' and 'float'",
    ),
    (
        "O.SGD([P()], momentum='a')",
        TypeError,
        "'<' not supported between instances of 'str' and 'float'",
    ),
    (
        "O.Adam([P()], lr=None)",
        TypeError,
        "'<=' not supported between instances of 'float' and 'NoneType'",
    ),
    (
        "O.RMSprop([P()], alpha=(0, 1))",
        TypeError,
        "'<=' not supported between instances of 'float' and 'tuple'",
    ),
    (
        "O.Adagrad([P()], initial_accumulator_value='a')",
        TypeError,
        "'<=' not supported between instances of 'float' and 'str'",
    ),
    (
        "O.Muon([P2d()], weight_decay=None)",
        TypeError,
        "'<=' not supported between instances of 'float' and 'NoneType'",
    ),
    (
        "O.Adafactor([P()], d='a')",
        TypeError,
        "'<=' not supported between instances of 'float' and 'str'",
    ),
    ("O.Rprop([P()], lr=lib.tensor([0.1, 0.2]))", ValueError, "Tensor lr must be 1-element"),
    ("O.LBFGS([P()], lr=lib.tensor([0.1, 0.2]))", ValueError, "Tensor lr must be 1-element"),
    (
        "O.Adam([P()], betas=(0, 0.9))",
        ValueError,
        "betas must be either both floats or both Tensors",
    ),
    (
        "O.AdamW([P()], betas=(lib.tensor(0.9), 0.99))",
        ValueError,
        "betas must be either both floats or both Tensors",
    ),
    (
        "O.Adam([P()], foreach=True, fused=True)",
        RuntimeError,
        "`fused` and `foreach` cannot be `True` together.",
    ),
    (
        "O.SGD([P()], differentiable=True, fused=True)",
        RuntimeError,
        "`fused` does not support `differentiable`",
    ),
    (
        "O.Adagrad([P()], foreach=True, fused=True)",
        RuntimeError,
        "`fused` and `foreach` cannot be `True` together.",
    ),
    (
        "O.Adam([P()]).add_param_group([P()])",
        TypeError,
        "param_group must be a dict, but got <class 'list'>",
    ),
    (
        "O.SGD([{'params': [P()]}], lr=required)",
        TypeError,
        "'<' not supported between instances of '_RequiredParameter' and 'float'",
    ),
]


def _attempt(lib: Any, code: str) -> tuple[str, str]:
    env = {
        "O": lib.optim,
        "lib": lib,
        "P": lambda: lib.zeros(2, requires_grad=True),
        "P2d": lambda: lib.zeros(2, 2, requires_grad=True),
        "required": importlib.import_module(lib.__name__ + ".optim.optimizer").required,
    }
    try:
        eval(code, env)
    except Exception as e:
        return type(e).__name__, str(e)
    return "ok", ""


@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS, ids=[c for c, _, _ in ERRORS])
def test_constructor_errors(code: str, exc: type[Exception] | None, msg: str) -> None:
    assert _attempt(ndgrad, code) == ((exc.__name__, msg) if exc else ("ok", ""))


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS, ids=[c for c, _, _ in ERRORS])
def test_constructor_errors_match_torch(code: str, exc: type[Exception] | None, msg: str) -> None:
    theirs = _attempt(torch, code)
    assert theirs == ((exc.__name__, msg) if exc else ("ok", ""))  # the fact the test above uses
    assert _attempt(ndgrad, code) == theirs


# --- scheduler warnings ------------------------------------------------------------------------

ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and "
    "later, you should call them in the opposite order: `optimizer.step()` before "
    "`lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value "
    "of the learning rate schedule. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)
REPLACED_WARNING = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
    "initialization. Please, make sure to call `optimizer.step()` before `lr_scheduler.step()`. "
    "See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)
EPOCH_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
    "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if "
    "epoch is different from None, the closed form is used instead of the new chainable form, "
    "where available. Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)


def _scenario(lib: Any, name: str) -> tuple[list[tuple[str, str]], list[float]]:
    S = lib.optim.lr_scheduler
    opt = lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if name == "scheduler first":
            sched: Any = S.StepLR(opt, 2)
            for _ in range(3):
                sched.step()
                opt.step()
        elif name == "step replaced":
            sched = S.CosineAnnealingLR(opt, 5)
            opt.step = lambda closure=None: None  # type: ignore[method-assign]
            sched.step()
        elif name == "epoch given":
            sched = S.MultiStepLR(opt, [2, 4])
            opt.step()
            sched.step(3)
        elif name == "plateau epoch":
            sched = S.ReduceLROnPlateau(opt, patience=0)
            sched.step(1.0, 4)
            sched.step(2.0)
        elif name == "sequential":
            first, second = S.ConstantLR(opt, 0.5, 2), S.ExponentialLR(opt, 0.9)
            sched = S.SequentialLR(opt, [first, second], [2])
            for _ in range(4):
                sched.step()
        elif name == "two schedulers":
            first, second = S.StepLR(opt, 1), S.ExponentialLR(opt, 0.9)  # step is wrapped once
            opt.step()
            first.step()  # the optimizer stepped: no warning
            second.step()
            third = S.LinearLR(opt)  # made after the optimizer stepped: no warning
            third.step()
            fourth = S.ConstantLR(lib.optim.Adam([lib.zeros(1, requires_grad=True)]))
            fourth.step()  # another optimizer, never stepped
    found = [(w.category.__name__, str(w.message)) for w in caught]
    return found, [g["lr"] for g in opt.param_groups]


SCENARIOS = {
    "scheduler first": [("UserWarning", ORDER_WARNING)],
    "step replaced": [("UserWarning", REPLACED_WARNING)],
    "epoch given": [("UserWarning", EPOCH_WARNING)],
    "plateau epoch": [("UserWarning", EPOCH_WARNING)],
    "sequential": [("UserWarning", ORDER_WARNING)] * 2,  # each inner scheduler's first step
    "two schedulers": [("UserWarning", ORDER_WARNING)],
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scheduler_warnings(name: str) -> None:
    assert _scenario(ndgrad, name)[0] == SCENARIOS[name]


def test_epoch_deprecation_warning_text() -> None:
    assert ndgrad.optim.lr_scheduler.EPOCH_DEPRECATION_WARNING == EPOCH_WARNING


@requires_torch
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_scheduler_warnings_match_torch(name: str) -> None:
    ours, theirs = _scenario(ndgrad, name), _scenario(torch, name)
    assert ours[0] == theirs[0]
    assert all(math.isclose(a, b, rel_tol=1e-15) for a, b in zip(ours[1], theirs[1], strict=True))


RESUME_MESSAGE = (
    "param 'initial_lr' is not specified in param_groups[0] when resuming scheduler with "
    "last_epoch >= 0.\nThis typically happens when:\n1. You're trying to resume training from a "
    "checkpoint but haven't properly loaded the optimizer state\n2. You're using last_epoch >= 0 "
    "for a fresh training run (not recommended)"
)


def _resume_error(lib: Any) -> str:
    opt = lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.1)
    with pytest.raises(KeyError) as info:
        lib.optim.lr_scheduler.StepLR(opt, 2, last_epoch=3)
    return str(info.value.args[0])


def test_resume_without_initial_lr_message() -> None:
    assert _resume_error(ndgrad) == RESUME_MESSAGE


@requires_torch
def test_resume_without_initial_lr_message_matches_torch() -> None:
    assert _resume_error(ndgrad) == _resume_error(torch) == RESUME_MESSAGE
