"""The gateway's state: who is calling, what it may use, and the pipeline it goes through.

An application's scope narrows the charter, never widens it: the models it may use are those
named for it *and* configured *and* of an allowed tier, and each of them receives at most the
application's maximum level (the lower of the two ceilings). The charter's own
:func:`egide.policy.decide.decide` then answers, through the one pipeline
(:class:`egide.assistant.Assistant`), with the application recorded as ``app:NAME``.

Everything that blocks (the store, the guard, the model's HTTP client, the audit trail's
``fsync``) runs on a thread pool of its own, sized by ``api.threads``, so that the event loop
only shuffles bytes and hundreds of streams can be under way at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from egide.api.errors import (
    invalid_api_key,
    model_not_found,
    quota_exceeded,
    quota_too_small,
    rate_limited,
)
from egide.api.limits import Limiter, RateLimiter, RateState
from egide.api.quota import MeteredBackend, TokenMeter
from egide.assistant import Assistant
from egide.audit import AuditLog
from egide.config import ModelSettings, Settings
from egide.guard import Guard, shared_guard
from egide.models import ModelBackend, backend_for
from egide.policy.decide import AUTO
from egide.store import open_store
from egide.store.applications import TOKEN_PREFIX, ApplicationRecord, ApplicationStore, utc_day

if TYPE_CHECKING:
    from egide.knowledge import KnowledgeBase

__all__ = ["Gateway"]

T = TypeVar("T")

_MISSING = (
    "Jeton d'application absent : envoyez l'en-tête « Authorization: Bearer egd_… » "
    "(jeton remis par « egide apps add »)."
)
_UNKNOWN = "Jeton d'application invalide : vérifiez-le ou demandez-en un à l'administrateur."
_REVOKED = (
    "Le jeton de cette application a été révoqué : demandez un nouveau jeton à "
    "l'administrateur d'Égide."
)


class _AppAssistant(Assistant):
    """The pipeline for one request of an application: its settings, the gateway's model
    clients, each seen through the request's token meter (made per request: it is cheap)."""

    def __init__(self, settings: Settings, gateway: Gateway, meter: TokenMeter) -> None:
        super().__init__(settings, guard=gateway.guard, audit=gateway.audit, drafts=None)
        self._gateway = gateway
        self._meter = meter

    def backend(self, model: ModelSettings) -> ModelBackend:
        return MeteredBackend(self._gateway.backend(model.name), model, self._meter)


def _seconds_to_midnight(now: datetime) -> int:
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - now).total_seconds()))


