"""APA 7 elides the middle of a list of more than 20 authors: "A, B, ..., S, . . . Z". Written
with spaced full stops, three full stops or one "…", the list is cut short (names left out
are no error) and its last name is the work's last author."""

from __future__ import annotations

import pytest

from refcheck.parse.reference import parse_reference

LIST = "Ng, K. Y., Abdullah, N., Othman, N. H., Ganesalingam, M.{cut}Har, Y. C. (2008). "
REST = "Cancer incidence in Peninsular Malaysia. National Cancer Registry."


@pytest.mark.parametrize("cut", [", . . . ", ", ... ", ", … ", ",. . . ", ", . . . & "])
def test_an_elided_author_list_is_cut_short_and_keeps_its_last_name(cut: str) -> None:
    parsed = parse_reference(LIST.format(cut=cut) + REST)
    assert parsed.authors_truncated
    assert [p.family for p in parsed.authors] == ["Ng", "Abdullah", "Othman", "Ganesalingam", "Har"]


def test_a_full_list_is_not_cut_short() -> None:
    parsed = parse_reference(LIST.format(cut=", & ") + REST)
    assert not parsed.authors_truncated
    assert parsed.authors[-1].family == "Har"


def test_an_ellipsis_in_a_title_stays_in_the_title() -> None:
    parsed = parse_reference("Smith, J. (2001). Waiting for... the end. Journal of Tests, 3, 4-5.")
    assert not parsed.authors_truncated
    assert parsed.title is not None
    assert parsed.title.startswith("Waiting for")
