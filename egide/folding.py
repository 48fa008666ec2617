"""One way to compare what people write for the same thing: accents, case, punctuation.

``"Civilité du destinataire"``, ``"CIVILITE DU DESTINATAIRE"`` and ``"civilite_du-destinataire"``
all fold to ``"civilite_du_destinataire"``. Used wherever a name written by a person is matched
against a known one: template fields and spreadsheet columns, template names, the parts of a
letter (``[En-tête]``). It sits at the bottom of the layers so that documents and tasks share it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

__all__ = ["fold", "fold_words"]


def fold(text: str) -> str:
    """``"Civilité du destinataire"`` → ``"civilite_du_destinataire"``."""
    return "_".join(fold_words(text))


def fold_words(text: str) -> list[str]:
    """The words of ``text`` without accents, in lower case: ``["civilite", "du", …]``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return list(_words(plain))


def _words(text: str) -> Iterator[str]:
    word: list[str] = []
    for ch in text:
        if ch.isalnum():
            word.append(ch)
        elif word:
            yield "".join(word)
            word = []
    if word:
        yield "".join(word)
