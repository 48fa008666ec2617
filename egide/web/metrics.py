"""Prometheus metrics of a web process: what to watch, never content.

- ``egide_http_requetes_total{route, methode, statut}`` and ``egide_http_duree_secondes{route}``:
  every answer, by the route's *template* (``/espace/lots/{job_id}``), never the path typed;
- ``egide_evenements_audit_total{action}`` and ``egide_refus_charte_total{decision}``: what the
  audit trail records, as it records it (sign-in failures, charter refusals by code…);
- ``egide_refus_total{motif}``: answers that turn a request away — ``limite`` (429: a rate or a
  quota), ``surcharge`` (503: beyond the process's capacity), ``indisponible`` (other 503);
- ``egide_erreurs_modele_total{route}``: a model that failed or timed out (502, 504 on ``/v1``);
- ``egide_circuit_en_cours``, ``egide_circuit_en_attente``: the pipeline's slots, now;
- ``egide_travaux{etat}``: jobs waiting and running in the deployment's queue.

``GET /metrics`` answers only with the bearer token named by ``metrics.token_env`` (Prometheus'
``authorization.credentials_file``); without that setting it does not exist. With
``egide serve --workers N``, every process writes its figures in ``EGIDE_HOME/metriques`` and
any of them answers for all (prometheus-client's multiprocess mode).
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from egide.api.admission import Admission
from egide.audit.events import AuditEvent
from egide.runtime import Runtime
from egide.web.access_log import ADMITTED_ROUTES

__all__ = ["MULTIPROCESS_ENV", "Metrics", "metrics_router"]

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
_MOTIFS = {429: "limite"}


class _Now:
    """Gauges read at scrape time: the pipeline's slots and the job queue."""

    def __init__(self, admission: Admission, runtime: Runtime) -> None:
        self._admission = admission
        self._runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "egide_circuit_en_cours", "Requêtes du circuit en cours dans ce processus",
            value=self._admission.in_flight,
        )  # fmt: skip
        yield GaugeMetricFamily(
            "egide_circuit_en_attente", "Requêtes du circuit qui attendent une place",
            value=self._admission.waiting,
        )  # fmt: skip
        jobs = GaugeMetricFamily("egide_travaux", "Travaux de la file, par état", labels=["etat"])
        try:
            depth = self._runtime.jobs.depth()
        except Exception:  # the queue's database may be away: the scrape still answers
            depth = {}
        for state, count in depth.items():
            jobs.add_metric([state], count)
        yield jobs


class Metrics:
    """The counters of one application (its own registry: several apps in one process)."""

    def __init__(self, runtime: Runtime, admission: Admission) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.multiprocess = bool(os.environ.get(MULTIPROCESS_ENV))
        registry = self.registry
        self.requests = Counter(
            "egide_http_requetes", "Réponses HTTP", ["route", "methode", "statut"],
            registry=registry,
        )  # fmt: skip
        self.duration = Histogram(
            "egide_http_duree_secondes", "Durée des réponses (jusqu'au dernier octet)",
            ["route"], buckets=_BUCKETS, registry=registry,
        )  # fmt: skip
        self.refusals = Counter(
            "egide_refus", "Requêtes refusées (limite, surcharge, indisponible)", ["motif"],
            registry=registry,
        )  # fmt: skip
        self.model_errors = Counter(
            "egide_erreurs_modele", "Modèles en échec ou trop lents (502, 504)", ["route"],
            registry=registry,
        )  # fmt: skip
        self.audit_events = Counter(
            "egide_evenements_audit", "Événements inscrits au journal d'audit", ["action"],
            registry=registry,
        )  # fmt: skip
        self.charter_refusals = Counter(
            "egide_refus_charte", "Refus de la charte, par code de décision", ["decision"],
            registry=registry,
        )  # fmt: skip
        self._now = _Now(admission, runtime)
        if not self.multiprocess:
            registry.register(self._now)

    def audited(self, event: AuditEvent) -> None:
        self.audit_events.labels(event.action).inc()
        if event.action == "refusal":
            self.charter_refusals.labels(event.decision or "inconnu").inc()

    def answered(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.duration.labels(route).observe(seconds)
        if status in _MOTIFS:
            self.refusals.labels(_MOTIFS[status]).inc()
        elif status == 503:
            self.refusals.labels("surcharge" if route in ADMITTED_ROUTES else "indisponible").inc()
        if status in (502, 504) and route.startswith("/v1"):
            self.model_errors.labels(route).inc()

    def exposition(self) -> bytes:
        if not self.multiprocess:
            return generate_latest(self.registry)
        # Every process's files, and this process's live gauges.
        merged = CollectorRegistry()
        MultiProcessCollector(merged)
        merged.register(self._now)
        return generate_latest(merged)


def metrics_router(metrics: Metrics, *, token: str | None) -> APIRouter:
    router = APIRouter(tags=["Supervision"])

    @router.get("/metrics")
    def exposition(request: Request) -> Response:
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if (
            token is None
            or scheme.lower() != "bearer"
            or not hmac.compare_digest(value.strip().encode(), token.encode())
        ):
            return Response("Jeton de supervision absent ou invalide.\n", status_code=401,
                            media_type="text/plain; charset=utf-8")  # fmt: skip
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router


def metrics_token(environ: dict[str, str] | Any, name: str | None) -> str | None:
    """The scrape token, from the environment variable the settings name (None: none)."""
    if not name:
        return None
    value = str(environ.get(name, "")).strip()
    return value or None
