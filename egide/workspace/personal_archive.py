"""« Télécharger mes données »: one ZIP of everything Égide holds about one agent (RGPD art. 15).

The account (never a password hash, a TOTP secret nor a recovery code), the sign-ins and the
agent's own events from the audit trail, requests, conversations, drafts (also as text files),
uploaded documents (as Égide read them: the text is what is kept, not the original file), batches
(with their original spreadsheet when kept), preferences. Decrypted for the agent alone: there
is no owner parameter anywhere a request could choose; the portal hands the signed-in agent's
login, and nothing else builds this archive. Built as it is sent, one entry at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from egide.audit import AuditLog
from egide.store.accounts import CharterAcceptance, OidcIdentity, UserAccount, WebSession
from egide.store.batch_items import read_items
from egide.store.batches import BatchJobStore
from egide.store.db import Store
from egide.store.errors import NotFoundError
from egide.store.profiles import ProfileStore
from egide.store.workspace import TrainingCompletion
from egide.tasks.batch_archive import safe_file_name, zip_stream
from egide.workspace.personal_data import holdings
from egide.workspace.service import Workspace

__all__ = ["SIGN_IN_ACTIONS", "archive_name", "personal_archive"]

SIGN_IN_ACTIONS = frozenset({"sign_in", "sign_in_failed", "sign_out", "sign_out_everywhere"})
_README = """Vos données dans Égide
=====================

Cette archive contient tout ce qu'Égide conserve à votre sujet, à la date de sa création :

- compte.json : votre compte (identifiant, rôle, service, dates), vos acceptations de la charte,
  votre formation, vos sessions ouvertes, votre rattachement à un fournisseur d'identité.
  Ni mot de passe, ni secret de double authentification : Égide n'en garde qu'une empreinte
  ou une version chiffrée, qui ne vous apprendrait rien.
- connexions.json : vos connexions et tentatives de connexion (date, méthode, résultat, adresse
  du poste), telles que le journal d'audit les a enregistrées.
- journal.json : les autres événements du journal d'audit à votre nom (date, action, modèle,
  niveau, nombres) ; le journal ne contient jamais de contenu.
