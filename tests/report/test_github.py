from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from refcheck.models import Location, Reference, Status, Verdict
from refcheck.report import github
from refcheck.rules import finding

from .fixtures import NASTY_BIB, POST, SEED_BIB, VERDICTS, render

# The commands the runner obeys (its registered command extensions plus stop-commands).
RUNNER_COMMANDS = {
    "set-env", "set-output", "save-state", "add-mask", "add-path", "add-matcher",
    "remove-matcher", "debug", "warning", "error", "notice", "group", "endgroup", "echo",
    "stop-commands",
}  # fmt: skip


@dataclass
class Command:
    name: str
    properties: dict[str, str] = field(default_factory=dict)
    data: str = ""


def _unescape(value: str, pairs: list[tuple[str, str]]) -> str:
    for escaped, char in pairs:
        value = value.replace(escaped, char)
    return value


def runner_parse(line: str) -> Command | None:
    """What the Actions runner reads from one log line (ActionCommand.TryParseV2, then the
    legacy ``##[`` form TryParse, which matches anywhere in the line)."""
    text = line.lstrip()
    if text.startswith("::"):
        end = text.find("::", 2)
        if end >= 0:
            info = text[2:end]
            name, _, props = info.partition(" ")
            if name in RUNNER_COMMANDS:
                command = Command(name)
                for pair in props.strip().split(","):
                    key, eq, value = pair.partition("=")
                    if eq and key and value:
                        command.properties[key] = _unescape(
                            value,
                            [
                                ("%0D", "\r"),
                                ("%0A", "\n"),
                                ("%3A", ":"),
                                ("%2C", ","),
                                ("%25", "%"),
                            ],
                        )
                command.data = _unescape(
                    text[end + 2 :], [("%0D", "\r"), ("%0A", "\n"), ("%25", "%")]
                )
                return command
    start = line.find("##[")
    if start >= 0:
        end = line.find("]", start)
        if end >= 0 and line[start + 3 : end].split(" ")[0] in RUNNER_COMMANDS:
            return Command(line[start + 3 : end].split(" ")[0], data=line[end + 1 :])
    return None


def commands_of(verdicts: list[Verdict] | tuple[Verdict, ...]) -> list[Command]:
    output = render(github.emit, verdicts)
    assert output.endswith("\n")
    lines = output[:-1].split("\n")
    parsed = [runner_parse(line) for line in lines]
    assert all(command is not None for command in parsed), lines
    return [command for command in parsed if command is not None]


def test_one_annotation_per_problem() -> None:
    commands = commands_of(VERDICTS)
    assert [(c.name, c.properties.get("title")) for c in commands] == [
        ("error", "RC601 volume-mismatch"),
        ("error", "RC301 author-missing"),
        ("notice", "unverified"),
        ("error", "RC001 invalid-entry"),
        ("error", "RC101 doi-not-found"),
        ("error", "RC201 title-mismatch"),
        ("warning", "RC202 title-variant"),
    ]  # info findings (RC502, RC402) are not annotated


def test_annotations_carry_file_line_and_values() -> None:
    volume, authors, unverified, invalid = commands_of(VERDICTS)[:4]
    assert volume.properties == {
        "file": SEED_BIB,
        "line": "44",
        "title": "RC601 volume-mismatch",
    }
    assert volume.data == "Volume 35 cited; Crossref has 36\ncited: 35\nCrossref: 36"
    assert authors.data.endswith("cited: Kasch, Hancock\nCrossref: Kasch, Truthmann, Hancock")
    assert unverified.properties["file"] == POST
    assert "connection refused" in unverified.data
    assert invalid.data == "The entry could not be read: unbalanced braces: the entry never closes"


def test_hostile_text_cannot_inject_a_command() -> None:
    output = render(github.emit, VERDICTS)
    lines = output.splitlines()
    assert len(lines) == 7  # the newlines of the title did not make lines of their own
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert "\x1b" not in output
    assert "\r" not in output
    assert "##[" not in output  # the runner's legacy form would match mid-line
    title, variant = commands_of(VERDICTS)[5:]
    # Commas and colons of the path survive as property text, not as new properties.
    assert title.properties["file"] == NASTY_BIB
    assert set(title.properties) == {"file", "line", "title"}
    assert "::error file=x::pwned" in title.data  # shown as text, inside the message
    assert "<script>alert(1)</script>" in title.data
    assert len(title.data) < github.MAX_MESSAGE + 2 * github.MAX_VALUE + 40
    assert variant.name == "warning"


@pytest.mark.parametrize(
    "value", ["100%", "a\nb", "a\r\nb", "%0A", "%250A", "a::b", "x,y:z", "%%0D%"]
)
def test_escaping_round_trips_through_the_runner(value: str) -> None:
    line = github.command("error", value, file=value, line=3, title=value)
    assert "\n" not in line
    assert "\r" not in line
    parsed = runner_parse(line)
    assert parsed is not None
    assert parsed.name == "error"
    assert parsed.data == value
    assert parsed.properties == {"file": value, "line": "3", "title": value}


def test_unknown_line_or_file_is_left_out() -> None:
    no_line = Verdict(
        reference=Reference(location=Location(path="refs.bib", line=None), doi="10.1/x"),
        status=Status.NOT_FOUND,
        findings=(finding("RC101", "unknown DOI", cited="10.1/x"),),
    )
    no_file = no_line.model_copy(update={"reference": Reference(doi="10.1/x")})
    first, second = commands_of([no_line, no_file])
    assert first.properties == {"file": "refs.bib", "title": "RC101 doi-not-found"}
    assert second.properties == {"title": "RC101 doi-not-found"}


def test_only_info_findings_give_no_output() -> None:
    assert render(github.emit, [VERDICTS[0], VERDICTS[1], VERDICTS[2]]) == ""


def test_snapshot(snapshot: Callable[[str, str], None]) -> None:
    snapshot("report.github.txt", render(github.emit, VERDICTS))
