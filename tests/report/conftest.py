from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from refcheck._version import __version__

SNAPSHOTS = Path(__file__).parent / "snapshots"
# REFCHECK_UPDATE_SNAPSHOTS=1 rewrites the files instead of comparing: review the diff.
UPDATE = os.environ.get("REFCHECK_UPDATE_SNAPSHOTS") == "1"


@pytest.fixture
def snapshot() -> Callable[[str, str], None]:
    """Compare a report with its stored snapshot (the version string masked)."""

    def check(name: str, text: str) -> None:
        text = text.replace(__version__, "VERSION")
        path = SNAPSHOTS / name
        if UPDATE:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            return
        if not path.exists():
            pytest.fail(f"no snapshot {name}; run with REFCHECK_UPDATE_SNAPSHOTS=1")
        assert text == path.read_bytes().decode("utf-8"), f"{name} changed"

    return check
