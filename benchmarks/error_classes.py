"""Issue 12's classes of reference, shared by accuracy.py (BibTeX) and posts.py (CSL styles).

Each class is either an injected error (a field it belongs on, the edit that makes it) or a
kind of *correct* reference built from the real records that have an awkward property (an
old SICI DOI, a volume named by a year, affiliations held as authors). The classes are drawn
with their own random stream, after the original cases, so the original classes and their
figures stay as they were.

What is shared lives here: which records fit a class, the edits, and the per-class table.
How a record is written (BibTeX entry, CSL item) stays in each script.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from anyascii import anyascii

from refcheck.models import Severity, Verdict

# The classes' own random streams: the original cases keep the script's SEED untouched.
CLASS_SEED = 20261207

# Injected errors and the field a finding must be on.
CLASS_ERRORS = {
    "end-page": "pages",
    "title-word-substituted": "title",
    "title-word-dropped": "title",
    "title-word-added": "title",
    "sici-doi-volume": "volume",
    "year-volume-is-year": "year",
    "author-middle": "authors",
    "author-middle-shared": "authors",
    "year-no-doi": "year",
    # A middle author with a name that is hard to read or fold, misspelled (HARD_NAMES).
    "author-middle-particle": "authors",
    "author-middle-hyphen": "authors",
    "author-middle-multiword": "authors",
    "author-middle-nonascii": "authors",
    "author-middle-long": "authors",
    # A middle author given a compound family of another tradition (COMPOUND_FAMILIES) in
    # the record itself, then misspelled in any of its words: the record is altered.
    "author-middle-compound": "authors",
    # A wrong year without DOI in records unlike a journal article with pages: no pages
    # or article number, an article number, a book, chapter or proceedings paper, a title
    # of more than fifteen words.
    "year-no-doi-unpaged": "year",
    "year-no-doi-article-number": "year",
    "year-no-doi-book": "year",
    "year-no-doi-long-title": "year",
    # One content word dropped where a title is least like the others: its first or last
    # word, a word of its subtitle, a word of a title of three to five words.
    "title-word-dropped-edge": "title",
    "title-word-dropped-subtitle": "title",
    "title-word-dropped-short": "title",
}
# Correct references of records with an awkward property: any alarm is a false alarm.
CLASS_CORRECT = ("correct-sici-doi", "correct-volume-is-year", "correct-junk-authors")
# A class's DOI is always shown (the DOI is the point) or always hidden; others: a coin.
DOI_SHOWN = {
    "sici-doi-volume": True,
    "correct-sici-doi": True,
    "year-no-doi": False,
    "year-no-doi-unpaged": False,
    "year-no-doi-article-number": False,
    "year-no-doi-book": False,
    "year-no-doi-long-title": False,
}
BOOKISH = frozenset({
    "book", "book-chapter", "monograph", "edited-book", "reference-book", "reference-entry",
    "proceedings-article", "book-part", "book-section", "other",
})  # fmt: skip
# How the author list of a BibTeX entry is written for the middle-author classes.
NAME_FORMS = ("surname-first", "initials-first", "vancouver", "medline", "given-first")
# Name particles, folded: a family with one of these words before its core ("van der Berg").
# fmt: off
NAME_PARTICLES = frozenset({
    "van", "von", "der", "den", "de", "del", "della", "di", "du", "da", "dos", "das", "do",
    "des", "le", "la", "el", "al", "ter", "ten", "zu", "y", "bin", "ibn",
})
# fmt: on

# Compound family names of many traditions, none with a hyphen: Spanish and Portuguese
# double surnames, Dutch, French and Arabic particles, Malay, Indian and Chinese names. A
# None given name: the whole name is held as the family, family first ("Zhang Wei").
# fmt: off
COMPOUND_FAMILIES: tuple[tuple[str, str | None], ...] = (
    ("García Márquez", ""), ("Ruiz Ripoll", ""), ("Fernández de Córdoba", ""),
    ("dos Santos Silva", ""), ("Pereira da Costa", ""), ("van der Berg", ""),
    ("Le Roux", ""), ("De la Cruz", ""), ("Abu Bakar", ""), ("Mohd Yusof", ""),
    ("Al Rashid", ""), ("Ben Ali", ""), ("Sen Gupta", ""), ("Della Valle", ""),
    ("Temple Lang", ""), ("St John", ""), ("Nguyen Van Thanh", ""), ("Zhang Wei", None),
    ("Kim Min-jun", None), ("Abdul Rahman", ""),
)
# fmt: on
# Records altered by a class: served to refcheck as altered, apart from the other classes.
ALTERS_RECORD = frozenset({"author-middle-compound"})

# fmt: off
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "between", "by", "for", "from", "has", "have",
    "in", "into", "is", "its", "of", "on", "or", "over", "the", "their", "this", "through",
    "to", "under", "using", "versus", "via", "vs", "was", "were", "which", "with", "within",
    "without", "after", "among", "during", "than", "that", "these", "those", "when", "where",
    "whether", "does", "do", "not", "our",
})
# fmt: on
SICI = re.compile(r"\(sici\)", re.I)
YEAR = re.compile(r"(?:19|20)\d\d")
AFFILIATION = re.compile(
    r"\b(?:universit\w*|department|school|institute|hospital|college|faculty|professor)\b", re.I
)
RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)")


def text(value: Any) -> str | None:
    """A Crossref field's first string, whitespace closed up."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    return " ".join(value.split()) if isinstance(value, str) else None


