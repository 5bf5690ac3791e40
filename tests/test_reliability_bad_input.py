"""Bad input: a clear error, and nothing changed.

Every case runs against a fresh set of tensors (a leaf that already has a ``.grad``, a non-leaf,
an integer tensor, a plain float tensor for in-place writes). After the error, their values,
version counters and ``.grad`` must be exactly as before. Where PyTorch raises for the same
input, the exception type and message must be PyTorch's (the case runs under torch too); where
ndgrad deliberately says something else (devices: ndgrad has only the CPU), the expected text
is written here. tests/test_pointwise_errors.py holds the pointwise ops' own errors.
"""

from __future__ import annotations

import importlib
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import torch

EXACT, TYPE, OWN = "exact", "type", "own"


class Env:
    """The tensors a case may touch, and a snapshot of them to compare after the error."""

    def __init__(self, L: Any) -> None:
        self.L = L
        self.x = L.tensor([[1.0, -2.0, 3.0], [0.5, 0.0, -1.5]], requires_grad=True)
        (self.x * 2).sum().backward()
        self.y = self.x * 3  # a non-leaf
        self.i = L.tensor([1, 2, 3])
        self.d = L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])  # no grad: in-place writes run
        self._snap = self._snapshot()

    def _snapshot(self) -> list[Any]:
        out = []
        for t in (self.x, self.y, self.i, self.d):
            out.append((t.detach().numpy().copy(), t._version))
        out.append(self.x.grad.numpy().copy())
        return out

    def assert_unchanged(self) -> None:
        now = self._snapshot()
        for (a, va), (b, vb) in zip(self._snap[:-1], now[:-1], strict=True):
            np.testing.assert_array_equal(a, b)
            assert a.dtype == b.dtype and va == vb
        np.testing.assert_array_equal(self._snap[-1], now[-1])
        assert self.x.grad.dtype == self.x.dtype


@dataclass
class Case:
    id: str
    run: Callable[[Env], Any]
    exc: type[BaseException]
    # EXACT: PyTorch raises the same type with the same text. TYPE: same type, PyTorch's text
    # differs (e.g. lists its complex dtypes). OWN: ndgrad's own text `message` (regex).
    kind: str = EXACT
    message: str | None = None


def _function(L: Any, backward: Callable[..., Any], n_args: int = 1) -> Any:
    """A custom autograd.Function of ``n_args`` tensors computing the product, with
    the given (wrong) backward."""

    class Bad(L.autograd.Function):
        @staticmethod
        def forward(ctx: Any, *args: Any) -> Any:
            out = args[0] * 2
            for a in args[1:]:
                out = out * a
            return out

    if backward is not None:
        Bad.backward = staticmethod(backward)
    return Bad


def _custom(
    backward: Callable[..., Any] | None, extra: Callable[[Env], tuple[Any, ...]] | None = None
) -> Callable[[Env], None]:
    def run(e: Env) -> None:
        fn = _function(e.L, backward)
        args = (e.x, *(extra(e) if extra else ()))
        fn.apply(*args).sum().backward()

    return run


def _hooked_backward(target: str, hook: Callable[..., Any], kind: str = "tensor"):
    def run(e: Env) -> None:
        y = e.x * 3
        if kind == "tensor":
            (e.x if target == "leaf" else y).register_hook(hook(e.L))
        elif kind == "pre":
            y.grad_fn.register_prehook(hook(e.L))
        else:
            y.grad_fn.register_hook(hook(e.L))
        y.sum().backward()

    return run


_CPU_ONLY = "ndgrad computes on the CPU only; device '{}' is not available"
_CPU_ONLY_INDEX = r"ndgrad computes on the CPU only; device 0 \(an accelerator's index\)"


