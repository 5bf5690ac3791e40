"""Seeded random numbers are PyTorch's: every sampler against the installed torch, value for value.

Each case runs the same program under ndgrad and under PyTorch after ``manual_seed(seed)``,
then draws ``rand(3)`` to check that both streams stopped at the same place. float32/float16
and integers must be bit-identical; float64 results of a libm transform (log, cos, tan, exp)
may differ by one ulp, where PyTorch's own transform rounds (uniform float64 stays exact).

The CI tier runs a few seeds and sizes; ``-m slow`` sweeps 200 seeds x sizes 0-100 and a few
large sizes (``python tests/test_random_parity.py`` prints the counts).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad
from tests.helpers import requires_torch, torch

pytestmark = requires_torch

Case = Callable[[Any, int, str], Any]

_DT = {"f16": "float16", "f32": "float32", "f64": "float64", "i64": "int64", "i32": "int32"}
_DT |= {"i16": "int16", "i8": "int8", "u8": "uint8", "bool": "bool"}


def _d(lib: Any, code: str) -> Any:
    return getattr(lib, _DT[code])


def _empty(lib: Any, n: int, code: str) -> Any:
    return lib.empty(n, dtype=_d(lib, code))


def _lin(lib: Any, a: float, b: float, n: int, code: str) -> Any:
    """Evenly spaced values, made by numpy (ndgrad's linspace rounds differently from PyTorch's)."""
    return lib.tensor(np.linspace(a, b, n).astype(_DT[code]))


def _probs(lib: Any, n: int, code: str) -> Any:
    """A fixed probability table (drawn from numpy, not from the stream under test)."""
    p = np.random.default_rng(n).random(max(n, 1)).astype(_DT[code])
    p[::3] = 0  # zero-probability categories too
    p[0] = 0.25
    return lib.tensor(p)


def _layer(make: Callable[[Any], Any]) -> Case:
    def run(lib: Any, n: int, code: str) -> Any:
        return [p.detach() for p in make(lib).parameters()]

    return run


# name -> (program, dtypes, whether float64 may differ by 1 ulp)
CASES: dict[str, tuple[Case, tuple[str, ...], bool]] = {
    "rand": (lambda L, n, c: L.rand(n, dtype=_d(L, c)), ("f32", "f64", "f16"), False),
    "randn": (lambda L, n, c: L.randn(n, dtype=_d(L, c)), ("f32", "f64", "f16"), True),
    "randn_2d": (lambda L, n, c: L.randn(2, n, dtype=_d(L, c)), ("f32", "f64"), True),
    "randn_pairs": (
        lambda L, n, c: [L.randn(n % 16, dtype=_d(L, c)), L.randn(3, dtype=_d(L, c))],
        ("f32", "f64"),
        True,
    ),
    "randint": (
        lambda L, n, c: L.randint(0 if c in ("u8",) else -5, 17, (n,), dtype=_d(L, c)),
        ("i64", "i32", "i16", "i8", "u8", "f32", "f64"),
        False,
    ),
    "randint_wide": (lambda L, n, c: L.randint(-(2**40), 2**41, (n,)), ("i64",), False),
    "randperm": (lambda L, n, c: L.randperm(n), ("i64",), False),
    "rand_like": (lambda L, n, c: L.rand_like(L.zeros(n, dtype=_d(L, c))), ("f32", "f64"), False),
    "randn_like": (lambda L, n, c: L.randn_like(L.zeros(n, dtype=_d(L, c))), ("f32", "f64"), True),
    "randint_like": (
        lambda L, n, c: L.randint_like(L.zeros(n, dtype=_d(L, c)), 3, 11),
        ("i64",),
        False,
    ),
    "uniform_": (lambda L, n, c: _empty(L, n, c).uniform_(-2.5, 3.0), ("f32", "f64", "f16"), False),
    "normal_": (lambda L, n, c: _empty(L, n, c).normal_(1.5, 0.5), ("f32", "f64"), True),
    "exponential_": (lambda L, n, c: _empty(L, n, c).exponential_(2.0), ("f32", "f64"), True),
    "geometric_": (lambda L, n, c: _empty(L, n, c).geometric_(0.3), ("f32", "f64", "i64"), True),
    "log_normal_": (lambda L, n, c: _empty(L, n, c).log_normal_(0.5, 0.7), ("f32", "f64"), True),
    "cauchy_": (lambda L, n, c: _empty(L, n, c).cauchy_(0.5, 2.0), ("f32", "f64"), True),
    "random_": (
        lambda L, n, c: _empty(L, n, c).random_(),
        ("f32", "f64", "f16", "i64", "i32", "i16", "i8", "u8", "bool"),
        False,
    ),
    "random_to": (lambda L, n, c: _empty(L, n, c).random_(10), ("f32", "i64", "u8"), False),
    "random_from_to": (lambda L, n, c: _empty(L, n, c).random_(-3, 9), ("f64", "i32"), False),
    "random_kw": (
        lambda L, n, c: [
            _empty(L, n, c).random_(**{"from": -3, "to": 9}),
            _empty(L, n, c).random_(to=5),
            _empty(L, n, c).random_(2, to=7),
        ],
        ("f32", "i64"),
        False,
    ),
    "bernoulli_p": (lambda L, n, c: _empty(L, n, c).bernoulli_(0.3), ("f32", "f64", "i64"), False),
    "bernoulli_tensor": (
        lambda L, n, c: L.bernoulli(_lin(L, 0, 1, n, c)),
        ("f32", "f64"),
        False,
    ),
    "normal_tensors": (
        lambda L, n, c: L.normal(L.arange(n, dtype=_d(L, c)), _lin(L, 0.1, 2, n, c)),
        ("f32", "f64"),
        True,
    ),
    "normal_mean_tensor": (
        lambda L, n, c: L.normal(L.arange(n, dtype=_d(L, c)), 2.0),
        ("f32", "f64"),
        True,
    ),
    "normal_std_tensor": (
        lambda L, n, c: L.normal(1.0, _lin(L, 0.1, 2, n, c)),
        ("f32", "f64"),
        True,
    ),
    "normal_size": (lambda L, n, c: L.normal(0.5, 2.0, (n,), dtype=_d(L, c)), ("f32", "f64"), True),
    "multinomial_repl": (
        lambda L, n, c: L.multinomial(_probs(L, n, c), 2 * n + 1, replacement=True),
        ("f32", "f64"),
        False,
    ),
    "multinomial_norepl": (
        lambda L, n, c: L.multinomial(_probs(L, n, c), 1 + (max(n, 1) - 1) * 2 // 3 // 2),
        ("f32", "f64"),
        False,
    ),
    "multinomial_norepl_ties": (  # more samples than non-zero probabilities: zeros tie
        lambda L, n, c: L.multinomial(_probs(L, n, c), max(n, 1)),
        ("f32", "f64"),
        False,
    ),
    "multinomial_rows": (
        lambda L, n, c: L.multinomial(L.stack([_probs(L, n, c)] * 3), 1, replacement=True),
        ("f32",),
        False,
    ),
    "poisson": (
        lambda L, n, c: L.poisson(_lin(L, 0, 30, n, c)),
        ("f32", "f64"),
        False,
    ),
    "dropout": (
        lambda L, n, c: L.nn.functional.dropout(L.ones(n, dtype=_d(L, c)), 0.3),
        ("f32", "f64", "f16"),
        False,
    ),
    "dropout2d": (
        lambda L, n, c: L.nn.functional.dropout2d(L.ones(2, n, 3, 2, dtype=_d(L, c)), 0.3),
        ("f32", "f64", "f16"),
        False,
    ),
    "nn_dropout": (lambda L, n, c: L.nn.Dropout(0.6)(L.ones(3, n)), ("f32",), False),
    "linear": (_layer(lambda L: L.nn.Linear(3, 4)), ("f32",), False),
    "linear_n": (
        lambda L, n, c: [p.detach() for p in L.nn.Linear(n % 7 + 1, n % 5 + 1).parameters()],
        ("f32",),
        False,
    ),
    "conv2d": (_layer(lambda L: L.nn.Conv2d(2, 3, 3)), ("f32",), False),
    "conv1d": (_layer(lambda L: L.nn.Conv1d(3, 2, 5)), ("f32",), False),
    "embedding": (_layer(lambda L: L.nn.Embedding(10, 3, padding_idx=1)), ("f32",), True),
    "rnn": (_layer(lambda L: L.nn.RNN(3, 4)), ("f32",), False),
    "lstm": (_layer(lambda L: L.nn.LSTM(3, 4)), ("f32",), False),
    "gru": (_layer(lambda L: L.nn.GRU(3, 4)), ("f32",), False),
    "xavier_uniform_": (
        lambda L, n, c: L.nn.init.xavier_uniform_(_empty(L, 3 * (n + 1), c).view(n + 1, 3)),
        ("f32",),
        False,
    ),
    "xavier_normal_": (
        lambda L, n, c: L.nn.init.xavier_normal_(_empty(L, 3 * (n + 1), c).view(n + 1, 3)),
        ("f32",),
        False,
    ),
    "kaiming_uniform_": (
        lambda L, n, c: L.nn.init.kaiming_uniform_(_empty(L, 5 * (n + 1), c).view(5, n + 1)),
        ("f32",),
        False,
    ),
    "kaiming_normal_": (
        lambda L, n, c: L.nn.init.kaiming_normal_(
            _empty(L, 5 * (n + 1), c).view(5, n + 1), mode="fan_out"
        ),
        ("f32",),
        False,
    ),
    "trunc_normal_": (
        lambda L, n, c: L.nn.init.trunc_normal_(_empty(L, n, c), 0.1, 0.5, -0.4, 0.9),
        ("f32", "f64"),
        True,
    ),
    "trunc_normal_tail": (
        lambda L, n, c: L.nn.init.trunc_normal_(_empty(L, n, c), 0.0, 1.0, 1.0, 3.0),
        ("f32",),
        False,
    ),
    "sparse_": (
        lambda L, n, c: L.nn.init.sparse_(_empty(L, 4 * (n + 1), c).view(n + 1, 4), 0.3),
        ("f32",),
        False,
    ),
    "init_normal_": (lambda L, n, c: L.nn.init.normal_(_empty(L, n, c), 0.2, 0.1), ("f32",), False),
    "init_uniform_": (lambda L, n, c: L.nn.init.uniform_(_empty(L, n, c), -1, 1), ("f32",), False),
    "init_dirac_": (
        lambda L, n, c: [
            L.nn.init.dirac_(_empty(L, 3 * (n % 4 + 1) * 2 * 3, c).view(3 * (n % 4 + 1), 2, 3)),
            L.nn.init.dirac_(_empty(L, 4 * 3 * 9, c).view(4, 3, 3, 3), groups=2),
            L.nn.init.dirac_(_empty(L, 2 * 2 * 8, c).view(2, 2, 2, 2, 2)),
        ],
        ("f32", "f64"),
        False,
    ),
    "init_deprecated": (
        lambda L, n, c: _quiet(
            lambda: [
                L.nn.init.uniform(_empty(L, n, c), -1, 1),
                L.nn.init.normal(_empty(L, n, c), 0.5, 2.0),
                L.nn.init.constant(_empty(L, n, c), 0.25),
                L.nn.init.eye(_empty(L, 3 * (n + 1), c).view(3, n + 1)),
                L.nn.init.dirac(_empty(L, 3 * 3 * 5, c).view(3, 3, 5)),
                L.nn.init.xavier_uniform(_empty(L, 3 * (n + 1), c).view(n + 1, 3)),
                L.nn.init.xavier_normal(_empty(L, 3 * (n + 1), c).view(n + 1, 3), gain=2.0),
                L.nn.init.kaiming_uniform(_empty(L, 5 * (n + 1), c).view(5, n + 1), a=0.1),
                L.nn.init.kaiming_normal(_empty(L, 5 * (n + 1), c).view(5, n + 1)),
            ]
        ),
        ("f32",),
        False,
    ),
    "dataloader_shuffle": (
        lambda L, n, c: [
            b.tolist() for b in L.utils.data.DataLoader(list(range(n)), 4, shuffle=True)
        ],
        ("i64",),
        False,
    ),
    "random_split": (
        lambda L, n, c: [
            list(s.indices) for s in L.utils.data.random_split(range(n), [n // 3, n - n // 3])
        ],
        ("i64",),
        False,
    ),
    "generator": (
        lambda L, n, c: L.rand(n, generator=L.Generator().manual_seed(n + 5)),
        ("f32",),
        False,
    ),
    "rng_state": (
        lambda L, n, c: [L.randn(n % 16), L.get_rng_state()],
        ("u8",),
        False,
    ),
}


def _quiet(make: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return make()


def _np(x: Any) -> Any:
    if isinstance(x, list | tuple):
        return [_np(v) for v in x]
    if isinstance(x, ndgrad.Tensor):
        return x.detach().numpy()
    if torch is not None and isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return x


def _same(a: Any, b: Any, ulp: bool) -> bool:
    if isinstance(a, list):
        return (
            isinstance(b, list)
            and len(a) == len(b)
            and all(_same(x, y, ulp) for x, y in zip(a, b, strict=True))
        )
    if not isinstance(a, np.ndarray):
        return type(a) is type(b) and bool(a == b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
        return True
    if not ulp or a.dtype != np.float64:
        return False
    both = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(
        ~both & (a == b) | both | (np.isnan(a) & np.isnan(b)), np.ones(a.shape, bool)
    ):
        return False
    return bool(
        (
            np.abs(a[both] - b[both]) <= np.spacing(np.maximum(np.abs(a[both]), np.abs(b[both])))
        ).all()
    )


def compare(name: str, seed: int, n: int, code: str) -> str:
    """ "exact" when ndgrad and PyTorch give the same bits and leave the stream in one place,
    "ulp" when float64 values of a libm transform are within one ulp, else "differs"."""
    prog, _, ulp = CASES[name]
    out = []
    for lib in (ndgrad, torch):
        lib.manual_seed(seed)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # random_split's warning on an empty split
                out.append(_np([prog(lib, n, code), lib.rand(3)]))
        except (RuntimeError, ValueError) as e:  # both must refuse alike
            out.append(type(e).__name__)
    if _same(out[0], out[1], False):
        return "exact"
    return "ulp" if ulp and _same(out[0], out[1], True) else "differs"


def run_case(name: str, seed: int, n: int, code: str) -> bool:
    return compare(name, seed, n, code) != "differs"


def _params(seeds: list[int], sizes: list[int]) -> list[Any]:
    return [(name, code) for name, (_, codes, _) in CASES.items() for code in codes]


@pytest.mark.parametrize(("name", "code"), _params([], []))
def test_matches_pytorch(name: str, code: str) -> None:
    bad = [
        (seed, n)
        for seed in (0, 1, 42, 2**40 + 3)
        for n in (0, 1, 2, 3, 15, 16, 17, 31, 33, 100)
        if not run_case(name, seed, n, code)
    ]
    assert not bad, f"{name}[{code}] differs from PyTorch at (seed, size) {bad[:5]}"


@pytest.mark.parametrize("name", ["randn", "rand", "randperm", "randint", "dropout", "normal_"])
def test_large_sizes_match(name: str) -> None:
    for code in CASES[name][1][:2]:
        for n in (1000, 4099):
            assert run_case(name, 3, n, code), (name, code, n)


@pytest.mark.parametrize("code", ["f32", "f64", "f16"])
@pytest.mark.parametrize("p", [0.3, 0.5, 0.7])
@pytest.mark.parametrize("shape", [(2, 3), (4, 5, 7), (3, 6, 4, 4), (2, 3, 2, 3, 4), (0, 3, 2)])
@pytest.mark.parametrize("feature", [True, False])
def test_dropout_noise_is_pytorchs(shape: tuple[int, ...], p: float, code: str, feature: bool):
    """The mask helper behind F.dropout and feature dropout (dropout1d/2d/3d), against
    PyTorch's dropout and feature_dropout on the same input, and the stream after it."""
    from ndgrad import _random

    x = np.random.default_rng(len(shape)).standard_normal(shape).astype(_DT[code]) + 3
    drop = torch.feature_dropout if feature else torch.dropout
    for seed in (0, 7, 2**33 + 1):
        torch.manual_seed(seed)
        want, after = drop(torch.tensor(x), p, True).numpy(), torch.rand(3).numpy()
        ndgrad.manual_seed(seed)
        noise = _random.dropout_noise(x.shape, x.dtype, p, feature=feature)
        got = x * noise
        assert got.dtype == want.dtype
        assert np.array_equal(got.view(np.uint8), want.view(np.uint8)), (seed, shape)
        assert np.array_equal(ndgrad.rand(3).numpy(), after)


