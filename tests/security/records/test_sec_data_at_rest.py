"""What Égide keeps on disk is private and names no uploaded file in clear (issue 9, finding 9).

A real portal flow on the embedded defaults — a template added by an ambassador, a document
summarised, a batch of documents, a batch of spreadsheet rows, reports downloaded — started under
the loose umask a service manager may hand over (022). Then the attacker's view: every file and
folder under EGIDE_HOME, database included, read byte for byte by another local account.
"""

from __future__ import annotations

import html
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from egide.auth import Role
from egide.config import load_settings
from tests.support.portal import PortalHarness, csrf_of
from tests.support.templates import NOTE

# File names are content: a person's name, a case, a place. Fictitious, and found nowhere else.
SUMMARY_DOC = "Signalement-Quillebeuf-Ozanne.txt"
BATCH_DOCS = ("Enquete-Vasseur-Tremblefort.txt", "Plainte-Malaquais-Zephyrin.txt")
SPREADSHEET = "Recensement-Archambault-Pelletan.csv"
NAMES = (SUMMARY_DOC, *BATCH_DOCS, SPREADSHEET)
TEXT = "Le service instructeur a reçu la demande de renouvellement et la traitera sous huit jours."
ROWS = "objet;texte\nPermanence;Le service sera fermé lundi.\nHoraires;Ouvert de 9 h à 12 h.\n"