def _device_cases() -> list[Case]:
    makers: dict[str, Callable[[Env, Any], Any]] = {
        "tensor": lambda e, d: e.L.tensor([1.0], device=d),
        "as_tensor": lambda e, d: e.L.as_tensor([1.0], device=d),
        "zeros": lambda e, d: e.L.zeros(2, device=d),
        "ones": lambda e, d: e.L.ones(2, device=d),
        "empty": lambda e, d: e.L.empty(2, device=d),
        "full": lambda e, d: e.L.full((2,), 1.0, device=d),
        "eye": lambda e, d: e.L.eye(2, device=d),
        "arange": lambda e, d: e.L.arange(3, device=d),
        "linspace": lambda e, d: e.L.linspace(0, 1, 3, device=d),
        "rand": lambda e, d: e.L.rand(2, device=d),
        "randn": lambda e, d: e.L.randn(2, device=d),
        "randint": lambda e, d: e.L.randint(0, 3, (2,), device=d),
        "zeros_like": lambda e, d: e.L.zeros_like(e.d, device=d),
        "ones_like": lambda e, d: e.L.ones_like(e.d, device=d),
        "full_like": lambda e, d: e.L.full_like(e.d, 2.0, device=d),
        "empty_like": lambda e, d: e.L.empty_like(e.d, device=d),
        "Tensor.to": lambda e, d: e.d.to(d),
        "Tensor.to(device=)": lambda e, d: e.d.to(device=d),
        "Tensor.to(device, dtype)": lambda e, d: e.d.to(d, e.L.float64),
        "Tensor.cuda": lambda e, d: e.d.cuda(),
    }
    cases = []
    for name, make in makers.items():
        for dev in ("cuda", "cuda:0"):
            spelled = "cuda" if name == "Tensor.cuda" else dev
            cases.append(
                Case(
                    f"device-{name}-{dev}",
                    lambda e, m=make, d=dev: m(e, d),
                    RuntimeError,
                    OWN,
                    re.escape(_CPU_ONLY.format(spelled)),
                )
            )
    cases += [
        Case("device-index", lambda e: e.L.zeros(2, device=0), RuntimeError, OWN, _CPU_ONLY_INDEX),
        Case(
            "device-ndgrad.device",
            lambda e: e.L.zeros(2, device=e.L.device("cuda", 1)),
            RuntimeError,
            OWN,
            re.escape(_CPU_ONLY.format("cuda:1")),
        ),
        Case("device-unknown", lambda e: e.L.zeros(2, device="gpu"), RuntimeError),
        Case("device-negative", lambda e: e.L.zeros(2, device=-1), RuntimeError),
        Case("device-float", lambda e: e.L.zeros(2, device=1.5), TypeError, TYPE),
        Case("device-generator", lambda e: e.L.Generator(device="cuda"), RuntimeError, OWN),
    ]
    return cases


def _creation_cases() -> list[Case]:
    data: list[tuple[str, Any, type[BaseException]]] = [
        ("str", "abc", TypeError),
        ("list-of-str", ["a", "b"], ValueError),
        ("str-after-number", [1.0, "a"], TypeError),
        ("nested-str", [[1.0], ["a"]], TypeError),
        ("bytes", b"ab", TypeError),
        ("list-of-bytes", [b"ab"], TypeError),
        ("None", None, RuntimeError),
        ("list-with-None", [1.0, None], RuntimeError),
        ("object", object(), RuntimeError),
        ("list-of-object", [object()], RuntimeError),
        ("dict", {"a": 1}, RuntimeError),
        ("set", {1, 2}, RuntimeError),
        ("ragged", [[1, 2], [3]], ValueError),
        ("ragged-deep", [[[1.0]], [[1.0, 2.0]]], ValueError),
        ("ragged-scalar-after-list", [[1, 2], 3], TypeError),
        ("ragged-list-after-scalar", [1, [2, 3]], TypeError),
    ]
    cases = [Case(f"tensor-{n}", lambda e, v=v: e.L.tensor(v), exc) for n, v, exc in data]
    arrays = [
        ("object-array", lambda: np.array([object()], dtype=object)),
        ("str-array", lambda: np.array(["a"])),
        ("datetime-array", lambda: np.array(["2020-01-01"], dtype="datetime64[D]")),
    ]
    # PyTorch's list of supported dtypes includes complex and unsigned types ndgrad lacks.
    for n, make in arrays:
        cases.append(Case(f"tensor-{n}", lambda e, m=make: e.L.tensor(m()), TypeError, TYPE))
        cases.append(Case(f"as_tensor-{n}", lambda e, m=make: e.L.as_tensor(m()), TypeError, TYPE))
    cases += [
        Case("tensor-dtype-int", lambda e: e.L.tensor([1.0], dtype=5), TypeError, TYPE),
        Case(
            "tensor-int-requires-grad", lambda e: e.L.tensor([1], requires_grad=True), RuntimeError
        ),
        Case(
            "ones-int-requires-grad",
            lambda e: e.L.ones(2, dtype=e.L.int64, requires_grad=True),
            RuntimeError,
        ),
        Case("from_numpy-list", lambda e: e.L.from_numpy([1.0, 2.0]), TypeError),
        Case("zeros-negative", lambda e: e.L.zeros(-1), RuntimeError),
        Case("ones-negative", lambda e: e.L.ones(2, -3), RuntimeError, TYPE),
        Case("zeros-float-size", lambda e: e.L.zeros(2.5), TypeError, TYPE),
        Case("zeros-str-size", lambda e: e.L.zeros("a"), TypeError, TYPE),
        Case("randint-empty-range", lambda e: e.L.randint(5, 3, (2,)), RuntimeError),
        Case("arange-zero-step", lambda e: e.L.arange(0, 10, 0), RuntimeError),
        Case("arange-wrong-sign", lambda e: e.L.arange(10, 0, 1), RuntimeError),
        Case("Tensor-ragged", lambda e: e.L.Tensor([[1.0], [2.0, 3.0]]), ValueError),
    ]
    return cases


