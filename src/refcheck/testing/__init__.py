"""Test helpers for refcheck and for projects that build on it: a loopback Crossref stand-in."""

from refcheck.testing.crossref_standin import (
    CrossrefStandin,
    Fault,
    FaultKind,
    FaultPlan,
    LoggedRequest,
    load_records,
)

__all__ = ["CrossrefStandin", "Fault", "FaultKind", "FaultPlan", "LoggedRequest", "load_records"]
