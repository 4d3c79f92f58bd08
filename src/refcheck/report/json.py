"""The ``json`` format: the stable contract documented in the README."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from pydantic_core import PydanticSerializationError

from refcheck.models import Verdict
from refcheck.report.model import build_report


def emit(verdicts: Sequence[Verdict], out: TextIO) -> None:
    report = build_report(verdicts)
    try:
        text = report.model_dump_json(indent=2)
    except PydanticSerializationError:
        # Lone surrogates (from "\udcff" escapes in a CSL-JSON file) cannot be UTF-8;
        # written as \u escapes the document stays valid JSON and nothing is lost.
        text = json.dumps(report.model_dump(mode="python"), indent=2, ensure_ascii=True)
    out.write(text)
    out.write("\n")