def _op_cases() -> list[Case]:
    return [
        # wrong shapes
        Case("add-shapes", lambda e: e.x + e.L.ones(4), RuntimeError),
        Case("mul-shapes", lambda e: e.y * e.L.ones(3, 2), RuntimeError),
        Case("matmul-shapes", lambda e: e.x @ e.L.ones(2, 3), RuntimeError),
        Case("matmul-0d", lambda e: e.x @ e.L.tensor(1.0), RuntimeError),
        Case("view-size", lambda e: e.x.view(4), RuntimeError),
        Case("reshape-size", lambda e: e.x.reshape(5), RuntimeError),
        Case("view-two-minus-ones", lambda e: e.x.view(-1, -1), RuntimeError),
        Case("expand-size", lambda e: e.x.expand(4, 3), RuntimeError),
        Case("add_-shapes", lambda e: e.d.add_(e.L.ones(4)), RuntimeError),
        Case("add_-broadcast-up", lambda e: e.d.add_(e.L.ones(2, 2, 3)), RuntimeError),
        Case("mul_-shapes", lambda e: e.d.mul_(e.L.ones(3, 2)), RuntimeError),
        Case("copy_-shapes", lambda e: e.d.copy_(e.L.ones(4)), RuntimeError, TYPE),
        # wrong dtypes
        Case("add_-float-into-int", lambda e: e.i.add_(1.5), RuntimeError),
        Case("mul_-float-into-int", lambda e: e.i.mul_(e.L.ones(3)), RuntimeError),
        Case("mean-int", lambda e: e.i.mean(), RuntimeError),
        Case("neg-bool", lambda e: -e.L.tensor([True]), RuntimeError),
        Case("sub-bool", lambda e: e.L.tensor([True]) - e.L.tensor([True]), RuntimeError),
        Case("int-requires_grad_", lambda e: e.i.requires_grad_(), RuntimeError),
        Case("int-requires_grad-set", lambda e: setattr(e.i, "requires_grad", True), RuntimeError),
        # in place on a leaf that requires grad
        Case("leaf-add_", lambda e: e.x.add_(1), RuntimeError),
        Case("leaf-mul_", lambda e: e.x.mul_(2), RuntimeError),
        Case("leaf-zero_", lambda e: e.x.zero_(), RuntimeError),
        # out-of-range dims
        Case("sum-dim", lambda e: e.x.sum(5), IndexError),
        Case("sum-negative-dim", lambda e: e.x.sum(-3), IndexError),
        Case("mean-dim-keepdim", lambda e: e.x.mean(dim=3, keepdim=True), IndexError),
        Case("sum-dims-one-bad", lambda e: e.x.sum((0, 5)), IndexError),
        Case("sum-repeated-dim", lambda e: e.x.sum((0, 0)), RuntimeError),
        Case("sum-0d-dim", lambda e: e.L.tensor(1.0).sum(1), IndexError),
        Case("transpose-dim", lambda e: e.x.transpose(0, 5), IndexError),
        Case("unsqueeze-dim", lambda e: e.x.unsqueeze(4), IndexError),
        Case("squeeze-dim", lambda e: e.x.squeeze(3), IndexError),
        Case("size-dim", lambda e: e.x.size(2), IndexError),
        Case("unbind-dim", lambda e: e.x.unbind(2), IndexError),
        Case("sum-str-dim", lambda e: e.x.sum("a"), TypeError, TYPE),
        Case("sum-float-dim", lambda e: e.x.sum(1.5), TypeError, TYPE),
        Case("sum-float-in-dims", lambda e: e.x.sum((1.5, 0)), TypeError, TYPE),
        # non-numeric operands
        Case("add-str", lambda e: e.x + "a", TypeError),
        Case("add-None", lambda e: e.x + None, TypeError),
        Case("add-object", lambda e: e.x + object(), TypeError),
        Case("add-list", lambda e: operator.add(e.y, [1.0, 2.0, 3.0]), TypeError),
        Case("radd-str", lambda e: "a" + e.x, TypeError),
        Case("mul-str", lambda e: e.x * "a", TypeError),
        Case("matmul-str", lambda e: e.x @ "a", TypeError),
        Case("pow-str", lambda e: e.x ** "a", TypeError),
        Case("lt-str", lambda e: e.x < "a", TypeError),
        Case("add_-str", lambda e: e.d.add_("a"), TypeError, TYPE),
        Case("fn-add-list", lambda e: e.L.add(e.x, [[1], [2, 3]]), TypeError, TYPE),
        Case("fmod-None", lambda e: e.L.fmod(e.x, None), TypeError, TYPE),
        Case("fmod-object", lambda e: e.L.fmod(e.x, object()), TypeError, TYPE),
        Case("remainder-list", lambda e: e.L.remainder(e.x, [[1.0], [1.0, 2.0]]), TypeError, TYPE),
        Case("nan_to_num-list", lambda e: e.L.nan_to_num(e.x, [1.0]), TypeError),
        Case("round-float-decimals", lambda e: e.L.round(e.x, decimals=1.5), TypeError, TYPE),
        # conversions
        Case("numpy-requires-grad", lambda e: e.x.numpy(), RuntimeError),
        Case("item-many", lambda e: e.x.item(), RuntimeError),
        Case("bool-many", lambda e: bool(e.x), RuntimeError),
        Case("bool-empty", lambda e: bool(e.L.ones(0)), RuntimeError),
        Case("len-0d", lambda e: len(e.L.tensor(1.0)), TypeError),
        Case("iter-0d", lambda e: iter(e.L.tensor(1.0)), TypeError),
        Case("index-float-tensor", lambda e: [0, 1][e.L.tensor(1.5)], TypeError),
    ]


