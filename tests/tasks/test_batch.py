"""The batch engine: spreadsheets, the resumable journal, one pipeline run per item."""

from __future__ import annotations

import csv
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from egide.assistant import Assistant
from egide.audit import AuditLog
from egide.config import ModelSettings, Settings, load_settings
from egide.documents import read_document
from egide.guard import Guard
from egide.models.base import ModelBackend
from egide.policy.tiers import Tier
from egide.store import DraftStore, Store, open_store, validation_mention
from egide.store.drafts import UNVALIDATED_LOCAL_MENTION
from egide.tasks import TaskInput, register_task, task_named
from egide.tasks.batch import (
    JOURNAL_NAME,
    REPORT_NAME,
    BatchItem,
    BatchReport,
    ItemStatus,
    Journal,
    JournalEntry,
    JournalMismatch,
    run_batch,
)
from egide.tasks.batch_archive import safe_file_name, zip_stream
from egide.tasks.batch_jobs import DraftJob, SummarizeJob, documents_in
from egide.tasks.batch_sheets import example_csv, example_xlsx
from egide.tasks.exporting import DRAFT_MENTION, draft_mention
from egide.tasks.tables import TableError, read_table
from egide.tasks.templates import ADMIN_FOLDER, load_templates
from egide.tasks.templates.columns import plan_columns
from tests.support.templates import NOTE

USER = "cmartin"
FIRST_NAMES = ["Claire", "Marc", "Sophie", "Julien", "Nadia"]
LAST_NAMES = ["Dubois", "Girard", "Lambert", "Roux", "Fontaine"]


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("EGIDE_CONFIG", "EGIDE_STORE_KEY", "EGIDE_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    (home / ADMIN_FOLDER).mkdir(parents=True)
    (home / ADMIN_FOLDER / "note-breve.md").write_text(NOTE, encoding="utf-8")
    return load_settings(environ={"EGIDE_HOME": str(home)})


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with open_store(settings, environ={}) as opened:
        yield opened


@pytest.fixture
def assistant(settings: Settings, store: Store, guard: Guard) -> Assistant:
    return Assistant(settings, guard=guard, drafts=DraftStore(store))


def _letters_csv(path: Path, count: int, *, delimiter: str = ";", encoding: str = "utf-8") -> Path:
    template = load_templates(None).get("accuse-reception")
    columns = [f.label if f.name == "civilite" else f.name for f in template.fields]
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(columns)
        for i in range(count):
            data = template.example_data()
            data.update(prenom=FIRST_NAMES[i % 5], nom=f"{LAST_NAMES[i % 5]}-{i}",
                        numero_dossier=f"2025-{i:04d}")  # fmt: skip
            writer.writerow([data[f.name] for f in template.fields])
    return path


def _saved_drafts(settings: Settings) -> int:
    return sum(1 for e in AuditLog.open(settings.home).events() if e.action == "draft_saved")


# --- tables ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8"), (",", "utf-8"), (";", "utf-8-sig"), (";", "cp1252"), ("\t", "utf-8")],
)
def test_csv_separator_and_encoding_are_detected(
    tmp_path: Path, delimiter: str, encoding: str
) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(
        f"nom{delimiter}Civilité{delimiter}objet\n"
        f'Hélène{delimiter}Madame{delimiter}"accès, délais ; « guichet »"\n'
        f"\n"
        f"Loïc{delimiter}Monsieur{delimiter}rendez-vous\n".encode(encoding)
    )
    table = read_table(path)
    assert table.columns == ("nom", "Civilité", "objet")
    assert [row.line for row in table.rows] == [2, 4]  # the blank line keeps the numbering
    assert table.rows[0].values == {
        "nom": "Hélène", "Civilité": "Madame", "objet": "accès, délais ; « guichet »"
    }  # fmt: skip
    assert table.rows[1].values["nom"] == "Loïc"


def test_a_row_longer_than_the_header_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("objet;texte\na;b\na;b;c\na;b;\n", encoding="utf-8")
    problems = [row.problem for row in read_table(path).rows]
    assert problems[0] is None and problems[2] is None  # an empty extra cell is harmless
    assert problems[1] is not None and "plus de cellules" in problems[1]


