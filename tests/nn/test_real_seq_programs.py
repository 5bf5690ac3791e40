"""Regressions found by running realistic sequence / text / scientific PyTorch programs (char
LSTM language models, seq2seq with attention, small Transformers, physics-informed fits,
time-series forecasters) under ndgrad and diffing their printed output against PyTorch's."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ndgrad
import ndgrad.nn.functional as F


# --- random draws into tensors laid out as their input (empty_like, preserve_format) -----------
def test_dropout_of_a_transposed_input_draws_in_memory_order() -> None:
    # PyTorch's dropout fills empty_like(input), which keeps a transposed input's strides, so
    # the mask is drawn in memory order: dropout(x.t()) under a seed is dropout(x).t()
    ndgrad.manual_seed(0)
    ref = F.dropout(ndgrad.ones(4, 3), 0.5)
    ndgrad.manual_seed(0)
    out = F.dropout(ndgrad.ones(4, 3).t(), 0.5)
    np.testing.assert_array_equal(out.t().numpy(), ref.numpy())
    assert out.stride() == (1, 3)


def test_alpha_dropout_of_a_transposed_input_draws_in_memory_order() -> None:
    ndgrad.manual_seed(0)
    ref = F.alpha_dropout(ndgrad.ones(4, 3), 0.5, True)
    ndgrad.manual_seed(0)
    out = F.alpha_dropout(ndgrad.ones(4, 3).t(), 0.5, True)
    np.testing.assert_array_equal(out.t().numpy(), ref.numpy())


@pytest.mark.parametrize("name", ["rand_like", "randn_like"])
def test_rand_like_keeps_the_layout_and_draws_in_memory_order(name: str) -> None:
    # (fewer than 16 normals: PyTorch's scalar fill, the one a strided tensor always gets)
    ndgrad.manual_seed(0)
    ref = getattr(ndgrad, name.removesuffix("_like"))(4, 3)
    ndgrad.manual_seed(0)
    out = getattr(ndgrad, name)(ndgrad.ones(4, 3).t())
    assert out.stride() == (1, 3)
    np.testing.assert_array_equal(out.t().numpy(), ref.numpy())


def test_randn_like_of_a_strided_input_uses_the_scalar_fill() -> None:
    # PyTorch's vectorised normal fill (16 or more values) needs a contiguous tensor: a
    # transposed one of 24 draws as normal_ into a transposed empty tensor does
    ndgrad.manual_seed(0)
    ref = ndgrad.empty(4, 6).t().normal_()
    ndgrad.manual_seed(0)
    out = ndgrad.randn_like(ndgrad.ones(4, 6).t())
    np.testing.assert_array_equal(out.numpy(), ref.numpy())


def test_randint_like_keeps_the_layout_and_draws_in_memory_order() -> None:
    ndgrad.manual_seed(0)
    ref = ndgrad.randint(0, 10, (4, 3))
    ndgrad.manual_seed(0)
    out = ndgrad.randint_like(ndgrad.ones(4, 3).t(), 10)
    assert out.stride() == (1, 3)
    np.testing.assert_array_equal(out.t().numpy(), ref.numpy())


def test_rand_like_of_an_expanded_input_is_dense_in_its_dim_order() -> None:
    # PyTorch's infer_dense_strides: an expanded (stride-0) dim keeps its place
    x = ndgrad.ones(1, 5).expand(3, 5)
    assert ndgrad.rand_like(x).stride() == (5, 1)
    assert ndgrad.rand_like(ndgrad.ones(4, 6)[:, ::2]).stride() == (3, 1)


def test_multinomial_of_transposed_probabilities_draws_in_memory_order() -> None:
    # PyTorch draws q = empty_like(p).exponential_() (in p's memory order) and takes the top k
    # of p / q: for p.t() that q is the one drawn for the contiguous p, transposed
    p = ndgrad.rand(5, 4, generator=ndgrad.Generator().manual_seed(1))
    ndgrad.manual_seed(0)
    q = ndgrad.empty(5, 4).exponential_()
    for k in (1, 3):
        ndgrad.manual_seed(0)
        out = ndgrad.multinomial(p.t(), k)
        expected = (p.t() / q.t()).topk(k).indices
        np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_lstm_batch_first_output_dropout_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    results = []
    for lib in (ndgrad, torch):
        lib.manual_seed(0)
        lstm = lib.nn.LSTM(3, 5, num_layers=2, batch_first=True, dropout=0.2)
        out, _ = lstm(lib.randn(4, 6, 3))
        assert out.stride() == (5, 20, 1)
        results.append(lib.nn.functional.dropout(out, 0.3).detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.rand_like(lib.ones(3, 4).t()),
        lambda lib: lib.randn_like(lib.ones(2, 3, 4).permute(2, 0, 1)),
        lambda lib: lib.randint_like(lib.ones(3, 4).t(), 7),
        lambda lib: lib.nn.functional.dropout(lib.ones(3, 4, 2).transpose(0, 1), 0.4),
        lambda lib: lib.nn.functional.dropout(lib.ones(6, 4)[::2].t(), 0.4),
        lambda lib: lib.multinomial(lib.arange(1.0, 13.0).reshape(3, 4).t(), 2),
        lambda lib: lib.multinomial(lib.arange(1.0, 13.0).reshape(3, 4).t(), 1),
    ],
    ids=["rand_like", "randn_like", "randint_like", "dropout", "dropout_gaps", "multi2", "multi1"],
)
def test_draws_into_strided_layouts_match_torch(make) -> None:  # type: ignore[no-untyped-def]
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = make(torch)
    ndgrad.manual_seed(0)
    ours = make(ndgrad)
    assert ours.stride() == theirs.stride()
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# --- var and std accumulate in double, rounded to float32 once ------------------------------
def test_std_of_float32_is_the_double_root_rounded_once() -> None:
    # REINFORCE's return normalisation: returns.std() of [2, 2, 1, 1, 1, 0]; the variance
    # rounded to float32 before its root gave 0.75277269 (one ulp above PyTorch's)
    returns = ndgrad.tensor([2.0, 2.0, 1.0, 1.0, 1.0, 0.0])
    expected = np.float32(np.sqrt(np.var(returns.numpy().astype(np.float64), ddof=1)))
    assert returns.std().item() == float(expected) == 0.7527726292610168


@pytest.mark.parametrize("dim", [None, 0, 1])
@pytest.mark.parametrize("correction", [0, 1])
def test_var_std_float32_match_the_double_values(dim: int | None, correction: int) -> None:
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((13, 17)) * 30 + 7).astype(np.float32)
    wide = np.var(x.astype(np.float64), axis=dim, ddof=correction)
    t = ndgrad.from_numpy(x)
    kw = {} if dim is None else {"dim": dim}
    np.testing.assert_array_equal(
        t.var(correction=correction, **kw).numpy(), wide.astype(np.float32)
    )
    std = np.sqrt(wide).astype(np.float32)
    np.testing.assert_array_equal(t.std(correction=correction, **kw).numpy(), std)
    v, m = ndgrad.std_mean(t, correction=correction, **kw)
    np.testing.assert_array_equal(v.numpy(), std)
    np.testing.assert_array_equal(m.numpy(), x.astype(np.float64).mean(axis=dim).astype(np.float32))


def test_std_gradient_unchanged() -> None:
    x = ndgrad.tensor([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]], dtype=ndgrad.float64, requires_grad=True)
    assert ndgrad.autograd.gradcheck(lambda a: a.std(dim=1), (x,))
    assert ndgrad.autograd.gradgradcheck(lambda a: a.std(), (x,))
    y = ndgrad.tensor([1.0, 2.0, 4.0], requires_grad=True)
    y.std().backward()
    xd = np.array([1.0, 2.0, 4.0])
    expected = (xd - xd.mean()) / (2 * xd.std(ddof=1))
    np.testing.assert_allclose(y.grad.numpy(), expected, rtol=1e-6)


def test_var_std_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    for trial in range(60):
        shape = tuple(int(s) for s in rng.integers(1, 30, size=int(rng.integers(1, 4))))
        x = (rng.standard_normal(shape) * rng.uniform(0.1, 100) + rng.uniform(-50, 50)).astype(
            np.float32
        )
        kw = {} if trial % 2 else {"dim": int(rng.integers(0, len(shape)))}
        for op in ("var", "std"):
            theirs = getattr(torch, op)(torch.from_numpy(x), correction=trial % 2, **kw)
            ours = getattr(ndgrad, op)(ndgrad.from_numpy(x), correction=trial % 2, **kw)
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# --- warnings where PyTorch shows them ------------------------------------------------------
@pytest.mark.parametrize("call", [lambda x: x.var(), lambda x: ndgrad.std(x), ndgrad.var_mean])
def test_degrees_of_freedom_warning_names_the_callers_line(call) -> None:  # type: ignore[no-untyped-def]
    # PyTorch's (C++) warning points at the line that called the op, not into the library
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(ndgrad.ones(1))
    assert len(caught) == 1
    assert "degrees of freedom is <= 0" in str(caught[0].message)
    assert caught[0].filename == __file__


def test_weight_norm_deprecation_is_shown_once_for_many_callers() -> None:
    # PyTorch's FutureWarning is attributed to its own module, so the default filter shows it
    # once however many lines call weight_norm (a TCN wraps every conv in it)
    from ndgrad.nn.utils import weight_norm

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        weight_norm(ndgrad.nn.Conv1d(2, 2, 3))
        weight_norm(ndgrad.nn.Conv1d(2, 2, 3))
    assert [w.category for w in caught] == [FutureWarning]


# --- elementwise results laid out as PyTorch's TensorIterator lays them out -------------------
def _big_strides(t: ndgrad.Tensor) -> tuple[int, ...]:
    return tuple(s for s, n in zip(t.stride(), t.shape, strict=True) if n > 1)


def test_binary_result_follows_the_first_operands_layout() -> None:
    # a batch_first LSTM output is a transposed view; ``out + x`` (a residual connection)
    # is laid out as ``out`` in PyTorch, ``x + out`` as ``x`` (numpy picked C order for both)
    out = ndgrad.ones(3, 2, 4).transpose(0, 1)  # strides (4, 8, 1)
    x = ndgrad.ones(2, 3, 4)
    assert (out + x).stride() == (4, 8, 1)
    assert (x + out).stride() == (12, 4, 1)
    assert (out * x).stride() == (out - x).stride() == (out / x).stride() == (4, 8, 1)
    assert (out > x).stride() == (4, 8, 1)
    assert ndgrad.where(out > 0, out, x).stride() == (4, 8, 1)
    assert ndgrad.where(x > 0, out, x).stride() == (12, 4, 1)
    w = ndgrad.ones(2, 3, 4, requires_grad=True)
    assert (out * w).stride() == (4, 8, 1)  # the recording path too
    # a broadcast operand does not decide the dims it is expanded along
    assert (ndgrad.ones(4) + out).stride() == (4, 8, 1)
    assert (ndgrad.ones(4, 3).t() + ndgrad.ones(1, 4)).stride() == (1, 3)


def test_dropout_after_a_residual_draws_in_the_sums_memory_order() -> None:
    out = ndgrad.arange(24.0).reshape(3, 2, 4).transpose(0, 1)
    x = ndgrad.ones(2, 3, 4)
    ndgrad.manual_seed(0)
    dropped = F.dropout(out + x, 0.5)
    ndgrad.manual_seed(0)
    mask = F.dropout(ndgrad.ones(3, 2, 4), 0.5).transpose(0, 1)
    np.testing.assert_array_equal(dropped.numpy(), ((out + x) * mask).numpy())


def test_binary_layouts_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    shapes = [(2, 3, 4), (3, 1, 4), (1, 3, 4), (2, 3, 1)]
    for trial in range(120):
        shape = shapes[trial % 4]
        pa, pb = tuple(rng.permutation(3).tolist()), tuple(rng.permutation(3).tolist())
        a = rng.standard_normal([shape[i] for i in np.argsort(pa)]).astype(np.float32)
        b = rng.standard_normal([shape[i] for i in np.argsort(pb)]).astype(np.float32)
        ours = [ndgrad.from_numpy(a).permute(*pa), ndgrad.from_numpy(b).permute(*pb)]
        theirs = [torch.from_numpy(a).permute(*pa), torch.from_numpy(b).permute(*pb)]
        if trial % 3 == 1:
            ours[1], theirs[1] = ours[1][:, :1], theirs[1][:, :1]
        for op in ("add", "mul", "sub", "div", "gt", "maximum", "atan2", "fmod", "xlogy"):
            r_ours = getattr(ndgrad, op)(*ours)
            r_theirs = getattr(torch, op)(*theirs)
            assert _big_strides(r_ours) == tuple(
                s for s, n in zip(r_theirs.stride(), r_theirs.shape, strict=True) if n > 1
            ), (op, shape, pa, pb)
            # (atan2 and xlogy round in the last bit as numpy's and PyTorch's libms do)
            np.testing.assert_allclose(r_ours.numpy(), r_theirs.numpy(), rtol=1e-6)


# --- lr schedulers: state_dict as PyTorch's, get_lr's warning -------------------------------
def _sgd() -> ndgrad.optim.SGD:
    return ndgrad.optim.SGD([ndgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)


class _Decay:
    def __init__(self) -> None:
        self.f = 0.9

    def __call__(self, epoch: int) -> float:
        return self.f**epoch


def _stepped(scheduler, opt, n=3):  # type: ignore[no-untyped-def]
    for _ in range(n):
        opt.step()
        scheduler.step()
    return scheduler


def test_scheduler_state_dicts_have_pytorchs_keys() -> None:
    S = ndgrad.optim.lr_scheduler
    opt = _sgd()
    keys = list(_stepped(S.StepLR(opt, 2), opt).state_dict())
    assert keys == [
        "step_size",
        "gamma",
        "base_lrs",
        "last_epoch",
        "_step_count",
        "_is_initial",
        "_get_lr_called_within_step",
        "_last_lr",
    ]
    opt = _sgd()
    state = _stepped(S.LambdaLR(opt, [lambda e: 0.5**e]), opt).state_dict()
    assert state["lr_lambdas"] == [None] and list(state)[-1] == "lr_lambdas"
    opt = _sgd()
    decay = _Decay()
    state = _stepped(S.MultiplicativeLR(opt, decay), opt).state_dict()
    assert state["lr_lambdas"] == [{"f": 0.9}]
    decay.f = 0.5
    restored = S.MultiplicativeLR(_sgd(), _Decay())
    restored.load_state_dict(state)
    assert restored.lr_lambdas[0].f == 0.9 and "lr_lambdas" in state
    opt = _sgd()
    state = _stepped(S.OneCycleLR(opt, max_lr=1.0, total_steps=10), opt).state_dict()
    assert state["_schedule_phases"][1] == {
        "end_step": 9,
        "start_lr": "max_lr",
        "end_lr": "min_lr",
        "start_momentum": "base_momentum",
        "end_momentum": "max_momentum",
    }
    opt = _sgd()
    state = _stepped(S.CyclicLR(opt, 0.01, 0.1, step_size_up=2), opt).state_dict()
    assert list(state)[-1] == "_scale_fn_custom" and state["_scale_fn_custom"] is None
    opt = _sgd()
    assert _stepped(S.CosineAnnealingWarmRestarts(opt, 3), opt).state_dict()["_step_count"] == 0
    plateau = S.ReduceLROnPlateau(_sgd(), patience=0)
    plateau.step(1.0)
    assert list(plateau.state_dict()) == [
        "factor",
        "default_min_lr",
        "min_lrs",
        "patience",
        "cooldown",
        "eps",
        "last_epoch",
        "_last_lr",
        "mode_worse",
        "mode",
        "threshold",
        "threshold_mode",
        "best",
        "cooldown_counter",
        "num_bad_epochs",
    ]
    assert plateau.state_dict()["mode_worse"] == math.inf


def test_one_cycle_lr_values_unchanged_by_the_phase_dicts() -> None:
    opt = _sgd()
    sched = ndgrad.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(9):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs[0] == pytest.approx(0.04) and lrs[2] == pytest.approx(1.0)
    assert lrs[-1] == pytest.approx(0.04 / 1e4)


def test_get_lr_outside_step_warns() -> None:
    opt = _sgd()
    sched = ndgrad.optim.lr_scheduler.StepLR(opt, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        opt.step()
        sched.step()  # no warning from the scheduler's own call
        assert caught == []
        assert sched.get_lr() == [0.1]
    assert [str(w.message) for w in caught] == [
        "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."
    ]
    assert caught[0].filename == __file__


def test_scheduler_state_dicts_match_torch() -> None:
    torch = pytest.importorskip("torch")
    cases = [
        ("StepLR", {"step_size": 2}),
        ("LambdaLR", {"lr_lambda": lambda e: 0.5**e}),
        ("OneCycleLR", {"max_lr": 1.0, "total_steps": 10}),
        ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2}),
        ("CosineAnnealingWarmRestarts", {"T_0": 3}),
    ]
    for name, kw in cases:
        states = []
        for lib in (ndgrad, torch):
            opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
            states.append(_stepped(getattr(lib.optim.lr_scheduler, name)(opt, **kw), opt))
        ours, theirs = (s.state_dict() for s in states)
        assert list(ours) == list(theirs), name
        assert {k: v for k, v in ours.items() if k != "lr_lambdas"} == {
            k: v for k, v in theirs.items() if k != "lr_lambdas"
        }


# --- the legacy size_average / reduce flags warn --------------------------------------------
@pytest.mark.parametrize(
    ("kw", "reduction"),
    [
        ({"size_average": False}, "sum"),
        ({"reduce": False}, "none"),
        ({"size_average": True}, "mean"),
    ],
)
def test_legacy_reduction_flags_warn(kw: dict, reduction: str) -> None:  # type: ignore[type-arg]
    message = f"size_average and reduce args will be deprecated, please use reduction='{reduction}'"
    with pytest.warns(UserWarning, match=message):
        assert ndgrad.nn.CrossEntropyLoss(**kw).reduction == reduction
    x, t = ndgrad.randn(2, 3), ndgrad.randn(2, 3)
    with pytest.warns(UserWarning, match=message):
        out = F.mse_loss(x, t, **kw)
    assert out.shape == ((2, 3) if reduction == "none" else ())


# --- the nodes PyTorch's oneDNN LSTM records --------------------------------------------------
def test_lstm_output_node_is_the_onednn_layer() -> None:
    # the "Sequence Models and LSTM" tutorial prints out of nn.LSTM(3, 3): PyTorch's CPU LSTM
    # runs a float32, one-direction, unprojected layer in oneDNN
    ndgrad.manual_seed(0)
    lstm = ndgrad.nn.LSTM(3, 3)
    x = ndgrad.randn(5, 1, 3, requires_grad=True)
    out, (h, c) = lstm(x)
    assert out.grad_fn.name() == "MkldnnRnnLayerBackward0"
    assert "grad_fn=<MkldnnRnnLayerBackward0>" in repr(out)
    assert h.grad_fn.name() == c.grad_fn.name() == "StackBackward0"
    assert ndgrad.nn.LSTM(3, 3, num_layers=2)(x)[0].grad_fn.name() == "MkldnnRnnLayerBackward0"
    assert ndgrad.nn.LSTM(3, 3, bidirectional=True)(x)[0].grad_fn.name() == "CatBackward0"
    assert ndgrad.nn.GRU(3, 3)(x)[0].grad_fn.name() == "StackBackward0"
    assert lstm.double()(x.double())[0].grad_fn.name() == "StackBackward0"
    # the gradient is the stack's
    lstm = lstm.float()
    out, _ = lstm(x)
    (out * ndgrad.arange(15.0).view(5, 1, 3)).sum().backward()
    xd = x.detach().double().requires_grad_()
    outd, _ = lstm.double()(xd)
    (outd * ndgrad.arange(15.0, dtype=ndgrad.float64).view(5, 1, 3)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xd.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_projected_lstm_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from ndgrad import _errors

    monkeypatch.setattr(_errors, "WARNED_ONCE", _errors.WARNED_ONCE - {"lstm_projections"})
    lstm = ndgrad.nn.LSTM(3, 4, proj_size=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out, _ = lstm(ndgrad.randn(5, 2, 3))
        lstm(ndgrad.randn(5, 2, 3))
    assert [str(w.message) for w in caught] == [
        "LSTM with projections is not supported with oneDNN. Using default implementation."
    ]
    assert out.grad_fn.name() == "StackBackward0"


def test_lstm_nodes_match_torch() -> None:
    torch = pytest.importorskip("torch")
    names = []
    for lib in (ndgrad, torch):
        lib.manual_seed(0)
        x = lib.randn(5, 2, 3)
        row = []
        for kw in ({}, {"num_layers": 2}, {"bidirectional": True}, {"batch_first": True}):
            row.append(type(lib.nn.LSTM(3, 4, **kw)(x)[0].grad_fn).__name__)
        row.append(type(lib.nn.LSTM(3, 4)(x[:, 0])[0].grad_fn).__name__)
        names.append(row)
    assert names[0] == names[1]


# --- errors of common mistakes in sequence code ---------------------------------------------
def test_lstm_given_one_state_tensor_fails_as_pytorch() -> None:
    # passing only h to an LSTM: PyTorch indexes hx[1] of the (1, N, H) tensor
    lstm = ndgrad.nn.LSTM(3, 4)
    with pytest.raises(IndexError, match="index 1 is out of bounds for dimension 0 with size 1"):
        lstm(ndgrad.randn(5, 2, 3), ndgrad.zeros(1, 2, 4))
    with pytest.raises(RuntimeError, match=r"^For batched 3-D input, hx and cx should also be "):
        lstm(ndgrad.randn(5, 2, 3), (ndgrad.zeros(2, 4), ndgrad.zeros(2, 4)))
    with pytest.raises(RuntimeError, match=r"got \(3-D, 3-D\) tensors$"):
        lstm(ndgrad.randn(5, 3), (ndgrad.zeros(1, 1, 4), ndgrad.zeros(1, 1, 4)))
    gru = ndgrad.nn.GRU(3, 4)
    with pytest.raises(RuntimeError, match="^For batched 3-D input, hx should also be 3-D but"):
        gru(ndgrad.randn(5, 2, 3), ndgrad.zeros(2, 4))
    with pytest.raises(AttributeError, match="'tuple' object has no attribute 'dim'"):
        gru(ndgrad.randn(5, 2, 3), (ndgrad.zeros(1, 2, 4),))


def test_pad_sequence_copies_into_the_first_ones_trailing_shape() -> None:
    from ndgrad.nn.utils.rnn import pad_sequence

    out = pad_sequence([ndgrad.ones(2, 3), ndgrad.full((3, 1), 2.0)])
    assert out.shape == (3, 2, 3)
    np.testing.assert_array_equal(out[:, 1].numpy(), np.full((3, 3), 2.0, np.float32))
    with pytest.raises(RuntimeError, match=r"^The size of tensor a \(3\) must match the size of "):
        pad_sequence([ndgrad.ones(2, 3), ndgrad.ones(3, 4)])


def test_state_errors_match_torch() -> None:
    torch = pytest.importorskip("torch")
    calls = [
        lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 2, 3), lib.zeros(1, 2, 4)),
        lambda lib: lib.nn.LSTM(3, 4)(lib.randn(5, 3), (lib.zeros(1, 1, 4), lib.zeros(1, 1, 4))),
        lambda lib: lib.nn.RNN(3, 4)(lib.randn(5, 3), lib.zeros(1, 1, 4)),
        lambda lib: lib.nn.utils.rnn.pad_sequence([lib.ones(2, 3), lib.ones(3, 4)]),
    ]
    for call in calls:
        with pytest.raises(Exception) as theirs:
            call(torch)
        with pytest.raises(Exception) as ours:
            call(ndgrad)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value) == str(theirs.value)


# --- printing with set_printoptions(sci_mode=...) ---------------------------------------------
@pytest.mark.parametrize(
    ("sci_mode", "values", "expected"),
    [
        (False, [1e-8, 1.0, 1e5], "tensor([     0.000,      1.000, 100000.000])"),
        (True, [-1.0, 2.0], "tensor([-1.000e+00,  2.000e+00])"),
        (None, [-1.0, 2.0], "tensor([-1.,  2.])"),
        (False, [-1e9, 3.5], "tensor([-1000000000.000,           3.500])"),
    ],
)
def test_forced_sci_mode_pads_to_the_width_of_that_mode(
    sci_mode: bool | None, values: list[float], expected: str
) -> None:
    # PyTorch's _Formatter picks the mode first and measures the values written in it; the
    # width used to come from the automatic mode, misaligning the columns
    ndgrad.set_printoptions(precision=3, sci_mode=sci_mode)
    try:
        assert repr(ndgrad.tensor(values)) == expected
    finally:
        ndgrad.set_printoptions(profile="default")
        ndgrad.set_printoptions(sci_mode=None)


def test_forced_sci_mode_printing_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    cases = [[1e-8, 1.0, 1e5], [-1.0, 2.0], [1e-5, -3.0], [123456789.0, 1.0], [0.5, 0.25]]
    try:
        for sci_mode in (None, True, False):
            for lib in (ndgrad, torch):
                lib.set_printoptions(precision=2, sci_mode=sci_mode)
            for c in cases:
                assert repr(ndgrad.tensor([c, c])) == repr(torch.tensor([c, c]))
    finally:
        for lib in (ndgrad, torch):
            lib.set_printoptions(profile="default")
            lib.set_printoptions(sci_mode=None)


# --- the repr of a custom Function's node -----------------------------------------------------
class _Square(ndgrad.autograd.Function):
    @staticmethod
    def forward(ctx, x):  # type: ignore[no-untyped-def]
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):  # type: ignore[no-untyped-def]
        (x,) = ctx.saved_tensors
        return 2 * x * grad


def test_custom_function_node_repr_names_pytorchs_module() -> None:
    x = ndgrad.tensor([1.0, 3.0], requires_grad=True)
    y = _Square.apply(x)
    assert repr(y.grad_fn).startswith("<torch.autograd.function._SquareBackward object at 0x")
    assert y.grad_fn.name() == "_SquareBackward"
    assert "grad_fn=<_SquareBackward>" in repr(y)
    assert repr((x * 2).grad_fn).startswith("<MulBackward0 object at 0x")
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 6.0])


# --- TransformerEncoder's nested-tensor path at inference -------------------------------------
def _encoder() -> ndgrad.nn.TransformerEncoder:
    ndgrad.manual_seed(0)
    layer = ndgrad.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
    return ndgrad.nn.TransformerEncoder(layer, 2).eval()


_PAD = [[False, False, True, True], [False, False, False, False]]


def test_encoder_inference_with_padding_gives_zeros_at_padded_positions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # PyTorch runs an eval-mode encoder under no_grad on nested tensors: the padded positions
    # of its output are 0 (sentence embeddings mean-pooled without a mask see them)
    from ndgrad import _errors

    monkeypatch.setattr(_errors, "WARNED_ONCE", _errors.WARNED_ONCE - {"nested_tensor_prototype"})
    enc = _encoder()
    x = ndgrad.randn(2, 4, 8)
    pad = ndgrad.tensor(_PAD)
    full = enc(x, src_key_padding_mask=pad)  # grad enabled, weights require grad: padded path
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with ndgrad.no_grad():
            out = enc(x, src_key_padding_mask=pad)
            enc(x, src_key_padding_mask=pad)
    assert len(caught) == 1 and "nested tensors is in prototype stage" in str(caught[0].message)
    np.testing.assert_array_equal(out[0, 2:].numpy(), np.zeros((2, 8), np.float32))
    assert np.abs(full[0, 2:].detach().numpy()).sum() > 0
    np.testing.assert_allclose(out[:, :2].numpy(), full[:, :2].detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(out[1].numpy(), full[1].detach().numpy(), rtol=1e-6)


def test_encoder_padded_path_where_pytorch_takes_it() -> None:
    enc = _encoder()
    x = ndgrad.randn(2, 4, 8)
    with ndgrad.no_grad():
        # a mask that is not left aligned, an attention mask too, or training: no nested path
        right = enc(x, src_key_padding_mask=ndgrad.tensor([[True, False, False, False]] * 2))
        assert np.abs(right[0, 0].numpy()).sum() > 0
        both = enc(
            x, mask=ndgrad.zeros(4, 4, dtype=ndgrad.bool), src_key_padding_mask=ndgrad.tensor(_PAD)
        )
        assert np.abs(both[0, 3].numpy()).sum() > 0
        enc.train()
        assert np.abs(enc(x, src_key_padding_mask=ndgrad.tensor(_PAD))[0, 3].numpy()).sum() > 0


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")
def test_encoder_inference_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    outs = []
    for lib in (ndgrad, torch):
        lib.manual_seed(0)
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
        enc = lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(8)).eval()
        x = lib.randn(2, 4, 8)
        with lib.no_grad():
            outs.append(enc(x, src_key_padding_mask=lib.tensor(_PAD)).numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)


def test_encoder_with_bool_mask_and_bool_padding_mask_does_not_warn() -> None:
    # a causal bool mask with a bool padding mask: PyTorch's encoder makes both float before
    # its layers; passing the bool mask on made each layer warn of mismatched mask types
    enc = _encoder().train()
    causal = ndgrad.ones(4, 4, dtype=ndgrad.bool).triu(1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = enc(ndgrad.randn(2, 4, 8), mask=causal, src_key_padding_mask=ndgrad.tensor(_PAD))
    assert caught == [] and out.shape == (2, 4, 8)
