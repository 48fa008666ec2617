"""OpenID Connect sign-in (ProConnect, Keycloak…): authorization code flow with PKCE.

What is checked, in order: the ``state`` the browser brings back (against a sealed cookie of
this browser), the ``iss`` of the answer when the provider sends one (RFC 9207), then the ID
token — signature with the provider's published keys (asymmetric algorithms only), issuer,
audience, expiry, ``nonce`` — and finally its ``acr``, which must be one of the configured
``required_acr`` (the provider vouches for the second factor). What comes out is the
provider's identity (issuer, ``sub``, and the e-mail address with its ``email_verified``);
which account it reaches, if any, is :mod:`egide.auth.identities`' business — never a name
read from the token. Nothing here stores the tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from egide.auth.identities import ProviderIdentity
from egide.config import OidcSettings
from egide.store.crypto import StoreCipher
from egide.store.errors import StoreError

__all__ = ["FLOW_COOKIE", "FLOW_LIFETIME_S", "OidcClient", "OidcError", "OidcFlow"]

FLOW_COOKIE = "egide_oidc"
FLOW_LIFETIME_S = 600
_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
_DISCOVERY_TTL_S = 3600
_CLOCK_SKEW_S = 60


class OidcError(Exception):
    """The sign-in through the provider failed; the message says why and what to do, in French."""


@dataclass(frozen=True, slots=True)
class OidcFlow:
    """What this browser must bring back: kept in a sealed cookie between the two legs."""

    state: str
    nonce: str
    verifier: str
    created: float

    def seal(self, cipher: StoreCipher) -> str:
        data = json.dumps([self.state, self.nonce, self.verifier, self.created]).encode()
        blob = cipher.seal_bytes(data, table="oidc", column="flow", row_id="cookie")
        return base64.urlsafe_b64encode(blob).decode().rstrip("=")

    @classmethod
    def open(cls, value: str, cipher: StoreCipher, *, now: float) -> OidcFlow:
        try:
            blob = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            state, nonce, verifier, created = json.loads(
                cipher.open_bytes(blob, table="oidc", column="flow", row_id="cookie")
            )
        except (ValueError, StoreError):
            raise OidcError(_EXPIRED) from None
        if not 0 <= now - float(created) <= FLOW_LIFETIME_S:
            raise OidcError(_EXPIRED)
        return cls(str(state), str(nonce), str(verifier), float(created))


_EXPIRED = (
    "La connexion par le fournisseur d'identité a expiré ou n'a pas été commencée depuis ce "
    "navigateur : recommencez depuis la page de connexion."
)


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class OidcClient:
    """One configured provider; its discovery document and keys are cached for an hour."""

    def __init__(self, settings: OidcSettings, *, environ: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        env = os.environ if environ is None else environ
        self._secret = env.get(settings.client_secret_env, "") if settings.client_secret_env else ""
        self._lock = threading.Lock()
        self._discovery: tuple[float, dict[str, Any]] | None = None
        self._jwks: tuple[float, jwt.PyJWKSet] | None = None

    @property
    def _unreachable(self) -> str:
        return (
            f"Le fournisseur d'identité ({self.settings.issuer}) ne répond pas ou répond mal : "
            "réessayez dans un instant, ou connectez-vous avec votre identifiant et votre mot "
            "de passe."
        )

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = httpx.get(url, timeout=self.settings.timeout_s, follow_redirects=False)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError):
            raise OidcError(self._unreachable) from None
        if not isinstance(data, dict):
            raise OidcError(self._unreachable)
        return data

    def discovery(self) -> dict[str, Any]:
        with self._lock:
            if self._discovery and time.monotonic() - self._discovery[0] < _DISCOVERY_TTL_S:
                return self._discovery[1]
        data = self._get_json(self.settings.issuer + "/.well-known/openid-configuration")
        if str(data.get("issuer", "")).rstrip("/") != self.settings.issuer:
            raise OidcError(
                "Le fournisseur d'identité annonce un autre émetteur que celui configuré "
                "(portal.oidc.issuer) : la connexion est refusée ; prévenez votre administrateur."
            )
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(data.get(key), str):
                raise OidcError(self._unreachable)
        with self._lock:
            self._discovery = (time.monotonic(), data)
        return data

    def start(self, redirect_uri: str) -> tuple[str, OidcFlow]:
        """The provider's authorization URL for this browser, and what it must bring back."""
        flow = OidcFlow(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(48),
            created=time.time(),
        )
        params = {
            "response_type": "code",
            "client_id": self.settings.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(self.settings.scopes),
            "state": flow.state,
            "nonce": flow.nonce,
            "code_challenge": _challenge(flow.verifier),
            "code_challenge_method": "S256",
            "acr_values": " ".join(self.settings.required_acr),
        }
        endpoint = self.discovery()["authorization_endpoint"]
        separator = "&" if "?" in endpoint else "?"
        return f"{endpoint}{separator}{urlencode(params)}", flow

    def finish(
        self, flow: OidcFlow, *, params: Mapping[str, str], redirect_uri: str
    ) -> dict[str, Any]:
        """Check the provider's answer and return the claims of its ID token."""
        if "error" in params:
            reason = params.get("error_description") or params["error"]
            raise OidcError(
                f"Le fournisseur d'identité a refusé la connexion ({reason[:200]}) : "
                "recommencez, ou connectez-vous avec votre identifiant et votre mot de passe."
            )
        state = params.get("state", "")
        if not state or not hmac.compare_digest(state.encode(), flow.state.encode()):
            raise OidcError(_EXPIRED)
        issuer = params.get("iss")
        if issuer is not None and issuer.rstrip("/") != self.settings.issuer:
            raise OidcError("La réponse ne vient pas du fournisseur d'identité configuré.")
        code = params.get("code", "")
        if not code:
            raise OidcError(_EXPIRED)
        tokens = self._exchange(code, flow.verifier, redirect_uri)
        claims = self._verify(str(tokens.get("id_token", "")), flow.nonce)
        self._check_acr(claims)
        if self.settings.email_domains and not {"email", "email_verified"} <= claims.keys():
            # Providers often keep profile claims for the userinfo endpoint (ProConnect does);
            # they matter only for a first binding by e-mail. The ID token's claims prevail.
            claims = {**self._userinfo(str(tokens.get("access_token", "")), claims), **claims}
        return claims

    def _userinfo(self, access_token: str, id_claims: Mapping[str, Any]) -> dict[str, Any]:
        endpoint = self.discovery().get("userinfo_endpoint")
        if not isinstance(endpoint, str) or not access_token:
            return {}
        try:
            response = httpx.get(
                endpoint,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=self.settings.timeout_s,
            )
            response.raise_for_status()
        except httpx.HTTPError:
            raise OidcError(self._unreachable) from None
        if response.headers.get("content-type", "").startswith("application/jwt"):
            info = self._decode(response.text, require=("sub",))  # a signed answer
        else:
            try:
                info = response.json()
            except ValueError:
                raise OidcError(self._unreachable) from None
        # The answer must be about the person of the ID token (OpenID Connect Core, 5.3.2).
        if not isinstance(info, dict) or info.get("sub") != id_claims.get("sub"):
            raise OidcError(_INVALID)
        return info

    def _exchange(self, code: str, verifier: str, redirect_uri: str) -> dict[str, Any]:
        endpoint = self.discovery()["token_endpoint"]
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "client_id": self.settings.client_id,
        }
        auth = (self.settings.client_id, self._secret) if self._secret else None
        try:
            response = httpx.post(endpoint, data=data, auth=auth, timeout=self.settings.timeout_s)
        except httpx.HTTPError:
            raise OidcError(self._unreachable) from None
        if response.status_code != 200:
            raise OidcError(
                "Le fournisseur d'identité n'a pas accepté le code de connexion (code expiré ou "
                "déjà utilisé, ou identifiants du service mal configurés) : recommencez."
            )
        try:
            tokens = response.json()
        except ValueError:
            raise OidcError(self._unreachable) from None
        if not isinstance(tokens, dict) or not tokens.get("id_token"):
            raise OidcError(self._unreachable)
        return tokens

    def _keys(self, *, refresh: bool = False) -> jwt.PyJWKSet:
        with self._lock:
            if not refresh and self._jwks and time.monotonic() - self._jwks[0] < _DISCOVERY_TTL_S:
                return self._jwks[1]
        data = self._get_json(self.discovery()["jwks_uri"])
        try:
            keys = jwt.PyJWKSet.from_dict(data)
        except jwt.PyJWTError:
            raise OidcError(self._unreachable) from None
        with self._lock:
            self._jwks = (time.monotonic(), keys)
        return keys

    def _key_for(self, token: str) -> Any:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise OidcError(_INVALID) from None
        if header.get("alg") not in _ALGORITHMS:
            raise OidcError(_INVALID)
        kid = header.get("kid")
        for refresh in (False, True):  # a key rotated since the cache was filled
            for key in self._keys(refresh=refresh).keys:
                if kid is None or key.key_id == kid:
                    return key.key
        raise OidcError(_INVALID)

    def _decode(self, token: str, *, require: tuple[str, ...]) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key_for(token),
                algorithms=list(_ALGORITHMS),
                audience=self.settings.client_id,
                issuer=self.settings.issuer,
                leeway=_CLOCK_SKEW_S,
                options={"require": list(require), "verify_aud": "aud" in require},
            )
        except jwt.PyJWTError:
            raise OidcError(_INVALID) from None
        return claims

    def _verify(self, token: str, nonce: str) -> dict[str, Any]:
        claims = self._decode(token, require=("exp", "iat", "iss", "aud", "sub"))
        if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise OidcError(_INVALID)
        return claims

    def _check_acr(self, claims: Mapping[str, Any]) -> None:
        acr = claims.get("acr")
        required = self.settings.required_acr
        if acr not in required:
            got = f"« {acr} »" if isinstance(acr, str) and acr else "aucun"
            wanted = ", ".join(f"« {value} »" for value in required)
            raise OidcError(
                f"Votre connexion n'offre pas le niveau de sécurité exigé par Égide (niveau "
                f"{got} ; exigé : {wanted}) : reconnectez-vous avec une double authentification "
                "auprès du fournisseur d'identité."
            )

    def identity_of(self, claims: Mapping[str, Any]) -> ProviderIdentity:
        """Who signed in, as the provider vouches: its issuer (checked in the ID token) and
        subject; the e-mail address only with the provider's word that it is verified."""
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject or len(subject) > 255:
            raise OidcError(_INVALID)
        email = claims.get("email")
        return ProviderIdentity(
            issuer=self.settings.issuer,
            subject=subject,
            email=email.strip() if isinstance(email, str) and email.strip() else None,
            # Only a JSON true: a string "true" or a missing claim is not the provider's word.
            email_verified=claims.get("email_verified") is True,
        )


_INVALID = (
    "Le jeton d'identité reçu du fournisseur n'est pas valide (signature, émetteur, destinataire "
    "ou date) : la connexion est refusée ; recommencez, et prévenez votre administrateur si "
    "cela se reproduit."
)
