"""Numerics: NaN and infinities propagate as in PyTorch, stable formulas stay stable at large
magnitudes, and float16/float32 inputs keep their dtype through forward and backward.

The op loops run over the op tables (tests/optables foundation and pointwise), so a new op is
covered when it is added there.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import assert_close, requires_torch, torch
from .optables import OpInfo

TABLES = ("foundation", "pointwise")
# Ops whose inputs are not elementwise values (shapes, reductions, matmul): not in these loops.
NOT_ELEMENTWISE = {"view", "reshape", "matmul", "expand", "unsqueeze_squeeze", "transpose"}
NOT_ELEMENTWISE |= {"permute", "sum", "mean"}


def _ops() -> list[OpInfo]:
    ops: list[OpInfo] = []
    for name in TABLES:
        ops += importlib.import_module(f"tests.optables.{name}").OPS
    return ops


ALL_OPS = _ops()
ELEMENTWISE = [op for op in ALL_OPS if op.name not in NOT_ELEMENTWISE]

# Special values, per dtype: NaN, ±inf, ±0, tiny and huge normal numbers, and ordinary ones.
# (Subnormals are left out: PyTorch's vectorised CPU kernels do not always keep them.)
_ORDINARY = [1.0, -1.0, 0.5, -2.5, 3.0, 20.0, -20.0]
_NAN_INF_ZEROS = [np.nan, np.inf, -np.inf, 0.0, -0.0]
SPECIAL = {
    "float64": [*_NAN_INF_ZEROS, 1e-300, -1e-300, 1e300, -1e300, 1e38, *_ORDINARY, 700.0, -700.0],
    "float32": [*_NAN_INF_ZEROS, 1e-30, -1e-30, 3e38, -3e38, 1e30, *_ORDINARY, 80.0, -80.0],
}
EXTREMES = {"float64": (1e-300, -1e-300, 1e300, -1e300), "float32": (1e-30, -1e-30, 3e38, -3e38)}
# float32 differences of cancelling terms are rounding at the inputs' scale (eps · 80 ≈ 1e-5).
TOLERANCE = {"float64": (1e-10, 1e-15), "float32": (1e-5, 1e-5)}

# Documented differences at the extremes (each checked below on the other special values):
# * fmod/remainder of a huge by a tiny number: numpy's fmod is exact; PyTorch computes
#   a - trunc(a/b)·b, and a/b overflows to inf, giving nan.
# * atan2's gradient when a² + b² underflows: neither library is right (PyTorch gives 0,
#   ndgrad b / 1); the true value 1/b is out of reach of the textbook formula.
# * float32 a + alpha·b and lerp: PyTorch fuses or widens the intermediate product, ndgrad's
#   intermediate overflows to inf (so -inf + inf = nan, or an infinite lerp).
AT_EXTREMES_DIFFER = {
    "float64": {"fmod", "remainder", "mod_operator", "fmod_number", "remainder_number", "atan2"},
    "float32": {"fmod", "remainder", "mod_operator", "fmod_number", "remainder_number", "atan2"}
    | {"add_alpha", "lerp_tensor", "lerp_number", "lerp_number_high"},
}


def _grid(values: list[float], n: int) -> list[np.ndarray]:
    """All n-tuples of the values, as n flat arrays of one shape (no broadcasting: PyTorch's
    clamp backward cannot reduce a broadcast input)."""
    if n == 1:
        return [np.array(values)]
    if n == 3:
        values = values[:10]
    return [g.reshape(-1).copy() for g in np.meshgrid(*([values] * n), indexing="ij")]


def _run(lib: Any, op: OpInfo, arrays: list[np.ndarray], dtype: str) -> Any:
    """Values of the op's float outputs and the gradients of their sum (or the error type)."""
    ts = [lib.tensor(a, dtype=getattr(lib, dtype)) for a in arrays]
    diff = op.differentiable if op.differentiable is not None else tuple(range(len(ts)))
    for i in diff:
        ts[i].requires_grad_(True)
    try:
        out = op.op(lib, *ts, **op.samples[0].kwargs)
    except Exception as exc:  # compared with the other library's outcome
        return type(exc).__name__
    outs = out if isinstance(out, tuple) else (out,)
    values = [o.detach().numpy().astype(np.float64) for o in outs]
    grads = None
    differentiable = [o for o in outs if o.dtype.is_floating_point and o.requires_grad]
    if differentiable and op.gradcheck:
        total = sum(o.sum() for o in differentiable)
        got = lib.autograd.grad(total, [ts[i] for i in diff], allow_unused=True)
        grads = [None if g is None else g.numpy().astype(np.float64) for g in got]
    return values, grads


def _same(a: np.ndarray | None, b: np.ndarray | None, dtype: str, what: str) -> None:
    if a is None or b is None:  # an unused input: None on one side, zeros on the other
        other = a if b is None else b
        assert other is None or not np.any(other), what
        return
    rtol, atol = TOLERANCE[dtype]
    # NaN where PyTorch has NaN, ±inf where it has ±inf, values close elsewhere.
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


