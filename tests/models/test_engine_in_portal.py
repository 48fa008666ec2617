"""In the portal, as an agent: a photo of a letter is read by OCR (and said so), what it holds is
found before anything is sent, the built-in engine is shown for what it is, and its fiche is the
draft."""

from __future__ import annotations

import html
import os
import shutil
from pathlib import Path

import pytest

from egide.config import Settings, load_settings
from tests.documents.scanned import letter_lines, nir, page_image, phone_photo
from tests.support.portal import Clock, PortalHarness, csrf_of

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None and not os.environ.get("CI"),
    reason="Tesseract absent : bash tools/ensure_tesseract.sh",
)


@pytest.fixture
def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PortalHarness:
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    settings: Settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    return PortalHarness(settings, Clock())


def test_a_photo_of_a_letter_is_previewed_summarised_and_labelled(harness: PortalHarness) -> None:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    form = client.get("/espace/resumer")
    assert 'accept=".pdf,.docx,.odt,.eml,.html,.htm,.xhtml,.txt,.md,.jpg,.jpeg,.png,' in form.text
    photo = phone_photo(page_image(letter_lines(), dpi=150))
    preview = client.post(
        "/espace/resumer",
        data={"csrf_token": csrf_of(form), "length": "court"},
        files={"document": ("courrier-usager.jpg", photo, "image/jpeg")},
    )
    assert preview.status_code == 200, preview.text[-2000:]
    page = html.unescape(preview.text)
    # Read by OCR, and the agent is told so; the NIR in the photo is found and highlighted.
    assert "de « courrier-usager.jpg » a été lue par reconnaissance de caractères (OCR)" in page
    assert f'data-label="NIR">{nir("1 85 05 69 123 456")}' in page
    assert 'data-niveau="sensible"' in page
    # The built-in engine is shown for what it is, not as an internal model.
    choice = page[page.index('id="modele-local"') :][:600]
    assert "extraits du document, moteur intégré sans IA générative" in choice
    assert "modèle interne du ministère" not in choice

    send = client.post(
        preview.url.path + "/envoyer",
        data={"csrf_token": csrf_of(preview), "modele": "local"},
        follow_redirects=False,
    )
    assert send.status_code == 303
    draft = html.unescape(client.get(send.headers["location"]).text)
    assert "modèle « local » (extraits du document, moteur intégré sans IA générative)" in draft
    assert "# Fiche de synthèse — « courrier-usager.jpg »" in draft
    assert "Objet : demande de renouvellement" in draft or "**Objet**" in draft


def test_a_file_name_holding_a_name_is_shown_and_judged_before_sending(
    harness: PortalHarness,
) -> None:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    form = client.get("/espace/resumer")
    preview = client.post(
        "/espace/resumer",
        data={"csrf_token": csrf_of(form), "length": "court"},
        files={
            "document": (
                "Recours de Jean DUPONT.txt",
                "Le dossier est complet et sera examiné en commission le 4 avril.".encode(),
                "text/plain",
            )
        },
    )
    page = html.unescape(preview.text)
    assert 'data-niveau="personnel"' in page  # from the name alone: the text holds nothing
    assert "Nom du fichier" in page
    assert 'data-label="PERSON">Jean DUPONT' in page
