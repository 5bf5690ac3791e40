"""The random API: generators, seeds, states and argument checks (values: test_random_parity)."""

from __future__ import annotations

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch


def test_known_values_of_the_default_seed() -> None:
    # PyTorch's own documentation values for manual_seed(0)
    ndgrad.manual_seed(0)
    assert ndgrad.rand(3).tolist() == pytest.approx([0.4963, 0.7682, 0.0885], abs=5e-5)
    assert ndgrad.initial_seed() == 0


def test_state_round_trip_and_caches() -> None:
    g = ndgrad.Generator().manual_seed(7)
    g.manual_seed(7)
    ndgrad.randn(3, generator=g)  # leaves a cached Box-Muller value
    state = g.get_state()
    assert state.dtype == ndgrad.uint8 and state.shape == (5056,)
    a = ndgrad.randn(5, generator=g)
    g.set_state(state)
    assert np.array_equal(a.numpy(), ndgrad.randn(5, generator=g).numpy())
    ndgrad.set_rng_state(state)
    assert np.array_equal(a.numpy(), ndgrad.randn(5).numpy())


def test_fork_rng_restores_the_default_stream() -> None:
    ndgrad.manual_seed(3)
    with ndgrad.random.fork_rng():
        ndgrad.rand(10)
    after = ndgrad.rand(2).numpy()
    ndgrad.manual_seed(3)
    assert np.array_equal(after, ndgrad.rand(2).numpy())


def test_seeds() -> None:
    assert ndgrad.manual_seed(-1).initial_seed() == 2**64 - 1
    s = ndgrad.seed()
    assert ndgrad.initial_seed() == s
    with pytest.raises(ValueError, match="Overflow"):
        ndgrad.manual_seed(2**64)
    assert ndgrad.Generator().initial_seed() == 67280421310721
    assert str(ndgrad.Generator().device) == "cpu"


def test_bad_states_are_refused() -> None:
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        ndgrad.set_rng_state(ndgrad.zeros(5056))
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 5056"):
        ndgrad.set_rng_state(ndgrad.zeros(3, dtype=ndgrad.uint8))
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        ndgrad.set_rng_state(ndgrad.zeros(5056, dtype=ndgrad.uint8))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: ndgrad.empty(3).normal_(0, -1), RuntimeError, "normal expects std >= 0.0"),
        (lambda: ndgrad.empty(3).uniform_(2, 1), RuntimeError, "uniform_ expects to return"),
        (lambda: ndgrad.empty(3).exponential_(-1), RuntimeError, "lambda > 0.0"),
        (lambda: ndgrad.empty(3).geometric_(0), RuntimeError, r"p to be in \(0, 1\)"),
        (lambda: ndgrad.empty(3).log_normal_(0, 0), RuntimeError, "std > 0.0"),
        (lambda: ndgrad.empty(3).bernoulli_(2), RuntimeError, r"p to be in \[0, 1\]"),
        (lambda: ndgrad.randint(5, 2, (3,)), RuntimeError, "from=5 >= to=2"),
        (lambda: ndgrad.randn(3, dtype=ndgrad.int64), NotImplementedError, "normal_kernel_cpu"),
        (lambda: ndgrad.randperm(-1), RuntimeError, "negative dimension -1"),
        (lambda: ndgrad.multinomial(ndgrad.tensor([1.0, 2]), 3), RuntimeError, "n_sample >"),
        (lambda: ndgrad.multinomial(ndgrad.tensor([-1.0, 2]), 1), RuntimeError, "element < 0"),
        (lambda: ndgrad.multinomial(ndgrad.tensor([1, 2]), 1), RuntimeError, "floating-point"),
        (lambda: ndgrad.poisson(ndgrad.tensor([-1.0])), RuntimeError, "non-negative"),
    ],
)
def test_argument_checks(call, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=message):
        call()


