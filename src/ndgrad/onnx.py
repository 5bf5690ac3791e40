"""ndgrad.onnx: importable so that scripts load, but ndgrad cannot export ONNX graphs.

``torch.onnx.export`` traces a model into an ONNX file; ndgrad records no exportable graph, so
calling it raises NotImplementedError with that reason.
"""

from __future__ import annotations

from typing import Any, NoReturn

from ._namespace import public_dir

__all__ = ["export", "is_in_onnx_export"]
__dir__ = public_dir(__name__)


def export(*args: Any, **kwargs: Any) -> NoReturn:
    raise NotImplementedError(
        "ndgrad.onnx.export: ndgrad cannot export models to ONNX (it records no exportable "
        "graph); export with PyTorch instead, e.g. after loading the state_dict there"
    )


def is_in_onnx_export() -> bool:
    """False: ndgrad never runs an ONNX export."""
    return False
