"""Saved defaults and the reply to an incoming letter, in-process: a 21-field template asks for a
handful; what the letter says is pre-filled and marked for checking; nothing of the letter is
kept; each agent's defaults are theirs alone and sealed."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from egide.auth import Role
from egide.store.workspace import UploadRow, WorkRequestRow
from egide.tasks.templates import load_templates
from tests.support.portal import Page, PortalHarness, csrf_of

LETTER = """Amélie ROUSSEAU
14 bis avenue de la Gloire
31000 Toulouse

Préfecture de la Haute-Garonne
Bureau du séjour

Toulouse, le 3 mars 2025

Objet : demande de renouvellement de titre de séjour
Réf. : dossier n° 2025-0042

Monsieur le Préfet,

Je soussignée Madame Amélie ROUSSEAU sollicite le renouvellement de mon titre de séjour.

Je vous prie d'agréer, Monsieur le Préfet, l'expression de ma haute considération.

Amélie ROUSSEAU
"""
PROFILE = {
    "pref_administration": "PRÉFECTURE DE LA HAUTE-GARONNE",
    "pref_service": "Bureau du séjour",
    "pref_adresse_service": "1 place Saint-Étienne, 31038 Toulouse Cedex 9",
    "pref_telephone_service": "05 34 45 34 45",
    "pref_courriel_service": "pref-sejour@haute-garonne.gouv.fr",
    "pref_affaire_suivie_par": "Bureau du séjour",
    "pref_lieu": "Toulouse",
    "pref_delegation": "Pour le préfet et par délégation,",
    "pref_signataire_fonction": "La cheffe du bureau du séjour",
    "pref_signataire_prenom": "Claire",
    "pref_signataire_nom": "Martin",
}


def text(page: Page) -> str:
    return html.unescape(page.text)


def _agent(harness: PortalHarness, login: str = "cmartin") -> TestClient:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user(login))
    return client


def _save_profile(client: TestClient, values: dict[str, str]) -> Page:
    form = client.get("/espace/preferences")
    return client.post("/espace/preferences", data={"csrf_token": csrf_of(form), **values})


def _reply(client: TestClient, template: str = "accuse-reception") -> Page:
    form = client.get("/espace/repondre")
    return client.post(
        "/espace/repondre",
        data={"csrf_token": csrf_of(form), "modele": template},
        files={"courrier": ("courrier.txt", LETTER.encode(), "text/plain")},
    )


def _field(page: Page, name: str) -> str:
    """The value the form shows for a field (an input's value, or the option selected)."""
    element = re.search(rf'<(input|textarea|select)[^>]*name="champ_{name}"[^>]*>', page.text)
    assert element, name
    if element.group(1) == "input":
        value = re.search(r'value="([^"]*)"', element.group(0))
        return html.unescape(value.group(1)) if value else ""
    rest = page.text[element.end() :]
    if element.group(1) == "textarea":
        return html.unescape(rest.split("</textarea>", 1)[0])
    chosen = re.search(r'<option value="([^"]*)" selected>', rest.split("</select>", 1)[0])
    return html.unescape(chosen.group(1)) if chosen else ""


def test_saved_defaults_turn_a_twenty_one_field_form_into_a_few(
    harness: PortalHarness,
) -> None:
    client = _agent(harness)
    template = load_templates(harness.settings.home).get("accuse-reception")
    assert len(template.fields) == 21
    before = client.get("/espace/rediger/accuse-reception")
    assert 'id="lien-preferences"' in before.text and 'id="champs-preferences"' not in before.text
    saved = _save_profile(client, PROFILE)
    assert "Vos préférences sont enregistrées" in text(saved)
    assert 'value="Bureau du séjour"' in saved.text
    form = client.get("/espace/rediger/accuse-reception")
    folded = form.text.split('id="champs-preferences"', 1)[1].split("</details>", 1)[0]
    assert "11 champs" in text(form)
    for name in ("administration", "service", "signataire_nom", "delegation", "lieu"):
        assert f'name="champ_{name}"' in folded, name
    assert _field(form, "signataire_nom") == "Martin"
    to_fill = form.text.split('id="champs-a-remplir"', 1)[1].split("</fieldset>", 1)[0]
    asked = to_fill.count('name="champ_')
    assert asked == 21 - 11, asked  # what changes from one letter to the next


def test_a_reply_is_pre_filled_from_the_letter_and_the_letter_is_not_kept(
    harness: PortalHarness,
) -> None:
    client = _agent(harness)
    _save_profile(client, PROFILE)
    with harness.portal.store.session() as session:
        uploads = session.query(UploadRow).count()
    page = _reply(client)
    assert page.status_code == 200
    assert "Réponse au courrier « courrier.txt »" in text(page)
    from_letter = page.text.split('id="champs-courrier"', 1)[1].split("</fieldset>", 1)[0]
    assert from_letter.count("Lu dans le courrier : vérifiez.") >= 5
    assert _field(page, "civilite") == "Madame"
    assert _field(page, "prenom") == "Amélie" and _field(page, "nom") == "ROUSSEAU"
    assert _field(page, "adresse") == "14 bis avenue de la Gloire, 31000 Toulouse"
    assert _field(page, "demande") == "demande de renouvellement de titre de séjour"
    assert _field(page, "numero_dossier") == "2025-0042"
    assert _field(page, "administration") == "PRÉFECTURE DE LA HAUTE-GARONNE"  # the profile
    assert "Relire le courrier reçu" in text(page)
    with harness.portal.store.session() as session:
        assert session.query(UploadRow).count() == uploads  # nothing of the letter kept
    # The agent fills what is left and checks the rest: the usual preview follows.
    values = {
        key: value
        for key, value in (
            (f"champ_{f}", _field(page, f))
            for f in (
                item.name
                for item in load_templates(harness.settings.home).get("accuse-reception").fields
            )
        )
    }
    values.update({"champ_date_reception": "05/03/2025", "champ_decision_implicite": "rejet"})
    preview = client.post(
        "/espace/rediger/accuse-reception", data={"csrf_token": csrf_of(page), **values}
    )
    assert preview.url.path.startswith("/espace/demandes/"), text(preview)[:2000]
    assert "Texte rédigé à partir du modèle" in text(preview) and "ROUSSEAU" in text(preview)
    assert 'data-label="PERSON"' in preview.text  # highlighted like any request
    assert "La cheffe du bureau du séjour" in text(preview)


def test_a_missing_field_keeps_each_value_where_it_came_from(harness: PortalHarness) -> None:
    client = _agent(harness)
    _save_profile(client, PROFILE)
    page = _reply(client)
    sent = {
        "csrf_token": csrf_of(page),
        "prerempli_profil": page.text.split('name="prerempli_profil" value="', 1)[1].split('"')[0],
        "prerempli_courrier": page.text.split('name="prerempli_courrier" value="', 1)[1].split('"')[
            0
        ],
        "courrier_nom": "courrier.txt",
        "champ_nom": "ROUSSEAU",
        "champ_administration": "PRÉFECTURE DE LA HAUTE-GARONNE",
    }
    again = client.post("/espace/rediger/accuse-reception", data=sent)
    assert again.status_code == 400
    assert 'id="champs-courrier"' in again.text and 'id="champs-preferences"' in again.text
    assert _field(again, "nom") == "ROUSSEAU"
    assert "Ce champ est obligatoire" in text(again) or "obligatoire" in text(again)
    with harness.portal.store.session() as session:
        assert session.query(WorkRequestRow).count() == 0


def test_an_unreadable_letter_or_no_template_says_what_to_do(harness: PortalHarness) -> None:
    client = _agent(harness)
    form = client.get("/espace/repondre")
    broken = client.post(
        "/espace/repondre",
        data={"csrf_token": csrf_of(form), "modele": "accuse-reception"},
        files={"courrier": ("courrier.pdf", b"%PDF-1.4 broken", "application/pdf")},
    )
    assert broken.status_code == 400 and "endommagé" in text(broken).lower()
    assert 'value="accuse-reception" checked' in broken.text  # the choice is kept
    missing = client.post(
        "/espace/repondre",
        data={"csrf_token": csrf_of(form), "modele": "accuse-reception"},
    )
    assert missing.status_code == 400 and "Choisissez le courrier reçu" in text(missing)
    unknown = client.post(
        "/espace/repondre",
        data={"csrf_token": csrf_of(form), "modele": "inconnu"},
        files={"courrier": ("courrier.txt", LETTER.encode(), "text/plain")},
    )
    assert unknown.status_code == 400 and "Choisissez le modèle" in text(unknown)


def test_defaults_are_each_agent_s_own_and_can_be_emptied(harness: PortalHarness) -> None:
    mine = _agent(harness)
    _save_profile(mine, PROFILE)
    other = harness.client()
    harness.first_sign_in(other, harness.add_user("chef", Role.ADMINISTRATEUR))
    theirs = other.get("/espace/preferences")
    assert "Martin" not in text(theirs) and "HAUTE-GARONNE" not in text(theirs)
    assert 'id="champs-preferences"' not in other.get("/espace/rediger/accuse-reception").text
    too_long = _save_profile(mine, {"pref_service": "x" * 1_001})
    assert too_long.status_code == 400 and "caractères au plus" in text(too_long)
    assert "x" * 1_001 in too_long.text  # what was typed is not lost
    form = mine.get("/espace/preferences")
    emptied = mine.post(
        "/espace/preferences", data={"csrf_token": csrf_of(form), "action": "effacer"}
    )
    assert "Vos préférences sont effacées" in text(emptied)
    assert 'value="Martin"' not in emptied.text
