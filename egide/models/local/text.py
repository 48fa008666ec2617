"""French sentence splitting and term extraction for the extractive engine."""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import snowballstemmer

__all__ = ["Sentence", "split_sentences", "terms"]


def _spacy_french_stop_words() -> set[str]:
    """spaCy's French stop words, read from their own file: importing ``spacy.lang.fr`` would
    import spaCy and build the French tokenizer's exceptions, seconds at every start of a
    command or of the service, for a list of words (the file imports nothing)."""
    spec = importlib.util.find_spec("spacy")
    if spec is None or spec.origin is None:
        raise ImportError("spaCy n'est pas installé : réinstallez Égide (pip install -e .)")
    path = Path(spec.origin).parent / "lang" / "fr" / "stop_words.py"
    file_spec = importlib.util.spec_from_file_location("egide_spacy_fr_stop_words", path)
    if file_spec is None or file_spec.loader is None:
        raise ImportError(f"liste de mots vides de spaCy introuvable : {path}")
    module = importlib.util.module_from_spec(file_spec)
    file_spec.loader.exec_module(module)
    return set(module.STOP_WORDS)


STOP_WORDS = _spacy_french_stop_words()

# Abbreviations after which a period does not end a sentence in French administrative prose.
_ABBREVIATIONS = frozenset(
    """m mm mme mmes mlle mlles me mes dr drs pr pr. st ste art al cf p pp n no vol chap
    etc av bd fg sq ex réf ref tél tel fax min max env cie éd ed ann suiv op ibid
    janv févr fevr avr juil sept oct nov déc dec lun mar mer jeu ven sam dim""".split()
)
_SENTENCE_END = re.compile(r"[.!?…]+[»\"')\]]*(?=\s)|\n\s*\n")
_PLACEHOLDER = re.compile(r"\[[A-Z_]{2,30}_\d{1,6}\]")
_WORD = re.compile(r"\[[A-Z_]{2,30}_\d{1,6}\]|[^\W\d_]{2,40}", re.UNICODE)
_STOP = frozenset(unicodedata.normalize("NFC", w) for w in STOP_WORDS)


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int  # offset in the passage it comes from
    index: int  # rank in the whole document
    page: int | None = None
    paragraph: int | None = None


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a line break between two lines that look like a list
    or a header also ends a sentence, since administrative documents are full of them."""
    spans: list[tuple[int, int]] = []
    start = 0
    # Lines much shorter than the longest are ends of paragraphs or headers, not wrapping.
    short_line = int(0.8 * max((len(line) for line in text.split("\n")), default=0))
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group().startswith("."):
            word = re.search(r"(\w+)\.$", text[max(start, end - 12) : match.start() + 1])
            if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
                continue
        _append_lines(text, start, end, spans, short_line)
        start = end
    _append_lines(text, start, len(text), spans, short_line)
    return spans


def _append_lines(
    text: str, start: int, end: int, spans: list[tuple[int, int]], short_line: int
) -> None:
    """A single line break ends a sentence only after a line that closes (":" or ";"), is short
    like a header, or before a list item; elsewhere it is the wrapping of a PDF or an e-mail."""
    piece_start = start
    for match in re.finditer(r"\n", text[start:end]):
        cut = start + match.start()
        line_start = text.rfind("\n", 0, cut) + 1
        previous = text[max(line_start, piece_start) : cut].rstrip()
        following = text[cut + 1 : cut + 6].lstrip()
        breaks = (
            previous.endswith((":", ";", ".", "!", "?"))
            or _LIST_ITEM.match(following) is not None
            or (len(text[line_start:cut]) < short_line and following[:1].isupper())
        )
        if breaks:
            _push(text, piece_start, cut, spans)
            piece_start = cut + 1
    _push(text, piece_start, end, spans)


_LIST_ITEM = re.compile(r"[-•*–]|\d{1,2}[.)]")


def _push(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start >= 2:
        spans.append((start, end))


_STEMMER = snowballstemmer.stemmer("french")
_STEM_LETTERS = 7


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    # Snowball's French stemmer: "commencent" and "commenceront", "décision" and "décisions",
    # "accordé" and "accordée" meet, so that a question finds the passage that answers it.
    # Cut at seven letters: Snowball leaves some verb endings ("commencent") that a question
    # and its answer rarely share; seven letters still tell French words apart.
    return str(_STEMMER.stemWord(word))[:_STEM_LETTERS]


def terms(text: str) -> list[str]:
    """Content words, lower-cased and stemmed; placeholders are kept as whole terms."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group()
        if word.startswith("["):
            found.append(word)
            continue
        lower = word.lower()
        if lower in _STOP:
            continue
        found.append(_stem(lower))
    return found
