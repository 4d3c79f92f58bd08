"""Free-text references (a blog post's reference list, any citation style) -> fields.

    >>> from refcheck.parse import parse_reference
    >>> parsed = parse_reference("Peul WC, Koes BW. Sciatica. Lancet. 2013;368(11):999-1007.")
    >>> parsed.year, parsed.volume, parsed.issue, parsed.pages
    (2013, '368', '11', '999-1007')

A hand-written parser (:mod:`refcheck.parse.reference`), which says which fields it is sure
of; for the others, a trained model's reading when it has one (:mod:`refcheck.parse.crf`, a
linear-chain CRF shipped in ``data/``; without python-crfsuite or the model file, the
hand-written parse alone). ``benchmarks/parsing.py`` measures the accuracy per field and
per style, ``benchmarks/crf_baseline.py`` the model against the hand-written parser.
"""

from refcheck.parse.reference import FIELDS, ParsedReference, parse_reference, to_reference

__all__ = ["FIELDS", "ParsedReference", "parse_reference", "to_reference"]
