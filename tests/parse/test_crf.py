"""The trained model (refcheck.parse.crf) and how parse_reference uses it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tests.parse.test_reference import ALL_SURE, SEED_BRINJIKJI, SEED_EL_BARZOUHI, SEED_KASCH

from refcheck.models import Person
from refcheck.parse import crf, parse_reference, reference
from refcheck.parse.crf import ModelFields, read_fields, tag, tokenise

FIELDS = ("authors", "year", "title", "container", "volume", "issue", "pages")


def test_shipped_model_is_in_the_package() -> None:
    assert crf.MODEL_PATH.is_file()
    assert crf.MODEL_PATH.parent.name == "data"


def test_tokens_split_letters_digits_and_marks() -> None:
    assert [t.text for t in tokenise("Spine, 47(3), pp.201–211.")] == [
        "Spine", ",", "47", "(", "3", ")", ",", "pp", ".", "201", "–", "211", ".",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "first_family", "year", "numbers"),
    [
        (SEED_BRINJIKJI, "Brinjikji", 2015, ("36", "4", "811–816")),
        (SEED_EL_BARZOUHI, "El Barzouhi", 2013, ("368", "11", "999–1007")),
        (SEED_KASCH, "Kasch", 2022, ("47", "3", "201–211")),
    ],
)
def test_model_reads_the_seed_references(
    text: str, first_family: str, year: int, numbers: tuple[str, str, str]
) -> None:
    fields = read_fields(text.lstrip("-"))
    assert fields is not None
    hand = parse_reference(text, model=False)
    assert fields.authors == hand.authors  # every person, as the hand-written parser reads them
    assert fields.authors[0].family == first_family
    assert fields.year == year
    assert (fields.volume, fields.issue, fields.pages) == numbers


@pytest.mark.parametrize(
    ("text", "title", "container"),
    [
        (SEED_EL_BARZOUHI, "Magnetic Resonance Imaging in Follow-up Assessment of Sciatica",
         "New England Journal of Medicine"),
        (SEED_KASCH, "Association of Lumbar MRI Findings with Current and Future Back Pain in a "
         "Population-based Cohort Study", "Spine"),
    ],
)  # fmt: skip
def test_model_reads_title_and_journal(text: str, title: str, container: str) -> None:
    # (On SEED_BRINJIKJI the model runs title and journal together; there the hand-written
    # parser is sure of both, so the model's reading is not used.)
    fields = read_fields(text)
    assert fields is not None
    assert (fields.title, fields.container) == (title, container)


def test_tags_every_token() -> None:
    tagged = tag("Peul WC, Koes BW. Sciatica. BMJ. 2008;336(7657):1355-8.")
    assert tagged is not None
    assert len(tagged) == len(tokenise("Peul WC, Koes BW. Sciatica. BMJ. 2008;336(7657):1355-8."))
    assert {label for _, label in tagged} <= set(crf.LABELS)
    assert [label for token, label in tagged if token.text == "2008"] == ["year"]


# --- the gate: the model fills only what the hand-written parser is unsure of --------------

WRONG = ModelFields(
    authors=(Person(family="Nobody", given="X."),),
    authors_truncated=True,
    year=1901,
    title="Not the title",
    container="Not the journal",
    volume="999",
    issue="99",
    pages="1-2",
)


def test_confident_fields_are_never_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference, "read_fields", lambda text: WRONG)
    for text in (SEED_BRINJIKJI, SEED_EL_BARZOUHI, SEED_KASCH):
        parsed = parse_reference(text)
        assert parsed.confident == ALL_SURE
        assert parsed == parse_reference(text, model=False)


def test_unsure_fields_take_the_models_value_and_stay_unsure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reference, "read_fields", lambda text: WRONG)
    # A book: the hand-written parser is sure of some fields only.
    text = "Smith J. A book about things. London: Publisher; 1999."
    hand = parse_reference(text, model=False)
    parsed = parse_reference(text)
    assert "container" not in hand.confident
    assert parsed.confident == hand.confident
    for name in FIELDS:
        expected = getattr(hand if name in hand.confident else WRONG, name)
        assert getattr(parsed, name) == expected, name
    assert parsed.doi == hand.doi


def test_an_empty_model_reading_keeps_the_hand_written_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reference, "read_fields", lambda text: ModelFields())
    text = "Smith J. A book about things. London: Publisher; 1999."
    assert parse_reference(text) == parse_reference(text, model=False)


def test_real_model_fills_a_field_the_parser_guessed() -> None:
    # The hand-written parser takes the first sentence for the title, and is unsure of it.
    text = "Smith J. Learning to parse references [dissertation]. Boston: University of X; 1999."
    hand = parse_reference(text, model=False)
    parsed = parse_reference(text)
    assert hand.title == "Learning to parse references [dissertation]"
    assert "title" not in hand.confident
    assert parsed.title == "Learning to parse references"
    assert "title" not in parsed.confident
    assert parsed.confident == hand.confident
    assert (parsed.authors, parsed.year) == (hand.authors, hand.year)


def test_a_cut_author_list_stays_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    # The hand-written parser saw the elision; a model reading without it must not undo that
    # (a list taken for complete raises a false alarm on the authors left out).
    text = "Kodaka, N., Tashiro, M. S., Palmer, D., … WIDGET team. (2008). Improvement of X. AIP."
    hand = parse_reference(text, model=False)
    assert "authors" not in hand.confident
    assert hand.authors_truncated
    complete = ModelFields(authors=(Person(family="Kodaka", given="N."),))
    monkeypatch.setattr(reference, "read_fields", lambda text: complete)
    parsed = parse_reference(text)
    assert parsed.authors == complete.authors
    assert parsed.authors_truncated


def test_model_sees_an_elided_author_list() -> None:
    text = "Kodaka, N., Tashiro, M. S., Palmer, D., … WIDGET team. (2008). Improvement of X. AIP."
    fields = read_fields(text)
    assert fields is not None
    assert fields.authors_truncated
    fields = read_fields("Kodaka, N., Tashiro, M. S. (2008). Improvement of X. AIP Conf Proc.")
    assert fields is not None
    assert not fields.authors_truncated


def test_doi_stays_the_patterns() -> None:
    text = "Smith J. A book about things. London: Publisher; 1999. doi:10.1000/xyz123"
    assert parse_reference(text).doi == "10.1000/xyz123"


# --- fallback: no model, the hand-written parser alone -------------------------------------


def _same_as_hand_written(text: str) -> None:
    assert read_fields(text) is None
    assert parse_reference(text) == parse_reference(text, model=False)


def test_missing_model_file_falls_back(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(crf, "MODEL_PATH", tmp_path / "missing.crfsuite")
    _same_as_hand_written("Smith J. A book about things. London: Publisher; 1999.")


def test_broken_model_file_falls_back(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "broken.crfsuite"
    broken.write_bytes(b"not a crfsuite model\x00" * 10)
    monkeypatch.setattr(crf, "MODEL_PATH", broken)
    _same_as_hand_written("Smith J. A book about things. London: Publisher; 1999.")


def test_missing_library_falls_back(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A path not loaded before (the loader caches per path), and no python-crfsuite.
    copy = tmp_path / "copy.crfsuite"
    copy.write_bytes(crf.MODEL_PATH.read_bytes())
    monkeypatch.setattr(crf, "MODEL_PATH", copy)
    monkeypatch.setitem(sys.modules, "pycrfsuite", None)
    _same_as_hand_written("Smith J. A book about things. London: Publisher; 1999.")


# --- garbage never raises ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        ".",
        "((((((",
        "2015",
        "\ud800 lone surrogate 2015",
        "\x00\x01\x02\ufffd\x7f" * 50,
        "".join(chr(c) for c in range(0, 0x3000, 7)),
        "Smith, J., " * 400,
        "1" * 5000,
    ],
)
def test_garbage_never_raises(text: str) -> None:
    fields = read_fields(text)
    assert fields is None or isinstance(fields, ModelFields)
    parsed = parse_reference(text)
    assert parsed.year is None or 1500 <= parsed.year <= 2100
