"""RNN, LSTM and GRU (stacked, bidirectional, projected, packed) and the cells against PyTorch
with identical weights; gradcheck; nn.utils.rnn."""

from __future__ import annotations

import re
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
    ("LSTM(3, 4, num_layers=2)", (5, 2, 3), True),
    ("GRU(3, 4, num_layers=2, bidirectional=True)", (4, 2, 3), True),
    ("RNN(3, 4, 3, 'relu', bidirectional=True, batch_first=True)", (2, 4, 3), False),
    ("LSTM(3, 4, proj_size=2)", (5, 2, 3), True),
    ("LSTM(3, 5, 2, bidirectional=True, proj_size=3)", (4, 2, 3), True),
    ("LSTM(3, 4, 2, bidirectional=True, proj_size=2)", (4, 3), True),  # unbatched
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
        layers = ours.num_layers * (2 if ours.bidirectional else 1)
        real = ours.proj_size or ours.hidden_size
        sizes = [real, ours.hidden_size][: 2 if "LSTM" in code else 1]
        states = [
            rng.standard_normal((layers, batch, h) if len(shape) == 3 else (layers, h))
            for h in sizes
        ]
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


def _pack_case(lib: Any, xs: list[np.ndarray]) -> Any:
    seqs = [lib.tensor(x, requires_grad=True) for x in xs]
    return seqs, lib.nn.utils.rnn.pack_sequence(seqs, enforce_sorted=False)


