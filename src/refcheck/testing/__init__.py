"""Test helpers for refcheck and for projects that build on it: loopback Crossref, DataCite,
arXiv, doi.org and Open Library stand-ins."""

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
from refcheck.testing.doi_standin import DoiStandin
from refcheck.testing.openlibrary_standin import OpenLibraryStandin

__all__ = [
    "ArxivStandin",
    "CrossrefStandin",
    "DataciteStandin",
    "DoiStandin",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "LoggedRequest",
    "OpenLibraryStandin",
    "load_records",
]
