"""Smoke test: the digits examples run (one epoch) and end with their accuracy line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mlp_digits", "cnn_digits"])
def test_example_runs(name: str, tmp_path: Path) -> None:
    for module in ("sklearn", "tqdm", "matplotlib"):
        pytest.importorskip(module)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    plot = tmp_path / "plot.png"
    cmd = [
        sys.executable,
        str(ROOT / "examples" / f"{name}.py"),
        "--epochs",
        "1",
        "--no-progress",
        "--plot",
        str(plot),
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, timeout=300)
    last = out.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r"test accuracy: (0\.[0-9]{4}|1\.0000)", last)
    assert match is not None, out.stdout
    assert float(match.group(1)) > 0.5  # one epoch already learns something
    assert plot.stat().st_size > 0


@pytest.mark.slow
def test_char_gpt_runs(tmp_path: Path) -> None:
    for module in ("tqdm", "matplotlib"):
        pytest.importorskip(module)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    plot = tmp_path / "plot.png"
    cmd = [
        sys.executable,
        str(ROOT / "examples" / "char_gpt.py"),
        "--steps", "30", "--eval-every", "15", "--eval-batches", "2", "--sample-chars", "20",
        "--no-progress", "--plot", str(plot),
    ]  # fmt: skip
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, timeout=600)
    last = out.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r"val loss: ([0-9.]+)", last)
    assert match is not None, out.stdout
    assert float(match.group(1)) < 4.0  # below the uniform guess, log(96) = 4.56
    assert plot.stat().st_size > 0
