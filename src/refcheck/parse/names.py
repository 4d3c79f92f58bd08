"""The author list at the head of a reference: where it ends, and the people in it.

Names are read in one of five shapes, and a list keeps the shape of its first name (that
is what stops "Deutsche Zeitschrift" after "E. v. Thurzó," from passing for a person):

* ``FAMILY_INITIALS``  Harvard, APA, Nature: "Brinjikji, W.", "Chenot, J.-F."
* ``FAMILY_BARE``      Vancouver, AMA: "Brinjikji W", "Lycklama À Nijeholt GJ"
* ``INITIALS_FAMILY``  IEEE, AIP, physics: "W. Brinjikji", "E. v. Thurzó"
* ``FAMILY_GIVEN``     MLA, Chicago (first author only): "Thurzó, Eugen"
* ``GIVEN_FAMILY``     full names: "Marc Shapiro", and every name after a ``FAMILY_GIVEN``

Family names keep their particles as written ("van der Kallen", "El Barzouhi").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from refcheck.models import Person


def _letters(predicate: str) -> str:
    """A regex class body of the letters (Latin, Greek, Cyrillic) that pass ``predicate``."""
    chars = [
        chr(code)
        for code in range(0x41, 0x530)
        if chr(code).isalpha() and getattr(chr(code), predicate)()
    ]
    return "".join(re.escape(c) for c in chars)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_UP = _letters("isupper")
_LOW = _letters("islower")
_APOS = "'’`"

# A capitalised name word: "Brinjikji", "O'Brien", "McDonald", "Vleggeert-Lankamp", "À",
# "AL-Keridis".
_CAP = (
    rf"(?:[{_UP}](?:[{_LOW}{_UP}{_APOS}]*[{_LOW}]|[{_UP}]+(?=[-‐][{_UP}][{_LOW}]))?"
    rf"(?:[-‐][{_UP}]?[{_LOW}{_UP}{_APOS}]*[{_LOW}])*"
    rf"|[{_UP}]{{2,}}(?:[-‐{_APOS}][{_UP}]{{2,}})*(?![{_LOW}]))"  # "OWEN-SMITH", in capitals
)
# "d'Alembert", "'t Hooft", "dos", "van", "v." (an abbreviated "von").
_PARTICLE = (
    r"(?:(?:van|von|der|den|de|del|della|delle|degli|di|da|du|dos|das|do|des|le|la|les|el|al"
    rf"|ten|ter|te|het|zu|zum|zur|vom|y|e|à|a|af|av|auf|dit|op|bin|ibn|ben|st\.?|St\.(?=\s)|v\.|[{_APOS}]t)"
    rf"(?![{_LOW}{_UP}])"
    rf"|[dl][{_APOS}]"
    # "O' Donoghue", "D' Angelo": the apostrophe's prefix written apart from the name.
    rf"|[ODL][{_APOS}](?=\s?[{_UP}]))"
)
_FAMILY = rf"(?:(?:{_PARTICLE}\s*|{_CAP}\s+){{0,4}}{_CAP})"
# Initials with dots: "W.", "C.L.A.M.", "J.-F.", "P. H.", "Th.", "Yu." ; a final one may lack
# its dot only when another has one ("P.H" is rare but seen).
_INITIAL = rf"(?:(?:[{_UP}]|Th|Ch|Yu|Ya|Zh|Sh|Kh|Ts|Sz|Gy|Ph|Wm|Iu|Ju)\.)"
_DOTTED = rf"(?:{_INITIAL}(?:\s?[-‐]?\s?{_INITIAL})*)"
_BARE = rf"(?:[{_UP}]{{1,5}}(?![{_LOW}{_UP}]))"
# Iberian given names keep a particle between initials: "Arizmendi M del C", "M. del C. Arizmendi".
_INNER = r"(?:\s(?:de|del|da|do|dos|das|de\sla)\s)"
_BARE_GIVEN = rf"(?:{_BARE}(?:{_INNER}[{_UP}]{{1,3}}(?![{_LOW}{_UP}]))?)"
_DOTTED_GIVEN = rf"(?:{_DOTTED}(?:{_INNER}{_DOTTED})?)"
_GIVEN_WORD = rf"(?:[{_UP}][{_LOW}]+(?:[-‐][{_UP}][{_LOW}]+)?)"
# Initials as Crossref often holds them: "Mohamed L.F.", "María D".
_GIVEN = rf"(?:{_GIVEN_WORD}(?:\s+(?:{_GIVEN_WORD}|{_DOTTED}|[{_UP}](?![{_LOW}{_UP}.{_APOS}])))*)"
# Before a family, an initial may lead too: "P. Jeffrey Brantingham" (never after a family's
# comma, where "Jones, K. Chem. Rev." would pass for a given name).
_GIVEN_LEAD = rf"(?:(?:{_DOTTED}\s?)?{_GIVEN})"
_LEADING_INITIAL = re.compile(_DOTTED)
_SUFFIX = r"(?:,?\s+(?:Jr|Sr|II|III|IV|2nd|3rd)\.?(?![\w]))"

# What may follow a name: a separator, or the end of the list.
_END = r"(?=\s*(?:[,;.:(&\[]|\s(?:and|&|et|und|eds?\.|\(?\d{4})\b|$|[\"“”‘’«]|\ue000))"


class Shape(Enum):
    FAMILY_INITIALS = "family-initials"
    FAMILY_BARE = "family-bare"
    INITIALS_FAMILY = "initials-family"
    FAMILY_GIVEN = "family-given"
    GIVEN_FAMILY = "given-family"


_SHAPES: dict[Shape, re.Pattern[str]] = {
    # After dotted initials the list may end at a plain blank: "Jarvik, J. G. Systematic...".
    Shape.FAMILY_INITIALS: re.compile(
        rf"(?P<family>{_FAMILY}){_SUFFIX}?,\s*"
        rf"(?P<given>{_DOTTED_GIVEN}(?=\s|$|[,;:(&\[\"“])|{_BARE}{_END}){_SUFFIX}?"
    ),
    # "Brinjikji W", and with dots "Janhäll S.", "Harrison R.M.".
    Shape.FAMILY_BARE: re.compile(
        rf"(?P<family>{_FAMILY})(?:,?\s+(?:Jr|Sr)\.?)?\s+(?P<given>{_DOTTED}(?=\s|$|[,;:(&\[\"“«])"
        rf"|{_BARE_GIVEN}(?=(?:\s(?P<late>de|da|do|dos|das|del|van|von|der|den|di|du|le|la))?"
        rf"(?:\s*(?:[,;.(]|\s(?:and|&)\s|$)|\s+\d{{4}}\b))){_SUFFIX}?(?:\s(?P=late))?"
    ),
    # "W. Brinjikji", "J.-F. Chenot", and without dots "AM Trinkoff".
    Shape.INITIALS_FAMILY: re.compile(
        rf"(?P<given>{_DOTTED_GIVEN}(?:\s?{_GIVEN_WORD}\s(?={_DOTTED}))?|[{_UP}]{{1,3}}(?=\s))\s?"
        rf"(?P<family>{_FAMILY}){_SUFFIX}?{_END}"
    ),
    Shape.FAMILY_GIVEN: re.compile(
        rf"(?P<family>{_FAMILY}),\s*(?P<given>{_GIVEN}){_SUFFIX}?{_END}"
    ),
    # A colon after a full name is more often a title's ("Sketching a Scheme:").
    Shape.GIVEN_FAMILY: re.compile(
        rf"(?P<given>{_GIVEN_LEAD})\s+(?P<family>{_FAMILY}){_SUFFIX}?(?!\s*:){_END}"
    ),
}
# Shapes a list may switch to after its first name: "Derrick, D., I. Stavness and B. Gick",
# "Brinjikji, Waleed, Patrick H. Luetmer", "Reynolds, Isabel and Nobuhiro, Emi".
_FOLLOWERS = {
    Shape.FAMILY_INITIALS: (Shape.FAMILY_INITIALS, Shape.INITIALS_FAMILY),
    Shape.FAMILY_GIVEN: (Shape.GIVEN_FAMILY, Shape.FAMILY_GIVEN),
    Shape.FAMILY_BARE: (Shape.FAMILY_BARE,),
    Shape.INITIALS_FAMILY: (Shape.INITIALS_FAMILY,),
    Shape.GIVEN_FAMILY: (Shape.GIVEN_FAMILY,),
}
# Abbreviated journal words: "U. K. Mishra, J. Appl. Phys." has no author "J. Appl".
JOURNAL_WORDS = _words(
    "acad acta adv agric am anal ann anthropol appl arch assoc astron astrophys atmos aust "
    "behav biochem biol biomed biophys bot br brit bull can cardiol catal chem chim chin clin "
    "comput commun conf curr dent dermatol dev ecol econ educ electr electron endocrinol eng "
    "engl entomol environ epidemiol eur evol exp fr gastroenterol gen genet geogr geol "
    "geophys hist immunol ind infect inorg inst int intern invest ital j jpn lett ling lit "
    "manag mar mater math mech med meteorol microbiol mol nat natl neurol neurosci nucl nutr "
    "obstet oceanogr oncol ophthalmol opt org orthop paediatr pathol pediatr pharm pharmacol "
    "philos phys physiol plast pol polit polym proc prog psychiatr psychol publ q quant "
    "radiol rehabil rep res rev sci soc sociol spectrosc stat struct stud surg syst technol "
    "theor ther toxicol trans trop univ urol vet virol z zool"
)
# After a name's full stop: a volume ("36", not a year) or another abbreviation ("Phys.").
_JOURNAL_NEXT = re.compile(rf"\.\s*(?:\d{{1,3}}(?!\d)|[{_UP}][{_LOW}]{{0,5}}\.)")
_FIRST_ORDER = (
    Shape.FAMILY_INITIALS,
    Shape.FAMILY_BARE,
    Shape.INITIALS_FAMILY,
    Shape.FAMILY_GIVEN,
    Shape.GIVEN_FAMILY,
)
# "and" in the languages references are written in: "et" (not "et al."), "und", "y", "e".
_AND = r"(?:and|&|et(?!\s*al\b)|und|y|e|en|och|og|i)"
_SEPARATOR = re.compile(rf"\s*(?:,\s*(?:{_AND}\s+|&\s*)?|;\s*(?:{_AND}\s+|&\s*)?|\s{_AND}\s+|&\s*)")
# APA 7 skips the middle of a long list: "Avati, V., … Bozzo, M." (the last author follows).
_ELLIPSIS = re.compile(r"\s*[,;]?\s*(?:…|\.\s?\.\s?\.)\s*(?:&\s*|and\s+)?")
_ET_AL = re.compile(
    r"\s*,?\s*(?:et\.?\s*al(?:ii)?\b\.?|and\s+others\b|et\s+coll\.?)", re.IGNORECASE
)
_EDITORS = re.compile(r"\s*,?\s*\(?(?:eds?|editors?|hrsg|coord)\.?\)?(?![\w])", re.IGNORECASE)
_GROUP_WORDS = re.compile(
    r"\b(?:organi[sz]ation|group|society|association|institute|committee|council|collaboration"
    r"|collaborative|consortium|agency|department|ministry|cent(?:er|re)|foundation|board"
    r"|commission|university|network|investigators|task\s+force|office|bureau|service|college"
    r"|academy|federation|union|trust|programme|program|panel|authority|administration"
    r"|nations|team|alliance|coalition|initiative|study|trialists|partnership|project|agence)\b",
    re.IGNORECASE,
)
_CAP_WORD = re.compile(rf"[{_UP}]")
# Capitals that cannot be a family name: no vowel ("KR", "RHTLR"), or one or two letters.
_INITIALS_LIKE = re.compile(rf"[{_UP}]{{1,2}}|[B-DF-HJ-NP-TV-XZ]{{3,5}}")


@dataclass(frozen=True, slots=True)
class AuthorList:
    """The authors read from the head of a reference; ``end`` is where they stop."""

    persons: tuple[Person, ...]
    truncated: bool
    end: int
    shape: Shape | None


_NOTHING = AuthorList((), False, 0, None)


def _person(match: re.Match[str]) -> Person:
    family = " ".join(match.group("family").split()).strip(" ,")
    if late := match.groupdict().get("late"):
        family = f"{late} {family}"  # Vancouver puts a particle last: "Almeida RM de"
    given = " ".join(match.group("given").split()).strip(" ,")
    return Person(family=family or None, given=given or None)


def scan_authors(text: str, start: int = 0) -> AuthorList:
    """The longest author list at ``text[start:]`` in one shape; empty when none fits."""
    best = _scan_shapes(text, start)
    typo = _LOWER_FAMILY.match(text, start)
    if typo is None or typo.group("word").casefold() in _NOT_FAMILY:
        return best
    # A first family name typed in lower case ("xarrell, H. L.", "H. L. xarrell"): read
    # as if capitalised, then given back as written, so the typo is compared, not lost.
    at = typo.start("word")
    raised = _scan_shapes(text[:at] + text[at].upper() + text[at + 1 :], start)
    if (len(raised.persons), raised.end) <= (len(best.persons), best.end):
        return best
    if raised.shape is Shape.GIVEN_FAMILY:
        return best
    first = raised.persons[0]
    family = first.family or ""
    if not family.startswith(text[at].upper() + typo.group("word")[1:]):
        return best  # the raised word was read as something else: a given name, a title
    persons = (first.model_copy(update={"family": text[at] + family[1:]}), *raised.persons[1:])
    return AuthorList(persons, raised.truncated, raised.end, raised.shape)


# The first family name in lower case: at the start, or after the first author's initials.
_LOWER_FAMILY = re.compile(
    rf"(?:(?:[{_UP}]\.\s?[-‐]?\s?){{1,3}}|[{_UP}]{{1,3}}\s)?(?P<word>[{_LOW}][{_LOW}{_UP}]+(?:[-‐][{_UP}][{_LOW}{_UP}]+)?)(?=[\s,])"
)
# Lower-case words that start a reference without being a name.
_NOT_FAMILY = frozenset(
    {
        "and", "the", "for", "from", "with", "others", "eds", "editors", "hrsg", "anon",
        "anonymous", "an", "as", "at", "by", "et", "in", "is", "of", "on", "or", "to", "und",
        "al", "da", "das", "de", "degli", "del", "della", "delle", "den", "der", "des", "di",
        "do", "dos", "du", "el", "la", "le", "les", "te", "ten", "ter", "van", "vom", "von",
        "zu", "zum", "zur",
    }
)  # fmt: skip


def _scan_shapes(text: str, start: int) -> AuthorList:
    best = _NOTHING
    for shape in _FIRST_ORDER:
        found = _scan(text, start, shape)
        # Prefer more names, then the longer reading; a tie goes to the earlier shape.
        if _vancouver_over_full_names(text, best, found):
            continue
        if (len(found.persons), found.end) > (len(best.persons), best.end):
            best = found
    return best


_WORD_AFTER_INITIAL = re.compile(rf"\.\s+[{_UP}][{_LOW}]")
_DANGLING = re.compile(rf"\s*,?\s*(?:and|&)\s+[{_LOW}]")


def _vancouver_over_full_names(text: str, bare: AuthorList, full: AuthorList) -> bool:
    """Whether "Bertin L, Colao MC" beats a longer full-name reading of as many names.

    The full-name reading has then eaten into the title: "Fava F. Performances and...",
    "Dean W. Handel and the Victorians", "Kasdan A. Photodissociation Dye Laser". One name
    alone is ambiguous ("Russell A. Berman. Fiction Sets You Free" is a full name).
    """
    if bare.shape is not Shape.FAMILY_BARE or full.shape is not Shape.GIVEN_FAMILY:
        return False
    if len(bare.persons) != len(full.persons):
        return False
    last = full.persons[-1]
    return (
        len(bare.persons) >= 2
        or _DANGLING.match(text, full.end) is not None
        or len((last.family or "").split()) >= 3
        or _WORD_AFTER_INITIAL.search(last.given or "") is not None
    )


def _next_name(text: str, position: int, shapes: tuple[Shape, ...]) -> re.Match[str] | None:
    for shape in shapes:
        match = _SHAPES[shape].match(text, position)
        if match is None:
            continue
        family = match.group("family")
        if shape is Shape.GIVEN_FAMILY and _INITIALS_LIKE.fullmatch(family):
            continue  # "Lopes CB": Vancouver initials, not a family name after a given one
        if shape is Shape.FAMILY_GIVEN and _INITIALS_LIKE.fullmatch(family.split()[-1]):
            continue  # "Song YS, Ha Y": two Vancouver names, not a family and a given name
        if (
            shape is Shape.GIVEN_FAMILY
            and Shape.FAMILY_GIVEN not in shapes
            and _LEADING_INITIAL.match(match.group("given"))
        ):
            continue  # "Gordon Taylor, H. American Pharmacy": an initial leads only in Chicago
        after = text[match.end() : match.end() + 40]
        if shape is Shape.INITIALS_FAMILY and len(family) == 1 and after.startswith("."):
            continue  # "J.H.": an initial with its full stop, no family name "H"
        if after.startswith(".") and (
            family.lower() in JOURNAL_WORDS
            or (shape is Shape.INITIALS_FAMILY and _JOURNAL_NEXT.match(after) is not None)
        ):
            continue  # "J. Appl. Phys.", "J. Neuroradiol. 36": a journal, not a person
        return match
    return None


def _scan(text: str, start: int, first_shape: Shape) -> AuthorList:
    persons: list[Person] = []
    position = start
    end = start
    shapes: tuple[Shape, ...] = (first_shape,)
    truncated = False
    last_separator = ""
    while position < len(text):
        match = _next_name(text, position, shapes)
        if match is not None:
            persons.append(_person(match))
            end = position = match.end()
        elif persons and (held := _held_whole(text, position, shapes, last_separator)):
            # A name the record holds whole, family first, with no given ("Zhang Wei").
            persons.append(Person(family=held.group(0)))
            end = position = held.end()
        else:
            break
        shapes = _FOLLOWERS[first_shape]
        if (et_al := _ET_AL.match(text, position)) is not None:
            truncated = True
            end = et_al.end()
            break
        ellipsis = _ELLIPSIS.match(text, position)
        if ellipsis is not None:
            truncated = True  # names are left out: missing ones are no error
            if _next_name(text, ellipsis.end(), shapes) is None:
                end = ellipsis.end()
                break
            position = ellipsis.end()
            continue
        separator = _SEPARATOR.match(text, position)
        if separator is None and first_shape is Shape.FAMILY_INITIALS and text[end - 1] == ".":
            # "Sasayama, D. Hattori, K.": the initials' full stop is the only separator.
            blank = re.compile(r"\s+").match(text, position)
            if blank and _SHAPES[Shape.FAMILY_INITIALS].match(text, blank.end()):
                separator = blank
        if separator is None:
            break
        last_separator = separator.group(0)
        position = separator.end()
        if (et_al := _ET_AL.match(text, position)) is not None and position > end:
            truncated = True
            end = et_al.end()
            break
    if not persons:
        return _NOTHING
    if first_shape is Shape.FAMILY_GIVEN and len(persons) == 1 and not truncated:
        # "Title, Subtitle" can pass for one inverted name; alone, it is not enough (with
        # "et al." after it, it is a name: "Cembraneli, Pedro Nogarotto, et al.").
        given = persons[0].given or ""
        if " " in given and not re.search(r"\.\s*$", given):
            return _NOTHING
    if editors := _EDITORS.match(text, end):
        end = editors.end()
    return AuthorList(tuple(persons), truncated, end, first_shape)


# Two or three capitalised words, hyphenated parts allowed, no initials: "Kim Min-jun".
_NAME_WORD = rf"[{_UP}][{_LOW}]+(?:[-‐][{_UP}{_LOW}][{_LOW}]+)?"
_WHOLE_NAME = re.compile(rf"{_NAME_WORD}(?:\s{_NAME_WORD}){{1,2}}")
_LAST_JOIN = re.compile(rf"&|\b{_AND}\b")
_LIST_END = re.compile(r"\s*(?:\(|[.,]\s*(?:\(|\d{4}\b))")


def _held_whole(
    text: str, position: int, shapes: tuple[Shape, ...], separator: str
) -> re.Match[str] | None:
    """A whole name without initials among a list's names ("Tian, Y. Q., Zhang Wei, Chen,
    R. F."): taken only where the list's next name follows it, or where it is the last
    name and the list plainly ends, so a title's words are never read as one."""
    held = _WHOLE_NAME.match(text, position)
    if held is None or any(w.lower() in JOURNAL_WORDS for w in held.group(0).split()):
        return None
    after = _SEPARATOR.match(text, held.end())
    if (
        after is not None
        and not _LAST_JOIN.search(after.group(0))
        and _next_name(text, after.end(), shapes) is not None
    ):
        return held
    # The last name: the year follows it ("Mehta, J.L., Dayuan Li, 2001."), or it is joined
    # by "and" and the list ends ("& Dayuan Li. (2001)").
    end = _LIST_END.match(text, held.end())
    if end is not None and (_LAST_JOIN.search(separator) or re.search(r"\d", end.group(0))):
        return held
    return None


