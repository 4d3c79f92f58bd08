"""Saved web pages: the article's reference list, not the page around it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from refcheck.models import Reference
from refcheck.readers import read_path
from refcheck.readers.html import html_blocks, read_html
from refcheck.readers.post import BlockKind

POSTS = Path(__file__).resolve().parents[1] / "fixtures" / "posts"

BRINJIKJI = (
    "Brinjikji W, Luetmer PH, Comstock B, et al. Systematic literature review of imaging "
    "features of spinal degeneration in asymptomatic populations. AJNR Am J Neuroradiol. "
    "2015;36(4):811-816."
)
KASCH = (
    "Kasch R, Truthmann J, Hancock MJ, et al. Association of lumbar MRI findings with current "
    "and future back pain in a population-based cohort study. Spine. 2022;47(3):201-211."
)


def first_authors(references: list[Reference]) -> list[str | None]:
    return [reference.authors[0].family if reference.authors else None for reference in references]


def lines(references: list[Reference]) -> list[int | None]:
    return [reference.location.line for reference in references]


def page(body: str) -> str:
    return f"<!doctype html>\n<html><head><title>t</title></head><body>\n{body}\n</body></html>"


def test_saved_page_reference_list() -> None:
    references = read_path(POSTS / "saved-page.html")

    assert lines(references) == [27, 31, 35]
    assert first_authors(references) == ["Brinjikji", "el Barzouhi", "Kasch"]
    brinjikji, barzouhi, kasch = references
    assert brinjikji.text == BRINJIKJI + " doi:10.3174/ajnr.A4173"
    assert brinjikji.container == "AJNR Am J Neuroradiol"  # the <em> told where it is
    assert (brinjikji.year, brinjikji.volume, brinjikji.issue, brinjikji.pages) == (
        2015,
        "36",
        "4",
        "811-816",
    )
    assert brinjikji.doi == "10.3174/ajnr.A4173"
    # A link whose text does not show its URL keeps the URL: here it is the DOI.
    assert barzouhi.doi == "10.1056/NEJMoa1209250"
    assert barzouhi.text.endswith("Link https://doi.org/10.1056/NEJMoa1209250")
    assert barzouhi.suppress == ("RC301",)
    assert (kasch.container, kasch.volume, kasch.issue, kasch.pages) == (
        "Spine",
        "47",
        "3",
        "201-211",
    )
    assert kasch.suppress == ()
    for reference in references:
        assert "<" not in reference.text
        assert "&" not in reference.text
        assert reference.location.path == str(POSTS / "saved-page.html")


def test_saved_page_furniture_is_not_read() -> None:
    texts = " ".join(reference.text for reference in read_path(POSTS / "saved-page.html"))

    # The script, the comments section, the sidebar and the footer all hold reference-like
    # text; none of it is the article's.
    for outside in ("not-a-ref", "Great post", "Sciatica myths", "Spine Blog", "Share"):
        assert outside not in texts


def test_blocks_drop_page_furniture() -> None:
    blocks, _ = html_blocks((POSTS / "saved-page.html").read_text(encoding="utf-8"))
    texts = [block.text for block in blocks if block.kind is not BlockKind.BOUNDARY]

    assert texts[0] == "Back pain and MRI"
    assert "Home" not in texts
    assert "Recent posts" not in texts
    assert "A review of 33 studies found that degeneration rises with age & is often normal." in (
        texts
    )
    headings = [block.text for block in blocks if block.kind is BlockKind.HEADING]
    assert headings == ["Back pain and MRI", "What the studies say", "References"]


def test_paragraph_with_a_bold_heading_and_br_lines() -> None:
    references = read_path(POSTS / "vancouver.html")

    assert lines(references) == [5, 8, 11]
    assert first_authors(references) == ["Brinjikji", "el Barzouhi", "Kasch"]
    brinjikji, barzouhi, kasch = references
    assert brinjikji.text.startswith("Brinjikji W, Luetmer PH, Comstock B, Bresnahan BW")
    assert (brinjikji.volume, brinjikji.issue, brinjikji.pages) == ("36", "4", "811-6")
    assert barzouhi.year == 2013
    assert barzouhi.container == "N Engl J Med"
    assert kasch.suppress == ("RC401",)
    # "Thanks for reading, and see you in 2024." follows in the same <div>: not a reference.
    assert len(references) == 3


def test_footnote_section() -> None:
    (reference,) = read_path(POSTS / "footnotes.html")

    assert reference.location.line == 9
    assert reference.text == BRINJIKJI  # the back-link "↩" is gone
    assert reference.container == "AJNR Am J Neuroradiol"
    # The second note is a remark; the footer's DOI is page furniture.


def test_heading_styled_by_css_only() -> None:
    html = page(
        '<p class="font_8">Prose about backs, 2019.</p>\n'
        '<p class="font_8"><span style="font-weight:bold">References</span></p>\n'
        f"<p>{BRINJIKJI}</p>\n<p>Thanks for reading, 2024.</p>"
    )
    (reference,) = read_html(html, None)

    assert reference.location.line == 5
    assert reference.text == BRINJIKJI


def test_marked_reference_list_without_heading() -> None:
    html = page(
        "<article><p>Prose, 2019.</p>\n"
        '<div class="csl-bib-body">\n'
        f'  <div class="csl-entry">{BRINJIKJI}</div>\n'
        f'  <div class="csl-entry">{KASCH}</div>\n'
        "</div></article>"
    )
    references = read_html(html, None)

    assert first_authors(references) == ["Brinjikji", "Kasch"]
    assert lines(references) == [5, 6]


def test_section_ends_at_the_next_heading_of_its_level_or_the_article_end() -> None:
    html = page(
        "<article>\n<h2>References</h2>\n<h3>Reviews</h3>\n"
        f"<ul><li>{BRINJIKJI}</li></ul>\n"
        f"<h2>Discussion</h2>\n<ul><li>{KASCH}</li></ul>\n"
        f"<h2>Sources</h2>\n<ul><li>{KASCH}</li></ul>\n</article>\n"
        "<div><ul><li>Smith, J. (2019). Backs. Journal of Backs, 1(2), 3-4.</li></ul></div>"
    )
    references = read_html(html, None)

    assert first_authors(references) == ["Brinjikji", "Kasch"]
    assert lines(references) == [6, 10]


def test_unclosed_tags_entities_and_line_numbers() -> None:
    html = (
        "<h2>Bibliography</h2>\n"
        "<ol>\n"
        "<li>Brinjikji W, Luetmer PH, Comstock B, et al. Systematic literature review &amp;\n"
        "imaging&nbsp;features. <i>AJNR Am J Neuroradiol</i>. 2015;36(4):811-816.\n"
        "<li><p>\n"
        f"  {KASCH}\n"
        "<li><b>Jensen MC</b>, Brant-Zawadzki MN. Magnetic resonance imaging of the lumbar spine.\n"
        "N Engl J Med. 1994;331(2):69-73. <a href='#fnref1'>↩</a>\n"
    )
    references = read_html(html, "x.html")

    assert lines(references) == [3, 6, 7]
    assert references[0].text == (
        "Brinjikji W, Luetmer PH, Comstock B, et al. Systematic literature review & imaging "
        "features. AJNR Am J Neuroradiol. 2015;36(4):811-816."
    )
    assert references[1].text == KASCH
    assert references[2].text.endswith("1994;331(2):69-73.")


def test_doi_link_in_prose() -> None:
    html = page(
        "<article><p>The review\n"
        '(<a href="https://doi.org/10.3174/ajnr.A4173">here</a>) pooled 33 studies.</p>'
        "</article>"
    )
    (reference,) = read_html(html, None)

    assert reference.doi == "10.3174/ajnr.A4173"
    assert reference.location.line == 3
    assert (
        reference.text == "The review (here https://doi.org/10.3174/ajnr.A4173) pooled 33 studies."
    )
    assert reference.title is None
    assert reference.authors == ()


def test_prose_only_page_gives_no_reference() -> None:
    html = page(
        "<article><h1>Ten years of back pain</h1>"
        "<p>In 2013 I hurt my back. Smith et al. (2019) showed most recover "
        "(Kasch et al., 2022).</p><ul><li>2015: first MRI</li><li>2016, June: physio</li></ul>"
        "<p><strong>Verdict</strong></p><p>Fine, 2023.</p></article>"
        "<footer>&copy; 2023 Jo Writer</footer>"
    )
    assert read_html(html, None) == []


def test_suppression_before_a_br_line_and_for_all_rules() -> None:
    html = f"<h2>References</h2>\n<p>\n{BRINJIKJI}<br>\n<!-- refcheck: ignore -->{KASCH}\n</p>"
    references = read_html(html, None)

    assert [reference.suppress for reference in references] == [(), ("*",)]
    assert lines(references) == [3, 4]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "<",
        "<p",
        "<html><body>",
        "</p></div></li></ol>",
        "<div><ul><li>a<li>b",
        "<![if !IE]>x<![endif]>",
        "<!x><?php echo 1 ?>",
        "<![CDATA[ x ]]>",
        "<script>References: Smith J, 2019. T. J 1(2):3-4.",
        "<pre>\nSmith J, 2019.\n",
        "&#0; &#xffffff; &bogus; &",
        "<" * 20000,
        "<div>" * 5000 + "Smith J, 2019. T. J 1(2):3-4.",
        "<a href=" + "x" * 100_000 + ">y</a>",
        "<h2>References</h2><ol>" + "<li>" * 3000,
        "x" * 500_000,
        "<p>" + "10.1000/abc " * 2000 + "</p>",
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    references = read_html(text, "odd.html")
    assert isinstance(references, list)


def test_a_megabyte_page_is_read_fast() -> None:
    section = (
        "<h2 class='h'>Section</h2>"
        + "<p class='p'>Back pain is <em>common</em> in 2015 and <a href='https://example.org'>"
        "links</a> appear,\nwrapped across (Smith et al., 2019) lines.</p>\n"
        * 5
        + "<ul><li>item one, 2019</li><li>item two</li></ul>\n"
    )
    html = page(
        "<nav><ul><li><a href='/'>Home</a></li></ul></nav><article>"
        + section * (1_000_000 // len(section))
        + "<h2>References</h2><ol>"
        + f"<li>{KASCH}</li>\n" * 40
        + "</ol></article><footer>x</footer>"
    )
    assert len(html) > 990_000
    read_html(html[:5000], None)  # warm up: the first call compiles the parser's patterns

    start = time.process_time()  # CPU time: other processes on the machine do not count
    references = read_html(html, None)
    elapsed = time.process_time() - start

    assert len(references) == 40
    # Typically 0.2-0.7 s of CPU; the bound leaves room for a loaded machine and catches
    # any quadratic walk, which would take tens of seconds.
    assert elapsed < 2.0, elapsed


_PIECES = st.sampled_from(
    [
        "<h2>",
        "</h2>",
        "References",
        "<ol>",
        "<li>",
        "</li>",
        "<p>",
        "</p>",
        "<br>",
        "<em>",
        "</i>",
        "<a href='https://doi.org/10.1000/z'>",
        "</a>",
        "<!-- refcheck: ignore[RC1] -->",
        "<nav>",
        "<footer>",
        "<div class='footnotes'>",
        "<script>",
        "&amp;",
        "&",
        "<",
        ">",
        "\n",
        "Smith, J. (2019). ",
        "Title. ",
        "J Med, 1(2), 3-4. ",
        "10.1000/x ",
        "et al. ",
    ]
) | st.text(max_size=8)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_any_mix_of_markup_never_raises(text: str) -> None:
    for reference in read_html(text, "fuzz"):
        assert reference.location.line is not None
        assert 1 <= reference.location.line <= text.count("\n") + 1
        assert reference.text == " ".join(reference.text.split())
