"""See the graph: draw the backward graph of a small model and trace one backward pass.

    python examples/see_the_graph.py [output directory]

Writes ``mlp.dot`` (and ``mlp.svg`` / ``mlp.png`` when the graphviz package and Graphviz's
``dot`` program are installed) into the output directory (default: ``see_the_graph_output``),
then prints the backward trace: every node in the order backward ran it, with the shapes and
the statistics of the gradient it received.
"""

from __future__ import annotations

import os
import sys

import ndgrad
from ndgrad import viz


def make_model(seed: int = 0) -> dict[str, ndgrad.Tensor]:
    """A two-layer perceptron, 3 -> 4 -> 1, as a dict of named parameters."""
    ndgrad.manual_seed(seed)
    return {
        "w1": (ndgrad.randn(3, 4) * 0.5).requires_grad_(),
        "b1": ndgrad.zeros(4, requires_grad=True),
        "w2": (ndgrad.randn(4, 1) * 0.5).requires_grad_(),
        "b2": ndgrad.zeros(1, requires_grad=True),
    }


def forward(params: dict[str, ndgrad.Tensor], x: ndgrad.Tensor) -> ndgrad.Tensor:
    hidden = (x @ params["w1"] + params["b1"]).tanh()
    return hidden @ params["w2"] + params["b2"]


def main(out_dir: str = "see_the_graph_output") -> ndgrad.autograd.Tracer:
    os.makedirs(out_dir, exist_ok=True)
    params = make_model()
    x = ndgrad.randn(8, 3)
    target = x.sum(dim=1, keepdim=True).tanh()
    loss = ((forward(params, x) - target) ** 2).mean()

    dot_path = os.path.join(out_dir, "mlp.dot")
    with open(dot_path, "w") as f:
        f.write(viz.to_dot(loss, params=params, show_saved=True))
    print(f"wrote {dot_path}")
    for fmt in ("svg", "png"):
        try:
            path = viz.render(loss, os.path.join(out_dir, f"mlp.{fmt}"), params=params)
            print(f"wrote {path}")
        except (ImportError, RuntimeError) as exc:
            print(f"skipped mlp.{fmt}: {exc}")
            break

    with ndgrad.autograd.trace(params=params) as t:
        loss.backward()
    print(f"\nloss = {loss.item():.4f}; backward trace:\n")
    print(t)
    return t


if __name__ == "__main__":
    main(*sys.argv[1:2])