class Gateway:
    def __init__(
        self,
        settings: Settings,
        *,
        guard: Guard | None = None,
        audit: AuditLog | None = None,
        applications: ApplicationStore | None = None,
        limiter: Limiter | None = None,
        knowledge: Callable[[], KnowledgeBase] | None = None,
    ) -> None:
        """``audit``, ``applications``, ``limiter`` (over the store, shared by every
        process) and ``knowledge`` come from the process's composition root; else opened on
        first use."""
        self.settings = settings
        self.knowledge = knowledge
        self.limiter: Limiter = limiter or RateLimiter()
        self.executor = ThreadPoolExecutor(
            max_workers=settings.api.threads, thread_name_prefix="egide-api"
        )
        self._guard = guard
        self._audit = audit
        self._applications = applications
        self._lock = threading.Lock()
        self._backends: dict[str, ModelBackend] = {}
        self._scoped: dict[tuple[object, ...], Settings] = {}

    # Opened on first use, so that a service that never sees an application pays nothing.
    @property
    def guard(self) -> Guard:
        with self._lock:
            if self._guard is None:
                self._guard = shared_guard()
            return self._guard

    @property
    def audit(self) -> AuditLog:
        with self._lock:
            if self._audit is None:
                self._audit = AuditLog.open(self.settings)
            return self._audit

    @property
    def applications(self) -> ApplicationStore:
        with self._lock:
            if self._applications is None:
                self._applications = ApplicationStore(open_store(self.settings))
            return self._applications

    async def run(self, function: Callable[..., T], *args: object) -> T:
        """Run blocking work on the gateway's threads."""
        loop = asyncio.get_running_loop()
        # In the caller's context, so that what the work logs carries the request's id.
        call = functools.partial(contextvars.copy_context().run, function, *args)
        return await loop.run_in_executor(self.executor, call)

    def backend(self, name: str) -> ModelBackend:
        with self._lock:
            backend = self._backends.get(name)
        if backend is None:
            created = backend_for(self.settings.model(name))
            with self._lock:
                backend = self._backends.setdefault(name, created)
        return backend

    def authenticate(self, authorization: str | None) -> ApplicationRecord:
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise invalid_api_key(_MISSING)
        if not token.startswith(TOKEN_PREFIX) or len(token) > 256:
            raise invalid_api_key(_UNKNOWN)
        app = self.applications.authenticate(token)
        if app is None:
            raise invalid_api_key(_UNKNOWN)
        if app.revoked:
            raise invalid_api_key(_REVOKED)
        return app

    def scope(self, app: ApplicationRecord) -> tuple[ModelSettings, ...]:
        """The configured models this application may use, each capped at its maximum level."""
        allowed = set(app.models)
        scoped: list[ModelSettings] = []
        for model in self.settings.models:
            if model.name not in allowed or model.tier not in app.tiers:
                continue
            ceiling = min(model.effective_max_sensitivity, app.max_level)
            scoped.append(model.model_copy(update={"max_sensitivity": ceiling}))
        return tuple(scoped)

    def resolve(self, app: ApplicationRecord, requested: str) -> str:
        """``auto`` or a model of the application's scope; anything else is "not found"."""
        name = requested.strip()
        if name.lower() == AUTO:
            return AUTO
        if any(model.name == name for model in self.scope(app)):
            return name
        raise model_not_found(requested)

    def assistant_for(self, app: ApplicationRecord, meter: TokenMeter) -> Assistant:
        """The pipeline for one request of ``app``, its model calls counted by ``meter``."""
        key = (app.id, app.models, app.tiers, app.max_level)
        with self._lock:
            settings = self._scoped.get(key)
        if settings is None:
            created = self.settings.model_copy(update={"models": self.scope(app)})
            with self._lock:
                settings = self._scoped.setdefault(key, created)
        return _AppAssistant(settings, self, meter)

    def limit_rate(self, app: ApplicationRecord) -> RateState | None:
        """Count the request against the per-minute limit; 429 when it is reached."""
        if app.rpm is None:
            return None
        allowed, state = self.limiter.hit(app.id, app.rpm)
        if not allowed:
            raise rate_limited(app.rpm, max(1, round(state.retry_after_s + 0.5)), state.headers())
        return state

    def count_request(self, app: ApplicationRecord, *, now: datetime | None = None) -> None:
        """Count the request against the daily quotas; 429 when one of them is reached.

        Only applications with a quota are counted: the audit trail already records every
        request, and a write to the store per request would cost every application.
        """
        if app.daily_requests is None and app.daily_tokens is None:
            return
        moment = now or datetime.now(UTC)
        day = utc_day(moment)
        store = self.applications
        if app.daily_tokens is not None:
            _, tokens = store.usage(app.id, day)
            if tokens >= app.daily_tokens:
                raise quota_exceeded("jetons", app.daily_tokens, _seconds_to_midnight(moment))
        if not store.count_request(app.id, day, limit=app.daily_requests):
            assert app.daily_requests is not None
            raise quota_exceeded("requêtes", app.daily_requests, _seconds_to_midnight(moment))

    def reserve(
        self,
        app: ApplicationRecord,
        prompt_tokens: int,
        max_tokens: int | None,
        *,
        now: datetime | None = None,
    ) -> TokenMeter:
        """Hold the most this request may use of the daily token quota (429 when it does not
        fit); the meter caps the answer to what was granted and settles when the request ends.

        ``max_tokens`` is the answer's maximum (0 for embeddings). Unset, it is the largest
        ``max_tokens`` of the models in the application's scope, or else all that remains.
        """
        wanted = max_tokens if max_tokens is not None else self._largest_answer(app)
        if app.daily_tokens is None:
            return TokenMeter(prompt_tokens, max_tokens)
        moment = now or datetime.now(UTC)
        day = utc_day(moment)
        granted, remaining = self.applications.reserve_tokens(
            app.id, day, limit=app.daily_tokens, prompt=prompt_tokens, completion=wanted
        )
        if granted is None:
            retry = _seconds_to_midnight(moment)
            if remaining <= 0:
                raise quota_exceeded("jetons", app.daily_tokens, retry)
            raise quota_too_small(prompt_tokens, remaining, app.daily_tokens, retry)
        reserved = prompt_tokens + granted
        store = self.applications

        def settle(used: int) -> None:
            store.settle_tokens(app.id, day, reserved=reserved, used=used)

        return TokenMeter(prompt_tokens, granted, settle=settle)

    def _largest_answer(self, app: ApplicationRecord) -> int | None:
        caps = [model.max_tokens for model in self.scope(app)]
        if not caps or any(cap is None for cap in caps):
            return None
        return max(cap for cap in caps if cap is not None)

    def refusal_detail(self, app: ApplicationRecord, level: object) -> str:
        """A sentence when the application's own ceiling, not the model's, refused."""
        if isinstance(level, int) and level > app.max_level:
            return (
                f" L'application « {app.name} » n'est autorisée qu'au niveau "
                f"« {app.max_level.label_fr} »."
            )
        return ""

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        for backend in self._backends.values():
            close = getattr(backend, "close", None)
            if callable(close):
                close()
