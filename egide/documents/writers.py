"""DOCX and ODT exports of a validated draft: title, headings, bullets, paragraphs, AI mention.

The files carry only the metadata given here: python-docx's template says it was written by
"python-docx", which must not end up in a ministry's document properties.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from odf import dc, meta, teletype
from odf.opendocument import OpenDocumentText
from odf.style import ListLevelProperties, ParagraphProperties, Style, TextProperties
from odf.text import H, List, ListItem, ListLevelStyleBullet, ListStyle, P, Span

from egide.documents.blocks import BlockKind, inline_runs, parse_blocks
from egide.files import write_atomic

__all__ = [
    "Body", "ai_assistance_mention", "render_docx", "render_odt", "write_docx", "write_odt",
    "xml_safe",
]  # fmt: skip

Body = str | Sequence[str]
"""The text of the export: Markdown-ish lines ("# " headings, "- " bullets, **bold**)."""

LANGUAGE = "fr-FR"

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


def ai_assistance_mention(validated_by: str, validated_on: date) -> str:
    return (
        "Document préparé avec l'assistance d'une IA, relu et validé par "
        f"{validated_by} le {validated_on:%d/%m/%Y}."
    )


# --- DOCX -------------------------------------------------------------------------------------


def _docx_runs(paragraph: Any, text: str) -> None:
    for chunk, bold in inline_runs(text):
        run = paragraph.add_run(chunk)  # python-docx turns "\n" into a line break
        if bold:
            run.bold = True


def _docx_metadata(document: Any, title: str, author: str | None, now: datetime) -> None:
    properties = document.core_properties
    properties.title = title
    properties.author = author or ""
    properties.last_modified_by = author or ""
    properties.comments = ""
    properties.subject = ""
    properties.keywords = ""
    properties.category = ""
    properties.language = LANGUAGE
    properties.created = now
    properties.modified = now
    properties.revision = 1
    for lang in document.styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), LANGUAGE)


def render_docx(
    *, title: str, body: Body, mention: str | None = None, author: str | None = None
) -> bytes:
    title, body = xml_safe(title), _safe_body(body)
    mention = xml_safe(mention) if mention else mention
    author = xml_safe(author) if author else author
    document = docx.Document()
    _docx_metadata(document, title, author, datetime.now(UTC).replace(microsecond=0))
    document.add_heading(title, level=0)
    for block in parse_blocks(body):
        if block.kind is BlockKind.HEADING:
            paragraph = document.add_heading(level=block.level)
        elif block.kind is BlockKind.BULLET:
            paragraph = document.add_paragraph(style="List Bullet")
        else:
            paragraph = document.add_paragraph()
        _docx_runs(paragraph, block.text)
    if mention:
        document.add_paragraph().add_run(mention).italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_docx(
    path: Path, *, title: str, body: Body, mention: str | None = None, author: str | None = None
) -> Path:
    return write_atomic(path, render_docx(title=title, body=body, mention=mention, author=author))


# --- ODT --------------------------------------------------------------------------------------


class _OdtStyles:
    def __init__(self, document: Any) -> None:
        self.title = Style(name="Title", displayname="Title", family="paragraph")
        self.title.addElement(TextProperties(fontsize="20pt", fontweight="bold"))
        self.title.addElement(ParagraphProperties(marginbottom="0.4cm"))
        document.styles.addElement(self.title)
        self.headings = {}
        for level, size in ((1, "16pt"), (2, "14pt"), (3, "12pt")):
            style = Style(
                name=f"Heading_20_{level}",
                displayname=f"Heading {level}",
                family="paragraph",
                defaultoutlinelevel=str(level),
            )
            style.addElement(TextProperties(fontsize=size, fontweight="bold"))
            style.addElement(ParagraphProperties(margintop="0.4cm", marginbottom="0.2cm"))
            document.styles.addElement(style)
            self.headings[level] = style
        self.mention = Style(name="Mention", displayname="Mention", family="paragraph")
        self.mention.addElement(TextProperties(fontstyle="italic"))
        self.mention.addElement(ParagraphProperties(margintop="0.6cm"))
        document.styles.addElement(self.mention)
        self.bold = Style(name="Strong_20_Emphasis", displayname="Strong Emphasis", family="text")
        self.bold.addElement(TextProperties(fontweight="bold"))
        document.styles.addElement(self.bold)
        self.bullets = ListStyle(name="Puces")
        bullet = ListLevelStyleBullet(level=1, bulletchar="•")
        bullet.addElement(ListLevelProperties(spacebefore="0.4cm", minlabelwidth="0.5cm"))
        self.bullets.addElement(bullet)
        document.automaticstyles.addElement(self.bullets)


def _odt_runs(element: Any, text: str, bold_style: Any) -> Any:
    for chunk, bold in inline_runs(text):
        if bold:
            span = Span(stylename=bold_style)
            teletype.addTextToElement(span, chunk)
            element.addElement(span)
        else:
            teletype.addTextToElement(element, chunk)  # "\n" becomes <text:line-break/>
    return element


def _odt_metadata(document: Any, title: str, author: str | None, now: datetime) -> None:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S")
    document.meta.addElement(dc.Title(text=title))
    document.meta.addElement(dc.Language(text=LANGUAGE))
    document.meta.addElement(meta.CreationDate(text=stamp))
    document.meta.addElement(dc.Date(text=stamp))
    if author:
        document.meta.addElement(meta.InitialCreator(text=author))
        document.meta.addElement(dc.Creator(text=author))


def render_odt(
    *, title: str, body: Body, mention: str | None = None, author: str | None = None
) -> bytes:
    title, body = xml_safe(title), _safe_body(body)
    mention = xml_safe(mention) if mention else mention
    author = xml_safe(author) if author else author
    document = OpenDocumentText()
    _odt_metadata(document, title, author, datetime.now(UTC).replace(microsecond=0))
    styles = _OdtStyles(document)
    document.text.addElement(_odt_runs(P(stylename=styles.title), title, styles.bold))
    bullets: Any = None
    for block in parse_blocks(body):
        if block.kind is BlockKind.BULLET:
            if bullets is None:
                bullets = List(stylename=styles.bullets)
                document.text.addElement(bullets)
            item = ListItem()
            item.addElement(_odt_runs(P(), block.text, styles.bold))
            bullets.addElement(item)
            continue
        bullets = None
        if block.kind is BlockKind.HEADING:
            element = H(outlinelevel=block.level, stylename=styles.headings[block.level])
        else:
            element = P()
        document.text.addElement(_odt_runs(element, block.text, styles.bold))
    if mention:
        document.text.addElement(_odt_runs(P(stylename=styles.mention), mention, styles.bold))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_odt(
    path: Path, *, title: str, body: Body, mention: str | None = None, author: str | None = None
) -> Path:
    return write_atomic(path, render_odt(title=title, body=body, mention=mention, author=author))