@requires_torch
@pytest.mark.parametrize(
    "code",
    ["LSTM(3, 4, num_layers=2, bidirectional=True)", "GRU(3, 4)", "RNN(3, 4, batch_first=True)"],
)
def test_packed_sequence_matches_torch(code: str) -> None:
    ours = eval("nn." + code, {"nn": nn}).double()
    theirs = eval("nn." + code, {"nn": torch.nn}).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal((n, 3)) for n in (3, 5, 1, 4)]
    seqs_nd, packed_nd = _pack_case(ndgrad, xs)
    seqs_th, packed_th = _pack_case(torch, xs)
    assert_close(packed_nd.data, packed_th.data)
    assert packed_nd.batch_sizes.tolist() == packed_th.batch_sizes.tolist()
    assert packed_nd.sorted_indices.tolist() == packed_th.sorted_indices.tolist()
    assert packed_nd.unsorted_indices.tolist() == packed_th.unsorted_indices.tolist()
    out_nd, state_nd = ours(packed_nd)
    out_th, state_th = theirs(packed_th)
    assert isinstance(out_nd, nn.utils.rnn.PackedSequence)
    assert_close(out_nd.data, out_th.data, rtol=1e-10, atol=1e-12)
    assert_close(state_nd, state_th, rtol=1e-10, atol=1e-12)
    pad_nd, len_nd = nn.utils.rnn.pad_packed_sequence(out_nd, batch_first=True, total_length=6)
    pad_th, len_th = torch.nn.utils.rnn.pad_packed_sequence(
        out_th, batch_first=True, total_length=6
    )
    assert_close(pad_nd, pad_th, rtol=1e-10, atol=1e-12)
    assert len_nd.tolist() == len_th.tolist() and str(len_nd.dtype) == str(len_th.dtype)
    w = rng.standard_normal(tuple(pad_th.shape))
    s_nd = state_nd[0] if isinstance(state_nd, tuple) else state_nd
    s_th = state_th[0] if isinstance(state_th, tuple) else state_th
    ((pad_nd * ndgrad.tensor(w)).sum() + s_nd.sum()).backward()
    ((pad_th * torch.tensor(w)).sum() + s_th.sum()).backward()
    for a, b in zip(seqs_nd, seqs_th, strict=True):
        assert_close(a.grad, b.grad, rtol=1e-10, atol=1e-12)
    for (_, p), q in zip(ours.named_parameters(), theirs.parameters(), strict=True):
        assert_close(p.grad, q.grad, rtol=1e-10, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_and_unpad_match_torch(batch_first: bool, side: str) -> None:
    rng = np.random.default_rng(2)
    xs = [rng.standard_normal((n, 2)) for n in (2, 4, 3)]
    a = nn.utils.rnn.pad_sequence([ndgrad.tensor(x) for x in xs], batch_first, -1.0, side)
    b = torch.nn.utils.rnn.pad_sequence([torch.tensor(x) for x in xs], batch_first, -1.0, side)
    assert_close(a, b)
    if side == "right":
        parts = nn.utils.rnn.unpad_sequence(a, [2, 4, 3], batch_first)
        for p, x in zip(parts, xs, strict=True):
            assert_close(p, x)
    packed = nn.utils.rnn.pack_padded_sequence(
        ndgrad.tensor(b.numpy()), [4, 3, 2], batch_first, enforce_sorted=False
    )
    packed_th = torch.nn.utils.rnn.pack_padded_sequence(b, [4, 3, 2], batch_first, False)
    assert_close(packed.data, packed_th.data)
    for p, q in zip(
        nn.utils.rnn.unpack_sequence(packed),
        torch.nn.utils.rnn.unpack_sequence(packed_th),
        strict=True,
    ):
        assert_close(p, q)


CELL_CASES = [
    ("RNNCell(3, 4)", (2, 3), True),
    ("RNNCell(3, 4, bias=False, nonlinearity='relu')", (2, 3), False),
    ("LSTMCell(3, 4)", (2, 3), True),
    ("LSTMCell(3, 4)", (3,), False),  # unbatched
    ("GRUCell(3, 4)", (2, 3), True),
    ("GRUCell(3, 4, bias=False)", (3,), True),
]


@requires_torch
@pytest.mark.parametrize(("code", "shape", "with_state"), CELL_CASES)
def test_cells_match_torch(code: str, shape: tuple[int, ...], with_state: bool) -> None:
    ours = eval("nn." + code, {"nn": nn}).double()
    theirs = eval("nn." + code, {"nn": torch.nn}).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape)
    lstm = "LSTM" in code
    hshape = (*shape[:-1], 4)
    hs = [rng.standard_normal(hshape) for _ in range(2 if lstm else 1)]
    nd_in = [ndgrad.tensor(a, requires_grad=True) for a in [x, *hs]]
    th_in = [torch.tensor(a, requires_grad=True) for a in [x, *hs]]
    nd_state = (tuple(nd_in[1:]) if lstm else nd_in[1]) if with_state else None
    th_state = (tuple(th_in[1:]) if lstm else th_in[1]) if with_state else None
    a, b = ours(nd_in[0], nd_state), theirs(th_in[0], th_state)
    a_list = list(a) if lstm else [a]
    b_list = list(b) if lstm else [b]
    assert_close(a_list, b_list, rtol=1e-10, atol=1e-12)
    sum((o * (i + 1)).sum() for i, o in enumerate(a_list)).backward()
    sum((o * (i + 1)).sum() for i, o in enumerate(b_list)).backward()
    for p, q in zip(nd_in, th_in, strict=True):
        if q.grad is not None:
            assert_close(p.grad, q.grad, rtol=1e-10, atol=1e-12)
    for (_, p), q in zip(ours.named_parameters(), theirs.parameters(), strict=True):
        assert_close(p.grad, q.grad, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_gradcheck(cls: str) -> None:
    cell = getattr(nn, cls)(2, 3).double()
    x = ndgrad.randn(2, 2, dtype=ndgrad.float64, requires_grad=True)

    def out(y):
        return y[0] if isinstance(y, tuple) else y

    assert gradcheck(lambda x, *p: out(cell(x)), [x, *cell.parameters()])


def test_gradcheck_stacked_bidirectional_projected() -> None:
    layer = nn.LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=2).double()
    x = ndgrad.randn(3, 1, 2, dtype=ndgrad.float64, requires_grad=True)
    assert gradcheck(lambda x, *params: _flat(layer(x))[0], [x, *layer.parameters()])


def test_flatten_parameters_and_all_weights() -> None:
    layer = nn.GRU(2, 3, num_layers=2, bidirectional=True)
    assert layer.flatten_parameters() is None
    assert len(layer.all_weights) == 4 and all(len(w) == 4 for w in layer.all_weights)
    assert layer.all_weights[1][0] is layer.weight_ih_l0_reverse


def test_dropout_between_layers_only_in_training() -> None:
    layer = nn.LSTM(2, 3, num_layers=2, dropout=0.5)
    x = ndgrad.randn(4, 2, 2)
    layer.eval()
    assert np.array_equal(layer(x)[0].detach().numpy(), layer(x)[0].detach().numpy())


