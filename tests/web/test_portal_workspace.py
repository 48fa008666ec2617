"""The workspace in-process: upload, preview before sending, send (streamed or not), draft,
edit, validate, export — and a model that fails mid-answer leaves the agent's input intact."""

from __future__ import annotations

import html
import io
import json
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from fastapi.testclient import TestClient

from egide.audit import AuditLog
from egide.config import Settings, load_settings
from egide.models.base import GenerationRequest, ModelUnavailable
from egide.tasks.templates import load_templates
from tests.support.portal import WITH_EXTERNAL_MODEL, Account, PortalHarness, csrf_of

LETTER = """Objet : demande de renouvellement de titre de séjour

Madame Amélie ROUSSEAU, demeurant 14 bis avenue de la Gloire, 31000 Toulouse, née le 14 juillet
1986, NIR 2 86 07 99 350 042 43, sollicite le renouvellement de son titre de séjour.

Le dossier est complet. La préfecture dispose d'un délai de quatre mois pour instruire la
demande. Une décision sera notifiée à l'intéressée par courrier recommandé.
"""
PUBLIC_NOTE = """Note d'information

Le service sera fermé le lundi de Pentecôte. Les demandes reçues ce jour-là seront traitées
le lendemain. Les horaires d'ouverture habituels reprendront ensuite.
"""


class _Breaks:
    """A backend that writes a few words, then loses its server (the real interface)."""

    extractive = False
    context_chars = 24_000

    def __init__(self, settings: object) -> None:
        self.settings = settings

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        yield "Début de la réponse "
        raise ModelUnavailable("le serveur du modèle ne répond plus")


def text(page: object) -> str:
    """The page as the agent reads it (Jinja escapes apostrophes and quotes)."""
    return html.unescape(page.text)  # type: ignore[attr-defined]


def _settings_with(tmp_path: Path, toml: str) -> Settings:
    path = tmp_path / "egide.toml"
    path.write_text(toml, encoding="utf-8")
    return load_settings(path, environ={"EGIDE_HOME": str(tmp_path / "home")})


def _signed_in(harness: PortalHarness, login: str = "cmartin") -> tuple[TestClient, Account]:
    client = harness.client()
    account = harness.add_user(login)
    harness.first_sign_in(client, account)
    return client, account


def _upload(client: TestClient, text: str, name: str = "courrier.txt", length: str = "court"):
    form = client.get("/espace/resumer")
    return client.post(
        "/espace/resumer",
        data={"csrf_token": csrf_of(form), "length": length},
        files={"document": (name, text.encode("utf-8"), "text/plain")},
    )


def test_summarise_preview_send_validate_export(harness: PortalHarness) -> None:
    client, _ = _signed_in(harness)
    preview = _upload(client, LETTER)
    assert preview.status_code == 200 and preview.url.path.startswith("/espace/demandes/")
    page = text(preview)
    # Before anything is sent: the level, what was found (highlighted) and the allowed models.
    assert 'data-niveau="sensible"' in page
    assert "numéro de sécurité sociale (NIR)" in page
    assert (
        '<mark class="egide-trouve egide-trouve--nir" data-label="NIR">2 86 07 99 350 042 43'
        in page
    )
    assert "[NIR_1]" in page and "[PERSONNE_1]" in page
    assert 'id="modele-local"' in page and 'id="modele-auto"' in page
    # The preview sent nothing: no pipeline event yet, only the sign-in journey.
    assert all(e.action != "summarize" for e in AuditLog.open(harness.settings.home).events())

    send = client.post(
        preview.url.path + "/envoyer",
        data={"csrf_token": csrf_of(preview), "modele": "auto"},
        follow_redirects=False,
    )
    assert send.status_code == 303 and send.headers["location"].startswith("/espace/brouillons/")
    draft = client.get(send.headers["location"])
    assert "Brouillon à relire" in text(draft) and "sollicite le renouvellement" in text(draft)
    assert "egide-avertissement-sortie" not in text(draft)

    edited = "Résumé relu : demande complète, délai de quatre mois."
    saved = client.post(
        draft.url.path,
        data={"csrf_token": csrf_of(draft), "contenu": edited, "action": "valider", "relu": "oui"},
    )
    assert "Validé le" in text(saved) and "par cmartin" in text(saved)
    assert edited in text(saved)

    exported = client.get(draft.url.path + "/export/docx")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith("attachment;")
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(exported.content)).paragraphs)
    assert edited in body
    assert "relu et validé par cmartin" in body

    actions = [e.action for e in AuditLog.open(harness.settings.home).events()]
    assert "summarize" in actions and "draft_saved" in actions and "draft_validated" in actions


