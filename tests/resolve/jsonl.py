"""Writing Crossref works records as snapshot files, for the snapshot and store tests."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    """One record (or raw string) a line; gzipped when the name ends in ``.gz``."""
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text + "\n")
    else:
        path.write_text(text + "\n", encoding="utf-8")
    return path
