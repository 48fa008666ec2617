"""Hybrid search on real public pages: paraphrases found, levels respected, vectors resumable."""

from __future__ import annotations

import threading

from egide.knowledge.ingest import Outcome
from egide.policy.levels import Level
from tests.knowledge.conftest import COLLECTION, KbHome

# Questions of benchmarks/kb (written as agents and citizens ask), about pages of the corpus.
ASKED = {
    "mon passeport expire le mois prochain, dans quelle mairie dois je aller pour le refaire ?":
        "spf-F21091",
    "on m a volé ma carte de sejour dans le metro, quelles demarches faire ?": "spf-F22312",
    "mon employeur a installé une camera qui filme mon bureau toute la journee, il a le droit ?":
        "cnil-238",
    "mon fils va avoir 16 ans, il doit aller a la mairie pour une histoire de recensement, a quoi ça sert ?":
        "spf-F870",
}  # fmt: skip
SENSITIVE_NOTE = """Passeport d'un agent suivi

M. Julien BERNARD, né le 3 mars 1979, demande le renouvellement de son passeport en urgence
pour un voyage lié à son traitement médical (chimiothérapie) à l'étranger. Passeport, mairie,
renouvellement, délai, urgence.
"""


def _keys(home: KbHome, document_ids: list[str]) -> list[str]:
    keys = home.kb.repo.doc_keys(document_ids)
    return [keys[d] for d in document_ids]


def test_questions_in_their_own_words_find_their_page(home: KbHome) -> None:
    collection = home.kb.collection(COLLECTION)
    for question, expected in ASKED.items():
        result = home.kb.search(collection, question, user="t", max_level=Level.SENSIBLE, k=5)
        assert result.dense_used and result.dense_complete
        assert expected in _keys(home, result.document_ids[:3]), question


def test_a_passage_above_the_caller_s_level_is_never_returned(home: KbHome) -> None:
    collection = home.kb.collection(COLLECTION)
    outcome = home.kb.ingest_bytes(collection, "note-agent.txt", SENSITIVE_NOTE.encode(), user="t")
    assert outcome.outcome is Outcome.ADDED and outcome.level == Level.SENSIBLE
    home.kb.embed_pending(collection)
    question = "renouvellement de passeport en urgence pour un traitement médical"
    high = home.kb.search(collection, question, user="t", max_level=Level.SENSIBLE)
    assert "note-agent" in _keys(home, high.document_ids[:3])
    low = home.kb.search(collection, question, user="t", max_level=Level.INTERNE)
    assert "note-agent" not in _keys(home, low.document_ids)
    assert low.withheld >= 1  # and the caller is told that something was left out
    lexical = home.kb.search(collection, question, user="t", max_level=Level.INTERNE, dense=False)
    assert "note-agent" not in _keys(home, lexical.document_ids)


def test_the_embedding_pass_resumes_where_it_stopped(home: KbHome) -> None:
    collection = home.kb.collection(COLLECTION)
    text = "Guichet des titres\n\n" + "\n\n".join(
        f"Paragraphe {i} : les demandes de titres sont reçues sur rendez-vous. " * 12
        for i in range(6)
    )
    home.kb.ingest_bytes(collection, "guichet.txt", text.encode(), user="t")
    _, total, embedded = home.kb.repo.counts(collection.id)
    assert embedded < total
    home.kb.options = home.kb.options.model_copy(
        update={"embedding_batch": 2, "embedding_workers": 1}
    )
    stop = threading.Event()
    done = home.kb.embed_pending(collection, progress=lambda *_: stop.set(), stop=stop)
    _, _, partly = home.kb.repo.counts(collection.id)
    assert done > 0 and partly == embedded + done < total  # stopped after its first batch
    lexical = home.kb.search(collection, "titres sur rendez-vous", user="t",
                             max_level=Level.SENSIBLE, dense=False)  # fmt: skip
    assert "guichet" in _keys(home, lexical.document_ids[:1])  # searchable all along
    rest = home.kb.embed_pending(collection)
    assert home.kb.repo.counts(collection.id)[1:] == (total, total)
    assert done + rest == total - embedded  # no passage embedded twice
