"""The seed tutorial, end to end: examples/autograd_basics.py prints what PyTorch 2.13 prints.

The stored text (tests/data/seed_expected.txt) was produced by running the same script under
PyTorch 2.13 (``--backend torch``); object addresses are masked.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from .helpers import requires_torch

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "autograd_basics.py"


def _run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=True
    )
    return re.sub(r"0x[0-9a-f]+", "0x...", result.stdout)


def test_output_matches_stored_pytorch_output() -> None:
    expected = (ROOT / "tests" / "data" / "seed_expected.txt").read_text()
    assert _run() == expected


@requires_torch
def test_output_matches_live_pytorch() -> None:
    assert _run() == _run("--backend", "torch")


def test_every_printed_line_of_the_tutorial_appears() -> None:
    # The tutorial's own printed outputs, with PyTorch 2.x node names (AddBackward0, ...).
    out = _run()
    for line in [
        "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)\nNone",
        "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)\n"
        "<AddBackward0 object at 0x...>",
        "True False",
        "tensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>) "
        "tensor(27., grad_fn=<MeanBackward0>)",
        "False\nTrue\n<SumBackward0 object at 0x...>",
        "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])",
        "tensor([[5.5000, 5.5000],\n        [5.5000, 5.5000]])",
        "tensor([[2., 4.],\n        [6., 8.]], grad_fn=<ViewBackward0>)",
        "tensor([2.0000, 0.2000, 0.0200, 0.0020])",
        "tensor(1., grad_fn=<PowBackward0>) True\ntensor(1.) False\n"
        "tensor(2., grad_fn=<AddBackward0>) True",
        "tensor(2.)",
        "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn",
        "tensor([1.])\nFalse",
        "tensor([100.], requires_grad=True)\ntensor([2.])",
    ]:
        assert line in out, line
