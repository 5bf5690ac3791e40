"""The seed tutorial (PyTorch autograd: gradients and backpropagation), run end to end.

Every snippet of the tutorial in order. Run it as written to use ndgrad, or with
``--backend torch`` to run the very same code under PyTorch and compare the printouts (they are
identical but for object addresses).
"""

import argparse
import importlib

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--backend", choices=["ndgrad", "torch"], default="ndgrad")
args = parser.parse_args()
torch = importlib.import_module(args.backend)


def section(title):
    print(f"\n# {title}")


section("Creating a tensor that requires grad")
x = torch.ones(2, 2, requires_grad=True)
print(x)
print(x.grad_fn)

section("An operation records its grad_fn")
y = x + 2
print(y)
print(y.grad_fn)

section("Leaves")
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
print(x.is_leaf, y.is_leaf)  # True False

section("More operations")
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
print(z, out)

section("requires_grad_() changes the flag in place")
a = torch.randn(2, 2)  # requires_grad is False by default
a = (a * 3) / (a - 1)
print(a.requires_grad)  # False
a.requires_grad_(True)
print(a.requires_grad)  # True
b = (a * a).sum()
print(b.grad_fn)

section("Backward from a scalar")
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward()  # the same as out.backward(torch.tensor(1.))
print(x.grad)

section("Gradients accumulate")
out2 = x.sum()
out2.backward()
print(x.grad)

out3 = x.sum()
x.grad.data.zero_()
out3.backward()
print(x.grad)

section("A non-scalar output needs a weight tensor: backward(v)")
x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
y = 2 * x
z = y.view(2, 2)
print(z)

v = torch.tensor([[1.0, 0.1], [0.01, 0.001]], dtype=torch.float)
z.backward(v)
print(x.grad)

section("Stopping gradient tracking with no_grad")
x = torch.tensor(1.0, requires_grad=True)
y1 = x**2
with torch.no_grad():
    y2 = x**3
y3 = y1 + y2

print(x.requires_grad)
print(y1, y1.requires_grad)  # True
print(y2, y2.requires_grad)  # False
print(y3, y3.requires_grad)  # True

y3.backward()
print(x.grad)

section("y2 does not require grad, so y2.backward() is an error")
try:
    y2.backward()
except RuntimeError as error:
    print(f"RuntimeError: {error}")

section("Changing values through .data, outside the graph")
x = torch.ones(1, requires_grad=True)

print(x.data)  # still a tensor
print(x.data.requires_grad)  # but outside the graph

y = 2 * x
x.data *= 100  # changes the values only; not recorded, so the gradient is unaffected

y.backward()
print(x)  # changing .data changes the tensor's values too
print(x.grad)
