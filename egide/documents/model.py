"""What a read document looks like: its whole text, and sections pointing back into the source."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

__all__ = [
    "ACCEPTED_FORMATS", "UPLOAD_ACCEPT", "MAX_SECTIONS", "MAX_TEXT_CHARS", "PARAGRAPH_SEPARATOR", "Document", "DocumentError",
    "DocumentFormat", "DocumentProblem", "Passage", "Section", "TextBuilder", "clean_text",
    "iter_paragraphs",
]  # fmt: skip

PARAGRAPH_SEPARATOR = "\n\n"
# About 5,000 dense pages: past this, a document is not something an agent asks to summarise,
# and keeping it whole in memory would only slow every later step.
MAX_TEXT_CHARS = 10_000_000
# Each section costs about a hundred bytes: a file of one-letter lines must not exhaust memory.
MAX_SECTIONS = 100_000
ACCEPTED_FORMATS = "PDF, DOCX, ODT, EML, HTML, TXT, JPEG, PNG, TIFF"
# The upload forms' ``accept`` attribute: what a file chooser offers (the content decides).
UPLOAD_ACCEPT = ".pdf,.docx,.odt,.eml,.html,.htm,.xhtml,.txt,.md,.jpg,.jpeg,.png,.tif,.tiff"


class DocumentFormat(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    ODT = "odt"
    EML = "eml"
    HTML = "html"
    TXT = "txt"
    IMAGE = "image"  # a photo or a scan (JPEG, PNG, TIFF), read by OCR


class DocumentProblem(StrEnum):
    """Why a document could not be read; lets the API choose a status code without parsing text."""

    NOT_FOUND = "introuvable"
    UNSUPPORTED = "format_non_pris_en_charge"
    CORRUPT = "endommage"
    TOO_LARGE = "trop_volumineux"
    EMPTY = "vide"
    ENCRYPTED = "protege_par_mot_de_passe"
    SCANNED = "numerisation_sans_texte"
    UNAVAILABLE = "lecture_indisponible"  # the service cannot read files right now: retry later


class DocumentError(Exception):
    """A document that cannot be read; ``str(error)`` is a French sentence for the agent."""

    def __init__(self, message: str, problem: DocumentProblem = DocumentProblem.CORRUPT) -> None:
        super().__init__(message)
        self.message = message
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Section:
    """``text[text_start:text_end]`` came from this page (PDF) or paragraph (other formats).

    ``paragraph`` counts the non-empty paragraphs of the source from 1 (a table row counts as
    one); ``heading`` is the heading the range falls under; ``attachment`` names the e-mail
    attachment the range was read from, if any.
    """

    text_start: int
    text_end: int
    page: int | None = None
    paragraph: int | None = None
    heading: str | None = None
    attachment: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    text: str
    sections: tuple[Section, ...]
    source: str
    format: DocumentFormat
    warnings: tuple[str, ...] = ()
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(s.text_start for s in self.sections))

    def section_text(self, section: Section) -> str:
        return self.text[section.text_start : section.text_end]

    def locate(self, offset: int) -> Section | None:
        """The section holding character ``offset`` (e.g. a guard finding), or None."""
        index = bisect.bisect_right(self._starts, offset) - 1
        if index < 0:
            return None
        section = self.sections[index]
        return section if offset < section.text_end else None


class Passage(NamedTuple):
    text: str
    page: int | None
    paragraph: int | None


def iter_paragraphs(document: Document) -> Iterator[Passage]:
    """Each section's text with its position, in reading order (for summaries that cite)."""
    for section in document.sections:
        yield Passage(document.section_text(section), section.page, section.paragraph)


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")
# Lone surrogates: what Python's decoders leave for undecodable bytes (surrogateescape). They are
# not text and no later step can encode them (UTF-8, the store's encryption, the web page).
_SURROGATES = re.compile("[\ud800-\udfff]")
_BLANK_LINES = re.compile("\n{3,}")


def clean_text(text: str) -> str:
    """Unify line ends, drop control characters and trailing spaces, keep one blank line at most;
    a lone surrogate becomes U+FFFD, so that the text always encodes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")
    text = _SURROGATES.sub("\ufffd", _CONTROL.sub("", text))
    # Line by line rather than a regex: a `[ \t]+\n` pattern backtracks on long runs of spaces.
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


class TextBuilder:
    """Accumulates paragraphs into one text and records where each came from."""

    def __init__(
        self, source: str, *, max_chars: int = MAX_TEXT_CHARS, max_sections: int = MAX_SECTIONS
    ) -> None:
        self.source = source
        self.warnings: list[str] = []
        self._parts: list[str] = []
        self._sections: list[Section] = []
        self._length = 0
        self._paragraphs = 0
        self._max_chars = max_chars
        self._max_sections = max_sections
        self._truncated = False

    @property
    def is_full(self) -> bool:
        return self._truncated

    def add(
        self,
        text: str,
        *,
        page: int | None = None,
        heading: str | None = None,
        numbered: bool = True,
        paragraph: int | None = None,
        attachment: str | None = None,
    ) -> bool:
        """Append one paragraph (or page); return False when it was empty or nothing fitted.

        A paragraph that reaches the character limit is cut there (a text of one huge paragraph
        still gives its beginning); the paragraphs after it are not read.
        ``numbered`` paragraphs get the next paragraph number; others keep ``paragraph`` as given.
        """
        if self._truncated:
            return False
        text = clean_text(text)
        if not text:
            return False
        start = self._length + (len(PARAGRAPH_SEPARATOR) if self._parts else 0)
        cut = start + len(text) > self._max_chars
        if cut:
            text = text[: max(self._max_chars - start, 0)].rstrip()
            if not text:
                return self._truncate(self._max_chars, "caractères")
        if len(self._sections) >= self._max_sections:
            return self._truncate(self._max_sections, "paragraphes")
        if self._parts:
            self._parts.append(PARAGRAPH_SEPARATOR)
        self._parts.append(text)
        self._length = start + len(text)
        if numbered:
            self._paragraphs += 1
            paragraph = self._paragraphs
        self._sections.append(Section(start, self._length, page, paragraph, heading, attachment))
        if cut:
            self._truncate(self._max_chars, "caractères")
        return True

    def _truncate(self, limit: int, unit: str) -> bool:
        self._truncated = True
        shown = f"{limit:,}".replace(",", "\u202f")
        self.warnings.append(
            f"le document « {self.source} » est très long : seuls les {shown} premiers {unit} "
            "ont été lus"
        )
        return False

    def extend(self, document: Document, *, attachment: str) -> None:
        """Append a whole document read separately (an e-mail attachment), keeping its positions."""
        for section in document.sections:
            if not self.add(
                document.section_text(section),
                page=section.page,
                heading=section.heading,
                numbered=False,
                paragraph=section.paragraph,
                attachment=attachment,
            ):
                break

    def build(self, format: DocumentFormat) -> Document:
        return Document(
            text="".join(self._parts),
            sections=tuple(self._sections),
            source=self.source,
            format=format,
            warnings=tuple(self.warnings),
        )
