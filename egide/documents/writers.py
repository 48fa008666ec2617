"""DOCX and ODT exports of a draft: A4, the French administrative letter's layout, the mention.

A text whose parts are marked (:mod:`egide.documents.letter`) is set as a letter: timbre,
place and date, recipient, references, body, signature and copies each in its place and style,
and no title (the title of the template is the agent's, not the addressee's). Another text is a
plain document, under its title when ``heading`` is true. Every export ends with the mention of
the AI's part (and of the validation, once there is one); an export that is not validated
carries ``stamp`` at the top of each page ("PROJET").

Page, font and styles are in :mod:`egide.documents.layout`; the composition of the paragraphs,
common to both formats, in :mod:`egide.documents.compose`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from egide.documents.compose import compose
from egide.documents.docx_writer import LANGUAGE, docx_bytes
from egide.documents.odt_writer import odt_bytes
from egide.files import write_atomic

__all__ = [
    "LANGUAGE", "PROJECT_STAMP", "Body", "ai_assistance_mention", "render_docx", "render_odt",
    "write_docx", "write_odt", "xml_safe",
]  # fmt: skip

Body = str | Sequence[str]
"""The text of the export: Markdown-ish lines ("# " headings, "- " bullets, **bold**), and for
a letter the lines that mark its parts ("[En-tête]", "[Signature]"…)."""

PROJECT_STAMP = "PROJET — document non validé"
"""At the top of every page of an export made before the agent validated the document."""

# XML 1.0 allows tab, line feed, carriage return and the characters from U+0020 on, except the
# surrogates and U+FFFE/U+FFFF. A draft may hold others (a model's output, a paste from a
# terminal): python-docx refuses them and odfpy writes a file no office suite opens.
_XML_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# Word pastes a vertical tab for a manual line break and a form feed for a page break.
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


def xml_safe(text: str) -> str:
    """``text`` without the characters an XML 1.0 document cannot hold: line and page breaks
    become line breaks, other control characters are dropped, lone surrogates become U+FFFD."""
    return _SURROGATES.sub("\ufffd", _XML_CONTROLS.sub("", text.translate(_BREAKS)))


def _safe_body(body: Body) -> Body:
    return xml_safe(body) if isinstance(body, str) else [xml_safe(item) for item in body]


def _safe(text: str | None) -> str | None:
    return xml_safe(text) if text else text


def ai_assistance_mention(validated_by: str, validated_on: date, *, generative: bool = True) -> str:
    """The mention of a validated export; ``generative=False``: the built-in engine, which
    quotes the documents or fills a template, wrote it — saying « IA » would be untrue."""
    how = (
        "avec l'assistance d'une IA"
        if generative
        else "avec le moteur intégré d'Égide (extraits de documents, sans IA générative)"
    )
    return f"Document préparé {how}, relu et validé par {validated_by} le {validated_on:%d/%m/%Y}."


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def render_docx(
    *,
    title: str,
    body: Body,
    mention: str | None = None,
    author: str | None = None,
    heading: bool = True,
    stamp: str | None = None,
) -> bytes:
    """A DOCX file; ``heading`` prints ``title`` above a plain document (never a letter),
    ``stamp`` is printed at the top of every page."""
    title = xml_safe(title)
    composed = compose(_safe_body(body), title=title, heading=heading)
    return docx_bytes(
        composed, title=title, mention=_safe(mention), author=_safe(author), stamp=_safe(stamp),
        now=_now(),
    )  # fmt: skip


def render_odt(
    *,
    title: str,
    body: Body,
    mention: str | None = None,
    author: str | None = None,
    heading: bool = True,
    stamp: str | None = None,
) -> bytes:
    """An ODT file, laid out as :func:`render_docx` lays out its DOCX."""
    title = xml_safe(title)
    composed = compose(_safe_body(body), title=title, heading=heading)
    return odt_bytes(
        composed, title=title, mention=_safe(mention), author=_safe(author), stamp=_safe(stamp),
        now=_now(),
    )  # fmt: skip


def write_docx(
    path: Path,
    *,
    title: str,
    body: Body,
    mention: str | None = None,
    author: str | None = None,
    heading: bool = True,
    stamp: str | None = None,
) -> Path:
    data = render_docx(
        title=title, body=body, mention=mention, author=author, heading=heading, stamp=stamp
    )
    return write_atomic(path, data)


def write_odt(
    path: Path,
    *,
    title: str,
    body: Body,
    mention: str | None = None,
    author: str | None = None,
    heading: bool = True,
    stamp: str | None = None,
) -> Path:
    data = render_odt(
        title=title, body=body, mention=mention, author=author, heading=heading, stamp=stamp
    )
    return write_atomic(path, data)
