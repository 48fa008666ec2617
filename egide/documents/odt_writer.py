"""The ODT export: the same page, font and styles as the DOCX one (see layout.py)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from odf import dc, meta, teletype
from odf.opendocument import OpenDocumentText
from odf.style import (
    DefaultStyle,
    FontFace,
    Footer,
    FooterStyle,
    Header,
    HeaderFooterProperties,
    HeaderStyle,
    ListLevelProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TextProperties,
)
from odf.text import (
    H,
    List,
    ListItem,
    ListLevelStyleBullet,
    ListStyle,
    P,
    PageCount,
    PageNumber,
    Span,
)

from egide.documents.compose import Composed, Para, ParaKind
from egide.documents.layout import (
    BODY_SIZE_PT,
    FONT,
    HEADER_DISTANCE_CM,
    MARGINS_CM,
    MENTION_STYLE,
    PAGE_CM,
    PAGE_NUMBER_STYLE,
    PLAIN_STYLE,
    STAMP_STYLE,
    ParagraphStyle,
)

__all__ = ["odt_bytes"]

_LANGUAGE, _COUNTRY = "fr", "FR"
# The first page's master page: no page number on it; the pages after it use "Standard".
_FIRST_PAGE = "First_20_Page"


def _pt(value: float) -> str:
    return f"{value:g}pt"


def _cm(value: float) -> str:
    return f"{value:g}cm"


class _Styles:
    """The document's named styles, created when first used, and the variants of spacing."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.named: dict[str, Any] = {}
        self.variants: dict[tuple[str, float, bool, bool], Any] = {}
        document.fontfacedecls.addElement(
            FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="swiss", fontpitch="variable")
        )
        default = DefaultStyle(family="paragraph")
        default.addElement(
            TextProperties(
                fontname=FONT, fontsize=_pt(BODY_SIZE_PT), language=_LANGUAGE, country=_COUNTRY
            )
        )
        document.styles.addElement(default)
        self.title = self._plain("Title", "Titre", size=16, bold=True, after=12)
        self.headings = {}
        for level, size in ((1, 14), (2, 12), (3, 11)):
            self.headings[level] = self._plain(
                f"Heading_20_{level}", f"Heading {level}", size=size, bold=True, before=12,
                after=6, outline=level,
            )  # fmt: skip
        self.bold = Style(name="Strong_20_Emphasis", displayname="Strong Emphasis", family="text")
        self.bold.addElement(TextProperties(fontweight="bold"))
        document.styles.addElement(self.bold)
        self.bullets = ListStyle(name="Puces")
        bullet = ListLevelStyleBullet(level=1, bulletchar="•")
        bullet.addElement(ListLevelProperties(spacebefore="0.4cm", minlabelwidth="0.5cm"))
        self.bullets.addElement(bullet)
        document.automaticstyles.addElement(self.bullets)

    def _plain(
        self, name: str, display: str, *, size: float, bold: bool = False, before: float = 0,
        after: float = 0, outline: int | None = None,
    ) -> Any:  # fmt: skip
        options = {"defaultoutlinelevel": str(outline)} if outline else {}
        style = Style(name=name, displayname=display, family="paragraph", **options)
        style.addElement(
            TextProperties(fontsize=_pt(size), fontweight="bold" if bold else "normal")
        )
        style.addElement(ParagraphProperties(margintop=_pt(before), marginbottom=_pt(after)))
        self.document.styles.addElement(style)
        return style

    def named_style(self, spec: ParagraphStyle) -> Any:
        found = self.named.get(spec.name)
        if found is not None:
            return found
        internal = spec.name.replace(" ", "_20_")
        style = Style(name=internal, displayname=spec.name, family="paragraph")
        text = {"fontsize": _pt(spec.size_pt)}
        if spec.italic:
            text["fontstyle"] = "italic"
        style.addElement(TextProperties(**text))
        paragraph = {
            "textalign": {"left": "start", "right": "end", "justify": "justify"}[spec.align],
            "margintop": _pt(spec.before_pt) if spec.single else "0pt",
            "marginbottom": _pt(spec.after_pt),
            "marginleft": _cm(spec.indent_cm),
        }
        if spec.keep_together:
            paragraph["keeptogether"] = "always"
        style.addElement(ParagraphProperties(**paragraph))
        self.document.styles.addElement(style)
        self.named[spec.name] = style
        return style

    def for_para(
        self, spec: ParagraphStyle, before_pt: float, keep_with_next: bool, first: bool = False
    ) -> Any:
        """``spec``'s style, or an automatic style over it with space above, kept with the
        next paragraph, or opening the first page (``first``)."""
        base = self.named_style(spec)
        if not before_pt and not keep_with_next and not first:
            return base
        key = (spec.name, before_pt, keep_with_next, first)
        found = self.variants.get(key)
        if found is not None:
            return found
        options = {"masterpagename": _FIRST_PAGE} if first else {}
        variant = Style(
            name=f"P{len(self.variants) + 1}", family="paragraph", parentstylename=base,
            **options,
        )  # fmt: skip
        # LibreOffice reads the space above and below as one pair: give both, or it takes the
        # missing one as zero.
        properties = {"margintop": _pt(before_pt), "marginbottom": _pt(spec.after_pt)}
        if keep_with_next:
            properties["keepwithnext"] = "always"
        variant.addElement(ParagraphProperties(**properties))
        self.document.automaticstyles.addElement(variant)
        self.variants[key] = variant
        return variant

    def opening(self, base: Any) -> Any:
        """A title or heading that opens the document, hence its first page."""
        variant = Style(
            name=f"P{len(self.variants) + 1}", family="paragraph", parentstylename=base,
            masterpagename=_FIRST_PAGE,
        )  # fmt: skip
        self.document.automaticstyles.addElement(variant)
        self.variants[("opening", 0.0, False, True)] = variant
        return variant


