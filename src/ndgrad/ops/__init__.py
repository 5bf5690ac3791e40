"""ndgrad's op library: each module holds one family of ops, their Function classes (forward
and backward) and the functions PyTorch exposes as ``torch.<name>``, which ``ndgrad/__init__.py``
re-exports as ``ndgrad.<name>``. The package itself exports nothing."""

from .._namespace import public_dir

__all__: list[str] = []
__dir__ = public_dir(__name__)
