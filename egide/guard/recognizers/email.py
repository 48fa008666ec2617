"""E-mail addresses (ASCII local part, dotted domain); purely syntactic, no network look-up."""

from __future__ import annotations

import re

from egide.guard.recognizers.base import PatternRecognizer
from egide.guard.registry import Recognizer, register_recognizer

__all__ = ["EMAIL_PATTERN", "email_recognizer"]

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


@register_recognizer("email")
def email_recognizer() -> Recognizer:
    return PatternRecognizer(
        name="email",
        label="EMAIL",
        pattern=EMAIL_PATTERN,
        score=0.95,
        context_words=("courriel", "e-mail", "email", "mail", "adresse électronique"),
        context_score=0.99,
        explanation="format d'adresse électronique",
    )
