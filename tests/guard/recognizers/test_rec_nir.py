"""NIR: 13 characters + key 97 - (n mod 97), Corsica and overseas, keyless only with context;
written as forms and scans write it; with a wrong key next to its cue, a NIR_LIKE value."""

from __future__ import annotations

import random
import time

import pytest

from egide.guard.findings import Finding
from egide.guard.recognizers.nir import is_nir
from egide.guard.registry import Recognizer, registered_recognizers


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    return registered_recognizers()["nir"]()


def found(recognizer: Recognizer, text: str, label: str = "NIR") -> list[Finding]:
    findings = list(recognizer.find(text))
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
        assert finding.label == label
    return findings


def key(body: str) -> str:
    """Key of a 13-character body, computed here independently of the recognizer."""
    number = body.replace(" ", "").replace("2A", "19").replace("2B", "18")
    return f"{97 - int(number) % 97:02d}"


def nir(body: str, sep: str = " ") -> str:
    """ "1 84 12 75 108 123" -> "1 84 12 75 108 123 47" (groups joined with ``sep``)."""
    return sep.join([*body.split(" "), key(body)])


VALID = [
    ("Numéro de sécurité sociale : {}.", nir("1 84 12 75 108 123")),
    ("L'assurée, NIR {}, est convoquée.", nir("2 69 05 49 588 157")),
    ("Assuré n°{} (dossier clos)", nir("1 84 12 75 108 123", "")),
    ("Immatriculation {} - en cours", "2911133063 041 " + key("2 91 11 33 063 041")),
    ("Né en Corse-du-Sud : {}.", nir("1 93 07 2A 004 012")),
    ("Née en Haute-Corse ({})", nir("2 55 03 2B 033 154")),
    ("Née à Pointe-à-Pitre : {}.", nir("2 84 12 971 23 123")),
    ("Né à Saint-Denis (La Réunion), {} ;", nir("1 77 04 974 11 006")),
    ("Mois de naissance inconnu, NIR {}.", nir("1 60 30 99 135 042")),
    ("Mois fictif 62 : {}", nir("2 48 62 13 055 231")),
    ("Numéro d'attente (NIA) {}.", nir("7 99 01 99 352 001")),
    ("NIA provisoire {}", nir("8 02 07 99 109 017")),
    ("Ressortissant né à l'étranger : {}.", nir("3 85 10 99 100 258")),
    ("N° SS\u00a0: {}.", nir("1 84 12 75 108 123", "\u00a0")),
    ("N° SS : {}.", nir("2 69 05 49 588 157", "\u202f")),
    ("Numéro {} transmis.", nir("1 84 12 75 108 123", ".")),
    ("Numéro {} transmis.", nir("1 84 12 75 108 123", "-")),
]
# The key set apart by a dash, as on some forms.
VALID.append(("NIR : {} à vérifier.", "1 84 12 75 108 123 - " + key("1 84 12 75 108 123")))


@pytest.mark.parametrize(("template", "value"), VALID)
def test_finds_valid_nir(recognizer: Recognizer, template: str, value: str) -> None:
    text = template.format(value)
    assert [f.text for f in found(recognizer, text)] == [value]


def test_sample_from_the_issue(recognizer: Recognizer) -> None:
    text = "NIR : 2 69 05 49 588 157 80."
    (finding,) = found(recognizer, text)
    assert (finding.text, finding.score) == ("2 69 05 49 588 157 80", 0.99)


@pytest.mark.parametrize(
    "text",
    [
        "Son numéro de sécurité sociale 1 84 12 75 108 123 figure au dossier.",
        "NIR 1841275108123 incomplet.",
        "N° SS : 2 69 05 49 588 157.",
        "Numéro d'inscription au répertoire : 1 93 07 2A 004 012.",
        "Immatriculation de l'assuré : 2841297123123",
    ],
)
def test_keyless_nir_needs_context(recognizer: Recognizer, text: str) -> None:
    (finding,) = found(recognizer, text)
    assert finding.score == 0.85
    assert "sans clé" in finding.explanation


def bad_key(body: str) -> str:
    return f"{(int(key(body)) % 97) + 1:02d}"


