"""Single-layer RNN, LSTM and GRU against PyTorch with identical weights; gradcheck."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.nn as nn
from ndgrad.autograd import gradcheck

CASES = [
    ("RNN(3, 4)", (5, 2, 3), False),
    ("RNN(3, 4, nonlinearity='relu', batch_first=True)", (2, 5, 3), True),
    ("LSTM(3, 4)", (5, 2, 3), True),
    ("LSTM(3, 4, batch_first=True, bias=False)", (2, 4, 3), False),
    ("LSTM(3, 2)", (4, 3), False),  # unbatched
    ("GRU(3, 4)", (5, 2, 3), True),
    ("GRU(3, 4, batch_first=True)", (2, 3, 3), False),
    ("GRU(3, 2)", (4, 3), True),  # unbatched
]


def _flat(out: Any) -> list[Any]:
    y, state = out
    return [y, *state] if isinstance(state, tuple) else [y, state]


@requires_torch
@pytest.mark.parametrize(("code", "shape", "with_state"), CASES, ids=[c for c, _, _ in CASES])
def test_matches_torch(code: str, shape: tuple[int, ...], with_state: bool) -> None:
    ours = eval("nn." + code, {"nn": nn}).double()
    theirs = eval("nn." + code, {"nn": torch.nn}).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    args_nd: list[Any] = [ndgrad.tensor(x, requires_grad=True)]
    args_th: list[Any] = [torch.tensor(x, requires_grad=True)]
    if with_state:
        batch = shape[0] if "batch_first" in code else shape[1]
        hshape = (1, batch, ours.hidden_size) if len(shape) == 3 else (1, ours.hidden_size)
        states = [rng.standard_normal(hshape) for _ in range(2 if "LSTM" in code else 1)]
        nd_s = [ndgrad.tensor(s, requires_grad=True) for s in states]
        th_s = [torch.tensor(s, requires_grad=True) for s in states]
        args_nd.append(tuple(nd_s) if "LSTM" in code else nd_s[0])
        args_th.append(tuple(th_s) if "LSTM" in code else th_s[0])
    outs_nd, outs_th = _flat(ours(*args_nd)), _flat(theirs(*args_th))
    for a, b in zip(outs_nd, outs_th, strict=True):
        assert_close(a, b, rtol=1e-10, atol=1e-12)
    total_nd = sum((o * (i + 1)).sum() for i, o in enumerate(outs_nd))
    total_th = sum((o * (i + 1)).sum() for i, o in enumerate(outs_th))
    total_nd.backward()
    total_th.backward()
    assert_close(args_nd[0].grad, args_th[0].grad, rtol=1e-10, atol=1e-12)
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        assert_close(p.grad, q.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_gradcheck(cls: str) -> None:
    layer = getattr(nn, cls)(2, 3).double()
    x = ndgrad.randn(3, 2, 2, dtype=ndgrad.float64, requires_grad=True)
    assert gradcheck(lambda x, *params: _flat(layer(x))[0], [x, *layer.parameters()])


def test_unsupported_configurations() -> None:
    with pytest.raises(NotImplementedError, match="single-layer and unidirectional"):
        nn.LSTM(2, 3, num_layers=2)
    with pytest.raises(NotImplementedError, match="single-layer and unidirectional"):
        nn.GRU(2, 3, bidirectional=True)
