"""ndgrad.save / ndgrad.load: round trips, atomic writes, and refusal of bad files."""

from __future__ import annotations

import io
import os
import pickle
import re
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.helpers import assert_close, requires_torch, torch

import ndgrad
import ndgrad.serialization as ser


def _same(a: Any, b: Any) -> None:
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, ndgrad.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        assert np.array_equal(a.numpy(force=True), b.numpy(force=True), equal_nan=True)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b


def test_round_trip_nested(tmp_path: Path) -> None:
    obj = {
        "t": ndgrad.tensor([[1.5, -2.0], [3.0, float("nan")]]),
        "i": ndgrad.arange(5),
        "b": ndgrad.tensor([True, False]),
        "h": ndgrad.zeros(2, dtype=ndgrad.float16),
        "empty": ndgrad.zeros(0, 3),
        "scalar": ndgrad.tensor(2.5, dtype=ndgrad.float64),
        "grad": ndgrad.ones(2, requires_grad=True),
        "param": ndgrad.nn.Parameter(ndgrad.ones(3)),
        "nums": [1, 2.5, float("inf"), -0.0, 10**30, True, None, "text ✓"],
        "tuple": (0.9, 0.999),
        "size": ndgrad.Size([2, 3]),
        "int_keys": {0: "a", 1: {"nested": [ndgrad.ones(1)]}},
        "arr": np.arange(6, dtype=np.int32).reshape(2, 3),
    }
    path = tmp_path / "obj.pt"
    ndgrad.save(obj, path)
    back = ndgrad.load(path)
    _same(obj, back)
    assert isinstance(back["param"], ndgrad.nn.Parameter)
    assert isinstance(back["size"], ndgrad.Size)


def test_shared_tensors_stay_shared(tmp_path: Path) -> None:
    t = ndgrad.ones(3)
    ndgrad.save({"a": t, "b": [t]}, tmp_path / "s")
    back = ndgrad.load(tmp_path / "s")
    assert back["a"] is back["b"][0]


def test_state_dicts_round_trip(tmp_path: Path) -> None:
    model = ndgrad.nn.Sequential(ndgrad.nn.Linear(3, 4), ndgrad.nn.BatchNorm1d(4))
    opt = ndgrad.optim.Adam(model.parameters(), lr=0.01)
    model(ndgrad.randn(5, 3)).sum().backward()
    opt.step()
    ndgrad.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 3}, tmp_path / "c")
    ckpt = ndgrad.load(tmp_path / "c")
    assert isinstance(ckpt["model"], OrderedDict)
    fresh = ndgrad.nn.Sequential(ndgrad.nn.Linear(3, 4), ndgrad.nn.BatchNorm1d(4))
    fresh.load_state_dict(ckpt["model"])
    for a, b in zip(model.state_dict().values(), fresh.state_dict().values(), strict=True):
        assert_close(a, b, rtol=0, atol=0)
    opt2 = ndgrad.optim.Adam(fresh.parameters())
    opt2.load_state_dict(ckpt["opt"])
    assert opt2.param_groups[0]["betas"] == (0.9, 0.999)
    assert_close(opt2.state[fresh[0].weight]["exp_avg"], opt.state[model[0].weight]["exp_avg"])


def test_file_objects() -> None:
    buf = io.BytesIO()
    ndgrad.save([ndgrad.ones(2)], buf)
    buf.seek(0)
    assert ndgrad.load(buf)[0].tolist() == [1.0, 1.0]


def test_refuses_unsupported_objects(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=re.escape("cannot be found by its name (a lambda")):
        ndgrad.save({"f": lambda: 0}, tmp_path / "m")
    with pytest.raises(TypeError, match=re.escape("ndgrad.save stores tensors")):
        ndgrad.save({"b": b"bytes"}, tmp_path / "m")
    assert not os.listdir(tmp_path)


