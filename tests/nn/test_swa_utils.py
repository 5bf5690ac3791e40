"""ndgrad.optim.swa_utils: AveragedModel (SWA, EMA), SWALR, update_bn, against PyTorch and by
hand."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from tests.helpers import requires_torch, torch

import ndgrad
import ndgrad.nn as nn
from ndgrad.optim import swa_utils


def _model(lib: Any) -> Any:
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Linear(4, 2))


def _train_and_average(lib: Any, make_avg: Any, steps: int = 5) -> tuple[Any, Any]:
    """The same model states in both libraries (random values written into the parameters and
    buffers at each step), averaged: the averaging alone is compared."""
    model = _model(lib)
    averaged = make_avg(lib, model)
    gen = np.random.RandomState(1)
    for _ in range(steps):
        with lib.no_grad():
            for t in list(model.parameters()) + list(model.buffers()):
                if t.is_floating_point():
                    value = gen.randn(*t.shape).astype(np.float32)
                    t.copy_(lib.tensor(np.abs(value) if t.dim() == 1 else value))
                else:
                    t.add_(1)
        averaged.update_parameters(model)
    return model, averaged


def _state(m: Any) -> dict[str, np.ndarray]:
    return {k: v.detach().numpy() for k, v in m.state_dict().items()}


MAKERS = {
    "swa": lambda lib, m: lib.optim.swa_utils.AveragedModel(m),
    "swa_buffers": lambda lib, m: lib.optim.swa_utils.AveragedModel(m, use_buffers=True),
    "ema_multi": lambda lib, m: lib.optim.swa_utils.AveragedModel(
        m, multi_avg_fn=lib.optim.swa_utils.get_ema_multi_avg_fn(0.9)
    ),
    "ema": lambda lib, m: lib.optim.swa_utils.AveragedModel(
        m, avg_fn=lib.optim.swa_utils.get_ema_avg_fn(0.9)
    ),
    "swa_multi": lambda lib, m: lib.optim.swa_utils.AveragedModel(
        m, multi_avg_fn=lib.optim.swa_utils.get_swa_multi_avg_fn()
    ),
    "swa_fn": lambda lib, m: lib.optim.swa_utils.AveragedModel(
        m, avg_fn=lib.optim.swa_utils.get_swa_avg_fn()
    ),
}


@requires_torch
@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_averages_match_pytorch(kind: str) -> None:
    _, mine = _train_and_average(ndgrad, MAKERS[kind])
    _, theirs = _train_and_average(torch, MAKERS[kind])
    a, b = _state(mine), _state(theirs)
    assert list(a) == list(b)
    for key in a:
        assert a[key].dtype == b[key].dtype, key
        if kind.endswith("multi"):
            # lerp_: PyTorch's vectorized kernel fuses the multiply-add, numpy rounds twice
            np.testing.assert_allclose(a[key], b[key], rtol=1e-6, atol=1e-7, err_msg=key)
        else:
            np.testing.assert_array_equal(a[key], b[key], err_msg=key)
    assert int(mine.n_averaged) == int(theirs.n_averaged) == 5
    x = np.ones((2, 3), np.float32)
    mine.eval()
    theirs.eval()
    np.testing.assert_allclose(
        mine(ndgrad.tensor(x)).detach().numpy(),
        theirs(torch.tensor(x)).detach().numpy(),
        rtol=1e-6,
    )


@requires_torch
@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 5, 10])
def test_swalr_lrs_match_pytorch(strategy: str, anneal_epochs: int) -> None:
    seqs = []
    for lib in (ndgrad, torch):
        w = lib.zeros(2, requires_grad=True)
        v = lib.zeros(2, requires_grad=True)
        opt = lib.optim.SGD([{"params": [w]}, {"params": [v], "lr": 0.3}], lr=1.0)
        sched = lib.optim.swa_utils.SWALR(
            opt, swa_lr=[0.05, 0.01], anneal_epochs=anneal_epochs, anneal_strategy=strategy
        )
        lrs = [sched.get_last_lr()]
        for _ in range(20):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        seqs.append(lrs)
    assert seqs[0] == seqs[1]


@requires_torch
def test_swalr_state_dict_keys_match_pytorch() -> None:
    keys = []
    for lib in (ndgrad, torch):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=1.0)
        keys.append(set(lib.optim.swa_utils.SWALR(opt, 0.1).state_dict()))
    # PyTorch's base scheduler keeps a few bookkeeping entries of its own
    assert keys[0] <= keys[1]
    assert {"anneal_epochs", "_anneal_strategy", "base_lrs", "last_epoch"} <= keys[0]


@requires_torch
def test_update_bn_matches_pytorch() -> None:
    stats = []
    for lib in (ndgrad, torch):
        model = _model(lib)
        gen = np.random.RandomState(2)
        loader = [(lib.tensor(gen.randn(5, 3).astype(np.float32)), 0) for _ in range(3)]
        model.eval()
        lib.optim.swa_utils.update_bn(loader, model)
        assert not model.training
        assert model[1].momentum == 0.1
        stats.append(_state(model))
    for key in stats[0]:
        np.testing.assert_allclose(stats[0][key], stats[1][key], rtol=1e-6, err_msg=key)


# --- without torch ----------------------------------------------------------------------------


def test_equal_average_by_hand() -> None:
    lin = nn.Linear(1, 1, bias=False)
    avg = swa_utils.AveragedModel(lin)
    for value in (1.0, 2.0, 6.0):
        with ndgrad.no_grad():
            lin.weight.fill_(value)
        avg.update_parameters(lin)
    assert avg.module.weight.item() == 3.0
    assert avg.n_averaged.dtype == ndgrad.int64 and avg.n_averaged.item() == 3
    assert list(avg.state_dict()) == ["n_averaged", "module.weight"]
    assert avg(ndgrad.ones(1, 1)).item() == 3.0


def test_ema_by_hand() -> None:
    lin = nn.Linear(1, 1, bias=False)
    avg = swa_utils.AveragedModel(lin, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.5))
    for value in (4.0, 0.0, 2.0):
        with ndgrad.no_grad():
            lin.weight.fill_(value)
        avg.update_parameters(lin)
    assert avg.module.weight.item() == 2.0  # 4 → 2 → 2
    fn = swa_utils.get_ema_avg_fn(0.75)
    assert fn(ndgrad.tensor(4.0), ndgrad.tensor(0.0), 1).item() == 3.0


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided"):
        swa_utils.get_ema_multi_avg_fn(1.5)
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        swa_utils.AveragedModel(
            nn.Linear(1, 1), avg_fn=swa_utils.get_swa_avg_fn(), multi_avg_fn=lambda *a: None
        )
    opt = ndgrad.optim.SGD([ndgrad.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        swa_utils.SWALR(opt, 0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0, got -1"):
        swa_utils.SWALR(opt, 0.1, anneal_epochs=-1)


def test_swalr_by_hand() -> None:
    opt = ndgrad.optim.SGD([ndgrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = swa_utils.SWALR(opt, swa_lr=0.0, anneal_epochs=2, anneal_strategy="linear")
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(3):
        opt.step()  # (a scheduler step before any optimizer step warns, as PyTorch's does)
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs == [1.0, 0.5, 0.0, 0.0]
    assert math.isclose(swa_utils.SWALR._cosine_anneal(0.5), 0.5)