def record_year(record: dict[str, Any]) -> int | None:
    for key in ("published-print", "issued"):
        try:
            return int(record[key]["date-parts"][0][0])
        except (KeyError, IndexError, TypeError, ValueError):
            continue
    return None


def known_years(record: dict[str, Any]) -> set[int]:
    """Every year the record gives: any of them cited is a right year."""
    years = set()
    for key in ("published-print", "published-online", "issued", "published"):
        with contextlib.suppress(KeyError, IndexError, TypeError, ValueError):
            years.add(int(record[key]["date-parts"][0][0]))
    return years


# --- which records fit a class --------------------------------------------------------------


def family_names(record: dict[str, Any]) -> list[str]:
    return [text(a.get("family")) or "" for a in record.get("author") or [] if a.get("family")]


def has_sici_doi(record: dict[str, Any]) -> bool:
    return bool(SICI.search(record["DOI"]))


def volume_is_year(record: dict[str, Any]) -> bool:
    return bool(YEAR.fullmatch(text(record.get("volume")) or ""))


def has_junk_authors(record: dict[str, Any]) -> bool:
    """An affiliation held as an author ("Assistant Professor, Department of ...")."""
    for author in record.get("author") or []:
        held = " ".join(text(author.get(k)) or "" for k in ("given", "family", "name"))
        if AFFILIATION.search(held) and "group" not in held.lower():
            return True
    return False


def no_named_year(record: dict[str, Any]) -> bool:
    """No year in the title or the container's name ("2012 Sixth International Conference").

    Such a year may vouch for the cited one by design (README, posts: a wrong year), so a
    wrong-year class leaves these records to the original year class.
    """
    named = " ".join(text(record.get(k)) or "" for k in ("title", "subtitle", "container-title"))
    return not re.search(r"\b(?:19|20)\d\d\b", named)


def complete_range(record: dict[str, Any]) -> tuple[int, int] | None:
    match = RANGE.fullmatch(text(record.get("page")) or "")
    if not match or int(match[2]) <= int(match[1]):
        return None
    return int(match[1]), int(match[2])


def middle_authors(record: dict[str, Any], shared: bool) -> list[int]:
    """Positions (among the authors with a family name) a middle-author typo may take.

    Lists of 4-6 names only; with ``shared``, only authors whose surname another author of
    the list has too ("Wang, K., Wang, J.").
    """
    authors = record.get("author") or []
    if len(authors) != len(family_names(record)) or not 4 <= len(authors) <= 6:
        return []
    names = [anyascii(n).lower() for n in family_names(record)]
    middle = range(1, len(names) - 1)
    if shared:
        return [i for i in middle if names.count(names[i]) > 1 and len(names[i]) >= 2]
    return [i for i in middle if len(names[i]) >= 2]


def hard_name(kind: str, family: str) -> bool:
    """Whether a family name is of the kind a hard-name class misspells."""
    words = family.split()
    if kind == "particle":
        return len(words) >= 2 and any(w.lower().strip(".'’") in NAME_PARTICLES for w in words[:-1])
    if kind == "hyphen":
        return bool(re.search(r"\w[-‐]\w", family))
    if kind == "multiword":
        return len(words) >= 2 and not hard_name("particle", family)
    if kind == "nonascii":
        return anyascii(family) != family and family.isalpha()
    raise ValueError(kind)


