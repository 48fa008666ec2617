"""The workspace in a real browser: summarise an uploaded PDF, validate, export DOCX; a refusal
for an ``externe`` model when the document holds a NIR; a model that fails mid-answer.

The first flow runs on the embedded defaults of ``make run`` (no configuration, built-in
``local`` engine); the others on a configuration that adds an external model and an internal
model whose server cuts its answer, both served by a recording OpenAI-compatible server.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import docx
import pytest

from tests.documents.pdf_builder import build_pdf
from tests.e2e.flows import check_page, first_sign_in, path_of
from tests.e2e.server import EgideServer
from tests.support.fake_openai import FakeProvider, Script, fake_openai_server

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

NIR = "2 86 07 99 350 042 43"
PAGE_ONE = f"""Préfecture de la Haute-Garonne
Bureau du séjour

Objet : demande de renouvellement de titre de séjour

Madame Amélie ROUSSEAU, demeurant 14 bis avenue de la Gloire, 31000 Toulouse, née le
14 juillet 1986, numéro de sécurité sociale {NIR}, sollicite le renouvellement de son
titre de séjour portant la mention salarié.

Le dossier déposé le 3 mars 2025 est complet. Les pièces justificatives ont été vérifiées
par le bureau du séjour."""
PAGE_TWO = """La préfecture dispose d'un délai de quatre mois pour instruire la demande. En l'absence
de réponse dans ce délai, la demande est réputée rejetée. Une décision sera notifiée à
l'intéressée par courrier recommandé avec accusé de réception.

Le chef du bureau du séjour"""
ANSWER = "Le dossier est complet ; la préfecture dispose de quatre mois pour répondre."


def _pdf() -> bytes:
    return build_pdf([PAGE_ONE, PAGE_TWO], title="Demande de renouvellement")


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeProvider]:
    with fake_openai_server(Script(answer=ANSWER, chunk_size=5, cut_after_chunks=None)) as fake:
        yield fake


@pytest.fixture(scope="module")
def configured_server(
    tmp_path_factory: pytest.TempPathFactory, provider: FakeProvider
) -> Iterator[EgideServer]:
    folder = tmp_path_factory.mktemp("egide-e2e-config")
    config = folder / "egide.toml"
    config.write_text(
        f"""
[[models]]
name = "local"
tier = "interne"
backend = "local"

[[models]]
name = "public-ia"
tier = "externe"
backend = "openai"
base_url = "{provider.base_url}"
model = "public"
max_retries = 0