def test_in_place_sampling_and_autograd() -> None:
    leaf = ndgrad.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.normal_()
    with ndgrad.no_grad():
        leaf.uniform_(-1, 1)
    assert ((leaf.detach().numpy() >= -1) & (leaf.detach().numpy() < 1)).all()
    y = leaf * 2
    y.normal_()  # a fresh value: no gradient flows back to leaf through it
    y.sum().backward()
    assert leaf.grad is not None and not leaf.grad.numpy().any()


def test_transposed_views_fill_in_memory_order() -> None:
    ndgrad.manual_seed(1)
    base = ndgrad.empty(3, 4)
    base.t().uniform_()
    ndgrad.manual_seed(1)
    assert np.array_equal(base.numpy(), ndgrad.rand(3, 4).numpy())


@requires_torch
@pytest.mark.parametrize("shape", [(4, 3), (8, 5)])
def test_views_draw_as_pytorch(shape: tuple[int, int]) -> None:
    """A transposed view: filled in memory order; normal_ takes the element-wise path."""
    out = []
    for lib in (ndgrad, torch):
        lib.manual_seed(2)
        a, b = lib.empty(*shape).t(), lib.empty(*shape).t()
        a.normal_()
        b.uniform_()
        out.append([a.numpy().copy(), b.numpy().copy(), lib.rand(2).numpy()])
    for x, y in zip(*out, strict=True):
        assert np.array_equal(x, y)


@requires_torch
def test_a_pytorch_state_loads_here_and_back() -> None:
    torch.manual_seed(11)
    torch.randn(1)
    state = torch.get_rng_state()
    ndgrad.set_rng_state(ndgrad.tensor(state.numpy()))
    assert np.array_equal(ndgrad.get_rng_state().numpy(), state.numpy())
    assert np.array_equal(ndgrad.randn(20).numpy(), torch.randn(20).numpy())


def _fisher_yates(words: list[int], n: int) -> list[int]:
    perm = list(range(n))
    for i, w in enumerate(words):
        j = i + w % (n - i)
        perm[i], perm[j] = perm[j], perm[i]
    return perm


@pytest.mark.parametrize("n", [0, 1, 2, 63, 64, 65, 100, 1000, 5000])
def test_randperm_without_a_loop_is_fisher_yates(n: int) -> None:
    """The vectorised randperm against the swaps done one by one on the same words."""
    for seed in range(5):
        g = ndgrad.Generator().manual_seed(seed)
        words = g._raw32(max(n - 1, 0)).tolist()
        g.manual_seed(seed)
        assert ndgrad.randperm(n, generator=g).tolist() == _fisher_yates(words, n)
        after = ndgrad.rand(2, generator=g)
        g.manual_seed(seed)
        g._raw32(max(n - 1, 0))
        assert np.array_equal(after.numpy(), ndgrad.rand(2, generator=g).numpy())


def test_poisson_leaves_the_stream_after_its_last_draw() -> None:
    """poisson draws its uniforms in bulk and rewinds: the next draw is the one after the last
    uniform used, as when drawing them one at a time (two words each)."""
    from ndgrad import _random

    rates = np.array([0.0, 0.5, 3.0, 9.9, 10.0, 25.0, 400.0] * 20)
    g = ndgrad.Generator().manual_seed(3)
    counts = ndgrad.poisson(ndgrad.tensor(rates), generator=g).numpy()
    nxt = ndgrad.rand(3, generator=g).numpy()
    g.manual_seed(3)
    used = [0]

    def one() -> float:
        used[0] += 1
        return float(_random._unit_f64(g, 1)[0])

    want = [_random._poisson_one(lam, one) if lam else 0 for lam in rates.tolist()]
    assert counts.tolist() == want
    assert np.array_equal(nxt, ndgrad.rand(3, generator=g).numpy())
    assert used[0] > len(rates)


def test_poisson_refuses_nan_rates_as_pytorch() -> None:
    """PyTorch's check is rate >= 0, which a NaN rate fails too."""
    with pytest.raises(RuntimeError, match="invalid Poisson rate, expected rate to be non-neg"):
        ndgrad.poisson(ndgrad.tensor([3.0, float("nan")]))
