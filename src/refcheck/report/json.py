"""The ``json`` format: the stable contract documented in the README."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from refcheck.models import Verdict
from refcheck.report.model import build_report


def emit(verdicts: Sequence[Verdict], out: TextIO) -> None:
    out.write(build_report(verdicts).model_dump_json(indent=2))
    out.write("\n")
