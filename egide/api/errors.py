"""OpenAI-style error objects, with the message in French for the application's developers.

Every error is ``{"error": {"message", "type", "code", "param"}}`` with the HTTP status that the
OpenAI SDKs map to their exceptions (401 AuthenticationError, 403 PermissionDeniedError, 404
NotFoundError, 429 RateLimitError…). Messages never quote the request's content: only names
the application chose (a model name), counts and limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

__all__ = [
    "GatewayError",
    "audit_unavailable",
    "body_too_large",
    "internal_error",
    "invalid_api_key",
    "invalid_json",
    "invalid_value",
    "json_too_deep",
    "model_error",
    "model_not_found",
    "policy_refused",
    "quota_exceeded",
    "quota_too_small",
    "rate_limited",
    "store_unavailable",
    "unsupported_media_type",
]

_MAX_QUOTED = 64


class GatewayError(Exception):
    """An answer other than success, ready to be sent as an OpenAI-style error."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.type = type
        self.param = param
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "code": self.code,
                "param": self.param,
            }
        }

    def response(self, headers: Mapping[str, str] | None = None) -> JSONResponse:
        return JSONResponse(
            self.body(), status_code=self.status, headers={**(headers or {}), **self.headers}
        )


def _quoted(value: str) -> str:
    value = "".join(ch for ch in value if ch.isprintable())
    return value if len(value) <= _MAX_QUOTED else value[:_MAX_QUOTED] + "…"


def invalid_api_key(reason: str) -> GatewayError:
    return GatewayError(
        401, "invalid_api_key", reason, headers={"www-authenticate": 'Bearer realm="egide"'}
    )


def invalid_json() -> GatewayError:
    return GatewayError(
        400, "invalid_json", "Le corps de la requête n'est pas un JSON valide (UTF-8 attendu)."
    )


def json_too_deep(max_depth: int) -> GatewayError:
    return GatewayError(
        400,
        "json_too_deep",
        f"Le corps de la requête imbrique plus de {max_depth} niveaux de listes ou d'objets "
        "JSON : une requête de l'API n'en demande que quelques-uns ; simplifiez-la.",
    )


def invalid_value(
    message: str, *, param: str | None = None, code: str = "invalid_value"
) -> GatewayError:
    return GatewayError(400, code, message, param=param)


def unsupported_media_type() -> GatewayError:
    return GatewayError(
        415,
        "unsupported_media_type",
        "Le corps de la requête doit être du JSON : envoyez l'en-tête "
        "« Content-Type: application/json ».",
    )


def body_too_large(limit: int) -> GatewayError:
    return GatewayError(
        413,
        "request_too_large",
        f"La requête dépasse la taille maximale de {limit} octets : raccourcissez les messages "
        "ou découpez le document.",
    )


def model_not_found(name: str) -> GatewayError:
    return GatewayError(
        404,
        "model_not_found",
        f"Le modèle « {_quoted(name)} » n'existe pas ou n'est pas ouvert à cette application "
        "(voir GET /v1/models).",
        param="model",
    )


def rate_limited(limit: int, retry_after_s: int, headers: Mapping[str, str]) -> GatewayError:
    return GatewayError(
        429,
        "rate_limit_exceeded",
        f"Limite de {limit} requêtes par minute atteinte pour cette application : réessayez "
        f"dans {retry_after_s} s.",
        type="requests",
        headers={**headers, "retry-after": str(retry_after_s)},
    )


def quota_exceeded(what: str, limit: int, retry_after_s: int) -> GatewayError:
    return GatewayError(
        429,
        "insufficient_quota",
        f"Quota quotidien de {limit} {what} atteint pour cette application : il est remis à "
        "zéro à minuit UTC.",
        type="insufficient_quota",
        # The SDKs would retry at once otherwise; waiting hours is the application's decision.
        headers={"retry-after": str(retry_after_s), "x-should-retry": "false"},
    )


def quota_too_small(tokens: int, remaining: int, limit: int, retry_after_s: int) -> GatewayError:
    return GatewayError(
        429,
        "insufficient_quota",
        f"Cette requête (environ {tokens} jetons de messages) dépasse ce qui reste du quota "
        f"quotidien de cette application ({remaining} jetons sur {limit}) : raccourcissez-la, "
        "ou attendez la remise à zéro du quota à minuit UTC.",
        type="insufficient_quota",
        headers={"retry-after": str(retry_after_s), "x-should-retry": "false"},
    )


def policy_refused(message: str) -> GatewayError:
    return GatewayError(403, "policy_refused", message)


def model_error(message: str, *, timeout: bool) -> GatewayError:
    if timeout:
        return GatewayError(504, "model_timeout", message, type="server_error")
    return GatewayError(502, "model_error", message, type="server_error")


def audit_unavailable(message: str) -> GatewayError:
    return GatewayError(
        503,
        "audit_unavailable",
        f"Journal d'audit indisponible, rien n'a été envoyé au modèle : {message}",
        type="server_error",
        headers={"x-should-retry": "false"},
    )


def store_unavailable(message: str) -> GatewayError:
    return GatewayError(503, "store_unavailable", f"Base de données indisponible : {message}",
                        type="server_error")  # fmt: skip


def internal_error() -> GatewayError:
    return GatewayError(
        500,
        "internal_error",
        "Erreur interne de la passerelle Égide : l'incident est journalisé (sans contenu) ; "
        "réessayez ou prévenez l'administrateur.",
        type="server_error",
    )
