"""The decision is made on exactly what is sent, never on a preview (issue 9, finding 2).

The attack: preview a follow-up question (clean, so the ``externe`` model is allowed), then
correct an earlier answer of the same conversation to add a name, a NIR and an e-mail, then send
the follow-up to the ``externe`` model. Nothing of the edit may reach it.
"""

from __future__ import annotations

import html
import json

import pytest

from egide.assistant import Assistant, AssistantRequest, PolicyRefused
from egide.audit import AuditLog
from egide.config import Settings
from egide.guard import shared_guard
from egide.models.base import Message
from tests.security.charter.conftest import EXTERNAL, INTERNAL
from tests.support.fake_openai import FakeProvider
from tests.support.portal import PortalHarness, csrf_of

NAME, NIR, EMAIL = "Amélie ROUSSEAU", "2 86 07 99 350 042 43", "amelie.rousseau@example.org"
EDIT = f"Dossier de Mme {NAME}, NIR {NIR}, courriel {EMAIL}."


def _leaked(upstream: FakeProvider) -> list[str]:
    decoded = "\n".join(json.dumps(b, ensure_ascii=False) for b in upstream.recorder.bodies)
    return [
        v for v in ("ROUSSEAU", NIR, EMAIL) if v in decoded or v in upstream.recorder.all_text()
    ]


def _events(log: AuditLog) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.path.read_text(encoding="utf-8").splitlines()]


def test_the_pipeline_decides_again_when_the_texts_differ_from_the_preview(
    settings: Settings, upstream: FakeProvider
) -> None:
    assistant = Assistant(settings, guard=shared_guard())
    clean = AssistantRequest(
        user="agent",
        task="chat",
        prompt="Et le samedi ?",
        messages=(Message("user", "Quels horaires ?"), Message("assistant", "De 9 h à 12 h.")),
        model=EXTERNAL,
    )
    shown = assistant.preview(clean)
    assert shown.decision.allowed  # what the agent saw: nothing personal
    edited = AssistantRequest(
        user="agent",
        task="chat",
        prompt="Et le samedi ?",
        messages=(Message("user", "Quels horaires ?"), Message("assistant", EDIT)),
        model=EXTERNAL,
    )
    with pytest.raises(PolicyRefused):
        assistant.start(edited, preview=shown)
    assert upstream.recorder.bodies == []
    refusal = _events(assistant.audit)[-1]
    # The audit records what was decided on what was about to be sent, and that the preview
    # shown to the agent was not about these texts.
    assert refusal["action"] == "refusal"
    assert refusal["level"] == "sensible" and refusal["counts"]["NIR"] == 1  # type: ignore[index]
    assert refusal["extra"]["apercu"] == "perime"  # type: ignore[index]


def test_a_preview_is_reused_only_for_the_very_same_texts(
    settings: Settings, upstream: FakeProvider
) -> None:
    assistant = Assistant(settings, guard=shared_guard())
    request = AssistantRequest(user="agent", task="chat", prompt="Horaires du guichet ?")
    assistant.start(request, preview=assistant.preview(request)).complete()
    assert _events(assistant.audit)[-2]["extra"]["apercu"] == "conforme"  # type: ignore[index]
    # A preview decided for another model does not carry its decision over.
    shown = assistant.preview(
        AssistantRequest(user="agent", task="chat", prompt=EDIT, model=INTERNAL)
    )
    assert shown.decision.allowed
    with pytest.raises(PolicyRefused):
        assistant.start(
            AssistantRequest(user="agent", task="chat", prompt=EDIT, model=EXTERNAL), preview=shown
        )
    assert _leaked(upstream) == []


def test_editing_an_earlier_answer_after_the_preview_sends_nothing(
    harness: PortalHarness, upstream: FakeProvider
) -> None:
    client = harness.client()
    account = harness.add_user("cmartin")
    harness.first_sign_in(client, account)
    form = client.get("/espace/discuter")
    first = client.post(
        "/espace/discuter",
        data={"csrf_token": csrf_of(form), "question": "Quels sont les horaires du guichet ?"},
    )
    thread = client.post(
        first.url.path + "/envoyer", data={"csrf_token": csrf_of(first), "modele": EXTERNAL}
    )
    # A quick question's answer is kept in its conversation (not a draft).
    assert thread.url.path.startswith("/espace/conversations/"), thread.text
    exchange = thread.text.split('id="echange-')[1].split('"')[0]
    edit_path = f"{thread.url.path}/echanges/{exchange}/modifier"
    follow = client.post(
        thread.url.path,
        data={"csrf_token": csrf_of(thread), "question": "Et le samedi ?"},
    )
    assert f'value="{EXTERNAL}"' in follow.text  # the preview allows the external model
    calls = len(upstream.recorder.bodies)

    # The attacker corrects the earlier answer, in another tab, after the preview.
    editor = client.get(edit_path)
    saved = client.post(edit_path, data={"csrf_token": csrf_of(editor), "reponse": EDIT})
    assert saved.status_code == 200 and EDIT in html.unescape(saved.text)

    streamed = client.post(
        follow.url.path + "/envoyer",
        data={"modele": EXTERNAL},
        headers={"Accept": "application/x-ndjson", "X-CSRF-Token": csrf_of(follow)},
    )
    assert streamed.status_code == 403 and "a changé depuis l'aperçu" in streamed.text
    assert len(upstream.recorder.bodies) == calls and _leaked(upstream) == []

    # The agent sees a fresh preview: the edit highlighted, the external model refused.
    again = client.get(follow.url.path)
    page = html.unescape(again.text)
    assert "a changé depuis l'aperçu" in page
    assert 'data-label="NIR"' in again.text
    forced = client.post(
        follow.url.path + "/envoyer",
        data={"modele": EXTERNAL},
        headers={"Accept": "application/x-ndjson", "X-CSRF-Token": csrf_of(again)},
    )
    assert forced.status_code == 403
    assert len(upstream.recorder.bodies) == calls and _leaked(upstream) == []
    # The internal model may receive it, pseudonymised.
    sent = client.post(
        follow.url.path + "/envoyer", data={"csrf_token": csrf_of(again), "modele": INTERNAL}
    )
    assert sent.url.path.startswith("/espace/conversations/")
    assert len(upstream.recorder.bodies) == calls + 1 and _leaked(upstream) == []