def _wait(client: TestClient, path: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if client.get(path + "/etat").json()["finished"]:
            return
        time.sleep(0.1)
    raise AssertionError(f"le lot {path} ne s'est pas terminé")


def _run_batch(client: TestClient, path: str) -> str:
    _wait(client, path)
    page = client.get(path)
    client.post(path + "/lancer", data={"csrf_token": csrf_of(page), "modele": "auto"})
    _wait(client, path)
    report = client.get(path + "/rapport.csv")
    assert report.status_code == 200
    return report.text


def _portal_flow(harness: PortalHarness) -> list[str]:
    """Everything an agent does with files; the reports as their owner downloads them."""
    ambassador = harness.client()
    harness.first_sign_in(ambassador, harness.add_user("pdurand", Role.AMBASSADEUR))
    page = ambassador.get("/admin/modeles-de-documents")
    ambassador.post(
        "/admin/modeles-de-documents",
        data={"csrf_token": csrf_of(page)},
        files={"fichier": ("note-breve.md", NOTE.encode(), "text/markdown")},
    )
    agent = harness.client()
    harness.first_sign_in(agent, harness.add_user("cmartin"))

    form = agent.get("/espace/resumer")
    preview = agent.post(
        "/espace/resumer",
        data={"csrf_token": csrf_of(form), "length": "court"},
        files={"document": (SUMMARY_DOC, TEXT.encode(), "text/plain")},
    )
    assert preview.url.path.startswith("/espace/demandes/"), html.unescape(preview.text)
    sent = agent.post(
        preview.url.path + "/envoyer", data={"csrf_token": csrf_of(preview), "modele": "auto"}
    )
    assert sent.url.path.startswith("/espace/brouillons/")

    page = agent.get("/espace/lots")
    summaries = agent.post(
        "/espace/lots/resumes",
        data={"csrf_token": csrf_of(page), "length": "court"},
        files=[("documents", (name, TEXT.encode(), "text/plain")) for name in BATCH_DOCS],
    )
    drafts = agent.post(
        "/espace/lots/courriers",
        data={"csrf_token": csrf_of(page), "modele": "note-breve"},
        files={"tableau": (SPREADSHEET, ROWS.encode(), "text/csv")},
    )
    return [_run_batch(agent, summaries.url.path), _run_batch(agent, drafts.url.path)]


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    """EGIDE_HOME after the whole flow, and the two batch reports as downloaded."""
    home = tmp_path_factory.mktemp("installation") / "home"
    previous = os.umask(0o022)  # what systemd or a shell commonly gives
    try:
        with pytest.MonkeyPatch.context() as env:
            for name in ("EGIDE_CONFIG", "EGIDE_STORE_KEY", "EGIDE_AUDIT_KEY"):
                env.delenv(name, raising=False)
            settings = load_settings(environ={"EGIDE_HOME": str(home)})
            yield home, _portal_flow(PortalHarness(settings))
    finally:
        os.umask(previous)


def _everything_under(home: Path) -> list[Path]:
    paths = [home, *sorted(home.rglob("*"))]
    # The walk sees the database, which holds the batches' journals too (sealed entries).
    assert any(p.name == "egide.db" for p in paths)
    return paths


def test_their_owner_reads_the_reports_in_clear(installation: tuple[Path, list[str]]) -> None:
    _, (summaries, drafts) = installation
    assert all(name in summaries for name in BATCH_DOCS)
    assert drafts.count("ligne ") == 2


def test_nothing_under_egide_home_is_open_to_other_accounts(
    installation: tuple[Path, list[str]],
) -> None:
    home, _ = installation
    open_to_others = [
        f"{p.relative_to(home)} {stat.S_IMODE(p.lstat().st_mode):04o}"
        for p in _everything_under(home)
        if stat.S_IMODE(p.lstat().st_mode) & 0o077
    ]
    assert not open_to_others, open_to_others


def test_no_file_under_egide_home_names_an_uploaded_file(
    installation: tuple[Path, list[str]],
) -> None:
    home, _ = installation
    needles = {name: name.rsplit(".", 1)[0].encode("utf-8") for name in NAMES}
    found = [
        f"{name} dans {p.relative_to(home)}"
        for p in _everything_under(home)
        if p.is_file()
        for name, needle in needles.items()
        if needle in p.read_bytes()
    ]
    assert not found, found


def test_what_an_earlier_version_left_in_clear_is_sealed_at_the_next_start(
    tmp_path: Path,
) -> None:
    import json
    import sqlite3

    from egide.cli.serve import _prepare_store
    from egide.tasks.batch import JOURNAL_NAME

    settings = load_settings(environ={"EGIDE_HOME": str(tmp_path / "home")})
    harness = PortalHarness(settings)
    agent = harness.client()
    harness.first_sign_in(agent, harness.add_user("cmartin"))
    page = agent.get("/espace/lots")
    created = agent.post(
        "/espace/lots/resumes",
        data={"csrf_token": csrf_of(page), "length": "court"},
        files=[("documents", (name, TEXT.encode(), "text/plain")) for name in BATCH_DOCS],
    )
    _run_batch(agent, created.url.path)
    job_id = created.url.path.rsplit("/", 1)[1]
    batches = harness.app.state.workspace.batches
    record = batches.jobs.get(job_id, owner="cmartin")
    # The state the previous version left: analysis, error, journal and report in clear.
    folder = settings.home / "lots" / job_id
    entries = batches.entries(record)
    header = {"lot": dict(batches.job_of(record).identity)}
    clear = [json.dumps(header), *(e.to_json() for e in entries.values())]
    (folder / JOURNAL_NAME).write_text("\n".join(clear) + "\n", encoding="utf-8")
    (folder / "rapport.csv").write_text(";".join(BATCH_DOCS), encoding="utf-8")
    with sqlite3.connect(settings.home / "egide.db") as db:
        db.execute(
            "UPDATE batch_jobs SET analysis = ?, error = ? WHERE id = ?",
            (json.dumps(list(record.analysis)), f"arrêt sur {BATCH_DOCS[0]}", job_id),
        )
    assert BATCH_DOCS[0].encode() in (settings.home / "egide.db").read_bytes()

    _prepare_store(settings, "http://127.0.0.1:8000/")  # egide serve starts again

    for path in (settings.home / "egide.db", folder / JOURNAL_NAME):
        data = path.read_bytes()
        assert not any(name.rsplit(".", 1)[0].encode() in data for name in BATCH_DOCS), path
    assert not (folder / "rapport.csv").exists()
    # Nothing was lost: the items are still finished, the report still names them.
    assert batches.progress(record).processed == len(BATCH_DOCS)
    assert batches.jobs.get(job_id, owner="cmartin").error == f"arrêt sur {BATCH_DOCS[0]}"
    report = agent.get(created.url.path + "/rapport.csv").text
    assert all(name in report for name in BATCH_DOCS)


def test_a_command_leaves_nothing_open_to_other_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from egide.cli import main

    for name in ("EGIDE_CONFIG", "EGIDE_STORE_KEY", "EGIDE_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EGIDE_USER", "cmartin")
    folder = tmp_path / "courriers"
    folder.mkdir()
    (folder / BATCH_DOCS[0]).write_text(TEXT, encoding="utf-8")
    previous = os.umask(0o022)
    try:
        status = main(["batch", "summarize", str(folder), "--out", str(tmp_path / "sortie")])
    finally:
        os.umask(previous)
    assert status == 0
    home, out = tmp_path / "home", tmp_path / "sortie"
    written = [home, *home.rglob("*"), out, *out.rglob("*")]
    assert home / "egide.db" in written and home / "audit" / "audit.jsonl" in written
    assert (tmp_path / "sortie" / "rapport.csv") in written
    open_to_others = [p for p in written if stat.S_IMODE(p.lstat().st_mode) & 0o077]
    assert not open_to_others, open_to_others
