from __future__ import annotations

from refcheck.compare.updates import compare_updates
from refcheck.models import Reference, Severity, Update, Work

CITED = Reference(doi="10.1016/S0140-6736(97)11096-0", title="Ileal-lymphoid-nodular hyperplasia")


def test_retraction_rc701_names_the_notice_and_its_sources() -> None:
    work = Work(
        doi="10.1016/S0140-6736(97)11096-0",
        updated_by=(
            Update(
                type="retraction",
                doi="10.1016/S0140-6736(10)60175-4",
                source="publisher",
                year=2010,
            ),
            Update(
                type="retraction", doi="10.1016/s0140-6736(10)60175-4", source="retraction-watch"
            ),
        ),
    )
    [found] = compare_updates(CITED, work)
    assert (found.code, found.field, found.severity) == ("RC701", "retraction", Severity.ERROR)
    assert found.expected == "10.1016/S0140-6736(10)60175-4"
    assert "retraction-watch" in found.message
    assert "publisher" in found.message
    assert "2010" in found.message


def test_withdrawal_and_removal_are_retractions() -> None:
    for kind in ("withdrawal", "removal", "partial_retraction"):
        work = Work(doi="10.1/x", updated_by=(Update(type=kind, doi="10.1/notice"),))
        assert [f.code for f in compare_updates(Reference(), work)] == ["RC701"]


def test_correction_rc702_warning() -> None:
    for kind in ("correction", "erratum", "corrigendum", "expression_of_concern"):
        work = Work(doi="10.1/x", updated_by=(Update(type=kind, doi="10.1/fix"),))
        [found] = compare_updates(Reference(), work)
        assert (found.code, found.severity, found.expected) == (
            "RC702",
            Severity.WARNING,
            "10.1/fix",
        )


def test_other_updates_say_nothing() -> None:
    work = Work(doi="10.1/x", updated_by=(Update(type="new_version", doi="10.1/v2"),))
    assert compare_updates(Reference(), work) == []


def test_published_preprint_rc703_info() -> None:
    work = Work(doi="10.1101/014852", type="posted-content", preprint_of=("10.1002/ece3.2314",))
    [found] = compare_updates(Reference(), work)
    assert (found.code, found.field, found.severity) == ("RC703", "type", Severity.INFO)
    assert found.expected == "10.1002/ece3.2314"
    assert found.cited == "10.1101/014852"


def test_a_journal_article_with_relations_is_not_a_preprint() -> None:
    work = Work(doi="10.1/x", type="journal-article", preprint_of=("10.1/y",))
    assert compare_updates(Reference(), work) == []
