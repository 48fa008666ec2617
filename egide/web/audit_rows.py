"""The audit trail as auditors read it: filters, French words for codes, rows for the page and the
CSV export — never more than the trail holds (who, what, which model, level, counts; no content).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from egide.audit import AuditEvent
from egide.auth.roles import Role
from egide.auth.users import normalise_login
from egide.guard.labels import label_fr
from egide.policy.levels import Level
from egide.policy.tiers import Tier
from egide.spreadsheets import csv_bytes
from egide.web.templating import date_fr, paris

__all__ = [
    "ACTION_LABELS",
    "AuditFilter",
    "AuditRow",
    "DECISION_LABELS",
    "audit_csv",
    "audit_row",
]

ACTION_LABELS = {
    "summarize": "résumé demandé",
    "draft": "rédaction demandée",
    "chat": "question posée",
    "gateway_chat": "demande d'une application",
    "embeddings": "plongements d'une application",
    "refusal": "refus de la charte",
    "draft_saved": "brouillon enregistré",
    "answer_delivered": "réponse remise à l'application",
    "answer_saved": "réponse gardée dans la conversation",
    "reformulate": "reformulation demandée",
    "translate": "traduction demandée",
    "draft_validated": "brouillon validé",
    "draft_deleted": "brouillon supprimé",
    "sign_in": "connexion",
    "sign_in_failed": "échec de connexion",
    "sign_out": "déconnexion",
    "sign_out_everywhere": "déconnexion de toutes les sessions",
    "password_changed": "mot de passe changé",
    "reauthentication_failed": "mot de passe actuel erroné (Mon compte)",
    "recovery_codes_renewed": "codes de secours renouvelés",
    "totp_enrolled": "double authentification activée",
    "account_changes_seen": "changements du compte lus par son titulaire",
    "charter_accepted": "charte acceptée",
    "training_completed": "formation validée",
    "user_created": "compte créé",
    "personal_data_exported": "données personnelles téléchargées par leur titulaire (Mes données)",
    "content_erased": "contenus effacés par leur titulaire (Mes données)",
    "user_content_erased": "contenus d'un compte effacés (demande d'effacement)",
    "user_account_closed": "compte fermé et ses informations personnelles effacées",
    "user_disabled": "compte désactivé",
    "user_enabled": "compte réactivé",
    "user_totp_reset": "double authentification réinitialisée",
    "user_password_reset": "mot de passe réinitialisé",
    "user_role_changed": "rôle changé",
    "user_full_reset_requested": "réinitialisation complète demandée",
    "user_full_reset_approved": "réinitialisation complète confirmée par un second administrateur",
    "oidc_provisioned": "identité du fournisseur rattachée au compte",
    "oidc_link_requested": "rattachement d'identité demandé (à confirmer)",
    "oidc_link_approved": "rattachement d'identité confirmé par un second administrateur",
    "oidc_linked": "identité du fournisseur rattachée à la première connexion",
    "oidc_removed": "identité du fournisseur détachée",
    "app_added": "application ajoutée",
    "app_revoked": "application révoquée",
    "audit_reanchored": "journal d'audit ancré de nouveau après une reprise",
    "audit_exported": "export du journal d'audit",
    "template_added": "modèle de document ajouté",
    "template_deleted": "modèle de document supprimé",
    "kb_answer": "question posée à la base documentaire",
    "kb_collection_created": "collection de documents créée",
    "kb_collection_deleted": "collection de documents supprimée",
    "kb_document_added": "document ajouté à une collection",
    "kb_document_deleted": "document retiré d'une collection",
    "kb_document_refused": "document refusé par une collection",
    "kb_search": "recherche dans une collection",
    "kb_app_allowed": "collection ouverte à une application",
    "kb_app_denied": "collection fermée à une application",
}
DECISION_LABELS = {
    "allowed": "autorisée",
    "refused_level": "refusée : niveau trop élevé pour le modèle",
    "refused_classified": "refusée : information classifiée",
    "refused_personal_external": "refusée : données personnelles vers un service externe",
    "unknown_model": "refusée : modèle inconnu",
    "no_model_allowed": "refusée : aucun modèle autorisé",
}
_STEPS = {
    "password": "mot de passe",
    "totp": "code TOTP",
    "recovery": "code de secours",
    "enrolment": "activation de la double authentification",
    "disabled": "compte désactivé",
    "oidc": "fournisseur d'identité, aucun compte rattaché",
    "oidc_administrator": "administrateur par le fournisseur d'identité",
    "oidc_unconfirmed": "rattachement au fournisseur périmé",
}
_METHODS = {
    "totp": "code TOTP",
    "recovery_code": "code de secours",
    "enrolment": "activation de la double authentification",
    "oidc": "fournisseur d'identité",
}
_PREVIEWS = {"conforme": "aperçu conforme", "perime": "aperçu périmé", "aucun": "sans aperçu"}
_CSV_HEADER = (
    "N°", "Date (heure de Paris)", "Qui", "Compte visé", "Événement", "Code de l'événement",
    "Modèle", "Niveau du modèle", "Niveau de sensibilité", "Décision", "Données trouvées",
    "Détails", "Empreinte",
)  # fmt: skip


def _moment(event: AuditEvent) -> datetime | None:
    try:
        moment = datetime.fromisoformat(event.timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _printable(text: str) -> str:
    # What the auditor typed is shown, and recorded with the export: one line, no control.
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What the auditor asked for: a period (Paris days, both included), an event, an account."""

    start: date | None = None
    end: date | None = None
    action: str = ""
    account: str = ""

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> AuditFilter:
        start, end = _date(query.get("du", "")), _date(query.get("au", ""))
        if start and end and start > end:
            start, end = end, start  # a period typed backwards still means that period
        return cls(
            start=start,
            end=end,
            action=_printable(query.get("action", ""))[:40],
            account=_printable(query.get("compte", ""))[:128],
        )

    def matches(self, event: AuditEvent) -> bool:
        if self.action and event.action != self.action:
            return False
        if self.account:
            wanted = normalise_login(self.account)
            target = event.extra.get("target")
            names = {normalise_login(event.user)}
            if isinstance(target, str):
                names.add(normalise_login(target))
            if wanted not in names:
                return False
        if self.start or self.end:
            moment = _moment(event)
            if moment is None:
                return False
            day = moment.astimezone(paris()).date()
            if (self.start and day < self.start) or (self.end and day > self.end):
                return False
        return True

    def select(self, events: Iterable[AuditEvent]) -> list[AuditEvent]:
        """The matching events, newest first."""
        return [event for event in reversed(tuple(events)) if self.matches(event)]

    def query(self, **more: object) -> str:
        """The filter (and ``more``) as a query string, for links that keep it."""
        fields: dict[str, object] = {
            "du": self.start.isoformat() if self.start else "",
            "au": self.end.isoformat() if self.end else "",
            "action": self.action,
            "compte": self.account,
            **more,
        }
        return urlencode({key: value for key, value in fields.items() if value not in ("", None)})

    def describe(self) -> str:
        """The filter in French, for the page and the export's audit event."""
        parts = []
        if self.start or self.end:
            parts.append(
                f"du {self.start.strftime('%d/%m/%Y') if self.start else 'début'} au "
                f"{self.end.strftime('%d/%m/%Y') if self.end else 'dernier événement'}"
            )
        if self.action:
            parts.append(f"événement « {ACTION_LABELS.get(self.action, self.action)} »")
        if self.account:
            parts.append(f"compte « {self.account} »")
        return ", ".join(parts) or "tout le journal"


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One event, in French words."""

    seq: int
    when: str
    user: str
    target: str
    action: str
    action_code: str
    model: str
    tier: str
    level: str
    decision: str
    counts: str
    details: str
    hash: str


def _french(codes: Mapping[str, str], value: str | None) -> str:
    if not value:
        return "—"
    return codes.get(value, value)


def _level(value: str | None) -> str:
    if not value:
        return "—"
    try:
        return Level.parse(value).label_fr
    except ValueError:
        return value


def _tier(value: str | None) -> str:
    if not value:
        return ""
    try:
        return Tier(value).label_fr
    except ValueError:
        return value


def _details(extra: Mapping[str, object]) -> str:
    """The event's metadata that helps an auditor, in French (its target has its own column)."""
    parts = []
    for key, value in extra.items():
        if key == "target" or value is None:
            continue
        text = str(value)
        if key == "step":
            parts.append(f"étape : {_STEPS.get(text, text)}")
        elif key == "method":
            parts.append(f"par {_METHODS.get(text, text)}")
        elif key == "ip":
            parts.append(f"adresse {text}")
        elif key == "role":
            parts.append(f"rôle : {_role(text)}")
        elif key == "apercu":
            parts.append(_PREVIEWS.get(text, text))
        elif key == "documents":
            parts.append(f"{text} document{'s' if text not in ('0', '1') else ''}")
        elif key == "task":
            continue  # the event's name says it
        else:
            parts.append(f"{key} : {text}")
    return " ; ".join(parts)