def hard_middle_authors(record: dict[str, Any], kind: str) -> list[int]:
    """Positions of middle authors with a hard name of the class's kind ("particle",
    "hyphen", "multiword", "nonascii"), in lists of 4-20 names; for "long", any middle
    author of a list of 7-20 names (behind "et al." in some styles: those skip it)."""
    authors = record.get("author") or []
    names = family_names(record)
    if len(authors) != len(names) or not 4 <= len(names) <= 20:
        return []
    middle = range(1, len(names) - 1)
    if kind == "long":
        return [i for i in middle if len(names) >= 7 and len(names[i]) >= 2]
    return [i for i in middle if hard_name(kind, names[i])]


def compound_families(records: Sequence[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """COMPOUND_FAMILIES and the families of two words or more the records hold (any
    author of any list: "Pyndt Jørgensen", "Akbari Sene"), given names kept."""
    found = {
        family: ""
        for r in records
        for family in family_names(r)
        if 2 <= len(family.split()) <= 4
        and re.fullmatch(r"[^\W\d_]+(?:[ '’-][^\W\d_]+)+", family)
        # No group ("Climate Editorial Office"): a lower-case word is a particle or nothing.
        and all(w[0].isupper() or w.lower() in NAME_PARTICLES for w in family.split())
        and not AFFILIATION.search(family)
        and "editor" not in family.lower()
        and "office" not in family.lower()
        and "Ã" not in family  # mojibake ("LÃ¼ck"), no name anyone writes
    }
    return [*COMPOUND_FAMILIES, *sorted(found.items())]


def with_compound_author(
    record: dict[str, Any], rng: random.Random, families: Sequence[tuple[str, str | None]] = ()
) -> dict[str, Any]:
    """A copy of the record whose middle author's family is a compound one (of
    ``families`` or COMPOUND_FAMILIES; given name kept, or none for a name held family
    first)."""
    out = copy.deepcopy(record)
    index = rng.choice(middle_authors(record, shared=False))
    family, given = rng.choice(families or COMPOUND_FAMILIES)
    author = out["author"][index]
    author["family"] = family
    if given is None:
        author.pop("given", None)
    return out


def misspelled_middle(kind: str, family: str, rng: random.Random) -> str:
    """A middle-author class's misspelling of ``family``."""
    return misspelled_family(
        family, rng, by_word=kind not in {"author-middle", "author-middle-shared"}
    )


def typo_positions(kind: str, record: dict[str, Any]) -> list[int]:
    """Where a middle-author class may put its misspelling."""
    if kind == "author-middle":
        return middle_authors(record, shared=False)
    if kind == "author-middle-shared":
        return middle_authors(record, shared=True)
    if kind == "author-middle-compound":
        # The altered record's compound (4-6 names): the one the class put there.
        families = family_names(record)
        return [i for i in middle_authors(record, shared=False) if len(families[i].split()) > 1]
    return hard_middle_authors(record, kind.removeprefix("author-middle-"))


def main_title_words(title: str) -> list[int]:
    """Positions of the content words before any subtitle: the words a title error changes."""
    words = title.split(" ")
    end = next((i for i, w in enumerate(words) if w.endswith((":", "?", "."))), len(words) - 1)
    return [i for i in range(end + 1) if content_word(words[i])]


def title_places(kind: str, title: str) -> list[int]:
    """Positions of the words a title class may change."""
    main = main_title_words(title)
    if kind == "title-word-dropped-edge":
        words = title.split(" ")
        return [i for i in dict.fromkeys((0, len(words) - 1)) if content_word(words[i])]
    if kind == "title-word-dropped-subtitle":
        words = title.split(" ")
        after = max(main, default=len(words))
        return [i for i in range(after + 1, len(words)) if content_word(words[i])]
    if kind == "title-word-dropped-short":
        return main if 3 <= len(title.split(" ")) <= 5 else []
    return main


def content_word(word: str) -> bool:
    core = word.strip(".,:;?!()[]\"'“”‘’")
    return len(core) >= 4 and core.isalpha() and core.lower() not in STOPWORDS


def fits(kind: str, record: dict[str, Any], title: str) -> bool:
    """Whether the record can make a reference of the class."""
    if kind == "end-page":
        return complete_range(record) is not None
    if kind in {"title-word-dropped-edge", "title-word-dropped-subtitle"}:
        return len(main_title_words(title)) >= 2 and bool(title_places(kind, title))
    if kind == "title-word-dropped-short":
        return len(title_places(kind, title)) >= 2
    if kind.startswith("title-word"):
        return len(main_title_words(title)) >= 3
    if kind in {"sici-doi-volume", "correct-sici-doi"}:
        return has_sici_doi(record) and bool(re.search(r"\d", text(record.get("volume")) or ""))
    if kind == "year-volume-is-year":
        return volume_is_year(record) and record_year(record) is not None and no_named_year(record)
    if kind == "correct-volume-is-year":
        return volume_is_year(record) and record_year(record) is not None
    if kind == "author-middle-compound":
        return bool(middle_authors(record, shared=False))
    if kind.startswith("author-middle"):
        return bool(typo_positions(kind, record))
    if kind.startswith("year-no-doi"):
        if record_year(record) is None or not no_named_year(record):
            return False
        return unusual(kind, record, title)
    if kind == "correct-junk-authors":
        return has_junk_authors(record)
    raise ValueError(kind)


def unusual(kind: str, record: dict[str, Any], title: str) -> bool:
    """Whether a record is of the kind a year-no-doi class draws (any, for the first)."""
    page = text(record.get("page")) or ""
    if kind == "year-no-doi-unpaged":
        return not page and not text(record.get("article-number"))
    if kind == "year-no-doi-article-number":
        number = text(record.get("article-number")) or ""
        return bool(number) or bool(re.fullmatch(r"[A-Za-z]*\d{4,}", page))
    if kind == "year-no-doi-book":
        return record.get("type") in BOOKISH
    if kind == "year-no-doi-long-title":
        return len(title.split()) > 15
    return True


def class_rng(kind: str, purpose: str) -> random.Random:
    """A class's own random stream: its cases stay the same whichever other classes run."""
    return random.Random(f"{CLASS_SEED}:{kind}:{purpose}")


def class_records(
    records: Sequence[dict[str, Any]],
    per_class: int,
    title_of: Callable[[dict[str, Any]], str],
    kinds: Sequence[str],
) -> list[tuple[str, dict[str, Any]]]:
    """Up to ``per_class`` records for each class, in a fixed order drawn from CLASS_SEED.

    The records are the split's own; a class that has fewer records than asked takes all.
    """
    chosen: list[tuple[str, dict[str, Any]]] = []
    for kind in kinds:
        order = list(records)
        class_rng(kind, "records").shuffle(order)
        fitting = [r for r in order if fits(kind, r, title_of(r))]
        chosen += [(kind, r) for r in fitting[:per_class]]
    return chosen


def other_record(
    record: dict[str, Any],
    kind: str,
    pool: Sequence[dict[str, Any]],
    title_of: Callable[[dict[str, Any]], str],
    rng: random.Random,
) -> dict[str, Any]:
    """Another record of the pool: for a title-word class, one whose title lends a new word."""
    other = rng.choice(pool)
    for _ in range(50):
        if other["DOI"].lower() != record["DOI"].lower() and (
            not kind.startswith("title-word") or donor_words(title_of(other), title_of(record))
        ):
            break
        other = rng.choice(pool)
    return other


def add_class_options(parser: argparse.ArgumentParser, records: int, each: str) -> None:
    """The scripts' options for issue 12's classes."""
    parser.add_argument(
        "--class-records",
        type=int,
        default=records,
        help=f"records of the split per issue 12 class, {each}; default {records} (0: none)",
    )
    parser.add_argument(
        "--classes",
        type=class_list,
        default=(*CLASS_ERRORS, *CLASS_CORRECT),
        help="comma-separated issue 12 classes to run (default all): "
        + ", ".join((*CLASS_ERRORS, *CLASS_CORRECT)),
    )


def class_list(value: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in CLASS_ERRORS and k not in CLASS_CORRECT]
    if unknown:
        raise argparse.ArgumentTypeError(f"no such class: {', '.join(unknown)}")
    return kinds


# --- the edits -------------------------------------------------------------------------------


def wrong_end_page(first_page: int, last: int, rng: random.Random) -> int:
    """Another last page after the first: a slip of the pen ("999-1070" for "999-1007")."""
    digits = str(last)
    options = {last + 1, last + 2, last + 10, last - 1}
    if len(digits) >= 2 and digits[-1] != digits[-2]:
        options.add(int(digits[:-2] + digits[-1] + digits[-2]))
    valid = sorted(p for p in options if p > first_page and p != last)
    return rng.choice(valid) if valid else last + 1


def wrong_year(year: int, taken: set[int], rng: random.Random) -> int:
    wrong = year + rng.choice([-3, -2, 2, 3, 5])
    while wrong in taken:
        wrong += 1
    return wrong


def year_beside_year_volume(record: dict[str, Any], year: int, rng: random.Random) -> int:
    """A wrong year for a record whose volume is a year.

    Where the volume's year is no year of the work, cite that: the wrong year then stands
    elsewhere in the reference too ("vol. 2008, ..., 2008"). Otherwise any wrong year.
    """
    volume = int(text(record.get("volume")) or 0)
    taken = known_years(record) | {year}
    if volume not in taken:
        return volume
    return wrong_year(year, taken, rng)


def similar_words(a: str, b: str) -> bool:
    """Spelling variants, plurals and the like: not a changed word."""
    a, b = anyascii(a).lower(), anyascii(b).lower()
    return a[:4] == b[:4] or SequenceMatcher(None, a, b).ratio() >= 0.7


def donor_words(other_title: str, title: str) -> list[str]:
    present = [w.strip(".,:;?!()[]\"'“”‘’") for w in title.split()]
    out = []
    for word in other_title.split():
        core = word.strip(".,:;?!()[]\"'“”‘’")
        if content_word(core) and not any(similar_words(core, p) for p in present):
            out.append(core)
    return out


def edit_title(kind: str, title: str, other_title: str, rng: random.Random) -> str | None:
    """The title with one content word substituted, dropped or added (None: no edit fits)."""
    words = title.split(" ")
    places = title_places(kind, title)
    if not places:
        return None
    i = rng.choice(places)
    core = words[i].strip(".,:;?!()[]\"'“”‘’")
    if kind.startswith("title-word-dropped"):
        # Punctuation that ended the dropped word stays on the word before it.
        tail = words[i][len(words[i].rstrip(".,:;?!")) :]
        del words[i]
        if tail and i > 0:
            words[i - 1] = words[i - 1].rstrip(".,:;?!") + tail
        # A writer starts the title with a capital still (the original class, kept as it
        # was measured, leaves the next word as it was).
        if i == 0 and words and kind != "title-word-dropped":
            words[0] = words[0][:1].upper() + words[0][1:]
        return " ".join(words)
    donors = donor_words(other_title, title)
    if not donors:
        return None
    new = rng.choice(donors)
    # The new word takes the case the title gives its neighbour (title or sentence case).
    new = new.capitalize() if core[:1].isupper() and i > 0 else new.lower()
    if kind == "title-word-substituted":
        if i == 0:
            new = new.capitalize()
        words[i] = words[i].replace(core, new, 1)
    else:
        words.insert(i, new if i > 0 else new.capitalize())
        if i == 0:
            words[1] = words[1] if sum(c.isupper() for c in words[1]) > 1 else words[1].lower()
    return " ".join(words)


def misspelled_family(family: str, rng: random.Random, by_word: bool = False) -> str:
    """One letter of the surname changed (never the first): "Wang" -> "Wxng".

    ``by_word`` (the hard-name classes): never the first letter of any word, nor a letter
    of a particle ("van der Berg" -> "van der Bxrg", "Ruiz-Ripoll" -> "Ruiz-Rxpoll").
    """
    letters = [i for i, c in enumerate(family) if c.isalpha()][1:]
    if by_word:
        letters = [
            m.start() + k
            for m in re.finditer(r"[^\s\-‐'’]+", family)
            if m[0].lower().strip(".") not in NAME_PARTICLES or " " not in family
            for k in range(1, len(m[0]))
            if m[0][k].isalpha()
        ] or letters
    if not letters:
        return family + "x"
    i = rng.choice(letters)
    old = family[i].lower()
    new = chr((ord(old) - 97 + rng.randrange(1, 25)) % 26 + 97) if "a" <= old <= "z" else "x"
    new = new.upper() if family[i].isupper() else new
    return family[:i] + new + family[i + 1 :]


# --- the per-class table -------------------------------------------------------------------


@dataclass
class Scored:
    """One reference of a class: what was cited, the record it is of, and refcheck's verdict."""

    kind: str
    cited: str
    doi: str
    verdict: Verdict | None  # None: not read as a reference
    group: str = ""  # a sub-division to count apart (a style, a name form)


def flagged(verdict: Verdict | None) -> bool:
    """A warning or error (retractions aside) or a status other than verified."""
    if verdict is None:
        return False
    return verdict.status.value != "verified" or any(
        f.severity is not Severity.INFO and f.field != "retraction" for f in verdict.findings
    )


def on_field(kind: str, verdict: Verdict | None) -> bool:
    field = CLASS_ERRORS[kind]
    return verdict is not None and any(
        f.field == field and f.severity is not Severity.INFO for f in verdict.findings
    )


def said(verdict: Verdict | None) -> str:
    if verdict is None:
        return "not read as a reference"
    parts = [verdict.status.value]
    if verdict.work is not None:
        parts.append(f"work {verdict.work.doi}")
    for f in verdict.findings:
        if f.severity is not Severity.INFO:
            parts.append(f"{f.code} {f.field}: cited {f.cited!r} expected {f.expected!r}")
    if verdict.message and verdict.status.value != "verified":
        parts.append(verdict.message)
    return "; ".join(parts)


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:6.1f}%" if whole else "      -"


def print_class_table(scored: Sequence[Scored], verbose: bool, examples: int = 8) -> None:
    """Per class: cases, caught (or false alarms), on the right field; misses when verbose."""
    print("\nissue 12 classes (drawn apart from the cases above; not in their figures). cases: "
          "references written;\ncaught: a warning or error, or not verified (a reference not "
          "read is not caught);\nfield: of those caught, a warning or error on the class's "
          "field")  # fmt: skip
    print(f"  {'class':<26}{'cases':>7}{'caught':>8}{'recall':>9}{'field':>9}")
    for kind in CLASS_ERRORS:
        group = [s for s in scored if s.kind == kind]
        hit = [s for s in group if flagged(s.verdict)]
        named = sum(on_field(kind, s.verdict) for s in hit)
        print(f"  {kind:<26}{len(group):>7}{len(hit):>8}{pct(len(hit), len(group)):>9}"
              f"{pct(named, len(hit)):>9}")  # fmt: skip
    print(f"  {'correct references':<26}{'cases':>7}{'alarms':>8}{'rate':>9}")
    for kind in CLASS_CORRECT:
        group = [s for s in scored if s.kind == kind]
        alarms = sum(flagged(s.verdict) for s in group)
        print(f"  {kind:<26}{len(group):>7}{alarms:>8}{pct(alarms, len(group)):>9}")
    groups = sorted({s.group for s in scored if s.group})
    if groups:
        print("  caught (errors) or alarms (correct) / cases, by " + "; ".join(groups))
        for kind in (*CLASS_ERRORS, *CLASS_CORRECT):
            if not any(s.group for s in scored if s.kind == kind):
                continue
            cells = []
            for name in groups:
                mine = [s for s in scored if s.kind == kind and s.group == name]
                cells.append(f"{sum(flagged(s.verdict) for s in mine)}/{len(mine)}")
            print(f"    {kind:<26}" + " ".join(f"{c:>9}" for c in cells))
    if not verbose:
        return
    for kind in (*CLASS_ERRORS, *CLASS_CORRECT):
        wrong = [
            s for s in scored if s.kind == kind
            and (flagged(s.verdict) if kind in CLASS_CORRECT else not on_field(kind, s.verdict))
        ]  # fmt: skip
        if not wrong:
            continue
        what = "false alarms" if kind in CLASS_CORRECT else "missed or on another field"
        print(f"\n  {kind}: {what} ({len(wrong)}):")
        for s in wrong[:examples]:
            print(f"    [{s.group}] {s.cited}")
            print(f"      record {s.doi}; refcheck: {said(s.verdict)}")
