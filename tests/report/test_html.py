from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from refcheck.report import html

from .fixtures import IMG, SCRIPT, SICI_DOI, VERDICTS, render

SICI_URL = (
    "https://doi.org/10.1002/%28SICI%291097-0258%2819980815/30%2917%3A15/16"
    "%3C1661%3A%3AAID-SIM968%3E3.0.CO%3B2-2"
)


class Page(HTMLParser):
    """The elements, attributes and text of a page, as a browser's parser sees them."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    def names(self) -> set[str]:
        return {tag for tag, _ in self.tags}

    def text(self) -> str:
        return "".join(self.texts)


@pytest.fixture(scope="module")
def page_source() -> str:
    return render(html.emit, VERDICTS)


@pytest.fixture(scope="module")
def page(page_source: str) -> Page:
    return Page(page_source)


def test_self_contained_without_script(page: Page, page_source: str) -> None:
    assert page_source.startswith("<!DOCTYPE html>")
    names = page.names()
    assert "script" not in names
    assert "img" not in names
    assert "link" not in names  # no external stylesheet
    assert "style" in names
    for _, attrs in page.tags:
        assert "src" not in attrs
        assert not any(name.startswith("on") for name in attrs)
        href = attrs.get("href")
        assert href is None or href.startswith("https://doi.org/")
    policy = [a for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    assert policy[0]["content"] == html.POLICY
    assert "default-src 'none'" in html.POLICY


def test_every_reference_with_its_verdict(page: Page) -> None:
    sections = [a for t, a in page.tags if t == "section"]
    assert [a["class"] for a in sections] == [f"reference {v.status.value}" for v in VERDICTS]
    text = page.text()
    assert "9 references" in text
    assert "3 mismatch" in text
    assert "✗ mismatch" in text
    assert "unbalanced braces: the entry never closes" in text
    assert "Crossref unavailable: connection refused (after 3 tries)" in text


def test_findings_show_cited_and_crossref_side_by_side(page_source: str) -> None:
    assert (
        '<td class="cited">35</td><td class="crossref">36</td>'
        "<td>Volume 35 cited; Crossref has 36</td>"
    ) in page_source
    assert '<td class="cited">Kasch, Hancock</td><td class="crossref">Kasch, Truthmann' in (
        page_source
    )


def test_matched_dois_link_to_doi_org_encoded(page: Page) -> None:
    links = [a["href"] for t, a in page.tags if t == "a"]
    assert "https://doi.org/10.3174/ajnr.A4173" in links
    assert SICI_URL in links
    assert html.doi_url(SICI_DOI) == SICI_URL
    # Matched works only: the unknown DOI of the not-found reference is not a link.
    assert not any("NEJMoa1209259" in link for link in links if link)


def test_hostile_text_is_shown_as_text(page: Page, page_source: str) -> None:
    assert "<script" not in page_source
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_source
    text = page.text()
    assert SCRIPT in text
    assert IMG in text
    assert "\x1b" not in page_source
    assert "##[" not in page_source
    assert len(page_source) < 60_000  # two 100 kB titles, each cut to 2,000 characters
    assert max(len(chunk) for chunk in page.texts) <= html.MAX_VALUE + 200


def test_no_verdicts_is_a_page() -> None:
    page = Page(render(html.emit, []))
    assert "0 references" in page.text()
    assert "section" not in page.names()


def test_snapshot(snapshot: Callable[[str, str], None], page_source: str) -> None:
    snapshot("report.html", page_source)


# Debian's package is "chromium"; GitHub's Ubuntu runners ship Google Chrome (same flags).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM = next((found for name in BROWSERS if (found := shutil.which(name))), None)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_a_real_browser_shows_the_hostile_title_as_text(tmp_path: Path, page_source: str) -> None:
    assert CHROMIUM is not None
    report = tmp_path / "report.html"
    report.write_text(page_source, encoding="utf-8")
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            report.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = Page(done.stdout)
    names = dom.names()
    assert "section" in names
    assert "script" not in names  # the title did not become an element...
    assert "img" not in names
    body = [a for t, a in dom.tags if t == "body"]
    assert body == [{}]  # ...and no handler ran to mark the page
    text = dom.text()
    assert SCRIPT in text  # it is on the page as text
    assert "Volume 35 cited; Crossref has 36" in text  # the mismatch is shown
    assert "✗ mismatch" in text
