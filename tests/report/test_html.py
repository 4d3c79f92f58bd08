from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from refcheck.models import Status
from refcheck.report import html

from .fixtures import IMG, NASTY_BIB, POST, SCRIPT, SEED_BIB, SICI_DOI, VERDICTS, render

SICI_URL = (
    "https://doi.org/10.1002/%28SICI%291097-0258%2819980815/30%2917%3A15/16"
    "%3C1661%3A%3AAID-SIM968%3E3.0.CO%3B2-2"
)
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


class Page(HTMLParser):
    """The elements, attributes and text of a page, as a browser's parser sees them."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self._in_script = False
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if not self._in_script:  # the page's text, not its program or style
            self.texts.append(data)

    def names(self) -> set[str]:
        return {tag for tag, _ in self.tags}

    def text(self) -> str:
        return "".join(self.texts)

    def references(self) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == "section" and "reference" in (a.get("class") or "")]

    def shown(self) -> list[str]:
        """The ids of the references not hidden."""
        return [str(a["id"]) for a in self.references() if "hidden" not in a]


def policy_nonce(page: Page) -> str:
    policy = [a for t, a in page.tags if t == "meta" and a.get("http-equiv")]
    found = NONCE.search(policy[0]["content"] or "")
    assert found is not None
    return found.group(1)


@pytest.fixture(scope="module")
def page_source() -> str:
    return render(html.emit, VERDICTS)


@pytest.fixture(scope="module")
def page(page_source: str) -> Page:
    return Page(page_source)


def test_self_contained_with_only_its_own_nonced_script(page: Page, page_source: str) -> None:
    assert page_source.startswith("<!DOCTYPE html>")
    names = page.names()
    assert "img" not in names
    assert "link" not in names  # no external stylesheet
    assert "style" in names
    scripts = [a for t, a in page.tags if t == "script"]
    nonce = policy_nonce(page)
    assert scripts == [{"nonce": nonce}]  # one inline script, no src, allowed by the nonce
    assert len(nonce) >= 16
    for _, attrs in page.tags:
        assert "src" not in attrs
        assert not any(name.startswith("on") for name in attrs)
        href = attrs.get("href")
        assert href is None or href.startswith("https://doi.org/")
    policy = next(a for t, a in page.tags if t == "meta" and a.get("http-equiv"))["content"]
    assert policy == html.policy(nonce)
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";")[0]


def test_each_page_has_a_fresh_nonce() -> None:
    first, second = Page(render(html.emit, VERDICTS)), Page(render(html.emit, VERDICTS))
    assert policy_nonce(first) != policy_nonce(second)


def test_every_reference_with_its_verdict(page: Page) -> None:
    sections = page.references()
    assert sorted(str(a["id"]) for a in sections) == sorted(
        f"ref-{n}" for n in range(1, len(VERDICTS) + 1)
    )
    for attrs in sections:
        verdict = VERDICTS[int(str(attrs["id"])[4:]) - 1]
        assert attrs["class"] == f"reference {verdict.status.value}"
        assert attrs["data-status"] == verdict.status.value
        assert (attrs["data-rules"] or "").split() == sorted({f.code for f in verdict.findings})
    text = page.text()
    assert "9 references" in text
    assert "3 mismatch" in text
    assert "✗ mismatch" in text
    assert "unbalanced braces: the entry never closes" in text
    assert "Crossref unavailable: connection refused (after 3 tries)" in text


def test_problems_come_first_grouped_by_file(page: Page) -> None:
    order = [int(str(a["id"])[4:]) - 1 for a in page.references()]
    problems = [VERDICTS[n] for n in order if html.is_problem(VERDICTS[n])]
    assert [html.is_problem(VERDICTS[n]) for n in order] == sorted(
        (html.is_problem(VERDICTS[n]) for n in order), reverse=True
    )
    # The seed's mismatches, not-found and invalid entries, then the post's, then the nasty file.
    assert [v.reference.location.path for v in problems] == [SEED_BIB] * 4 + [POST, NASTY_BIB]
    assert [v.reference.location.line for v in problems[:4]] == [44, 58, 72, 80]
    # Verified with an info finding only is no problem; a not-found reference is one.
    assert all(VERDICTS[n].status is Status.VERIFIED for n in order[len(problems) :])
    headings = [t for t in page.texts if t in (SEED_BIB, POST, NASTY_BIB)]
    assert headings == [SEED_BIB, POST, NASTY_BIB, SEED_BIB]  # one heading per file and part
    assert "Problems (6)" in page.text()
    assert "Verified (3)" in page.text()


def test_findings_show_cited_and_crossref_side_by_side_differences_marked(
    page_source: str,
) -> None:
    assert (
        '<td class="cited">3<del>5</del></td><td class="crossref">3<ins>6</ins></td>'
        "<td>Volume 35 cited; Crossref has 36</td>"
    ) in page_source
    assert (
        '<td class="cited">Kasch, Hancock</td>'
        '<td class="crossref">Kasch<ins>, Truthmann</ins>, Hancock</td>'
    ) in page_source


def test_marked_values() -> None:
    assert html.marked("Spine", "Spine") == ("Spine", "Spine")
    assert html.marked("2021", "2022") == ("202<del>1</del>", "202<ins>2</ins>")
    # A one-letter common run inside a change is part of it, not confetti.
    assert html.marked("abcXdef", "uvwXyz") == ("<del>abcXdef</del>", "<ins>uvwXyz</ins>")
    assert html.marked("Brain Res", "Cell Rep") == (
        "<del>Brain</del> Re<del>s</del>",
        "<ins>Cell</ins> Re<ins>p</ins>",
    )
    # Values are escaped after they are split, so no entity is ever cut in two.
    assert html.marked("a<b", "a>b") == ("a<del>&lt;</del>b", "a<ins>&gt;</ins>b")
    assert html.marked("35", None) == ("35", "—")
    long = "x" * (html.MAX_DIFF + 1)
    assert html.marked(long, "y") == (long, "y")


def test_matched_dois_link_to_doi_org_encoded(page: Page) -> None:
    links = [a["href"] for t, a in page.tags if t == "a"]
    assert "https://doi.org/10.3174/ajnr.A4173" in links
    assert SICI_URL in links
    assert html.doi_url(SICI_DOI) == SICI_URL
    # Matched works only: the unknown DOI of the not-found reference is not a link.
    assert not any("NEJMoa1209259" in link for link in links if link)


def test_hostile_text_is_shown_as_text(page: Page, page_source: str) -> None:
    assert page_source.count("<script") == 1  # refcheck's own, at the end of the body
    assert page_source.index("<script") > page_source.index("</main>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_source
    text = page.text()
    assert SCRIPT in text
    assert IMG in text
    assert "\x1b" not in page_source
    assert "##[" not in page_source
    assert len(page_source) < 60_000  # two 100 kB titles, each cut to 2,000 characters
    assert max(len(chunk) for chunk in page.texts) <= html.MAX_VALUE + 200


def test_readable_without_script(page: Page) -> None:
    # Nothing starts hidden but the filters, which only the script can make work.
    assert page.shown() == [str(a["id"]) for a in page.references()]
    forms = [a for t, a in page.tags if t == "form"]
    assert forms == [{"id": "filters", "class": "filters", "hidden": None}]


def test_filters_offer_the_statuses_and_rules_present(page: Page) -> None:
    boxes = [a["value"] for t, a in page.tags if t == "input" and a.get("name") == "status"]
    assert boxes == ["verified", "mismatch", "not_found", "unverified", "invalid"]
    options = [a["value"] for t, a in page.tags if t == "option"]
    assert options == ["", "RC101", "RC201", "RC202", "RC301", "RC402", "RC502", "RC601"]


def test_print_stylesheet() -> None:
    print_rules = html.STYLE.split("@media print", 1)[1]
    assert ".filters { display: none" in print_rules
    assert "break-inside: avoid" in print_rules


def test_no_verdicts_is_a_page() -> None:
    page = Page(render(html.emit, []))
    assert "0 references" in page.text()
    assert "section" not in page.names()


def test_snapshot(snapshot: Callable[[str, str], None], page_source: str) -> None:
    nonce = policy_nonce(Page(page_source))
    snapshot("report.html", page_source.replace(nonce, "NONCE"))


# Debian's package is "chromium"; GitHub's Ubuntu runners ship Google Chrome (same flags).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM = next((found for name in BROWSERS if (found := shutil.which(name))), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
# Chromium logs each console message (errors, uncaught exceptions, CSP refusals) as a line
# "...:CONSOLE..." on stderr with --enable-logging=stderr.
CONSOLE = re.compile(r":CONSOLE[:(]")


def browse(url: str, *flags: str) -> tuple[Page, list[str]]:
    """The DOM Chromium ends with at ``url`` (scripts run) and its console messages."""
    assert CHROMIUM is not None
    # Chromium aborts when its profile's socket path (under TMPDIR) passes ~100 characters,
    # as it does in a clone at a long path: a short folder of its own, whatever TMPDIR says.
    short = "/tmp" if Path("/tmp").is_dir() else None
    with tempfile.TemporaryDirectory(prefix="rc-", dir=short) as scratch:
        done = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={Path(scratch) / 'profile'}",
                "--enable-logging=stderr",
                "--v=0",
                *flags,
                "--dump-dom",
                url,
            ],
            env={**os.environ, "TMPDIR": scratch},
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return Page(done.stdout), [line for line in done.stderr.splitlines() if CONSOLE.search(line)]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory, page_source: str) -> Path:
    report = tmp_path_factory.mktemp("html") / "report.html"
    report.write_text(page_source, encoding="utf-8")
    return report


@needs_chromium
def test_a_real_browser_loads_the_page_cleanly_and_shows_the_hostile_title_as_text(
    report_file: Path,
) -> None:
    dom, console = browse(report_file.as_uri())
    assert console == []  # no error, no refused script, no exception
    names = dom.names()
    assert "section" in names
    assert "img" not in names  # the title did not become an element...
    assert [a for t, a in dom.tags if t == "script"] == [{"nonce": policy_nonce(dom)}]
    body = [a for t, a in dom.tags if t == "body"]
    assert body == [{}]  # ...and no handler ran to mark the page
    text = dom.text()
    assert SCRIPT in text  # it is on the page as text
    assert "Volume 35 cited; Crossref has 36" in text  # the mismatch is shown
    assert "✗ mismatch" in text
    # The script ran: the filters are shown, every reference with them.
    forms = [a for t, a in dom.tags if t == "form"]
    assert forms == [{"id": "filters", "class": "filters"}]
    assert len(dom.shown()) == len(VERDICTS)
    assert f"{len(VERDICTS)} of {len(VERDICTS)} shown" in text


@needs_chromium
def test_a_real_browser_reports_console_errors(tmp_path: Path, page_source: str) -> None:
    # The check above could not fail if Chromium logged nothing: a script without the nonce
    # (refused by the policy) and one that throws must both show up.
    nonce = policy_nonce(Page(page_source))
    broken = page_source.replace(
        "</body>",
        '<script>document.body.dataset.pwned = "1";</script>'
        f'<script nonce="{nonce}">throw new Error("broken on purpose");</script></body>',
    )
    report = tmp_path / "broken.html"
    report.write_text(broken, encoding="utf-8")
    dom, console = browse(report.as_uri())
    assert any("broken on purpose" in line for line in console), console
    assert any("Content Security Policy" in line for line in console), console
    assert [a for t, a in dom.tags if t == "body"] == [{}]  # the un-nonced script never ran


@needs_chromium
@pytest.mark.parametrize(
    ("fragment", "shown"),
    [
        ("#status=mismatch", ["ref-4", "ref-5", "ref-9"]),
        ("#status=mismatch&rule=RC601", ["ref-4"]),
        ("#rule=RC502", ["ref-1"]),
        ("#status=verified,not_found", ["ref-8", "ref-1", "ref-2", "ref-3"]),
    ],
)
def test_filters_change_what_a_real_browser_shows(
    report_file: Path, fragment: str, shown: list[str]
) -> None:
    dom, console = browse(report_file.as_uri() + fragment)
    assert console == []
    assert dom.shown() == shown
    assert f"{len(shown)} of {len(VERDICTS)} shown" in dom.text()
    # A file, or a whole part, with nothing left to show is hidden with its heading.
    groups = [a for t, a in dom.tags if t == "div" and a.get("class") == "file"]
    assert any("hidden" in a for a in groups)


class DevTools:
    """Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
    JSON messages ended by NUL, read on fd 3, written on fd 4), so no client library."""

    def __init__(self, scratch: str) -> None:
        assert CHROMIUM is not None
        ours_to_it, its_in = os.pipe()[::-1]
        its_out, ours_from_it = os.pipe()[::-1]

        def as_fds_3_and_4() -> None:  # in the child: its ends on the fds Chromium expects
            read_end, write_end = os.dup(its_in), os.dup(its_out)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={Path(scratch) / 'profile'}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            preexec_fn=as_fds_3_and_4,
            close_fds=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "TMPDIR": scratch},
        )
        os.close(its_in)
        os.close(its_out)
        self.to_it, self.from_it = ours_to_it, ours_from_it
        self.buffer = b""
        self.last_id = 0
        self.events: list[dict[str, Any]] = []
        self.session = ""

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            assert left > 0, "Chromium did not answer"
            ready, _, _ = select.select([self.from_it], [], [], left)
            chunk = os.read(self.from_it, 1 << 16) if ready else b""
            assert not ready or chunk, "Chromium closed the pipe"
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        decoded: dict[str, Any] = json.loads(message)
        return decoded

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.to_it, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while (answer := self._receive(deadline)).get("id") != self.last_id:
            self.events.append(answer)
        assert "error" not in answer, answer
        result: dict[str, Any] = answer["result"]
        return result

    def open(self, url: str) -> None:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Page"):
            self.call(f"{domain}.enable")
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self._receive(deadline))

    def evaluate(self, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in answer, answer
        return answer["result"].get("value")

    def complaints(self) -> list[dict[str, Any]]:
        """Uncaught exceptions, console errors and warnings, and the browser's own errors."""
        return [
            e
            for e in self.events
            if e.get("method") == "Runtime.exceptionThrown"
            or (
                e.get("method") == "Runtime.consoleAPICalled"
                and e["params"]["type"] in ("error", "warning", "assert")
            )
            or (
                e.get("method") == "Log.entryAdded"
                and e["params"]["entry"]["level"] in ("error", "warning")
            )
        ]

    def close(self) -> None:
        self.session = ""
        try:
            self.call("Browser.close")
        finally:
            self.process.wait(timeout=30)
            os.close(self.to_it)
            os.close(self.from_it)


