"""What an extractive engine must not quote: page furniture, OCR debris, and OCR's usual misreadings.

The built-in engine returns the document's own sentences, so it must return them readable. It
drops what is not prose — page numbers, running headers and footers repeated on every page,
signature scribbles an OCR turned into ``/ku(\\,v/``, lone letters — and repairs the misreadings
Tesseract makes on French print, each by a rule that cannot damage correct French:

- ``I'`` (capital i) before a word is ``l'``, and ``lA`` is ``IA``;
- a bullet read as ``e``, ``o``, ``©`` or ``*`` at the start of a line is a bullet;
- ``é`` before a consonant and a final mute ``e`` is ``è`` (``Ministére``, ``régles``);
- ``ft`` after ``a`` is ``ît`` (``connaft``, ``maftrisé``); ``étre`` is ``être``;
- ``&`` between two words is ``à``; ``a`` before an infinitive is ``à``; ``ala`` is ``à la``;
- a ``|`` stuck to a word is noise.

Placeholders (``[PERSONNE_1]``) are never touched: every rule works on lower-case letters or
on patterns a placeholder cannot hold.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

__all__ = [
    "BULLET", "clean_line", "is_debris", "is_page_number", "recurring_lines", "repair", "shape",
]  # fmt: skip

BULLET = "- "

_FIXES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bI(['’])(?=\w)", r"l\1"),  # I'Intérieur → l'Intérieur
        (r"(?<![\w\[])lA\b", "IA"),  # l'lA → l'IA (after the rule above)
        (r"\|(?=\w)|(?<=\w)\|", ""),  # |la → la
        (r"(?<=\w) & (?=[a-zàâéèêîôûç])", " à "),  # invités & privilégier
        (r"\bala\b", "à la"),
        (r"\bétre\b", "être"),
        (r"\bEtre\b", "Être"),
        (r"\bméme(s?)\b", r"même\1"),
        (r"\bdéja\b", "déjà"),
        # Nouns and adverbs in -ès that OCR reads -és ("les prés", meadows, is left alone).
        (r"\b(apr|aupr|tr|d|proc|succ|acc|progr|exc|déc)és\b", r"\1ès"),
        (r"\b(Apr|Aupr|Tr|D|Proc|Succ|Acc|Progr|Exc|Déc)és\b", r"\1ès"),
        (r"\bceuvre(s?)\b", r"œuvre\1"),
        (r"(?<=a)ft(?=\b|r)", "ît"),  # connaft, maftrisé, paraft
        # In French, é before one consonant (or gl, br, tr, vr, pr, cl) and a final mute e is è.
        (r"é((?:gl|br|tr|vr|pr|cl|[bcdfgjklmnpqrstvz]))(e|es|ent)\b", r"è\1\2"),
        (r"eè", "è"),  # homogeéne → homogeène → homogène: "eè" is in no French word
        # "a" (has) is never followed by an infinitive: the accent of "à" was lost.
        (
            r"\ba (?!(?:hier|cher|fier|plaisir|loisir|désir|souvenir)\b)(?=[a-zé]{2,}(?:er|ir)\b)",
            "à ",
        ),
        (r"\ba (?=(?:cet égard|ce titre|défaut|votre disposition|la disposition)\b)", "à "),
        (r"\bA (?=(?:cet égard|ce titre|défaut|votre disposition|la disposition)\b)", "À "),
        (r"^A (?=[a-zé]{2,}(?:er|ir)\b|défaut|l['’])", "À "),
    )
)
# A bullet that OCR read as a letter or a sign, at the start of a line, before a word.
_OCR_BULLET = re.compile(r"^\s*(?:[eo©®*•·▪►–»]|-)\s+(?=\S)")
# « Page 2 sur 5 », « - 3 - », « 2/5 », « p. 4 »: furniture, not text.
_PAGE_NUMBER = re.compile(
    r"^\s*(?:page\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?\s*(?:(?:/|sur)\s*\d{1,4})?\s*$|^\s*p\.\s*\d{1,4}\s*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüœæ")
_PLACEHOLDER = re.compile(r"\[[A-Z_]{2,30}_\d{1,6}\]")


def clean_line(line: str) -> str:
    """One line with OCR's usual misreadings repaired and its bullet made a ``- ``."""
    text = " ".join(line.split())
    if not text:
        return ""
    bullet = _OCR_BULLET.match(text)
    # "e" or "o" alone is no French word: at the start of a line it is a bullet.
    if bullet is not None and not text.startswith(("e.", "o.")):
        text = BULLET + text[bullet.end() :]
    return repair(text)


def repair(text: str) -> str:
    """The inline repairs alone (idempotent): for sentences joined across wrapped lines."""
    for pattern, replacement in _FIXES:
        text = pattern.sub(replacement, text)
    return text


def is_page_number(line: str) -> bool:
    return _PAGE_NUMBER.match(line) is not None


def is_debris(line: str) -> bool:
    """A line with no word in it: a scribble, a stamp, a lone letter, a page number."""
    text = line.strip()
    if not text or is_page_number(text):
        return True
    if _PLACEHOLDER.search(text):
        return False  # a name or an identifier, masked: content
    words = [w for w in _WORD.findall(text) if any(ch.lower() in _VOWELS for ch in w)]
    if not any(len(word) >= 3 for word in words):
        return True
    if len(words) >= 2:
        return False  # "le 15 mai 2025.": few letters, but words
    letters = sum(ch.isalpha() for ch in text)
    return len(text) >= 4 and letters < 0.5 * len(text.replace(" ", ""))


def shape(line: str) -> str:
    """A line with its digits blurred: headers and footers differ from page to page by those."""
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


# Running headers and footers are short and sit at the top or the bottom of a page.
_EDGE_LINES = 3
_FURNITURE_CHARS = 150


def recurring_lines(pages: Sequence[Sequence[str]]) -> frozenset[str]:
    """Shapes of the short lines at the top or bottom of a page that come back on at least half
    of the pages (every page of a two-page document): running headers and footers
    ("Préfecture du Rhône — page 3/12")."""
    if len(pages) < 2:
        return frozenset()
    seen: Counter[str] = Counter()
    for lines in pages:
        kept = [line for line in lines if line.strip()]
        edges = kept[:_EDGE_LINES] + kept[-_EDGE_LINES:]
        seen.update({shape(line) for line in edges if len(line) <= _FURNITURE_CHARS})
    threshold = max(2, (len(pages) + 1) // 2)
    return frozenset(found for found, count in seen.items() if count >= threshold)
