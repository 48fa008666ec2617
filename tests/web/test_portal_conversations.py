"""Conversations in-process: free questions and pasted text, answers kept in the conversation
(a draft only when the agent keeps one), the list and its search across the whole decrypted
text, rename, delete with confirmation, and per answer: keep, correct, regenerate, reformulate,
translate. Every route is read through its owner; every new way of sending shows, or re-derives,
what is sent; nothing is readable at rest.

The models are a recording OpenAI-compatible server on loopback (tests/support/fake_openai.py):
whatever reaches a model is in ``upstream.recorder``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from egide.audit import AuditLog
from egide.auth import Role
from egide.config import Settings, load_settings
from egide.store.conversation_rows import ConversationRow
from egide.store.models import Draft
from egide.store.workspace import UploadRow, WorkRequestRow
from egide.workspace.retention import apply_retention
from tests.support.fake_openai import FakeProvider, Script, fake_openai_server
from tests.support.portal import Page, PortalHarness, csrf_of

INTERNAL, EXTERNAL = "interne-ia", "public-ia"
NIR = "2 86 07 99 350 042 43"
LETTER = f"""Objet : demande de renouvellement de titre de séjour

Madame Amélie ROUSSEAU, demeurant 14 bis avenue de la Gloire, 31000 Toulouse, NIR {NIR},
sollicite le renouvellement de son titre de séjour. Le dossier est complet.
"""
STREAM = {"Accept": "application/x-ndjson"}


@pytest.fixture
def upstream() -> Iterator[FakeProvider]:
    with fake_openai_server(Script(chunk_size=6)) as fake:
        yield fake


@pytest.fixture
def settings(tmp_path: Path, upstream: FakeProvider) -> Settings:
    config = tmp_path / "egide.toml"
    config.write_text(
        f"""
[[models]]
name = "local"
tier = "interne"
backend = "local"

[[models]]
name = "{INTERNAL}"
tier = "interne"
backend = "openai"
base_url = "{upstream.base_url}"
model = "echo"
max_retries = 0