class _TwoArgs:
    """Backward functions of custom Functions that return the wrong thing."""

    @staticmethod
    def too_many(ctx: Any, g: Any) -> Any:
        return g, g

    @staticmethod
    def too_few(ctx: Any, g: Any) -> Any:
        return g

    @staticmethod
    def wrong_shape(ctx: Any, g: Any) -> Any:
        return g.sum(0)

    @staticmethod
    def a_float(ctx: Any, g: Any) -> Any:
        return 3.0

    @staticmethod
    def an_array(ctx: Any, g: Any) -> Any:
        return np.ones((2, 3))

    @staticmethod
    def a_list(ctx: Any, g: Any) -> Any:
        return [g]

    @staticmethod
    def grad_for_number(ctx: Any, g: Any) -> Any:
        return g, g

    @staticmethod
    def raises(ctx: Any, g: Any) -> Any:
        raise ValueError("boom in backward")


def _autograd_cases() -> list[Case]:
    B = _TwoArgs
    return [
        # gradients passed to backward / grad
        Case("backward-grad-shape", lambda e: e.y.backward(e.L.ones(3, 2)), RuntimeError),
        Case("backward-grad-broadcastable", lambda e: e.y.backward(e.L.ones(3)), RuntimeError),
        Case("backward-grad-list", lambda e: e.y.backward([[1.0] * 3] * 2), TypeError),
        Case("backward-grad-array", lambda e: e.y.backward(np.ones((2, 3))), TypeError),
        Case("backward-grad-str", lambda e: e.y.backward("a"), TypeError),
        Case("backward-grad-float", lambda e: e.y.backward(1.0), TypeError),
        Case("backward-non-scalar", lambda e: e.y.backward(), RuntimeError),
        Case("backward-no-graph", lambda e: e.L.ones(2).sum().backward(), RuntimeError),
        Case(
            "backward-count",
            lambda e: e.L.autograd.backward([e.y.sum(), e.y.sum()], [e.L.tensor(1.0)]),
            RuntimeError,
        ),
        Case(
            "backward-second-time",
            lambda e: [z.backward() for z in [e.L.ones(2, requires_grad=True).exp().sum()] * 2],
            RuntimeError,
        ),
        Case("backward-inputs-empty", lambda e: e.y.sum().backward(inputs=[]), RuntimeError),
        Case("backward-inputs-str", lambda e: e.y.sum().backward(inputs=["a"]), RuntimeError),
        Case(
            "grad-grad_outputs-shape",
            lambda e: e.L.autograd.grad(e.y, e.x, e.L.ones(3)),
            RuntimeError,
        ),
        Case(
            "grad-count",
            lambda e: e.L.autograd.grad([e.y, e.y], e.x, [e.L.ones(2, 3)]),
            RuntimeError,
        ),
        Case("grad-inputs-str", lambda e: e.L.autograd.grad(e.y.sum(), "a"), RuntimeError),
        Case(
            "grad-inputs-no-grad",
            lambda e: e.L.autograd.grad(e.y.sum(), e.L.ones(2)),
            RuntimeError,
        ),
        Case(
            "grad-unused",
            lambda e: e.L.autograd.grad(e.y.sum(), [e.x, e.L.ones(2, requires_grad=True)]),
            RuntimeError,
        ),
        Case(
            "grad-outputs-no-grad",
            lambda e: e.L.autograd.grad(e.L.ones(2).sum(), e.x),
            RuntimeError,
        ),
        # PyTorch asserts (AssertionError); a wrong argument type is a TypeError here.
        Case(
            "grad-outputs-str",
            lambda e: e.L.autograd.grad("a", e.x),
            TypeError,
            OWN,
            "Expected output to be a torch.Tensor",
        ),
        # .grad, .data, requires_grad, retain_grad, hooks registration
        Case("set-grad-list", lambda e: setattr(e.x, "grad", [1.0]), TypeError),
        Case("set-grad-shape", lambda e: setattr(e.x, "grad", e.L.ones(3)), RuntimeError),
        # PyTorch's text speaks of a grad_dtype attribute ndgrad does not have.
        Case(
            "set-grad-dtype",
            lambda e: setattr(e.x, "grad", e.L.ones(2, 3, dtype=e.L.float64)),
            RuntimeError,
            TYPE,
        ),
        Case(
            "set-grad-int",
            lambda e: setattr(e.x, "grad", e.L.ones(2, 3, dtype=e.L.int64)),
            RuntimeError,
            TYPE,
        ),
        Case("set-data-list", lambda e: setattr(e.x, "data", [1.0]), TypeError),
        Case(
            "non-leaf-requires_grad", lambda e: setattr(e.y, "requires_grad", False), RuntimeError
        ),
        Case("retain_grad-no-grad", lambda e: e.L.ones(2).retain_grad(), RuntimeError),
        Case("hook-no-grad", lambda e: e.L.ones(2).register_hook(lambda g: g), RuntimeError),
        # hooks returning the wrong thing
        Case(
            "leaf-hook-shape",
            _hooked_backward("leaf", lambda L: lambda g: L.ones(3)),
            RuntimeError,
        ),
        Case(
            "non-leaf-hook-shape",
            _hooked_backward("y", lambda L: lambda g: L.ones(3)),
            RuntimeError,
        ),
        Case(
            "leaf-hook-dtype",
            _hooked_backward("leaf", lambda L: lambda g: g.double()),
            RuntimeError,
        ),
        Case(
            "non-leaf-hook-dtype",
            _hooked_backward("y", lambda L: lambda g: g.double()),
            RuntimeError,
        ),
        Case("leaf-hook-int", _hooked_backward("leaf", lambda L: lambda g: 5), TypeError),
        Case("non-leaf-hook-str", _hooked_backward("y", lambda L: lambda g: "s"), TypeError),
        Case(
            "named-hook-shape",
            _hooked_backward("leaf", lambda L: _named_hook(L)),
            RuntimeError,
        ),
        Case(
            "node-prehook-shape",
            _hooked_backward("y", lambda L: lambda go: (L.ones(3),), "pre"),
            RuntimeError,
        ),
        Case(
            "node-prehook-dtype",
            _hooked_backward("y", lambda L: lambda go: (go[0].double(),), "pre"),
            RuntimeError,
        ),
        Case(
            "node-prehook-tensor-not-tuple",
            _hooked_backward("y", lambda L: lambda go: go[0], "pre"),
            TypeError,
        ),
        Case(
            "node-hook-count",
            _hooked_backward("y", lambda L: lambda gi, go: (gi[0],), "post"),
            RuntimeError,
        ),
        Case(
            "node-hook-list",
            _hooked_backward("y", lambda L: lambda gi, go: list(gi), "post"),
            TypeError,
        ),
        Case(
            "node-hook-shape",
            _hooked_backward("y", lambda L: lambda gi, go: (L.ones(3), None), "post"),
            RuntimeError,
        ),
        Case(
            "node-hook-replaces-None",
            _hooked_backward("y", lambda L: lambda gi, go: (gi[0], L.ones(1)), "post"),
            RuntimeError,
        ),
        # custom Functions whose backward returns the wrong thing
        Case(
            "function-too-many-grads",
            _custom(B.too_many),
            RuntimeError,
        ),
        Case(
            "function-too-few-grads",
            _custom(B.too_few, lambda e: (e.L.ones(2, 3, requires_grad=True),)),
            RuntimeError,
        ),
        Case("function-wrong-shape", _custom(B.wrong_shape), RuntimeError),
        Case("function-float-grad", _custom(B.a_float), RuntimeError),
        # PyTorch names the type with its module (numpy.ndarray).
        Case("function-array-grad", _custom(B.an_array), RuntimeError, TYPE),
        Case("function-list-grad", _custom(B.a_list), RuntimeError),
        Case(
            "function-grad-for-number",
            _custom(B.grad_for_number, lambda e: (2.0,)),
            RuntimeError,
        ),
        Case("function-backward-raises", _custom(B.raises), ValueError),
        Case("function-no-backward", _custom(None), NotImplementedError),
    ]


