from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# What the shell of a developer or a CI runner may hold that changes how refcheck runs or
# what it prints: refcheck's own settings (REFCHECK_*), and what rich reads for colour and
# width (TERM=dumb, common in CI, means no colour and 80 columns whatever is asked). A test
# that wants one sets it itself, with monkeypatch.
_MACHINE = (
    "COLUMNS",
    "LINES",
    "NO_COLOR",
    "FORCE_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "TERM",
    "COLORTERM",
)


@pytest.fixture(autouse=True)
def _environment_of_no_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs as a user who configured nothing: the suite passes whatever the shell
    that runs it exports."""
    for name in list(os.environ):
        if name.startswith("REFCHECK_") or name in _MACHINE:
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared, the read-only data every developer and CI has; skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED
