"""The ``json`` format: the stable contract documented in the README.

Written entry by entry, so a report of 100,000 references never exists as one string: the
document is the :class:`~refcheck.models.Report` model's own JSON, byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError

from refcheck._version import __version__
from refcheck.models import Report, Verdict
from refcheck.report.model import InText, entry, summarise


def _dumped(model: BaseModel) -> str:
    try:
        return model.model_dump_json(indent=2)
    except PydanticSerializationError:
        # Lone surrogates (from "\udcff" escapes in a CSL-JSON file) cannot be UTF-8;
        # written as \u escapes the document stays valid JSON and nothing is lost.
        return json.dumps(model.model_dump(mode="python"), indent=2, ensure_ascii=True)


def emit(verdicts: Sequence[Verdict], out: TextIO, in_text: InText | None = None) -> None:
    """The report; with ``in_text``, each entry's in-text citations and the unlinked ones."""
    head = _dumped(
        Report(
            refcheck=__version__,
            summary=summarise(verdicts, in_text),
            unlinked_citations=in_text.unlinked() if in_text is not None else [],
            references=[],
        )
    )
    # "references" is the model's last field: its "[]" is the last in the document.
    cut = head.rindex("[]")
    out.write(head[:cut] + "[")
    written = False
    for index, verdict in enumerate(verdicts):
        body = _dumped(entry(verdict, index, in_text)).replace("\n", "\n    ")
        out.write(("," if written else "") + "\n    " + body)
        written = True
    out.write(("\n  ]" if written else "]") + head[cut + 2 :] + "\n")
