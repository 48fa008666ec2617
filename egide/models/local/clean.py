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
    "BULLET", "clean_line", "is_debris", "is_page_number", "recurring_lines", "repair",
    "repair_joined", "shape",
]  # fmt: skip

BULLET = "- "

_Fix = tuple[tuple[str, ...], re.Pattern[str], str]


def _fixes(*rules: tuple[tuple[str, ...], str, str]) -> tuple[_Fix, ...]:
    return tuple((gate, re.compile(pattern), replacement) for gate, pattern, replacement in rules)


# Each rule runs only on a text holding one of its gate strings: a 100-page document has
# thousands of lines, most of them needing no repair.
_WORD_FIXES = _fixes(
    (("I'", "I’"), r"\bI(['’])(?=\w)", r"l\1"),  # I'Intérieur → l'Intérieur
    (("lA",), r"(?<![\w\[])lA\b", "IA"),  # l'lA → l'IA (after the rule above)
    (("|",), r"\|(?=\w)|(?<=\w)\|", ""),  # |la → la
    (("ala",), r"\bala\b", "à la"),
    (("étre",), r"\bétre\b", "être"),
    (("Etre",), r"\bEtre\b", "Être"),
    (("méme",), r"\bméme(s?)\b", r"même\1"),
    (("déja",), r"\bdéja\b", "déjà"),
    # Nouns and adverbs in -ès that OCR reads -és ("les prés", meadows, is left alone).
    (
        ("és",),
        r"\b([Aa]pr|[Aa]upr|[Tt]r|[Dd]|[Pp]roc|[Ss]ucc|[Aa]cc|[Pp]rogr|[Ee]xc|[Dd]éc)és\b",
        r"\1ès",
    ),
    (("ceuvre",), r"\bceuvre(s?)\b", r"œuvre\1"),
    (("ft",), r"(?<=a)ft(?=\b|r)", "ît"),  # connaft, maftrisé, paraft
    # In French, é before one consonant (or gl, br, tr, vr, pr, cl) and a final mute e is è.
    (("é",), r"é((?:gl|br|tr|vr|pr|cl|[bcdfgjklmnpqrstvz]))(e|es|ent)\b", r"è\1\2"),
    (("eè",), r"eè", "è"),  # homogeéne → homogeène → homogène: "eè" is in no French word
)
# Rules that may span the break between two lines: run again on sentences joined from lines.
_PHRASE_FIXES = _fixes(
    ((" & ",), r"(?<=\w) & (?=[a-zàâéèêîôûç])", " à "),  # invités & privilégier
    # "a" (has) is never followed by an infinitive: the accent of "à" was lost.
    (("a ",), r"\ba (?!(?:hier|cher|fier|plaisir|loisir|désir|souvenir)\b)(?=[a-zé]{2,}(?:er|ir)\b)",
     "à "),
    (("a cet", "a ce ", "a déf", "a votre", "a la dis"),
     r"\ba (?=(?:cet égard|ce titre|défaut|votre disposition|la disposition)\b)", "à "),
    (("A ",), r"\bA (?=(?:cet égard|ce titre|défaut|votre disposition|la disposition)\b)", "À "),
    (("A ",), r"^A (?=[a-zé]{2,}(?:er|ir)\b|défaut|l['’])", "À "),
)  # fmt: skip
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


def _apply(fixes: tuple[_Fix, ...], text: str) -> str:
    for gate, pattern, replacement in fixes:
        if any(piece in text for piece in gate):
            text = pattern.sub(replacement, text)
    return text


def repair(text: str) -> str:
    """Every inline repair (idempotent)."""
    return _apply(_PHRASE_FIXES, _apply(_WORD_FIXES, text))


def repair_joined(text: str) -> str:
    """The repairs that may span a line break, for a sentence joined from wrapped lines."""
    return _apply(_PHRASE_FIXES, text)


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
