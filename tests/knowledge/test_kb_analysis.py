"""French analysis of the lexical index: what matches what, and that words never reach the index."""

from __future__ import annotations

import pytest

from egide.knowledge.analysis import TermBlinder, analyze, fold


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("renouvellement", "Renouvellements"),
        ("l'attestation", "attestations"),
        ("qu'à l'étranger", "ETRANGER"),
        ("délai", "delais"),
        ("Élections régionales", "election regionale"),
    ],
)
def test_spellings_agents_type_meet_the_documents(one: str, other: str) -> None:
    assert analyze(one) == analyze(other)


def test_function_words_and_question_chatter_carry_no_topic() -> None:
    assert analyze("Bonjour, est-ce que je peux le faire svp ? Merci") == []


def test_numbers_stay_searchable() -> None:
    assert "14" in analyze("un délai de 14 jours")
    assert "2020" in analyze("l'ordonnance n°2020-306")


def test_fold_removes_accents_and_typographic_apostrophes() -> None:
    assert fold("L’Œuvre ÉTÉ") == "l'œuvre ete"


def test_a_blinded_term_says_nothing_of_the_word() -> None:
    blinder = TermBlinder(b"k" * 32)
    token = blinder("passeport")
    assert token == blinder("passeport")
    assert "passeport" not in token and len(token) == 16
    assert TermBlinder(b"x" * 32)("passeport") != token  # another key, another digest
    assert blinder.digest("spf-F21091", purpose="a") != blinder.digest("spf-F21091", purpose="b")


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError):
        TermBlinder(b"short")