def test_xlsx_is_read_with_dates_and_numbers_as_agents_see_them(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["objet", "date", "nombre", "vide"])
    sheet.append(["réunion", datetime(2025, 3, 1), 12.0, None])
    sheet.append([None, None, None, None])
    sheet.append(["bilan", datetime(2025, 3, 2, 14, 30), 3.5, None])
    book.save(tmp_path / "t.xlsx")
    table = read_table(tmp_path / "t.xlsx")
    assert [row.line for row in table.rows] == [2, 4]
    assert table.rows[0].values == {"objet": "réunion", "date": "01/03/2025", "nombre": "12",
                                    "vide": ""}  # fmt: skip
    assert table.rows[1].values["date"] == "02/03/2025 14:30"
    assert table.rows[1].values["nombre"] == "3.5"


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("t.xls", b"\xd0\xcf\x11\xe0", "enregistrez le tableau au format XLSX ou CSV"),
        ("t.ods", b"PK", "enregistrez le tableau au format XLSX ou CSV"),
        ("t.json", b"{}", "format non pris en charge"),
        ("t.xlsx", b"pas un classeur", "n'est pas un classeur XLSX lisible"),
        ("t.csv", b"", "est vide"),
        ("t.csv", b"objet;texte\n", "aucune ligne de données"),
        ("t.csv", b"objet;objet\na;b\n", "colonnes en double : objet"),
    ],
)
def test_unreadable_tables_give_a_french_reason(
    tmp_path: Path, name: str, content: bytes, fragment: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(TableError, match=fragment):
        read_table(tmp_path / name)


# --- journal ---------------------------------------------------------------------------------


def test_journal_survives_a_torn_last_line_and_keeps_the_last_word(tmp_path: Path) -> None:
    identity = {"tache": "draft", "modele": "x", "source": "t.csv"}
    path = tmp_path / JOURNAL_NAME
    journal = Journal(path, identity)
    journal.record(JournalEntry("k1", "ligne 2", ItemStatus.ERROR, reason="panne"))
    journal.record(JournalEntry("k1", "ligne 2", ItemStatus.OK, "d1", "a.txt", model="auto"))
    journal.record(JournalEntry("k2", "ligne 3", ItemStatus.REFUSED, reason="NIR", model="pub"))
    with path.open("ab") as handle:
        handle.write(b'{"key": "k3", "status": "o')  # a crash in the middle of a write
    again = Journal(path, identity)
    assert set(again.entries) == {"k1", "k2"}
    assert again.finished("k1", "auto") and again.finished("k1", "pub")
    assert again.finished("k2", "pub") and not again.finished("k2", "local")
    assert not again.finished("k3", "auto")
    assert path.read_bytes().endswith(b"\n")
    again.record(JournalEntry("k3", "ligne 4", ItemStatus.OK, model="auto"))
    assert Journal(path, identity).finished("k3", "auto")


def test_journal_of_another_batch_is_not_reused(tmp_path: Path) -> None:
    Journal(tmp_path / JOURNAL_NAME, {"tache": "draft", "modele": "a", "source": "t.csv"})
    with pytest.raises(JournalMismatch, match="journal d'un autre lot"):
        Journal(tmp_path / JOURNAL_NAME, {"tache": "draft", "modele": "b", "source": "t.csv"})


def test_a_sealed_journal_names_nothing_and_opens_for_its_own_batch_only(tmp_path: Path) -> None:
    import secrets

    from egide.store.batches import SealedLines
    from egide.store.crypto import StoreCipher

    tables = StoreCipher(secrets.token_bytes(32)).for_table("batch_journals")
    identity = {"tache": "summarize", "longueur": "court", "source": "Dossier-Ozanne.pdf"}
    path = tmp_path / JOURNAL_NAME
    journal = Journal(path, identity, seal=SealedLines(tables, "lot-a"))
    journal.record(JournalEntry("k1", "Dossier-Ozanne.pdf", ItemStatus.OK, "d1", model="auto"))
    data = path.read_bytes()
    assert b"Ozanne" not in data and b"summarize" not in data and data.count(b"\n") == 2
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    again = Journal(path, identity, seal=SealedLines(tables, "lot-a"))
    assert again.entries["k1"].item == "Dossier-Ozanne.pdf"
    assert Journal.read(path, seal=SealedLines(tables, "lot-a"))["k1"].status is ItemStatus.OK
    # The lines of batch A, copied into batch B's journal, are no line of B's.
    assert Journal.read(path, seal=SealedLines(tables, "lot-b")) == {}
    with pytest.raises(JournalMismatch):
        Journal(path, identity, seal=SealedLines(tables, "lot-b"))


@pytest.mark.parametrize(
    ("statuses", "interrupted", "expected"),
    [
        (["ok", "ok"], False, 0),
        (["ok", None], False, 0),  # --max-items left some for later
        (["ok", "refused"], False, 3),
        (["ok", "error"], False, 1),
        (["ok", "invalid"], False, 1),
        (["invalid", "refused"], False, 1),
        (["refused", "error"], False, 1),
        (["ok", None], True, 1),
    ],
)
def test_exit_status(tmp_path: Path, statuses: list[str | None], interrupted: bool,
                     expected: int) -> None:  # fmt: skip
    rows = tuple(
        (
            BatchItem(f"k{i}", f"ligne {i}", f"s{i}"),
            None if s is None else JournalEntry(f"k{i}", f"ligne {i}", ItemStatus(s)),
        )
        for i, s in enumerate(statuses)
    )
    assert BatchReport(rows, 1, 0, interrupted, tmp_path).exit_status == expected


# --- the engine with the real pipeline ---------------------------------------------------------


class InterruptOnce:
    """The draft task, except that its n-th call raises KeyboardInterrupt (a Ctrl-C mid-item)."""

    name = "draft_interrompu"

    def __init__(self, at_call: int = 8) -> None:
        self.calls = 0
        self.at_call = at_call

    def generate(self, task_input: TaskInput, backend: ModelBackend) -> Iterator[str]:
        self.calls += 1
        if self.calls == self.at_call:
            raise KeyboardInterrupt
        yield from task_named("draft").generate(task_input, backend)


def test_twenty_rows_interrupted_then_resumed_without_redoing_or_losing(
    tmp_path: Path, settings: Settings, store: Store, assistant: Assistant
) -> None:
    interrupting = InterruptOnce(at_call=8)
    register_task("draft_interrompu")(lambda: interrupting)
    source = _letters_csv(tmp_path / "accuses.csv", 20)
    template = load_templates(settings.home).get("accuse-reception")
    job = DraftJob(template, read_table(source), source=source.name, task="draft_interrompu")
    out = tmp_path / "sortie"

    first = run_batch(job, assistant, out, user=USER)
    assert first.interrupted and first.processed == 7 and first.exit_status == 1
    assert first.count(ItemStatus.OK) == 7 and first.pending == 13
    assert _saved_drafts(settings) == 7

    second = run_batch(job, assistant, out, user=USER)
    assert not second.interrupted and second.skipped == 7 and second.processed == 13
    assert second.count(ItemStatus.OK) == 20 and second.exit_status == 0
    assert _saved_drafts(settings) == 20  # nothing done twice
    drafts = DraftStore(store).list(USER, limit=100)
    assert len(drafts) == 20
    ids = {e.draft for _, e in second.rows if e is not None}
    assert ids == {d.id for d in drafts}  # nothing lost either
    outputs = sorted(p.name for p in out.glob("accuse-reception-ligne-*.txt"))
    assert len(outputs) == 20 and outputs[0] == "accuse-reception-ligne-0002.txt"
    letter = (out / "accuse-reception-ligne-0011.txt").read_text(encoding="utf-8")
    assert "Madame Nadia FONTAINE-9\n" in letter and "dossier n° 2025-0009" in letter
    stored = next(d for d in drafts if d.title.endswith("— ligne 11"))
    assert stored.content == letter and stored.task == "draft_interrompu"

    third = run_batch(job, assistant, out, user=USER)
    assert third.processed == 0 and third.skipped == 20 and _saved_drafts(settings) == 20


def test_the_journal_and_report_hold_no_personal_value(
    tmp_path: Path, settings: Settings, assistant: Assistant
) -> None:
    source = _letters_csv(tmp_path / "accuses.csv", 3, delimiter=",", encoding="cp1252")
    job = DraftJob(
        load_templates(settings.home).get("accuse-reception"), read_table(source),
        source=source.name,
    )  # fmt: skip
    report = run_batch(job, assistant, tmp_path / "out", user=USER)
    assert report.exit_status == 0
    for name in (JOURNAL_NAME, REPORT_NAME):
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        for value in ("Claire", "DUBOIS", "Dubois", "2025-0001", "Lilas", "Lefèvre"):
            assert value not in text, (name, value)
    lines = (tmp_path / "out" / REPORT_NAME).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "element;statut;brouillon;fichier;raison"
    assert lines[1].startswith("ligne 2;fait;") and len(lines) == 4


def test_stop_request_ends_after_the_current_item(
    tmp_path: Path, settings: Settings, assistant: Assistant
) -> None:
    source = tmp_path / "notes.csv"
    source.write_text(
        "objet;texte\n" + "".join(f"point {i};Le budget est stable.\n" for i in range(6)),
        encoding="utf-8",
    )
    job = DraftJob(load_templates(settings.home).get("note-breve"), read_table(source),
                   source=source.name)  # fmt: skip
    stop = threading.Event()
    seen: list[str] = []

    def on_item(item: BatchItem, entry: JournalEntry) -> None:
        seen.append(item.label)
        if len(seen) == 2:
            stop.set()  # what the first Ctrl-C does

    report = run_batch(job, assistant, tmp_path / "out", user=USER, stop=stop, on_item=on_item)
    assert seen == ["ligne 2", "ligne 3"] and report.interrupted and report.pending == 4


def test_invalid_rows_are_reported_as_invalid_and_done_once_fixed(
    tmp_path: Path, settings: Settings, assistant: Assistant
) -> None:
    source = tmp_path / "notes.csv"
    source.write_text("objet;texte\nbudget;Stable.\neffectifs;\nlocaux;Rénovés;en trop\n",
                      encoding="utf-8")  # fmt: skip
    job = DraftJob(load_templates(settings.home).get("note-breve"), read_table(source),
                   source=source.name)  # fmt: skip
    out = tmp_path / "out"
    report = run_batch(job, assistant, out, user=USER, fmt="odt")
    statuses = [(item.label, e.status if e else None) for item, e in report.rows]
    # The row's own data is at fault, not the charter nor the service: « invalide ».
    assert statuses == [("ligne 2", ItemStatus.OK), ("ligne 3", ItemStatus.INVALID),
                        ("ligne 4", ItemStatus.INVALID)]  # fmt: skip
    reasons = [e.reason for _, e in report.rows if e is not None]
    assert reasons[1] == "« Texte » : ce champ est obligatoire" and "plus de cellules" in reasons[2]
    assert report.exit_status == 1
    assert ";invalide;" in (out / REPORT_NAME).read_text(encoding="utf-8-sig")
    # The same rows again are invalid again: nothing is tried twice for nothing.
    assert run_batch(job, assistant, out, user=USER, fmt="odt").processed == 0
    document = read_document(out / "note-breve-ligne-0002.odt")
    # The built-in engine filled the template: no « IA » is claimed for it.
    assert "Objet : budget" in document.text and UNVALIDATED_LOCAL_MENTION in document.text
    # The agent fixes the spreadsheet: only the failed rows are done again.
    source.write_text("objet;texte\nbudget;Stable.\neffectifs;Complets.\nlocaux;Rénovés\n",
                      encoding="utf-8")  # fmt: skip
    job = DraftJob(load_templates(settings.home).get("note-breve"), read_table(source),
                   source=source.name)  # fmt: skip
    again = run_batch(job, assistant, out, user=USER, fmt="odt")
    assert again.skipped == 1 and again.processed == 2 and again.exit_status == 0


def test_draft_mention_is_the_stores_own(store: Store) -> None:
    record = DraftStore(store).create(USER, "draft", "local", "interne", "public", "t", "c")
    assert validation_mention(record) == DRAFT_MENTION
    assert validation_mention(record, generative=False) == UNVALIDATED_LOCAL_MENTION
    assert draft_mention(None) == DRAFT_MENTION
    assert draft_mention(ModelSettings(name="local", tier=Tier.INTERNE, backend="local")) == (
        UNVALIDATED_LOCAL_MENTION
    )
    assert (
        draft_mention(
            ModelSettings(
                name="albert",
                tier=Tier.EXTERNE,
                backend="openai",
                base_url="https://albert.example/v1",
            )
        )
        == DRAFT_MENTION
    )


# --- summaries of a folder ---------------------------------------------------------------------


def test_summaries_of_a_folder_resume_and_redo_changed_files(
    tmp_path: Path, settings: Settings, assistant: Assistant
) -> None:
    folder = tmp_path / "rapports"
    folder.mkdir()
    text = "Le service a traité 120 dossiers en mars. Les délais ont baissé de moitié. " * 5
    (folder / "mars.txt").write_text(text, encoding="utf-8")
    (folder / "avril.md").write_text(text.replace("mars", "avril"), encoding="utf-8")
    (folder / "mars.html").write_text(f"<p>{text}</p>", encoding="utf-8")
    (folder / "casse.pdf").write_bytes(b"%PDF-1.4 rien de lisible")
    (folder / "image.webp").write_bytes(b"RIFF")  # a format Égide does not read
    (folder / "sous-dossier").mkdir()
    out = folder / "resumes"  # inside the folder: never read as input
    files = documents_in(folder)
    assert [p.name for p in files] == ["avril.md", "casse.pdf", "mars.html", "mars.txt"]
    job = SummarizeJob(folder, files, length="court")
    report = run_batch(job, assistant, out, user=USER)
    by_label = {item.label: e for item, e in report.rows}
    # A damaged file is the item's own fault: invalid (a reader down would be an error).
    assert by_label["casse.pdf"] is not None and by_label["casse.pdf"].status is ItemStatus.INVALID
    assert by_label["mars.txt"] is not None and by_label["mars.txt"].output == "mars.txt.resume.txt"
    assert (out / "avril.resume.txt").read_text(encoding="utf-8").strip()
    assert report.exit_status == 1

    (folder / "mars.txt").write_text(text + "Une phrase de plus.", encoding="utf-8")
    again = run_batch(SummarizeJob(folder, documents_in(folder), length="court"),
                      assistant, out, user=USER)  # fmt: skip
    # mars.txt changed; casse.pdf, the same damaged file, is not read again for nothing.
    assert again.skipped == 3 and again.processed == 1
    journal = [json.loads(line) for line in (out / JOURNAL_NAME).read_text().splitlines()]
    assert journal[0] == {
        "lot": {"tache": "summarize", "longueur": "court", "source": str(folder.resolve())}
    }


# --- columns, values for every row, example spreadsheets, archives -----------------------------


@pytest.mark.parametrize(
    ("columns", "expected", "ignored"),
    [
        # Name or label, whatever the case, accents and punctuation: certain.
        (["NOM", "Civilité du destinataire", "date-reception"],
         {"nom": ("NOM", True), "civilite": ("Civilité du destinataire", True),
          "date_reception": ("date-reception", True)}, ()),
        # A shortened label or a misspelt name: guessed, to be checked.
        (["Civilité", "Prénom destinataire", "Numero dosier"],
         {"civilite": ("Civilité", True), "prenom": ("Prénom destinataire", False),
          "numero_dossier": ("Numero dosier", False)}, ()),
        # Nothing alike: ignored, never forced onto a field.
        (["Commentaire", "Date"], {"date": ("Date", True)}, ("Commentaire",)),
        (["Date réception"], {"date_reception": ("Date réception", True)}, ()),
    ],
)  # fmt: skip
def test_columns_are_matched_forgivingly_and_guesses_are_flagged(
    columns: list[str], expected: dict[str, tuple[str, bool]], ignored: tuple[str, ...]
) -> None:
    template = load_templates(None).get("accuse-reception")
    plan = plan_columns(template, columns)
    found = {c.field.name: (c.column, c.certain) for c in plan.choices if c.column}
    assert found == expected
    assert plan.ignored == ignored
    assert plan.sure is False  # the template needs more than these columns


def test_a_column_that_looks_like_another_field_is_not_guessed() -> None:
    """« Date réception » is not « Date du courrier » (``date``) just because both are dates."""
    plan = plan_columns(load_templates(None).get("reponse-usager"), ["Date réception"])
    assert plan.mapping == {} and plan.ignored == ("Date réception",)


def test_values_for_every_row_fill_fields_and_empty_cells(tmp_path: Path) -> None:
    source = tmp_path / "t.csv"
    source.write_text("sujet;corps\nbudget;Stable.\neffectifs;\n", encoding="utf-8")
    template = load_templates(None).get("note-synthese")
    table = read_table(source)
    values = {f.name: f.example or "" for f in template.fields if f.required}
    job = DraftJob(template, table, source="t.csv",
                   columns={"objet": "sujet", "essentiel": "corps"}, values=values)  # fmt: skip
    assert job.missing_columns == [] and job.unknown_columns == []
    first, second = (job.data(item) for item in job.items)
    assert first["objet"] == "budget" and first["essentiel"] == "Stable."
    assert second["essentiel"] == values["essentiel"]  # the empty cell took the common value
    assert "parametres" in job.identity
    # The same spreadsheet with other values for every row is another batch of letters.
    other = DraftJob(template, table, source="t.csv", columns={"objet": "sujet"},
                     values={**values, "redacteur": "Autre"})  # fmt: skip
    assert other.identity["parametres"] != job.identity["parametres"]
    plain = DraftJob(template, table, source="t.csv")
    assert "parametres" not in plain.identity  # journals of earlier versions still resume


@pytest.mark.parametrize("name", ["accuse-reception", "reponse-usager", "note-synthese"])
def test_an_example_spreadsheet_is_read_back_column_for_column(tmp_path: Path, name: str) -> None:
    template = load_templates(None).get(name)
    path = tmp_path / "exemple.xlsx"
    path.write_bytes(example_xlsx(template))
    table = read_table(path)
    plan = plan_columns(template, table.columns)
    assert plan.sure and plan.ignored == ()
    job = DraftJob(template, table, source=path.name)
    (item,) = job.items
    template.render(job.data(item))  # the example row makes a letter
    (tmp_path / "exemple.csv").write_bytes(example_csv(template))
    assert read_table(tmp_path / "exemple.csv").columns == table.columns


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("../../etc/passwd", "etc-passwd.docx"),
        ("..\\..\\Windows\\win.ini", "Windows-win.ini.docx"),
        ('=HYPERLINK("http://x")', "HYPERLINK-http-x.docx"),
        ("-cmd", "cmd.docx"),
        ("@SUM(1)", "SUM-1.docx"),
        ("Réponse à Mme Dubois", "Reponse-a-Mme-Dubois.docx"),
        ("CON", "fichier-CON.docx"),
        ("nul.txt", "fichier-nul.txt.docx"),
        ("", "document.docx"),
        ("\x00\x1f", "document.docx"),
        ("a" * 200, "a" * 80 + ".docx"),
    ],
)
def test_file_names_in_an_archive_are_made_safe(stem: str, expected: str) -> None:
    assert safe_file_name(stem, "docx", set()) == expected


def test_file_names_in_an_archive_are_unique_whatever_their_case() -> None:
    taken: set[str] = set()
    names = [safe_file_name(s, "odt", taken) for s in ("Lettre", "lettre", "LETTRE", "lettre-2")]
    assert names == ["Lettre.odt", "lettre-2.odt", "LETTRE-3.odt", "lettre-2-2.odt"]


def test_an_archive_is_streamed_entry_by_entry() -> None:
    produced: list[str] = []

    def entries() -> Iterator[tuple[str, bytes]]:
        for index in range(3):
            produced.append(f"f{index}")
            yield f"f{index}.txt", f"contenu {index}".encode() * 1000

    stream = zip_stream(entries(), now=datetime(2026, 2, 12, 9, 30))
    first = next(stream)
    assert produced == ["f0"] and first  # the first bytes leave before the next entry exists
    data = first + b"".join(stream)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["f0.txt", "f1.txt", "f2.txt"]
        assert archive.read("f2.txt") == b"contenu 2" * 1000
        assert archive.getinfo("f0.txt").external_attr >> 16 == 0o600
