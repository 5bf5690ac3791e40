"""Whole-object save/load with PyTorch's safety model: ndgrad.save(model) stores the class name
and state (never a pickle); ndgrad.load rebuilds classes only from the allowlist unless
weights_only=False."""

from __future__ import annotations

import io
import json
import pickle
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import ndgrad
from ndgrad import serialization


def _model() -> ndgrad.nn.Module:
    ndgrad.manual_seed(0)
    return ndgrad.nn.Sequential(ndgrad.nn.Linear(2, 3), ndgrad.nn.ReLU(), ndgrad.nn.Linear(3, 1))


def _saved(obj: object) -> io.BytesIO:
    buf = io.BytesIO()
    ndgrad.save(obj, buf)
    buf.seek(0)
    return buf


def test_whole_model_round_trip_with_weights_only_false() -> None:
    model = _model()
    loaded = ndgrad.load(_saved(model), weights_only=False)
    assert type(loaded) is ndgrad.nn.Sequential and loaded is not model
    x = ndgrad.randn(5, 2)
    assert ndgrad.equal(model(x), loaded(x))
    assert [n for n, _ in loaded.named_parameters()] == [n for n, _ in model.named_parameters()]
    assert all(isinstance(p, ndgrad.nn.Parameter) for p in loaded.parameters())


def test_weights_only_refuses_classes_that_are_not_allowlisted() -> None:
    with pytest.raises(pickle.UnpicklingError) as info:
        ndgrad.load(_saved(_model()))
    text = str(info.value)
    assert text.startswith("Weights only load failed.")
    assert (
        "GLOBAL ndgrad.nn.modules.container.Sequential was not an allowed global by default" in text
    )
    assert "torch.serialization.add_safe_globals([ndgrad.nn.modules.container.Sequential])" in text


def test_safe_globals_context_and_add_safe_globals() -> None:
    classes = [ndgrad.nn.Sequential, ndgrad.nn.Linear, ndgrad.nn.ReLU]
    buf = _saved(_model())
    with serialization.safe_globals(classes):
        assert type(ndgrad.load(buf)) is ndgrad.nn.Sequential
    assert serialization.get_safe_globals() == []
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError):
        ndgrad.load(buf)
    serialization.add_safe_globals(classes)
    try:
        buf.seek(0)
        assert type(ndgrad.load(buf)) is ndgrad.nn.Sequential
        assert set(serialization.get_safe_globals()) == set(classes)
    finally:
        serialization.clear_safe_globals()
    assert serialization.get_safe_globals() == []


def test_containers_of_tensors_arrays_numbers_and_strings_need_no_allowlist(tmp_path: Path) -> None:
    obj = {
        "w": ndgrad.ones(2),
        "a": np.arange(3),
        "n": [1, 2.5, True, None, "s"],
        "od": OrderedDict(x=1),
        "set": {1, 2},
        "dtype": ndgrad.float64,
    }
    ndgrad.save(obj, tmp_path / "c.pt")
    back = ndgrad.load(tmp_path / "c.pt")
    assert back["n"] == [1, 2.5, True, None, "s"] and back["set"] == {1, 2}
    assert back["dtype"] == ndgrad.float64 and isinstance(back["od"], OrderedDict)
    np.testing.assert_array_equal(back["a"], np.arange(3))


def test_shared_and_cyclic_references_are_kept() -> None:
    shared = ndgrad.nn.Linear(2, 2)
    model = ndgrad.nn.Sequential(shared, shared)
    loaded = ndgrad.load(_saved({"m": model, "again": shared}), weights_only=False)
    assert loaded["m"][0] is loaded["m"][1] is loaded["again"]
    assert list(loaded["m"].parameters()) == list(loaded["again"].parameters())


def test_an_allowlisted_load_imports_nothing() -> None:
    buf = _saved(_model())
    # A hostile file names a module that must never be imported: the lookup is by allowlist.
    archive = dict(np.load(buf, allow_pickle=False))
    text = archive["__ndgrad__"].tobytes().decode()
    hostile = text.replace(
        "ndgrad.nn.modules.container:Sequential", "ndgrad_never_imported_module:run"
    )
    archive["__ndgrad__"] = np.frombuffer(hostile.encode(), np.uint8)
    out = io.BytesIO()
    np.savez(out, **archive)
    out.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="ndgrad_never_imported_module.run"):
        ndgrad.load(out)
    assert json.loads(hostile)["version"] == 2


def test_old_files_still_load() -> None:
    buf = _saved({"w": ndgrad.ones(2)})
    archive = np.load(buf, allow_pickle=False)
    assert json.loads(archive["__ndgrad__"].tobytes().decode())["version"] == 1
    buf.seek(0)
    assert ndgrad.load(buf)["w"].tolist() == [1.0, 1.0]
