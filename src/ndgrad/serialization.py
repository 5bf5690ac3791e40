"""ndgrad.save / ndgrad.load: tensors, containers and whole objects in a safe npz format.

The file is a numpy ``.npz`` archive (a zip of ``.npy`` arrays): ``t0.npy``, ``t1.npy``... hold
the arrays, and ``__ndgrad__.npy`` holds a UTF-8 JSON header (as a uint8 array) describing the
object tree (see docs/serialization.md). Loading uses ``allow_pickle=False`` and only ever builds
tensors, arrays, numbers, strings, None, lists, tuples and dicts: nothing from the file is
unpickled or executed.

Other objects (a whole model: ``ndgrad.save(model, f)``) are stored as their class's name and
their ``__dict__`` (or ``__getstate__()``), also in JSON. PyTorch's safety model applies when
loading them: with ``weights_only=True`` (the default) a class or function named in the file is
used only if the user allowlisted it (``add_safe_globals``, ``safe_globals``); nothing is imported
by name. ``weights_only=False`` imports and rebuilds whatever the file names, which can run code:
only for files from a trusted source.

Saving to a path is atomic: a temporary file in the same directory is written, flushed, fsynced
and renamed over the target, so an interrupted save leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pickle
import sys
import tempfile
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from . import dtypes
from ._namespace import public_dir
from ._tensor import Size, Tensor
from .dtypes import dtype
from .nn.modules import pytorch_path
from .nn.parameter import Parameter

__all__ = [
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "load",
    "safe_globals",
    "save",
]
__dir__ = public_dir(__name__)

FORMAT = "ndgrad"
VERSION = 1
VERSION_OBJECTS = 2  # files holding whole objects (class names and states)
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
        self.objects: dict[int, int] = {}  # id(obj) -> its number, for shared and cyclic refs

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
        if type(obj) in (set, frozenset):
            kind = "set" if type(obj) is set else "frozenset"
            return {kind: [self.encode(v, depth + 1) for v in obj]}
        if isinstance(obj, tuple):
            size = type(obj).__name__ == "Size"
            return {"size" if size else "tuple": [self.encode(v, depth + 1) for v in obj]}

        if isinstance(obj, dtype):
            return {"dtype": obj.np.name}
        if isinstance(obj, type) or (callable(obj) and hasattr(obj, "__qualname__")):
            return {"global": _global_name(obj)}
        return self._object(obj, depth)

    def _object(self, obj: Any, depth: int) -> Any:
        """Any other object: its class and its state, shared references kept shared."""
        number = self.objects.get(id(obj))
        if number is not None:
            return {"ref": number}
        cls = type(obj)
        if cls.__reduce_ex__ is not object.__reduce_ex__ or cls.__reduce__ is not object.__reduce__:
            raise TypeError(_unsupported(obj))  # it pickles itself in its own way
        custom = getattr(cls, "__getstate__", None)
        if custom is not None and custom is not getattr(object, "__getstate__", None):
            state = obj.__getstate__()
        elif hasattr(obj, "__dict__"):
            state = obj.__dict__
        else:
            raise TypeError(_unsupported(obj))
        if isinstance(obj, bytes | bytearray | complex):
            raise TypeError(_unsupported(obj))
        number = self.objects[id(obj)] = len(self.objects)
        self.keep.append(obj)
        name = _global_name(cls)
        return {"object": name, "id": number, "state": self.encode(state, depth + 1)}


def _unsupported(obj: Any) -> str:
    return (
        "ndgrad.save stores tensors, numpy arrays, numbers, strings, None, dicts, lists and "
        "tuples of them, and objects of importable classes with their __dict__; got an object of "
        f"type {type(obj).__name__} that it cannot store"
    )


def _global_name(obj: Any) -> str:
    """``module:qualname`` of a class or function that can be found again by that name; for a
    module class, PyTorch's path (``ndgrad.nn.modules.linear:Linear``, as PyTorch records
    ``torch.nn.modules.linear.Linear``), which stays when ndgrad moves the class."""
    path = pytorch_path(obj)
    return path if path is not None else _defining_name(obj)


def _defining_name(obj: Any) -> str:
    """``module:qualname`` of where ``obj`` is defined, checked to find ``obj`` again."""
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", "")
    found: Any = None
    if isinstance(module, str) and "<" not in qualname:
        found = sys.modules.get(module)
        for part in qualname.split("."):
            found = getattr(found, part, None)
    if found is not obj:
        raise TypeError(
            f"ndgrad.save stores classes and functions by name, and {obj!r} cannot be found by "
            "its name (a lambda or a local definition); save the state_dict() instead"
        )
    return f"{module}:{qualname}"


def save(
    obj: Any,
    f: str | os.PathLike[str] | IO[bytes],
    pickle_module: Any = None,
    pickle_protocol: Any = None,
    _use_new_zipfile_serialization: bool = True,
) -> None:
    """Write ``obj`` to ``f``: tensors, numbers, strings, None, dicts/lists/tuples of them, and
    other objects (a whole model) as their class name and state.

    ``f`` is a path (written atomically) or a binary file object.
    """
    encoder = _Encoder()
    root = encoder.encode(obj)
    version = VERSION_OBJECTS if encoder.objects else VERSION
    header = json.dumps({"format": FORMAT, "version": version, "root": root})
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
    def __init__(self, archive: Any, name: str, weights_only: bool = True) -> None:
        self.archive, self.name = archive, name
        self.cache: dict[int, Any] = {}
        self.weights_only = weights_only
        self.objects: dict[int, Any] = {}

    def _global(self, name: Any) -> Any:
        """The class or function ``module:qualname`` names: from the allowlist only, unless
        weights_only=False (then it is imported, which can run code)."""
        if not isinstance(name, str) or name.count(":") != 1:
            raise self._bad(f"malformed global name {name!r}")
        allowed = _allowed_globals()
        if name in allowed:
            return allowed[name]
        dotted = name.replace(":", ".")
        if self.weights_only:
            raise pickle.UnpicklingError(_WEIGHTS_ONLY_FAILED.format(name=dotted))
        module_name, qualname = name.split(":")
        import importlib

        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
        return found

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
                t = Parameter(t, bool(node.get("requires_grad", True)))
            elif node.get("requires_grad") is True:
                t.requires_grad_(True)
            self.cache[value] = t
            return t
        if kind == "ndarray":
            return self._array(value)
        if kind == "dtype" and isinstance(value, str):
            if value not in _DTYPES:
                raise self._bad(f"unknown dtype {value!r}")
            return dtypes.from_numpy_dtype(np.dtype(value))
        if kind == "global":
            return self._global(value)
        if kind == "ref":
            if value not in self.objects:
                raise self._bad(f"reference to a missing object {value!r}")
            return self.objects[value]
        if kind == "object":
            number = node.get("id")
            if not isinstance(number, int) or number in self.objects:
                raise self._bad("malformed object entry")
            cls = self._global(value)
            if not isinstance(cls, type):
                raise self._bad(f"{value!r} is not a class")
            obj = cls.__new__(cls)  # type: ignore[call-overload]
            self.objects[number] = obj  # before its state: the state may refer back to it
            state = self.decode(node.get("state"), depth + 1)
            if hasattr(obj, "__setstate__") and type(obj).__setstate__ is not getattr(
                object, "__setstate__", None
            ):
                obj.__setstate__(state)
            elif isinstance(state, dict):
                obj.__dict__.update(state)
            else:
                raise self._bad(f"the state of a {value!r} object is not a dict")
            return obj
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
        if kind in ("set", "frozenset") and isinstance(value, list):
            members = [self.decode(v, depth + 1) for v in value]
            try:
                return set(members) if kind == "set" else frozenset(members)
            except TypeError:
                raise self._bad("unhashable set member") from None
        if kind in ("list", "tuple", "size") and isinstance(value, list):
            items = [self.decode(v, depth + 1) for v in value]
            if kind == "list":
                return items
            if kind == "size":
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
    """Read an object written by ``ndgrad.save``. Never unpickles: other files are refused.

    Whole objects (a saved model) are rebuilt only from allowlisted classes unless
    ``weights_only=False`` (PyTorch's default since 2.6 is ``weights_only=True``, as here).
    """
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
    decoder = _Decoder(archive, name, weights_only is not False)
    if not isinstance(header_array, np.ndarray) or header_array.dtype != np.uint8:
        raise decoder._bad("malformed header")
    try:
        header = json.loads(header_array.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise decoder._bad("the header is not valid JSON") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise decoder._bad("the header does not name the ndgrad format")
    version = header.get("version")
    if version not in (VERSION, VERSION_OBJECTS):
        raise decoder._bad(
            f"format version {version!r} is not supported (expected {VERSION} or {VERSION_OBJECTS})"
        )
    try:
        return decoder.decode(header.get("root"))
    finally:
        archive.close()


# --- the allowlist of weights_only loading -------------------------------------------------------
_safe_globals: dict[str, Any] = {}

_WEIGHTS_ONLY_FAILED = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, do "
    "those steps only if you trust the source of the checkpoint. \n\t(1) In PyTorch 2.6, we "
    "changed the default value of the `weights_only` argument in `torch.load` from `False` to "
    "`True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but "
    "it can result in arbitrary code execution. Do it only if you got the file from a trusted "
    "source.\n\t(2) Alternatively, to load with `weights_only=True` please check the "
    "recommended steps in the following error message.\n\tWeightsUnpickler error: Unsupported "
    "global: GLOBAL {name} was not an allowed global by default. Please use "
    "`torch.serialization.add_safe_globals([{name}])` or the "
    "`torch.serialization.safe_globals([{name}])` context manager to allowlist this global if "
    "you trust this class/function."
)


def _allowed_globals() -> dict[str, Any]:
    from collections import OrderedDict as _OrderedDict

    allowed = {_global_name(c): c for c in (Tensor, Parameter, _OrderedDict)}
    allowed.update(_safe_globals)
    return allowed


def _names(globals_list: Any) -> dict[str, Any]:
    out = {}
    for g in globals_list:
        obj = g[0] if isinstance(g, tuple) else g  # PyTorch also takes (obj, "name") pairs
        out[_global_name(obj)] = obj
        with contextlib.suppress(TypeError):  # files saved before the PyTorch paths name this
            out[_defining_name(obj)] = obj
    return out


def add_safe_globals(safe_globals: list[Any]) -> None:
    """Allow ``load(weights_only=True)`` to rebuild these classes and reference these functions."""
    _safe_globals.update(_names(safe_globals))


def get_safe_globals() -> list[Any]:
    """The classes and functions added with ``add_safe_globals``."""
    return list(_safe_globals.values())


def clear_safe_globals() -> None:
    """Forget everything ``add_safe_globals`` allowed."""
    _safe_globals.clear()


class safe_globals:
    """Within ``with safe_globals([...]):``, these are allowlisted as by ``add_safe_globals``."""

    def __init__(self, safe_globals: list[Any]) -> None:
        self.added = _names(safe_globals)

    def __enter__(self) -> None:
        self.saved = dict(_safe_globals)
        _safe_globals.update(self.added)

    def __exit__(self, *exc: Any) -> None:
        _safe_globals.clear()
        _safe_globals.update(self.saved)
