"""The ``concise`` format, for pre-commit hooks and editors: one line per finding (an
author finding: one per name it marks), each ``path:line: RCnnn severity field: detail``,
then the summary; nothing else.

The lines are the text report's own finding lines (:mod:`refcheck.report.text`), so the
two formats never disagree on what a finding says.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console

from refcheck.models import Verdict
from refcheck.report import text

VIEW = text.View(text.Layout.CONCISE)


def emit(verdicts: Sequence[Verdict], console: Console) -> None:
    text.emit(verdicts, console, VIEW)
