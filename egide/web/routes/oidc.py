"""``/connexion/oidc``: sign-in through the configured OpenID Connect provider.

The first leg sends the browser to the provider with a sealed cookie holding ``state``,
``nonce`` and the PKCE verifier (``SameSite=Lax``: the provider's redirect back is a
cross-site navigation). The second leg checks everything (:mod:`egide.auth.oidc`), opens the
session, and hands over through a small page of Égide's own, so that the next request is a
same-site one and carries the ``SameSite=Strict`` session cookie.
"""

from __future__ import annotations

import time

from fastapi import Request
from starlette.responses import Response

from egide.auth import Portal
from egide.auth.oidc import FLOW_COOKIE, FLOW_LIFETIME_S, OidcClient, OidcError, OidcFlow
from egide.web.deps import (
    PortalDep,
    client_address,
    portal_router,
    secure_cookies,
    set_session_cookie,
)
from egide.web.forms import redirect
from egide.web.routes.signin import NEXT_PATH
from egide.web.templating import render

__all__ = ["oidc_client", "router"]

router = portal_router(prelogin=True)
_CALLBACK = "/connexion/oidc/retour"


def oidc_client(request: Request, portal: Portal) -> OidcClient | None:
    settings = portal.settings.portal.oidc
    if settings is None:
        return None
    state = request.app.state
    client: OidcClient | None = getattr(state, "oidc_client", None)
    if client is None:
        client = state.oidc_client = OidcClient(settings)
    return client


def _redirect_uri(request: Request, client: OidcClient) -> str:
    return client.settings.redirect_url or str(request.base_url).rstrip("/") + _CALLBACK


def _failure(request: Request, message: str, status_code: int = 400) -> Response:
    response = render(
        request,
        "erreur.html",
        {"status_code": status_code, "title": "Connexion impossible", "message": message},
        status_code=status_code,
    )
    response.delete_cookie(FLOW_COOKIE, path="/connexion/oidc")
    return response


@router.get("/connexion/oidc")
def start(request: Request, portal: PortalDep) -> Response:
    client = oidc_client(request, portal)
    if client is None:
        return redirect("/connexion")
    try:
        url, flow = client.start(_redirect_uri(request, client))
    except OidcError as exc:
        return _failure(request, str(exc), 502)
    response = redirect(url)
    response.set_cookie(
        FLOW_COOKIE,
        flow.seal(portal.store.cipher),
        max_age=FLOW_LIFETIME_S,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request, portal),
        path="/connexion/oidc",
    )
    return response


@router.get(_CALLBACK)
def finish(request: Request, portal: PortalDep) -> Response:
    client = oidc_client(request, portal)
    if client is None:
        return redirect("/connexion")
    try:
        flow = OidcFlow.open(
            request.cookies.get(FLOW_COOKIE, ""), portal.store.cipher, now=time.time()
        )
        claims = client.finish(
            flow, params=dict(request.query_params), redirect_uri=_redirect_uri(request, client)
        )
        identity = client.identity_of(claims)
    except OidcError as exc:
        return _failure(request, str(exc))
    outcome = portal.sign_in_oidc(identity, client_address(request), acr=str(claims.get("acr", "")))
    if not outcome.ok or outcome.token is None:
        return _failure(request, outcome.message or "Connexion refusée.", 403)
    response = render(request, "connexion_oidc.html", {"next_path": NEXT_PATH})
    set_session_cookie(response, request, portal, outcome.token)
    response.delete_cookie(FLOW_COOKIE, path="/connexion/oidc")
    return response
