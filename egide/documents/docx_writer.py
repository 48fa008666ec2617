"""The DOCX export: A4, Arial, one paragraph style per part of a letter (see layout.py).

The file carries only the metadata given here: python-docx's template says it was written by
"python-docx", which must not end up in a ministry's document properties, and its page is US
Letter, which a French printer would shrink.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from egide.documents.compose import Composed, Para, ParaKind
from egide.documents.layout import (
    BODY_SIZE_PT,
    FONT,
    HEADER_DISTANCE_CM,
    MARGINS_CM,
    MENTION_STYLE,
    PAGE_CM,
    PAGE_NUMBER_STYLE,
    STAMP_STYLE,
    Align,
    ParagraphStyle,
)

__all__ = ["LANGUAGE", "docx_bytes"]

LANGUAGE = "fr-FR"
_ALIGN = {
    Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
    Align.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
    Align.JUSTIFY: WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_BLACK = RGBColor(0, 0, 0)


def _set_font(rpr_parent: Any) -> None:
    """Arial for every script, instead of the template's theme fonts (Calibri, Cambria)."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for name in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(name), FONT)


def _defaults(document: Any) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    fonts = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}")
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for name in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(name), FONT)
    spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")  # single spacing, as letters are set
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_SIZE_PT)
    _set_font(normal.element)
    # The template's headings are blue Calibri Light; a ministry's documents are not.
    for name, size in (("Title", 16), ("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 11)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.color.rgb = _BLACK
        style.font.bold = True
        style.font.italic = False
        _set_font(style.element)
        border = style.element.pPr.find(qn("w:pBdr")) if style.element.pPr is not None else None
        if border is not None:
            style.element.pPr.remove(border)
    document.styles["Title"].paragraph_format.space_after = Pt(12)
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        document.styles[name].paragraph_format.space_before = Pt(12)
        document.styles[name].paragraph_format.space_after = Pt(6)


def _page(document: Any, stamp: str | None) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    section.top_margin = Cm(MARGINS_CM["top"])
    section.bottom_margin = Cm(MARGINS_CM["bottom"])
    section.left_margin = Cm(MARGINS_CM["left"])
    section.right_margin = Cm(MARGINS_CM["right"])
    section.header_distance = Cm(HEADER_DISTANCE_CM)
    section.footer_distance = Cm(HEADER_DISTANCE_CM)
    # The first page has its own header and footer: no page number on it.
    section.different_first_page_header_footer = True
    if stamp:
        for header in (section.first_page_header, section.header):
            paragraph = header.paragraphs[0]
            paragraph.style = _style(document, STAMP_STYLE)
            paragraph.add_run(stamp).bold = True
    paragraph = section.footer.paragraphs[0]
    paragraph.style = _style(document, PAGE_NUMBER_STYLE)
    _field(paragraph, "PAGE")
    paragraph.add_run("/")
    _field(paragraph, "NUMPAGES")


def _field(paragraph: Any, instruction: str) -> None:
    """A field the office suite computes when it lays out the pages (page number, count)."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None),
                       ("display", "1"), ("end", None)):  # fmt: skip
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        elif kind == "display":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def _style(document: Any, spec: ParagraphStyle) -> Any:
    try:
        return document.styles[spec.name]
    except KeyError:
        pass
    style = document.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.quick_style = True
    style.font.size = Pt(spec.size_pt)
    style.font.italic = spec.italic or None
    formatting = style.paragraph_format
    formatting.alignment = _ALIGN[spec.align]
    formatting.left_indent = Cm(spec.indent_cm) if spec.indent_cm else None
    formatting.space_before = Pt(spec.before_pt if spec.single else 0)
    formatting.space_after = Pt(spec.after_pt)
    formatting.keep_together = spec.keep_together or None
    return style


def _runs(paragraph: Any, para: Para) -> None:
    for text, bold in para.runs:
        run = paragraph.add_run(text)  # python-docx turns "\n" into a line break
        if bold:
            run.bold = True


def _paragraph(document: Any, para: Para) -> None:
    if para.kind is ParaKind.TITLE:
        paragraph = document.add_paragraph(style="Title")
    elif para.kind is ParaKind.HEADING:
        paragraph = document.add_heading(level=para.level)
    elif para.kind is ParaKind.BULLET:
        paragraph = document.add_paragraph(style="List Bullet")
    else:
        paragraph = document.add_paragraph(style=_style(document, para.style))
    if para.before_pt:
        paragraph.paragraph_format.space_before = Pt(para.before_pt)
    if para.keep_with_next:
        paragraph.paragraph_format.keep_with_next = True
    _runs(paragraph, para)


def _metadata(document: Any, title: str, author: str | None, now: datetime) -> None:
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


def docx_bytes(
    composed: Composed,
    *,
    title: str,
    mention: str | None,
    author: str | None,
    stamp: str | None,
    now: datetime,
) -> bytes:
    document = docx.Document()
    _metadata(document, title, author, now)
    _defaults(document)
    _page(document, stamp)
    for para in composed.paragraphs:
        _paragraph(document, para)
    if mention:
        paragraph = document.add_paragraph(style=_style(document, MENTION_STYLE))
        paragraph.add_run(mention).italic = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
