"""The document as the extractive engine reads it: cleaned sentences, and lists kept whole.

A passage an agent can use is a whole thought: a sentence, or a list *with* the sentence that
introduces it ("les agents sont invités à privilégier : - … ; - …"). :func:`read_units` turns
the pseudonymised sources into such units, in reading order, each knowing its document, page
and paragraph, after :mod:`~egide.models.local.clean` has taken out page furniture and repaired
OCR's misreadings. Lines that introduce nothing and end nothing (a letterhead, a title, a
signature) are kept as ``line`` units: the fiche reads them, summaries skip them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from egide.models.base import SourceText
from egide.models.local.clean import (
    BULLET,
    clean_line,
    is_debris,
    recurring_lines,
    repair_joined,
    shape,
)
from egide.models.local.text import split_sentences

__all__ = ["Unit", "cite", "read_units"]

_TERMINAL = (".", "!", "?", "…", ":", ";", "»", ")", '"')
# A line ending with one of these goes on with the next one, whatever its first letter.
_CONTINUES = frozenset(
    """de du des d' la le les l' à au aux en et ou par pour sur sous dans avec entre vers chez
    un une mme m. me dr pr monsieur madame""".split()
)
_NUMBERED_HEADING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|[IVX]{1,5}[.)-]|[A-H][.)])\s+\S")
_SENTENCE_END = (".", "!", "?", "…", "»", '"', ")")


@dataclass(frozen=True, slots=True)
class Unit:
    text: str  # the sentence; for a list, its lead-in (the items are in ``items``)
    index: int  # rank in reading order over all sources
    document: str | None = None
    page: int | None = None
    paragraph: int | None = None
    items: tuple[str, ...] = ()
    kind: str = "sentence"  # "sentence", "list" (a lead-in with its items), "line"
    start: int = 0  # kept for the selection code written for sentences

    @property
    def full_text(self) -> str:
        """The unit as quoted: a list on several lines, its items as bullets."""
        if not self.items:
            return self.text
        return "\n".join([self.text, *(f"  {BULLET}{item}" for item in self.items)])

    @property
    def flat_text(self) -> str:
        """The unit on one line (for scoring and for short quotes)."""
        return " ".join([self.text, *self.items])


def cite(unit: Unit, *, with_document: bool = True) -> str:
    """« dossier.pdf », p. 2 — or p. 2, or § 4, or the document's name alone."""
    where = (
        f"p. {unit.page}"
        if unit.page is not None
        else (f"§ {unit.paragraph}" if unit.paragraph is not None else "")
    )
    if with_document and unit.document:
        return f"« {unit.document} », {where}" if where else f"« {unit.document} »"
    return where


@dataclass
class _Builder:
    units: list[Unit] = field(default_factory=list)
    carry: Unit | None = None  # the end of a source, which the next source may continue

    def push(self, unit: Unit, *, hold: bool = False) -> None:
        if self.carry is not None:
            carried, self.carry = self.carry, None
            continues = (
                carried.document == unit.document
                and unit.kind != "item"
                and unit.text[:1].islower()
            )
            if continues:
                text = f"{carried.text} {unit.text}"
                unit = Unit(
                    text, 0, carried.document, carried.page, carried.paragraph,
                    kind="line" if _is_line(text) else "sentence",
                )  # fmt: skip
            else:
                self._append(carried)
        if hold:
            self.carry = unit
        else:
            self._append(unit)

    def finish(self) -> list[Unit]:
        if self.carry is not None:
            self._append(self.carry)
            self.carry = None
        return self.units

    def _append(self, unit: Unit) -> None:
        previous = self.units[-1] if self.units else None
        if unit.kind == "item" and previous is not None and _opens_list(previous):
            self.units[-1] = Unit(
                previous.text, previous.index, previous.document, previous.page,
                previous.paragraph, (*previous.items, unit.text), "list",
            )  # fmt: skip
            return
        kind = "sentence" if unit.kind == "item" else unit.kind  # an item with no lead-in
        self.units.append(
            Unit(unit.text, len(self.units), unit.document, unit.page, unit.paragraph, (), kind)
        )


