"""ndgrad.save / ndgrad.load: tensors and nested containers in a safe, documented npz format.

The file is a numpy ``.npz`` archive (a zip of ``.npy`` arrays): ``t0.npy``, ``t1.npy``... hold
the arrays, and ``__ndgrad__.npy`` holds a UTF-8 JSON header (as a uint8 array) describing the
object tree (see docs/serialization.md). Loading uses ``allow_pickle=False`` and only ever builds
tensors, arrays, numbers, strings, None, lists, tuples and dicts: nothing from the file is
unpickled or executed. Saving to a path is atomic: a temporary file in the same directory is
written, flushed, fsynced and renamed over the target, so an interrupted save leaves the previous
file intact.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from ._tensor import Tensor

__all__ = ["load", "save"]

FORMAT = "ndgrad"
VERSION = 1
HEADER = "__ndgrad__"
_DTYPES = {
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "float16",
    "float32",
    "float64",
}
_MAX_DEPTH = 200


class _Encoder:
    """Walks an object tree, collecting arrays and building the JSON description."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.ids: dict[int, int] = {}
        self.keep: list[Any] = []  # keeps encoded objects alive so their ids stay unique

    def _array(self, obj: Any, data: np.ndarray) -> int:
        key = self.ids.get(id(obj))
        if key is None:
            if data.dtype.name not in _DTYPES:
                raise TypeError(f"ndgrad.save: unsupported dtype {data.dtype}")
            key = self.ids[id(obj)] = len(self.arrays)
            # (np.ascontiguousarray would turn a 0-d array into a 1-d one)
            self.arrays[f"t{key}"] = data if data.flags.c_contiguous else data.copy(order="C")
            self.keep.append(obj)
        return key

    def encode(self, obj: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError("ndgrad.save: object nesting is too deep")
        if isinstance(obj, Tensor):
            from .nn.parameter import Parameter

            node = {"tensor": self._array(obj, obj._data), "requires_grad": obj.requires_grad}
            if isinstance(obj, Parameter):
                node["parameter"] = True
            return node
        if isinstance(obj, np.ndarray):
            return {"ndarray": self._array(obj, obj)}
        if obj is None:
            return {"none": None}
        if isinstance(obj, bool | np.bool_):
            return {"bool": bool(obj)}
        if isinstance(obj, int | np.integer):
            return {"int": str(int(obj))}
        if isinstance(obj, float | np.floating):
            return {"float": repr(float(obj))}
        if isinstance(obj, str):
            return {"str": obj}
        if isinstance(obj, dict):
            items = [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in obj.items()]
            return {"dict": items, "ordered": isinstance(obj, OrderedDict)}
        if isinstance(obj, list):
            return {"list": [self.encode(v, depth + 1) for v in obj]}
        if isinstance(obj, tuple):
            size = type(obj).__name__ == "Size"
            return {"size" if size else "tuple": [self.encode(v, depth + 1) for v in obj]}
        raise TypeError(
            "ndgrad.save stores tensors, numpy arrays, numbers, strings, None and dicts, lists "
            f"and tuples of them; got an object of type {type(obj).__name__}. (To save a "
            "model, save its state_dict().)"
        )


def save(
    obj: Any,
    f: str | os.PathLike[str] | IO[bytes],
    pickle_module: Any = None,
    pickle_protocol: Any = None,
    _use_new_zipfile_serialization: bool = True,
) -> None:
    """Write ``obj`` (tensors, numbers, strings, None and dicts/lists/tuples of them) to ``f``.

    ``f`` is a path (written atomically) or a binary file object.
    """
    encoder = _Encoder()
    root = encoder.encode(obj)
    header = json.dumps({"format": FORMAT, "version": VERSION, "root": root})
    arrays = dict(encoder.arrays)
    arrays[HEADER] = np.frombuffer(header.encode("utf-8"), dtype=np.uint8)
    if hasattr(f, "write"):
        np.savez(f, **arrays)  # type: ignore[arg-type]
        return
    _atomic_write(os.fspath(f), arrays)


def _atomic_write(path: str, arrays: dict[str, np.ndarray]) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.exists(path):
        mode = os.stat(path).st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(
        dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp"
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable; not possible on every platform
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


class _Decoder:
    def __init__(self, archive: Any, name: str) -> None:
        self.archive, self.name = archive, name
        self.cache: dict[int, Any] = {}

    def _bad(self, why: str) -> RuntimeError:
        return RuntimeError(f"{self.name} is not a valid ndgrad save file: {why}")

    def _array(self, key: Any) -> np.ndarray:
        if not isinstance(key, int) or isinstance(key, bool) or f"t{key}" not in self.archive:
            raise self._bad(f"reference to a missing array {key!r}")
        try:
            data = self.archive[f"t{key}"]
        except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as e:
            raise self._bad(f"array t{key} cannot be read ({e})") from None
        if not isinstance(data, np.ndarray) or data.dtype.name not in _DTYPES:
            raise self._bad(f"array t{key} has an unsupported dtype")
        return np.array(data, copy=True) if not data.flags.writeable else data

    def decode(self, node: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise self._bad("nesting is too deep")
        if not isinstance(node, dict) or not node:
            raise self._bad("malformed structure")
        kind = next(iter(node))
        value = node[kind]
        if kind == "tensor":
            if value in self.cache:
                return self.cache[value]
            t = Tensor._make(self._array(value))
            if node.get("parameter") is True:
                from .nn.parameter import Parameter

                t = Parameter(t, bool(node.get("requires_grad", True)))
            elif node.get("requires_grad") is True:
                t.requires_grad_(True)
            self.cache[value] = t
            return t
        if kind == "ndarray":
            return self._array(value)
        if kind == "none" and value is None:
            return None
        if kind == "bool" and isinstance(value, bool):
            return value
        if kind == "int" and isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                raise self._bad(f"bad integer {value!r}") from None
        if kind == "float" and isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise self._bad(f"bad float {value!r}") from None
        if kind == "str" and isinstance(value, str):
            return value
        if kind in ("list", "tuple", "size") and isinstance(value, list):
            items = [self.decode(v, depth + 1) for v in value]
            if kind == "list":
                return items
            if kind == "size":
                from ._tensor import Size

                if not all(isinstance(i, int) for i in items):
                    raise self._bad("a Size must hold integers")
                return Size(items)
            return tuple(items)
        if kind == "dict" and isinstance(value, list):
            out: dict[Any, Any] = OrderedDict() if node.get("ordered") is True else {}
            for pair in value:
                if not isinstance(pair, list) or len(pair) != 2:
                    raise self._bad("malformed dict entry")
                key = self.decode(pair[0], depth + 1)
                try:
                    hash(key)
                except TypeError:
                    raise self._bad("unhashable dict key") from None
                out[key] = self.decode(pair[1], depth + 1)
            return out
        raise self._bad(f"unknown entry {kind!r}")


def load(
    f: str | os.PathLike[str] | IO[bytes],
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: Any = None,
    **pickle_load_args: Any,
) -> Any:
    """Read an object written by ``ndgrad.save``. Never unpickles: other files are refused."""
    if hasattr(f, "read"):
        name = getattr(f, "name", "<file object>")
        raw = f.read()
    else:
        name = os.fspath(f)
        with open(name, "rb") as fh:
            raw = fh.read()
    name = str(name)
    if not raw.startswith(b"PK\x03\x04"):
        if raw[:1] == b"\x80" or raw[:1] in (b"(", b"]", b"}"):
            why = "it looks like a pickle, which ndgrad never loads (it could run code)"
        elif not raw:
            why = "the file is empty"
        else:
            why = "it is not a zip archive written by ndgrad.save"
        raise RuntimeError(f"{name} is not a valid ndgrad save file: {why}")
    try:
        archive = np.load(io.BytesIO(raw), allow_pickle=False)
        header_array = archive[HEADER]
    except KeyError:
        raise RuntimeError(
            f"{name} is not a valid ndgrad save file: it has no {HEADER} header (a foreign zip "
            "or npz file, e.g. one written by torch.save, is not loaded)"
        ) from None
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise RuntimeError(
            f"{name} is not a valid ndgrad save file: it is truncated or corrupted ({e})"
        ) from None
    decoder = _Decoder(archive, name)
    if not isinstance(header_array, np.ndarray) or header_array.dtype != np.uint8:
        raise decoder._bad("malformed header")
    try:
        header = json.loads(header_array.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise decoder._bad("the header is not valid JSON") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise decoder._bad("the header does not name the ndgrad format")
    version = header.get("version")
    if version != VERSION:
        raise decoder._bad(f"format version {version!r} is not supported (expected {VERSION})")
    try:
        return decoder.decode(header.get("root"))
    finally:
        archive.close()