def test_validation_needs_the_checkbox_and_keeps_the_edits(harness: PortalHarness) -> None:
    client, _ = _signed_in(harness)
    preview = _upload(client, PUBLIC_NOTE)
    draft = client.post(preview.url.path + "/envoyer", data={"csrf_token": csrf_of(preview)})
    edits = "Texte modifié par l'agent, pas encore enregistré."
    page = client.post(
        draft.url.path,
        data={"csrf_token": csrf_of(draft), "contenu": edits, "action": "valider"},
    )
    assert page.status_code == 400
    assert "Cochez « J'ai relu ce document »" in text(page)
    assert edits in text(page)  # nothing the agent typed is lost
    assert "Brouillon à relire" in text(page)


def test_streaming_sends_chunks_then_the_draft(harness: PortalHarness) -> None:
    client, _ = _signed_in(harness)
    preview = _upload(client, LETTER)
    response = client.post(
        preview.url.path + "/envoyer",
        data={"modele": "local"},
        headers={"Accept": "application/x-ndjson", "X-CSRF-Token": csrf_of(preview)},
    )
    assert response.headers["content-type"].startswith("application/x-ndjson")
    events = [json.loads(line) for line in response.text.splitlines()]
    assert events[0]["type"] == "chunk" and events[-1]["type"] == "done"
    text = "".join(e["text"] for e in events if e["type"] == "chunk")
    assert "ROUSSEAU" in text or "quatre mois" in text
    assert "[NIR_" not in text and "[PERSONNE_" not in text
    draft = client.get(events[-1]["url"])
    assert draft.status_code == 200


def test_an_external_model_is_refused_for_a_nir(tmp_path: Path) -> None:
    harness = PortalHarness(_settings_with(tmp_path, WITH_EXTERNAL_MODEL))
    client, _ = _signed_in(harness)
    preview = _upload(client, LETTER)
    page = text(preview)
    assert 'id="modele-public-ia" name="modele" value="public-ia" disabled' in page
    assert "ne reçoit jamais de données personnelles" in page
    # Whatever the form says, the pipeline decides: a forged choice is refused and audited.
    refused = client.post(
        preview.url.path + "/envoyer",
        data={"modele": "public-ia"},
        headers={"Accept": "application/x-ndjson", "X-CSRF-Token": csrf_of(preview)},
    )
    assert refused.status_code == 403
    event = json.loads(refused.text)
    assert event["type"] == "refused" and "NIR" in event["message"]
    assert "2 86 07 99" not in text(refused)
    again = client.get(preview.url.path)
    assert 'id="refus"' in text(again) and "Envoi refusé par la charte" in text(again)
    events = list(AuditLog.open(harness.settings.home).events())
    assert [e.decision for e in events if e.action == "refusal"] == ["refused_personal_external"]
    # A public note may go to the external model.
    note = _upload(client, PUBLIC_NOTE)
    assert 'id="modele-public-ia" name="modele" value="public-ia"' in text(note)
    assert 'value="public-ia" disabled' not in text(note)


def test_a_model_failing_mid_answer_keeps_the_request(tmp_path: Path) -> None:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    harness = PortalHarness(settings, backends={"local": _Breaks(None)})
    client, _ = _signed_in(harness)
    preview = _upload(client, LETTER)
    response = client.post(
        preview.url.path + "/envoyer",
        data={"modele": "auto"},
        headers={"Accept": "application/x-ndjson", "X-CSRF-Token": csrf_of(preview)},
    )
    events = [json.loads(line) for line in response.text.splitlines()]
    assert events[0] == {"type": "chunk", "text": "Début de la réponse "}
    assert events[-1]["type"] == "error"
    assert "au milieu de sa réponse" in events[-1]["message"]
    assert "rien n'est perdu" in events[-1]["message"]
    again = client.get(preview.url.path)
    assert again.status_code == 200
    assert 'id="echec"' in text(again) and "ne répond plus" in text(again)
    assert "14 bis avenue de la Gloire" in text(again)  # the document is still there
    history = client.get("/espace/historique")
    assert "envoi interrompu" in text(history)


