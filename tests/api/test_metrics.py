"""``GET /metrics``: Prometheus figures behind a token, labelled by route templates and audit
actions — never a path as typed, never content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from egide.config import load_settings
from egide.web import create_app
from egide.web.access_log import route_template

TOKEN = "jeton-de-supervision-fictif-0123456789"


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("EGIDE_SUPERVISION", TOKEN)
    monkeypatch.delenv("EGIDE_CONFIG", raising=False)
    config = tmp_path / "egide.toml"
    config.write_text('[metrics]\ntoken_env = "EGIDE_SUPERVISION"\n', encoding="utf-8")
    settings = load_settings(config, environ={"EGIDE_HOME": str(tmp_path / "home")})
    return TestClient(create_app(settings))


def _scrape(client: TestClient) -> str:
    answer = client.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    return answer.text


def test_only_the_scrape_token_opens_the_metrics(client: TestClient) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"authorization": "Bearer autre"}).status_code == 401
    assert "egide_http_requetes_total" in _scrape(client)


def test_answers_are_counted_by_route_template_and_audit_events_by_action(
    client: TestClient,
) -> None:
    client.get("/readyz")
    client.get("/espace/lots/Rousseau-Amelie")  # a path naming someone: never a label
    form = client.get("/connexion")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    client.post(
        "/connexion",
        data={"login": "cmartin", "password": "pas le bon", "csrf_token": token.group(1)},
    )
    client.get("/v1/models")  # no token: refused, counted
    text = _scrape(client)
    assert 'egide_http_requetes_total{methode="GET",route="/readyz",statut="200"} 1.0' in text
    assert 'route="/espace/lots/{job_id}"' in text
    assert "Rousseau" not in text and "cmartin" not in text
    assert 'egide_evenements_audit_total{action="sign_in_failed"} 1.0' in text
    assert 'egide_http_requetes_total{methode="GET",route="/v1/models",statut="401"} 1.0' in text
    assert "egide_circuit_en_cours 0.0" in text
    assert 'egide_travaux{etat="en_attente"} 0.0' in text


def test_answers_before_routing_keep_a_fixed_name(client: TestClient) -> None:
    """A 503 of the full pipeline comes before routing: counted as « surcharge » under the
    pipeline's route; any other path no route knows is « autre », never the typed path."""
    assert route_template({"path": "/v1/chat/completions"}) == "/v1/chat/completions"
    assert route_template({"path": "/espace/Rousseau-Amelie"}) == "autre"
    metrics = client.app.state.metrics  # type: ignore[attr-defined]
    metrics.answered(route_template({"path": "/v1/chat/completions"}), "POST", 503, 0.01)
    metrics.answered(route_template({"path": "/readyz-inconnu"}), "GET", 503, 0.01)
    text = _scrape(client)
    assert 'egide_refus_total{motif="surcharge"} 1.0' in text
    assert 'egide_refus_total{motif="indisponible"} 1.0' in text