[[models]]
name = "interne-instable"
tier = "interne"
backend = "openai"
base_url = "{provider.base_url}"
model = "instable"
max_retries = 0
""",
        encoding="utf-8",
    )
    server = EgideServer(folder / "home", config=config)
    server.add_agent("nadia.lopez")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _summarise(page: Page, server: EgideServer, artifacts: Path, prefix: str) -> None:
    page.goto(f"{server.base_url}/espace")
    page.click("#tache-resumer")
    check_page(page, "/espace/resumer", f"{prefix}-resumer", artifacts)
    page.set_input_files(
        "#document",
        files=[{"name": "demande.pdf", "mimeType": "application/pdf", "buffer": _pdf()}],
    )
    page.click("label[for=longueur-page]")
    page.click("#bouton-analyser")


def test_summarise_a_pdf_then_validate_and_export(
    page: Page, egide_server: EgideServer, artifacts: Path
) -> None:
    password = egide_server.add_agent("marc.girard")
    first_sign_in(page, egide_server, "marc.girard", password)
    _summarise(page, egide_server, artifacts, "10")

    # Before anything is sent: level, highlighted findings, the models that may receive it.
    assert path_of(page).startswith("/espace/demandes/")
    check_page(page, path_of(page), "11-apercu", artifacts)
    assert page.get_attribute(".egide-niveau", "data-niveau") == "sensible"
    assert page.inner_text("mark[data-label=NIR]").startswith(NIR)
    assert page.locator("mark[data-label=PERSON]").count() >= 1
    assert "[NIR_1]" in page.inner_text("mark[data-label=NIR]")
    assert page.is_checked("#modele-auto")
    assert page.is_enabled("#modele-local")

    page.click("#bouton-envoyer")
    page.wait_for_selector("#lien-brouillon", state="visible")
    streamed = page.inner_text("#reponse-texte")
    assert "ROUSSEAU" in streamed or "quatre mois" in streamed
    assert "[NIR_" not in streamed and "[PERSONNE_" not in streamed
    check_page(page, path_of(page), "12-reponse", artifacts)

    page.click("#lien-brouillon")
    assert path_of(page).startswith("/espace/brouillons/")
    check_page(page, path_of(page), "13-brouillon", artifacts)
    edited = page.input_value("#texte-brouillon") + "\n\nRelu par le bureau du séjour."
    page.fill("#texte-brouillon", edited)
    page.click("label[for=relu]")
    page.click("#bouton-valider")
    assert page.is_visible("#message-brouillon")
    assert "Validé le" in (page.text_content("#etat-brouillon") or "")
    check_page(page, path_of(page), "14-brouillon-valide", artifacts)

    with page.expect_download() as info:
        page.click("#export-docx")
    download = info.value
    target = artifacts / "14-export.docx"
    download.save_as(target)
    assert download.suggested_filename.endswith("-valide.docx")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(target.read_bytes())).paragraphs]
    assert "Relu par le bureau du séjour." in paragraphs
    assert any("relu et validé par marc.girard" in p for p in paragraphs)

    page.goto(f"{egide_server.base_url}/espace/historique")
    check_page(page, "/espace/historique", "15-historique", artifacts)
    assert "Résumé — demande.pdf" in page.inner_text("#tableau-brouillons")


def test_an_external_model_is_refused_when_the_document_holds_a_nir(
    page: Page, configured_server: EgideServer, provider: FakeProvider, artifacts: Path
) -> None:
    password = configured_server.egide("users", "add", "yann.moreau", "--role", "agent").strip()
    first_sign_in(page, configured_server, "yann.moreau", password)
    _summarise(page, configured_server, artifacts, "20")
    preview_path = path_of(page)
    check_page(page, preview_path, "21-apercu-refus-externe", artifacts)

    # The external model is shown, but cannot be chosen, with the charter's reason.
    assert page.is_disabled("#modele-public-ia")
    reason = page.inner_text("#raison-public-ia")
    assert "NIR" in reason and "ne reçoit jamais de données personnelles" in reason
    assert NIR not in reason

    # Sending it anyway (a forged form) is refused by the pipeline; nothing reaches the model.
    before = len(provider.recorder.raw)
    token = page.get_attribute("#form-envoyer input[name=csrf_token]", "value") or ""
    answer = page.request.post(
        f"{configured_server.base_url}{preview_path}/envoyer",
        form={"modele": "public-ia", "csrf_token": token},
        headers={"Accept": "application/x-ndjson"},
    )
    assert answer.status == 403
    assert '"refused"' in answer.text()
    assert len(provider.recorder.raw) == before
    page.reload()
    assert page.is_visible("#refus")
    assert "NIR" in page.inner_text("#refus")
    check_page(page, preview_path, "22-refus-affiche", artifacts)


def test_a_model_failing_mid_answer_leaves_the_request_intact(
    page: Page, configured_server: EgideServer, provider: FakeProvider, artifacts: Path
) -> None:
    password = configured_server.egide("users", "add", "ines.roux", "--role", "agent").strip()
    first_sign_in(page, configured_server, "ines.roux", password)
    _summarise(page, configured_server, artifacts, "30")
    preview_path = path_of(page)
    provider.script.cut_after_chunks = 2
    try:
        page.click("label[for=modele-interne-instable]")
        page.click("#bouton-envoyer")
        page.wait_for_selector("#erreur-envoi", state="visible")
    finally:
        provider.script.cut_after_chunks = None
    message = page.inner_text("#erreur-envoi")
    assert "interrompu" in message and "rien n'est perdu" in message
    assert page.is_enabled("#bouton-envoyer")  # the agent may try again at once
    check_page(page, preview_path, "31-modele-interrompu", artifacts)
    page.reload()
    assert page.is_visible("#echec")
    assert page.inner_text("mark[data-label=NIR]").startswith(NIR)
    # Another try with the same request and document, on the same model: it answers now.
    page.click("label[for=modele-interne-instable]")
    page.click("#bouton-envoyer")
    page.wait_for_selector("#lien-brouillon", state="visible")
    assert ANSWER in page.inner_text("#reponse-texte")
