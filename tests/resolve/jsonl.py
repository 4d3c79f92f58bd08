"""Crossref works records for the snapshot and store tests: a builder, a small library of
them, and a writer of snapshot files."""

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


def record(
    doi: str,
    title: str,
    families: tuple[str, ...] = ("Smith",),
    container: str = "Journal of Examples",
    year: int = 2020,
    **extra: Any,
) -> dict[str, Any]:
    """A works record in Crossref's shape, with the fields a store does not keep."""
    return {
        "indexed": {"date-parts": [[2024, 1, 2]], "timestamp": 1704153600000},
        "DOI": doi,
        "type": "journal-article",
        "title": [title],
        "author": [
            {"family": f, "given": "A.", "sequence": "additional", "affiliation": [{"name": "U"}]}
            for f in families
        ],
        "reference": [
            {"key": "1", "unstructured": 'Said "[1], ", then', "DOI": "10.9/ref"},
            {"key": "2", "volume": "3", "author": "Other"},
        ],
        "container-title": [container],
        "issued": {"date-parts": [[year]]},
        **extra,
    }


LIBRARY = [
    record(
        "10.1000/Spine.1",
        "Lumbar MRI findings and future back pain",
        ("Kasch", "Truthmann"),
        "Spine",
        2022,
        volume="47",
        page="201-211",
    ),
    record("10.1000/spine.2", "Lumbar MRI findings in sciatica", ("Jensen",), "Spine", 2019),
    record("10.1000/spine.3", "Back pain in adolescents", ("Kasch",), "Pain", 2018),
    record(
        "10.1000/neuro.1",
        "Imaging features of spinal degeneration",
        ("Brinjikji", "Luetmer"),
        "American Journal of Neuroradiology",
        2015,
        **{"short-container-title": ["AJNR Am J Neuroradiol"]},
    ),
    record(
        "10.1000/bulow.1", "Über Rückenschmerzen &amp; <i>Ischias</i>", ("Bülow",), "Der Schmerz"
    ),
    record("10.1000/fish.1", "Fish populations of the North Sea", ("Hansen",), "Ecology", 2001),
]


# Snapshot lines in every way a line can be bad, between good ones: 13 lines, 11 not blank,
# 9 skipped (the work list with a bad item keeps its good one and counts as skipped).
BAD_LINES = [
    json.dumps(LIBRARY[0]).encode(),
    b"{not json",
    b"[1, 2, 3]",
    b'"a string"',
    json.dumps({"title": ["No DOI here"]}).encode(),
    json.dumps({"status": "error", "message": {"DOI": "10.1/err"}}).encode(),
    json.dumps({"status": "ok", "message": "Resource not found."}).encode(),
    json.dumps({"DOI": "10.1/bad-author", "author": 5}).encode(),
    b'{"DOI": "10.1/latin1", "title": ["Caf\xe9"]}',  # not UTF-8
    json.dumps({"status": "ok", "message": {"items": [LIBRARY[1], {"title": "x"}]}}).encode(),
    b"",
    b"   ",
    json.dumps(LIBRARY[2]).encode(),
]
