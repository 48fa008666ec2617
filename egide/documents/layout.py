"""The page and the typography of Égide's exports, shared by the DOCX and ODT writers.

A4 portrait with the margins of the Charte graphique de l'État (2 cm, 2.5 cm on the binding
side). The State's typeface, Marianne, may only be used by the administration and is not
distributed with Égide: exports name **Arial**, which Word has everywhere and which LibreOffice
replaces by the metrically identical Liberation Sans, so that a letter keeps its line breaks and
its single page whichever suite opens it. A ministry that has Marianne installed changes the
font of the styles once, in its office suite.

Each part of a letter (:mod:`egide.documents.letter`) has its paragraph style, named in French
so that an agent finishing a letter in Word or Writer recognises them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from egide.documents.letter import LetterPart

__all__ = [
    "BODY_SIZE_PT", "FONT", "FONT_FALLBACK", "HEADER_DISTANCE_CM", "MARGINS_CM", "MENTION_STYLE",
    "PAGE_CM", "PAGE_NUMBER_STYLE", "PART_STYLES", "PLAIN_STYLE", "RIGHT_BLOCK_INDENT_CM", "SIGNING_ROOM_PT",
    "STAMP_STYLE", "TITLE_STYLE", "Align", "ParagraphStyle",
]  # fmt: skip

PAGE_CM = (21.0, 29.7)  # A4, portrait
MARGINS_CM = {"top": 2.0, "bottom": 2.0, "left": 2.5, "right": 2.0}
HEADER_DISTANCE_CM = 1.0
FONT = "Arial"
FONT_FALLBACK = "Liberation Sans"  # what LibreOffice substitutes for Arial, metric for metric
BODY_SIZE_PT = 11.0
# Where the right-hand blocks (recipient, signature) start: the middle of the text width.
RIGHT_BLOCK_INDENT_CM = 8.5


class Align(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    JUSTIFY = "justify"


@dataclass(frozen=True, slots=True)
class ParagraphStyle:
    name: str  # the name the office suite shows
    size_pt: float = BODY_SIZE_PT
    align: Align = Align.LEFT
    indent_cm: float = 0.0  # left indent: the right-hand blocks of a letter
    before_pt: float = 0.0  # space above the part's first paragraph
    after_pt: float = 0.0  # space below each paragraph
    bold_first_line: bool = False  # the ministry or préfecture's name in the timbre
    bold_labels: bool = False  # "Objet :", "N/Réf. :" in bold
    keep_together: bool = False  # never split across two pages (a signature block)
    italic: bool = False
    # A style of one paragraph (the mention): its space above belongs to the style itself.
    single: bool = False


PART_STYLES: dict[LetterPart, ParagraphStyle] = {
    LetterPart.HEADER: ParagraphStyle("Courrier - En-tete", size_pt=10, bold_first_line=True),
    LetterPart.PLACE_DATE: ParagraphStyle(
        "Courrier - Lieu et date", align=Align.RIGHT, before_pt=18, after_pt=0
    ),
    LetterPart.RECIPIENT: ParagraphStyle(
        "Courrier - Destinataire", indent_cm=RIGHT_BLOCK_INDENT_CM, before_pt=24, keep_together=True
    ),
    LetterPart.REFERENCES: ParagraphStyle(
        "Courrier - References", size_pt=10, before_pt=24, bold_labels=True
    ),
    LetterPart.BODY: ParagraphStyle(
        "Courrier - Texte", align=Align.JUSTIFY, before_pt=18, after_pt=8
    ),
    LetterPart.SIGNATURE: ParagraphStyle(
        "Courrier - Signature", indent_cm=RIGHT_BLOCK_INDENT_CM, before_pt=18, keep_together=True
    ),
    LetterPart.COPIES: ParagraphStyle("Courrier - Copies", size_pt=9, before_pt=30),
}
# A document that is not a letter (a summary, a note without marked parts).
PLAIN_STYLE = ParagraphStyle("Texte courant", after_pt=8)
TITLE_STYLE = ParagraphStyle("Titre du document", size_pt=16, after_pt=12, bold_first_line=True)
MENTION_STYLE = ParagraphStyle("Mention", size_pt=8, before_pt=24, italic=True, single=True)
STAMP_STYLE = ParagraphStyle("Mention projet", size_pt=9, align=Align.RIGHT)
# "2/3" at the foot of every page but the first, as multi-page letters are numbered.
PAGE_NUMBER_STYLE = ParagraphStyle("Numero de page", size_pt=8, align=Align.RIGHT)
# Blank lines kept inside a signature leave room to sign by hand.
SIGNING_ROOM_PT = 30.0
