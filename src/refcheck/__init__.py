"""refcheck: check the references a text cites against Crossref."""

from __future__ import annotations

from refcheck._version import __version__
from refcheck.api import (
    check,
    check_async,
    check_file,
    check_file_async,
    iter_check_async,
    read_references,
)
from refcheck.config import Settings
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
    "Settings",
    "Severity",
    "Status",
    "Verdict",
    "Work",
    "__version__",
    "check",
    "check_async",
    "check_file",
    "check_file_async",
    "iter_check_async",
    "read_references",
]
