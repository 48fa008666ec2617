"""What the built-in engine repairs and drops before quoting a document: OCR's usual misreadings
of French print, page furniture, debris. Each repair must leave correct French untouched."""

from __future__ import annotations

import pytest

from egide.models.local.clean import clean_line, is_debris, recurring_lines


@pytest.mark.parametrize(
    ("read", "repaired"),
    [
        # Misreadings found in the seeds' scanned circular.
        (
            "Objet : Diffusion de la charte du Ministére de",
            "Objet : Diffusion de la charte du Ministère de",
        ),
        ("I'Intérieur.", "l'Intérieur."),
        ("recours a des outils d'lA grand public", "recours a des outils d'IA grand public"),
        ("e d'appui aux missions opérationnelles ;", "- d'appui aux missions opérationnelles ;"),
        ("e A défaut d'application métier dédiée", "- À défaut d'application métier dédiée"),
        (
            "L'intelligence artificielle connaft un essor",
            "L'intelligence artificielle connaît un essor",
        ),
        ("un cadre d'utilisation maftrisé", "un cadre d'utilisation maîtrisé"),
        ("visant a tirer pleinement parti", "visant à tirer pleinement parti"),
        ("les agents sont invités & privilégier", "les agents sont invités à privilégier"),
        ("A ce titre, les agents", "À ce titre, les agents"),
        ("la maitrise des risques, |la transparence", "la maitrise des risques, la transparence"),
        ("d'aide ala décision.", "d'aide à la décision."),
        ("peut étre envisagé", "peut être envisagé"),
        ("progressive et homogeéne", "progressive et homogène"),
        ("les régles et repéres", "les règles et repères"),
        ("auprés de vos administrés", "auprès de vos administrés"),
        ("la mise en ceuvre", "la mise en œuvre"),
        # Correct French that looks like a misreading: left alone.
        (
            "Il a été décidé, il a fait, il a des outils",
            "Il a été décidé, il a fait, il a des outils",
        ),
        ("Il a hier déposé sa demande", "Il a hier déposé sa demande"),
        ("Thérèse et Hélène ont créé la fédération", "Thérèse et Hélène ont créé la fédération"),
        ("les prés communaux", "les prés communaux"),
        (
            "[PERSONNE_1] a signé le [DATE_NAISSANCE_1]",
            "[PERSONNE_1] a signé le [DATE_NAISSANCE_1]",
        ),
        ("e.g. une abréviation", "e.g. une abréviation"),
    ],
)
def test_ocr_misreadings_are_repaired_and_french_is_left_alone(read: str, repaired: str) -> None:
    assert clean_line(read) == repaired


@pytest.mark.parametrize(
    "line",
    ["P) 1.", "c 7", "/ku(\\,v/", "a", "à", "- 2 -", "Page 3 sur 12", "1/2", "p. 4", "© ®", "2026"],
)
def test_debris_and_page_numbers_are_dropped(line: str) -> None:
    assert is_debris(line)


@pytest.mark.parametrize(
    "line",
    ["Hugues MOUTOUH", "[PERSONNE_1]", "le 15 mai 2025.", "Le secrétaire général", "PJ : CNI"],
)
def test_short_lines_that_say_something_are_kept(line: str) -> None:
    assert not is_debris(line)


def test_running_headers_are_found_at_the_edges_of_most_pages_only() -> None:
    page = [
        "Préfecture du Rhône — rapport 2025 — page {n}",
        "Le service a instruit {n}0 dossiers au cours de la période considérée.",
        "Les délais restent stables.",
    ]
    pages = [[line.format(n=n) for line in page] for n in range(1, 6)]
    found = recurring_lines(pages)
    assert "préfecture du rhône — rapport # — page #" in found
    # The same short sentence at the bottom of every page is furniture too…
    assert "les délais restent stables." in found
    # …but a long line of prose, even repeated with other numbers, is not taken for one.
    long_line = "Le service a instruit # dossiers " + "au cours de la période considérée " * 4
    pages = [[f"{long_line} {n}", f"Fin de la page {n}."] for n in range(1, 6)]
    assert all("dossiers" not in shape for shape in recurring_lines(pages))
    assert recurring_lines([["Une seule page."]]) == frozenset()