NEAR_MISSES = [
    # Wrong key, and no cue: a number of the same shape (a parcel, an order) is not a NIR.
    "Colis 1 84 12 75 108 123 " + bad_key("1 84 12 75 108 123") + " expédié.",
    "Le bordereau 2 93 07 2A 004 012 " + bad_key("2 93 07 2A 004 012") + " est joint.",
    # Corsica key computed without replacing 2A by 19 is wrong.
    "Lot 1 93 07 2A 004 012 " + f"{97 - int('1930720004012') % 97:02d}",
    # Wrong length: one digit too many or too few.
    "NIR : 1 84 12 75 108 1234 " + key("1 84 12 75 108 123"),
    "NIR : 1 84 12 75 108 12 " + key("1 84 12 75 108 123"),
    "Numéro " + nir("1 84 12 75 108 123") + " 6 au registre.",
    # Month 13, 00, 45 and sex digit 5 or 6, keys valid.
    "NIR : " + nir("1 84 13 75 108 123"),
    "NIR : " + nir("1 84 00 75 108 123"),
    "NIR : " + nir("1 84 45 75 108 123"),
    "NIR : " + nir("5 84 12 75 108 123"),
    "NIR : " + nir("6 84 12 75 108 123"),
    "NIR : " + nir("1 84 12 00 108 123"),
    # Keyless without a context word, or with "nir" inside another word.
    "Le dossier 1 84 12 75 108 123 est clos.",
    "Merci de fournir 1 84 12 75 108 123 exemplaires.",
    # Other identifiers and numbers of French administrative text.
    "Vu le décret n° 2024-123 du 5 février 2024 et l'article L. 312-1.",
    "Joindre le 01 23 45 67 89 ou le +33 6 12 34 56 78.",
    "Réunion du 12/03/1984 à 14h30, salle 108.",
    "IBAN FR76 3000 6000 0112 3456 7890 189.",
    "SIRET 732 829 320 00074.",
    "Montant : 1 841 275 108 123,47 €",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_not_nir(recognizer: Recognizer, text: str) -> None:
    assert list(recognizer.find(text)) == []


WRONG_KEY_WITH_CUE = [
    ("NIR : {}.", "1 84 12 75 108 123 " + bad_key("1 84 12 75 108 123")),
    ("N° de sécurité sociale : {}", "2 93 07 2A 004 012 " + bad_key("2 93 07 2A 004 012")),
    ("Assuré : DUPONT Jean — n° {}", "1841275108123" + bad_key("1 84 12 75 108 123")),
    ("N° d'identification de l'assuré : {}", "2 69 05 49 588 157 " + bad_key("2 69 05 49 588 157")),
]


def test_a_cue_on_another_line_belongs_to_another_value(recognizer: Recognizer) -> None:
    wrong = "2 69 05 49 588 157 " + bad_key("2 69 05 49 588 157")
    text = (
        f"N° SS : {nir('1 84 12 75 108 123')}\n\nLe bordereau d'envoi {wrong} accompagne le colis."
    )
    assert [f.text for f in recognizer.find(text)] == [nir("1 84 12 75 108 123")]
    # A value that opens its line takes the cue of the line above.
    (finding,) = found(recognizer, f"N° de sécurité sociale :\n{wrong}", label="NIR_LIKE")
    assert finding.text == wrong


@pytest.mark.parametrize(("template", "value"), WRONG_KEY_WITH_CUE)
def test_wrong_key_next_to_its_cue_is_nir_like(
    recognizer: Recognizer, template: str, value: str
) -> None:
    """A typo or an OCR error in the key: still somebody's NIR by its shape and its cue."""
    (finding,) = found(recognizer, template.format(value), label="NIR_LIKE")
    assert finding.text == value
    assert "clé erronée" in finding.explanation


OCR_LAYOUTS = [
    ("N° de sécurité sociale : {}", " ".join("2690549588157" + key("2 69 05 49 588 157"))),
    ("NIR : {}", " | ".join(["2", "69", "05", "49", "588", "157", key("2 69 05 49 588 157")])),
    ("NIR : {} à vérifier", "|".join("1841275108123") + " |" + key("1 84 12 75 108 123")),
    ("NIR : {}.", "1 84 12 75\n108 123 " + key("1 84 12 75 108 123")),
    ("NIR : {}.", "  ".join(["1", "84", "12", "75", "108", "123", key("1 84 12 75 108 123")])),
    ("Pièce : {}.", "_".join(["1", "93", "07", "2A", "004", "012", key("1 93 07 2A 004 012")])),
    # No cue: a valid key is enough, whatever the layout.
    ("Photocopie illisible : {}.", " ".join("2690549588157" + key("2 69 05 49 588 157"))),
]


@pytest.mark.parametrize(("template", "value"), OCR_LAYOUTS)
def test_forms_and_scans_layouts(recognizer: Recognizer, template: str, value: str) -> None:
    assert [f.text for f in found(recognizer, template.format(value))] == [value]


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("Pièce jointe : " + nir("1 84 12 75 108 123") + ".", 0.95),
        ("Sécurité sociale : " + nir("1 84 12 75 108 123") + ".", 0.99),
        (nir("1 84 12 75 108 123") + " (n° de sécurité sociale)", 0.99),
    ],
)
def test_scores(recognizer: Recognizer, text: str, score: float) -> None:
    (finding,) = found(recognizer, text)
    assert finding.score == score
    assert finding.explanation