# What a reader sees: the references laid out (not hidden by the filters' CSS).
VISIBLE = (
    "Array.from(document.querySelectorAll('.reference'))"
    ".filter(function (e) { return e.offsetParent !== null; }).map(function (e) { return e.id; })"
)


@needs_chromium
@pytest.mark.skipif(os.name != "posix", reason="the DevTools pipe is set up with POSIX fds")
def test_clicking_the_filters_changes_what_a_reader_sees(report_file: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="rc-", dir="/tmp") as scratch:
        browser = DevTools(scratch)
        try:
            browser.open(report_file.as_uri())
            everything = browser.evaluate(VISIBLE)
            assert sorted(everything) == sorted(f"ref-{n}" for n in range(1, len(VERDICTS) + 1))
            browser.evaluate("document.querySelector('input[value=verified]').click()")
            assert browser.evaluate(VISIBLE) == [
                "ref-4", "ref-5", "ref-7", "ref-8", "ref-6", "ref-9"
            ]  # fmt: skip
            browser.evaluate(
                "var rule = document.querySelector('select[name=rule]'); rule.value = 'RC301';"
                "rule.dispatchEvent(new Event('change', {bubbles: true}))"
            )
            assert browser.evaluate(VISIBLE) == ["ref-5"]
            assert browser.evaluate("document.getElementById('shown').textContent") == (
                f"1 of {len(VERDICTS)} shown"
            )
            # The verified part has nothing left: its heading goes with it.
            assert browser.evaluate("document.querySelector('.part.fine').offsetParent") is None
            browser.evaluate("document.querySelector('input[value=verified]').click()")
            browser.evaluate(
                "var rule = document.querySelector('select[name=rule]'); rule.value = '';"
                "rule.dispatchEvent(new Event('change', {bubbles: true}))"
            )
            assert browser.evaluate(VISIBLE) == everything
            assert browser.evaluate("document.body.dataset.pwned === undefined") is True
            assert browser.complaints() == []
        finally:
            browser.close()


@needs_chromium
@pytest.mark.skipif(os.name != "posix", reason="the DevTools pipe is set up with POSIX fds")
def test_the_devtools_check_sees_errors(tmp_path: Path, page_source: str) -> None:
    # The test above could not fail if complaints() missed them: a refused script, a console
    # error and an exception must all be caught.
    nonce = policy_nonce(Page(page_source))
    broken = page_source.replace(
        "</body>",
        '<script>document.body.dataset.pwned = "1";</script>'
        f'<script nonce="{nonce}">console.error("logged on purpose");'
        'throw new Error("broken on purpose");</script></body>',
    )
    report = tmp_path / "broken.html"
    report.write_text(broken, encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="rc-", dir="/tmp") as scratch:
        browser = DevTools(scratch)
        try:
            browser.open(report.as_uri())
            seen = {e["method"] for e in browser.complaints()}
            assert browser.evaluate("document.body.dataset.pwned === undefined") is True
        finally:
            browser.close()
    assert seen == {"Runtime.exceptionThrown", "Runtime.consoleAPICalled", "Log.entryAdded"}
