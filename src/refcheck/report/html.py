"""The ``html`` format: one self-contained page (inline CSS, no script, no external asset).

A summary, then every reference in input order: its verdict, the work it matched (linked
to ``https://doi.org/``), why it is unverified, not found or invalid, and its findings
with the cited and Crossref values side by side.

Every piece of untrusted text goes through :func:`text` (controls removed, cut to 2,000
characters, then ``html.escape``); the page also forbids scripts by its
Content-Security-Policy, so even a slip in escaping could not run code.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from typing import TextIO
from urllib.parse import quote

from refcheck._version import __version__
from refcheck.models import Finding, Status, Verdict
from refcheck.report.model import summarise
from refcheck.report.safety import clean, reference_name, where
from refcheck.report.text import STATUS_STYLE
from refcheck.rules import BY_CODE

DOI_RESOLVER = "https://doi.org/"
# Longer values are cut: a page stays readable (and small) whatever a title holds.
MAX_VALUE = 2_000
POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem;
  padding: 0 1rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; list-style: none; }
.counts li { border: 1px solid #d0d7de; border-radius: 6px; padding: .25rem .6rem; }
.reference { border: 1px solid #d0d7de; border-left-width: 6px; border-radius: 6px;
  margin: 1rem 0; padding: .5rem 1rem; overflow-wrap: anywhere; }
.reference h2 { font-size: 1rem; margin: .25rem 0; }
.verified { border-left-color: #1a7f37; } .mismatch { border-left-color: #cf222e; }
.not_found { border-left-color: #bc4c00; } .unverified { border-left-color: #9a6700; }
.invalid { border-left-color: #8250df; } .skipped { border-left-color: #6e7781; }
.status { font-weight: 600; margin-right: .5rem; }
.cited-text { color: #59636e; margin: .25rem 0; }
.reason { font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; table-layout: fixed; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
th { background: #f6f8fa; }
.error td.severity { color: #cf222e; font-weight: 600; }
.warning td.severity { color: #9a6700; font-weight: 600; }
.info { color: #59636e; }
td.crossref { color: #1a7f37; }
footer { color: #59636e; font-size: .85rem; margin-top: 2rem; }
"""


def text(value: str | None, limit: int = MAX_VALUE) -> str:
    """Untrusted text as HTML character data (or a quoted attribute value)."""
    return html.escape(clean(value, limit), quote=True)


def doi_url(doi: str) -> str:
    """``https://doi.org/`` + the DOI percent-encoded (``/`` kept, as doi.org expects)."""
    return DOI_RESOLVER + quote(clean(doi, 500), safe="/")


def _doi_link(doi: str) -> str:
    url = html.escape(doi_url(doi), quote=True)
    return f'<a href="{url}" rel="noopener noreferrer">{text(doi, 500)}</a>'


def _rule_title(f: Finding) -> str:
    rule = BY_CODE.get(f.code)
    return text(f"{f.code} {rule.name}" if rule else f.code, 100)


def _findings(findings: Sequence[Finding]) -> Iterator[str]:
    yield (
        '<table class="findings"><colgroup><col style="width:6rem"><col style="width:12rem">'
        '<col style="width:6rem"><col><col><col></colgroup>'
        "<thead><tr><th>severity</th><th>rule</th><th>field</th><th>cited</th>"
        "<th>Crossref</th><th>message</th></tr></thead><tbody>"
    )
    for f in findings:
        yield (
            f'<tr class="{f.severity.value}"><td class="severity">{f.severity.value}</td>'
            f"<td>{_rule_title(f)}</td><td>{f.field}</td>"
            f'<td class="cited">{text(f.cited) or "—"}</td>'
            f'<td class="crossref">{text(f.expected) or "—"}</td>'
            f"<td>{text(f.message)}</td></tr>"
        )
    yield "</tbody></table>"


def _reference(index: int, verdict: Verdict) -> Iterator[str]:
    status = verdict.status.value
    label = STATUS_STYLE[verdict.status][0]
    yield f'<section class="reference {status}" id="ref-{index}">'
    yield (
        f'<h2><span class="status">{html.escape(label)}</span>'
        f"{text(where(verdict.reference.location))} "
        f"<code>{text(reference_name(verdict, 200))}</code></h2>"
    )
    if verdict.reference.text:
        yield f'<p class="cited-text">{text(verdict.reference.text)}</p>'
    if verdict.work is not None:
        score = f" (score {verdict.score:.3f})" if verdict.score is not None else ""
        yield f"<p>Crossref: {_doi_link(verdict.work.doi)}{score}</p>"
    reason = verdict.message or verdict.reference.problem
    if reason and verdict.status is not Status.VERIFIED:
        yield f'<p class="reason">{text(reason)}</p>'
    if verdict.findings:
        yield from _findings(verdict.findings)
    yield "</section>"


def _summary(verdicts: Sequence[Verdict]) -> Iterator[str]:
    s = summarise(verdicts)
    noun = "reference" if s.total == 1 else "references"
    yield f'<p class="total"><strong>{s.total} {noun}</strong></p><ul class="counts">'
    for count, name, status in (
        (s.verified, "verified", "verified"),
        (s.mismatch, "mismatch", "mismatch"),
        (s.not_found, "not found", "not_found"),
        (s.unverified, "unverified", "unverified"),
        (s.invalid, "invalid", "invalid"),
        *(((s.skipped, "skipped", "skipped"),) if s.skipped else ()),
    ):
        yield f'<li class="{status}">{count} {name}</li>'
    for count, name in ((s.errors, "errors"), (s.warnings, "warnings"), (s.infos, "info")):
        yield f"<li>{count} {name}</li>"
    yield "</ul>"


def render(verdicts: Sequence[Verdict]) -> str:
    """The whole page."""
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>refcheck report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        "<header><h1>refcheck report</h1>\n"
    )
    parts = [head, *_summary(verdicts), "</header>\n<main>\n"]
    for index, verdict in enumerate(verdicts, start=1):
        parts.append("".join(_reference(index, verdict)) + "\n")
    parts.append(
        f"</main>\n<footer>refcheck {html.escape(__version__)}</footer>\n</body>\n</html>\n"
    )
    return "".join(parts)


def emit(verdicts: Sequence[Verdict], out: TextIO) -> None:
    out.write(render(verdicts))
