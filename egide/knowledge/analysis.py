"""French analysis for the lexical index: fold, split, drop stop words, stem, then blind.

The index never holds a word: each stem is replaced by a keyed digest (HMAC-SHA-256 under the
knowledge base's index key, truncated to 96 bits), so that the database says which passages
share a term, never which term. This module loads neither spaCy nor the guard: lexical search
must answer while the guard's language model is still loading.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

__all__ = ["TermBlinder", "analyze", "fold", "term_counts"]

# Elisions are cut off ("l'attestation" -> "attestation"); apostrophes and dashes are folded
# the same way as the guard's matchers fold them.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)'")

# French function words (and the chatter of questions: "bonjour", "svp") that carry no topic.
_STOP_WORDS = frozenset(
    """
    a afin ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai auraient
    aurais aurait auras aurez auriez aurions aurons auront aussi autre autres aux auxquelles
    auxquels avaient avais avait avant avec avez aviez avions avoir avons ayant ayez ayons bon
    bonjour bonsoir c ca car ce ceci cela celle celles celui cependant certain certaine
    certaines certains ces cet cette ceux chaque chez ci comme comment d dans de des desquelles
    desquels deja dois doit donc dont du duquel elle elles en encore es est et etaient etais
    etait etant etc ete etes etiez etions etre eu eue eues eurent eus eusse eussent eusses
    eussiez eussions eut eux faire fais fait faut hors il ils j je jusqu l la laquelle le
    lequel les lesquelles lesquels leur leurs lorsqu lui m ma mais me meme memes merci mes moi
    mon n ne ni non nos notre nous on ont or ou par parce pas peu peut peuvent plus pour
    peux pourquoi puis puisqu qu quand que quel quelle quelles quels qui quoi s sa sans se sera
    serai seraient serais serait seras serez seriez serions serons seront ses si sien sienne
    siennes siens soi soient sois soit sommes son sont sous suis sur svp t ta te tes toi ton
    tous tout toute toutes tres tu un une unes uns veux voici voila voudrais vos votre vous vu y
    """.split()
)  # fmt: skip
_STEMMER = snowballstemmer.stemmer("french")


def fold(text: str) -> str:
    """Lower case, no accents, plain apostrophes (the spelling agents type with)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def analyze(text: str) -> list[str]:
    """The index terms of ``text``, in order (stems of folded words, stop words dropped)."""
    terms: list[str] = []
    for match in _WORD.finditer(fold(text)):
        word = _ELISION.sub("", match.group())
        for part in word.split("'"):
            if len(part) < 2 and not part.isdigit():
                continue
            if part in _STOP_WORDS:
                continue
            terms.append(part if part.isdigit() else _stem(part))
    return terms


def term_counts(text: str) -> Counter[str]:
    return Counter(analyze(text))


class TermBlinder:
    """Keyed digests of terms: the same term gives the same digest under the same key only."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("clé d'index trop courte")
        self._key = key
        self._cache: dict[str, str] = {}

    def __call__(self, term: str) -> str:
        blinded = self._cache.get(term)
        if blinded is None:
            digest = hmac.new(self._key, term.encode("utf-8"), hashlib.sha256).digest()
            blinded = base64.urlsafe_b64encode(digest[:12]).decode("ascii")
            if len(self._cache) < 500_000:
                self._cache[term] = blinded
        return blinded

    def counts(self, terms: Iterable[str]) -> Counter[str]:
        return Counter(self(term) for term in terms)

    def digest(self, value: bytes | str, *, purpose: str) -> str:
        """A keyed digest of a whole value (a document id, a file's bytes), hex."""
        data = value.encode("utf-8") if isinstance(value, str) else value
        mac = hmac.new(self._key, purpose.encode("ascii") + b"\x00", hashlib.sha256)
        mac.update(data)
        return mac.hexdigest()