def test_atomic_write_failure_keeps_old_file(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "ckpt.pt"
    ndgrad.save({"version": 1}, path)
    original = path.read_bytes()

    def broken_savez(fh: Any, **arrays: Any) -> None:
        fh.write(b"PK\x03\x04 partial data")  # half a file, then the process "dies"
        raise KeyboardInterrupt

    monkeypatch.setattr(ser.np, "savez", broken_savez)
    with pytest.raises(KeyboardInterrupt):
        ndgrad.save({"version": 2}, path)
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert ndgrad.load(path) == {"version": 1}
    assert os.listdir(tmp_path) == ["ckpt.pt"]  # no temporary file left behind


def test_atomic_write_failed_rename(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "ckpt.pt"
    ndgrad.save([1], path)

    def fail(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ser.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        ndgrad.save([2], path)
    monkeypatch.undo()
    assert ndgrad.load(path) == [1]
    assert os.listdir(tmp_path) == ["ckpt.pt"]


def test_overwrite_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "p"
    ndgrad.save(1, path)
    os.chmod(path, 0o640)
    ndgrad.save(2, path)
    assert ndgrad.load(path) == 2 and (os.stat(path).st_mode & 0o777) == 0o640


def _bad(tmp_path: Path, data: bytes) -> str:
    p = tmp_path / "bad"
    p.write_bytes(data)
    with pytest.raises(RuntimeError) as info:
        ndgrad.load(p)
    assert str(p) in str(info.value) and "is not a valid ndgrad save file" in str(info.value)
    return str(info.value)


class _Evil:
    def __reduce__(self) -> Any:
        return (os.system, ("echo pwned > /dev/null",))


def test_refuses_pickles(tmp_path: Path) -> None:
    msg = _bad(tmp_path, pickle.dumps(_Evil()))
    assert "looks like a pickle" in msg


def test_refuses_truncated(tmp_path: Path) -> None:
    good = tmp_path / "good"
    ndgrad.save({"w": ndgrad.randn(50, 50)}, good)
    data = good.read_bytes()
    for cut in (10, len(data) // 2, len(data) - 10):
        assert "truncated or corrupted" in _bad(tmp_path, data[:cut]) or "array" in _bad(
            tmp_path, data[:cut]
        )
    assert "empty" in _bad(tmp_path, b"")


def test_refuses_foreign_and_hostile_archives(tmp_path: Path) -> None:
    assert "not a zip archive" in _bad(tmp_path, b"hello world")
    # a plain npz without our header
    buf = io.BytesIO()
    np.savez(buf, x=np.ones(2))
    assert "no __ndgrad__ header" in _bad(tmp_path, buf.getvalue())
    # an npz holding an object array (would need pickle to load)
    buf = io.BytesIO()
    header = np.frombuffer(b'{"format": "ndgrad", "version": 1, "root": {"ndarray": 0}}', np.uint8)
    np.savez(buf, __ndgrad__=header, t0=np.array([{"a": 1}], dtype=object))
    assert "t0 cannot be read" in _bad(tmp_path, buf.getvalue())
    # a zip whose header entry holds a pickle
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("__ndgrad__.npy", pickle.dumps(_Evil()))
    assert "malformed header" in _bad(tmp_path, buf.getvalue())
    # malformed structures in a well-formed archive
    for root, why in [
        ('{"format": "other", "version": 1, "root": {"none": null}}', "does not name"),
        ('{"format": "ndgrad", "version": 99, "root": {"none": null}}', "version 99"),
        ('{"format": "ndgrad", "version": 1, "root": {"tensor": 5}}', "missing array 5"),
        ('{"format": "ndgrad", "version": 1, "root": {"eval": "1"}}', "unknown entry 'eval'"),
        ('{"format": "ndgrad", "version": 1, "root": {"int": "1e5"}}', "bad integer"),
        (
            '{"format": "ndgrad", "version": 1, '
            '"root": {"dict": [[{"list": []}, {"none": null}]]}}',
            "unhashable",
        ),
        ("not json", "not valid JSON"),
    ]:
        buf = io.BytesIO()
        np.savez(buf, __ndgrad__=np.frombuffer(root.encode(), np.uint8))
        assert why in _bad(tmp_path, buf.getvalue())


@requires_torch
def test_refuses_torch_files(tmp_path: Path) -> None:
    p = tmp_path / "t.pt"
    torch.save({"w": torch.ones(2)}, p)
    msg = _bad(tmp_path, p.read_bytes())
    assert "no __ndgrad__ header" in msg


def test_error_message_names_file(tmp_path: Path) -> None:
    p = tmp_path / "x"
    p.write_bytes(b"junk")
    with pytest.raises(RuntimeError, match=re.escape(f"{p} is not a valid ndgrad save file")):
        ndgrad.load(str(p))
