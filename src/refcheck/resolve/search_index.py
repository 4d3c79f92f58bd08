"""Bibliographic search over works held locally: a tokeniser and a BM25F scorer.

A reference without a DOI is looked up by its words. The same words must be cut the same
way on both sides, so :func:`tokenise` is the one place that decides what a word is: folded
to ASCII (``Bülow`` -> ``bulow``), casefolded, split on anything not a letter or digit, with
stop words and lone letters (initials) dropped.

:class:`SearchIndex` scores a free-text query against works with BM25F: each work is split
into weighted fields (:data:`FIELDS`, filled by :func:`work_fields`), a query word counts
once, rare words count more than common ones, and a word matched many times saturates. The
scores are floats, higher is better, in the spirit of Crossref's relevance score (not on the
same scale). An SQLite FTS store can reuse :func:`tokenise`, :func:`work_fields` and
:data:`FIELDS` to agree with this in-memory index.
"""

from __future__ import annotations

import heapq
import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from anyascii import anyascii

from refcheck.models import Work

__all__ = ["FIELDS", "STOP_WORDS", "FieldSpec", "SearchIndex", "tokenise", "work_fields"]

# Words that carry no identity in a title or a reference string: English function words and
# the furniture of citation styles ("et al.", "pp.", "vol.", "doi", "In: ... eds.").
_STOP_WORDS = """
    a an and are as at be by for from has have in into is it its of on or that the their
    this to was were which with without
    et al pp vol no nos ed eds edn doi http https www org dx retrieved available online
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS.split())

# Runs of letters and digits, but for lone letters (initials). anyascii and casefold have
# left only lower-case ASCII: no other letter or digit to find.
_WORD = re.compile(r"[a-z0-9]{2,}|[0-9]")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def tokenise(text: str) -> list[str]:
    """Split ``text`` into search words, in order, repeats kept.

    >>> tokenise("El Barzouhi, A., 2013. Follow-up Assessment of Sciatica. N Engl J Med")
    ['el', 'barzouhi', '2013', 'follow', 'up', 'assessment', 'sciatica', 'engl', 'med']
    """
    if "&" in text:
        # Crossref titles often carry HTML entities (&amp;, &lt;i&gt;) that are not words.
        text = html.unescape(text)
    folded = anyascii(text).casefold()
    # "O'Brien" and "Alzheimer's" are one word each, whatever the apostrophe was.
    if "'" in folded:
        folded = _APOSTROPHE.sub("", folded)
    return [word for word in _WORD.findall(folded) if word not in STOP_WORDS]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How much a match in a field counts (``weight``) and how much the field's length
    dilutes it (``b``, 0 = not at all, 1 = in full proportion, as in BM25)."""

    weight: float
    b: float


# Family names and title words identify a work best; the container is often abbreviated
# in references and shared by thousands of works; numbers (volume, issue, pages) only break
# ties between works that the words leave level.
FIELDS: Mapping[str, FieldSpec] = {
    "title": FieldSpec(weight=2.0, b=0.75),
    "authors": FieldSpec(weight=2.0, b=0.5),
    "container": FieldSpec(weight=1.0, b=0.5),
    "year": FieldSpec(weight=1.0, b=0.0),
    "numbers": FieldSpec(weight=0.5, b=0.0),
}

# BM25's saturation: the k1-th weighted match of a word is worth half its maximum.
_K1 = 1.2


def work_fields(work: Work) -> dict[str, str]:
    """The text of a work by search field (see :data:`FIELDS`); absent fields are empty."""
    titles = [work.title, work.subtitle, work.short_title]
    families = [p.family or p.literal or "" for p in work.authors]
    numbers = [work.volume, work.issue, work.page, work.article_number]
    return {
        "title": " ".join(t for t in titles if t),
        "authors": " ".join(f for f in families if f),
        "container": " ".join((*work.container_title, *work.short_container_title)),
        "year": " ".join(str(y) for y in work.years),
        "numbers": " ".join(n for n in numbers if n),
    }


class SearchIndex:
    """An inverted index over documents, each a mapping of field name -> text.

    Built once, then read-only: the score of each (word, document) pair is worked out at
    build time, so a query costs one dictionary walk per distinct query word. Documents are
    numbered by their position in the iterable given to the constructor. Fields not in
    ``fields`` are ignored.
    """

    def __init__(
        self,
        documents: Iterable[Mapping[str, str]],
        *,
        fields: Mapping[str, FieldSpec] = FIELDS,
    ) -> None:
        names = tuple(fields)
        term_counts: list[dict[str, Counter[str]]] = []
        lengths: dict[str, list[int]] = {name: [] for name in names}
        for document in documents:
            counts = {name: Counter(tokenise(document.get(name, ""))) for name in names}
            term_counts.append(counts)
            for name in names:
                lengths[name].append(sum(counts[name].values()))
        self._size = len(term_counts)
        # Average over documents that have the field, so works without, say, page numbers
        # do not make the works with them look long.
        average = {name: _mean([n for n in lengths[name] if n]) or 1.0 for name in names}

        weighted: dict[str, dict[int, float]] = {}
        for doc, counts in enumerate(term_counts):
            for name in names:
                spec = fields[name]
                length = lengths[name][doc]
                if not length:
                    continue
                norm = 1.0 - spec.b + spec.b * length / average[name]
                for word, tf in counts[name].items():
                    postings = weighted.setdefault(word, {})
                    postings[doc] = postings.get(doc, 0.0) + spec.weight * tf / norm

        self._postings: dict[str, dict[int, float]] = {}
        for word, postings in weighted.items():
            idf = _idf(self._size, len(postings))
            self._postings[word] = {
                doc: idf * tf * (_K1 + 1.0) / (_K1 + tf) for doc, tf in postings.items()
            }

    def __len__(self) -> int:
        return self._size

    def search(self, text: str, rows: int = 5) -> list[tuple[int, float]]:
        """The best ``rows`` documents for ``text`` as (document number, score), best first.

        Only documents sharing at least one word with the query are returned; ties go to the
        document added first, so answers are deterministic.
        """
        if rows <= 0:
            return []
        scores: dict[int, float] = {}
        for word in dict.fromkeys(tokenise(text)):
            postings = self._postings.get(word)
            if postings is None:
                continue
            for doc, score in postings.items():
                scores[doc] = scores.get(doc, 0.0) + score
        best = heapq.nsmallest(rows, scores.items(), key=lambda item: (-item[1], item[0]))
        return [(doc, round(score, 3)) for doc, score in best]


def _mean(values: Sequence[int]) -> float:
    return sum(values) / len(values) if values else 0.0


def _idf(size: int, frequency: int) -> float:
    # BM25's idf, kept positive for words that occur in more than half the documents.
    return math.log(1.0 + (size - frequency + 0.5) / (frequency + 0.5))