def _named_hook(L: Any) -> Callable[[Any], Any]:
    def double_the_size(grad: Any) -> Any:
        return L.ones(4, 3)

    return double_the_size


CASES = _device_cases() + _creation_cases() + _op_cases() + _autograd_cases()


def _outcome(lib: Any, case: Case) -> tuple[BaseException | None, Env]:
    env = Env(lib)
    try:
        case.run(env)
    except Exception as exc:  # the exception is the subject of the test
        return exc, env
    return None, env


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_raises_and_changes_nothing(case: Case) -> None:
    exc, env = _outcome(ndgrad, case)
    assert exc is not None, f"{case.id}: no error"
    assert type(exc) is case.exc, f"{case.id}: {type(exc).__name__}: {exc}"
    assert str(exc), "an error must say what is wrong"
    env.assert_unchanged()
    if case.kind == OWN and case.message is not None:
        assert re.search(case.message, str(exc)), str(exc)
    if torch is None or case.kind == OWN:
        return
    texc, _ = _outcome(torch, case)
    assert texc is not None, f"{case.id}: PyTorch accepts this input"
    assert type(texc) is type(exc), f"PyTorch raises {type(texc).__name__}: {texc}"
    if case.kind == EXACT:
        assert str(exc) == str(texc)


def test_case_count() -> None:
    """The number reported in the reliability issue's closing note."""
    assert len(CASES) >= 150