def test_nobody_reads_anyone_else_s_requests_or_drafts(harness: PortalHarness) -> None:
    from egide.auth import Role

    client, _ = _signed_in(harness)
    preview = _upload(client, LETTER)
    draft = client.post(preview.url.path + "/envoyer", data={"csrf_token": csrf_of(preview)})
    other = harness.client()
    admin = harness.add_user("admin2", Role.ADMINISTRATEUR)
    harness.first_sign_in(other, admin)
    for path in (preview.url.path, draft.url.path, draft.url.path + "/export/docx"):
        answer = other.get(path)
        assert answer.status_code == 404, path
        assert "ROUSSEAU" not in text(answer)
    history = other.get("/espace/historique")
    assert "Résumé — courrier.txt" not in text(history)
    forged = other.post(draft.url.path + "/supprimer", data={"csrf_token": csrf_of(history)})
    assert forged.status_code == 404
    assert client.get(draft.url.path).status_code == 200


def test_history_search_and_deletion(harness: PortalHarness) -> None:
    client, _ = _signed_in(harness)
    for content, name in ((LETTER, "sejour.txt"), (PUBLIC_NOTE, "pentecote.txt")):
        preview = _upload(client, content, name)
        client.post(preview.url.path + "/envoyer", data={"csrf_token": csrf_of(preview)})
    found = client.get("/espace/historique", params={"q": "pentecôte"})
    assert "pentecote.txt" in text(found) and "sejour.txt" not in text(found)
    listing = client.get("/espace/historique")
    assert "sejour.txt" in text(listing) and "pentecote.txt" in text(listing)
    draft_path = next(
        line.split('"')[1] for line in listing.text.splitlines() if "sejour.txt" in line
    )
    draft = client.get(draft_path)
    gone = client.post(draft_path + "/supprimer", data={"csrf_token": csrf_of(draft)})
    assert "Le brouillon est supprimé" in text(gone)
    assert client.get(draft_path).status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("piece.pdf", b"%PDF-1.4 broken", "endommagé"),
        ("piece.bin", b"\x00\x01\x02\x03" * 100, "format non pris en charge"),
        ("vide.txt", b"", "vide"),
    ],
)
def test_a_bad_document_gets_a_clear_error(
    harness: PortalHarness, name: str, data: bytes, message: str
) -> None:
    client, _ = _signed_in(harness)
    form = client.get("/espace/resumer")
    page = client.post(
        "/espace/resumer",
        data={"csrf_token": csrf_of(form)},
        files={"document": (name, data, "application/octet-stream")},
    )
    assert page.status_code == 400
    assert message in text(page).lower()


class _Recording:
    """A generative backend that answers with what it was asked (the real interface)."""

    extractive = False
    context_chars = 24_000

    def __init__(self) -> None:
        self.requests: list[GenerationRequest] = []

    def stream(self, request: GenerationRequest) -> Iterator[str]:
        self.requests.append(request)
        yield "Réponse du modèle, page 1."


def test_drafting_from_a_template_keeps_the_values_when_a_field_is_missing(
    harness: PortalHarness,
) -> None:
    client, _ = _signed_in(harness)
    listing = client.get("/espace/rediger")
    assert "Accusé de réception" in text(listing)
    form = client.get("/espace/rediger/accuse-reception")
    values = {
        "champ_administration": "PRÉFECTURE DE LA GIRONDE",
        "champ_service": "Bureau du séjour",
        "champ_lieu": "Bordeaux",
        "champ_civilite": "Madame",
        "champ_prenom": "Claire",
        "champ_nom": "Dubois",
    }
    missing = client.post(
        "/espace/rediger/accuse-reception", data={"csrf_token": csrf_of(form), **values}
    )
    assert missing.status_code == 400
    assert "obligatoire" in text(missing) and 'value="Dubois"' in missing.text
    # The built-in template's other required fields, from its examples.
    accuse = load_templates(harness.settings.home).get("accuse-reception")
    complete = {f"champ_{f.name}": f.example or f.default or "x" for f in accuse.fields}
    complete.update(values)
    preview = client.post(
        "/espace/rediger/accuse-reception", data={"csrf_token": csrf_of(form), **complete}
    )
    assert preview.url.path.startswith("/espace/demandes/")
    assert "Texte rédigé à partir du modèle" in text(preview)
    assert '<mark class="egide-trouve egide-trouve--person" data-label="PERSON">' in preview.text
    draft = client.post(preview.url.path + "/envoyer", data={"csrf_token": csrf_of(preview)})
    assert draft.url.path.startswith("/espace/brouillons/")
    assert "Madame Claire DUBOIS" in text(draft)


