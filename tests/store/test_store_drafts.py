"""Drafts: round trip, privacy between owners, validation that freezes, search, deletion,
retention, the export mention, and French errors when the database cannot write."""

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update

from egide.store import (
    DraftFrozenError,
    DraftNotFoundError,
    DraftRecord,
    DraftStatus,
    DraftStore,
    Store,
    StoreError,
    validation_mention,
)
from egide.store.models import Draft

OWNER = "cmartin"


def _new(drafts: DraftStore, title: str = "Note", content: str = "Texte.", **extra: Any) -> str:
    owner = extra.pop("owner", OWNER)
    return drafts.create(owner, "draft", "local", "interne", "public", title, content, **extra).id


@pytest.mark.parametrize(
    ("task", "tier", "level", "source_name", "conversation_id"),
    [
        ("summarize", "interne", "personnel", "arrêté-2025-114.pdf", None),
        ("draft", "metier", "sensible", None, "0b6c1f2e-5d0e-4c1f-9a53-3b8e2c1d7f40"),
        ("chat", "externe", "public", "", None),
    ],
)
def test_round_trip(
    drafts: DraftStore,
    task: str,
    tier: str,
    level: str,
    source_name: str | None,
    conversation_id: str | None,
) -> None:
    before = datetime.now(UTC)
    created = drafts.create(
        OWNER, task, "interne-mistral", tier, level, "Objet : relance ✓",
        "Madame,\n\nsuite à votre courrier…\n", source_name, conversation_id,
    )  # fmt: skip
    loaded = drafts.get(created.id, owner=OWNER)
    assert loaded == created
    assert (loaded.task, loaded.model, loaded.tier, loaded.level) == (
        task, "interne-mistral", tier, level,
    )  # fmt: skip
    assert loaded.title == "Objet : relance ✓"
    assert loaded.content == "Madame,\n\nsuite à votre courrier…\n"
    assert (loaded.source_name, loaded.conversation_id) == (source_name, conversation_id)
    assert loaded.status is DraftStatus.BROUILLON and not loaded.is_validated
    assert (loaded.validated_by, loaded.validated_at) == (None, None)
    assert loaded.created_at.tzinfo is not None
    assert before <= loaded.created_at == loaded.updated_at <= datetime.now(UTC)


def test_content_stays_out_of_repr(drafts: DraftStore) -> None:
    record = drafts.get(_new(drafts, "Dossier Yannick Le Goff", "Yannick Le Goff"), owner=OWNER)
    assert "Le Goff" not in repr(record)


@pytest.mark.parametrize(
    "attempt",
    [
        lambda d, i: d.get(i, owner="pdurand"),
        lambda d, i: d.update_content(i, "pdurand", "remplacé"),
        lambda d, i: d.validate(i, owner="pdurand", validated_by="Paul Durand"),
        lambda d, i: d.delete(i, "pdurand"),
        lambda d, i: d.find_id(i[:8], owner="pdurand"),
    ],
    ids=["get", "update_content", "validate", "delete", "find_id"],
)
def test_another_owner_is_told_exactly_what_a_missing_id_gets(
    drafts: DraftStore, attempt: Any
) -> None:
    draft_id = _new(drafts)
    with pytest.raises(DraftNotFoundError) as by_other:
        attempt(drafts, draft_id)
    with pytest.raises(DraftNotFoundError) as missing:
        attempt(drafts, "f" * 8 + draft_id[8:])
    assert str(by_other.value).startswith("brouillon introuvable : ")
    assert str(by_other.value).replace(draft_id[:8], "") == str(missing.value).replace("f" * 8, "")
    unchanged = drafts.get(draft_id, owner=OWNER)
    assert (unchanged.content, unchanged.status) == ("Texte.", DraftStatus.BROUILLON)


def test_update_content_while_a_draft(drafts: DraftStore) -> None:
    created = drafts.get(_new(drafts), owner=OWNER)
    updated = drafts.update_content(created.id, OWNER, "Texte relu et corrigé.")
    assert updated.content == "Texte relu et corrigé."
    assert updated.updated_at >= created.updated_at
    assert updated.created_at == created.created_at


def test_validation_records_who_and_when_then_freezes(drafts: DraftStore) -> None:
    draft_id = _new(drafts)
    before = datetime.now(UTC)
    validated = drafts.validate(draft_id, owner=OWNER, validated_by="  Camille Martin ")
    assert validated.status is DraftStatus.VALIDE and validated.is_validated
    assert validated.validated_by == "Camille Martin"
    assert validated.validated_at is not None
    assert before <= validated.validated_at <= datetime.now(UTC)
    frozen = (
        r"ce document a déjà été validé le \d\d/\d\d/\d{4} par Camille Martin : "
        "il ne peut plus être modifié"
    )
    with pytest.raises(DraftFrozenError, match=frozen):
        drafts.update_content(draft_id, OWNER, "modification tardive")
    with pytest.raises(DraftFrozenError, match=frozen):
        drafts.validate(draft_id, owner=OWNER, validated_by="Quelqu'un d'autre")
    assert drafts.get(draft_id, owner=OWNER) == validated


