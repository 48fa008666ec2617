"""French wording of the charter's decisions: counts, categories and model names, never values."""

from __future__ import annotations

from collections.abc import Iterable

from egide.guard.findings import Reason

__all__ = ["count_fr", "plural_fr", "describe_contents", "quote_names", "format_int_fr"]

# Words after which a French noun phrase keeps its complement singular: "noms de personne".
_COMPLEMENT_START = ("de", "d'", "du", "des", "à", "au", "aux", "en", "pour", "sur")
_IRREGULAR = {"œil": "yeux", "ciel": "cieux", "pneu": "pneus", "bleu": "bleus"}


def format_int_fr(value: int) -> str:
    """``1234`` → ``1 234`` with the narrow no-break space of French typography."""
    return f"{value:,}".replace(",", "\u202f")


def _plural_word(word: str) -> str:
    lower = word.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    # Acronyms and proper names (NIR, IBAN, SIRET, Diffusion Restreinte) never take the mark.
    if not word or word[0].isupper() or not word[0].isalpha():
        return word
    if lower.endswith(("s", "x", "z")):
        return word
    if lower.endswith("al") and lower not in ("bal", "festival", "récital", "chacal"):
        return word[:-2] + "aux"
    if lower.endswith(("au", "eau", "eu")):
        return word + "x"
    return word + "s"


def plural_fr(phrase: str) -> str:
    """Plural of a short French noun phrase: its head and adjectives, not its complement.

    ``numéro de sécurité sociale (NIR)`` → ``numéros de sécurité sociale (NIR)``;
    ``adresse postale`` → ``adresses postales``; ``numéro fiscal`` → ``numéros fiscaux``.
    """
    words = phrase.split(" ")
    out: list[str] = []
    for index, word in enumerate(words):
        lower = word.lower()
        if lower in _COMPLEMENT_START or lower.startswith(("d'", "d’", "(", "«")):
            out.extend(words[index:])
            break
        out.append(_plural_word(word))
    return " ".join(out)


def count_fr(count: int, label_fr: str) -> str:
    """``2`` and ``nom de personne`` → ``2 noms de personne`` (French: 0 and 1 are singular)."""
    noun = label_fr if count < 2 else plural_fr(label_fr)
    return f"{format_int_fr(count)} {noun}"


def describe_contents(reasons: Iterable[Reason]) -> str:
    """``2 noms de personne, 1 numéro de sécurité sociale (NIR)``: most protected first."""
    ordered = sorted(reasons, key=lambda reason: -int(reason.level))
    return ", ".join(count_fr(reason.count, reason.label_fr) for reason in ordered)


def quote_names(names: Iterable[str]) -> str:
    return ", ".join(f"« {name} »" for name in names)
