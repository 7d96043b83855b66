"""Where the real third-party sample records live (read at test time, never copied here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def real_shp_samples() -> Path:
    """The real SHP rows beside the repository (never copied into it; their licence is not ours).

    CI must have them (the test fails there); elsewhere a missing folder skips the test.
    """
    folder = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real-samples" / "shp"
    if not folder.is_dir():
        reason = f"real SHP samples not found at {folder}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return folder
