"""Precision and recall on the hand-written sample sentences of benchmarks/ner_sample.py."""

from __future__ import annotations

import pytest

from benchmarks.ner_sample import FRESH, HELD_OUT, SAMPLE, parse, score
from egide.guard.ner import NameRecognizer


@pytest.fixture(scope="module")
def recognizer() -> NameRecognizer:
    return NameRecognizer()


@pytest.mark.parametrize(
    ("name", "sample"), [("dev", SAMPLE), ("held-out", HELD_OUT), ("fresh", FRESH)]
)
def test_person_f1_on_the_samples(recognizer: NameRecognizer, name: str, sample: list[str]) -> None:
    exact = n_gold = n_found = 0
    for marked in sample:
        text, gold = parse(marked)
        found = [(f.start, f.end, f.label) for f in recognizer.find(text)]
        hits, _, golds, founds = score(gold, found, "PERSON")
        exact, n_gold, n_found = exact + hits, n_gold + golds, n_found + founds
    precision, recall = exact / n_found, exact / n_gold
    assert 2 * precision * recall / (precision + recall) >= 0.9, name


def test_markup_is_parsed_into_offsets() -> None:
    text, spans = parse("Reçu M. ⟦P:Jean DUPONT⟧ à ⟦L:Lyon⟧ ; ⟦P:M. J. Leroux⟧.")
    assert text == "Reçu M. Jean DUPONT à Lyon ; M. J. Leroux."
    assert [(text[s:e], label) for s, e, label in spans] == [
        ("Jean DUPONT", "PERSON"),
        ("Lyon", "LOCATION"),
        ("J. Leroux", "PERSON"),
    ]
