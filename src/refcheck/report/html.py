"""The ``html`` format: one self-contained page for triage (inline CSS and one inline
script, no external asset).

Counts at the top, then the references with a problem, then the verified ones, each part
grouped by file: a reference's verdict, the work it matched (linked to ``https://doi.org/``),
why it is unverified, not found or invalid, and its findings with the cited value and the
record's side by side (the column named for the registry holding the work: Crossref,
DataCite, Open Library...), the characters that differ marked. A small script adds filters by
status and rule; without it the page shows everything and reads the same.

Every piece of untrusted text goes through :func:`text` (controls removed, cut to 2,000
characters, then ``html.escape``). The Content-Security-Policy allows only the script
carrying this page's nonce (a fresh random one per page), so even a slip in escaping
could not run code.
"""

from __future__ import annotations

import difflib
import html
import secrets
from collections.abc import Iterator, Sequence
from typing import TextIO
from urllib.parse import quote

from refcheck._version import __version__
from refcheck.models import Finding, Location, Severity, Status, Verdict
from refcheck.report.model import InText, summarise
from refcheck.report.safety import clean, posix_path, reference_name, where
from refcheck.report.text import STATUS_STYLE
from refcheck.rules import BY_CODE

DOI_RESOLVER = "https://doi.org/"
# Longer values are cut: a page stays readable (and small) whatever a title holds.
MAX_VALUE = 2_000
# Character diffs cost quadratic time: longer values are shown unmarked.
MAX_DIFF = 600
# An unchanged run this short between two changes is noise ("confetti"): marked with them.
MIN_KEPT = 3


def policy(nonce: str) -> str:
    """The page's Content-Security-Policy: nothing loads, only the nonced script runs."""
    return (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'"
    )


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem;
  padding: 0 1rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; font-family: ui-monospace, monospace;
  overflow-wrap: anywhere; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; list-style: none; }
.counts li { border: 1px solid #d0d7de; border-radius: 6px; padding: .25rem .6rem; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center;
  border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem 1rem; margin: 1rem 0; }
.filters fieldset { border: 0; margin: 0; padding: 0; }
.filters legend { float: left; font-weight: 600; margin-right: .5rem; }
.filters label { margin-right: .75rem; white-space: nowrap; }
.reference { border: 1px solid #d0d7de; border-left-width: 6px; border-radius: 6px;
  margin: .75rem 0; padding: .5rem 1rem; overflow-wrap: anywhere; }