@requires_torch
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("op", ELEMENTWISE, ids=[op.name for op in ELEMENTWISE])
def test_special_values_propagate_as_in_torch(op: OpInfo, dtype: str) -> None:
    values = SPECIAL[dtype]
    if op.name in AT_EXTREMES_DIFFER[dtype]:
        values = [v for v in values if v not in EXTREMES[dtype]]
    arrays = _grid(values, len(op.samples[0].shapes))
    ours, theirs = _run(ndgrad, op, arrays, dtype), _run(torch, op, arrays, dtype)
    if isinstance(ours, str) or isinstance(theirs, str):
        assert ours == theirs
        return
    for k, (a, b) in enumerate(zip(ours[0], theirs[0], strict=True)):
        _same(a, b, dtype, f"{op.name} value {k}")
    if ours[1] is None or theirs[1] is None:
        assert ours[1] is None and theirs[1] is None
        return
    for k, (a, b) in enumerate(zip(ours[1], theirs[1], strict=True)):
        _same(a, b, dtype, f"{op.name} gradient {k}")


def test_special_value_sweep_covers_the_tables() -> None:
    assert len(ELEMENTWISE) >= 80


# --- dtypes kept -------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", ["float16", "float32"])
@pytest.mark.parametrize("op", ALL_OPS, ids=[op.name for op in ALL_OPS])
def test_low_precision_dtype_kept_through_forward_and_backward(op: OpInfo, dtype: str) -> None:
    dt = getattr(ndgrad, dtype)
    rng = np.random.default_rng(0)
    for sample in op.samples[:3]:
        lo, hi = op.domain
        arrays = []
        for i, shape in enumerate(sample.shapes):
            maker = sample.makers[i] if i < len(sample.makers) else None
            a = maker(rng, shape) if maker is not None else rng.uniform(lo, hi, size=shape)
            arrays.append(np.asarray(a))
        ts = [ndgrad.tensor(a, dtype=dt if a.dtype.kind == "f" else None) for a in arrays]
        diff = op.differentiable
        if diff is None:
            diff = tuple(i for i, t in enumerate(ts) if t.dtype.is_floating_point)
        for i in diff:
            ts[i].requires_grad_(True)
        out = op.op(ndgrad, *ts, **sample.kwargs)
        outs = out if isinstance(out, tuple) else (out,)
        floating = [o for o in outs if o.dtype.is_floating_point]
        for o in floating:
            assert o.dtype is dt, f"{op.name}: {dtype} input gave {o.dtype}"
        if torch is not None:
            tts = [
                torch.tensor(a, dtype=getattr(torch, dtype) if a.dtype.kind == "f" else None)
                for a in arrays
            ]
            tout = op.op(torch, *tts, **sample.kwargs)
            touts = tout if isinstance(tout, tuple) else (tout,)
            assert [str(o.dtype) for o in outs] == [str(o.dtype) for o in touts]
        if not (op.gradcheck and diff and any(o.requires_grad for o in floating)):
            continue
        total = sum((o * 1).sum() for o in floating if o.requires_grad)
        grads = ndgrad.autograd.grad(total, [ts[i] for i in diff], allow_unused=True)
        for i, g in zip(diff, grads, strict=True):
            if g is not None:
                assert g.dtype is ts[i].dtype, f"{op.name}: gradient {g.dtype} for {ts[i].dtype}"
                assert g.shape == ts[i].shape


# --- stable formulas at large magnitudes -------------------------------------------------------

BIG = [-1000.0, -100.0, -40.0, -1.0, 0.0, 1.0, 40.0, 100.0, 1000.0]
# relu(x) - ... + log1p(exp(-|x|)) has a kink at 0 (relu'(0) = abs'(0) = 0, as in PyTorch).
OFF_ZERO = [v for v in BIG if v != 0] + [0.25]


def _both(values: list[float], dtype: str = "float64") -> tuple[Any, Any]:
    x = ndgrad.tensor(values, dtype=getattr(ndgrad, dtype), requires_grad=True)
    xt = torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True)
    return x, xt


def _check(x: Any, xt: Any, y: Any, yt: Any, rtol: float = 1e-12, atol: float = 0.0) -> None:
    """Finite values and gradients, equal to PyTorch's (PyTorch flushes float32 subnormals
    to zero, hence the absolute tolerance at the smallest normal number)."""
    atol = max(atol, 1e-300 if x.dtype is ndgrad.float64 else 1.2e-38)
    assert np.all(np.isfinite(y.detach().numpy())), y
    assert_close(y, yt, rtol=rtol, atol=atol)
    (g,) = ndgrad.autograd.grad(y.sum(), x)
    (gt,) = torch.autograd.grad(yt.sum(), xt)
    assert np.all(np.isfinite(g.numpy())), g
    assert_close(g, gt, rtol=rtol, atol=atol)