def _validate_all_at_once(
    drafts: DraftStore, draft_id: str, names: list[str]
) -> dict[str, DraftRecord | StoreError]:
    start = threading.Barrier(len(names))
    outcomes: dict[str, DraftRecord | StoreError] = {}

    def validate(name: str) -> None:
        start.wait()
        try:
            outcomes[name] = drafts.validate(draft_id, owner=OWNER, validated_by=name)
        except StoreError as exc:
            outcomes[name] = exc

    threads = [threading.Thread(target=validate, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_concurrent_validations_let_exactly_one_win(drafts: DraftStore) -> None:
    names = ["Camille Martin", "Claire Martin", "Chloé Martin", "Cécile Martin"]
    for _round in range(3):  # a race may not interleave every time: give it several chances
        draft_id = _new(drafts)
        outcomes = _validate_all_at_once(drafts, draft_id, names)
        winners = [n for n, outcome in outcomes.items() if isinstance(outcome, DraftRecord)]
        assert len(outcomes) == len(names) and len(winners) == 1, outcomes
        assert drafts.get(draft_id, owner=OWNER).validated_by == winners[0]
        for name, outcome in outcomes.items():
            if name != winners[0]:
                assert isinstance(outcome, DraftFrozenError), outcome
                assert f"par {winners[0]} :" in str(outcome)


@pytest.mark.parametrize("validated_by", ["", "   ", "x" * 129])
def test_validation_needs_a_name(drafts: DraftStore, validated_by: str) -> None:
    draft_id = _new(drafts)
    with pytest.raises(StoreError, match="validé par"):
        drafts.validate(draft_id, owner=OWNER, validated_by=validated_by)
    assert not drafts.get(draft_id, owner=OWNER).is_validated


def _record(
    validated_at: datetime | None, validated_by: str | None = "Camille Martin"
) -> DraftRecord:
    now = datetime(2025, 3, 14, 9, 0, tzinfo=UTC)
    return DraftRecord(
        id="x", owner=OWNER, task="draft", model="local", tier="interne", level="public",
        title="t", content="c", created_at=now, updated_at=now,
        status=DraftStatus.VALIDE if validated_at else DraftStatus.BROUILLON,
        validated_by=validated_by if validated_at else None, validated_at=validated_at,
        source_name=None, conversation_id=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("validated_at", "expected"),
    [
        (
            datetime(2025, 3, 14, 9, 30, tzinfo=UTC),
            "Document préparé avec l'assistance d'une IA, relu et validé par Camille Martin "
            "le 14/03/2025.",
        ),
        # 23:30 UTC is already the next day in Paris: the agent's calendar decides.
        (
            datetime(2025, 3, 14, 23, 30, tzinfo=UTC),
            "Document préparé avec l'assistance d'une IA, relu et validé par Camille Martin "
            "le 15/03/2025.",
        ),
        (None, "Brouillon préparé avec l'assistance d'une IA — non validé."),
    ],
)
def test_validation_mention(validated_at: datetime | None, expected: str) -> None:
    assert validation_mention(_record(validated_at)) == expected


@pytest.mark.parametrize(
    ("validated_at", "expected"),
    [
        (
            datetime(2025, 3, 14, 9, 30, tzinfo=UTC),
            "Document préparé avec le moteur intégré d'Égide (extraits de documents, sans IA "
            "générative), relu et validé par Camille Martin le 14/03/2025.",
        ),
        (
            None,
            "Brouillon préparé avec le moteur intégré d'Égide (extraits de documents, sans IA "
            "générative) — non validé.",
        ),
    ],
)
def test_validation_mention_of_the_built_in_engine(
    validated_at: datetime | None, expected: str
) -> None:
    assert validation_mention(_record(validated_at), generative=False) == expected


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("Hélène", {"courrier", "note"}),
        ("helene", {"courrier", "note"}),  # accents and case do not matter
        ("HÉLÈNE   ROUSSEL", {"courrier"}),  # nor repeated spaces
        ("titre de séjour", {"note"}),
        ("relevé-2025.pdf", {"releve"}),  # the source file name counts too
        ("Hélènes", set()),  # near miss
        ("Roussell", set()),  # near miss
        ("confidentiel de Paul", set()),  # only in someone else's draft
    ],
)
def test_search_sees_only_the_owners_decrypted_drafts(
    drafts: DraftStore, search: str, expected: set[str]
) -> None:
    ids = {
        "courrier": _new(drafts, "Courrier à Hélène Roussel", "Madame,"),
        "note": _new(drafts, "Note", "Demande de titre de séjour d'Hélène."),
        "releve": _new(drafts, "Relevé", "Montants.", source_name="relevé-2025.pdf"),
    }
    _new(drafts, "Hélène", "confidentiel de Paul", owner="pdurand")
    found = {r.id for r in drafts.list(OWNER, search=search)}
    assert found == {ids[name] for name in expected}