def _digits_models(lib: Any) -> list[Any]:
    """The models of examples/mlp_digits.py and cnn_digits.py, built after manual_seed(0)."""
    nn = lib.nn
    lib.manual_seed(0)
    mlp = nn.Sequential(
        nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
    )
    lib.manual_seed(0)
    cnn = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1),
        nn.BatchNorm2d(32),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.3),
        nn.Linear(64 * 2 * 2, 10),
    )
    return [p.detach().numpy() for m in (mlp, cnn) for p in m.parameters()]


def test_digits_examples_start_from_pytorchs_weights() -> None:
    ours, theirs = _digits_models(ndgrad), _digits_models(torch)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_digits_loader_order_is_pytorchs() -> None:
    """The examples shuffle with DataLoader(shuffle=True, generator=Generator().manual_seed(0))."""
    orders = []
    for lib in (ndgrad, torch):
        data = lib.utils.data.TensorDataset(lib.arange(100))
        loader = lib.utils.data.DataLoader(
            data, batch_size=32, shuffle=True, generator=lib.Generator().manual_seed(0)
        )
        orders.append([[b[0].tolist() for b in loader] for _epoch in range(3)])
    assert orders[0] == orders[1]


def test_orthogonal_draws_as_pytorch() -> None:
    """orthogonal_: the same normal draws; Q from numpy's LAPACK agrees to rounding, and the
    stream is left where PyTorch leaves it."""
    for shape in [(3, 5), (6, 2), (4, 2, 3)]:
        out = []
        for lib in (ndgrad, torch):
            lib.manual_seed(0)
            w = lib.nn.init.orthogonal_(lib.empty(*shape), gain=2.0)
            out.append((w.detach().numpy(), lib.rand(3).numpy()))
        np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-5, atol=1e-6)
        assert np.array_equal(out[0][1], out[1][1])