# --- non-tensor arguments to every function that takes only tensors ----------------------------


def _tensor_only_functions() -> list[str]:
    """Public single-input functions (the op modules' __all__) that PyTorch also has."""
    names = set()
    for module in ("unary", "pointwise", "arithmetic"):
        names |= set(importlib.import_module(f"ndgrad.ops.{module}").__all__)
    skip = {"where", "clamp_min", "clamp_max", "clamp", "clip", "lerp", "nan_to_num", "round"}
    out = []
    for name in sorted(names - skip):
        fn = getattr(ndgrad, name, None)
        if fn is None:
            continue
        try:
            fn(ndgrad.ones(2))
        except TypeError:
            continue  # takes more than one argument
        except Exception:  # a one-argument op that refuses this float input is still one
            pass
        out.append(name)
    return out


UNARY = _tensor_only_functions()
BAD_VALUES = {"str": "a", "None": None, "list": [1.0, 2.0], "object": object(), "int": 3}
# ndgrad names the function an alias points at (arccos is acos).
ALIASES = {"arccos": "acos", "arcsin": "asin", "arctan": "atan", "arccosh": "acosh"}
ALIASES |= {"arcsinh": "asinh", "arctanh": "atanh", "fix": "trunc"}


@pytest.mark.parametrize("value", list(BAD_VALUES), ids=list(BAD_VALUES))
@pytest.mark.parametrize("name", UNARY)
def test_function_rejects_a_non_tensor(name: str, value: str) -> None:
    bad = BAD_VALUES[value]
    with pytest.raises(TypeError) as info:
        getattr(ndgrad, name)(bad)
    canonical = ALIASES.get(name, name)
    expected = (
        f"{canonical}(): argument 'input' (position 1) must be Tensor, not {type(bad).__name__}"
    )
    assert str(info.value) == expected
    if torch is not None and hasattr(torch, name):
        with pytest.raises(TypeError) as tinfo:
            getattr(torch, name)(bad)
        assert str(tinfo.value).replace(f"{name}()", f"{canonical}()") == expected


