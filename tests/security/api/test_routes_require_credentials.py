"""An anonymous caller reaches nothing but the sign-in, the health check and static files.

The attacker of issue #9 posted a million characters to ``/api/guard/scan`` without any
credential. This test walks every route the application serves (``app.routes``, so that a
route added tomorrow is walked too) and calls each method with no credential, then with forged
ones: every answer must be 401, 403 or a redirection to the sign-in page, except for the routes
of :data:`OPEN`, each with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from tests.support.portal import PortalHarness

# (method, path as declared) -> why anyone may call it.
OPEN = {
    ("GET", "/healthz"): "sonde de supervision : statut et version, rien d'autre",
    ("GET", "/readyz"): "sonde du répartiteur de charge : prêt ou non, et pourquoi en une phrase",
    ("GET", "/connexion"): "formulaire de connexion",
    ("POST", "/connexion"): "connexion elle-même (jeton CSRF du formulaire exigé)",
    ("GET", "/connexion/oidc"): "départ vers le fournisseur d'identité",
    ("GET", "/connexion/oidc/retour"): "retour du fournisseur d'identité (état scellé vérifié)",
    ("GET", "/charte"): "texte de la charte, public",
    ("GET", "/"): "redirection vers l'espace (qui exige la connexion)",
}
OPEN_MOUNTS = {"/static": "feuilles de style, scripts et images du portail"}
REFUSED = {401, 403}
FORGED = {
    "aucun identifiant": {},
    "jeton inventé": {"authorization": "Bearer egd_" + "A" * 43},
    "cookie de session inventé": {"cookie": "egide_session=" + "B" * 43},
}


def _routes(harness: PortalHarness) -> Iterator[tuple[str, str]]:
    for context in iter_route_contexts(harness.app.routes):
        if isinstance(context.route, Mount):
            assert context.path in OPEN_MOUNTS, f"montage non déclaré : {context.path}"
            continue
        assert context.path is not None
        for method in sorted(context.methods or ()):
            if method != "HEAD":  # answered by the GET route
                yield method, context.path


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_the_open_routes_exist(harness: PortalHarness) -> None:
    """An entry of OPEN that no longer matches a route would hide the next one's mistake."""
    served = set(_routes(harness))
    assert set(OPEN) <= served, set(OPEN) - served


@pytest.mark.parametrize("forged", list(FORGED))
def test_every_other_route_refuses_an_unknown_caller(harness: PortalHarness, forged: str) -> None:
    client = TestClient(harness.app, follow_redirects=False, raise_server_exceptions=False)
    answered_openly: list[str] = []
    for method, path in _routes(harness):
        response = client.request(method, _concrete(path), headers=FORGED[forged])
        assert response.status_code < 500, (method, path, response.status_code)
        if (method, path) in OPEN:
            continue
        location = response.headers.get("location", "")
        to_sign_in = response.status_code in (302, 303, 307) and location.startswith("/connexion")
        if not (response.status_code in REFUSED or to_sign_in):
            answered_openly.append(f"{method} {path} -> {response.status_code} {location}")
    assert answered_openly == []


def test_the_analysis_is_not_open(harness: PortalHarness) -> None:
    """The route of the finding, by name: no answer, and no guard run, without a credential."""
    client = TestClient(harness.app)
    response = client.post("/api/guard/scan", json={"text": "Mme Amélie ROUSSEAU"})
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "sign_in_required"
    assert "connectez-vous" in error["message"]
    assert "spans" not in response.text
