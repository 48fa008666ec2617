"""``egide draft``, ``templates``, ``export`` and ``batch``, in-process through the entry point,
on the embedded defaults (local engine, SQLite and keys in a temporary EGIDE_HOME)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from egide.audit import AuditLog
from egide.cli import main
from egide.config import load_settings
from egide.documents import read_document
from egide.store import DraftStore, open_store
from egide.store.drafts import UNVALIDATED_LOCAL_MENTION
from egide.tasks.batch import JOURNAL_NAME, REPORT_NAME
from egide.tasks.exporting import DRAFT_MENTION
from egide.tasks.templates import load_templates
from tests.support.templates import NOTE

CONFIG = """
[[models]]
name = "local"
tier = "interne"
backend = "local"

[[models]]
name = "ia-publique"
tier = "externe"
backend = "local"
"""
NIR = "1 84 12 75 108 056 17"  # fictitious, valid key


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("EGIDE_CONFIG", "EGIDE_STORE_KEY", "EGIDE_AUDIT_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EGIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EGIDE_USER", "cmartin")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "home" / "modeles").mkdir(parents=True)
    (tmp_path / "home" / "modeles" / "note-breve.md").write_text(NOTE, encoding="utf-8")
    return tmp_path / "home"


def _letter_data() -> dict[str, str]:
    template = load_templates(None).get("accuse-reception")
    return {f.name: f.example for f in template.fields if f.required and f.example}


def _drafts() -> list[tuple[str, str, str]]:
    with open_store(load_settings()) as store:
        return [(d.id, d.title, d.content) for d in DraftStore(store).list("cmartin", limit=500)]


def _saved(home: Path) -> int:
    return sum(1 for e in AuditLog.open(home).events() if e.action == "draft_saved")


# --- templates -------------------------------------------------------------------------------


def test_templates_lists_builtin_admin_and_invalid(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # the temporary path is long: keep it on one line
    (home / "modeles" / "casse.md").write_text("+++\ntitre = \n+++\nx\n", encoding="utf-8")
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    for name in ("accuse-reception", "courrier-administration", "note-attention",
                 "note-synthese", "reponse-usager", "note-breve"):  # fmt: skip
        assert name in out
    assert "administrateur" in out and "intégré" in out
    assert "Modèles invalides (1)" in out and "casse.md, ligne 2) : en-tête incorrect" in out


def test_templates_describes_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "reponse-usager"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Réponse type à une demande d'usager" in out
    assert "Civilité du destinataire" in out and "défavorable" in out
    assert "egide draft reponse-usager --data" in out


# --- draft -----------------------------------------------------------------------------------


def test_templates_describes_conditions_and_dates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["templates", "reponse-usager"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert ("- motifs (obligatoire) : Motifs du refus — seulement si « Sens de la réponse » est "
            "« défavorable »") in out  # fmt: skip
    assert "date_demande (obligatoire) : Date de la demande — date JJ/MM/AAAA" in out


@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_draft_end_to_end_with_export(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    data = json.dumps(_letter_data(), ensure_ascii=False)
    target = tmp_path / f"accuse.{fmt}"
    assert main(["draft", "accuse-reception", "--data", data, "--export", fmt, "-o",
                 str(target)]) == 0  # fmt: skip
    captured = capsys.readouterr()
    letter = captured.out
    assert "Madame Claire DUBOIS\n" in letter and "Madame,\n" in letter
    assert "Je vous prie d'agréer, Madame, l'expression de mes salutations distinguées." in letter
    assert "egide validate" in captured.err
    ((draft_id, title, content),) = _drafts()
    assert draft_id[:8] in captured.err
    assert title == "Accusé de réception d'une demande" and content == letter
    exported = read_document(target).text
    assert "Objet : accusé de réception de votre demande de renouvellement" in exported
    assert "Paul LEFÈVRE" in exported and UNVALIDATED_LOCAL_MENTION in exported


def test_draft_from_a_json_file_and_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _letter_data()
    data["civilite"] = "Monsieur"
    (tmp_path / "donnees.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["draft", "accuse-reception", "--data", "@donnees.json",
                 "--set", "prenom=Marc", "--set", "nom=Girard"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Monsieur Marc GIRARD\n" in out and "agréer, Monsieur, l'expression" in out


def test_draft_from_a_one_row_spreadsheet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _letter_data()
    with (tmp_path / "une.csv").open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow([*data, "Commentaire interne"])
        writer.writerow([*data.values(), "à ignorer"])
    assert main(["draft", "accuse-reception", "--from", "une.csv", "-o", "ar.odt"]) == 0
    assert "Madame Claire DUBOIS" in capsys.readouterr().out
    assert "Madame Claire DUBOIS" in read_document(tmp_path / "ar.odt").text


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["draft", "accuse-reception", "--set", "civilite=Madame"],
         ["champs obligatoires manquants", "nom : Nom du destinataire",
          "date_reception : Date de réception de la demande"]),
        (["draft", "accuse-reception", "--data", "{civilite: Madame}"],
         ["données JSON invalides (ligne 1, colonne 2)"]),
        (["draft", "accuse-reception", "--data", '["Madame"]'], ["un objet JSON"]),
        (["draft", "circulaire"], ["modèle inconnu « circulaire »"]),
        (["draft", "note-breve", "--set", "objet"], ["--set attend CHAMP=VALEUR"]),
        (["draft", "note-breve", "--set", "objet=a", "--set", "txte=b"], ["txte"]),
        (["draft", "note-breve", "-o", "note.pdf"], ["précisez le format d'export"]),
    ],
)  # fmt: skip
def test_draft_usage_errors(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragments: list[str]
) -> None:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("egide : erreur : ")
    for fragment in fragments:
        assert fragment in err
    assert _drafts() == []


def test_draft_from_a_spreadsheet_of_several_rows_points_to_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "deux.csv").write_text("objet;texte\na;b\nc;d\n", encoding="utf-8")
    assert main(["draft", "note-breve", "--from", "deux.csv"]) == 2
    assert "contient 2 lignes" in capsys.readouterr().err


def test_draft_refused_by_the_charter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "egide.toml").write_text(CONFIG, encoding="utf-8")
    argv = ["--config", "egide.toml", "draft", "note-breve", "--model", "ia-publique",
            "--set", "objet=dossier", "--set", f"texte=NIR : {NIR}"]  # fmt: skip
    assert main(argv) == 3
    captured = capsys.readouterr()
    assert "refus de la charte" in captured.err and "sécurité sociale" in captured.err
    assert NIR not in captured.err and captured.out == ""
    assert _drafts() == []


# --- export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "odt"])
@pytest.mark.parametrize(
    ("model", "before", "after"),
    [
        ("local", UNVALIDATED_LOCAL_MENTION, "moteur intégré d'Égide (extraits de documents"),
        ("albert-large", DRAFT_MENTION, "préparé avec l'assistance d'une IA, relu"),
    ],
)
def test_export_carries_the_validation_mention(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
    model: str,
    before: str,
    after: str,
) -> None:
    with open_store(load_settings()) as store:
        record = DraftStore(store).create(
            "cmartin", "draft", model, "interne", "personnel", "Note brève",
            "Objet : point budgétaire\n\nLe budget est stable.\n",
        )  # fmt: skip
    assert main(["export", record.id[:8], "--format", fmt, "-o", f"avant.{fmt}"]) == 0
    assert before in read_document(tmp_path / f"avant.{fmt}").text
    assert main(["validate", record.id, "--by", "Claire Martin"]) == 0
    assert main(["export", record.id, "-o", f"apres.{fmt}"]) == 0
    text = read_document(tmp_path / f"apres.{fmt}").text
    assert "Objet : point budgétaire" in text and after in text
    assert "relu et validé par Claire Martin le " in text and before not in text
    assert "relu et validé par Claire Martin" in capsys.readouterr().err


def test_export_of_someone_elses_draft_is_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(load_settings()) as store:
        record = DraftStore(store).create(
            "pdurand", "draft", "local", "interne", "public", "t", "c"
        )
    assert main(["export", record.id, "-o", "x.docx"]) == 1
    assert "brouillon introuvable" in capsys.readouterr().err
    assert not Path("x.docx").exists()


# --- batch -----------------------------------------------------------------------------------


def test_batch_xlsx_limited_then_resumed(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _letter_data()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Civilité du destinataire" if k == "civilite" else k for k in data])
    for i in range(20):
        row = {**data, "nom": f"Dubois-{i}", "prenom": ["Claire", "Sophie"][i % 2]}
        sheet.append(list(row.values()))
    book.save(tmp_path / "accuses.xlsx")
    argv = ["batch", "draft", "accuse-reception", "--from", "accuses.xlsx", "--out", "lot"]
    assert main([*argv, "--max-items", "8"]) == 0
    first = capsys.readouterr()
    assert "8 fait(s), 0 refusé(s), 0 en erreur, 12 non traité(s)" in first.err
    assert len(list((tmp_path / "lot").glob("*.txt"))) == 8 and _saved(home) == 8

    assert main(argv) == 0
    second = capsys.readouterr()
    assert "reprise du lot : 8 élément(s) déjà traité(s)" in second.err
    assert "20 fait(s), 0 refusé(s), 0 en erreur." in second.err
    assert _saved(home) == 20 and len(_drafts()) == 20
    outputs = sorted((tmp_path / "lot").glob("*.txt"))
    assert len(outputs) == 20
    assert "Madame Sophie DUBOIS-19\n" in outputs[-1].read_text(encoding="utf-8")
    report = (tmp_path / "lot" / REPORT_NAME).read_text(encoding="utf-8-sig").splitlines()
    assert len(report) == 21 and all(";fait;" in line for line in report[1:])


def test_batch_refusal_is_reported_with_its_reason(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "egide.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "notes.csv").write_text(
        "objet,texte\n"
        "point budgétaire,Le budget du service est stable.\n"
        f"dossier,Numéro de sécurité sociale : {NIR}\n"
        "effectifs,Les effectifs du bureau sont au complet.\n",
        encoding="utf-8",
    )
    argv = ["--config", "egide.toml", "batch", "draft", "note-breve", "--from", "notes.csv",
            "--out", "lot", "--model", "ia-publique", "--format", "docx"]  # fmt: skip
    assert main(argv) == 3
    captured = capsys.readouterr()
    assert "2 fait(s), 1 refusé(s), 0 en erreur" in captured.err
    rows = list(csv.reader(
        (tmp_path / "lot" / REPORT_NAME).read_text(encoding="utf-8-sig").splitlines(),
        delimiter=";",
    ))  # fmt: skip
    assert [r[:2] for r in rows[1:]] == [["ligne 2", "fait"], ["ligne 3", "refusé"],
                                         ["ligne 4", "fait"]]  # fmt: skip
    reason = rows[2][4]
    assert "1 numéro de sécurité sociale" in reason and "service d'IA externe" in reason
    assert "Modèle autorisé : « local »" in reason
    journal = (tmp_path / "lot" / JOURNAL_NAME).read_text(encoding="utf-8")
    assert NIR not in journal and NIR.replace(" ", "") not in journal
    assert read_document(tmp_path / "lot" / "note-breve-ligne-0002.docx").text.count("budget") == 1

    # Same model again: the refusal stands and nothing is redone.
    assert main(argv) == 3
    assert _saved(home) == 2
    # The model the charter allows: only the refused row is processed.
    capsys.readouterr()
    assert main([*argv[:-4], "--model", "local", "--format", "docx"]) == 0
    assert "3 fait(s), 0 refusé(s)" in capsys.readouterr().err
    assert _saved(home) == 3


def test_batch_summarize_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "rapports"
    folder.mkdir()
    for month in ("mars", "avril"):
        (folder / f"{month}.txt").write_text(
            f"Le service a traité 120 dossiers en {month}. Les délais ont baissé de moitié. " * 4,
            encoding="utf-8",
        )
    assert main(["batch", "summarize", "rapports", "--out", "resumes", "--length", "court"]) == 0
    assert "2 fait(s)" in capsys.readouterr().err
    assert "avril" in (tmp_path / "resumes" / "avril.resume.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["batch", "draft", "accuse-reception", "--from", "notes.csv", "--out", "lot"],
         "il manque au tableau notes.csv des colonnes obligatoires"),
        (["batch", "draft", "note-breve", "--from", "notes.csv", "--out", "lot",
          "--model", "inconnu"], "modèle inconnu « inconnu »"),
        (["batch", "draft", "note-breve", "--from", "absent.csv", "--out", "lot"],
         "fichier introuvable"),
        (["batch", "summarize", "vide", "--out", "lot"], "aucun document lisible"),
        (["batch", "summarize", "vide", "--out", "vide"], "doit être différent"),
    ],
)  # fmt: skip
def test_batch_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    (tmp_path / "notes.csv").write_text("objet;texte\na;b\n", encoding="utf-8")
    (tmp_path / "vide").mkdir()
    assert main(argv) in (1, 2)
    assert fragment in capsys.readouterr().err


def test_batch_refuses_the_journal_of_another_batch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "lot").mkdir()
    (tmp_path / "lot" / JOURNAL_NAME).write_text(
        json.dumps({"lot": {"tache": "summarize", "longueur": "court", "source": "x"}}) + "\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.csv").write_text("objet;texte\na;b\n", encoding="utf-8")
    assert main(["batch", "draft", "note-breve", "--from", "notes.csv", "--out", "lot"]) == 2
    assert "journal d'un autre lot" in capsys.readouterr().err


def test_batch_example_spreadsheet_then_draft_from_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["batch", "exemple", "accuse-reception", "-o", "accuses.xlsx"]) == 0
    assert "egide batch draft accuse-reception --from accuses.xlsx" in capsys.readouterr().err
    book = openpyxl.load_workbook(tmp_path / "accuses.xlsx")
    sheet = book["Courriers"]
    template = load_templates(None).get("accuse-reception")
    assert [c.value for c in sheet[1]] == [f.label for f in template.fields]
    sheet.append([("Girard" if f.name == "nom" else f.example or "") for f in template.fields])
    book.save(tmp_path / "accuses.xlsx")
    assert (
        main(["batch", "draft", "accuse-reception", "--from", "accuses.xlsx", "--out", "lot"]) == 0
    )
    assert "2 fait(s), 0 refusé(s), 0 en erreur." in capsys.readouterr().err
    assert main(["batch", "exemple", "accuse-reception", "-o", "accuses.csv"]) == 0
    assert (tmp_path / "accuses.csv").read_bytes().startswith(b"\xef\xbb\xbfEn-t")
    assert main(["batch", "exemple", "accuse-reception", "-o", "accuses.ods"]) == 2
    assert "nommez le fichier .xlsx ou .csv" in capsys.readouterr().err


def test_batch_columns_named_otherwise_and_values_for_every_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.csv").write_text(
        "Sujet;Txte;Remarque\npoint budgétaire;Stable.;interne\neffectifs;;interne\n",
        encoding="utf-8",
    )
    argv = ["batch", "draft", "note-breve", "--from", "notes.csv", "--out", "lot"]
    # « Txte » is only a guess: said, never applied; « objet » has no column at all.
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "  - objet : Objet" in err
    assert (
        '  - texte : Texte ; la colonne « Txte » semble lui correspondre : --colonne texte="Txte"'
        in err
    )
    assert main([*argv, "--colonne", "objet=Sujet", "--colonne", "Texte=Txte",
                 "--set", "texte=Sans changement."]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "colonnes ignorées (aucun champ du modèle) : Remarque" in err
    letters = sorted(p.read_text(encoding="utf-8") for p in (tmp_path / "lot").glob("*.txt"))
    assert letters == ["Objet : effectifs\n\nSans changement.\n",
                       "Objet : point budgétaire\n\nStable.\n"]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--colonne", "objet=Absente"], "n'a pas de colonne « Absente »"),
        (["--colonne", "inconnu=objet"], "« inconnu » n'est pas un champ du modèle"),
        (["--set", "objet"], "--set attend CHAMP=VALEUR"),
    ],
)
def test_batch_column_and_value_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], fragment: str
) -> None:
    (tmp_path / "notes.csv").write_text("objet;texte\na;b\n", encoding="utf-8")
    argv = ["batch", "draft", "note-breve", "--from", "notes.csv", "--out", "lot", *extra]
    assert main(argv) == 2
    assert fragment in capsys.readouterr().err


def test_batch_value_for_every_row_is_checked_like_its_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _letter_data()
    data.pop("date_reception")
    (tmp_path / "ar.csv").write_text(
        ";".join(data) + "\n" + ";".join(data.values()) + "\n", encoding="utf-8"
    )
    argv = ["batch", "draft", "accuse-reception", "--from", "ar.csv", "--out", "lot"]
    assert main([*argv, "--set", "date_reception=31/02/2026"]) == 2
    assert "cette date n'existe pas dans le calendrier" in capsys.readouterr().err
    assert main([*argv, "--set", "date_reception=28/02/2026"]) == 0
    (letter,) = (tmp_path / "lot").glob("*.txt")
    assert "reçue par mes services le 28 février 2026" in letter.read_text(encoding="utf-8")


def test_batch_invalid_rows_are_invalid_not_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.csv").write_text("objet;texte\nbudget;Stable.\neffectifs;\n",
                                        encoding="utf-8")  # fmt: skip
    argv = ["batch", "draft", "note-breve", "--from", "notes.csv", "--out", "lot"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "1 fait(s), 0 refusé(s), 0 en erreur, 1 invalide(s)" in err
    assert "1 ligne(s) invalide(s) (raison dans le rapport)" in err
    report = (tmp_path / "lot" / REPORT_NAME).read_text(encoding="utf-8-sig").splitlines()
    assert report[2] == "ligne 3;invalide;;;« Texte » : ce champ est obligatoire"