ERRORS = [
    ("nn.RNN(3, 4, proj_size=2)", ValueError,
     "proj_size argument is only supported for LSTM, not RNN or GRU"),
    ("nn.LSTM(3, 4, proj_size=4)", ValueError, "proj_size has to be smaller than hidden_size"),
    ("nn.LSTM(3, 4, proj_size=-1)", ValueError,
     "proj_size should be a positive integer or zero to disable projections"),
    ("nn.LSTM(3, 4, dropout=1.5)", ValueError,
     "dropout should be a number in range [0, 1] representing the probability of an element "
     "being zeroed"),
    ("nn.RNN(3, 4, nonlinearity='foo')", ValueError,
     "Unknown nonlinearity 'foo'. Select from 'tanh' or 'relu'."),
    ("nn.LSTM(3, 4, num_layers=0)", ValueError, "num_layers must be greater than zero"),
    ("nn.RNNCell(3, 4)(T.zeros(2, 3, 3))", ValueError,
     "RNNCell: Expected input to be 1D or 2D, got 3D instead"),
    ("nn.RNNCell(3, 4)(T.zeros(2, 3), T.zeros(3, 4))", RuntimeError,
     "Input batch size 2 doesn't match hidden0 batch size 3"),
    ("nn.LSTM(3, 4)(T.zeros(5, 2, 3), (T.zeros(1, 3, 4), T.zeros(1, 3, 4)))", RuntimeError,
     "Expected hidden[0] size (1, 2, 4), got [1, 3, 4]"),
    ("nn.GRU(3, 4)(T.zeros(5, 2, 3), T.zeros(2, 2, 4))", RuntimeError,
     "Expected hidden size (1, 2, 4), got [2, 2, 4]"),
    ("nn.GRU(3, 4)(T.zeros(5, 2, 2))", RuntimeError,
     "input.size(-1) must be equal to input_size. Expected 3, got 2"),
    ("nn.utils.rnn.pack_padded_sequence(T.zeros(3, 2, 1), [2, 3])", RuntimeError,
     "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True."),
    ("nn.utils.rnn.pad_packed_sequence(nn.utils.rnn.pack_sequence([T.zeros(3, 1)]), "
     "total_length=2)", ValueError,
     "Expected total_length to be at least the length of the longest sequence in input, but got "
     "total_length=2 and max sequence length being 3"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_errors(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"nn": nn, "T": ndgrad})


@requires_torch
@pytest.mark.parametrize(("code", "exc", "msg"), ERRORS)
def test_error_texts_are_torchs(code: str, exc: type[Exception], msg: str) -> None:
    with pytest.raises(exc, match=re.escape(msg)):
        eval(code, {"nn": torch.nn, "T": torch})


@pytest.mark.parametrize(
    ("code", "batch_first", "name"),
    [
        # PyTorch 2.13's nodes: the two directions are stacked each and concatenated (CatBackward0);
        # rnn_tanh, rnn_relu and gru transpose a batch-first output in place, lstm does not
        ("nn.RNN(3, 4, bidirectional=True)", False, "CatBackward0"),
        ("nn.LSTM(3, 4, 2, bidirectional=True)", False, "CatBackward0"),
        ("nn.GRU(3, 4, bidirectional=True)", False, "CatBackward0"),
        ("nn.RNN(3, 4, batch_first=True)", True, "TransposeBackward1"),
        ("nn.GRU(3, 4, 2, batch_first=True, bidirectional=True)", True, "TransposeBackward1"),
        ("nn.LSTM(3, 4, batch_first=True)", True, "TransposeBackward0"),
        ("nn.RNN(3, 4)", False, "StackBackward0"),
    ],
)
def test_output_node_names(code: str, batch_first: bool, name: str) -> None:
    m = eval(code, {"nn": nn}).double()
    x = ndgrad.randn(2, 5, 3, dtype=ndgrad.float64, requires_grad=True)
    y, _ = m(x)
    assert y.grad_fn.name() == name


def test_bidirectional_batch_first_values_by_hand() -> None:
    m = nn.RNN(3, 4, batch_first=True, bidirectional=True).double()
    x = np.random.default_rng(3).standard_normal((2, 5, 3))
    y, h = m(ndgrad.tensor(x))
    p = {k: v.detach().numpy() for k, v in m.named_parameters()}

    def run(sfx: str, steps: range) -> tuple[np.ndarray, np.ndarray]:
        hs, out = np.zeros((2, 4)), np.zeros((2, 5, 4))
        for t in steps:
            hs = np.tanh(
                x[:, t] @ p["weight_ih_l0" + sfx].T + p["bias_ih_l0" + sfx]
                + hs @ p["weight_hh_l0" + sfx].T + p["bias_hh_l0" + sfx]
            )  # fmt: skip
            out[:, t] = hs
        return out, hs

    (fw, hf), (bw, hb) = run("", range(5)), run("_reverse", range(4, -1, -1))
    np.testing.assert_allclose(y.detach().numpy(), np.concatenate([fw, bw], -1), rtol=1e-12)
    np.testing.assert_allclose(h.detach().numpy(), np.stack([hf, hb]), rtol=1e-12)
