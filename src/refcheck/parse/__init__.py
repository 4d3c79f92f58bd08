"""Free-text references (a blog post's reference list, any citation style) -> fields.

    >>> from refcheck.parse import parse_reference
    >>> parsed = parse_reference("Peul WC, Koes BW. Sciatica. Lancet. 2013;368(11):999-1007.")
    >>> parsed.year, parsed.volume, parsed.issue, parsed.pages
    (2013, '368', '11', '999-1007')

A hand-written parser (no model): see :mod:`refcheck.parse.reference` for the walk and
``benchmarks/parsing.py`` for its measured accuracy per field and per style.
"""

from refcheck.parse.reference import FIELDS, ParsedReference, parse_reference, to_reference

__all__ = ["FIELDS", "ParsedReference", "parse_reference", "to_reference"]
