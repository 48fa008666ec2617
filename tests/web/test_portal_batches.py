"""Repetitive work from the portal: analysis of every item first, then a resumable run."""

from __future__ import annotations

import html
import io
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import select

from egide.config import load_settings
from egide.store.batch_items import BatchItemRow
from egide.store.models import Draft
from egide.tasks.tables import read_table_bytes
from egide.tasks.templates import ADMIN_FOLDER, load_templates
from tests.support.fake_openai import FakeProvider, Script, fake_openai_server
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
        state: dict[str, object] = client.get(path + "/etat").json()
        if state["finished"]:
            return state
        time.sleep(0.1)
    raise AssertionError(f"le lot {path} ne s'est pas terminé")


def _new_batch(
    client: TestClient, data: str | bytes = CSV, name: str = "notes.csv", modele: str = "note-breve"
) -> str:
    page = client.get("/espace/lots")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    created = client.post(
        "/espace/lots/courriers",
        data={"csrf_token": csrf_of(page), "modele": modele},
        files={"tableau": (name, raw, "application/octet-stream")},
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
    # Nothing on disk: the journal is in the store (any worker resumes the batch), each entry
    # sealed (no value, no label).
    folder = harness.settings.home / "lots" / path.rsplit("/", 1)[1]
    assert not folder.exists() or not any(folder.iterdir())
    with harness.portal.store.session() as session:
        journal = b"".join(bytes(e) for e in session.scalars(select(BatchItemRow.entry)))
    assert len(journal) > 100
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


def test_someone_else_s_batch_is_not_found(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    client = _signed_in(harness)
    path = _new_batch(client)
    _wait(client, path)
    other = harness.client()
    harness.first_sign_in(other, harness.add_user("autre"))
    for suffix in ("", "/etat", "/elements/0", "/rapport.csv", "/colonnes",
                   "/courriers.zip?format=docx"):  # fmt: skip
        assert other.get(path + suffix).status_code == 404
    assert other.post(path + "/colonnes", data={"csrf_token": csrf_of(other.get("/espace/lots"))}
                      ).status_code == 404  # fmt: skip


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


# --- the column step: forgiving matches, an explicit choice when unsure, values for all rows ---

UNSURE = (
    "OBJET;Txte;Commentaire interne\n"
    "Permanence;Le service sera fermé le lundi de Pentecôte.;à relire\n"
    "Horaires;;à relire\n"
)


def test_unsure_columns_wait_for_the_agent_who_sets_values_for_every_row(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    client = _signed_in(harness)
    path = _new_batch(client, UNSURE)
    # « OBJET » is certain (case), « Txte » only guessed: nothing is analysed before the agent says.
    assert path.endswith("/colonnes")
    job = path.removesuffix("/colonnes")
    page = client.get(path)
    text = html.unescape(page.text)
    assert "à vérifier" in text and "Colonnes ignorées" in text
    assert "« Commentaire interne »" in text and "(par exemple « à relire »)" in text
    assert '<option value="Txte" selected>' in page.text
    assert client.get(job).url.path == path  # the batch page sends back to the column step
    assert harness.app.state.workspace.batches.jobs.get(
        job.rsplit("/", 1)[1], owner="cmartin").analysis == ()  # fmt: skip

    # Without a column nor a value for « Texte », every letter would lack it: refused, kept.
    refused = client.post(
        path,
        data={
            "csrf_token": csrf_of(page),
            "colonne_objet": "OBJET",
            "colonne_texte": "",
            "valeur_objet": "Sans objet",
        },
    )
    assert refused.status_code == 400
    refused_text = html.unescape(refused.text)
    assert "1 champ à revoir avant l'analyse. Vos choix sont conservés" in refused_text
    assert "Chaque courrier en a besoin : choisissez la colonne qui le donne" in refused_text
    assert 'value="Sans objet"' in refused.text

    client.post(path, data={"csrf_token": csrf_of(page), "colonne_objet": "OBJET",
                            "colonne_texte": "Txte",
                            "valeur_texte": "Texte commun aux lignes sans texte."})  # fmt: skip
    _wait(client, job)
    ready = html.unescape(client.get(job).text)
    assert "Texte : « Texte commun aux lignes sans texte. » pour toutes les lignes" in ready
    assert "Colonnes ignorées (aucun champ du modèle) : « Commentaire interne »." in ready
    client.post(job + "/lancer", data={"csrf_token": csrf_of(page), "modele": "auto"})
    _wait(client, job)
    drafts = harness.app.state.workspace.drafts.list("cmartin")
    contents = sorted(d.content for d in drafts)
    # The empty cell took the value set for every row; the full one kept its own.
    assert contents == [
        "Objet : Horaires\n\nTexte commun aux lignes sans texte.\n",
        "Objet : Permanence\n\nLe service sera fermé le lundi de Pentecôte.\n",
    ]
    # Once launched, the columns no longer change.
    assert client.get(path).url.path == job


def test_a_value_for_every_row_is_checked_like_the_field(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    client = _signed_in(harness)
    template = load_templates(None).get("accuse-reception")
    header = ";".join(("nom", "prénom", "civilite", "demande"))
    path = _new_batch(client, f"{header}\nDubois;Claire;Madame;demande de carte\n",
                      modele="accuse-reception")  # fmt: skip
    assert path.endswith("/colonnes")
    page = client.get(path)
    values = {f"valeur_{f.name}": f.example or "" for f in template.fields
              if f.name not in ("nom", "prenom", "civilite", "demande")}  # fmt: skip
    values["valeur_date_reception"] = "31/02/2026"
    columns = {"colonne_nom": "nom", "colonne_prenom": "prénom", "colonne_civilite": "civilite",
               "colonne_demande": "demande"}  # fmt: skip
    refused = client.post(path, data={"csrf_token": csrf_of(page), **columns, **values})
    assert refused.status_code == 400
    assert "Cette date n'existe pas dans le calendrier" in html.unescape(refused.text)
    values["valeur_date_reception"] = "03/02/2026"
    client.post(path, data={"csrf_token": csrf_of(page), **columns, **values})
    job = path.removesuffix("/colonnes")
    _wait(client, job)
    client.post(job + "/lancer", data={"csrf_token": csrf_of(page), "modele": "auto"})
    _wait(client, job)
    (draft,) = harness.app.state.workspace.drafts.list("cmartin")
    assert "reçue par mes services le 3 février 2026" in draft.content


# --- invalid rows are invalid, not refused -----------------------------------------------------

WITH_INVALID = (
    "objet;texte\n"
    "Permanence;Le service sera fermé le lundi de Pentecôte.\n"
    "Dossier;Madame Amélie ROUSSEAU, NIR 2 86 07 99 350 042 43, a déposé son dossier.\n"
    "Horaires;\n"
)


def test_an_invalid_row_is_reported_as_invalid_not_as_refused_by_the_charter(
    tmp_path: Path,
) -> None:
    with fake_openai_server(Script(answer="Note relue.")) as provider:
        _invalid_row_is_invalid(tmp_path, provider)
    # Only the valid row without personal data reached the external model.
    sent = provider.recorder.all_text()
    assert "Pentec" in sent and "ROUSSEAU" not in sent and "Horaires" not in sent


def _invalid_row_is_invalid(tmp_path: Path, provider: FakeProvider) -> None:
    harness = _harness(tmp_path, WITH_EXTERNAL_MODEL.replace("http://127.0.0.1:9/v1",
                                                             provider.base_url))  # fmt: skip
    client = _signed_in(harness)
    path = _new_batch(client, WITH_INVALID)
    _wait(client, path)
    page = client.get(path)
    text = html.unescape(page.text)
    assert "1 élément invalide" in text and "non comme refusé par la charte" in text
    assert "— (élément invalide)" in text
    # The external model may receive 1 of the 2 valid rows; the invalid one is not "refused".
    assert "autorisé pour 1 élément sur 2 valides (les autres seront refusés)" in text
    assert "autorisé pour 2 éléments sur 2 valides" in text
    client.post(path + "/lancer", data={"csrf_token": csrf_of(page), "modele": "public-ia"})
    _wait(client, path)
    report = client.get(path + "/rapport.csv").text.splitlines()
    statuses = {line.split(";")[0]: line.split(";")[1] for line in report[1:]}
    assert statuses == {"ligne 2": "fait", "ligne 3": "refusé", "ligne 4": "invalide"}
    assert report[3].endswith(";« Texte » : ce champ est obligatoire") and "charte" not in report[3]


# --- example spreadsheets and the ZIP of every letter ------------------------------------------


def test_each_template_has_an_example_spreadsheet_that_drafts_without_a_column_step(
    tmp_path: Path,
) -> None:
    harness = _harness(tmp_path)
    client = _signed_in(harness)
    listing = client.get("/espace/lots")
    assert 'action="/espace/lots/exemple"' in listing.text
    sheet = client.get("/espace/lots/exemple", params={"modele": "reponse-usager"})
    assert sheet.status_code == 200
    assert 'filename="exemple-reponse-usager.xlsx"' in sheet.headers["content-disposition"]
    table = read_table_bytes(sheet.content, name="exemple.xlsx")
    template = load_templates(None).get("reponse-usager")
    assert table.columns == tuple(f.label for f in template.fields)
    assert table.rows[0].values["Civilité du destinataire"] == "Monsieur"
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    assert book.sheetnames == ["Courriers", "Listes", "Mode d'emploi"]
    assert book["Listes"].sheet_state == "hidden"
    rules = [str(v.sqref) for v in book["Courriers"].data_validations.dataValidation]
    assert len(rules) == sum(1 for f in template.fields if f.choices)
    guide = [
        row[2] for row in book["Mode d'emploi"].iter_rows(values_only=True) if row[1] == "motifs"
    ]
    assert guide == ["obligatoire, seulement si « Sens de la réponse » est « défavorable »"]
    # Filled as it comes (the example row), it is recognised column for column.
    path = _new_batch(client, sheet.content, name="mes-courriers.xlsx", modele="reponse-usager")
    assert not path.endswith("/colonnes")
    _wait(client, path)
    assert "élément invalide" not in html.unescape(client.get(path).text)
    csv_sheet = client.get("/espace/lots/exemple", params={"modele": "note-breve", "format": "csv"})
    assert csv_sheet.text == "\ufeffObjet;Texte\r\n;\r\n"
    unknown = client.get("/espace/lots/exemple", params={"modele": "circulaire"})
    assert unknown.status_code == 404 and "Modèle inconnu" in html.unescape(unknown.text)


def test_an_example_spreadsheet_runs_no_formula_from_a_template(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    hostile = NOTE.replace('libelle = "Objet"', 'libelle = "=HYPERLINK(\\"http://x\\")"').replace(
        'nom = "texte"', 'nom = "texte"\nexemple = "@SUM(1+1)"'
    )
    (harness.settings.home / ADMIN_FOLDER / "note-breve.md").write_text(hostile, encoding="utf-8")
    client = _signed_in(harness)
    sheet = client.get("/espace/lots/exemple", params={"modele": "note-breve"})
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert cells == ['\'=HYPERLINK("http://x")', "Texte", None, "'@SUM(1+1)"]


def test_one_zip_holds_every_letter_and_the_report_built_on_download(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    client = _signed_in(harness)
    template = load_templates(None).get("accuse-reception")
    rows = [[f.label for f in template.fields]]
    for nom in ("Dubois", "Girard"):
        rows.append([nom if f.name == "nom" else f.example or "" for f in template.fields])
    rows.append(["" if f.name == "nom" else f.example or "" for f in template.fields])
    path = _new_batch(client, "\n".join(";".join(r) for r in rows) + "\n", name="ar.csv",
                      modele="accuse-reception")  # fmt: skip
    _wait(client, path)
    page = client.get(path)
    client.post(path + "/lancer", data={"csrf_token": csrf_of(page), "modele": "auto"})
    _wait(client, path)
    done = client.get(path)
    assert 'href="' + path + '/courriers.zip?format=docx"' in done.text
    # One letter validated since: the ZIP holds each draft as it is now.
    first = next(d for d in harness.app.state.workspace.drafts.list("cmartin")
                 if "DUBOIS" in d.content)  # fmt: skip
    draft_page = client.get(f"/espace/brouillons/{first.id}")
    client.post(f"/espace/brouillons/{first.id}", data={
        "csrf_token": csrf_of(draft_page), "contenu": first.content, "action": "valider",
        "relu": "oui"})  # fmt: skip
    archive = client.get(path + "/courriers.zip", params={"format": "docx"})
    assert archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as package:
        assert package.namelist() == [
            "accuse-reception-ligne-0002.docx",
            "accuse-reception-ligne-0003.docx",
            "rapport.csv",
        ]
        letters = {n: docx.Document(io.BytesIO(package.read(n))) for n in package.namelist()[:2]}
        report = package.read("rapport.csv").decode("utf-8-sig").splitlines()
    for name, letter in letters.items():
        section = letter.sections[0]
        assert section.page_width is not None and section.page_height is not None
        assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
        texts = [p.text for p in letter.paragraphs]
        assert template.title not in texts and texts[0] == "PRÉFECTURE DE LA GIRONDE"
        stamp = [p.text for p in section.header.paragraphs if p.text]
        if name.endswith("0002.docx"):  # validated
            assert stamp == [] and "relu et validé par cmartin" in texts[-1]
        else:
            assert stamp == ["PROJET — document non validé"] and "non validé" in texts[-1]
    assert report[0] == "element;statut;fichier;validation;brouillon;raison"
    assert report[1].startswith("ligne 2;fait;accuse-reception-ligne-0002.docx;validé;")
    assert report[2].startswith("ligne 3;fait;accuse-reception-ligne-0003.docx;projet, non validé;")
    assert report[3] == "ligne 4;invalide;;;;« Nom du destinataire » : ce champ est obligatoire"
    odt = client.get(path + "/courriers.zip", params={"format": "odt"})
    with zipfile.ZipFile(io.BytesIO(odt.content)) as package:
        assert [n for n in package.namelist() if n.endswith(".odt")] == [
            "accuse-reception-ligne-0002.odt",
            "accuse-reception-ligne-0003.odt",
        ]
    # Built from the store and its sealed journal: nothing on disk.
    folder = harness.settings.home / "lots" / path.rsplit("/", 1)[1]
    assert not folder.exists() or not any(folder.iterdir())


def test_a_summary_zip_names_files_safely_and_neutralises_the_report(tmp_path: Path) -> None:
    harness = _harness(tmp_path)
    client = _signed_in(harness)
    page = client.get("/espace/lots")
    names = ["=HYPERLINK(x).txt", "../../notes.txt", "notes.txt"]
    created = client.post(
        "/espace/lots/resumes",
        data={"csrf_token": csrf_of(page), "length": "court"},
        files=[("documents", (n, f"Le service ouvre à 9 h. Fichier {i}.".encode(), "text/plain"))
               for i, n in enumerate(names)],
    )  # fmt: skip
    path = created.url.path
    _wait(client, path)
    client.post(path + "/lancer", data={"csrf_token": csrf_of(page), "modele": "auto"})
    _wait(client, path)
    archive = client.get(path + "/courriers.zip", params={"format": "odt"})
    with zipfile.ZipFile(io.BytesIO(archive.content)) as package:
        listed = package.namelist()
        report = package.read("rapport.csv").decode("utf-8-sig")
    assert all("/" not in n and "\\" not in n and not n.startswith((".", "=", "-")) for n in listed)
    assert len(set(listed)) == len(listed) == 4
    assert "HYPERLINK-x-resume.odt" in listed and "notes-resume.odt" in listed
    assert "\n'=HYPERLINK(x).txt;fait;" in report.replace("\r\n", "\n")
