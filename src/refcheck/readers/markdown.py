"""Markdown posts (CommonMark, as markdown-it-py reads it) -> references.

The post is parsed at block level only (headings, lists, paragraphs, HTML blocks, code);
a block's inline markup is rendered only when :mod:`.post` needs its text, which keeps a
long post fast. On top of CommonMark:

* YAML (``---``) and TOML (``+++``) front matter are skipped, their lines kept blank so
  line numbers stay those of the file;
* footnote definitions ``[^1]: ...`` (with indented or lazy continuation lines) are blocks
  of their own;
* HTML blocks are read by :mod:`.html` (a raw ``<ol>`` of references, a footnotes
  ``<div>``, a ``<!-- refcheck: ignore -->`` comment);
* code (fenced or indented) is never read;
* a paragraph that is one bold line ("**References**") stands as a heading below h6, and
  a thematic break (``---``) ends the article's current section.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from refcheck.models import Reference
from refcheck.readers.citations import cited_bibliography
from refcheck.readers.html import html_blocks
from refcheck.readers.post import (
    ITALIC_CLOSE,
    ITALIC_OPEN,
    PSEUDO_HEADING_LEVEL,
    Block,
    BlockKind,
    Segment,
    SegmentCutter,
    link_target,
    merge_codes,
    next_number,
    references_from_blocks,
    suppression,
)

__all__ = ["markdown_blocks", "read_markdown"]

_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?(?P<fence>---|\+\+\+)[ \t]*\n")
_FOOTNOTE_START = re.compile(r"\[\^([^\]\s]{1,100})\]:[ \t]*")
# Lines that end a footnote's lazy continuation: another construct starts.
_BLOCK_START = re.compile(r"(?:#{1,6}(?:\s|$)|>|[-*+]\s|\d{1,9}[.)]\s|```|~~~|<|\[\^)")
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(?P<text>[^\n]{1,200}?)\1\s*:?\s*$")
_ITALIC_TAGS = re.compile(r"^<(/?)(?:i|em|cite|var|dfn)(?:\s[^>]*)?>$", re.IGNORECASE)
_BREAK_TAG = re.compile(r"^<br\s*/?>$", re.IGNORECASE)
_NUL = "\x00"
_IMAGE = re.compile(r"!\[[^\]\n]{0,500}\]\([^)\s]{0,2000}(?:\s[^)]{0,200})?\)")
_LINK = re.compile(r"\[([^\]\n]{0,500})\]\((\S{0,2000}?)(?:\s+[\"'(][^)]{0,200})?\)")
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,500}>|<!--.{0,2000}?-->")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_EMPHASIS = re.compile(r"(?<![\w\\])[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?!\w)|`+")


def _footnote_definition(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: ``[^label]: text`` and its continuation lines, as one token."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    first = state.src[begin : state.eMarks[start_line]]
    match = _FOOTNOTE_START.match(first)
    if match is None:
        return False
    if silent:
        return True
    parts = [first[match.end() :]]
    line = start_line + 1
    while line < end_line:
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        indented = state.sCount[line] - state.blkIndent >= 4
        if state.isEmpty(line):
            following = line + 1
            while following < end_line and state.isEmpty(following):
                following += 1
            if following >= end_line or state.sCount[following] - state.blkIndent < 4:
                break  # a blank line ends the note unless an indented paragraph follows
            parts.extend([""] * (following - line))
            line = following
            continue
        if not indented and _BLOCK_START.match(text):
            break
        parts.append(text)
        line += 1
    token = state.push("footnote_def", "", 0)
    token.map = [start_line, line]
    token.meta = {"label": match.group(1)}
    token.content = "\n".join(parts)
    state.line = line
    return True


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark")
    md.block.ruler.before(
        "reference", "footnote_def", _footnote_definition, {"alt": ["paragraph", "reference"]}
    )
    return md


_MD = _parser()


def _blank_front_matter(text: str) -> str:
    """The text with its front matter's lines emptied (so line numbers do not move)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return text
    closers = ("---", "...") if match.group("fence") == "---" else ("+++",)
    lines = text.split("\n")
    for index in range(1, len(lines)):
        if lines[index].rstrip() in closers:
            return "\n" * (index + 1) + "\n".join(lines[index + 1 :])
    return text  # never closed: not front matter (CommonMark reads a rule and text)


