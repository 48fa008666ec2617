"""The spaCy model wrapper: chunking of long texts, offsets, filtering of its noisy labels."""

from __future__ import annotations

import pytest

from egide.guard.ner import NameRecognizer
from egide.guard.ner.filters import clean_entities
from egide.guard.ner.gazetteers import gazetteers
from egide.guard.ner.model import ModelEntity, chunks, load_model, model_entities


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("premier paragraphe.\n\nsecond paragraphe.\n\ntroisième.", 25),
        ("ligne un\nligne deux\nligne trois\nligne quatre", 15),
        ("Une phrase. Une autre phrase. Encore une phrase.", 20),
        ("mot " * 50, 33),
        ("x" * 100, 30),  # no break at all: cut at the limit
        ("court", 100),
    ],
)
def test_chunks_cover_the_text_in_order(text: str, size: int) -> None:
    pieces = list(chunks(text, size))
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= size for _, piece in pieces)
    offsets = [offset for offset, _ in pieces]
    assert offsets[0] == 0
    for (offset, piece), following in zip(pieces, offsets[1:], strict=False):
        assert offset + len(piece) == following


def test_chunks_prefer_paragraph_breaks() -> None:
    text = "a" * 40 + "\n\n" + "b" * 10 + "\n" + "c" * 10
    first = next(iter(chunks(text, 60)))[1]
    assert first == "a" * 40 + "\n\n"


def test_model_is_loaded_once_without_the_parser() -> None:
    nlp = load_model()
    assert load_model() is nlp
    assert nlp.pipe_names == ["ner"]


def test_offsets_are_mapped_back_in_a_long_text() -> None:
    paragraph = "Le comité s'est réuni pour examiner les demandes de subvention de l'année. " * 40
    text = "\n\n".join([paragraph] * 30) + "\n\nMme Sylviane CHARPENTIER a présidé la séance."
    assert len(text) > 60_000
    entities = model_entities(text)
    assert any(text[e.start : e.end].endswith("CHARPENTIER") for e in entities)
    persons = [f for f in NameRecognizer().find(text) if f.label == "PERSON"]
    assert [(f.text, text[f.start : f.end]) for f in persons] == [
        ("Sylviane CHARPENTIER", "Sylviane CHARPENTIER")
    ]


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("Monsieur le Préfet", "PERSON", None),
        ("Madame", "PERSON", None),
        ("Dr Sophie Lambert", "PERSON", ("Sophie Lambert", "PERSON")),
        ("M. Petit", "PERSON", ("Petit", "PERSON")),
        ("Considérant", "PERSON", None),
        ("je vous prie", "PERSON", None),
        ("Fatoumata Diallo Objet", "PERSON", ("Fatoumata Diallo", "PERSON")),
        ("Agence régionale de santé", "PERSON", ("Agence régionale de santé", "ORG")),
        ("Saint-Denis", "PERSON", ("Saint-Denis", "LOCATION")),
        ("Lilas", "LOCATION", None),
        ("Agence régionale de santé d'", "ORG", ("Agence régionale de santé", "ORG")),
        ("Décision du Tribunal de Villefranche-sur-Saône", "LOCATION", None),  # a seat
        ("Jugement rendu à Villefranche-sur-Saône", "LOCATION",
         ("Villefranche-sur-Saône", "LOCATION")),
        ("CHU DE BORDEAUX", "LOCATION", ("CHU DE BORDEAUX", "ORG")),
        ("Pantoprazole", "LOCATION", None),  # unknown word, no locative phrase
        ("Cher", "LOCATION", None),  # "Cher Monsieur,"
        ("ARS", "LOCATION", ("ARS", "ORG")),
    ],
)  # fmt: skip
def test_model_entities_are_cleaned(
    text: str, label: str, expected: tuple[str, str] | None
) -> None:
    found = list(clean_entities(text, [ModelEntity(0, len(text), label)], gazetteers()))
    assert [(text[c.start : c.end], c.label) for c in found] == ([expected] if expected else [])


def test_an_entity_across_lines_is_split() -> None:
    text = "Jean-Marc DURAND\nPréfet"
    found = list(clean_entities(text, [ModelEntity(0, len(text), "PERSON")], gazetteers()))
    assert [text[c.start : c.end] for c in found] == ["Jean-Marc DURAND"]
