"""Repetitive work from the portal: analysis of every item first, then a resumable run."""

from __future__ import annotations

import html
import time
from pathlib import Path

from fastapi.testclient import TestClient

from egide.config import load_settings
from egide.store.models import Draft
from egide.tasks.templates import ADMIN_FOLDER
from tests.support.portal import WITH_EXTERNAL_MODEL, PortalHarness, csrf_of
from tests.support.templates import NOTE

CSV = (
    "objet;texte\n"
    "Permanence;Le service sera fermé le lundi de Pentecôte.\n"
    "Dossier;Madame Amélie ROUSSEAU, NIR 2 86 07 99 350 042 43, a déposé son dossier.\n"
    "Horaires;Les horaires d'été commencent le 1er juillet.\n"
)


def _harness(tmp_path: Path, toml: str | None = None) -> PortalHarness:
    home = tmp_path / "home"
    (home / ADMIN_FOLDER).mkdir(parents=True)
    (home / ADMIN_FOLDER / "note-breve.md").write_text(NOTE, encoding="utf-8")
    config = None
    if toml:
        config = tmp_path / "egide.toml"
        config.write_text(toml, encoding="utf-8")
    return PortalHarness(load_settings(config, environ={"EGIDE_HOME": str(home)}))


def _wait(client: TestClient, path: str, timeout_s: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = client.get(path + "/etat").json()
        if state["finished"]:
            return state  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"le lot {path} ne s'est pas terminé")


def _new_batch(client: TestClient, data: str = CSV, name: str = "notes.csv") -> str:
    page = client.get("/espace/lots")
    created = client.post(
        "/espace/lots/courriers",
        data={"csrf_token": csrf_of(page), "modele": "note-breve"},
        files={"tableau": (name, data.encode("utf-8"), "text/csv")},
    )
    assert created.url.path.startswith("/espace/lots/"), html.unescape(created.text)
    return created.url.path


def _signed_in(harness: PortalHarness) -> TestClient:
    client = harness.client()
    harness.first_sign_in(client, harness.add_user("cmartin"))
    return client


def test_a_spreadsheet_is_analysed_then_drafted(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    client = _signed_in(harness)
    path = _new_batch(client)
    _wait(client, path)
    page = client.get(path)
    text = html.unescape(page.text)
    # Before anything is sent: every item's level, findings and allowed models.
    assert "prêt à lancer" in text
    assert "numéro de sécurité sociale (NIR) : 1" in text
    assert text.count("<td>local</td>") == 3
    item = client.get(path + "/elements/1")
    assert '<mark class="egide-trouve egide-trouve--nir"' in item.text

    client.post(path + "/lancer", data={"csrf_token": csrf_of(page), "modele": "auto"})
    state = _wait(client, path)
    assert state["done"] == 3 and state["status"] == "termine"
    done = html.unescape(client.get(path).text)
    assert done.count(">fait</a>") == 3
    report = client.get(path + "/rapport.csv")
    assert report.text.startswith("\ufeffelement;statut;brouillon;raison")
    assert "ROUSSEAU" not in report.text
    history = html.unescape(client.get("/espace/historique").text)
    assert history.count("Note brève — ligne") == 3
    # No output file nor report on disk: the journal only, sealed (no value, no file name).
    folder = harness.settings.home / "lots" / path.rsplit("/", 1)[1]
    assert sorted(p.name for p in folder.iterdir()) == ["journal.jsonl"]
    journal = (folder / "journal.jsonl").read_bytes()
    assert b"ROUSSEAU" not in journal and b"notes" not in journal and b"ligne" not in journal


def test_items_refused_for_an_external_model_are_reported(tmp_path: Path) -> None:
    harness = _harness(tmp_path, WITH_EXTERNAL_MODEL)
    client = _signed_in(harness)
    path = _new_batch(client)
    _wait(client, path)
    page = client.get(path)
    assert "autorisé pour 2 éléments sur 3 (les autres seront refusés)" in html.unescape(page.text)
    client.post(path + "/lancer", data={"csrf_token": csrf_of(page), "modele": "public-ia"})
    _wait(client, path)
    text = html.unescape(client.get(path).text)
    assert "refusé — " in text and "ne reçoit jamais de données personnelles" in text


def test_an_interrupted_batch_resumes_without_redoing_finished_items(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    client = _signed_in(harness)
    path = _new_batch(client)
    _wait(client, path)
    job_id = path.rsplit("/", 1)[1]
    batches = harness.app.state.workspace.batches
    record = batches.jobs.get(job_id, owner="cmartin")
    # As if the process had stopped after the first item: run one item only, then "crash".
    from egide.tasks.batch import run_batch

    run_batch(batches.job_of(record), batches.workspace.assistant, batches.folder(job_id),
              user="cmartin", model="auto", fmt=None, max_items=1,
              journal=batches.journal(record), report=False)  # fmt: skip
    from egide.store.batches import BatchStatus

    batches.jobs.update(job_id, owner="cmartin", status=BatchStatus.INTERRUPTED, model="auto")
    page = client.get(path)
    assert "Reprendre" in page.text
    client.post(path + "/lancer", data={"csrf_token": csrf_of(page), "modele": "auto"})
    assert _wait(client, path)["done"] == 3
    with harness.portal.store.session() as session:
        assert session.query(Draft).count() == 3  # one draft per row, none twice


def test_a_spreadsheet_without_the_template_columns_is_refused_with_the_names(
    tmp_path: Path,
) -> None:
    harness = _harness(tmp_path)
    client = _signed_in(harness)
    page = client.get("/espace/lots")
    refused = client.post(
        "/espace/lots/courriers",
        data={"csrf_token": csrf_of(page), "modele": "note-breve"},
        files={"tableau": ("x.csv", b"nom;prenom\nDubois;Claire\n", "text/csv")},
    )
    assert refused.status_code == 400
    assert "« Texte » (texte)" in html.unescape(refused.text)
    wrong = client.post(
        "/espace/lots/courriers",
        data={"csrf_token": csrf_of(page), "modele": "note-breve"},
        files={"tableau": ("x.ods", b"...", "application/octet-stream")},
    )
    assert "enregistrez le tableau au format XLSX ou CSV" in html.unescape(wrong.text)


def test_someone_else_s_batch_is_not_found(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    client = _signed_in(harness)
    path = _new_batch(client)
    _wait(client, path)
    other = harness.client()
    harness.first_sign_in(other, harness.add_user("autre"))
    for suffix in ("", "/etat", "/elements/0", "/rapport.csv"):
        assert other.get(path + suffix).status_code == 404


def test_a_restart_interrupts_running_batches_and_retention_does_not(tmp_path: Path) -> None:
    from egide.cli.serve import _prepare_store, apply_retention
    from egide.store.batches import BatchStatus

    harness = _harness(tmp_path)
    client = _signed_in(harness)
    path = _new_batch(client)
    _wait(client, path)
    job_id = path.rsplit("/", 1)[1]
    jobs = harness.app.state.workspace.batches.jobs
    jobs.update(job_id, owner="cmartin", status=BatchStatus.RUNNING)
    apply_retention(harness.settings)  # the daily purge, while the service runs
    assert jobs.get(job_id, owner="cmartin").status is BatchStatus.RUNNING
    _prepare_store(harness.settings, "http://127.0.0.1:8000/")  # a new start of the service
    assert jobs.get(job_id, owner="cmartin").status is BatchStatus.INTERRUPTED