class _Inline(SegmentCutter):
    """Renders one block's inline Markdown into segments, one per source line."""

    def __init__(self, first_line: int, *, urls: bool) -> None:
        super().__init__()
        self.urls = urls
        self.line = first_line
        self.parts: list[str] = []
        self.start = first_line
        self.bold = 0
        self.links: list[tuple[str, int]] = []
        self.emphasis: list[str] = []  # per open emphasis: its markup if kept literally

    def text(self, value: str) -> None:
        if not value:
            return
        if not self.parts or not "".join(self.parts).strip():
            self.start = self.line
        self.parts.append(value)
        self.note_letters(any(char.isalpha() for char in value), bold=bool(self.bold))

    def comment(self, codes: tuple[str, ...]) -> None:
        self.add_codes(codes, started=bool("".join(self.parts).strip()))

    def end_line(self, *, hard: bool) -> None:
        text = " ".join("".join(self.parts).split())
        visible = text.replace(ITALIC_OPEN, "").replace(ITALIC_CLOSE, "").strip()
        self.close(self.start, text if visible else None, hard=hard)
        self.parts = []
        self.line += 1
        self.start = self.line
        # A link spanning the break: its text so far went with the previous line.
        self.links = [(href, 0) for href, _ in self.links]

    def link_end(self) -> None:
        if not self.links:
            return
        href, index = self.links.pop()
        target = link_target(href, "".join(self.parts[index:])) if self.urls else None
        if target:
            self.parts.append(f" {target}")

    def render(self, children: Sequence[Token]) -> list[Segment]:
        for token in children:
            kind = token.type
            if kind in ("text", "text_special", "code_inline"):
                self.text(token.content)
            elif kind in ("softbreak", "hardbreak"):
                self.end_line(hard=kind == "hardbreak")
            elif kind == "em_open":
                # "Oncology*Biology*Physics": emphasis inside a word is the name's own
                # asterisks (a journal title), not italics; keep them as written.
                inside_word = self.parts[-1][-1:].isalnum() if self.parts else False
                self.emphasis.append(token.markup if inside_word else "")
                self.parts.append(token.markup if inside_word else ITALIC_OPEN)
            elif kind == "em_close":
                literal = self.emphasis.pop() if self.emphasis else ""
                self.parts.append(literal or ITALIC_CLOSE)
            elif kind == "strong_open":
                self.bold += 1
            elif kind == "strong_close":
                self.bold = max(0, self.bold - 1)
            elif kind == "link_open":
                self.links.append((str(token.attrs.get("href") or ""), len(self.parts)))
            elif kind == "link_close":
                self.link_end()
            elif kind == "html_inline":
                self._html(token.content)
        self.end_line(hard=False)
        if self.pending and self.segments:
            last = self.segments[-1]  # a comment closing the block: it is about this block
            self.segments[-1] = Segment(
                last.line, last.text, last.hard, last.bold, merge_codes(last.suppress, self.pending)
            )
        return self.segments

    def _html(self, content: str) -> None:
        if content.startswith("<!--"):
            codes = suppression(content)
            if codes is not None:
                self.comment(codes)
        elif italic := _ITALIC_TAGS.match(content):
            self.parts.append(ITALIC_CLOSE if italic.group(1) else ITALIC_OPEN)
        elif _BREAK_TAG.match(content):
            self.end_line(hard=True)
            self.line -= 1  # <br> is no new source line
            self.start = self.line
        # Source line breaks inside a tag still move the lines below it.
        self.line += content.count("\n")


def _render(content: str, first_line: int, env: dict[str, Any], *, urls: bool) -> list[Segment]:
    tokens = _MD.parseInline(content, env)
    children = tokens[0].children if tokens and tokens[0].children else []
    return _Inline(first_line, urls=urls).render(children)


def _lazy(
    content: str, first_line: int, env: dict[str, Any], kind: BlockKind = BlockKind.PARAGRAPH
) -> Block:
    """A block whose inline Markdown is rendered when it is needed."""
    return Block(
        kind,
        first_line,
        raw=content,
        render=lambda: _render(content, first_line, env, urls=True),
        tidy=_tidy,
    )


def _link_text(match: re.Match[str]) -> str:
    target = link_target(match.group(2), match.group(1))
    return f"{match.group(1)} {target}" if target else match.group(1)


def _tidy(source: str) -> str:
    """Markdown source -> roughly its text, for a sentence shown beside a DOI."""
    # Each pass runs only when its trigger is there: most sentences need none.
    if "](" in source:
        source = _IMAGE.sub("", source)
        source = _LINK.sub(_link_text, source)
    if "<" in source:
        source = _TAG.sub("", source)
    if "\\" in source:
        source = _ESCAPE.sub(r"\1", source)
    if "*" in source or "_" in source or "`" in source:
        source = _EMPHASIS.sub("", source)
    return source


