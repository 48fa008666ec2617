"""Gazetteers, tokens, registration, and the linear-time promise of the rules."""

from __future__ import annotations

import time

import pytest

from egide.guard.ner import NameRecognizer
from egide.guard.ner.gazetteers import gazetteers
from egide.guard.ner.tokens import Shape, fold, shape_of, tokens_before
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.mark.parametrize(
    ("name", "first", "common"),
    [
        ("Jean", True, True),  # "jean", the fabric
        ("Jean-Pierre", True, False),
        ("Fatoumata", True, False),
        ("Gwenaël", True, False),
        ("GWENAEL", True, False),
        ("Dupont", False, False),
        ("Considérant", False, True),
        ("Boulanger", False, True),
    ],
)
def test_first_names_and_common_words(name: str, first: bool, common: bool) -> None:
    gaz = gazetteers()
    assert gaz.is_first_name(name) is first
    assert gaz.is_common_word(name) is common


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Lyon", "large"),
        ("Saint-Denis", "large"),
        ("Villefranche-sur-Saône", "commune"),
        ("Le Havre", "large"),
        ("Bretagne", "area"),
        ("Algérie", "area"),
        ("Dupont", None),
    ],
)
def test_places(name: str, kind: str | None) -> None:
    population = gazetteers().place_population(name)
    if kind is None:
        assert population is None
    elif kind == "area":
        assert population == -1
    elif kind == "large":
        assert population is not None and population >= 20_000
    else:
        assert population is not None and population > 0


def test_data_files_name_their_source() -> None:
    from importlib import resources

    header = resources.files("egide.guard.ner").joinpath("data", "prenoms.txt").read_text()
    assert "Source: Dicollecte" in header and "MPL-2.0" in header
    assert "faker" not in header.lower()


@pytest.mark.parametrize(
    ("word", "shape"),
    [
        ("DUPONT", Shape.UPPER),
        ("MARTIN-LEROY", Shape.UPPER),
        ("N'DIAYE", Shape.UPPER),
        ("Dupont", Shape.TITLE),
        ("d'Artagnan", Shape.TITLE),
        ("l'Agence", Shape.LOWER),
        ("J.", Shape.INITIAL),
        ("J.-P.", Shape.INITIAL),
        ("DBVX-V-B", Shape.LOWER),
        ("dupont", Shape.LOWER),
    ],
)
def test_shapes(word: str, shape: Shape) -> None:
    assert shape_of(word) is shape


def test_fold_ignores_case_accents_and_apostrophes() -> None:
    assert fold("HÉLÈNE") == fold("Helene") == "helene"
    assert fold("N’Diaye") == "n'diaye"


def test_tokens_before_stop_at_a_comma() -> None:
    text = "Le tribunal, M. Jean DUPONT, né le 3 mars"
    chain = tokens_before(text, text.index(", né"))
    assert [t.text for t in chain] == ["M.", "Jean", "DUPONT"]


def test_registered_as_names() -> None:
    factory = registered_recognizers()["names"]
    recognizer = factory()
    assert isinstance(recognizer, Recognizer)
    assert recognizer.name == "names"
    assert recognizer.labels == ("PERSON", "LOCATION", "ORG")


@pytest.mark.parametrize(
    "unit",
    [
        "M. " * 3 + "A",
        "Jean " * 5,
        "DUPONT-" * 8 + " ",
        "A.-B. " * 4,
        "Monsieur le Préfet de la Région, " * 2,
        "a'" * 20 + " ",
        "Né le, demeurant, ",
    ],
)
def test_rules_stay_linear_on_pathological_text(unit: str) -> None:
    recognizer = NameRecognizer(use_model=False)
    small = unit * 500
    large = unit * 5_000
    start = time.perf_counter()
    list(recognizer.find(small))
    small_time = time.perf_counter() - start
    start = time.perf_counter()
    list(recognizer.find(large))
    large_time = time.perf_counter() - start
    # Ten times the text may cost at most about ten times as long (with slack for noise).
    assert large_time < max(30 * small_time, 0.5)
