from __future__ import annotations

import pytest

from refcheck.compare.text import clean, fold, fold_name, squash, tokens


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Magnetic Resonance Imaging", "magnetic resonance imaging"),
        ("Follow-up   assessment", "follow up assessment"),
        ("Lycklama À Nijeholt", "lycklama a nijeholt"),
        ("O’Brien", "obrien"),
        ("O'Brien", "obrien"),
        ("Health &amp; Social Care", "health and social care"),
        ("Health & Social Care", "health and social care"),
        ("CO<sub>2</sub> capture", "co 2 capture"),
        ("<i>In vivo</i> imaging", "in vivo imaging"),
        (r"The {\"O}sterreich \textit{case}", "the osterreich case"),
        (r"\alpha-synuclein", "alpha synuclein"),
        ("α-synuclein", "alpha synuclein"),
        ("Α-SYNUCLEIN", "alpha synuclein"),
        ("“Quoted” — title.", "quoted title"),
        ("Straße", "strasse"),
        # Apostrophes inside a word go, before and after transliteration; others break.
        ("l’hôpital", "lhopital"),
        ("it`s", "its"),
        ("rock ’n’ roll", "rock n roll"),
        ("Care’s “cost” – 2ʼs", "cares cost 2s"),
        ("Ünïcödé — naïve", "unicode naive"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_lossy_greek_keeps_one_letter() -> None:
    assert fold("5α-reductase", greek_names=False) == "5a reductase"
    assert fold("Bcl-2∆", greek_names=False) == "bcl 2d"


def test_squash_ignores_spaces_and_hyphens() -> None:
    assert squash("Follow-up") == squash("Followup") == squash("follow up")


def test_tokens() -> None:
    assert tokens("A  Study: of things") == ("a", "study", "of", "things")
    assert tokens("—") == ()


def test_fold_name_keeps_german_spelling_of_umlauts() -> None:
    assert fold_name("Bülow") == ("bulow", "buelow")
    assert fold_name("Kasch") == ("kasch",)


def test_clean_removes_markup_only() -> None:
    assert clean("<i>E. coli</i>  &amp; <b>S. aureus</b>") == "E. coli & S. aureus"


def test_clean_collapses_whitespace_of_any_script() -> None:
    assert clean("a\u3000b\u00a0 c\u2009d\u1680e\n") == "a b c d e"