- demandes.json, conversations.json : vos demandes et conversations (textes déchiffrés).
- brouillons.json et brouillons/ : vos brouillons, aussi en fichiers texte.
- documents.json et documents/ : les documents que vous avez déposés, tels qu'Égide les a lus
  (Égide conserve le texte lu, pas le fichier d'origine).
- travaux.json et travaux/ : vos travaux répétitifs, avec le tableau d'origine quand il est
  conservé.
- preferences.json : vos préférences (valeurs pré-remplies des modèles).
- conservation.json : la durée de conservation de chaque type de données.

Ce fichier contient vos données en clair : conservez-le en lieu sûr et supprimez-le quand vous
n'en avez plus besoin.
"""


def archive_name(login: str, now: datetime) -> str:
    return f"egide-mes-donnees-{login}-{now:%Y-%m-%d}.zip"


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="seconds")


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def account_facts(store: Store, login: str) -> dict[str, Any]:
    """The account as its owner may read it: no hash, no secret, no code."""
    with store.session() as session:
        row = session.scalars(select(UserAccount).where(UserAccount.login == login)).one()
        charters = session.scalars(
            select(CharterAcceptance).where(CharterAcceptance.user_id == row.id)
        ).all()
        trainings = session.scalars(
            select(TrainingCompletion).where(TrainingCompletion.user_id == row.id)
        ).all()
        sessions = session.scalars(select(WebSession).where(WebSession.user_id == row.id)).all()
        identities = session.scalars(
            select(OidcIdentity).where(OidcIdentity.user_id == row.id)
        ).all()
        return {
            "identifiant": row.login_display or row.login,
            "nom": row.display_name,
            "service": row.service,
            "role": row.role,
            "cree_le": _when(row.created_at),
            "mot_de_passe_change_le": _when(row.password_changed_at),
            "double_authentification_activee_le": _when(row.totp_enrolled_at),
            "derniere_connexion": _when(row.last_sign_in_at),
            "desactive_le": _when(row.disabled_at),
            "charte_acceptee": [
                {"version": c.version, "le": _when(c.accepted_at)} for c in charters
            ],
            "formation": [
                {
                    "version": t.version,
                    "score": t.score,
                    "sur": t.total,
                    "le": _when(t.completed_at),
                }
                for t in trainings
            ],
            "sessions_ouvertes": [
                {
                    "ouverte_le": _when(s.created_at),
                    "derniere_activite": _when(s.last_seen_at),
                    "methode": s.auth_method,
                }
                for s in sessions
            ],
            "fournisseur_d_identite": [
                {
                    "emetteur": i.issuer,
                    "sujet": i.subject,
                    "adresse": i.email,
                    "rattache_le": _when(i.linked_at),
                }
                for i in identities
            ],
        }


def audit_history(
    audit: AuditLog, login: str, describe: Callable[[str], str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sign-ins, other events) recorded under ``login``, oldest first, as the trail holds them.

    Reads the whole trail once: an export is rare, and the trail is indexed by nothing else.
    """
    sign_ins: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for event in audit.events():
        if event.user != login:
            continue
        if event.action in SIGN_IN_ACTIONS:
            sign_ins.append(
                {
                    "date": event.timestamp,
                    "evenement": describe(event.action),
                    "resultat": "échec" if event.action == "sign_in_failed" else "réussi",
                    "methode": event.extra.get("method"),
                    "etape": event.extra.get("step"),
                    "adresse": event.extra.get("ip"),
                }
            )
        else:
            others.append(
                {
                    "date": event.timestamp,
                    "action": describe(event.action),
                    "code": event.action,
                    "modele": event.model,
                    "niveau": event.level,
                    "decision": event.decision,
                    "nombres": dict(event.counts),
                }
            )
    return sign_ins, others


def _entries(
    workspace: Workspace, login: str, describe: Callable[[str], str]
) -> Iterator[tuple[str, bytes]]:
    store = workspace.store
    yield "LISEZMOI.txt", _README.encode("utf-8")
    yield "compte.json", _json(account_facts(store, login))
    sign_ins, others = audit_history(workspace.audit, login, describe)
    yield "connexions.json", _json(sign_ins)
    yield "journal.json", _json(others)

    requests: list[dict[str, Any]] = []
    turns: dict[str, list[dict[str, Any]]] = {}
    for request in workspace.requests.all_of(login):
        common = {
            "id": request.id, "tache": request.task, "titre": request.title,
            "consignes": request.prompt, "etat": request.status.value, "modele": request.model,
            "creee_le": _when(request.created_at), "modifiee_le": _when(request.updated_at),
            "documents": list(request.document_ids),
        }  # fmt: skip
        if request.conversation_id is None:
            options = {k: v for k, v in request.options.items() if isinstance(v, str | int)}
            requests.append({**common, "options": options, "erreur": request.error,
                             "avertissements": list(request.warnings),
                             "brouillon": request.draft_id})  # fmt: skip
        else:
            turns.setdefault(request.conversation_id, []).append(
                {
                    **common,
                    "reponse": request.answer,
                    "niveau": request.level,
                    "reponse_modifiee_le": _when(request.answer_edited_at),
                }
            )
    yield "demandes.json", _json(requests)
    conversations = []
    for conversation in workspace.conversations.store.list(login):
        conversations.append(
            {
                "id": conversation.id,
                "titre": conversation.title,
                "creee_le": _when(conversation.created_at),
                "tours": turns.pop(conversation.id, []),
            }
        )
    for conversation_id, orphan_turns in turns.items():  # made before conversations had a row
        conversations.append({"id": conversation_id, "titre": None, "tours": orphan_turns})
    yield "conversations.json", _json(conversations)

    drafts: list[dict[str, Any]] = []
    taken: set[str] = set()
    for draft in workspace.drafts.list(login, limit=1_000_000_000):
        stem = f"{draft.created_at:%Y-%m-%d}-{draft.title}"
        name = "brouillons/" + safe_file_name(stem, "txt", taken)
        drafts.append({"id": draft.id, "titre": draft.title, "fichier": name,
                       "tache": draft.task, "modele": draft.model, "niveau": draft.level,
                       "etat": draft.status.value, "source": draft.source_name,
                       "cree_le": _when(draft.created_at), "modifie_le": _when(draft.updated_at),
                       "valide_par": draft.validated_by, "valide_le": _when(draft.validated_at),
                       "conversation": draft.conversation_id})  # fmt: skip
        yield name, draft.content.encode("utf-8")
    yield "brouillons.json", _json(drafts)

    documents: list[dict[str, Any]] = []
    taken = set()
    for upload in workspace.uploads.all_of(login):
        name = "documents/" + safe_file_name(upload.name, "txt", taken)
        documents.append({"id": upload.id, "nom": upload.name, "fichier": name,
                          "format": upload.format, "taille_octets": upload.size_bytes,
                          "depose_le": _when(upload.created_at),
                          "avertissements": list(upload.document.warnings)})  # fmt: skip
        yield name, upload.document.text.encode("utf-8")
    yield "documents.json", _json(documents)

    batches: list[dict[str, Any]] = []
    taken = set()
    jobs = BatchJobStore(store)
    for job in jobs.list(login, limit=1_000_000_000):
        entry: dict[str, Any] = {
            "id": job.id, "type": job.kind, "modele_de_document": job.template,
            "source": job.source_name, "etat": job.status.value, "elements": job.total,
            "cree_le": _when(job.created_at), "options": dict(job.options),
            "analyse": list(job.analysis), "erreur": job.error,
            "journal": [json.loads(item) for item in read_items(store, job.id)],
        }  # fmt: skip
        try:
            source = jobs.source_data(job.id, owner=login)
        except NotFoundError:  # deleted meanwhile
            source = None
        if source is not None:
            stem, _, suffix = job.source_name.rpartition(".")
            named = safe_file_name(stem or suffix, suffix if stem else "", taken)
            entry["fichier"] = "travaux/" + named
            yield entry["fichier"], source
        batches.append(entry)
    yield "travaux.json", _json(batches)
    yield "preferences.json", _json(ProfileStore(store).get(login))
    yield (
        "conservation.json",
        _json(
            [
                {
                    "type": h.label,
                    "nombre": h.count,
                    "duree_jours": h.days,
                    "prochain_effacement": _when(h.next_erasure),
                }
                for h in holdings(workspace, login)
            ]
        ),
    )


def personal_archive(
    workspace: Workspace, login: str, *, describe: Callable[[str], str], now: datetime
) -> Iterator[bytes]:
    """The ZIP of ``login``'s data, in pieces. Records the download in the audit trail first
    (action only; failing closed: AuditError, nothing is sent)."""
    workspace.audit.append(user=login, action="personal_data_exported")
    return zip_stream(_entries(workspace, login, describe), now=now)
