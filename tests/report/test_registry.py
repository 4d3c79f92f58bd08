from __future__ import annotations

import io
import re

import pytest

from refcheck.errors import ConfigError
from refcheck.models import Location, Reference, Status, Verdict
from refcheck.report import json as json_report
from refcheck.report import registry
from refcheck.report.text import clean
from refcheck.rules import finding

from .fixtures import VERDICTS, render

MINE = ("sarif", "github", "junit", "markdown", "html")


def test_the_closed_set_of_formats() -> None:
    assert registry.FORMATS == (
        "text",
        "json",
        "sarif",
        "github",
        "junit",
        "markdown",
        "html",
        "concise",
    )
    assert tuple(registry.EMITTERS) == registry.FORMATS
    assert registry.EMITTERS["json"] is json_report.emit
    with pytest.raises(TypeError):
        registry.EMITTERS["yaml"] = json_report.emit  # type: ignore[index]


def test_unknown_format_is_a_config_error_naming_the_formats() -> None:
    assert registry.emitter("sarif") is registry.EMITTERS["sarif"]
    with pytest.raises(ConfigError, match="unknown format 'yaml' \\(one of: text, json, sarif"):
        registry.emitter("yaml")


def test_plain_text_has_no_colour_no_wrapping_and_no_padding() -> None:
    output = render(registry.EMITTERS["text"], VERDICTS)
    assert "\x1b" not in output
    assert "refs/seed.bib:44 [brinjikji2015vol]" in output
    assert "9 references: 3 verified, 3 mismatch" in output
    # Every reference's header is one whole line, whatever its length.
    heads = [
        line
        for line in output.splitlines()
        if line.startswith(("refs/", "posts/")) and not re.search(r":\d+: RC\d{3} ", line)
    ]
    assert len(heads) == len(VERDICTS)
    assert all(clean(v.work.doi, 120) in output for v in VERDICTS if v.work is not None)
    assert not any(line != line.rstrip() for line in output.splitlines())
    assert not any(line.lstrip().startswith("::") for line in output.splitlines())


@pytest.mark.parametrize("name", registry.FORMATS)
def test_every_format_writes_to_any_text_stream(name: str) -> None:
    out = io.StringIO()
    registry.EMITTERS[name](VERDICTS, out)
    assert out.getvalue()
    empty = io.StringIO()
    registry.EMITTERS[name]([], empty)  # nothing to report is still a report (or nothing)


@pytest.mark.parametrize("name", MINE)
def test_undecodable_bytes_and_odd_locations_never_break_a_format(name: str) -> None:
    # Lone surrogates are what undecodable bytes become; writing them as UTF-8 would raise.
    odd = Verdict(
        reference=Reference(
            location=Location(path="\udcffrefs\x00.bib", line=0, key="\udcfe\u202ekey"),
            text="\udcff" * 10,
            title="t\udcff",
        ),
        status=Status.MISMATCH,
        findings=(finding("RC201", "title \udcff", cited="\udcff", expected="\x9b31m"),),
    )
    output = render(registry.EMITTERS[name], [odd])
    output.encode("utf-8")  # strict: raises on any surviving surrogate
    assert "\x00" not in output
    assert "\u202e" not in output