.reference h4 { font-size: 1rem; margin: .25rem 0; }
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
del, ins { text-decoration: none; border-radius: 2px; }
del { background: #ffcecb; } ins { background: #aceebb; }
[hidden] { display: none !important; }
footer { color: #59636e; font-size: .85rem; margin-top: 2rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  .filters { display: none !important; }
  .reference { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  del, ins { text-decoration: underline; print-color-adjust: exact;
    -webkit-print-color-adjust: exact; }
  a[href]::after { content: " <" attr(href) ">"; font-size: .85em; color: #59636e; }
}
"""

# The filters. It only hides and shows what the page already holds: nothing is built from
# the report's text, so nothing untrusted can reach the DOM through it. A fragment such as
# "#status=mismatch,not_found&rule=RC601" opens the page filtered.
SCRIPT = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var references = document.querySelectorAll(".reference");
  function boxes() { return form.querySelectorAll("input[name=status]"); }
  function apply() {
    var statuses = {};
    boxes().forEach(function (box) { statuses[box.value] = box.checked; });
    var rule = form.elements.rule.value;
    var shown = 0;
    references.forEach(function (reference) {
      var rules = (reference.getAttribute("data-rules") || "").split(" ");
      var show = statuses[reference.getAttribute("data-status")] === true &&
        (rule === "" || rules.indexOf(rule) >= 0);
      reference.hidden = !show;
      if (show) { shown += 1; }
    });
    document.querySelectorAll(".file, .part").forEach(function (group) {
      group.hidden = group.querySelector(".reference:not([hidden])") === null;
    });
    document.getElementById("shown").textContent =
      shown + " of " + references.length + " shown";
  }
  var wanted = new URLSearchParams(location.hash.slice(1));
  if (wanted.has("status")) {
    var only = wanted.get("status").split(",");
    boxes().forEach(function (box) { box.checked = only.indexOf(box.value) >= 0; });
  }
  if (wanted.has("rule")) { form.elements.rule.value = wanted.get("rule"); }
  form.addEventListener("change", apply);
  form.hidden = false;
  apply();
})();
"""

STATUS_NAMES: dict[Status, str] = {
    Status.VERIFIED: "verified",
    Status.MISMATCH: "mismatch",
    Status.NOT_FOUND: "not found",
    Status.UNVERIFIED: "unverified",
    Status.INVALID: "invalid",
    Status.SKIPPED: "skipped",
}


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


def _runs(cited: str, expected: str) -> list[tuple[bool, str, str]]:
    """The two values as aligned runs ``(same, cited part, record's part)``."""
    matcher = difflib.SequenceMatcher(None, cited, expected, autojunk=False)
    runs: list[tuple[bool, str, str]] = []
    opcodes = matcher.get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        same = op == "equal"
        # A short common run inside a change reads as part of it ("3" in "35" -> "36" is
        # kept: it starts the value).
        if same and i2 - i1 < MIN_KEPT and 0 < n < len(opcodes) - 1:
            same = False
        if runs and not same and not runs[-1][0]:
            _, a, b = runs.pop()
            runs.append((False, a + cited[i1:i2], b + expected[j1:j2]))
        else:
            runs.append((same, cited[i1:i2], expected[j1:j2]))
    return runs


def marked(cited: str | None, expected: str | None) -> tuple[str, str]:
    """The cited and recorded values as HTML, what differs in ``<del>`` and ``<ins>``."""
    a, b = clean(cited, MAX_VALUE), clean(expected, MAX_VALUE)
    if not a or not b or len(a) > MAX_DIFF or len(b) > MAX_DIFF:
        return html.escape(a) or "—", html.escape(b) or "—"
    left: list[str] = []
    right: list[str] = []
    for same, part_a, part_b in _runs(a, b):
        if same:
            left.append(html.escape(part_a))
            right.append(html.escape(part_b))
            continue
        if part_a:
            left.append(f"<del>{html.escape(part_a)}</del>")
        if part_b:
            right.append(f"<ins>{html.escape(part_b)}</ins>")
    return "".join(left), "".join(right)


def _findings(findings: Sequence[Finding], registry: str) -> Iterator[str]:
    """The findings' table, the recorded values under ``registry``'s name."""
    yield (
        '<table class="findings"><colgroup><col style="width:6rem"><col style="width:12rem">'
        '<col style="width:6rem"><col><col><col></colgroup>'
        "<thead><tr><th>severity</th><th>rule</th><th>field</th><th>cited</th>"
        f"<th>{text(registry, 100)}</th><th>message</th></tr></thead><tbody>"
    )
    for f in findings:
        cited, crossref = marked(f.cited, f.expected)
        yield (
            f'<tr class="{f.severity.value}"><td class="severity">{f.severity.value}</td>'
            f"<td>{_rule_title(f)}</td><td>{f.field}</td>"
            f'<td class="cited">{cited}</td><td class="crossref">{crossref}</td>'
            f"<td>{text(f.message)}</td></tr>"
        )
    yield "</tbody></table>"


def _rules(verdict: Verdict) -> list[str]:
    return sorted({clean(f.code, 20) for f in verdict.findings})


def _reference(index: int, verdict: Verdict) -> Iterator[str]:
    status = verdict.status.value
    label = STATUS_STYLE[verdict.status][0]
    rules = html.escape(" ".join(_rules(verdict)), quote=True)
    yield (
        f'<section class="reference {status}" id="ref-{index}" data-status="{status}" '
        f'data-rules="{rules}">'
    )
    yield (
        f'<h4><span class="status">{html.escape(label)}</span>'
        f"{text(where(verdict.reference.location))} "
        f"<code>{text(reference_name(verdict, 200))}</code></h4>"
    )
    if verdict.reference.text:
        yield f'<p class="cited-text">{text(verdict.reference.text)}</p>'
    if verdict.work is not None:
        score = f" (score {verdict.score:.3f})" if verdict.score is not None else ""
        work = verdict.work
        # A book from Open Library has no DOI: its ISBN names it.
        named = _doi_link(work.doi) if work.doi else text(f"ISBN {', '.join(work.isbn)}", 200)
        yield f"<p>{text(work.registry)}: {named}{score}</p>"
    reason = verdict.message or verdict.reference.problem
    if reason and verdict.status is not Status.VERIFIED:
        yield f'<p class="reason">{text(reason)}</p>'
    if verdict.findings:
        # No work matched (a DOI found nowhere): the values are no one registry's.
        registry = verdict.work.registry if verdict.work is not None else "record"
        yield from _findings(verdict.findings, registry)
    yield "</section>"


def is_problem(verdict: Verdict) -> bool:
    """A reference someone should look at: not verified, or with an error or a warning."""
    if verdict.status not in (Status.VERIFIED, Status.SKIPPED):
        return True
    return any(f.severity is not Severity.INFO for f in verdict.findings)


def _by_file(numbered: Sequence[tuple[int, Verdict]]) -> Iterator[str]:
    """References grouped by file, files in the order they first appear."""
    files: dict[str, list[tuple[int, Verdict]]] = {}
    for index, verdict in numbered:
        path = verdict.reference.location.path
        files.setdefault(clean(posix_path(path), 300) if path else "<input>", []).append(
            (index, verdict)
        )
    for path, group in files.items():
        yield f'<div class="file"><h3>{html.escape(path)}</h3>\n'
        for index, verdict in group:
            yield "".join(_reference(index, verdict)) + "\n"
        yield "</div>\n"


def _parts(verdicts: Sequence[Verdict]) -> Iterator[str]:
    numbered = list(enumerate(verdicts, start=1))
    problems = [(n, v) for n, v in numbered if is_problem(v)]
    fine = [(n, v) for n, v in numbered if not is_problem(v)]
    for name, title, group in (("problems", "Problems", problems), ("fine", "Verified", fine)):
        if group:
            yield f'<section class="part {name}"><h2>{title} ({len(group)})</h2>\n'
            yield from _by_file(group)
            yield "</section>\n"


def _in_text(in_text: InText) -> Iterator[str]:
    """In-text citation findings, each at its citation's ``path:line:column`` (a section
    of its own, outside the references the filters show and hide)."""
    located = in_text.located(show_info=False)
    if not located:
        return
    yield (
        f'<section class="in-text"><h2>In-text citations ({len(located)})</h2>\n'
        '<table class="findings"><colgroup><col style="width:6rem"><col style="width:14rem">'
        '<col style="width:12rem"><col><col></colgroup>'
        "<thead><tr><th>severity</th><th>where</th><th>rule</th><th>citation</th>"
        "<th>message</th></tr></thead><tbody>"
    )
    for item in located:
        f = item.finding
        place = where(Location(path=item.path, line=item.line))
        if item.column is not None:
            place += f":{item.column}"
        yield (
            f'<tr class="{f.severity.value}"><td class="severity">{f.severity.value}</td>'
            f"<td>{text(place)}</td><td>{_rule_title(f)}</td>"
            f'<td class="cited">{text(item.text)}</td><td>{text(f.message)}</td></tr>\n'
        )
    yield "</tbody></table></section>\n"


def _summary(verdicts: Sequence[Verdict], in_text: InText | None = None) -> Iterator[str]:
    s = summarise(verdicts, in_text)
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


def _filters(verdicts: Sequence[Verdict]) -> Iterator[str]:
    """The filter form, hidden until the script shows it (it does nothing without it)."""
    statuses = [s for s in Status if any(v.status is s for v in verdicts)]
    rules: dict[str, int] = {}
    for verdict in verdicts:
        for code in _rules(verdict):
            rules[code] = rules.get(code, 0) + 1
    yield '<form id="filters" class="filters" hidden><fieldset><legend>Status</legend>'
    for status in statuses:
        count = sum(v.status is status for v in verdicts)
        yield (
            f'<label><input type="checkbox" name="status" value="{status.value}" checked> '
            f"{STATUS_NAMES[status]} ({count})</label>"
        )
    yield '</fieldset><label>Rule <select name="rule"><option value="">any rule</option>'
    for code in sorted(rules):
        rule = BY_CODE.get(code)
        name = f"{code} {rule.name}" if rule else code
        yield (
            f'<option value="{html.escape(code, quote=True)}">'
            f"{html.escape(name)} ({rules[code]})</option>"
        )
    yield '</select></label><output id="shown"></output></form>'


def render(
    verdicts: Sequence[Verdict], nonce: str | None = None, in_text: InText | None = None
) -> str:
    """The whole page; ``nonce`` (random unless given) lets its one script run."""
    nonce = nonce or secrets.token_urlsafe(18)
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy(nonce)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>refcheck report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        "<header><h1>refcheck report</h1>\n"
    )
    parts = [head, *_summary(verdicts, in_text), *_filters(verdicts), "</header>\n<main>\n"]
    parts.extend(_in_text(in_text) if in_text is not None else ())
    parts.extend(_parts(verdicts))
    parts.append(
        f"</main>\n<footer>refcheck {html.escape(__version__)}</footer>\n"
        f'<script nonce="{nonce}">{SCRIPT}</script>\n</body>\n</html>\n'
    )
    return "".join(parts)


def emit(verdicts: Sequence[Verdict], out: TextIO, in_text: InText | None = None) -> None:
    out.write(render(verdicts, in_text=in_text))
