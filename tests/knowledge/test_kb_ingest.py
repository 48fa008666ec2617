"""Ingestion: every document scanned and levelled, refusals in French, idempotence, pruning,
one failure losing nothing else, and nothing of the content in clear in the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from egide.knowledge.ingest import Outcome
from egide.policy.levels import Level
from tests.knowledge.conftest import open_home

PUBLIC = """Horaires d'ouverture du bureau des titres

Le bureau des titres accueille le public du lundi au vendredi, de 9 heures à 12 heures, sur
rendez-vous pris en ligne. Les demandes de passeport et de carte nationale d'identité sont
instruites dans un délai moyen de trois semaines.
"""
# A reference page full of institutional contact data: the service's switchboard, a contact@
# address, a CS/Cedex postal address, a toll-free number. None of it is an usager's data.
CONTACTS = """Contacter le service des étrangers

Standard de la préfecture : 01 49 55 55 55. Numéro vert (appel gratuit) : 0 800 123 456.
Écrire à contact@prefecture.example.gouv.fr ou par courrier : Préfecture, Service des
étrangers, CS 10001, 75194 Paris Cedex 04. Les demandes de titre de séjour se font en ligne.
"""
CASE_FILE = """Signalement

Mme Amélie ROUSSEAU, née le 14 juillet 1986, NIR 2 86 07 99 350 042 43, suivie pour une
dépression sévère, demande un aménagement de poste. Elle a été condamnée en 2019 pour vol.
"""
SECRET = """SECRET

Plan de protection du site. Ne pas diffuser.
"""
DR = """DIFFUSION RESTREINTE

