"""``POST /v1/search``: applications search the collections granted to them, within their level."""

from __future__ import annotations

from fastapi.testclient import TestClient

from egide.policy.levels import Level
from egide.store.applications import ApplicationStore
from egide.web import create_app
from tests.knowledge.conftest import COLLECTION, KbHome

NOTE = """Note sur un usager

Mme Amélie ROUSSEAU, née le 14 juillet 1986, a perdu son passeport à la mairie de Lyon.
Passeport perdu, déclaration de perte, renouvellement.
"""


def _token(home: KbHome, name: str, level: Level) -> str:
    _, token = ApplicationStore(home.store).add(name, models=["local"], max_level=level)
    return token


def test_search_needs_a_token_a_grant_and_stays_within_the_level(home: KbHome) -> None:
    collection = home.kb.collection(COLLECTION)
    home.kb.ingest_bytes(collection, "note-usager.txt", NOTE.encode(), user="t")
    home.kb.embed_pending(collection)
    token = _token(home, "titres", Level.INTERNE)
    other = _token(home, "autre", Level.SENSIBLE)
    home.kb.repo.grant(collection.id, "titres")
    client = TestClient(create_app(home.settings))
    body = {"prompt": "passeport perdu déclaration de perte", "collections": [COLLECTION], "k": 5}

    assert client.post("/v1/search", json=body).status_code == 401
    refused = client.post("/v1/search", json=body, headers={"authorization": f"Bearer {other}"})
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "collection_not_found"
    unknown = client.post(
        "/v1/search",
        json={**body, "collections": ["inexistante"]},
        headers={"authorization": f"Bearer {token}"},
    )
    assert unknown.status_code == 404

    found = client.post("/v1/search", json=body, headers={"authorization": f"Bearer {token}"})
    assert found.status_code == 200, found.text
    data = found.json()["data"]
    assert 0 < len(data) <= 5
    keys = [item["chunk"]["metadata"]["document_id"] for item in data]
    assert "note-usager" not in keys  # personal data, above the application's level
    assert all(item["chunk"]["metadata"]["level"] in ("public", "interne") for item in data)
    assert all(item["chunk"]["content"] for item in data)
    assert "ROUSSEAU" not in found.text

    bad = client.post(
        "/v1/search", json={**body, "k": 500}, headers={"authorization": f"Bearer {token}"}
    )
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "k"
    events = [e for e in home.audit.events() if e.action == "kb_search"]
    assert events[-1].user == "app:titres" and events[-1].extra["collection"] == COLLECTION