def _role(value: str) -> str:
    try:
        return Role(value).label_fr
    except ValueError:
        return value


def audit_row(event: AuditEvent) -> AuditRow:
    moment = _moment(event)
    target = event.extra.get("target")
    counts = ", ".join(f"{label_fr(label)} : {n}" for label, n in event.counts.items())
    tier = _tier(event.tier)
    return AuditRow(
        seq=event.seq,
        when=date_fr(moment) if moment else event.timestamp,
        user=event.user,
        target=target if isinstance(target, str) else "",
        action=ACTION_LABELS.get(event.action, event.action),
        action_code=event.action,
        model=(event.model or "—") + (f" ({tier})" if event.model and tier else ""),
        tier=tier,
        level=_level(event.level),
        decision=_french(DECISION_LABELS, event.decision),
        counts=counts or "—",
        details=_details(event.extra),
        hash=event.hash,
    )


def audit_csv(events: Sequence[AuditEvent]) -> bytes:
    """The selected events as a CSV (every cell neutralised: a login or a model name typed by
    someone is data, never a formula)."""
    rows = []
    for event in events:
        row = audit_row(event)
        rows.append((
            row.seq, row.when, row.user, row.target, row.action, row.action_code,
            event.model or "", row.tier, row.level if event.level else "",
            row.decision if event.decision else "", row.counts if event.counts else "",
            row.details, row.hash,
        ))  # fmt: skip
    return csv_bytes(_CSV_HEADER, rows)
