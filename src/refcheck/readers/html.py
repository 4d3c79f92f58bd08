"""Saved web pages -> references, with the line numbers of the saved file.

The standard library's tolerant ``html.parser`` reads the page into a light tree (with the
implied end tags browsers add: ``<p>`` before a block, ``<li>`` before the next ``<li>``);
the tree is walked into :class:`~refcheck.readers.post.Block` values for :mod:`.post`:

* headings ``<h1>``-``<h6>``; a paragraph that is one bold line is a heading below h6;
* list items (their first paragraph), paragraphs, ``<div>`` text, table cells; ``<br>``
  splits a paragraph into segments;
* page furniture is dropped: ``<nav>``, ``<header>``, ``<footer>``, ``<aside>``, landmark
  roles, and elements named like sidebars, menus, share bars or comments - unless they hold
  the article or a reference list; leaving ``<article>``/``<main>`` or meeting furniture
  ends the current section;
* footnote sections (``class="footnotes"``, ``role="doc-endnotes"``) give footnotes;
  elements named as reference lists (``class="references"``, ``csl-bib-body``,
  ``role="doc-bibliography"``) are reference lists even without a heading;
* ``<i>``, ``<em>``, ``<cite>`` are kept as italics (the parser reads the journal from
  them); a link keeps its text and, when the text does not show it, its URL;
* scripts, styles, forms, images and back-links ("↩") are not text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from refcheck.models import Reference
from refcheck.readers.post import (
    ITALIC_CLOSE,
    ITALIC_OPEN,
    PSEUDO_HEADING_LEVEL,
    Block,
    BlockKind,
    Segment,
    SegmentCutter,
    link_target,
    reference_heading,
    references_from_blocks,
    suppression,
)

__all__ = ["html_blocks", "read_html"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VOID = _words("area base br col embed hr img input keygen link meta param source track wbr")
_RAW_TEXT = frozenset({"script", "style", "textarea", "title"})
_SKIP = _words(
    "script style noscript template svg math button select option textarea iframe object "
    "embed canvas video audio head title form input label dialog map picture"
)
_LANDMARKS = frozenset({"nav", "header", "footer", "aside"})
_LANDMARK_ROLES = _words(
    "navigation banner contentinfo complementary search menu menubar toolbar dialog alertdialog"
)
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_BLOCK = _words(
    "address article aside blockquote body caption center dd details div dl dt fieldset "
    "figcaption figure footer header hgroup hr html li main menu nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul"
) | frozenset(_HEADINGS)
_CLOSES_P = _BLOCK - _words("body html caption td th tr tbody thead tfoot summary")
_INLINE = _words(
    "a abbr b bdi bdo cite code data del dfn em font i ins kbd mark q s samp small span "
    "strong sub sup time u var"
)
_ITALIC = frozenset({"i", "em", "cite", "var", "dfn"})
_BOLD = frozenset({"b", "strong"})
_FURNITURE_WORDS = _words(
    "nav navbar navigation menu sidebar widget widgets breadcrumb breadcrumbs cookie cookies "
    "banner share sharing social comments comment respond related footer masthead advert "
    "advertisement promo newsletter subscribe popup modal skip"
)
_LIST_NAMES = _words(
    "references reference-list ref-list reflist refs bibliography works-cited citations "
    "csl-bib-body doc-bibliography"
)
_NOTE_NAMES = _words(
    "footnotes footnote endnotes endnote doc-endnotes doc-footnote wp-block-footnotes "
    "footnotes-list footnote-list"
)
_BACKLINK_TEXT = frozenset({"↩", "↩\ufe0e", "↩️", "^", "↑", "⤴", "back"})
_BACKLINK_CLASS = re.compile(r"back|reversefootnote|cite-backlink", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_ALNUM = re.compile(r"[^\W_]")
_WORD_SPLIT = re.compile(r"[\s_\-]+")
# A reading list in a sidebar is the site's own posts: such headings do not save furniture.
_WEAK_SECTIONS = frozenset({"further reading", "suggested reading", "recommended reading"})
# Deeper nesting is flattened: the walk is recursive, and no real page needs more.
_MAX_DEPTH = 200


# --- the tree ---------------------------------------------------------------------------


class _Text:
    __slots__ = ("data", "line")

    def __init__(self, line: int, data: str) -> None:
        self.line = line  # where the data starts
        self.data = data


class _Comment:
    __slots__ = ("codes", "line")

    def __init__(self, line: int, codes: tuple[str, ...]) -> None:
        self.line = line
        self.codes = codes


class _Element:
    __slots__ = ("attrs", "children", "container", "keeps", "line", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], line: int) -> None:
        self.tag = tag
        self.attrs = attrs
        self.line = line
        self.children: list[_Element | _Text | _Comment] = []
        # It holds the article or a reference list: never dropped as page furniture.
        self.keeps = False
        # "notes" for a footnote section, "list" for a marked reference list (_mark_keepers).
        self.container: str | None = None


class _TreeBuilder(HTMLParser):
    def __init__(self, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.line_shift = first_line - 1
        self.root = _Element("#root", {}, first_line)
        self.stack: list[_Element] = [self.root]

    def _line(self) -> int:
        return self.getpos()[0] + self.line_shift

    def _close_within(self, targets: frozenset[str], barriers: frozenset[str]) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            tag = self.stack[index].tag
            if tag in targets:
                del self.stack[index:]
                return
            if tag in barriers:
                return

    def _close_implied(self, tag: str) -> None:
        if tag in _CLOSES_P:
            for index in range(len(self.stack) - 1, 0, -1):
                open_tag = self.stack[index].tag
                if open_tag == "p":
                    del self.stack[index:]
                    break
                if open_tag not in _INLINE:
                    break
        if tag == "li":
            self._close_within(frozenset({"li"}), frozenset({"ul", "ol", "menu"}))
        elif tag in ("dt", "dd"):
            self._close_within(frozenset({"dt", "dd"}), frozenset({"dl"}))
        elif tag == "tr":
            self._close_within(frozenset({"tr"}), frozenset({"table"}))
        elif tag in ("td", "th"):
            self._close_within(frozenset({"td", "th"}), frozenset({"tr", "table"}))
        elif tag in _HEADINGS and self.stack[-1].tag in _HEADINGS:
            self.stack.pop()

    def _add(self, tag: str, attrs: list[tuple[str, str | None]], *, closed: bool) -> None:
        self._close_implied(tag)
        element = _Element(tag, {name: value or "" for name, value in attrs}, self._line())
        self.stack[-1].children.append(element)
        if not closed and tag not in _VOID and len(self.stack) < _MAX_DEPTH:
            self.stack.append(element)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        if tag == "br":  # browsers read </br> as <br>
            self._add("br", [], closed=True)
            return
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return
        # An end tag with nothing to close: ignored, as browsers do.

    def handle_data(self, data: str) -> None:
        if self.stack[-1].tag in _RAW_TEXT:
            return
        self.stack[-1].children.append(_Text(self._line(), data))

    def handle_comment(self, data: str) -> None:
        codes = suppression(data)
        if codes is not None:
            self.stack[-1].children.append(_Comment(self._line(), codes))


def _parse_tree(markup: str, first_line: int) -> _Element:
    builder = _TreeBuilder(first_line)
    try:
        builder.feed(markup)
        builder.close()
    except Exception:  # html.parser's odd corners (marked sections): keep what was read
        pass
    _mark_keepers(builder.root)
    return builder.root


def _names(element: _Element) -> list[str]:
    values = [element.attrs.get("id", ""), element.attrs.get("role", "")]
    values.extend(element.attrs.get("class", "").split())
    return [value.casefold() for value in values if value]


def _container(element: _Element) -> str | None:
    """ "notes" for a footnote section, "list" for a marked reference list, else None."""
    if element.tag in _INLINE:
        return None  # <sup class="reference">: a citation mark in the prose
    names = _names(element)
    if any(name in _NOTE_NAMES for name in names):
        return "notes"
    if any(name in _LIST_NAMES for name in names):
        return "list"
    return None


def _furniture(element: _Element) -> bool:
    if element.tag in _LANDMARKS:
        return True
    if not element.attrs:
        return False
    if element.attrs.get("role", "").casefold() in _LANDMARK_ROLES:
        return True
    if element.tag in ("html", "body", "main", "article"):
        return False
    for name in _names(element):
        if any(word in _FURNITURE_WORDS for word in _WORD_SPLIT.split(name)):
            return True
    return False


def _text_of(element: _Element) -> str:
    parts: list[str] = []
    stack: list[_Element | _Text | _Comment] = [element]
    while stack and len(parts) < 200:
        node = stack.pop()
        if isinstance(node, _Text):
            parts.append(node.data)
        elif isinstance(node, _Element):
            stack.extend(reversed(node.children))
    return " ".join(" ".join(parts).split())


def _mark_keepers(root: _Element) -> None:
    """Set ``keeps`` on every element that holds the article or a reference list."""
    order: list[_Element] = []
    stack = [root]
    while stack:
        element = stack.pop()
        order.append(element)
        stack.extend(child for child in element.children if isinstance(child, _Element))
    for element in reversed(order):
        if element.attrs:
            element.container = _container(element)
        keeps = element.tag in ("article", "main", "h1") or element.container is not None
        if not keeps and element.tag in _HEADINGS:
            kind = reference_heading(_text_of(element))
            keeps = kind is not None and " ".join(_text_of(element).casefold().split()) not in (
                _WEAK_SECTIONS
            )
        element.keeps = keeps or any(
            child.keeps for child in element.children if isinstance(child, _Element)
        )


# --- the walk ---------------------------------------------------------------------------


class _Walker(SegmentCutter):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.start: int | None = None
        self.italic = 0
        self.bold = 0
        self.heading = 0
        self.items: list[bool] = []  # per open <li>: its first paragraph is still to come
        self.notes = 0
        self.listed = 0
        self.pre = 0
        self.breaks = 0  # segments ended so far: a link spanning one keeps its own text
        self.last_line = 1

    # segments and blocks

    def text(self, node: _Text) -> None:
        data = node.data
        if self.pre and "\n" in data:
            for number, piece in enumerate(data.split("\n")):
                if number:
                    self.end_segment(hard=True)
                self._add_text(piece, node.line + number)
            return
        lead = len(data) - len(data.lstrip())
        self._add_text(data, node.line + data.count("\n", 0, lead))

    def _add_text(self, data: str, line: int) -> None:
        if not data:
            return
        if self.start is None and data.strip():
            self.start = line
        self.last_line = line
        self.parts.append(data)
        self.note_letters(_LETTER.search(data) is not None, bold=bool(self.bold))

    def comment(self, codes: tuple[str, ...]) -> None:
        self.add_codes(codes, started=self.start is not None)

    def end_segment(self, *, hard: bool) -> None:
        self.breaks += 1
        if self.start is None:  # nothing but blanks and markup since the last segment
            self.close(0, None, hard=hard)
            self.parts = [ITALIC_OPEN] if self.italic else []
            return
        if self.italic:
            self.parts.append(ITALIC_CLOSE)
        text = " ".join("".join(self.parts).split())
        self.close(self.start, text if _ALNUM.search(text) is not None else None, hard=hard)
        self.parts = [ITALIC_OPEN] if self.italic else []
        self.start = None

    def flush(self) -> None:
        self.end_segment(hard=False)
        self.hard = False
        if not self.segments:
            return
        segments, self.segments = self.segments, []
        listed = self.listed > 0
        if self.heading:
            self._emit(BlockKind.HEADING, segments, self.heading, listed)
            return
        if self.items and self.items[-1]:
            self.items[-1] = False
            kind = BlockKind.FOOTNOTE if self.notes else BlockKind.ITEM
            self._emit(kind, segments, 0, listed)
            return
        if self.notes:
            self._emit(BlockKind.FOOTNOTE, segments, 0, listed)
            return
        first = segments[0]
        if first.bold and len(first.text.split()) <= 12:
            # A bold line alone: "<p><strong>References</strong><br>Smith, J. ...</p>".
            self._emit(BlockKind.HEADING, [first], PSEUDO_HEADING_LEVEL, listed)
            segments = segments[1:]
        if segments:
            self._emit(BlockKind.PARAGRAPH, segments, 0, listed)

    def _emit(self, kind: BlockKind, segments: list[Segment], level: int, listed: bool) -> None:
        self.blocks.append(
            Block(kind, segments[0].line, segments=segments, level=level, in_list=listed)
        )

    def boundary(self, line: int) -> None:
        self.flush()
        if self.blocks and self.blocks[-1].kind is not BlockKind.BOUNDARY:
            self.blocks.append(Block(BlockKind.BOUNDARY, line))

    # the tree

    def children(self, element: _Element, depth: int) -> None:
        for child in element.children:
            if isinstance(child, _Text):
                self.text(child)
            elif isinstance(child, _Comment):
                self.comment(child.codes)
            else:
                self.element(child, depth + 1)

    def element(self, element: _Element, depth: int) -> None:
        tag = element.tag
        if tag in _SKIP or tag == "img":
            return
        if tag == "br":
            if self.heading:
                self.parts.append(" ")
            else:
                self.end_segment(hard=True)
            return
        if tag == "hr":
            self.flush()
            return
        attrs = element.attrs
        hidden = "hidden" in attrs or attrs.get("aria-hidden", "").casefold() == "true"
        if hidden and not element.keeps:
            return
        container = element.container
        if container is None and not element.keeps and _furniture(element):
            self.boundary(element.line)
            return
        if tag in _HEADINGS:
            self.flush()
            outer, self.heading = self.heading, self.heading or _HEADINGS[tag]
            self.children(element, depth)
            self.flush()
            self.heading = outer
        elif tag == "li":
            self.flush()
            self.items.append(True)
            self.children(element, depth)
            self.flush()
            self.items.pop()
        elif tag in _BLOCK or container is not None:
            self._block(element, depth, container)
        elif tag == "a":
            self._link(element, depth)
        elif tag in _ITALIC:
            if not self.italic:
                self.parts.append(ITALIC_OPEN)
            self.italic += 1
            self.children(element, depth)
            self.italic -= 1
            if not self.italic:
                self.parts.append(ITALIC_CLOSE)
        elif tag in _BOLD:
            self.bold += 1
            self.children(element, depth)
            self.bold -= 1
        else:
            self.children(element, depth)

    def _block(self, element: _Element, depth: int, container: str | None) -> None:
        self.flush()
        notes = container == "notes"
        listed = container == "list"
        pre = element.tag == "pre"
        self.notes += notes
        self.listed += listed
        self.pre += pre
        self.children(element, depth)
        self.flush()
        self.notes -= notes
        self.listed -= listed
        self.pre -= pre
        if element.tag in ("article", "main"):
            self.boundary(self.last_line)

    def _link(self, element: _Element, depth: int) -> None:
        start, breaks = len(self.parts), self.breaks
        self.children(element, depth)
        if self.breaks != breaks:
            return  # a <br> inside the link: its text is spread over segments
        shown = "".join(self.parts[start:])
        href = element.attrs.get("href", "")
        classes = element.attrs.get("class", "")
        if href.startswith("#") and (
            shown.strip() in _BACKLINK_TEXT or _BACKLINK_CLASS.search(classes)
        ):
            del self.parts[start:]  # a footnote's way back to the text
            return
        if not self.heading and (target := link_target(href, shown)):
            self.parts.append(f" {target}")


def html_blocks(markup: str, first_line: int = 1) -> tuple[list[Block], tuple[str, ...]]:
    """The blocks of an HTML page or fragment starting at ``first_line`` of its file, and
    the suppression of a trailing ``refcheck: ignore`` comment no block followed."""
    walker = _Walker()
    walker.children(_parse_tree(markup, first_line), 0)
    walker.flush()
    return walker.blocks, walker.pending


def read_html(text: str, path: str | None) -> list[Reference]:
    """The references of a saved web page: its reference list, footnotes, DOIs in prose."""
    blocks, _ = html_blocks(text)
    return references_from_blocks(blocks, path)
