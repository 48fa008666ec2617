"""HTML: the visible text, one paragraph per block element, headings kept as headings."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import NamedTuple

from egide.documents.limits import Budget
from egide.documents.model import Document, DocumentFormat, TextBuilder
from egide.documents.text import decode_text

__all__ = ["HtmlBlock", "html_blocks", "looks_like_html", "read_html"]

_SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "title", "svg", "iframe", "object"}
)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)  # fmt: skip
_BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl",
     "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
     "h6", "header", "hr", "html", "legend", "li", "main", "nav", "ol", "p", "pre", "section",
     "summary", "table", "tbody", "tfoot", "thead", "tr", "ul"}
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELLS = frozenset({"td", "th"})
_LINE_BREAK = "\n"
_META_CHARSET = re.compile(
    rb"<meta[^>]{0,300}?charset\s{0,5}=\s{0,5}[\"']?([A-Za-z0-9_:.-]{1,40})", re.I
)
_HTML_START = re.compile(
    rb"\s{0,200}(<!--.{0,500}?-->\s{0,50})?<(!doctype\s+html|html|head|body)\b", re.I | re.S
)


class HtmlBlock(NamedTuple):
    text: str
    is_heading: bool


def _is_hidden(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if name == "hidden":
            return True
        if name == "style" and value and "display:none" in value.replace(" ", "").lower():
            return True
    return False


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[HtmlBlock] = []
        self._buffer: list[str] = []
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._heading_depth = 0
        self._pre_depth = 0
        self._row_has_cell = False

    def _flush(self) -> None:
        raw = "".join(self._buffer)
        self._buffer.clear()
        lines = (" ".join(line.split()) for line in raw.split(_LINE_BREAK))
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append(HtmlBlock(text, self._heading_depth > 0))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        if tag not in _VOID and (tag in _SKIPPED or _is_hidden(attrs)):
            self._skip_tag, self._skip_depth = tag, 1
            return
        if tag == "br":
            self._buffer.append(_LINE_BREAK)
        elif tag in _CELLS:
            if self._row_has_cell:
                self._buffer.append(" | ")
            self._row_has_cell = True
        elif tag in _BLOCKS:
            self._flush()
            self._row_has_cell = False
            self._heading_depth += tag in _HEADINGS
            self._pre_depth += tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip_tag = None
            return
        if tag in _BLOCKS:
            self._flush()
            self._row_has_cell = False
            if tag in _HEADINGS and self._heading_depth:
                self._heading_depth -= 1
            if tag == "pre" and self._pre_depth:
                self._pre_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._skip_tag is None:
            self._buffer.append(data if self._pre_depth else data.replace("\n", " "))

    def close(self) -> None:
        super().close()
        self._flush()


def html_blocks(markup: str) -> list[HtmlBlock]:
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return parser.blocks


def looks_like_html(data: bytes) -> bool:
    return _HTML_START.match(data[:2048]) is not None


def read_html(data: bytes, name: str, budget: Budget) -> Document:
    declared = _META_CHARSET.search(data[:4096])
    text, warnings = decode_text(
        data, name, declared=declared.group(1).decode() if declared else None
    )
    builder = TextBuilder(name, max_chars=budget.limits.max_chars)
    builder.warnings.extend(warnings)
    heading: str | None = None
    for block in html_blocks(text):
        if block.is_heading:
            heading = block.text
        if not builder.add(block.text, heading=heading) and builder.is_full:
            break
    return builder.build(DocumentFormat.HTML)
