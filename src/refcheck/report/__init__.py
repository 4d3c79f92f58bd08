"""Emitters: one per output format, all over the same verdicts (:mod:`refcheck.report.model`)."""

from __future__ import annotations

from refcheck.report.model import build_report, summarise

__all__ = ["build_report", "summarise"]