def _sgd_losses(lib: Any, steps: int = 200) -> list[float]:
    """A seeded MLP trained with SGD on seeded random data: every number from the generator."""
    lib.manual_seed(0)
    x, y = lib.randn(64, 8), lib.randint(0, 3, (64,))
    model = lib.nn.Sequential(
        lib.nn.Linear(8, 32), lib.nn.Tanh(), lib.nn.Dropout(0.1), lib.nn.Linear(32, 3)
    )
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_seeded_sgd_run_follows_pytorchs_losses() -> None:
    ours, theirs = np.array(_sgd_losses(ndgrad)), np.array(_sgd_losses(torch))
    assert np.allclose(ours, theirs, rtol=1e-4, atol=0), np.abs(ours / theirs - 1).max()


@pytest.mark.slow
@pytest.mark.parametrize(("name", "code"), _params([], []))
def test_sweep_200_seeds(name: str, code: str) -> None:
    """Every size 0-100 in turn on one stream, for 200 seeds (the script prints the counts)."""
    bad = [s for s in range(200) if stream(name, s, list(range(101)), code) == "differs"]
    assert not bad, f"{name}[{code}] differs from PyTorch for seeds {bad[:5]}"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "code"), _params([], []))
def test_sweep_large_sizes(name: str, code: str) -> None:
    """Sizes 1000 and 4099 (5 seeds) and 65537 (one seed), each from a fresh seed."""
    runs = [(s, n) for s in range(5) for n in (1000, 4099)] + [(0, 65537)]
    bad = [(s, n) for s, n in runs if stream(name, s, [n], code) == "differs"]
    assert not bad, f"{name}[{code}] differs from PyTorch at (seed, size) {bad[:5]}"