def test_chat_follow_up_questions_carry_the_conversation(tmp_path: Path) -> None:
    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    backend = _Recording()
    harness = PortalHarness(settings, backends={"local": backend})
    client, _ = _signed_in(harness)
    form = client.get("/espace/discuter")
    preview = client.post(
        "/espace/discuter",
        data={"csrf_token": csrf_of(form), "question": "Quel délai pour Madame ROUSSEAU ?"},
        files=[("documents", ("courrier.txt", LETTER.encode(), "text/plain"))],
    )
    assert "Votre question" in text(preview) and "Document « courrier.txt »" in text(preview)
    thread = client.post(preview.url.path + "/envoyer", data={"csrf_token": csrf_of(preview)})
    # The answer is kept in the conversation, not as a draft.
    assert thread.url.path.startswith("/espace/conversations/")
    assert "Quel délai pour Madame ROUSSEAU ?" in text(thread)
    assert "Réponse du modèle, page 1." in text(thread)
    follow = client.post(
        thread.url.path,
        data={"csrf_token": csrf_of(thread), "question": "Et pour un recours ?"},
    )
    assert "Votre question précédente" in text(follow) and "Réponse précédente" in text(follow)
    client.post(follow.url.path + "/envoyer", data={"csrf_token": csrf_of(follow)})
    sent = backend.requests[-1].messages
    contents = [m.content for m in sent]
    assert any("Réponse du modèle" in c for c in contents)  # the earlier answer
    assert contents[-1] == "Et pour un recours ?"
    assert all("ROUSSEAU" not in c for c in contents)  # pseudonymised, history included
    assert any("[PERSONNE_1]" in c for c in contents)


def test_a_classified_document_can_be_sent_to_no_model(harness: PortalHarness) -> None:
    client, _ = _signed_in(harness)
    classified = "SECRET\n\nNote sur le dispositif de sécurité du sommet.\n"
    # A classified file is refused at the door: nothing of it is kept.
    refused = _upload(client, classified)
    assert refused.status_code == 422 and "ne sont jamais traitées par Égide" in text(refused)
    # The same words typed in a question: the preview offers no model, a forged send fails.
    form = client.get("/espace/discuter")
    preview = client.post(
        "/espace/discuter", data={"csrf_token": csrf_of(form), "question": classified}
    )
    page = text(preview)
    assert 'data-niveau="classifie"' in page
    assert 'id="bouton-envoyer"' not in page and 'id="aucun-modele"' in page
    assert "ne sont jamais traitées par Égide" in page
    forged = client.post(
        preview.url.path + "/envoyer",
        data={"modele": "local"},
        headers={"Accept": "application/x-ndjson", "X-CSRF-Token": csrf_of(preview)},
    )
    assert forged.status_code == 403 and json.loads(forged.text)["type"] == "refused"


def test_an_audit_trail_that_cannot_record_keeps_the_request_and_says_so(
    harness: PortalHarness,
) -> None:
    client, _ = _signed_in(harness)
    preview = _upload(client, PUBLIC_NOTE)
    # The audit trail's folder becomes a file: nothing can be recorded any more.
    audit = harness.settings.home / "audit"
    for child in audit.iterdir():
        child.unlink()
    audit.rmdir()
    audit.write_text("pas un dossier", encoding="utf-8")
    response = client.post(
        preview.url.path + "/envoyer",
        data={"modele": "auto"},
        headers={"Accept": "application/x-ndjson", "X-CSRF-Token": csrf_of(preview)},
    )
    event = json.loads(response.text.splitlines()[-1])
    assert event["type"] == "error" and "Votre demande est conservée" in event["message"]
    again = client.get(preview.url.path)
    assert again.status_code == 200 and "Pentecôte" in text(again)
    with harness.portal.store.session() as session:
        from egide.store.models import Draft

        assert session.query(Draft).count() == 0  # nothing sent without its audit record