def is_group_name(text: str) -> bool:
    """Whether ``text`` reads as an organisation ("World Health Organization")."""
    words = text.split()
    return 1 <= len(words) <= 25 and bool(_GROUP_WORDS.search(text)) and bool(_CAP_WORD.match(text))


def split_author_text(text: str) -> tuple[tuple[Person, ...], bool]:
    """An author region already bounded (author-date styles): the persons, and et al.

    Falls back to a single group author when the region does not read as names.
    """
    region = text.strip(" ,.;:")
    if not region:
        return (), False
    found = scan_authors(region)
    rest = region[found.end :].strip(" ,.;:")
    if found.persons and not rest:
        return found.persons, found.truncated
    truncated = bool(re.search(r"\bet\.?\s*al\b\.?\s*$", region))
    region = re.sub(r",?\s*\bet\.?\s*al\b\.?\s*$", "", region).strip(" ,.;:")
    if found.persons and len(rest) < 4:
        return found.persons, found.truncated or truncated
    if (head := _head_before_unread_tail(region, found)) is not None:
        # The list goes on in a form no shape reads ("POWELL W, DAWSON CSM and IK", copied
        # from a garbled deposit): keep the names read and leave the rest unchecked, as
        # after "et al.", rather than lose every name into one group author.
        return head, True
    return (Person(literal=region),), truncated


