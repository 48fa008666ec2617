"""The parts of an administrative letter, as a draft's text marks them.

A letter drafted from a template is plain text that the agent reads and corrects in the portal.
Lines holding only a part's name between square brackets say where each part goes when the
letter is exported::

    [En-tête]
    PRÉFECTURE DE LA GIRONDE
    Bureau du séjour
    [Lieu et date]
    Bordeaux, le 12 février 2026
    [Destinataire]
    Madame Claire DUBOIS
    [Références]
    Objet : accusé de réception de votre demande
    [Texte]
    Madame,
    …
    [Signature]
    Le chef du bureau du séjour
    [Copie à]
    …

The markers are words, not code: an agent can move, add or remove one, and a text without any
marker is exported as a plain document. Names are matched without regard to case or accents
(``[en-tete]`` works), and a few usual synonyms are understood (``[Timbre]``, ``[Objet]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from egide.folding import fold

__all__ = ["LetterPart", "Part", "marker", "part_of_line", "split_letter"]


class LetterPart(StrEnum):
    HEADER = "en_tete"  # timbre: ministry, préfecture, direction, service, "Affaire suivie par"
    PLACE_DATE = "lieu_et_date"
    RECIPIENT = "destinataire"  # the suscription: who receives the letter, and where
    REFERENCES = "references"  # N/Réf., V/Réf., Objet, P. J.
    BODY = "texte"  # vedette, body, formule de politesse
    SIGNATURE = "signature"  # délégation, qualité, Prénom NOM
    COPIES = "copie"  # "Copie à"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    LetterPart.HEADER: "En-tête",
    LetterPart.PLACE_DATE: "Lieu et date",
    LetterPart.RECIPIENT: "Destinataire",
    LetterPart.REFERENCES: "Références",
    LetterPart.BODY: "Texte",
    LetterPart.SIGNATURE: "Signature",
    LetterPart.COPIES: "Copie à",
}
_SYNONYMS = {
    "en_tete": LetterPart.HEADER,
    "entete": LetterPart.HEADER,
    "timbre": LetterPart.HEADER,
    "lieu_et_date": LetterPart.PLACE_DATE,
    "lieu_date": LetterPart.PLACE_DATE,
    "date": LetterPart.PLACE_DATE,
    "destinataire": LetterPart.RECIPIENT,
    "suscription": LetterPart.RECIPIENT,
    "references": LetterPart.REFERENCES,
    "reference": LetterPart.REFERENCES,
    "objet": LetterPart.REFERENCES,
    "texte": LetterPart.BODY,
    "corps": LetterPart.BODY,
    "corps_du_courrier": LetterPart.BODY,
    "signature": LetterPart.SIGNATURE,
    "copie": LetterPart.COPIES,
    "copies": LetterPart.COPIES,
    "copie_a": LetterPart.COPIES,
    "copies_a": LetterPart.COPIES,
}
# Bounded and anchored: a line of a few dozen characters between brackets, nothing else.
_MARKER = re.compile(r"\[([^\[\]\n]{1,40})\]")


@dataclass(frozen=True, slots=True)
class Part:
    kind: LetterPart
    text: str  # the lines of the part, without the marker; blank lines kept inside


def marker(part: LetterPart) -> str:
    """The line that opens ``part``: ``[En-tête]``."""
    return f"[{part.label}]"


def part_of_line(line: str) -> LetterPart | None:
    """The part a marker line opens, or None for any other line."""
    found = _MARKER.fullmatch(line.strip())
    return _SYNONYMS.get(fold(found.group(1))) if found else None


def split_letter(text: str) -> list[Part]:
    """The parts of a marked letter, in order; an empty list when no line is a marker.

    Text before the first marker belongs to the body. A part may appear more than once (two
    paragraphs of text around a quoted passage, say); each occurrence stays where it is.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(part_of_line(line) for line in lines):
        return []
    parts: list[Part] = []
    current = LetterPart.BODY
    gathered: list[str] = []

    def flush() -> None:
        content = "\n".join(gathered).strip("\n")
        if content.strip():
            parts.append(Part(current, content))
        gathered.clear()

    for line in lines:
        opened = part_of_line(line)
        if opened is None:
            gathered.append(line)
            continue
        flush()
        current = opened
    flush()
    return parts
