"""The json format is the Report model's own JSON, written entry by entry."""

from __future__ import annotations

import json

import pytest

from refcheck.models import Reference, Report, Status, Verdict
from refcheck.report.json import emit
from refcheck.report.model import build_report

from .fixtures import VERDICTS, render


@pytest.mark.parametrize("count", [0, 1, len(VERDICTS)])
def test_streamed_document_is_the_models_json_byte_for_byte(count: int) -> None:
    verdicts = VERDICTS[:count]
    expected = build_report(verdicts).model_dump_json(indent=2) + "\n"
    assert render(emit, verdicts) == expected


def test_a_lone_surrogate_is_escaped_and_the_document_stays_valid() -> None:
    broken = Verdict(reference=Reference(text="bad \udcff byte"), status=Status.UNVERIFIED)
    document = render(emit, [*VERDICTS[:1], broken])
    report = Report.model_validate(json.loads(document))
    assert report.references[1].text == "bad \udcff byte"
    assert report.summary.total == 2
