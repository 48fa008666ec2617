"""From a draft's text to the paragraphs of an export, once for both formats.

A text with marked parts (:mod:`egide.documents.letter`) is composed as a letter: each part in
its place and style (timbre at top left, place and date at right, recipient and signature in
the right-hand half, references with their labels in bold, a justified body), and no title:
what is printed is what the agent validated. Any other text is a plain document (headings,
bullets, paragraphs), under its title when the caller asks for one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from egide.documents.blocks import BlockKind, inline_runs, parse_blocks
from egide.documents.layout import (
    PART_STYLES,
    PLAIN_STYLE,
    SIGNING_ROOM_PT,
    TITLE_STYLE,
    ParagraphStyle,
)
from egide.documents.letter import LetterPart, Part, split_letter

__all__ = ["Composed", "Para", "ParaKind", "compose"]

Runs = tuple[tuple[str, bool], ...]  # (text, bold)

# "Objet : …", "N/Réf. : …", "P. J. : …": a short label, then " : " (or ":" then a space).
_LABEL = re.compile(r"([^:\n]{1,30}?)\s?:\s")
_BLANK_SPACE_PT = 6.0


class ParaKind(StrEnum):
    TITLE = "title"
    HEADING = "heading"
    BULLET = "bullet"
    TEXT = "text"
    SPACER = "spacer"  # an empty paragraph: a blank line the agent left inside a part


@dataclass(frozen=True, slots=True)
class Para:
    kind: ParaKind
    style: ParagraphStyle
    runs: Runs = ()
    level: int = 1  # headings
    before_pt: float = 0.0  # space above this paragraph (the first of a part, a spacer)
    keep_with_next: bool = False

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.runs)


@dataclass(frozen=True, slots=True)
class Composed:
    paragraphs: tuple[Para, ...]
    letter: bool


def _runs(text: str) -> Runs:
    return tuple(inline_runs(text))


def _labelled(line: str) -> Runs:
    found = _LABEL.match(line)
    if found is None:
        return _runs(line)
    label = found.group(1).rstrip() + " :"
    return ((label, True), *_runs(" " + line[found.end() :]))


def _line_part(part: Part, style: ParagraphStyle, first: bool) -> list[Para]:
    """A part set line by line (timbre, place and date, recipient, references, signature)."""
    paragraphs: list[Para] = []
    pending_space = style.before_pt if not first else 0.0
    bold_next = style.bold_first_line
    for line in part.text.split("\n"):
        text = line.strip()
        if not text:
            room = SIGNING_ROOM_PT if part.kind is LetterPart.SIGNATURE else _BLANK_SPACE_PT
            pending_space = max(pending_space, room) if paragraphs else pending_space
            continue
        if bold_next:
            runs: Runs = ((text.replace("**", ""), True),)
            bold_next = False
        elif style.bold_labels:
            runs = _labelled(text)
        else:
            runs = _runs(text)
        paragraphs.append(
            Para(ParaKind.TEXT, style, runs, before_pt=pending_space, keep_with_next=True)
        )
        pending_space = 0.0
    if paragraphs and not style.keep_together:
        paragraphs = [_unkept(p) for p in paragraphs]
    if paragraphs:
        paragraphs[-1] = _unkept(paragraphs[-1])
    return paragraphs


def _unkept(para: Para) -> Para:
    return Para(para.kind, para.style, para.runs, para.level, para.before_pt, False)


def _blocks(text: str | Sequence[str], style: ParagraphStyle, before_pt: float) -> list[Para]:
    paragraphs: list[Para] = []
    for block in parse_blocks(text):
        before = before_pt if not paragraphs else 0.0
        if block.kind is BlockKind.HEADING:
            para = Para(ParaKind.HEADING, style, _runs(block.text), block.level, before)
        elif block.kind is BlockKind.BULLET:
            para = Para(ParaKind.BULLET, style, _runs(block.text), before_pt=before)
        else:
            para = Para(ParaKind.TEXT, style, _runs(block.text), before_pt=before)
        paragraphs.append(para)
    return paragraphs


def compose(body: str | Sequence[str], *, title: str, heading: bool) -> Composed:
    """The paragraphs of an export; ``heading`` prints ``title`` above a plain document (never
    above a letter)."""
    parts = split_letter(body) if isinstance(body, str) else []
    if not parts:
        paragraphs = _blocks(body, PLAIN_STYLE, 0.0)
        if heading and title.strip():
            paragraphs.insert(0, Para(ParaKind.TITLE, TITLE_STYLE, ((title, True),)))
        return Composed(tuple(paragraphs), letter=False)
    paragraphs = []
    for part in parts:
        style = PART_STYLES[part.kind]
        first = not paragraphs
        if part.kind is LetterPart.SIGNATURE and paragraphs and paragraphs[-1].text:
            # The formule de politesse goes over the page with the signature: a signature
            # alone at the top of a page is not a letter anyone signs.
            last = paragraphs[-1]
            paragraphs[-1] = Para(last.kind, last.style, last.runs, last.level, last.before_pt,
                                  keep_with_next=True)  # fmt: skip
        if part.kind is LetterPart.BODY:
            paragraphs.extend(_blocks(part.text, style, 0.0 if first else style.before_pt))
        else:
            paragraphs.extend(_line_part(part, style, first))
    return Composed(tuple(paragraphs), letter=True)