def test_unary_sweep_is_broad() -> None:
    assert len(UNARY) >= 40


# --- "cpu" is accepted wherever a device is taken ------------------------------------------------


CPU_SPELLINGS = ["cpu", "cpu:0", ndgrad.device("cpu"), None]


@pytest.mark.parametrize("dev", CPU_SPELLINGS, ids=["cpu", "cpu:0", "device", "None"])
def test_cpu_is_accepted_everywhere(dev: Any) -> None:
    L = ndgrad
    d = L.ones(2, 3)
    made = [
        L.tensor([1.0], device=dev),
        L.as_tensor([1.0], device=dev),
        L.zeros(2, device=dev),
        L.ones(2, device=dev),
        L.empty(2, device=dev),
        L.full((2,), 1.0, device=dev),
        L.eye(2, device=dev),
        L.arange(3, device=dev),
        L.linspace(0, 1, 3, device=dev),
        L.rand(2, device=dev),
        L.randn(2, device=dev),
        L.randint(0, 3, (2,), device=dev),
        L.zeros_like(d, device=dev),
        L.ones_like(d, device=dev),
        L.full_like(d, 2.0, device=dev),
        L.empty_like(d, device=dev),
        d.to(dev) if dev is not None else d,
        d.to(device=dev),
        L.Tensor([1.0], device=dev),
    ]
    L.Generator(device=dev if dev is not None else "cpu")
    for t in made:
        assert t.device == L.device("cpu") and not t.is_cuda
    assert d.cpu() is d
