"""refcheck: check the references a text cites against Crossref."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from refcheck.errors import (
    ConfigError,
    CrossrefBadResponse,
    CrossrefError,
    CrossrefUnavailable,
    InputError,
    RefcheckError,
)
from refcheck.models import (
    Finding,
    Location,
    Person,
    Reference,
    Report,
    Severity,
    Status,
    Verdict,
    Work,
)

try:
    __version__ = version("refcheck")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "ConfigError",
    "CrossrefBadResponse",
    "CrossrefError",
    "CrossrefUnavailable",
    "Finding",
    "InputError",
    "Location",
    "Person",
    "RefcheckError",
    "Reference",
    "Report",
    "Severity",
    "Status",
    "Verdict",
    "Work",
    "__version__",
]