def stream(name: str, seed: int, sizes: list[int], code: str) -> str:
    """One seed, every size in turn on one stream (no reseeding between sizes, so cached normals
    and stream positions carry over as in a program): "exact", "ulp" or "differs"."""
    prog, _, ulp = CASES[name]
    out = []
    for lib in (ndgrad, torch):
        lib.manual_seed(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = []
            for n in sizes:
                try:
                    values.append(_np(prog(lib, n, code)))
                except (RuntimeError, ValueError) as e:
                    values.append(type(e).__name__)
            out.append([*values, _np(lib.rand(3))])
    if _same(out[0], out[1], False):
        return "exact"
    return "ulp" if ulp and _same(out[0], out[1], True) else "differs"


def main(nseeds: int = 200, only: list[str] | None = None) -> None:
    """The full sweep, one line per case: for each of 200 seeds, sizes 0-100 drawn one after
    another on one stream, then 1000 and 4099 (20 seeds) and 65537 (3 seeds) from fresh seeds.
    Counts are of seeds whose whole run is bit-identical (or within one ulp)."""
    totals = [0, 0, 0]
    for name, (_, codes, _) in CASES.items():
        if only and name not in only:
            continue
        for code in codes:
            got = [stream(name, s, list(range(101)), code) for s in range(nseeds)]
            got += [stream(name, s, [n], code) for s in range(20) for n in (1000, 4099)]
            got += [stream(name, s, [65537], code) for s in range(3)]
            row = (got.count("exact"), got.count("ulp"), len(got))
            totals = [a + b for a, b in zip(totals, row, strict=True)]
            print(
                f"{name}[{code}]: identical {row[0]}, within 1 ulp {row[1]}, of {row[2]}",
                flush=True,
            )
    print(f"all: identical {totals[0]}, within 1 ulp {totals[1]}, of {totals[2]}", flush=True)


def test_deprecated_init_names_warn_as_pytorch() -> None:
    for name in ("uniform", "normal", "xavier_uniform", "kaiming_normal", "orthogonal"):
        messages = []
        for lib in (ndgrad, torch):
            with pytest.warns(FutureWarning) as rec:
                getattr(lib.nn.init, name)(lib.empty(3, 4))
            messages.append([str(w.message) for w in rec])
            assert rec[0].filename == __file__  # the caller's line, as stacklevel=2 gives
        assert messages[0] == messages[1]
        assert getattr(ndgrad.nn.init, name).__name__ == name


def test_random_keyword_errors_as_pytorch() -> None:
    for kw in ({"from": 2}, {"frm": 3}):
        msgs = []
        for lib in (ndgrad, torch):
            with pytest.raises(TypeError) as err:
                lib.empty(3).random_(**kw)
            msgs.append(str(err.value))
        assert msgs[0] == msgs[1]


@pytest.mark.parametrize("code", ["f32", "f64"])
def test_multinomial_many_categories_ties_as_pytorch(code: str) -> None:
    """70,000 categories: float32 ratios p / q tie, and the tied indices come out in the order
    of PyTorch's topk (libstdc++'s nth_element and sort), with and without zero probabilities."""
    p = np.random.default_rng(5).random(70_000).astype(_DT[code])
    for zeros, k in ((False, 70_000), (True, 46_666), (True, 50_000)):
        if zeros:
            p[::3] = 0
        out = []
        for lib in (ndgrad, torch):
            lib.manual_seed(11)
            out.append((lib.multinomial(lib.tensor(p), k).numpy(), lib.rand(2).numpy()))
        assert np.array_equal(out[0][0], out[1][0]) and np.array_equal(out[0][1], out[1][1])


def test_cxx_sort_topk_order_is_pytorchs() -> None:
    """The libstdc++ emulation against torch.topk on tie-heavy rows (and NaN), for both of
    PyTorch's paths (partial_sort when k * 64 <= n, else nth_element and sort)."""
    from ndgrad._cxx_sort import topk_indices

    rng = np.random.default_rng(1)
    for n in [*range(1, 40), 64, 65, 129, 1000]:
        for trial in range(4):
            v = rng.integers(0, 4, n).astype(np.float64)
            if trial == 1:
                v = rng.random(n)
                v[::2] = 0
            if trial == 2:
                v[rng.integers(0, n, 2)] = np.nan
            for k in sorted({min(x, n) for x in (1, 2, 3, 17, n // 64 or 1, n // 2 or 1, n)}):
                want = torch.topk(torch.tensor(v), k).indices.tolist()
                assert topk_indices(v.tolist(), k) == want, (n, k, trial)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200, sys.argv[2:])
