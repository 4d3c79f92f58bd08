"""The post refcheck was born from: three Harvard references, no DOIs, all correct.

Read as saved (plain text) and as Markdown, each must be verified with its DOI and no
warning; an error injected into any of them must be caught on its field.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from refcheck.api import check, read_references
from refcheck.config import Settings
from refcheck.models import Severity, Status, Verdict

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "references" / "seed-works.jsonl"
MARKDOWN = ROOT / "references" / "lumbar-mri-paradox.md"
DOIS = ["10.3174/ajnr.A4173", "10.1056/NEJMoa1209250", "10.1097/BRS.0000000000004198"]
OFFLINE = Settings(offline=True, no_cache=True, snapshots=(SNAPSHOT,))

# (text to replace, replacement, index of the reference, field, cited, Crossref)
ERRORS = [
    ("36(4), pp.811", "35(4), pp.811", 0, "volume", "35", "36"),
    ("pp.811–816", "pp.812–816", 0, "pages", None, None),
    ("Luetmer, P.H.", "Luetmar, P.H.", 0, "authors", None, None),
    ("Jarvik, J.G., 2015", "Jarvik, J.G., 2016", 0, "year", "2016", None),
    ("368(11)", "367(11)", 1, "volume", "367", "368"),
    ("pp.999–1007", "pp.899–1007", 1, "pages", None, None),
    ("Vleggeert-Lankamp", "Vleggert-Lankamp", 1, "authors", None, None),
    ("Peul, W.C., 2013", "Peul, W.C., 2012", 1, "year", "2012", None),
    ("47(3)", "46(3)", 2, "volume", "46", "47"),
    ("pp.201–211", "pp.210–211", 2, "pages", None, None),
    ("Truthmann", "Truthman", 2, "authors", None, None),
    ("Schmidt, C.O., 2022", "Schmidt, C.O., 2019", 2, "year", "2019", None),
    ("Hancock, M.J., ", "", 2, "authors", None, "Hancock, Mark J."),
]


def _serious(verdict: Verdict) -> list[tuple[str, str]]:
    return [(f.code, f.field) for f in verdict.findings if f.severity is not Severity.INFO]


@pytest.mark.parametrize("form", ["markdown", "saved-text"])
def test_seed_post_is_verified(form: str, shared: Path) -> None:
    path = MARKDOWN if form == "markdown" else shared / "seed" / "lumbar-mri-paradox.txt"
    verdicts = check(read_references([path]), OFFLINE)
    assert [v.status for v in verdicts] == [Status.VERIFIED] * 3
    assert [v.work.doi for v in verdicts if v.work] == DOIS
    assert [_serious(v) for v in verdicts] == [[], [], []]


@pytest.mark.parametrize("form", ["markdown", "saved-text"])
@pytest.mark.parametrize(("old", "new", "index", "field", "cited", "expected"), ERRORS)
def test_error_in_seed_post_is_caught_on_its_field(
    tmp_path: Path,
    shared: Path,
    form: str,
    old: str,
    new: str,
    index: int,
    field: str,
    cited: str | None,
    expected: str | None,
) -> None:
    source = MARKDOWN if form == "markdown" else shared / "seed" / "lumbar-mri-paradox.txt"
    text = source.read_text(encoding="utf-8")
    assert old in text
    post = tmp_path / source.name
    post.write_text(text.replace(old, new, 1), encoding="utf-8")
    verdicts = check(read_references([post]), OFFLINE)
    assert len(verdicts) == 3
    wrong = verdicts[index]
    assert wrong.status is Status.MISMATCH
    errors = [f for f in wrong.findings if f.severity is Severity.ERROR]
    assert [f.field for f in errors] == [field]
    if cited is not None:
        assert errors[0].cited == cited
    if expected is not None:
        assert errors[0].expected == expected
    others = [v for i, v in enumerate(verdicts) if i != index]
    assert all(v.status is Status.VERIFIED for v in others)