@requires_torch
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_sigmoid_and_log_sigmoid_at_large_magnitudes(dtype: str) -> None:
    values = BIG if dtype == "float64" else [v for v in BIG if abs(v) <= 100]
    rtol = 1e-12 if dtype == "float64" else 1e-5
    x, xt = _both(values, dtype)
    _check(x, xt, x.sigmoid(), xt.sigmoid(), rtol)
    # log(sigmoid(x)) stays finite down to -700: sigmoid keeps e^x instead of rounding to 0.
    x, xt = _both([v for v in values if v > (-700 if dtype == "float64" else -80)], dtype)
    _check(x, xt, x.sigmoid().log(), xt.sigmoid().log(), rtol)
    if dtype == "float64":
        x = ndgrad.tensor([-700.0, -100.0, -40.0], dtype=ndgrad.float64, requires_grad=True)
        xt = torch.tensor([-700.0, -100.0, -40.0], dtype=torch.float64, requires_grad=True)
        _check(x, xt, x.sigmoid().log(), torch.nn.functional.logsigmoid(xt))


@requires_torch
def test_softplus_constructions_match_torch() -> None:
    x, xt = _both(BIG)
    _check(x, xt, ndgrad.logaddexp(x, ndgrad.zeros_like(x)), torch.nn.functional.softplus(xt))
    x, xt = _both(OFF_ZERO)
    _check(x, xt, x.relu() + (-x.abs()).exp().log1p(), torch.nn.functional.softplus(xt))


@requires_torch
def test_bce_with_logits_construction_matches_torch() -> None:
    x, xt = _both(OFF_ZERO)
    z = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.5])
    loss = x.relu() - x * ndgrad.tensor(z) + (-x.abs()).exp().log1p()
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        xt, torch.tensor(z), reduction="none"
    )
    # PyTorch's formula rounds log1p(e^-40) = 4e-18 away next to a term of 40; ndgrad keeps it.
    _check(x, xt, loss, expected, atol=1e-15)


@requires_torch
def test_logsumexp_constructions_match_torch() -> None:
    values = [1000.0, 1000.5, -1000.0, 999.0, -5.0]
    # Folding logaddexp over the elements.
    x, xt = _both(values)
    parts = x.unbind(0)
    acc = parts[0]
    for p in parts[1:]:
        acc = ndgrad.logaddexp(acc, p)
    _check(x, xt, acc.reshape(1), torch.logsumexp(xt, 0).reshape(1))
    # The shift trick with a constant shift, and log_softmax built on it.
    x, xt = _both(values)
    c = float(np.max(values))
    lse = (x - c).exp().sum().log() + c
    _check(x, xt, lse.reshape(1), torch.logsumexp(xt, 0).reshape(1))
    x, xt = _both(values)
    lse = (x - c).exp().sum().log() + c
    _check(x, xt, x - lse, torch.log_softmax(xt, 0))


@requires_torch
def test_division_gradient_does_not_underflow() -> None:
    # d(a/b)/db = -(a/b)/b: with b = 1e-200, b² underflows to 0 but a/b does not.
    a = ndgrad.tensor([1e-200, 0.0, -3e-200], dtype=ndgrad.float64, requires_grad=True)
    b = ndgrad.tensor([1e-200, 1e-200, 2e-200], dtype=ndgrad.float64, requires_grad=True)
    at = torch.tensor(a.detach().numpy(), requires_grad=True)
    bt = torch.tensor(b.detach().numpy(), requires_grad=True)
    ga, gb = ndgrad.autograd.grad((a / b).sum(), [a, b])
    gat, gbt = torch.autograd.grad((at / bt).sum(), [at, bt])
    assert_close(ga, gat, rtol=1e-12, atol=0)
    assert_close(gb, gbt, rtol=1e-12, atol=0)
    assert np.all(np.isfinite(gb.numpy()))


def test_var_of_large_offsets() -> None:
    if not hasattr(ndgrad, "var"):
        pytest.skip("no var on this branch (reductions)")
    base = np.array([0.5, -0.25, 0.125, 1.0])
    x = ndgrad.tensor(base + 1e9, dtype=ndgrad.float64, requires_grad=True)
    assert_close(x.var(), np.var(base, ddof=1), rtol=1e-6, atol=0)


def test_no_numpy_warnings_from_ndgrad_ops() -> None:
    # PyTorch returns inf/nan silently; numpy's warnings would point into ndgrad's modules.
    import subprocess
    import sys

    code = (
        "import numpy as np, ndgrad as torch\n"
        "torch.tensor([0.0, 1.0]).log(); torch.tensor([0.0]) / torch.tensor([0.0])\n"
        "torch.tensor([-1.0]).sqrt()\n"
        "np.log(np.array([0.0]))  # the user's own numpy call still warns\n"
    )
    run = subprocess.run(
        [sys.executable, "-W", "default", "-c", code], capture_output=True, text=True, check=True
    )
    lines = [line for line in run.stderr.splitlines() if "RuntimeWarning" in line]
    assert len(lines) == 1 and lines[0].startswith("<string>:4:"), run.stderr