[[models]]
name = "{EXTERNAL}"
tier = "externe"
backend = "openai"
base_url = "{upstream.base_url}"
model = "echo"
max_retries = 0
""",
        encoding="utf-8",
    )
    return load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})


def text(page: Page) -> str:
    return html.unescape(page.text)


def _agent(harness: PortalHarness, login: str = "cmartin", role: Role = Role.AGENT) -> TestClient:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user(login, role))
    return client


def _ask(client: TestClient, question: str, *, pasted: str = "", files: tuple = ()) -> Page:
    form = client.get("/espace/discuter")
    return client.post(
        "/espace/discuter",
        data={"csrf_token": csrf_of(form), "question": question, "texte": pasted},
        files=list(files) or None,
    )


def _send(client: TestClient, preview: Page, model: str = INTERNAL) -> Page:
    assert preview.url.path.startswith("/espace/demandes/"), preview.url
    return client.post(
        preview.url.path + "/envoyer", data={"csrf_token": csrf_of(preview), "modele": model}
    )


def _exchanges(page: Page) -> list[str]:
    return [part.split('"')[0] for part in page.text.split('id="echange-')[1:]]


def _conversation(client: TestClient, question: str, answer: str, upstream: FakeProvider) -> Page:
    upstream.script.answer = answer
    page = _send(client, _ask(client, question))
    assert page.url.path.startswith("/espace/conversations/"), page.url
    return page


def _action(client: TestClient, page: Page, exchange: str, action: str, **data: str) -> Page:
    return client.post(
        f"{page.url.path}/echanges/{exchange}/{action}",
        data={"csrf_token": csrf_of(page), **data},
    )


def _events(settings: Settings) -> list[dict[str, object]]:
    return [
        {"action": e.action, "extra": dict(e.extra or {}), "level": e.level}
        for e in AuditLog.open(settings.home).events()
    ]


def _drafts(harness: PortalHarness) -> int:
    with harness.portal.store.session() as session:
        return session.query(Draft).count()


# --- asking, answering, keeping ---------------------------------------------------------------


def test_a_free_question_is_an_answer_kept_in_its_conversation_not_a_draft(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    preview = _ask(client, "Quels sont les horaires du guichet des titres de séjour ?")
    # The preview first: the question, and the models that may receive it.
    assert "Votre question" in text(preview) and f'value="{EXTERNAL}"' in preview.text
    upstream.script.answer = "Le guichet est ouvert de 9 h à 12 h, du lundi au vendredi."
    page = _send(client, preview)
    assert page.url.path.startswith("/espace/conversations/")
    assert "Le guichet est ouvert de 9 h à 12 h" in text(page)
    assert _drafts(harness) == 0  # an answer, not a draft to validate
    actions = [e["action"] for e in _events(harness.settings)]
    assert "answer_saved" in actions and "draft_saved" not in actions
    listing = client.get("/espace/conversations")
    assert "Quels sont les horaires du guichet" in text(listing)


def test_the_agent_keeps_an_answer_as_a_draft_once(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    page = _conversation(
        client, "Délai de recours ?", "Deux mois à compter de la notification.", upstream
    )
    exchange = _exchanges(page)[0]
    draft = _action(client, page, exchange, "garder")
    assert draft.url.path.startswith("/espace/brouillons/")
    assert "Deux mois à compter de la notification." in text(draft)
    assert "Brouillon à relire" in text(draft) and 'id="lien-conversation"' in draft.text
    events = _events(harness.settings)
    assert [e["extra"]["task"] for e in events if e["action"] == "draft_saved"] == ["chat"]
    # Keeping it again opens the same draft; the conversation links to it.
    again = _action(client, client.get(page.url.path), exchange, "garder")
    assert again.url.path == draft.url.path and _drafts(harness) == 1
    assert f'href="{draft.url.path}"' in client.get(page.url.path).text


def test_pasted_text_is_a_document_highlighted_in_the_preview(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    preview = _ask(client, "Que demande l'usager ?", pasted=LETTER)
    assert "Document « Texte collé »" in text(preview)
    assert 'data-label="NIR"' in preview.text and 'data-niveau="sensible"' in preview.text
    assert f'value="{EXTERNAL}" disabled' in preview.text
    _send(client, preview)
    body = json.dumps(upstream.recorder.bodies[-1], ensure_ascii=False)
    assert "ROUSSEAU" not in body and NIR not in body and "[NIR_1]" in body


def test_follow_up_with_another_document_carries_the_conversation(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    page = _conversation(client, "Première question ?", "Première réponse.", upstream)
    follow = client.post(
        page.url.path,
        data={"csrf_token": csrf_of(page), "question": "Et ce courrier ?"},
        files=[("documents", ("courrier.txt", LETTER.encode(), "text/plain"))],
    )
    page_text = text(follow)
    assert "Votre question précédente" in page_text and "Réponse précédente" in page_text
    assert "Document « courrier.txt »" in page_text
    thread = _send(client, follow)
    sent = upstream.recorder.bodies[-1]["messages"]
    contents = [m["content"] for m in sent]
    assert "Première réponse." in contents and contents[-1] == "Et ce courrier ?"
    assert "courrier.txt" in text(thread) and len(_exchanges(thread)) == 2


def test_the_first_question_abandoned_leaves_no_empty_conversation(
    harness: PortalHarness,
) -> None:
    client = _agent(harness)
    preview = _ask(client, "Une question que je n'envoie pas")
    gone = client.post(preview.url.path + "/supprimer", data={"csrf_token": csrf_of(preview)})
    assert gone.status_code == 200
    assert "Une question que je n" not in text(client.get("/espace/conversations"))


# --- the list: search, rename, delete ---------------------------------------------------------


def test_search_reads_the_whole_text_of_questions_and_answers(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    long_question = "Pouvez-vous m'aider à préparer la réunion " + "de service " * 12 + "?"
    first = _conversation(
        client,
        long_question,
        "Voici un ordre du jour. " + "Point divers. " * 30 + "Prévoir l'arrêté préfectoral.",
        upstream,
    )
    _conversation(client, "Horaires du guichet ?", "De 9 h à 12 h.", upstream)
    # A word far past the title, in the answer, written otherwise (case, accents, apostrophe).
    found = client.get("/espace/conversations", params={"q": "L’ARRETE  prefectoral"})
    assert "1 conversation pour" in text(found)
    assert first.url.path in found.text and "Horaires du guichet" not in text(found)
    assert "arrêté préfectoral" in text(found)  # the snippet around the match
    # The question too, past its first 80 characters.
    late = client.get("/espace/conversations", params={"q": "service de service ?"})
    assert first.url.path in late.text
    nothing = client.get("/espace/conversations", params={"q": "introuvable-xyz"})
    assert "Aucune conversation ne contient" in text(nothing)


def test_rename_then_delete_with_confirmation(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    upstream.script.answer = "Réponse."
    thread = _send(
        client,
        _ask(
            client,
            "Que dit ce courrier ?",
            files=(("documents", ("lettre.txt", LETTER.encode(), "text/plain")),),
        ),
    )
    exchange = _exchanges(thread)[0]
    draft = _action(client, thread, exchange, "garder")
    renamed = client.post(
        thread.url.path + "/renommer",
        data={"csrf_token": csrf_of(thread), "titre": "  Dossier   Rousseau  "},
    )
    assert "La conversation est renommée." in text(renamed)
    assert '<h1 id="titre-conversation">Dossier Rousseau</h1>' in renamed.text
    confirm = client.get(thread.url.path + "/supprimer")
    assert "Supprimer la conversation « Dossier Rousseau » ?" in text(confirm)
    assert "1 brouillon que vous en avez gardé reste" in text(confirm)
    with harness.portal.store.session() as session:
        assert session.query(UploadRow).count() == 1
    gone = client.post(thread.url.path + "/supprimer", data={"csrf_token": csrf_of(confirm)})
    assert gone.url.path == "/espace/conversations" and "sont supprimées" in text(gone)
    assert client.get(thread.url.path).status_code == 404
    with harness.portal.store.session() as session:
        assert session.query(WorkRequestRow).count() == 0
        assert session.query(UploadRow).count() == 0  # its document went with it
    assert client.get(draft.url.path).status_code == 200  # the kept draft stays


# --- regenerate, reformulate, translate, correct ----------------------------------------------


def test_regenerating_the_same_texts_sends_at_once_and_keeps_the_earlier_answer(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    page = _conversation(client, "Délai de recours ?", "Première version.", upstream)
    calls = len(upstream.recorder.bodies)
    upstream.script.answer = "Seconde version."
    again = _action(client, page, _exchanges(page)[0], "regenerer", modele=INTERNAL)
    assert again.url.path == page.url.path  # no preview: the very texts of the first answer
    assert len(upstream.recorder.bodies) == calls + 1
    assert (
        upstream.recorder.bodies[-1]["messages"] == upstream.recorder.bodies[calls - 1]["messages"]
    )
    page_text = text(again)
    assert "Nouvelle réponse de « interne-ia »" in page_text and "Seconde version." in page_text
    assert "Réponses précédentes (1)" in page_text and "Première version." in page_text
    chat = [e for e in _events(harness.settings) if e["action"] == "chat"]
    assert chat[-1]["extra"]["apercu"] == "conforme"


def test_regenerating_streams_into_the_exchange(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    page = _conversation(client, "Délai de recours ?", "Première version.", upstream)
    upstream.script.answer = "Version diffusée."
    streamed = client.post(
        f"{page.url.path}/echanges/{_exchanges(page)[0]}/regenerer",
        data={"modele": INTERNAL},
        headers={**STREAM, "X-CSRF-Token": csrf_of(page)},
    )
    events = [json.loads(line) for line in streamed.text.splitlines()]
    assert "".join(e["text"] for e in events if e["type"] == "chunk") == "Version diffusée."
    assert events[-1]["type"] == "done" and events[-1]["url"].startswith(
        page.url.path + "?reponse="
    )
    assert "gardée dans la conversation" in events[-1]["status"]


def test_regenerating_after_an_earlier_answer_changed_shows_the_preview_first(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    page = _conversation(client, "Première question ?", "Première réponse.", upstream)
    upstream.script.answer = "Seconde réponse."
    page = _send(
        client,
        client.post(page.url.path, data={"csrf_token": csrf_of(page), "question": "Seconde ?"}),
    )
    first, second = _exchanges(page)
    editor = client.get(f"{page.url.path}/echanges/{first}/modifier")
    client.post(
        f"{page.url.path}/echanges/{first}/modifier",
        data={"csrf_token": csrf_of(editor), "reponse": f"Dossier de Mme ROUSSEAU, NIR {NIR}."},
    )
    calls = len(upstream.recorder.bodies)
    # The second question's texts now carry the corrected first answer: nothing leaves
    # before the agent sees it, and the external model is refused for it.
    shown = _action(client, client.get(page.url.path), second, "regenerer", modele=EXTERNAL)
    assert shown.url.path.startswith("/espace/demandes/")
    assert 'data-label="NIR"' in shown.text and f'value="{EXTERNAL}" disabled' in shown.text
    assert len(upstream.recorder.bodies) == calls
    streamed = client.post(
        f"{page.url.path}/echanges/{second}/regenerer",
        data={"modele": INTERNAL},
        headers={**STREAM, "X-CSRF-Token": csrf_of(shown)},
    )
    assert json.loads(streamed.text)["type"] == "preview"  # the script goes to the preview
    assert len(upstream.recorder.bodies) == calls


def test_regenerating_with_a_refused_model_sends_nothing(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    preview = _ask(client, "Que demande l'usager ?", pasted=LETTER)
    page = _send(client, preview)
    calls = len(upstream.recorder.bodies)
    # The form offers only the models the charter allows; a forged choice gets the preview.
    assert f'<option value="{EXTERNAL}"' not in page.text
    forged = _action(client, page, _exchanges(page)[0], "regenerer", modele=EXTERNAL)
    assert forged.url.path.startswith("/espace/demandes/")
    assert f'value="{EXTERNAL}" disabled' in forged.text
    assert len(upstream.recorder.bodies) == calls


def test_reformulate_shows_what_is_sent_then_adds_a_version(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    page = _conversation(
        client,
        "Résume la situation de Madame ROUSSEAU",
        "Madame Amélie ROUSSEAU sollicite le renouvellement de son titre de séjour ; le dossier est complet.",
        upstream,
    )
    preview = _action(client, page, _exchanges(page)[0], "reformuler", style="simple")
    assert preview.url.path.startswith("/espace/demandes/")
    assert "Réponse à reformuler" in text(preview) and 'data-label="PERSON"' in preview.text
    assert "Plus simple (FALC)" in text(preview)
    calls = len(upstream.recorder.bodies)
    upstream.script.answer = "Madame Amélie ROUSSEAU demande un nouveau titre de séjour."
    thread = _send(client, preview)
    assert len(upstream.recorder.bodies) == calls + 1
    sent = upstream.recorder.bodies[-1]["messages"][-1]["content"]
    assert "facile à lire et à comprendre" in sent and "[PERSONNE_1]" in sent
    assert "ROUSSEAU" not in sent
    assert "Plus simple (FALC) de « interne-ia »" in text(thread)
    assert "demande un nouveau titre de séjour" in text(thread)


def test_translate_is_previewed_and_the_extractive_engine_says_it_cannot(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    page = _conversation(client, "Horaires ?", "Le guichet ouvre à 9 h.", upstream)
    preview = _action(client, page, _exchanges(page)[0], "traduire", langue="anglais")
    assert "Réponse à traduire" in text(preview) and "Le guichet ouvre à 9 h." in text(preview)
    refused = client.post(
        preview.url.path + "/envoyer",
        data={"modele": "local"},
        headers={**STREAM, "X-CSRF-Token": csrf_of(preview)},
    )
    event = json.loads(refused.text.splitlines()[-1])
    assert event["type"] == "error" and "ne sait pas traduire" in event["message"]
    upstream.script.answer = "The counter opens at 9 a.m."
    thread = _send(client, client.get(preview.url.path))
    assert "Traduction en anglais de « interne-ia »" in text(thread)
    assert "The counter opens at 9 a.m." in text(thread)


def test_a_corrected_answer_is_what_later_questions_carry(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    page = _conversation(client, "Quel délai ?", "Trois mois.", upstream)
    exchange = _exchanges(page)[0]
    editor = client.get(f"{page.url.path}/echanges/{exchange}/modifier")
    empty = client.post(
        f"{page.url.path}/echanges/{exchange}/modifier",
        data={"csrf_token": csrf_of(editor), "reponse": "  "},
    )
    assert empty.status_code == 400 and "La réponse est vide" in text(empty)
    saved = client.post(
        f"{page.url.path}/echanges/{exchange}/modifier",
        data={"csrf_token": csrf_of(editor), "reponse": "Deux mois (corrigé)."},
    )
    assert "corrigée par vous" in text(saved) and "Deux mois (corrigé)." in text(saved)
    follow = client.post(
        saved.url.path, data={"csrf_token": csrf_of(saved), "question": "Et ensuite ?"}
    )
    _send(client, follow)
    contents = [m["content"] for m in upstream.recorder.bodies[-1]["messages"]]
    assert "Deux mois (corrigé)." in contents and "Trois mois." not in contents


def test_a_follow_up_previewed_before_an_earlier_answer_was_regenerated_sends_nothing(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    """Stale preview through a new way of changing history: regenerating an earlier answer."""
    client = _agent(harness)
    page = _conversation(client, "Horaires ?", "De 9 h à 12 h.", upstream)
    follow = client.post(
        page.url.path, data={"csrf_token": csrf_of(page), "question": "Et samedi ?"}
    )
    upstream.script.answer = f"Voir Mme Amélie ROUSSEAU, NIR {NIR}."
    _action(client, client.get(page.url.path), _exchanges(page)[0], "regenerer", modele=INTERNAL)
    calls = len(upstream.recorder.bodies)
    streamed = client.post(
        follow.url.path + "/envoyer",
        data={"modele": EXTERNAL},
        headers={**STREAM, "X-CSRF-Token": csrf_of(follow)},
    )
    assert streamed.status_code == 403 and "a changé depuis l'aperçu" in text(streamed)
    assert len(upstream.recorder.bodies) == calls
    again = client.get(follow.url.path)
    assert 'data-label="NIR"' in again.text and f'value="{EXTERNAL}" disabled' in again.text


# --- privacy: owners, sessions, CSRF, rest, audit ---------------------------------------------


def _routes(thread: str, exchange: str) -> list[tuple[str, str, dict[str, str]]]:
    base = f"{thread}/echanges/{exchange}"
    return [
        ("get", thread, {}),
        ("post", thread, {"question": "Question d'un autre ?"}),
        ("post", thread + "/renommer", {"titre": "Volé"}),
        ("get", thread + "/supprimer", {}),
        ("post", thread + "/supprimer", {}),
        ("post", base + "/regenerer", {"modele": INTERNAL}),
        ("post", base + "/reformuler", {"style": "court"}),
        ("post", base + "/traduire", {"langue": "anglais"}),
        ("post", base + "/garder", {}),
        ("get", base + "/modifier", {}),
        ("post", base + "/modifier", {"reponse": "Réécrite par un autre"}),
    ]


def test_nobody_reads_or_changes_anyone_else_s_conversation(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    owner = _agent(harness)
    page = _conversation(owner, "Dossier de Madame ROUSSEAU ?", "Réponse confidentielle.", upstream)
    exchange = _exchanges(page)[0]
    calls = len(upstream.recorder.bodies)
    for login, role in (("voisin", Role.AGENT), ("chef", Role.ADMINISTRATEUR)):
        other = _agent(harness, login, role)
        token = csrf_of(other.get("/espace/conversations"))
        for method, path, data in _routes(page.url.path, exchange):
            if method == "get":
                answer = other.get(path)
            else:
                answer = other.post(path, data={"csrf_token": token, **data})
            assert answer.status_code == 404, (login, method, path, answer.status_code)
            assert "ROUSSEAU" not in text(answer) and "confidentielle" not in text(answer)
        listing = other.get("/espace/conversations", params={"q": "confidentielle"})
        assert "Aucune conversation ne contient" in text(listing)
    assert len(upstream.recorder.bodies) == calls  # nothing sent on their behalf
    mine = owner.get(page.url.path)
    assert "Réponse confidentielle." in text(mine) and "Volé" not in text(mine)
    assert _drafts(harness) == 0


def test_every_new_route_needs_a_session_and_its_form_token(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    owner = _agent(harness)
    page = _conversation(owner, "Horaires ?", "De 9 h à 12 h.", upstream)
    routes = _routes(page.url.path, _exchanges(page)[0])
    routes += [
        ("get", "/espace/conversations", {}),
        ("get", "/espace/preferences", {}),
        ("post", "/espace/preferences", {"pref_service": "Bureau"}),
        ("get", "/espace/repondre", {}),
        ("post", "/espace/repondre", {"modele": "accuse-reception"}),
    ]
    stranger = harness.client()
    for method, path, data in routes:
        answer = (
            getattr(stranger, method)(path, data=data) if data else getattr(stranger, method)(path)
        )
        assert answer.url.path == "/connexion", (method, path)
    for method, path, data in routes:
        if method == "post":
            forged = owner.post(path, data=data)  # no CSRF token
            assert forged.status_code == 403, path
    assert "De 9 h à 12 h." in text(owner.get(page.url.path))


def test_conversations_and_preferences_are_sealed_at_rest_and_never_in_the_audit(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    page = _conversation(
        client, "Question sur Kerguelen-Ouessant", "Réponse Trégastel-Plouha", upstream
    )
    client.post(
        page.url.path + "/renommer",
        data={"csrf_token": csrf_of(page), "titre": "Titre Lannilis-Brélès"},
    )
    form = client.get("/espace/preferences")
    client.post(
        "/espace/preferences",
        data={"csrf_token": csrf_of(form), "pref_signataire_nom": "Plougastel-Daoulas"},
    )
    raw = b"".join(p.read_bytes() for p in harness.settings.home.rglob("*") if p.is_file())
    assert b"cmartin" in raw  # the files are really read
    for secret in ("Kerguelen", "Trégastel", "Lannilis", "Plougastel"):
        assert secret.encode() not in raw, secret


# --- retention and earlier versions -----------------------------------------------------------


def test_retention_deletes_old_turns_and_the_conversations_they_leave_empty(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = _agent(harness)
    old = _conversation(client, "Ancienne question ?", "Ancienne réponse.", upstream)
    mixed = _conversation(client, "Question d'hier ?", "Réponse d'hier.", upstream)
    upstream.script.answer = "Réponse du jour."
    mixed = _send(
        client,
        client.post(
            mixed.url.path, data={"csrf_token": csrf_of(mixed), "question": "Et aujourd'hui ?"}
        ),
    )
    long_ago = datetime.now(UTC) - timedelta(days=40)
    old_id, mixed_id = old.url.path.rsplit("/", 1)[1], mixed.url.path.rsplit("/", 1)[1]
    first_of_mixed = _exchanges(mixed)[0]
    with harness.portal.store.session() as session:
        session.execute(
            update(WorkRequestRow)
            .where(
                (WorkRequestRow.conversation_id == old_id) | (WorkRequestRow.id == first_of_mixed)
            )
            .values(created_at=long_ago)
        )
        session.execute(
            update(ConversationRow)
            .where(ConversationRow.id.in_([old_id, mixed_id]))
            .values(created_at=long_ago)
        )
    counts = apply_retention(harness.settings)
    assert counts["demandes"] == 2 and counts["conversations"] == 1
    assert client.get(old.url.path).status_code == 404
    kept = text(client.get(mixed.url.path))
    # The old question and its answer are gone; the conversation (and its title) stays.
    assert "Et aujourd'hui ?" in kept and "Réponse d'hier." not in kept
    assert "egide-question\">Question d'hier ?" not in kept


def test_conversations_made_before_they_had_a_row_are_listed_and_read(
    harness: PortalHarness,
) -> None:
    """A conversation of the earlier version: turns sharing an id, each answer a draft."""
    client = _agent(harness)
    workspace = harness.app.state.workspace
    draft = workspace.drafts.create(
        "cmartin", "chat", "local", "interne", "interne", "Ancienne", "Réponse d'avant."
    )
    turn = workspace.requests.create(
        "cmartin",
        task="chat",
        title="Question d'avant",
        prompt="Question d'avant ?",
        conversation_id="legacy-0001",
    )
    workspace.requests.mark_sent(
        turn.id, owner="cmartin", model="local", draft_id=draft.id, warnings=()
    )
    listing = client.get("/espace/conversations")
    assert "Question d'avant" in text(listing)
    page = client.get("/espace/conversations/legacy-0001")
    assert "Réponse d'avant." in text(page)
    search = client.get("/espace/conversations", params={"q": "QUESTION d’avant"})
    assert "legacy-0001" in search.text


def test_a_restart_between_preview_and_send_does_not_forget_what_the_agent_saw(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    """The preview's fingerprint is kept with the request, not only in the process's cache: a
    service restarted (or a cache that dropped the preview) still refuses changed texts."""
    client = _agent(harness)
    page = _conversation(client, "Horaires ?", "De 9 h à 12 h.", upstream)
    follow = client.post(page.url.path, data={"csrf_token": csrf_of(page), "question": "Samedi ?"})
    exchange = _exchanges(page)[0]
    editor = client.get(f"{page.url.path}/echanges/{exchange}/modifier")
    client.post(
        f"{page.url.path}/echanges/{exchange}/modifier",
        data={"csrf_token": csrf_of(editor), "reponse": f"Voir Mme Amélie ROUSSEAU, NIR {NIR}."},
    )
    restarted = PortalHarness(harness.settings, harness.clock)  # same base, empty caches
    other_process = restarted.client()
    other_process.cookies.update(client.cookies)
    calls = len(upstream.recorder.bodies)
    streamed = other_process.post(
        follow.url.path + "/envoyer",
        data={"modele": EXTERNAL},
        headers={**STREAM, "X-CSRF-Token": csrf_of(follow)},
    )
    assert streamed.status_code == 403 and "a changé depuis l'aperçu" in text(streamed)
    assert len(upstream.recorder.bodies) == calls