def test_list_is_newest_first_and_limited(store: Store, drafts: DraftStore) -> None:
    ids = [_new(drafts, f"Note {n}") for n in range(5)]
    now = datetime.now(UTC)
    with store.session() as session:
        for age, draft_id in enumerate(reversed(ids)):
            session.execute(
                update(Draft)
                .where(Draft.id == draft_id)
                .values(created_at=now - timedelta(hours=age))
            )
    assert [r.id for r in drafts.list(OWNER, limit=3)] == list(reversed(ids))[:3]
    assert [r.id for r in drafts.list(OWNER, search="note", limit=2)] == list(reversed(ids))[:2]
    assert drafts.list("pdurand") == []


def test_delete(drafts: DraftStore) -> None:
    kept, deleted = _new(drafts), _new(drafts)
    drafts.delete(deleted, OWNER)
    with pytest.raises(DraftNotFoundError, match="brouillon introuvable"):
        drafts.get(deleted, owner=OWNER)
    with pytest.raises(DraftNotFoundError):
        drafts.delete(deleted, OWNER)
    assert [r.id for r in drafts.list(OWNER)] == [kept]


@pytest.mark.parametrize(("days", "purged"), [(30, 2), (35, 1), (45, 0), (0, 4)])
def test_retention_purge(store: Store, drafts: DraftStore, days: int, purged: int) -> None:
    ages = {_new(drafts): 31, _new(drafts, owner="pdurand"): 40, _new(drafts): 29, _new(drafts): 0}
    now = datetime.now(UTC)
    with store.session() as session:
        for draft_id, age in ages.items():
            session.execute(
                update(Draft)
                .where(Draft.id == draft_id)
                .values(created_at=now - timedelta(days=age, seconds=1))
            )
    assert drafts.purge_older_than(days) == purged
    remaining = {r.id for owner in (OWNER, "pdurand") for r in drafts.list(owner)}
    assert remaining == {i for i, age in ages.items() if age < days}


def test_find_id_from_a_prefix(drafts: DraftStore) -> None:
    draft_id = _new(drafts)
    assert drafts.find_id(draft_id[:8].upper(), owner=OWNER) == draft_id
    with pytest.raises(DraftNotFoundError):
        drafts.find_id(draft_id[:5], owner=OWNER)  # too short to be meant
    with pytest.raises(DraftNotFoundError):
        drafts.find_id("%" * 8, owner=OWNER)  # LIKE wildcards are plain characters


def test_a_locked_database_loses_nothing(settings: Any) -> None:
    from egide.store import open_store

    with open_store(settings, environ={}, busy_timeout_s=0.05) as store:
        drafts = DraftStore(store)
        kept = _new(drafts)
        blocker = sqlite3.connect(settings.home / "egide.db", isolation_level=None)
        try:
            blocker.execute("BEGIN EXCLUSIVE")
            with pytest.raises(
                StoreError, match=r"occupée .* rien de ce qui était déjà enregistré n'a été perdu"
            ):
                _new(drafts, "Note bloquée")
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert [r.id for r in drafts.list(OWNER)] == [kept]


def test_a_full_database_loses_nothing(store: Store, drafts: DraftStore) -> None:
    kept = _new(drafts)
    with store.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {int(pages)}")

    event.listen(store.engine, "connect", cap)
    store.engine.dispose()
    with pytest.raises(
        StoreError, match=r"plein : .* rien de ce qui était déjà enregistré n'a été perdu"
    ):
        _new(drafts, "Gros document", "x" * 200_000)
    event.remove(store.engine, "connect", cap)
    store.engine.dispose()
    assert [r.id for r in drafts.list(OWNER)] == [kept]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("owner", "", "propriétaire : valeur vide"),
        ("owner", "  ", "propriétaire : valeur vide"),
        ("owner", "u" * 129, "propriétaire : 128 caractères au plus"),
        ("task", "", "tâche : valeur vide"),
        ("model", "m" * 65, "modèle : 64 caractères au plus"),
        # PostgreSQL would refuse both (SQLite would keep them): refused first, in French.
        ("owner", "cmar\x00tin", "propriétaire : caractère nul interdit"),
        ("conversation_id", "c" * 37, "conversation : 36 caractères au plus"),
    ],
)
def test_create_checks_its_labels(drafts: DraftStore, field: str, value: str, message: str) -> None:
    values = {"owner": OWNER, "task": "draft", "model": "local"} | {field: value}
    with pytest.raises(StoreError, match=message):
        drafts.create(
            values["owner"], values["task"], values["model"], "interne", "public", "t", "c",
            conversation_id=values.get("conversation_id"),
        )  # fmt: skip
    assert drafts.list(OWNER) == []
