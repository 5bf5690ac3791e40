"""ndgrad._malloc: glibc's thresholds raised at import, unless the user said otherwise."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

_PROBE = "import ndgrad, ndgrad._malloc as m; print(m.tuned())"


def _tuned(**env: str) -> str:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "NDGRAD_MALLOC"))}
    full.update(env)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=full, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_thresholds_are_set_at_import_on_glibc() -> None:
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    assert _tuned() == "True"


def test_opt_out_and_the_users_own_glibc_settings_are_respected() -> None:
    assert _tuned(NDGRAD_MALLOC_TUNING="0") == "False"
    assert _tuned(MALLOC_TRIM_THRESHOLD_="131072") == "False"
    assert _tuned(MALLOC_MMAP_THRESHOLD_="131072") == "False"
