"""Passages cut along a document's structure: titles, articles, pages, list items.

A passage gathers consecutive blocks under one heading up to about ``passage_words`` words;
it never spans two pages (a citation names one page) and starts afresh at a heading or an
article once it holds enough text to stand alone. A block longer than a passage is cut between
sentences. Each passage keeps its page, its first paragraph and the heading it falls under,
so that a citation opens at the right place.

The size matters for the embedding pass: the embedded encoder costs about its input's length,
and a passage of ~180 words (~260 tokens with its title) keeps a whole collection of a few
thousand pages within minutes per core (see docs/base-documentaire.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath

from egide.documents import Document

__all__ = ["Chunk", "chunk_document", "document_title"]

_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(\S.*)$")
_ARTICLE = re.compile(r"^(?:article|art\.)\s+[lrd]?\.?\s*\d", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:[-•*–]|\d{1,2}[.)°])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_MAX_TITLE = 200
_MAX_HEADING = 160


@dataclass(frozen=True, slots=True)
class Chunk:
    text: str
    heading: str
    page: int | None
    paragraph: int | None


@dataclass(slots=True)
class _Block:
    text: str
    page: int | None
    paragraph: int | None
    heading: str | None  # the heading this block falls under (from the reader)
    is_heading: bool = False


def _words(text: str) -> int:
    return len(text.split())


def document_title(document: Document) -> str:
    """The first line when it looks like a title (short, one line), else the file name."""
    for section in document.sections[:1]:
        first = document.section_text(section).strip()
        line = first.split("\n", 1)[0].strip().lstrip("#").strip()
        if line and len(line) <= _MAX_TITLE and "\n" not in first:
            return line
        if section.heading:
            return section.heading[:_MAX_TITLE]
    return PurePath(document.source).stem or document.source


def _looks_like_heading(text: str) -> bool:
    """A short single line without final punctuation (how plain text and PDFs show titles)."""
    if "\n" in text or len(text) > 120 or _words(text) > 14:
        return False
    if _LIST_ITEM.match(text):
        return False
    return not text.rstrip().endswith((".", ",", ";", ":", "!", "?", "»", ")"))


def _pieces(raw: str) -> list[tuple[str, bool]]:
    """(text, is_heading) pieces of one section: Markdown headings apart, and a list that
    follows prose starts a new piece (its items stay together)."""
    pieces: list[tuple[str, bool]] = []
    pending: list[str] = []

    def flush() -> None:
        text = "\n".join(pending).strip()
        pending.clear()
        if text:
            pieces.append((text, False))

    for line in raw.split("\n"):
        heading = _MARKDOWN_HEADING.match(line.strip())
        if heading:
            flush()
            pieces.append((heading.group(1).strip(), True))
            continue
        if _LIST_ITEM.match(line) and pending and not _LIST_ITEM.match(pending[-1]):
            flush()
        pending.append(line)
    flush()
    return pieces


def _blocks(document: Document, title: str) -> Iterator[_Block]:
    for index, section in enumerate(document.sections):
        raw = document.section_text(section).strip()
        if index == 0 and raw.lstrip("#").strip() == title:
            continue  # the title goes into every passage's context, not into a passage
        pieces = _pieces(raw)
        for text, is_heading in pieces:
            if not is_heading:
                # A single short line is a heading in plain text and PDFs; the readers of
                # structured formats say so themselves.
                is_heading = text == section.heading or (
                    len(pieces) == 1 and "\n" not in text and _looks_like_heading(text)
                )
            yield _Block(text, section.page, section.paragraph, section.heading, is_heading)


def _split_long(text: str, limit: int) -> list[str]:
    """A block longer than a passage, cut between sentences (or words, for one endless one)."""
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in _SENTENCE_END.split(text):
        words = sentence.split()
        while len(words) > limit:  # a "sentence" of a whole page: cut by words
            if current:
                pieces.append(" ".join(current))
                current, count = [], 0
            pieces.append(" ".join(words[:limit]))
            words = words[limit:]
        if count + len(words) > limit and current:
            pieces.append(" ".join(current))
            current, count = [], 0
        current.extend(words)
        count += len(words)
    if current:
        pieces.append(" ".join(current))
    return pieces


def chunk_document(document: Document, *, passage_words: int = 180) -> tuple[str, list[Chunk]]:
    """The document's title and its passages, in reading order."""
    title = document_title(document)
    target = passage_words
    limit = int(passage_words * 1.4)
    minimum = max(passage_words // 3, 20)
    chunks: list[Chunk] = []
    parts: list[str] = []
    count = 0
    page: int | None = None
    paragraph: int | None = None
    heading = ""
    current_heading = ""
    body = 0  # words of the current passage that are not headings

    def close() -> None:
        nonlocal parts, count, body
        if parts:
            chunks.append(Chunk("\n".join(parts), heading, page, paragraph))
        parts, count, body = [], 0, 0

    for block in _blocks(document, title):
        if block.is_heading:
            # A new heading or article starts a passage once the current one can stand alone.
            if count >= minimum:
                close()
            current_heading = block.text[:_MAX_HEADING]
            if not body:  # headings only so far: the closest one names the passage
                heading = current_heading
            parts.append(block.text)
            count += _words(block.text)
            if page is None or not chunks or len(parts) == 1:
                page, paragraph = block.page, block.paragraph
            continue
        words = _words(block.text)
        starts_article = bool(_ARTICLE.match(block.text))
        if parts and (
            block.page != page
            or (starts_article and count >= minimum)
            or count + words > limit
            or count >= target
        ):
            close()
        if not parts:
            page, paragraph = block.page, block.paragraph
            heading = current_heading or (block.heading or "")[:_MAX_HEADING]
        body += words
        if words > limit:
            pieces = _split_long(block.text, target)
            for piece in pieces[:-1]:
                parts.append(piece)
                close()
                page, paragraph = block.page, block.paragraph
                heading = current_heading or (block.heading or "")[:_MAX_HEADING]
            parts.append(pieces[-1])
            count += _words(pieces[-1])
        else:
            parts.append(block.text)
            count += words
    close()
    # A last passage too short to stand alone joins the one before it, on the same page.
    if len(chunks) >= 2:
        last, before = chunks[-1], chunks[-2]
        if _words(last.text) < minimum // 2 and last.page == before.page:
            chunks[-2:] = [
                Chunk(before.text + "\n" + last.text, before.heading, before.page, before.paragraph)
            ]
    return title, chunks
