"""docs/api-coverage.md is generated from PyTorch's namespaces and ndgrad's: it must be current."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from .helpers import requires_torch

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def generator() -> dict:
    return runpy.run_path(str(ROOT / "docs" / "hooks" / "api_coverage.py"))


@requires_torch
def test_the_committed_page_is_current(generator: dict) -> None:
    page = (ROOT / "docs" / "api-coverage.md").read_text(encoding="utf-8")
    assert page == generator["render"](), (
        "docs/api-coverage.md is stale: run `python docs/hooks/api_coverage.py` and commit it"
    )


@requires_torch
def test_every_out_of_scope_name_has_a_reason(generator: dict) -> None:
    for _namespace, rows in generator["coverage"]():
        for name, status, why in rows:
            assert (status == "out of scope") == bool(why), name


@requires_torch
def test_a_name_ndgrad_has_is_never_out_of_scope(generator: dict) -> None:
    data = dict(generator["coverage"]())
    torch_rows = {name: status for name, status, _ in data["torch"]}
    assert torch_rows["nonzero"] == "yes"
    assert torch_rows["sparse_coo_tensor"] == "out of scope"
