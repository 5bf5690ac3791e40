"""The programs of PyTorch's autograd and torch.func tutorials and of its "Extending PyTorch"
notes, written anew for this file, each run under ndgrad and under PyTorch 2.13: what they print
(tensors, node names, errors) must be the same.

Each program takes the library as ``torch`` and prints; ``_run`` captures the text (object
addresses masked) and, if it raised, the error's type and message. The programs read every name
as an attribute of ``torch`` (``torch.autograd.forward_ad``, ``torch.func.vmap``): a
``from torch.x import y`` in a program run as ``import ndgrad as torch`` imports PyTorch's.

Where ndgrad differs on purpose, the program leaves the difference out and a test below states
ndgrad's behaviour:

- vmap runs ``func`` per index and stacks (docs/func.md): a custom Function's ``vmap``
  staticmethod is not called, and the result's node is StackBackward0, not the Function's.
- ndgrad computes on the CPU only: the model-ensembling tutorial's ``.to('meta')`` is refused.
- a forward-mode tangent is recorded by reverse mode only where its formula uses a tensor that
  requires grad: the tangent of ``linear`` with a dual weight that requires grad has no grad_fn
  here, where PyTorch's formula records an AddBackward0 (same values; it does not depend on the
  weight's primal, so no gradient is lost).
- ``grad_fn._saved_<name>`` exists for the common ops only (see Function._saved_fields), and
  ``_raw_saved_<name>`` not at all.
- The float32 training loops agree to rounding: numpy's sums and elementwise functions are not
  PyTorch's SLEEF/vectorised kernels (docs/random.md), so losses differ in the last bits.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ndgrad

from .helpers import requires_torch, torch

PROGRAMS: list[Callable[[Any], Any]] = []


def program(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    PROGRAMS.append(f)
    return f


# The training loops in float32: their printed numbers are compared to rounding.
FLOAT32_LOOPS = {"legendre", "poly_manual", "poly_nn", "dynamic_net"}


def _run(prog: Callable[[Any], Any], lib: Any) -> str:
    """What ``prog(lib)`` printed, then "ERR type: message" if it raised."""
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (PyTorch's own deprecations inside torch.func)
            prog(lib)
        text = buf.getvalue()
    except Exception as e:  # the error is part of the observed behaviour
        text = buf.getvalue() + f"ERR {type(e).__name__}: {e}"
    return re.sub(r"0x[0-9a-f]+", "0x", text)


_NUMBER = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?")


def _assert_same_text(a: str, b: str, rtol: float, atol: float) -> None:
    """The texts are equal where they hold no decimal number, and their numbers close."""
    assert _NUMBER.split(a) == _NUMBER.split(b), (a, b)
    x = np.array([float(v) for v in _NUMBER.findall(a)])
    y = np.array([float(v) for v in _NUMBER.findall(b)])
    np.testing.assert_allclose(x, y, rtol=rtol, atol=atol)


_EXTENDING = "For more details, please see https://pytorch.org/docs/main/notes/extending.func.html"
_NO_VMAP = (
    "RuntimeError: You tried to vmap over {}, but it does not have vmap support. Please override "
    "and implement the vmap staticmethod or set generate_vmap_rule=True. " + _EXTENDING
)
_NO_SETUP_CONTEXT = (
    "RuntimeError: In order to use an autograd.Function with functorch transforms (vmap, grad, "
    "jvp, jacrev, ...), it must override the setup_context staticmethod. " + _EXTENDING
)
# The programs that end with a custom Function that PyTorch's transforms refuse, and the error.
REFUSED = {
    "mul_constant": _NO_VMAP.format("MulConstant"),
    "mycube": _NO_VMAP.format("MyCube"),
    "classic_under_transform": _NO_SETUP_CONTEXT,
    "classic_under_vmap": _NO_SETUP_CONTEXT,
    "setup_ctx_no_vmap": _NO_VMAP.format("Exp"),
}


# --- Extending torch.autograd and torch.func -----------------------------------------------


@program
def func_refusals(torch):
    def make(vmap=False, generate=False, jvp=False, setup=True):
        if setup:

            class Double(torch.autograd.Function):
                @staticmethod
                def forward(x):
                    return x * 2

                @staticmethod
                def setup_context(ctx, inputs, output):
                    pass

                @staticmethod
                def backward(ctx, g):
                    return g * 2

        else:

            class Double(torch.autograd.Function):
                @staticmethod
                def forward(ctx, x):
                    return x * 2

                @staticmethod
                def backward(ctx, g):
                    return g * 2

        if generate:
            Double.generate_vmap_rule = True
        if vmap:
            Double.vmap = staticmethod(
                lambda info, in_dims, x: (Double.apply(x.movedim(in_dims[0], 0)), 0)
            )
        if jvp:
            Double.jvp = staticmethod(lambda ctx, t: t * 2)
        return Double

    func, ones = torch.func, torch.ones
    cases = {
        "vmap, unbatched input": lambda: torch.vmap(lambda x: make().apply(ones(2)) + x)(
            ones(3, 2)
        ),
        "vmap rule twice": lambda: torch.vmap(make(vmap=True, generate=True).apply)(ones(3, 2)),
        "vmap rule": lambda: torch.vmap(make(vmap=True).apply)(ones(3, 2)),
        "jvp without jvp": lambda: func.jvp(make().apply, (ones(2),), (ones(2),)),
        "jvp": lambda: func.jvp(make(jvp=True).apply, (ones(2),), (ones(2),)),
        "jvp, constant input": lambda: func.jvp(
            lambda x: make().apply(ones(2)) + x, (ones(2),), (ones(2),)
        ),
        "jacfwd": lambda: func.jacfwd(make().apply)(ones(2)),
        "jacfwd without jvp": lambda: func.jacfwd(make(generate=True).apply)(ones(2)),
        "jacfwd with jvp": lambda: func.jacfwd(make(generate=True, jvp=True).apply)(ones(2)),
        "jacrev": lambda: func.jacrev(make().apply)(ones(2)),
        "hessian": lambda: func.hessian(lambda x: make().apply(x).sum())(ones(2)),
        "vjp": lambda: func.vjp(make().apply, ones(2))[1](ones(2)),
        "grad of classic": lambda: func.grad(lambda x: (make(setup=False).apply(x)).sum())(ones(2)),
        "vmap of classic": lambda: torch.vmap(make(setup=False, generate=True).apply)(ones(2)),
        "classic outside": lambda: make(setup=False).apply(ones(2, requires_grad=True)),
        "vmap inside grad": lambda: func.grad(
            lambda x: torch.vmap(make(generate=True).apply)(x).sum()
        )(ones(2, 2)),
    }
    for name, case in cases.items():
        try:
            print(name, case())
        except (RuntimeError, NotImplementedError) as e:
            print(name, type(e).__name__, e)


@program
def linear_function(torch):
    class LinearFunction(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            gi = gw = gb = None
            if ctx.needs_input_grad[0]:
                gi = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                gw = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                gb = grad_output.sum(0)
            return gi, gw, gb

    torch.manual_seed(0)
    x = torch.randn(4, 3, dtype=torch.double, requires_grad=True)
    w = torch.randn(2, 3, dtype=torch.double, requires_grad=True)
    b = torch.randn(2, dtype=torch.double, requires_grad=False)
    out = LinearFunction.apply(x, w, b)
    print(out)
    out.sum().backward()
    print(x.grad, w.grad)
    print(torch.autograd.gradcheck(LinearFunction.apply, (x, w, b), eps=1e-6, atol=1e-4))
    print(torch.autograd.gradcheck(LinearFunction.apply, (x, w)))

    class Linear(torch.nn.Module):
        def __init__(self, i, o):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.empty(o, i).uniform_(-0.1, 0.1))
            self.bias = torch.nn.Parameter(torch.empty(o).uniform_(-0.1, 0.1))

        def forward(self, x):
            return LinearFunction.apply(x, self.weight, self.bias)

        def extra_repr(self):
            return f"in={self.weight.shape[1]}"

    m = Linear(3, 2)
    print(m)
    y = m(torch.ones(2, 3))
    print(y, y.grad_fn, type(y.grad_fn).__name__, y.grad_fn.name())
    return str(y.grad_fn.next_functions)


@program
def mul_constant(torch):
    class MulConstant(torch.autograd.Function):
        @staticmethod
        def forward(tensor, constant):
            return tensor * constant

        @staticmethod
        def setup_context(ctx, inputs, output):
            _tensor, constant = inputs
            ctx.constant = constant

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.constant, None

    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = MulConstant.apply(x, 5.5)
    print(y)
    y.backward(torch.ones(3))
    print(x.grad)
    print(
        torch.autograd.gradcheck(
            MulConstant.apply, (torch.randn(3, dtype=torch.double, requires_grad=True), 2.0)
        )
    )
    z = MulConstant.apply(x, constant=2.0)
    print(z)
    g = torch.func.grad(lambda t: MulConstant.apply(t, 3.0).sum())(x.detach())
    print(g)
    print(torch.vmap(lambda t: MulConstant.apply(t, 3.0))(torch.ones(2, 3)))


@program
def mycube(torch):
    class MyCube(torch.autograd.Function):
        @staticmethod
        def forward(x):
            dx = 3 * x**2
            result = x**3
            return result, dx

        @staticmethod
        def setup_context(ctx, inputs, output):
            (x,) = inputs
            _result, dx = output
            ctx.save_for_backward(x, dx)

        @staticmethod
        def backward(ctx, grad_output, grad_dx):
            x, dx = ctx.saved_tensors
            result = grad_output * dx + grad_dx * 6 * x
            return result

    def my_cube(x):
        result, _ = MyCube.apply(x)
        return result

    x = torch.tensor([0.5, -1.0, 2.0], dtype=torch.double, requires_grad=True)
    y = my_cube(x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    print(g)
    (gg,) = torch.autograd.grad(g.sum(), x)
    print(gg)
    print(torch.autograd.gradcheck(my_cube, (x,)), torch.autograd.gradgradcheck(my_cube, (x,)))
    print(torch.func.grad(torch.func.grad(lambda t: my_cube(t).sum()))(torch.tensor(2.0)))
    print(torch.func.jacrev(my_cube)(torch.tensor([1.0, 2.0])))
    print(torch.func.jacfwd(my_cube)(torch.tensor([1.0, 2.0])))


@program
def classic_under_transform(torch):
    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r

    x = torch.tensor([1.0, 2.0])
    print(Exp.apply(x.requires_grad_()))
    return torch.func.grad(lambda t: Exp.apply(t).sum())(torch.tensor([1.0, 2.0]))


@program
def classic_under_vmap(torch):
    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.exp()

        @staticmethod
        def backward(ctx, g):
            return g

    return torch.vmap(Exp.apply)(torch.ones(2, 3))


@program
def setup_ctx_no_vmap(torch):
    class Exp(torch.autograd.Function):
        @staticmethod
        def forward(x):
            return x.exp()

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(output)

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r

    return torch.vmap(Exp.apply)(torch.ones(2, 3))


@program
def generate_vmap_rule(torch):
    class Exp(torch.autograd.Function):
        generate_vmap_rule = True

        @staticmethod
        def forward(x):
            return x.exp()

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(output)

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r

    a = torch.vmap(Exp.apply)(torch.zeros(2, 3))
    b = torch.vmap(torch.func.grad(lambda t: Exp.apply(t).sum()))(torch.zeros(2, 3))
    return a, b


@program
def vmap_staticmethod(torch):
    import numpy

    class NumpySort(torch.autograd.Function):
        @staticmethod
        def forward(x, dim):
            device = x.device
            x = x.cpu().numpy()
            ind = numpy.argsort(x, axis=dim)
            ind_inv = numpy.argsort(ind, axis=dim)
            result = numpy.take_along_axis(x, ind, axis=dim)
            return (
                torch.tensor(result, device=device),
                torch.tensor(ind, device=device),
                torch.tensor(ind_inv, device=device),
            )

        @staticmethod
        def setup_context(ctx, inputs, output):
            _x, dim = inputs
            _, ind, ind_inv = output
            ctx.mark_non_differentiable(ind, ind_inv)
            ctx.save_for_backward(ind, ind_inv)
            ctx.dim = dim

        @staticmethod
        def backward(ctx, grad_output, _0, _1):
            ind, ind_inv = ctx.saved_tensors
            return NumpyTake.apply(grad_output, ind_inv, ind, ctx.dim), None

        @staticmethod
        def vmap(info, in_dims, x, dim):
            x_bdim, _ = in_dims
            x = x.movedim(x_bdim, 0)
            dim = dim if dim >= 0 else dim + x.dim() - 1
            NumpySort.apply(x, dim + 1)
            return NumpySort.apply(x, dim + 1), (0, 0, 0)

    class NumpyTake(torch.autograd.Function):
        @staticmethod
        def forward(x, ind, ind_inv, dim):
            device = x.device
            x = x.cpu().numpy()
            ind = ind.cpu().numpy()
            return torch.tensor(numpy.take_along_axis(x, ind, dim), device=device)

        @staticmethod
        def setup_context(ctx, inputs, output):
            _x, ind, ind_inv, dim = inputs
            ctx.save_for_backward(ind, ind_inv)
            ctx.dim = dim

        @staticmethod
        def backward(ctx, grad_output):
            ind, ind_inv = ctx.saved_tensors
            result = NumpyTake.apply(grad_output, ind_inv, ind, ctx.dim)
            return result, None, None, None

        @staticmethod
        def vmap(info, in_dims, x, ind, ind_inv, dim):
            x_bdim, ind_bdim, ind_inv_bdim, _ = in_dims
            logical_dim = x.dim() if x_bdim is None else x_bdim - 1
            dim = dim if dim >= 0 else dim + logical_dim

            def maybe_expand_bdim_at_front(x, x_bdim):
                if x_bdim is None:
                    return x.expand(info.batch_size, *x.shape)
                return x.movedim(x_bdim, 0)

            x = maybe_expand_bdim_at_front(x, x_bdim)
            ind = maybe_expand_bdim_at_front(ind, ind_bdim)
            ind_inv = maybe_expand_bdim_at_front(ind_inv, ind_inv_bdim)
            return NumpyTake.apply(x, ind, ind_inv, dim + 1), 0

    x = torch.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], requires_grad=True)
    r = torch.vmap(NumpySort.apply, in_dims=(0, None))(x, 0)
    print(r[0].requires_grad, [t.detach() for t in r])  # grad_fn: see test_vmap_rule_not_used
    g = torch.func.grad(
        lambda t: NumpySort.apply(t, 0)[0].mul(torch.tensor([1.0, 2.0, 3.0])).sum()
    )(torch.tensor([3.0, 1.0, 2.0]))
    print(g)
    print(
        torch.vmap(
            torch.func.grad(
                lambda t: NumpySort.apply(t, 0)[0].mul(torch.tensor([1.0, 2.0, 3.0])).sum()
            )
        )(x.detach())
    )
    s, i, ii = NumpySort.apply(x, 1)
    print(s, i.requires_grad, ii.requires_grad)


@program
def extending_misc(torch):
    once_differentiable = torch.autograd.function.once_differentiable

    class AddInPlace(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.mark_dirty(x)
            return x.add_(y)

        @staticmethod
        def backward(ctx, g):
            return g, g

    a = torch.tensor([1.0, 2.0], requires_grad=True)
    x = a.clone()
    y = torch.tensor([3.0, 4.0], requires_grad=True)
    z = AddInPlace.apply(x, y)
    print(z is x, z, x._version, x.grad_fn)
    (z * z).sum().backward()
    print(a.grad, y.grad)
    try:
        AddInPlace.apply(a, y)
    except Exception as e:
        print(type(e).__name__, e)

    class Split(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x.clone(), x.clone()

        @staticmethod
        def backward(ctx, g1, g2):
            print("grads", g1 is None, g2 is None)
            r = torch.zeros(2) if g1 is None else g1.clone()
            if g2 is not None:
                r = r + 2 * g2
            return r

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    _p, q = Split.apply(x)
    q.sum().backward()
    print(x.grad)

    class Split2(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone(), x.clone()

        @staticmethod
        def backward(ctx, g1, g2):
            print("grads", g1, g2)
            return g1 + 2 * g2

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    _p, q = Split2.apply(x)
    q.sum().backward()
    print(x.grad)

    class Sq(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            print(type(g).__name__, g.requires_grad)
            return 2 * x * g

    x = torch.tensor([1.0, 3.0], requires_grad=True)
    (g,) = torch.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
    print(g, g.requires_grad, g.grad_fn)
    try:
        g.sum().backward()
    except Exception as e:
        print(type(e).__name__, e)

    class Argmax(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax()
            m = x.max()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x, idx)
            return m, idx

        @staticmethod
        def backward(ctx, gm, gi):
            x, idx = ctx.saved_tensors
            print(gi)
            r = torch.zeros_like(x)
            r[idx] = gm
            return r

    x = torch.tensor([1.0, 5.0, 2.0], requires_grad=True)
    m, i = Argmax.apply(x)
    print(m, i, i.requires_grad, i.grad_fn)
    m.backward()
    print(x.grad)


@program
def extending_jvp(torch):
    fwAD = torch.autograd.forward_ad

    class MyExp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            r = x.exp()
            ctx.save_for_backward(r)
            ctx.save_for_forward(r)
            ctx.r = r
            return r

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r

        @staticmethod
        def jvp(ctx, t):
            (r,) = ctx.saved_tensors
            return t * r

    x = torch.tensor([0.0, 1.0], dtype=torch.double)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, torch.tensor([1.0, 2.0], dtype=torch.double))
        out = MyExp.apply(d)
        p, t = fwAD.unpack_dual(out)
        print(p, t)
        print(fwAD.unpack_dual(out).tangent, type(fwAD.unpack_dual(out)).__name__)
    xx = x.clone().requires_grad_()
    print(torch.autograd.gradcheck(MyExp.apply, (xx,), check_forward_ad=True))
    try:
        torch.func.jvp(MyExp.apply, (x,), (torch.ones(2, dtype=torch.double),))
    except RuntimeError as e:
        print(type(e).__name__, e)

    class Mul2(torch.autograd.Function):
        @staticmethod
        def forward(x, y):
            return x * y

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y = inputs
            ctx.save_for_backward(x, y)
            ctx.save_for_forward(x, y)

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x

        @staticmethod
        def jvp(ctx, tx, ty):
            x, y = ctx.saved_tensors
            return tx * y + ty * x

    a = torch.tensor([1.0, 2.0], dtype=torch.double, requires_grad=True)
    b = torch.tensor([3.0, 4.0], dtype=torch.double, requires_grad=True)
    print(torch.autograd.gradcheck(Mul2.apply, (a, b), check_forward_ad=True))
    try:
        torch.func.jacfwd(lambda u: Mul2.apply(u, b.detach()))(a.detach())
    except RuntimeError as e:
        print(type(e).__name__, e)
    Mul2.generate_vmap_rule = True
    print(torch.func.jacfwd(lambda u: Mul2.apply(u, b.detach()))(a.detach()))
    print(
        torch.func.jvp(
            lambda u: Mul2.apply(u, b.detach()), (a.detach(),), (torch.ones(2, dtype=torch.double),)
        )
    )


@program
def legendre(torch):
    import math

    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    torch.manual_seed(0)
    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
    lr = 5e-6
    for t in range(300):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
            c -= lr * c.grad
            d -= lr * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")


@program
def poly_manual(torch):
    import math

    dtype = torch.float
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a = torch.randn((), dtype=dtype, requires_grad=True)
    b = torch.randn((), dtype=dtype, requires_grad=True)
    c = torch.randn((), dtype=dtype, requires_grad=True)
    d = torch.randn((), dtype=dtype, requires_grad=True)
    lr = 1e-6
    for t in range(300):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= lr * p.grad
                p.grad = None
    print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")


@program
def poly_nn(torch):
    import math

    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    print(model)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    for opt_name in ("manual", "RMSprop", "SGD"):
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
        opt = None
        if opt_name == "RMSprop":
            opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
        if opt_name == "SGD":
            opt = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)
        for t in range(200):
            y_pred = model(xx)
            loss = loss_fn(y_pred, y)
            if t % 100 == 99:
                print(opt_name, t, loss.item())
            if opt is None:
                model.zero_grad()
                loss.backward()
                with torch.no_grad():
                    for param in model.parameters():
                        param -= 1e-6 * param.grad
            else:
                opt.zero_grad()
                loss.backward()
                opt.step()
        linear_layer = model[0]
        print(
            f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
            f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3"
        )


@program
def dynamic_net(torch):
    import math
    import random

    class DynamicNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))
            self.e = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for exp in range(4, random.randint(4, 6)):
                y = y + self.e * x**exp
            return y

        def string(self):
            return (
                f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + "
                f"{self.d.item()} x^3 + {self.e.item()} x^4 ? + {self.e.item()} x^5 ?"
            )

    torch.manual_seed(0)
    random.seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = DynamicNet()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    for t in range(300):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if t % 100 == 99:
            print(t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"Result: {model.string()}")
    print(next(iter(model.named_parameters())))


@program
def gentle_intro(torch):
    a = torch.tensor([2.0, 3.0], requires_grad=True)
    b = torch.tensor([6.0, 4.0], requires_grad=True)
    Q = 3 * a**3 - b**2
    print(Q, Q.grad_fn, Q.grad_fn.next_functions)
    Q.backward(gradient=torch.tensor([1.0, 1.0]))
    print(9 * a**2 == a.grad, -2 * b == b.grad)
    x = torch.rand(5, 5)
    y = torch.rand(5, 5)
    z = torch.rand((5, 5), requires_grad=True)
    print((x + y).requires_grad, (x + z).requires_grad)
    model = torch.nn.Linear(3, 2)
    for p in model.parameters():
        p.requires_grad = False
    model.weight.requires_grad_(True)
    print([p.requires_grad for p in model.parameters()])
    fn = Q.grad_fn
    print(fn.name(), [type(n).__name__ if n is not None else None for n, _ in fn.next_functions])
    print(fn.next_functions[0][0].next_functions)
    print(fn.next_functions[0][0].next_functions[0][0].next_functions[0][0].variable is a)


@program
def mechanics_saved(torch):
    torch.manual_seed(0)
    x = torch.randn(5, requires_grad=True)
    y = x.pow(2)
    print(y.grad_fn._saved_self is x, y.grad_fn._saved_exponent)
    z = x.exp()
    print(z.grad_fn._saved_result.equal(z), z.grad_fn._saved_result is z)
    s = x.sin()
    print(
        s.grad_fn._saved_self is x, x.sigmoid().grad_fn._saved_result, (x / 3).grad_fn._saved_other
    )
    w = x * 2.0
    print(w.grad_fn._saved_other, w.grad_fn._saved_self)
    y.sum().backward()
    try:
        print(y.grad_fn._saved_self)
    except Exception as e:
        print(type(e).__name__, e)
    a = torch.ones(3, requires_grad=True)
    b = a.sigmoid()
    b.mul_(2)
    try:
        b.sum().backward()
    except Exception as e:
        print(type(e).__name__, e)
    c = a.clone()
    c.add_(1)
    print(c.grad_fn, c._version)
    d = a.exp()
    d2 = d[0:2]
    d2.mul_(3)
    try:
        d.sum().backward()
    except Exception as e:
        print(type(e).__name__, e)
    print(d.grad_fn, d2.grad_fn)
    try:
        a.add_(1)
    except Exception as e:
        print(type(e).__name__, e)


@program
def saved_hooks(torch):
    calls = []

    def pack(t):
        calls.append(("pack", tuple(t.shape)))
        return t.clone() * 1

    def unpack(t):
        calls.append(("unpack", tuple(t.shape)))
        return t

    a = torch.ones(5, requires_grad=True)
    b = torch.ones(5, requires_grad=True) * 2
    with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = a * b
    y.sum().backward()
    print(calls, a.grad)
    with torch.autograd.graph.save_on_cpu(pin_memory=False):
        z = (a * a).exp()
    z.sum().backward()
    print(a.grad)

    def pack2(x):
        return x.detach() * 0 + 100.0

    with torch.autograd.graph.saved_tensors_hooks(pack2, lambda x: x):
        w = a.pow(2)
    print(w.grad_fn._saved_self)
    w.sum().backward()
    print(a.grad)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
        y = (x**3).sum()
        w = (x * 2).sin().sum()
    for out in (y, w):  # double backward through the unpacked saved inputs
        (g,) = torch.autograd.grad(out, x, create_graph=True)
        print(g, torch.autograd.grad(g.sum(), x))
    with torch.autograd.graph.save_on_cpu():
        y = (x**3).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    print(g, torch.autograd.grad(g.sum(), x))
    with torch.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
        try:
            with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
                pass
        except Exception as e:
            print(type(e).__name__, e)


@program
def hooks(torch):
    torch.manual_seed(0)
    x = torch.randn(3, requires_grad=True)
    y = x * 2
    h = y.register_hook(lambda g: g * 10)
    y.retain_grad()
    z = y.sum()
    z.backward()
    print(x.grad, y.grad, y.is_leaf, y.retains_grad)
    h.remove()
    log = []
    y = x.exp()
    y.grad_fn.register_hook(lambda gi, go: log.append(("hook", len(gi), len(go))))
    y.grad_fn.register_prehook(lambda go: log.append(("pre", go[0].shape)) or (go[0] * 0 + 1,))
    y.sum().backward()
    print(log, x.grad)
    x.register_post_accumulate_grad_hook(lambda p: log.append(("post", p.grad.sum().item())))
    x.sin().sum().backward()
    print(log[-1])
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    ev = []
    model[0].register_forward_pre_hook(lambda m, inp: ev.append(("pre", tuple(inp[0].shape))))
    model[0].register_forward_hook(lambda m, inp, out: ev.append(("fwd", tuple(out.shape))))
    model[2].register_full_backward_hook(
        lambda m, gi, go: ev.append(
            (
                "bwd",
                [None if g is None else tuple(g.shape) for g in gi],
                [tuple(g.shape) for g in go],
            )
        )
    )
    model[1].register_full_backward_pre_hook(
        lambda m, go: ev.append(("bwdpre", tuple(go[0].shape)))
    )
    out = model(torch.randn(2, 3))
    print(out.grad_fn)
    out.sum().backward()
    print(ev)

    def pre(m, args, kwargs):
        return (args[0] * 2,), kwargs

    model[0].register_forward_pre_hook(pre, with_kwargs=True)
    print(model(torch.ones(1, 3)))
    a = torch.ones(2, requires_grad=True)
    b = a * 3
    print(b.grad_fn.next_functions, b.grad_fn.metadata)
    try:
        torch.ones(2).register_hook(lambda g: g)
    except Exception as e:
        print(type(e).__name__, e)


@program
def forward_ad(torch):
    fwAD = torch.autograd.forward_ad
    torch.manual_seed(0)
    primal = torch.randn(10, 10)
    tangent = torch.randn(10, 10)

    def fn(x, y):
        return x**2 + y**2

    with fwAD.dual_level():
        dual_input = fwAD.make_dual(primal, tangent)
        assert fwAD.unpack_dual(dual_input).tangent is tangent
        dual_input_alt = fwAD.make_dual(primal, tangent.T)
        assert fwAD.unpack_dual(dual_input_alt).tangent is not tangent
        plain_tensor = torch.randn(10, 10)
        dual_output = fn(dual_input, plain_tensor)
        jvp = fwAD.unpack_dual(dual_output).tangent
        print(jvp[0, :4], fwAD.unpack_dual(dual_output).tangent is None)
        print(dual_output.grad_fn, dual_input)
    print(fwAD.unpack_dual(dual_output).tangent)
    model = torch.nn.Linear(5, 5)
    input = torch.randn(16, 5)
    params = {name: p for name, p in model.named_parameters()}
    tangents = {name: torch.rand_like(p) for name, p in params.items()}
    with fwAD.dual_level():
        for name, p in params.items():
            delattr(model, name)
            setattr(model, name, fwAD.make_dual(p, tangents[name]))
        out = model(input)
        jvp = fwAD.unpack_dual(out).tangent
    print(jvp[0].detach())  # see test_tangents_carry_no_reverse_graph
    model = torch.nn.Linear(5, 5)
    dual_params = {}
    with fwAD.dual_level():
        for name, p in params.items():
            dual_params[name] = fwAD.make_dual(p, tangents[name])
        out = torch.func.functional_call(model, dual_params, input)
        jvp2 = fwAD.unpack_dual(out).tangent
    print(jvp2[0].detach(), torch.allclose(jvp, jvp2))

    class Fn(torch.autograd.Function):
        @staticmethod
        def forward(ctx, foo):
            result = torch.exp(foo)
            ctx.result = result
            return result

        @staticmethod
        def jvp(ctx, gI):
            gO = gI * ctx.result
            del ctx.result
            return gO

    fn = Fn.apply
    primal = torch.randn(10, 10, dtype=torch.double, requires_grad=True)
    tangent = torch.randn(10, 10)
    with fwAD.dual_level():
        dual_input = fwAD.make_dual(primal, tangent)
        dual_output = fn(dual_input)
        jvp = fwAD.unpack_dual(dual_output).tangent
    print(jvp[0, :3].detach())
    print(
        torch.autograd.gradcheck(
            Fn.apply,
            (primal,),
            check_forward_ad=True,
            check_backward_ad=False,
            check_undefined_grad=False,
            check_batched_grad=False,
        )
    )
    from functools import partial

    def fn2(x, y):
        return x**2 + y**2

    x = torch.randn(3)
    t = torch.ones(3)
    print(torch.func.jvp(partial(fn2, y=torch.ones(3)), (x,), (t,)))
    with fwAD.dual_level():
        try:
            fwAD.make_dual(torch.ones(2), torch.ones(3))
        except Exception as e:
            print(type(e).__name__, e)


@program
def jacobians(torch):
    from functools import partial

    jacrev, jacfwd, vmap, vjp, jvp, hessian = (
        torch.func.jacrev,
        torch.func.jacfwd,
        torch.func.vmap,
        torch.func.vjp,
        torch.func.jvp,
        torch.func.hessian,
    )
    torch.manual_seed(0)

    def predict(weight, bias, x):
        return torch.nn.functional.linear(x, weight, bias).tanh()

    D = 16
    weight = torch.randn(D, D)
    bias = torch.randn(D)
    x = torch.randn(D)

    def compute_jac(xp):
        jacobian_rows = [
            torch.autograd.grad(predict(weight, bias, xp), xp, vec)[0] for vec in unit_vectors
        ]
        return torch.stack(jacobian_rows)

    xp = x.clone().requires_grad_()
    unit_vectors = torch.eye(D)
    jacobian = compute_jac(xp)
    print(jacobian.shape, jacobian[0][:4])
    _, vjp_fn = vjp(partial(predict, weight, bias), x)
    (ft_jacobian,) = vmap(vjp_fn)(unit_vectors)
    print(torch.allclose(ft_jacobian, jacobian))
    ft_jacobian = jacrev(predict, argnums=2)(weight, bias, x)
    print(torch.allclose(ft_jacobian, jacobian))
    ft_jac_weight, ft_jac_bias = jacrev(predict, argnums=(0, 1))(weight, bias, x)
    print(ft_jac_weight.shape, ft_jac_bias.shape, ft_jac_bias[0][:3])
    jf = jacfwd(predict, argnums=2)(weight, bias, x)
    print(torch.allclose(jf, jacobian, atol=1e-6))
    hess_api = hessian(predict, argnums=2)(weight, bias, x)
    hess_fwdfwd = jacfwd(jacfwd(predict, argnums=2), argnums=2)(weight, bias, x)
    hess_revrev = jacrev(jacrev(predict, argnums=2), argnums=2)(weight, bias, x)
    print(
        hess_api.shape,
        torch.allclose(hess_api, hess_fwdfwd, atol=1e-6),
        torch.allclose(hess_api, hess_revrev, atol=1e-6),
    )
    print(hess_api[0, 0, :4])
    batch_size = 4
    xb = torch.randn(batch_size, D)
    compute_batch_jacobian = vmap(jacrev(predict, argnums=2), in_dims=(None, None, 0))
    bj = compute_batch_jacobian(weight, bias, xb)
    print(bj.shape)

    def predict_with_output_summed(weight, bias, x):
        return predict(weight, bias, x).sum(0)

    bj2 = jacrev(predict_with_output_summed, argnums=2)(weight, bias, xb).movedim(1, 0)
    print(torch.allclose(bj, bj2, atol=1e-6))
    bh = vmap(hessian(predict, argnums=2), in_dims=(None, None, 0))(weight, bias, xb)
    print(bh.shape)

    def hvp(f, primals, tangents):
        return jvp(torch.func.grad(f), primals, tangents)[1]

    def f(x):
        return x.sin().sum()

    x2 = torch.randn(2048)
    tangent = torch.randn(2048)
    result = hvp(f, (x2,), (tangent,))
    print(torch.allclose(result, -x2.sin() * tangent, atol=1e-6))
    j, aux = jacrev(lambda x: (x.sin(), x.cos()), has_aux=True)(torch.ones(2))
    print(j, aux)
    print(vmap(torch.dot, in_dims=(0, None))(torch.ones(3, 2), torch.ones(2)))
    print(vmap(lambda a: a * 2, out_dims=1)(torch.arange(6.0).view(3, 2)))
    print(vmap(lambda a: a.sum(), chunk_size=2)(torch.arange(6.0).view(3, 2)))
    print(torch.func.jacrev(lambda x: x**2, chunk_size=1)(torch.tensor([1.0, 2.0])))
    print(torch.autograd.functional.jacobian(lambda x: x**2, torch.tensor([1.0, 2.0])))
    print(
        torch.autograd.functional.hvp(
            lambda x: (x**3).sum(), torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0])
        )
    )
    print(
        torch.autograd.functional.vhp(
            lambda x: (x**3).sum(), torch.tensor([1.0, 2.0]), torch.tensor([1.0, 1.0])
        )
    )


@program
def per_sample_grads(torch):

    nn, F = torch.nn, torch.nn.functional
    torch.manual_seed(0)

    class SimpleCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, 1)
            self.conv2 = nn.Conv2d(4, 8, 3, 1)
            self.fc1 = nn.Linear(8 * 2 * 2, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    def loss_fn(predictions, targets):
        return F.nll_loss(predictions, targets)

    batch_size = 8
    data = torch.randn(batch_size, 1, 8, 8)
    targets = torch.randint(10, (batch_size,))
    model = SimpleCNN()

    def compute_grad(sample, target):
        sample = sample.unsqueeze(0)
        target = target.unsqueeze(0)
        prediction = model(sample)
        loss = loss_fn(prediction, target)
        return torch.autograd.grad(loss, list(model.parameters()))

    def compute_sample_grads(data, targets):
        sample_grads = [compute_grad(data[i], targets[i]) for i in range(batch_size)]
        sample_grads = zip(*sample_grads, strict=False)
        return [torch.stack(shards) for shards in sample_grads]

    per_sample_grads = compute_sample_grads(data, targets)
    print(per_sample_grads[1].shape, per_sample_grads[1][0][:4])
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def compute_loss(params, buffers, sample, target):
        batch = sample.unsqueeze(0)
        targets = target.unsqueeze(0)
        predictions = torch.func.functional_call(model, (params, buffers), (batch,))
        return loss_fn(predictions, targets)

    ft_compute_grad = torch.func.grad(compute_loss)
    ft_compute_sample_grad = torch.func.vmap(ft_compute_grad, in_dims=(None, None, 0, 0))
    ft = ft_compute_sample_grad(params, buffers, data, targets)
    for per_sample_grad, ft_per_sample_grad in zip(per_sample_grads, ft.values(), strict=False):
        assert torch.allclose(per_sample_grad, ft_per_sample_grad, atol=3e-3, rtol=1e-5)
    print(list(ft.keys()), ft["fc2.bias"][0])
    print(type(ft).__name__)


@program
def ensembling(torch):
    import copy

    nn, F = torch.nn, torch.nn.functional
    torch.manual_seed(0)

    class SimpleMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(16, 32)
            self.fc2 = nn.Linear(32, 16)
            self.fc3 = nn.Linear(16, 10)

        def forward(self, x):
            x = x.flatten(1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    num_models = 3
    data = torch.randn(num_models, 5, 4, 4)
    models = [SimpleMLP() for _ in range(num_models)]
    minibatches = data
    predictions_diff_minibatch_loop = [
        model(minibatch) for model, minibatch in zip(models, minibatches, strict=False)
    ]
    minibatch = data[0]
    predictions2 = [model(minibatch) for model in models]
    params, buffers = torch.func.stack_module_state(models)
    print({k: tuple(v.shape) for k, v in params.items()}, buffers)
    print(params["fc1.weight"].requires_grad, params["fc1.weight"].is_leaf)
    base_model = copy.deepcopy(models[0])
    base_model = base_model.to("cpu")  # the tutorial's 'meta': see test_meta_device_refused
    print(base_model.fc1.weight.device, base_model.fc1.weight.shape)

    def fmodel(params, buffers, x):
        return torch.func.functional_call(base_model, (params, buffers), (x,))

    print(minibatches[0].shape)
    predictions1_vmap = torch.vmap(fmodel)(params, buffers, minibatches)
    print(
        torch.allclose(
            predictions1_vmap, torch.stack(predictions_diff_minibatch_loop), atol=1e-3, rtol=1e-5
        )
    )
    predictions2_vmap = torch.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, minibatch)
    print(torch.allclose(predictions2_vmap, torch.stack(predictions2), atol=1e-3, rtol=1e-5))
    print(predictions2_vmap.shape, predictions2_vmap[0, 0, :3])
    print(predictions2_vmap.grad_fn is not None)
    base2 = copy.deepcopy(models[0])
    print(
        torch.vmap(
            lambda p, b, x: torch.func.functional_call(base2, (p, b), (x,)), in_dims=(0, 0, None)
        )(params, buffers, minibatch)[1, 2, :3]
    )


@program
def ntk(torch):
    nn, _F = torch.nn, torch.nn.functional
    functional_call, vmap, vjp, jvp, jacrev = (
        torch.func.functional_call,
        torch.func.vmap,
        torch.func.vjp,
        torch.func.jvp,
        torch.func.jacrev,
    )
    torch.manual_seed(0)

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 4, (3, 3))
            self.conv2 = nn.Conv2d(4, 4, (3, 3))
            self.fc = nn.Linear(4, 5)

        def forward(self, x):
            x = self.conv1(x)
            x = x.relu()
            x = self.conv2(x)
            x = x.relu()
            x = x.mean(dim=(-2, -1))
            x = self.fc(x)
            return x

    x_train = torch.randn(5, 3, 6, 6)
    x_test = torch.randn(3, 3, 6, 6)
    net = CNN()
    params = {k: v.detach() for k, v in net.named_parameters()}

    def fnet_single(params, x):
        return functional_call(net, params, (x.unsqueeze(0),)).squeeze(0)

    def empirical_ntk_jacobian_contraction(fnet_single, params, x1, x2, compute="full"):
        jac1 = vmap(jacrev(fnet_single), (None, 0))(params, x1)
        jac1 = jac1.values()
        jac1 = [j.flatten(2) for j in jac1]
        jac2 = vmap(jacrev(fnet_single), (None, 0))(params, x2)
        jac2 = jac2.values()
        jac2 = [j.flatten(2) for j in jac2]
        einsum_expr = {"full": "Naf,Mbf->NMab", "trace": "Naf,Maf->NM", "diagonal": "Naf,Maf->NMa"}[
            compute
        ]
        pairs = zip(jac1, jac2, strict=True)
        result = torch.stack([torch.einsum(einsum_expr, j1, j2) for j1, j2 in pairs])
        return result.sum(0)

    result = empirical_ntk_jacobian_contraction(fnet_single, params, x_train, x_test)
    print(result.shape, result[0, 0, 0, :3])
    result_t = empirical_ntk_jacobian_contraction(fnet_single, params, x_train, x_test, "trace")
    print(result_t.shape, result_t[0, :3])

    def empirical_ntk_ntk_vps(func, params, x1, x2, compute="full"):
        def get_ntk(x1, x2):
            def func_x1(params):
                return func(params, x1)

            def func_x2(params):
                return func(params, x2)

            output, vjp_fn = vjp(func_x1, params)

            def get_ntk_slice(vec):
                vjps = vjp_fn(vec)
                _, jvps = jvp(func_x2, (params,), vjps)
                return jvps

            basis = torch.eye(output.numel(), dtype=output.dtype, device=output.device).view(
                output.numel(), -1
            )
            return vmap(get_ntk_slice)(basis)

        result = vmap(vmap(get_ntk, (None, 0)), (0, None))(x1, x2)
        if compute == "trace":
            return torch.einsum("NMKK->NM", result)
        return result

    result_from_ntk_vps = empirical_ntk_ntk_vps(fnet_single, params, x_train, x_test)
    print(torch.allclose(result, result_from_ntk_vps, atol=1e-5))


# --- the comparisons -----------------------------------------------------------------------


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p.__name__)
def test_program_runs_under_ndgrad(prog: Callable[[Any], Any]) -> None:
    text = "\n" + _run(prog, ndgrad)
    refusal = REFUSED.get(prog.__name__)
    if refusal is None:
        assert "\nERR " not in text
    else:  # it ends where PyTorch refuses, with PyTorch's error
        assert text.split("\nERR ")[1] == refusal


@requires_torch
@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p.__name__)
def test_program_prints_what_pytorch_prints(prog: Callable[[Any], Any]) -> None:
    ours, theirs = _run(prog, ndgrad), _run(prog, torch)
    if prog.__name__ in FLOAT32_LOOPS:
        _assert_same_text(ours, theirs, rtol=1e-4, atol=1e-6)
    else:
        assert ours == theirs


# --- ndgrad's side of the fixes, without PyTorch ---------------------------------------------


def test_numpy_of_a_tensor_that_requires_grad_under_no_grad() -> None:
    x = ndgrad.ones(2, requires_grad=True)
    with ndgrad.no_grad():
        assert x.numpy().tolist() == [1.0, 1.0] and np.asarray(x).tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="Can't call numpy"):
        x.numpy()


def test_transforms_refuse_what_pytorch_refuses() -> None:
    text = _run(func_refusals, ndgrad)
    assert "vmap, unbatched input " + _NO_VMAP.format("Double").replace(": ", " ", 1) in text
    assert "grad of classic " + _NO_SETUP_CONTEXT.replace(": ", " ", 1) in text
    assert "jvp without jvp NotImplementedError You must implement the jvp function" in text
    assert "jacrev tensor([[2., 0.]," in text


def test_saved_values_by_pytorch_names() -> None:
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.pow(2)
    assert y.grad_fn._saved_self is x and y.grad_fn._saved_exponent == 2
    z = x.exp()
    assert z.grad_fn._saved_result.grad_fn is z.grad_fn
    other = (x * 2.0).grad_fn._saved_other
    assert repr(other) == "tensor(2., dtype=torch.float64)"
    with pytest.raises(AttributeError, match="'ExpBackward0' object has no attribute '_saved_x'"):
        _ = z.grad_fn._saved_x


def test_double_backward_through_saved_tensor_hooks() -> None:
    x = ndgrad.tensor([1.0, 2.0], dtype=ndgrad.float64, requires_grad=True)
    with ndgrad.autograd.graph.saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
        y = (x**3).sum()
        w = (x * 2).sin().sum()
    (g,) = ndgrad.autograd.grad(y, x, create_graph=True)
    assert ndgrad.autograd.grad(g.sum(), x)[0].tolist() == [6.0, 12.0]
    (g,) = ndgrad.autograd.grad(w, x, create_graph=True)
    second = ndgrad.autograd.grad(g.sum(), x)[0].numpy()
    np.testing.assert_allclose(second, -4 * np.sin(2 * np.array([1.0, 2.0])), rtol=1e-12)


def test_gradcheck_forward_ad_and_jvp_ctx() -> None:
    class Exp(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.result = x.exp()
            return ctx.result

        @staticmethod
        def backward(ctx, g):
            raise AssertionError("check_backward_ad=False runs no backward")

        @staticmethod
        def jvp(ctx, t):
            result = ctx.result
            del ctx.result
            return t * result

    x = ndgrad.tensor([0.5, -1.0], dtype=ndgrad.float64, requires_grad=True)
    gradcheck = ndgrad.autograd.gradcheck
    assert gradcheck(Exp.apply, (x,), check_forward_ad=True, check_backward_ad=False)

    class Wrong(Exp):
        @staticmethod
        def jvp(ctx, t):
            return 2 * t * ctx.result

    with pytest.raises(RuntimeError, match="Jacobian computed with forward mode mismatch"):
        gradcheck(Wrong.apply, (x,), check_forward_ad=True, check_backward_ad=False)


def test_dual_tensor_prints_its_tangent() -> None:
    fwad = ndgrad.autograd.forward_ad
    with fwad.dual_level():
        dual = fwad.make_dual(ndgrad.ones(2), ndgrad.tensor([1.0, 2.0]))
        assert repr(dual * 2) == "tensor([2., 2.], tangent=tensor([2., 4.]))"
        assert repr(fwad.unpack_dual(dual).primal) == "tensor([1., 1.])"


# --- the documented differences --------------------------------------------------------------


def _sort_with_vmap_rule() -> Any:
    class Sort(ndgrad.autograd.Function):
        @staticmethod
        def forward(x):
            return x.sort().values

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, g):
            raise NotImplementedError

        @staticmethod
        def vmap(info, in_dims, x):
            raise AssertionError("ndgrad's vmap does not call it")

    return Sort


def test_vmap_rule_not_used() -> None:
    # PyTorch calls the vmap staticmethod once and the result's node is SortBackward; ndgrad
    # runs forward per index and stacks.
    x = ndgrad.tensor([[3.0, 1.0], [0.0, 5.0]], requires_grad=True)
    out = ndgrad.vmap(_sort_with_vmap_rule().apply)(x)
    assert out.tolist() == [[1.0, 3.0], [0.0, 5.0]]
    assert out.grad_fn.name() == "StackBackward0"


def test_meta_device_refused() -> None:
    with pytest.raises(RuntimeError, match="ndgrad computes on the CPU only; device 'meta'"):
        ndgrad.nn.Linear(2, 2).to("meta")


def test_tangents_carry_no_reverse_graph() -> None:
    # PyTorch's tangent here has grad_fn=<AddBackward0>.
    fwad = ndgrad.autograd.forward_ad
    w = ndgrad.ones(2, 2, requires_grad=True)
    with fwad.dual_level():
        dual = fwad.make_dual(w, ndgrad.ones(2, 2))
        out = ndgrad.nn.functional.linear(ndgrad.ones(1, 2), dual)
        tangent = fwad.unpack_dual(out).tangent
    assert tangent.tolist() == [[2.0, 2.0]] and tangent.grad_fn is None