def markdown_blocks(text: str) -> list[Block]:
    """A Markdown post as :class:`~refcheck.readers.post.Block` values, lines of the file."""
    source = _blank_front_matter(text).replace(_NUL, "\ufffd")
    tokens: list[Token] = []
    env: dict[str, Any] = {}
    _MD.block.parse(source, _MD, env, tokens)
    return _blocks(tokens, env)


def _blocks(tokens: list[Token], env: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = []
    pending: tuple[str, ...] = ()
    items: list[bool] = []  # per open list item: its first paragraph is still to come
    # Per open list: the number of its last item (ordered lists), to tell a wrapped line that
    # starts with a number ("2019. Things", "940. ISBN") from the list's next item.
    numbers: list[int | None] = []
    heading_level = 0

    def add(block: Block) -> None:
        nonlocal pending
        if pending:
            block.suppress = merge_codes(pending, block.suppress)
            pending = ()
        blocks.append(block)

    for index, token in enumerate(tokens):
        kind = token.type
        first_line = token.map[0] + 1 if token.map else (blocks[-1].line if blocks else 1)
        if kind in ("ordered_list_open", "bullet_list_open"):
            numbers.append(None)
        elif kind in ("ordered_list_close", "bullet_list_close"):
            if numbers:
                numbers.pop()
        elif kind == "list_item_open":
            items.append(True)
        elif kind == "list_item_close":
            if items:
                items.pop()
        elif kind == "heading_open":
            heading_level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
        elif kind == "inline" and heading_level:
            segments = _render(token.content, first_line, env, urls=False)
            add(Block(BlockKind.HEADING, first_line, segments=segments, level=heading_level))
            heading_level = 0
        elif kind == "inline":
            if _wrapped_number(tokens, index, items, numbers, blocks):
                # A line of the entry above, not an entry: the two are read as one item.
                above = blocks.pop()
                number = tokens[index - 2]
                content = f"{above.raw}\n{number.info}{number.markup} {token.content}"
                add(_lazy(content, above.line, env, BlockKind.ITEM))
                items[-1] = False
                continue
            for block in _paragraph(token, tokens, index, first_line, items, env):
                add(block)
        elif kind == "footnote_def":
            add(_lazy(token.content, first_line, env, BlockKind.FOOTNOTE))
        elif kind == "html_block":
            found, left = html_blocks(token.content, first_line)
            for block in found:
                add(block)
            pending = merge_codes(pending, left)
        elif kind == "hr":
            add(Block(BlockKind.BOUNDARY, first_line))
    return blocks


def _wrapped_number(
    tokens: list[Token],
    index: int,
    items: list[bool],
    numbers: list[int | None],
    blocks: list[Block],
) -> bool:
    """Whether the inline token at ``index`` is the first paragraph of an ordered list item
    whose number does not follow the list's last ("1." ... "2019."), on the line straight
    after the item above: a wrapped line of that entry that CommonMark reads as an item.
    Updates the list's last number otherwise."""
    if index < 2 or not items or not items[-1] or not numbers:
        return False
    opening = tokens[index - 2]
    if opening.type != "list_item_open" or not opening.info.isdigit():
        return False
    number, last = int(opening.info), numbers[-1]
    if last is None or next_number(number, last):
        numbers[-1] = number
        return False
    above = blocks[-1] if blocks else None
    where = tokens[index].map
    line = where[0] + 1 if where else 0
    return (
        above is not None
        and above.kind is BlockKind.ITEM
        and not above.rendered
        and above.line + above.raw.count("\n") + 1 == line
    )


def _paragraph(
    token: Token,
    tokens: list[Token],
    index: int,
    first_line: int,
    items: list[bool],
    env: dict[str, Any],
) -> list[Block]:
    content = token.content
    in_item = index > 0 and tokens[index - 1].type == "paragraph_open" and bool(items)
    if in_item and items[-1]:
        items[-1] = False
        return [_lazy(content, first_line, env, BlockKind.ITEM)]
    first, _, rest = content.partition("\n")
    if not in_item and _BOLD_LINE.match(first):
        # "**References**" alone, or with the list on the lines below it.
        head = _render(first, first_line, env, urls=False)
        if len(head) == 1 and head[0].bold and len(head[0].text.split()) <= 12:
            heading = Block(
                BlockKind.HEADING, first_line, segments=head, level=PSEUDO_HEADING_LEVEL
            )
            return [heading, _lazy(rest, first_line + 1, env)] if rest else [heading]
    return [_lazy(content, first_line, env)]


def read_markdown(text: str, path: str | None) -> list[Reference]:
    """The references of a Markdown post: its reference list, footnotes and DOIs in prose."""
    # A Pandoc/Quarto post's list is its front matter's bibliography, as far as it cites it.
    return references_from_blocks(markdown_blocks(text), path) + cited_bibliography(text, path)