# After a list's last readable name, a separator that says more names follow.
_LIST_GOES_ON = re.compile(r"\s*(?:[,;&]|and\s)")
_LAST_SEPARATOR = re.compile(r"(?:,\s*(?:and\s+)?|;\s*|\s+and\s+|\s*&\s*)(?!.*(?:,|;|&|\sand\s))")
_TAIL_LIMIT = 40


def _head_before_unread_tail(region: str, found: AuthorList) -> tuple[Person, ...] | None:
    """The names of a list of three or more read up to a short tail of names in no known
    shape (no digits, quotes or sentences: those are no names); None when it is not one."""
    if _unread_tail(region, found):
        return found.persons
    # The tail's first piece may pass for a name ("C. S.-M. and I. K." read as "C. S"):
    # read up to the last separator before it instead.
    cut = _LAST_SEPARATOR.search(region[: found.end])
    if cut is None:
        return None
    head = scan_authors(region[: cut.start()])
    if head.persons != found.persons[:-1] or not _unread_tail(region, head):
        return None
    return head.persons


def _unread_tail(region: str, found: AuthorList) -> bool:
    if len(found.persons) < 3 or _LIST_GOES_ON.match(region, found.end) is None:
        return False
    tail = region[found.end :].strip(" ,;&")
    return len(tail) <= _TAIL_LIMIT and not re.search(r"[\d\"“”‘’«»?!:]|\.\s+[A-Z][a-z]", tail)
