"""Test helpers for refcheck and for projects that build on it: loopback Crossref, DataCite and
arXiv stand-ins."""

from refcheck.testing.arxiv_standin import ArxivStandin
from refcheck.testing.crossref_standin import (
    CrossrefStandin,
    Fault,
    FaultKind,
    FaultPlan,
    LoggedRequest,
    load_records,
)
from refcheck.testing.datacite_standin import DataciteStandin

__all__ = [
    "ArxivStandin",
    "CrossrefStandin",
    "DataciteStandin",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "LoggedRequest",
    "load_records",
]
