"""The benchmark suite (benchmarks/) computes the same thing in every library, and its runner works.

No timing is asserted here: only that the workloads are comparable and the harness runs.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

from _common import loop_time  # noqa: E402
from workloads import _mlp, deep_chain, transformer  # noqa: E402
from workloads._spec import Target  # noqa: E402

LIBS = [
    lib
    for lib in ("numpy", "ndgrad", "torch", "autograd", "mygrad")
    if lib in ("numpy", "ndgrad") or importlib.util.find_spec(lib) is not None
]


@pytest.mark.parametrize("lib", LIBS)
def test_mlp_step_matches_the_numpy_reference(lib: str) -> None:
    # Same data, same loss, same SGD update: the losses of consecutive steps agree.
    ref = _mlp.make_step("numpy", (16, 8, 4), 6)
    step = _mlp.make_step(lib, (16, 8, 4), 6)
    for _ in range(3):
        np.testing.assert_allclose(step(), ref(), rtol=1e-5)


@pytest.mark.parametrize("lib", LIBS)
def test_deep_chain_runs(lib: str) -> None:
    deep_chain.chain_fn(lib)(50)


@pytest.mark.parametrize("lib", [lib for lib in LIBS if lib in ("ndgrad", "torch")])
def test_transformer_step_trains(lib: str) -> None:
    # A real training step: on its fixed batch, AdamW lowers the loss step after step.
    step = transformer.make_step(importlib.import_module(lib))
    losses = [step() for _ in range(4)]
    assert np.isfinite(losses).all()
    assert losses[-1] < losses[0]


def test_wrapper_floor_computes_the_same_chain() -> None:
    # The check-free wrapper of benchmarks/wrapper_floor.py runs workload 1's chain to numpy's
    # values, so its timing is of the same arithmetic.
    import wrapper_floor
    from workloads.op_overhead import _chain

    x0, a0, b0 = np.linspace(-1, 1, 4), np.full(4, 0.9), np.full(4, 0.1)
    wrap = wrapper_floor._wrap
    bare = _chain(wrap(x0), wrap(a0), wrap(b0), wrapper_floor._bare_tanh)
    np.testing.assert_array_equal(bare._data, _chain(x0, a0, b0, np.tanh))


def test_edge_layout_chains_hold_the_same_edges() -> None:
    # benchmarks/edge_layout.py times three layouts of the same edges: each chain links n nodes
    # through one edge each, with the same four fields.
    import edge_layout

    for build in (edge_layout.chain_tuple, edge_layout.chain_named, edge_layout.chain_slots):
        node, fields = build(5), []
        while node is not None:
            (edge,) = node._edges
            fields.append((edge[0] if isinstance(edge, tuple) else edge.node) is None)
            node = edge[0] if isinstance(edge, tuple) else edge.node
        assert fields == [False] * 4 + [True]


def test_loop_time_times_back_to_back_calls() -> None:
    calls: list[int] = []
    seconds, n = loop_time(lambda: calls.append(1), repeats=3, warmup=2, min_seconds=0.001)
    assert n >= 1
    assert len(calls) == 2 + 3 * n  # warm-up calls (one of them measures N), then 3 repeats of N
    assert seconds >= 0


def test_target_ratio_and_missing_reference() -> None:
    t = Target("x", "ms", "torch", limit=0.8)
    assert t.evaluate({"ndgrad": {"ms": 1.0}, "torch": {"ms": 2.0}}) == (True, "0.50x")
    assert t.evaluate({"ndgrad": {"ms": 3.0}, "torch": {"ms": 2.0}}) == (False, "1.50x")
    assert t.evaluate({"ndgrad": {"ms": 1.0}})[0] is None
    assert t.evaluate({"ndgrad": {"ms": "RecursionError"}, "torch": {"ms": 2.0}})[0] is None


def test_runner_prints_a_table_per_workload(capsys: pytest.CaptureFixture[str]) -> None:
    import run

    argv = ["--quick", "--only", "op_overhead", "--libs", "numpy,ndgrad", "--repeats", "1"]
    assert run.main([*argv, "--no-extras"]) == 0
    out = capsys.readouterr().out
    assert "| numpy (hand-written) |" in out
    assert "| ndgrad |" in out
    assert "no_grad forward <= 2x the bare numpy call" in out


def test_writing_results_keeps_the_random_streams_section(tmp_path: Path) -> None:
    import run
    from _common import RANDOM_HEADER

    results = tmp_path / "RESULTS.md"
    random_part = f"{RANDOM_HEADER}\n\n| sampler | ratio |\n|---|---|\n| rand | 1.0x |"
    results.write_text(f"# old report\n\n## Targets\n\nold\n\n{random_part}\n")
    argv = ["--quick", "--only", "op_overhead", "--libs", "numpy,ndgrad", "--repeats", "1"]
    assert run.main([*argv, "--no-extras", "--write-results", str(results)]) == 0
    text = results.read_text()
    assert "old report" not in text and "## Targets" in text
    assert text.endswith(f"\n\n{random_part}\n")


def test_every_library_gets_the_malloc_thresholds_ndgrad_sets() -> None:
    import run

    from ndgrad import _malloc

    env = run.worker_env(1, {})
    assert env["MALLOC_MMAP_THRESHOLD_"] == str(_malloc.MMAP_THRESHOLD)
    assert env["MALLOC_TRIM_THRESHOLD_"] == str(_malloc.TRIM_THRESHOLD)