def _page(document: Any, styles: _Styles, stamp: str | None) -> None:
    layout = PageLayout(name="A4")
    # With a header, the page's top margin is where the header starts (ODF's model); the
    # footer likewise sits inside the bottom margin.
    top = HEADER_DISTANCE_CM if stamp else MARGINS_CM["top"]
    layout.addElement(
        PageLayoutProperties(
            pagewidth=_cm(PAGE_CM[0]), pageheight=_cm(PAGE_CM[1]), printorientation="portrait",
            margintop=_cm(top), marginbottom=_cm(HEADER_DISTANCE_CM),
            marginleft=_cm(MARGINS_CM["left"]), marginright=_cm(MARGINS_CM["right"]),
        )
    )  # fmt: skip
    gap = _cm(MARGINS_CM["top"] - HEADER_DISTANCE_CM - 0.5)
    if stamp:
        header_style = HeaderStyle()
        header_style.addElement(HeaderFooterProperties(minheight="0.5cm", marginbottom=gap))
        layout.addElement(header_style)
    footer_style = FooterStyle()
    footer_style.addElement(HeaderFooterProperties(minheight="0.5cm", margintop=gap))
    layout.addElement(footer_style)
    document.automaticstyles.addElement(layout)
    standard = MasterPage(name="Standard", pagelayoutname=layout)
    first = MasterPage(
        name=_FIRST_PAGE, displayname="First Page", pagelayoutname=layout,
        nextstylename=standard,
    )  # fmt: skip
    for master in (first, standard):
        if stamp:
            header = Header()
            paragraph = P(stylename=styles.named_style(STAMP_STYLE))
            span = Span(stylename=styles.bold)
            teletype.addTextToElement(span, stamp)
            paragraph.addElement(span)
            header.addElement(paragraph)
            master.addElement(header)
    footer = Footer()
    number = P(stylename=styles.named_style(PAGE_NUMBER_STYLE))
    number.addElement(PageNumber(selectpage="current", text="1"))
    teletype.addTextToElement(number, "/")
    number.addElement(PageCount(text="1"))
    footer.addElement(number)
    standard.addElement(footer)
    # The first page has the same layout without a footer: an empty one keeps the text's
    # height the same on every page.
    first.addElement(Footer())
    document.masterstyles.addElement(standard)
    document.masterstyles.addElement(first)


def _runs(element: Any, para: Para, bold_style: Any) -> Any:
    for chunk, bold in para.runs:
        if bold:
            span = Span(stylename=bold_style)
            teletype.addTextToElement(span, chunk)
            element.addElement(span)
        else:
            teletype.addTextToElement(element, chunk)  # "\n" becomes <text:line-break/>
    return element


def _metadata(document: Any, title: str, author: str | None, now: datetime) -> None:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S")
    document.meta.addElement(dc.Title(text=title))
    document.meta.addElement(dc.Language(text=f"{_LANGUAGE}-{_COUNTRY}"))
    document.meta.addElement(meta.CreationDate(text=stamp))
    document.meta.addElement(dc.Date(text=stamp))
    if author:
        document.meta.addElement(meta.InitialCreator(text=author))
        document.meta.addElement(dc.Creator(text=author))


def odt_bytes(
    composed: Composed,
    *,
    title: str,
    mention: str | None,
    author: str | None,
    stamp: str | None,
    now: datetime,
) -> bytes:
    document = OpenDocumentText()
    _metadata(document, title, author, now)
    styles = _Styles(document)
    _page(document, styles, stamp)
    bullets: Any = None
    if not composed.paragraphs or composed.paragraphs[0].kind in (ParaKind.BULLET,):
        # The first page's master page is set by the first paragraph: one that can carry it.
        document.text.addElement(P(stylename=styles.for_para(PLAIN_STYLE, 0, False, first=True)))
    for index, para in enumerate(composed.paragraphs):
        if para.kind is ParaKind.BULLET:
            if bullets is None:
                bullets = List(stylename=styles.bullets)
                document.text.addElement(bullets)
            item = ListItem()
            item.addElement(_runs(P(), para, styles.bold))
            bullets.addElement(item)
            continue
        bullets = None
        first = index == 0
        if para.kind is ParaKind.TITLE:
            element = P(stylename=styles.opening(styles.title) if first else styles.title)
        elif para.kind is ParaKind.HEADING:
            heading = styles.headings[min(para.level, 3)]
            element = H(
                outlinelevel=para.level, stylename=styles.opening(heading) if first else heading
            )
        else:
            style = styles.for_para(para.style, para.before_pt, para.keep_with_next, first)
            element = P(stylename=style)
        document.text.addElement(_runs(element, para, styles.bold))
    if mention:
        element = P(stylename=styles.named_style(MENTION_STYLE))
        teletype.addTextToElement(element, mention)
        document.text.addElement(element)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