def random_body(rng: random.Random) -> list[str]:
    month = rng.choice([*range(1, 13), *range(20, 43), *range(50, 100)])
    head = [rng.choice("123478"), f"{rng.randrange(100):02d}", f"{month:02d}"]
    place = rng.choice(
        [
            [f"{rng.randrange(1, 96):02d}", f"{rng.randrange(1, 1000):03d}"],
            [rng.choice(["2A", "2B"]), f"{rng.randrange(1, 400):03d}"],
            [
                f"{rng.choice(['971', '972', '973', '974', '976', '987'])}",
                f"{rng.randrange(100):02d}",
            ],
            ["99", f"{rng.randrange(100, 500):03d}"],
        ]
    )
    return [*head, *place, f"{rng.randrange(1, 1000):03d}"]


SENTENCES = [
    "Le numéro de sécurité sociale de l'intéressé est {}.",
    "NIR : {}.",
    "Assuré social ({}), convoqué le 3 mars.",
    "n° {}, transmis à la CPAM.",
    "n°{}",
    "{} est le numéro figurant sur la carte Vitale.",
    "L'agent a saisi « {} » dans le formulaire.",
    'Champ "NIR" = "{}" ;',
    "Ligne 1\n{}\nLigne 3",
    "Numéro\u00a0: {} – à vérifier.",
]


def test_recall_in_running_text(recognizer: Recognizer) -> None:
    rng = random.Random(20240601)
    total, hits = 2000, 0
    for _ in range(total):
        groups = random_body(rng)
        groups.append(key("".join(groups)))
        sep = rng.choice([" ", "", "\u00a0", "\u202f", ".", "-"])
        value = sep.join(groups)
        text = rng.choice(SENTENCES).format(value)
        hits += [f.text for f in found(recognizer, text)] == [value]
    assert hits / total >= 0.99


def test_is_a_registered_recognizer(recognizer: Recognizer) -> None:
    assert isinstance(recognizer, Recognizer)
    assert recognizer.labels == ("NIR", "NIR_LIKE")


@pytest.mark.parametrize(
    "hostile", ["1 " * 500_000, "A1" * 500_000, "1" * 10**6, "1 84 " * 200_000, "2A " * 333_333]
)
def test_hostile_megabyte_is_linear(recognizer: Recognizer, hostile: str) -> None:
    started = time.perf_counter()
    list(recognizer.find(hostile))
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (nir("2 69 05 49 588 157"), True),
        (nir("1 93 07 2A 004 012", ""), True),
        ("2 69 05 49 588 157 " + bad_key("2 69 05 49 588 157"), False),
        (nir("5 69 05 49 588 157"), False),
        ("1 84 1² 75 108 123 47", False),
        ("1 84 12 75 108 123", False),
        ("", False),
    ],
)
def test_is_nir(value: str, expected: bool) -> None:
    assert is_nir(value) is expected