def _opens_list(unit: Unit) -> bool:
    """A lead-in ending with ":" takes the items that follow, until one ends the list."""
    if unit.kind == "list":
        return not unit.items[-1].rstrip().endswith(".")
    return unit.kind == "sentence" and unit.text.rstrip().endswith(":")


def _lines(sources: Sequence[SourceText]) -> Iterator[tuple[SourceText, list[str]]]:
    """Each source's cleaned lines, without debris nor the lines repeated on most pages."""
    cleaned = [[clean_line(line) for line in source.text.split("\n")] for source in sources]
    paged = [lines for lines, source in zip(cleaned, sources, strict=True) if source.page]
    furniture = recurring_lines(paged)
    for source, lines in zip(sources, cleaned, strict=True):
        kept: list[str] = []
        for line in lines:
            if not line or (source.page and shape(line) in furniture):
                continue
            if is_debris(line) and not _ends_a_sentence(kept[-1] if kept else "", line):
                continue
            kept.append(line)
        yield source, kept


def _ends_a_sentence(previous: str, line: str) -> bool:
    """A few letters ("de 12 %.") after a line that does not end: the end of its sentence."""
    return (
        bool(previous)
        and not previous.endswith(_TERMINAL)
        and line[:1].islower()
        and re.search(r"[^\W\d_]{2,}", line) is not None  # "de", not the "c" of a stamp
        and (line.endswith(_TERMINAL) or len(line.split()) >= 2)
    )


def _joined(lines: Sequence[str]) -> str:
    """The lines of one source as one text for the sentence splitter: words cut by a hyphen at
    the end of a line are whole again, and a short line (a letterhead, a list of addressees)
    followed by a capital starts a paragraph of its own instead of running into the next."""
    parts: list[str] = []
    for line in lines:
        if not parts:
            parts.append(line)
            continue
        previous = parts[-1]
        if previous.endswith("-") and line[:1].islower():
            parts[-1] = previous[:-1] + line  # dévelop- / pement
        elif previous.endswith("-") and line[:1].isupper():
            parts[-1] = previous + line  # FOR- / MI, Saint- / Denis
        elif (line[:1].isupper() or line.startswith("[")) and _stands_alone(previous):
            parts.append("\n" + line)
        else:
            parts.append(line)
    return "\n".join(parts)


def _stands_alone(line: str) -> bool:
    words = line.split()
    if not words or len(words) > 10 or line.count("(") > line.count(")"):
        return False
    return words[-1].lower().rstrip(",") not in _CONTINUES and not line.endswith(",")


def read_units(sources: Sequence[SourceText]) -> list[Unit]:
    """The units of ``sources``, in order; a sentence cut by a page break is joined again and
    attributed to the page where it starts."""
    builder = _Builder()
    for source, lines in _lines(sources):
        text = _joined(lines)
        spans = split_sentences(text)
        for position, (start, end) in enumerate(spans):
            sentence = repair_joined(" ".join(text[start:end].split()))
            if sentence.startswith(BULLET.strip()) and sentence[1:2] == " ":
                kind, sentence = "item", sentence[len(BULLET) :].strip()
            else:
                kind = "line" if _is_line(sentence) else "sentence"
            if not sentence:
                continue
            unit = Unit(sentence, 0, source.document, source.page, source.paragraph, kind=kind)
            last = position == len(spans) - 1
            builder.push(unit, hold=last and kind != "item" and not sentence.endswith(_TERMINAL))
    return builder.finish()


def _is_line(sentence: str) -> bool:
    """A letterhead, a title, a date line, a signature: short, and not a sentence."""
    if sentence.endswith(_SENTENCE_END) or sentence.endswith((":", ";")):
        return False
    words = len(sentence.split())
    return words <= 12 or (words <= 24 and _NUMBERED_HEADING.match(sentence) is not None)
