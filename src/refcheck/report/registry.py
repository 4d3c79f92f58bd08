"""Every output format by name: a closed, read-only mapping of name -> emitter.

An emitter writes a whole report of ``verdicts`` to a text stream and returns nothing. The
``text`` and ``concise`` entries render for files and pipes (no colour, lines never
wrapped); the CLI streams them itself, laid out for a terminal when stdout is one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Protocol, TextIO

from rich.console import Console

from refcheck.errors import ConfigError
from refcheck.models import Verdict
from refcheck.report import concise, github, html, junit, markdown, sarif
from refcheck.report import json as json_report
from refcheck.report import text as text_report
from refcheck.report.model import InText

Emitter = Callable[[Sequence[Verdict], TextIO], None]

TEXT_WIDTH = 120


def plain_console(out: TextIO) -> Console:
    """A console that writes the ``text`` format without colour or styles.

    Lines are never wrapped (``soft_wrap``): a file, a pipe or a CI log is read by grep,
    editors and problem matchers, which need each reference's line whole.
    """
    return Console(
        file=out,
        color_system=None,
        no_color=True,
        force_terminal=False,
        force_jupyter=False,
        width=TEXT_WIDTH,
        highlight=False,
        emoji=False,
        soft_wrap=True,
    )


def emit_plain_text(verdicts: Sequence[Verdict], out: TextIO) -> None:
    """The ``text`` format without colour or styles, for a file or a pipe."""
    text_report.emit(verdicts, plain_console(out), text_report.View(text_report.Layout.PLAIN))


def emit_concise(verdicts: Sequence[Verdict], out: TextIO) -> None:
    """The ``concise`` format without colour: the finding lines and the summary."""
    concise.emit(verdicts, plain_console(out))


class InTextEmitter(Protocol):
    """An emitter that also writes the in-text citation findings (``in_text``)."""

    def __call__(
        self, verdicts: Sequence[Verdict], out: TextIO, in_text: InText | None = None
    ) -> None: ...


# The formats written whole at the end carry the in-text findings; text and concise print
# them as they stream (intext_run.InTextRun.write).
IN_TEXT_EMITTERS: Mapping[str, InTextEmitter] = MappingProxyType(
    {
        "json": json_report.emit,
        "sarif": sarif.emit,
        "github": github.emit,
        "junit": junit.emit,
        "markdown": markdown.emit,
        "html": html.emit,
    }
)
# Every format: the streamed two around those, so that a format written whole is named once.
EMITTERS: Mapping[str, Emitter] = MappingProxyType(
    {"text": emit_plain_text, **IN_TEXT_EMITTERS, "concise": emit_concise}
)
FORMATS: tuple[str, ...] = tuple(EMITTERS)


def emitter(name: str) -> Emitter:
    """The emitter of format ``name``; :class:`ConfigError` naming the formats if unknown."""
    try:
        return EMITTERS[name]
    except KeyError:
        raise ConfigError(f"unknown format '{name}' (one of: {', '.join(FORMATS)})") from None
