"""PyTorch's module paths resolve (``torch.nn.modules.linear.Linear``), and whole-object saves
record them, so that allowlists written with those paths work."""

from __future__ import annotations

import importlib
import io
import pickle

import numpy as np
import pytest

import ndgrad
from ndgrad import nn, serialization
from ndgrad.nn import modules

from ..helpers import requires_torch, torch


def test_paths_resolve_by_attribute_and_by_import() -> None:
    from ndgrad.nn.modules.batchnorm import _BatchNorm
    from ndgrad.nn.modules.linear import Linear
    from ndgrad.nn.modules.loss import _Loss, _WeightedLoss

    assert Linear is nn.Linear and ndgrad.nn.modules.linear.Linear is nn.Linear
    assert importlib.import_module("ndgrad.nn.modules.rnn").LSTM is nn.LSTM
    assert nn.modules.transformer.TransformerEncoderLayer is nn.TransformerEncoderLayer
    assert nn.modules.conv.Conv2d is nn.Conv2d and nn.modules.activation.ReLU is nn.ReLU
    assert (
        nn.modules.container.Sequential is nn.Sequential and nn.modules.module.Module is nn.Module
    )
    assert nn.modules.sparse.Embedding is nn.Embedding and nn.modules.Linear is nn.Linear
    assert isinstance(nn.BatchNorm1d(3), _BatchNorm)
    assert isinstance(nn.CrossEntropyLoss(), _WeightedLoss) and isinstance(nn.MSELoss(), _Loss)
    assert "Linear" in dir(nn.modules.linear)


def test_a_name_not_in_that_module_is_missing() -> None:
    with pytest.raises(
        AttributeError, match="'ndgrad.nn.modules.linear' has no attribute 'Conv2d'"
    ):
        nn.modules.linear.Conv2d  # noqa: B018
    with pytest.raises(ImportError):
        from ndgrad.nn.modules.linear import ReLU  # noqa: F401
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("ndgrad.nn.modules.no_such_module")


def test_a_class_added_later_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    # Lookups happen when a name is asked for: a class ndgrad gains later needs no edit here.
    class ChannelShuffle(nn.Module):
        pass

    monkeypatch.setattr(nn, "ChannelShuffle", ChannelShuffle, raising=False)
    assert nn.modules.channelshuffle.ChannelShuffle is ChannelShuffle
    assert modules.pytorch_path(ChannelShuffle) == "ndgrad.nn.modules.channelshuffle:ChannelShuffle"


@requires_torch
def test_every_shared_class_is_where_pytorch_defines_it() -> None:
    checked = 0
    for name in dir(torch.nn):
        cls = getattr(torch.nn, name)
        mod = getattr(cls, "__module__", "")
        if not (isinstance(cls, type) and mod.startswith("torch.nn.modules.")):
            continue
        ours = getattr(nn, name, None)
        if ours is None:
            continue
        alias = importlib.import_module(mod.replace("torch.", "ndgrad.", 1))
        assert getattr(alias, name) is ours, name
        checked += 1
    assert checked > 50


def _model() -> nn.Module:
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.LSTM(3, 2))


def _saved(obj: object) -> io.BytesIO:
    buf = io.BytesIO()
    ndgrad.save(obj, buf)
    buf.seek(0)
    return buf


def test_saves_record_pytorch_paths_and_allowlists_by_those_paths_work() -> None:
    buf = _saved(_model())
    header = np.load(buf, allow_pickle=False)["__ndgrad__"].tobytes().decode()
    for path in ("container:Sequential", "linear:Linear", "activation:ReLU", "rnn:LSTM"):
        assert f'"ndgrad.nn.modules.{path}"' in header
    buf.seek(0)
    missing = pytest.raises(
        pickle.UnpicklingError, match="GLOBAL ndgrad.nn.modules.rnn.LSTM was not"
    )
    with missing, serialization.safe_globals([nn.Sequential, nn.Linear, nn.ReLU]):
        ndgrad.load(buf)
    allow = [
        ndgrad.nn.modules.container.Sequential,
        ndgrad.nn.modules.linear.Linear,
        ndgrad.nn.modules.activation.ReLU,
        ndgrad.nn.modules.rnn.LSTM,
    ]
    buf.seek(0)
    with serialization.safe_globals(allow):
        loaded = ndgrad.load(buf)
    assert [type(m) for m in loaded] == [nn.Linear, nn.ReLU, nn.LSTM]
    buf.seek(0)
    assert type(ndgrad.load(buf, weights_only=False)[2]) is nn.LSTM  # found by its path


def _renamed(buf: io.BytesIO, old: str, new: str) -> io.BytesIO:
    archive = dict(np.load(buf, allow_pickle=False))
    text = archive["__ndgrad__"].tobytes().decode().replace(old, new)
    archive["__ndgrad__"] = np.frombuffer(text.encode(), np.uint8)
    out = io.BytesIO()
    np.savez(out, **archive)
    out.seek(0)
    return out


def test_files_naming_the_defining_modules_still_load() -> None:
    # Files saved before the PyTorch paths named the module where ndgrad defines the class.
    buf = _renamed(
        _saved(nn.Linear(2, 2)), "ndgrad.nn.modules.linear:Linear", "ndgrad.nn.layers:Linear"
    )
    assert "ndgrad.nn.layers:Linear" in np.load(buf)["__ndgrad__"].tobytes().decode()
    buf.seek(0)
    with serialization.safe_globals([nn.Linear]):
        assert type(ndgrad.load(buf)) is nn.Linear
    buf.seek(0)
    assert type(ndgrad.load(buf, weights_only=False)) is nn.Linear


def test_a_hostile_path_under_modules_is_still_refused() -> None:
    # The alias package adds no way around the allowlist: a file naming a function through it
    # (or a module attribute it does not hold) is refused without weights_only=False.
    buf = _renamed(
        _saved(nn.Linear(2, 2)), "ndgrad.nn.modules.linear:Linear", "ndgrad.nn.modules:sys"
    )
    refused = pytest.raises(pickle.UnpicklingError, match="GLOBAL ndgrad.nn.modules.sys was not")
    with serialization.safe_globals([nn.Linear]), refused:
        ndgrad.load(buf)
