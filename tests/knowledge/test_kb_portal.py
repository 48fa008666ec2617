"""The knowledge base in the portal: who sees which collection, upload by curators, search with
highlighted snippets, a cited passage opened at its place, and a question that goes through the
usual preview to a cited answer."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from egide.auth import Role
from egide.config import load_settings
from tests.knowledge.conftest import COLLECTION
from tests.support.portal import PortalHarness, csrf_of


def _text(page: object) -> str:
    return html.unescape(page.text)  # type: ignore[attr-defined]


@pytest.fixture
def harness(ingested_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PortalHarness:
    import shutil

    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    home = tmp_path / "home"
    shutil.copytree(ingested_home, home)
    settings = load_settings(environ={"EGIDE_HOME": str(home)})
    return PortalHarness(settings)


def _signed_in(
    harness: PortalHarness, login: str, role: Role = Role.AGENT, service: str = ""
) -> TestClient:
    fields = {"service": service} if service else {}
    account = harness.add_user(login, role, **fields)
    client = harness.client()
    harness.first_sign_in(client, account)
    return client


def _service_collection(harness: PortalHarness, name: str, service: str) -> None:
    from egide.knowledge import KnowledgeBase
    from egide.knowledge.embedders import EmbeddedEncoder

    portal = harness.portal
    kb = KnowledgeBase(harness.settings, portal.store, audit=lambda: portal.audit,
                       encoder=EmbeddedEncoder(workers=1))  # fmt: skip
    collection = kb.create_collection(name, user="test", service=service, title="Notes RH")
    kb.ingest_bytes(
        collection,
        "note.txt",
        b"Note RH\n\nLes cong\xc3\xa9s d'\xc3\xa9t\xc3\xa9 se posent avant mai.",
        user="t",
    )


def test_agents_see_the_ministry_s_collections_and_their_service_s_only(harness) -> None:
    _service_collection(harness, "rh-etrangers", "Bureau des étrangers")
    _service_collection(harness, "rh-elections", "Bureau des élections")
    client = _signed_in(harness, "cmartin", service="Bureau des étrangers")
    page = client.get("/base")
    assert page.status_code == 200
    assert f"/base/{COLLECTION}" in page.text and "/base/rh-etrangers" in page.text
    assert "rh-elections" not in page.text
    assert client.get("/base/rh-elections").status_code == 404  # like a missing one
    assert client.get("/base/rh-etrangers").status_code == 200
    assert 'id="form-ajout-base"' not in client.get(f"/base/{COLLECTION}").text  # no curation


def test_search_shows_highlighted_snippets_and_opens_the_cited_passage(harness) -> None:
    client = _signed_in(harness, "cmartin")
    page = client.get(f"/base/{COLLECTION}", params={"q": "renouveler mon passeport"})
    assert page.status_code == 200
    assert "<mark>" in page.text and 'id="resultats"' in page.text
    link = page.text.split(f'href="/base/{COLLECTION}/passages/', 1)[1].split('"', 1)[0]
    opened = client.get(f"/base/{COLLECTION}/passages/{html.unescape(link)}")
    assert opened.status_code == 200 and 'id="passage"' in opened.text
    assert re.search(r"passage \d+ sur \d+", _text(opened))
    assert client.get(f"/base/{COLLECTION}/passages/999999").status_code == 404


def test_a_curator_uploads_sees_the_report_and_removes(harness) -> None:
    client = _signed_in(harness, "admin2", Role.ADMINISTRATEUR)
    page = client.get(f"/base/{COLLECTION}")
    token = csrf_of(page)
    answer = client.post(
        f"/base/{COLLECTION}/documents",
        data={"csrf_token": token},
        files=[
            ("documents", ("guichet.txt", "Guichet unique\n\nLe guichet unique reçoit sur rendez-vous les demandes de naturalisation.".encode(), "text/plain")),
            ("documents", ("abime.pdf", b"%PDF-1.7 garbage", "application/pdf")),
        ],
    )  # fmt: skip
    assert answer.status_code == 200
    report = _text(answer).split('id="rapport-ajout"', 1)[1]
    assert "guichet.txt" in report and "ajouté" in report
    assert "abime.pdf" in report and "endommagé" in report
    found = client.get(f"/base/{COLLECTION}", params={"q": "naturalisation guichet"})
    assert "guichet" in found.text
    document_id = _text(found).split(f"/base/{COLLECTION}/documents/", 1)[1].split("/", 1)[0]
    removed = client.post(
        f"/base/{COLLECTION}/documents/{document_id}/supprimer", data={"csrf_token": token}
    )
    assert removed.status_code == 200 and removed.url.path == f"/base/{COLLECTION}"


def test_agents_cannot_upload_nor_post_without_the_form_s_token(harness) -> None:
    client = _signed_in(harness, "cmartin")
    page = client.get(f"/base/{COLLECTION}")
    start = client.post(f"/base/{COLLECTION}/vecteurs", data={"csrf_token": csrf_of(page)})
    assert start.status_code == 404  # curators only
    refused = client.post(
        f"/base/{COLLECTION}/documents",
        data={"csrf_token": csrf_of(page)},
        files=[("documents", ("x.txt", b"Titre\n\nTexte.", "text/plain"))],
    )
    assert refused.status_code == 404
    no_token = client.post(f"/base/{COLLECTION}/question", data={"question": "passeport"})
    assert no_token.status_code == 403


def test_a_question_goes_through_the_preview_to_a_cited_answer(harness) -> None:
    client = _signed_in(harness, "cmartin")
    page = client.get(f"/base/{COLLECTION}")
    chosen = client.post(
        f"/base/{COLLECTION}/question",
        data={"question": "mon passeport expire bientôt, où faire la démarche pour le refaire ?",
              "csrf_token": csrf_of(page)},
    )  # fmt: skip
    assert chosen.status_code == 200
    assert 'id="passages-retenus"' in chosen.text
    preview_path = chosen.text.split('id="vers-apercu" href="', 1)[1].split('"', 1)[0]
    preview = client.get(preview_path)
    assert preview.status_code == 200
    assert "Document « " in _text(preview)  # each passage is a document the guard scanned
    request_id = preview_path.rsplit("/", 1)[1]
    sent = client.post(
        f"/espace/demandes/{request_id}/envoyer",
        data={"modele": "local", "csrf_token": csrf_of(preview)},
        headers={"accept": "application/x-ndjson"},
    )
    assert sent.status_code == 200, sent.text[:500]
    chunks = "".join(
        json.loads(line).get("text", "") for line in sent.text.splitlines() if line.strip()
    )
    assert "[1] « " in chunks and "passeport" in chunks.lower()


def test_nothing_relevant_sends_nothing(harness) -> None:
    client = _signed_in(harness, "cmartin")
    page = client.get(f"/base/{COLLECTION}")
    answer = client.post(
        f"/base/{COLLECTION}/question",
        data={
            "question": "recette de la tarte tatin aux pommes caramélisées",
            "csrf_token": csrf_of(page),
        },
    )
    assert answer.status_code == 200 and 'id="rien-de-pertinent"' in answer.text
