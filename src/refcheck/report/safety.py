"""Untrusted text made safe and bounded, for every report format.

Titles, names, reference text and even messages (which quote cited values) come from the
files being checked or from Crossref: they can hold terminal escapes, control characters,
lone surrogates (undecodable bytes), bidirectional overrides, newlines and megabytes of
text. Each emitter escapes for its own syntax; first, everything passes through here.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from refcheck.models import Location, Verdict

# Terminal escape sequences first (CSI like "\x1b[31m", OSC like "\x1b]8;;url\x07"), so
# their parameters do not survive as visible junk once the escape byte alone is dropped.
# An OSC sequence only when terminated: an unterminated one must not swallow what follows.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
# C0 and C1 controls but tab and newline, DEL, lone surrogates (unencodable as UTF-8),
# the two non-characters XML 1.0 forbids, and bidi overrides that reorder what is shown.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)

# The GitHub runner still obeys its legacy "##[command]" form anywhere in a log line, so any
# report printed in a CI log could run one; a zero-width space keeps the text readable.
_LEGACY_COMMAND = "##["
_LEGACY_DEFUSED = "##\u200b["

ELLIPSIS = "…"
# A value longer than this is never useful in a report, whatever the format.
MAX_VALUE = 2_000


def strip_unsafe(value: str) -> str:
    """``value`` without escape sequences or characters no report format can carry."""
    return _UNSAFE.sub("", _ESCAPE_SEQUENCE.sub("", value))


def cut(value: str, limit: int = MAX_VALUE) -> str:
    """``value`` bounded to ``limit`` characters, an ellipsis marking the cut."""
    if limit < 1:
        return ""
    return value if len(value) <= limit else value[: limit - 1] + ELLIPSIS


def clean(value: str | None, limit: int = MAX_VALUE) -> str:
    """Untrusted text as one safe line: no controls, whitespace runs (newlines too) as one
    space, no legacy runner command, at most ``limit`` characters."""
    if not value:
        return ""
    # Cut a generous slice before the regexes so a 100 MB title costs no more than a short one.
    text = " ".join(strip_unsafe(value[: limit * 4 + 64]).split())
    return cut(text.replace(_LEGACY_COMMAND, _LEGACY_DEFUSED), limit)


def posix_path(path: str) -> str:
    """A path as written with forward slashes, without a leading ``./``."""
    text = strip_unsafe(path).replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text


def is_absolute(path: str) -> bool:
    return path.startswith("/") or re.match(r"[A-Za-z]:/", path) is not None


def uri_reference(path: str) -> str:
    """A file path as a URI reference: relative stays relative, absolute becomes file://."""
    text = posix_path(path)
    if is_absolute(text):
        prefix = "file://" if text.startswith("/") else "file:///"
        return prefix + quote(text, safe="/:")
    return quote(text, safe="/")


def where(location: Location, limit: int = 300) -> str:
    """``path:line`` (or ``<input>``) for display; the key is not part of it."""
    text = clean(posix_path(location.path), limit) if location.path else "<input>"
    if location.line is not None:
        text += f":{location.line}"
    return text


def reference_name(verdict: Verdict, limit: int = 120) -> str:
    """How one reference is named in a list: its key, else its line, else its text."""
    location = verdict.reference.location
    if location.key:
        return clean(location.key, limit)
    if location.line is not None:
        return f"line {location.line}"
    return clean(verdict.reference.text, limit) or "(reference)"
