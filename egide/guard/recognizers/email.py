"""E-mail addresses (ASCII local part, dotted domain); purely syntactic, no network look-up."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from egide.guard.findings import Finding
from egide.guard.recognizers._institutional import functional_email
from egide.guard.recognizers.base import PatternRecognizer
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["EMAIL_PATTERN", "EmailRecognizer", "email_recognizer"]

# Every repetition is bounded (RFC 5321 sizes) and dots separate atoms and labels, so a failed
# attempt costs at most a few hundred steps: linear over the text.
_ATOM = r"[A-Za-z0-9_%+\-]{1,64}"
_LOCAL = rf"{_ATOM}(?:\.{_ATOM}){{0,10}}"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_DOMAIN = rf"(?:{_LABEL}\.){{1,8}}[A-Za-z]{{2,24}}"

# Boundaries: not in the middle of a longer address, and a final dot (end of sentence) stays
# outside the span.
EMAIL_PATTERN = re.compile(
    rf"(?<![A-Za-z0-9._%+\-@])(?P<value>{_LOCAL}@{_DOMAIN})(?![A-Za-z0-9\-@_])(?!\.[A-Za-z0-9])"
)


_CONTEXT = ("courriel", "e-mail", "email", "mail", "adresse électronique")


def _is_name(piece: str) -> bool:
    """A first name or a surname of the gazetteers (loaded once, shared with the NER)."""
    from egide.guard.ner.gazetteers import gazetteers

    names = gazetteers()
    return names.is_unambiguous_first_name(piece) or names.is_surname(piece)


class EmailRecognizer:
    """E-mail addresses; a functional one ("contact@…", "pref-etrangers@…gouv.fr") is reported
    as SERVICE_EMAIL: institutional, not personal (see ``_institutional``)."""

    def __init__(self) -> None:
        self.name = "email"
        self.labels: tuple[str, ...] = ("EMAIL", "SERVICE_EMAIL")
        self._pattern = PatternRecognizer(
            name="email", label="EMAIL", pattern=EMAIL_PATTERN, score=0.95,
            context_words=_CONTEXT, context_score=0.99,
            explanation="format d'adresse électronique",
        )  # fmt: skip

    def find(self, text: str) -> Iterator[Finding]:
        for finding in self._pattern.find(text):
            if functional_email(finding.text, _is_name):
                why = finding.explanation + " ; adresse d'un service (contact@, accueil@…)"
                yield replace(finding, label="SERVICE_EMAIL", explanation=why)
            else:
                yield finding


@register_recognizer("email")
def email_recognizer() -> Recognizer:
    return EmailRecognizer()
