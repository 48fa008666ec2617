"""Invisible and look-alike characters never hide an identifier from the guard (issue 9, 3).

The attacker wrote the identifiers with soft hyphens, zero-width spaces, fullwidth or
Arabic-Indic digits, non-breaking hyphens: each one must be found, refused to the ``externe``
model, and reach the ``interne`` one only as a placeholder — through the pipeline, the portal and
the OpenAI-compatible gateway. What a model receives is the normalised text: no disguise left.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from egide.assistant import Assistant, AssistantRequest, PolicyRefused
from egide.config import Settings
from egide.guard import Guard, shared_guard
from egide.policy.levels import Level
from egide.store import open_store
from egide.store.applications import ApplicationStore
from tests.security.charter.conftest import EXTERNAL, INTERNAL
from tests.support.fake_openai import FakeProvider
from tests.support.portal import PortalHarness, csrf_of

SHY, ZWSP, WJ = "\u00ad", "\u200b", "\u2060"

# (label, disguised value, the digits or letters that must never reach a model)
DISGUISES = [
    ("NIR", "2" + SHY + "86" + SHY + "07" + SHY + "99" + SHY + "350" + SHY + "042" + SHY + "43",
     "2860799350042"),
    ("NIR", "２ ８６ ０７ ９９ ３５０ ０４２ ４３", "2 86 07 99 350 042 43"),
    ("NIR", "2\u201186\u201107\u201199\u2011350\u2011042\u201143", "2-86-07-99-350-042-43"),
    ("EMAIL", "amelie" + ZWSP + ".rousseau@" + ZWSP + "example.org", "rousseau@example"),
    ("EMAIL", "ａｍｅｌｉｅ．ｒｏｕｓｓｅａｕ＠ｅｘａｍｐｌｅ．ｏｒｇ", "rousseau@example"),
    ("PHONE", "06" + ZWSP + " 12" + ZWSP + " 34" + ZWSP + " 56" + ZWSP + " 78", "06 12 34 56 78"),
    ("PHONE", "٠٦ ١٢ ٣٤ ٥٦ ٧٨", "06 12 34 56 78"),
    ("IBAN", "FR76" + ZWSP + "3000" + WJ + "6000" + ZWSP + "0112" + ZWSP + "3456" + ZWSP
     + "7890" + ZWSP + "189", "3000 6000 0112"),
]  # fmt: skip
IDS = [f"{label}-{i}" for i, (label, _, _) in enumerate(DISGUISES)]


def _sentence(value: str) -> str:
    return f"Merci de mettre à jour le dossier : la référence de l'usager est {value}."


def _essence(text: str) -> str:
    return text.replace(" ", "").replace("-", "")


def _never_received(upstream: FakeProvider, value: str, core: str) -> None:
    received = upstream.recorder.all_text()
    decoded = "\n".join(json.dumps(b, ensure_ascii=False) for b in upstream.recorder.bodies)
    for text in (received, decoded):
        assert value not in text
        assert core not in text and _essence(core) not in _essence(text)
        assert not any(ch in text for ch in (SHY, ZWSP, WJ)), "the disguise reached a model"


@pytest.fixture(scope="module")
def guard() -> Guard:
    return shared_guard()


@pytest.mark.parametrize(("label", "value", "core"), DISGUISES, ids=IDS)
def test_the_guard_finds_it_where_it_was_written(
    guard: Guard, label: str, value: str, core: str
) -> None:
    text = _sentence(value)
    findings = [f for f in guard.detect(text) if f.label == label]
    assert findings, f"{label} disguised as {value!r} not found"
    assert any(text[f.start : f.end] == value for f in findings)
    assert guard.scan(text).level >= Level.PERSONNEL


@pytest.mark.parametrize(("label", "value", "core"), DISGUISES, ids=IDS)
def test_the_pipeline_refuses_it_to_the_external_model_and_masks_it_for_the_internal_one(
    settings: Settings, upstream: FakeProvider, guard: Guard, label: str, value: str, core: str
) -> None:
    assistant = Assistant(settings, guard=guard)
    external = AssistantRequest(user="agent", task="chat", prompt=_sentence(value), model=EXTERNAL)
    with pytest.raises(PolicyRefused):
        assistant.start(external)
    assert upstream.recorder.bodies == []
    internal = AssistantRequest(user="agent", task="chat", prompt=_sentence(value), model=INTERNAL)
    answer = assistant.start(internal).complete().text
    assert upstream.recorder.bodies, "the internal model was called"
    _never_received(upstream, value, core)
    assert "[" in upstream.recorder.all_text()  # a placeholder took its place
    # The echoing model's answer is restored with the value the guard judged.
    assert _essence(core) in _essence(answer)


@pytest.mark.parametrize(("label", "value", "core"), DISGUISES[:4], ids=IDS[:4])
def test_the_portal_refuses_it_to_the_external_model(
    harness: PortalHarness, upstream: FakeProvider, label: str, value: str, core: str
) -> None:
    client = harness.client()
    account = harness.add_user("cmartin")
    harness.first_sign_in(client, account)
    form = client.get("/espace/resumer")
    preview = client.post(
        "/espace/resumer",
        data={"csrf_token": csrf_of(form), "length": "court"},
        files={"document": ("courrier.txt", _sentence(value).encode(), "text/plain")},
    )
    assert f'data-label="{label}"' in preview.text  # highlighted in the preview
    forged = client.post(
        preview.url.path + "/envoyer",
        data={"modele": EXTERNAL},
        headers={"Accept": "application/x-ndjson", "X-CSRF-Token": csrf_of(preview)},
    )
    assert forged.status_code == 403 and '"refused"' in forged.text
    assert upstream.recorder.bodies == []
    sent = client.post(
        preview.url.path + "/envoyer", data={"csrf_token": csrf_of(preview), "modele": INTERNAL}
    )
    assert sent.url.path.startswith("/espace/brouillons/")
    _never_received(upstream, value, core)


@pytest.mark.parametrize(("label", "value", "core"), DISGUISES, ids=IDS)
def test_the_gateway_refuses_it_to_the_external_model(
    harness: PortalHarness, upstream: FakeProvider, label: str, value: str, core: str
) -> None:
    apps = ApplicationStore(open_store(harness.settings))
    _, token = apps.add("crm", models=[INTERNAL, EXTERNAL], max_level=Level.DIFFUSION_RESTREINTE)
    client = TestClient(harness.app)
    headers = {"authorization": f"Bearer {token}"}

    def ask(model: str) -> object:
        body = {"model": model, "messages": [{"role": "user", "content": _sentence(value)}]}
        return client.post("/v1/chat/completions", json=body, headers=headers)

    refused = ask(EXTERNAL)
    assert refused.status_code == 403, refused.text  # type: ignore[attr-defined]
    assert upstream.recorder.bodies == []
    answered = ask(INTERNAL)
    assert answered.status_code == 200, answered.text  # type: ignore[attr-defined]
    _never_received(upstream, value, core)


@pytest.mark.parametrize(("label", "value", "core"), DISGUISES, ids=IDS)
def test_the_scan_route_reports_it_where_the_caller_wrote_it(
    harness: PortalHarness, label: str, value: str, core: str
) -> None:
    apps = ApplicationStore(open_store(harness.settings))
    _, token = apps.add("crm", models=[INTERNAL], max_level=Level.DIFFUSION_RESTREINTE)
    text = _sentence(value)
    response = TestClient(harness.app).post(
        "/api/guard/scan", json={"text": text}, headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    spans = [s for s in response.json()["spans"] if s["label"] == label]
    assert any(text[s["start"] : s["end"]] == value for s in spans)