Note relative à l'organisation du service de permanence. Les agents d'astreinte sont joignables
par le standard. Le présent document ne peut être communiqué qu'aux personnes habilitées.
"""


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return folder


@pytest.fixture
def base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    opened = open_home(tmp_path / "home")
    yield opened
    opened.kb.close()
    opened.store.close()


def test_each_document_and_passage_gets_its_level_and_what_was_found(base, tmp_path) -> None:
    folder = _write(tmp_path / "docs", {"horaires.txt": PUBLIC, "sous/dossier.md": CASE_FILE})
    collection, created = base.kb.ensure_collection("notes", user="test")
    assert created and collection.max_level == Level.SENSIBLE  # the default
    outcomes, _ = base.kb.ingest_paths(collection, [folder], user="test")
    by_key = {o.key: o for o in outcomes}
    assert set(by_key) == {"horaires", "dossier"}  # ids: file names without extension
    assert by_key["horaires"].level <= Level.INTERNE
    case = by_key["dossier"]
    assert case.outcome is Outcome.ADDED and case.level == Level.SENSIBLE
    assert case.counts.get("NIR") == 1 and case.counts.get("PERSON", 0) >= 1
    assert {r.category for r in case.reasons} >= {"sante", "nir"}
    stored = {d.key: d for d in base.kb.repo.documents(collection.id)}
    assert stored["dossier"].level == Level.SENSIBLE and stored["dossier"].counts == case.counts
    passages = base.kb.passages(base.kb.repo.document_passage_ids(stored["dossier"].id))
    assert all(p.level == Level.SENSIBLE and p.personal > 0 for p in passages.values())


def test_institutional_contact_data_does_not_make_a_reference_page_a_case_file(
    base, tmp_path
) -> None:
    folder = _write(tmp_path / "docs", {"contacts.html": f"<h1>{CONTACTS}</h1>"})
    collection, _ = base.kb.ensure_collection("reference", user="test")
    outcomes, _ = base.kb.ingest_paths(collection, [folder], user="test")
    assert outcomes[0].outcome is Outcome.ADDED, outcomes[0].reason
    result = base.kb.search(
        collection, "numéro du standard des étrangers", user="t", max_level=Level.SENSIBLE,
        dense=False,
    )  # fmt: skip
    assert result.hits


def test_classified_documents_are_refused_and_above_the_maximum_too(base, tmp_path) -> None:
    folder = _write(tmp_path / "docs", {"plan.txt": SECRET, "permanence.txt": DR})
    collection, _ = base.kb.ensure_collection("notes", user="test")
    outcomes = {o.key: o for o in base.kb.ingest_paths(collection, [folder], user="test")[0]}
    assert outcomes["plan"].outcome is Outcome.REFUSED
    assert "classifié" in outcomes["plan"].reason and "jamais" in outcomes["plan"].reason
    refused = outcomes["permanence"]
    assert refused.outcome is Outcome.REFUSED and refused.level == Level.DIFFUSION_RESTREINTE
    assert "Diffusion Restreinte" in refused.reason and "niveau maximal" in refused.reason
    assert base.kb.repo.documents(collection.id) == []


def test_a_collection_allowed_to_hold_dr_takes_it_and_marks_every_passage(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("EGIDE_STORE_KEY", raising=False)
    opened = open_home(tmp_path / "home", max_level=Level.DIFFUSION_RESTREINTE)
    try:
        collection = opened.kb.create_collection(
            "notes-dr", user="test", max_level=Level.DIFFUSION_RESTREINTE
        )
        text = DR + ("\n\nLes permanences sont assurées à tour de rôle par les agents. " * 40)
        outcome = opened.kb.ingest_bytes(collection, "permanence.txt", text.encode(), user="t")
        assert outcome.outcome is Outcome.ADDED and outcome.passages > 1
        ids = opened.kb.repo.document_passage_ids(outcome.document_id)
        assert {p.level for p in opened.kb.passages(ids).values()} == {
            Level.DIFFUSION_RESTREINTE
        }  # the marking on the first page binds the whole document
    finally:
        opened.kb.close()
        opened.store.close()


def test_levels_above_the_configuration_are_refused_for_a_collection(base) -> None:
    from egide.knowledge import KnowledgeError

    with pytest.raises(KnowledgeError, match="knowledge.max_level"):
        base.kb.create_collection("dr", user="t", max_level=Level.DIFFUSION_RESTREINTE)


def test_adding_again_is_idempotent_a_change_replaces_and_prune_removes(base, tmp_path) -> None:
    folder = _write(tmp_path / "docs", {"horaires.txt": PUBLIC, "autre.txt": PUBLIC + "Fin."})
    collection, _ = base.kb.ensure_collection("notes", user="test")
    base.kb.ingest_paths(collection, [folder], user="test")
    again, _ = base.kb.ingest_paths(collection, [folder], user="test")
    assert {o.outcome for o in again} == {Outcome.UNCHANGED}
    (folder / "horaires.txt").write_text(PUBLIC.replace("trois semaines", "dix jours"))
    changed = {o.key: o.outcome for o in base.kb.ingest_paths(collection, [folder], user="t")[0]}
    assert changed == {"autre": Outcome.UNCHANGED, "horaires": Outcome.REPLACED}
    documents, passages, _ = base.kb.repo.counts(collection.id)
    assert documents == 2 and passages == 2  # the old passages went with the old version
    hits = base.kb.search(collection, "dix jours", user="t", max_level=Level.SENSIBLE, dense=False)
    assert {
        base.kb.repo.doc_keys([h.document_id for h in hits.hits])[hits.hits[0].document_id]
    } == {"horaires"}
    (folder / "autre.txt").unlink()
    assert base.kb.prune(collection, ["horaires"], user="t") == ["autre"]
    assert [d.key for d in base.kb.repo.documents(collection.id)] == ["horaires"]


def test_an_unreadable_file_fails_alone_with_a_french_reason(base, tmp_path) -> None:
    folder = _write(
        tmp_path / "docs",
        {
            "bon.txt": PUBLIC,
            "abime.pdf": b"%PDF-1.7 garbage",
            "image.png": b"\x89PNG",
            "vide.txt": "",
        },
    )
    collection, _ = base.kb.ensure_collection("notes", user="test")
    outcomes, skipped = base.kb.ingest_paths(collection, [folder], user="test")
    by_key = {o.key: o for o in outcomes}
    assert by_key["bon"].outcome is Outcome.ADDED
    assert by_key["abime"].outcome is Outcome.FAILED and "endommagé" in by_key["abime"].reason
    assert by_key["vide"].outcome is Outcome.FAILED and "vide" in by_key["vide"].reason
    assert [p.name for p in skipped] == ["image.png"]
    assert [d.key for d in base.kb.repo.documents(collection.id)] == ["bon"]


def test_nothing_of_the_content_is_in_clear_in_the_database(base, tmp_path) -> None:
    folder = _write(tmp_path / "docs", {"dossier-rousseau.txt": CASE_FILE, "horaires.txt": PUBLIC})
    collection, _ = base.kb.ensure_collection("notes", user="test")
    base.kb.ingest_paths(collection, [folder], user="test")
    base.kb.embed_pending(collection)
    base.store.close()
    raw = (base.settings.home / "egide.db").read_bytes().lower()
    for word in ("rousseau", "amélie", "dépression", "passeport", "horaires", "instruites"):
        assert word.encode("utf-8") not in raw, word


def test_every_change_is_audited_with_counts_and_ids_only(base, tmp_path) -> None:
    folder = _write(tmp_path / "docs", {"dossier.txt": CASE_FILE, "plan.txt": SECRET})
    collection, _ = base.kb.ensure_collection("notes", user="test")
    base.kb.ingest_paths(collection, [folder], user="agent-a")
    base.kb.search(collection, "aménagement de poste", user="agent-b", max_level=Level.SENSIBLE)
    base.kb.delete_document(collection, "dossier", user="agent-a")
    events = [e for e in base.audit.events() if e.action.startswith("kb_")]
    actions = [e.action for e in events]
    assert actions == [
        "kb_collection_created", "kb_document_added", "kb_document_refused", "kb_search",
        "kb_document_deleted",
    ]  # fmt: skip
    added = events[1]
    assert added.counts["NIR"] == 1 and added.level == "sensible"
    assert added.extra["collection"] == "notes" and added.extra["passages"] >= 1
    search = events[3]
    assert search.user == "agent-b" and search.extra["passages"] >= 1
    text = " ".join(str(e.to_record()) for e in events).lower()
    for word in ("rousseau", "aménagement", "dossier.txt", "plan"):
        assert word not in text
